"""Progress reports to a court in a diversion programme: only under the client's consent to court reports, read
with the client before they are handed over, and saying only how the client takes part in care (decision 013).
Nothing here reads lapses, relapses, test results or session notes: relapse is never reported to a court."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models import DischargeReason, Episode, EpisodeStatus, Session
from cbtc.care.models.justice import STATEMENT_MAX, CourtReport
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.consent.disclosure import disclosure_log_court_report, person_client_ids
from cbtc.consent.models import Consent, ConsentKind
from cbtc.consent.rules import consent_in_force
from cbtc.consent.services import COURT_REPORT_CATEGORIES
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import User
from cbtc.network.roles import Permission

REPORT_CATEGORIES = COURT_REPORT_CATEGORIES  # the client's name, and how they take part in care
_LONGEST_PERIOD = timedelta(days=366)


@dataclass(frozen=True)
class CourtReportInput:
    consent_id: Any
    period_from: date
    period_to: date
    statement: str
    read_with_client: bool


def participation(status: str, finished_on: date | None, discharge_reason: str) -> str:
    """How the client takes part in care, in the words a report uses. Only a completed episode says why it
    ended; any other ending is told as the date alone (the reason is the client's to explain)."""
    if status != EpisodeStatus.FINISHED:
        return {
            EpisodeStatus.PLANNED: "Care planned, not started yet",
            EpisodeStatus.WAITING: "Waiting for a place",
            EpisodeStatus.ON_HOLD: "In care (paused for now)",
        }.get(EpisodeStatus(status), "In care")
    when = f"{finished_on:%d %b %Y}" if finished_on else "an earlier date"
    if discharge_reason == DischargeReason.COMPLETED:
        return f"Care completed on {when}"
    return f"Care here ended on {when}"


def court_consents_in_force(client: Client, organisation_id: Any) -> list[Consent]:
    """The client's consents to court reports at this organisation that are in force now, newest first."""
    now, today = timezone.now(), timezone.localdate()
    found = Consent.objects.filter(
        client_id__in=person_client_ids(client),
        organisation_id=organisation_id,
        kind=ConsentKind.COURT_REPORT,
        revoked_at__isnull=True,
        expiry_event_at__isnull=True,
    ).order_by("-given_at")[:20]
    return [
        consent
        for consent in found
        if consent_in_force(
            given_at=consent.given_at,
            expires_on=consent.expires_on,
            expiry_event_at=consent.expiry_event_at,
            revoked_at=consent.revoked_at,
            at=now,
            today=today,
        )
    ]


def _check(data: CourtReportInput, episode: Episode) -> Consent:
    consent = next(
        (
            c
            for c in court_consents_in_force(episode.client, episode.organisation_id)
            if str(c.pk) == str(data.consent_id)
        ),
        None,
    )
    if consent is None:
        raise ServiceError(
            "A progress report needs the client's consent to court reports, in force, naming the court.",
            field="consent",
        )
    today = timezone.localdate()
    if data.period_to > today:
        raise ServiceError("The period cannot end after today.", field="period_to")
    if data.period_from > data.period_to:
        raise ServiceError("The period must start before it ends.", field="period_from")
    if data.period_to - data.period_from > _LONGEST_PERIOD:
        raise ServiceError("A report covers at most one year.", field="period_from")
    if len(data.statement) > STATEMENT_MAX:
        raise ServiceError(f"Keep it to {STATEMENT_MAX} characters.", field="statement")
    if not data.read_with_client:
        raise ServiceError("Go through the report with the client before it is handed over.", field="read_with_client")
    return consent


def court_report_prepare(*, actor: User, episode: Episode, data: CourtReportInput) -> CourtReport:
    """Write the report from the episode (the kind of care, since when, sessions in the period), log it in the
    accounting of disclosures, and keep it as handed over. Owner-only on the client's timeline."""
    if not user_has_permission_in(actor, Permission.CARE_RECORD, episode.organisation):
        raise NotPermitted("Your role in this organisation does not include progress reports.")
    consent = _check(data, episode)
    sessions = Session.objects.filter(
        episode=episode, occurred_at__date__gte=data.period_from, occurred_at__date__lte=data.period_to
    ).count()
    finished_on = timezone.localdate(episode.finished_at) if episode.finished_at else None
    with transaction.atomic():
        report = CourtReport.objects.create(
            episode=episode,
            client=episode.client,
            organisation=episode.organisation,
            consent=consent,
            court=consent.external_recipient,
            period_from=data.period_from,
            period_to=data.period_to,
            care_kind=episode.get_modality_display(),
            in_care_since=timezone.localdate(episode.admitted_at) if episode.admitted_at else None,
            participation=participation(episode.status, finished_on, episode.discharge_reason),
            sessions_in_period=sessions,
            statement=data.statement.strip(),
            read_with_client=True,
            prepared_by=actor,
        )
        disclosure_log_court_report(actor=actor, consent=consent, categories=REPORT_CATEGORIES)
        timeline_add(
            client=episode.client,
            organisation_id=episode.organisation_id,
            kind="care.court_report",  # owner only: cbtc.clients.selectors.OWNER_ONLY_EVENT_KINDS
            category=InformationCategory.EPISODES,
            summary=f"Progress report for {consent.external_recipient}",
            actor=actor,
            object_type="court_report",
            object_id=report.pk,
        )
        audit_record(
            actor=actor,
            action="care.court_report",
            object_type="court_report",
            object_id=report.pk,
            organisation_id=episode.organisation_id,
            details={"client": str(episode.client_id), "consent": str(consent.pk)},
        )
    return report
