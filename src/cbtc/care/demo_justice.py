"""Demo: two clients in a (fictional) diversion programme, each with the consent to progress reports to a court
and one report; and incidents recorded by the outreach teams over six months (arrests, harassment, violence,
discrimination), so the network's incident figures have something to show. Made through the services like any
other record. Runs after the demo care history; safe to run again."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cbtc.care.models import (
    CourtReport,
    Episode,
    EpisodeStatus,
    Incident,
    IncidentKind,
    OutreachContact,
    ReferralSource,
)
from cbtc.care.services.incidents import incident_record
from cbtc.care.services.justice import CourtReportInput, court_report_prepare
from cbtc.consent.models import ConsentKind, ConsentMethod
from cbtc.consent.services import ConsentInput, consent_record
from cbtc.errors import ServiceError
from cbtc.network.models import Membership, User
from cbtc.network.roles import Role

DEMO_DIVERSION_CLIENTS = 2
REPORT_DAYS = 28
COURT = "Riverside District Court, diversion officer (fictional)"
STATEMENTS = (
    "I come every week. I want to keep my job at the market and see my daughter on Sundays.",
    "Going well. I have started the cooking course and I am looking for a room of my own.",
)


def load_demo_justice() -> int:
    """Give up to two adult clients with an active episode and sessions in the last four weeks a consent to court
    reports and one report. Returns how many reports were added (0 when the demo already has them)."""
    if settings.MODE not in ("demo", "test"):
        raise ServiceError(f"Demo data can only be loaded in demo or test mode (it is '{settings.MODE}').")
    if CourtReport.objects.exists():
        return 0
    since = timezone.now() - timedelta(days=REPORT_DAYS)
    candidates = (
        Episode.objects.filter(status=EpisodeStatus.ACTIVE, admitted_at__isnull=False, client__birth_year__lt=2000)
        .annotate(recent=Count("sessions", filter=Q(sessions__occurred_at__gte=since)))
        .filter(recent__gte=1)
        .select_related("client", "organisation", "service")
        .order_by("opened_at", "pk")[:20]
    )
    added = 0
    with transaction.atomic():
        for episode in candidates:
            manager = (
                Membership.objects.filter(
                    organisation=episode.organisation, role=Role.CASE_MANAGER, user__is_active=True
                )
                .select_related("user")
                .order_by("user__username")
                .first()
            )
            if manager is None:
                continue
            _report(episode, manager.user, STATEMENTS[added % len(STATEMENTS)])
            added += 1
            if added == DEMO_DIVERSION_CLIENTS:
                break
    return added


def _report(episode: Episode, actor: User, statement: str) -> None:
    Episode.objects.filter(pk=episode.pk).update(referral_source=ReferralSource.COURT_DIVERSION)
    consent = consent_record(
        actor=actor,
        client=episode.client,
        organisation=episode.organisation,
        data=ConsentInput(
            kind=ConsentKind.COURT_REPORT,
            method=ConsentMethod.WRITTEN,
            given_at=timezone.now() - timedelta(hours=2),
            witnessed_by=actor,
            external_recipient=COURT,
            expires_on=timezone.localdate() + timedelta(days=180),
        ),
    )
    today = timezone.localdate()
    court_report_prepare(
        actor=actor,
        episode=episode,
        data=CourtReportInput(
            consent_id=consent.pk,
            period_from=today - timedelta(days=REPORT_DAYS),
            period_to=today,
            statement=statement,
            read_with_client=True,
        ),
    )


DEMO_INCIDENTS = 40
ABOUT_A_REGISTERED_CLIENT = 0.5  # the share of incidents recorded about a client the team knows
WITH_CRISIS_SUPPORT = 0.6
INCIDENT_DAYS = 180
INCIDENT_WEIGHTS = {
    IncidentKind.POLICE_HARASSMENT: 40,
    IncidentKind.ARREST: 20,
    IncidentKind.VIOLENCE: 20,
    IncidentKind.DISCRIMINATION: 15,
    IncidentKind.RIGHTS_VIOLATION_IN_SERVICE: 5,
}


def load_demo_incidents() -> int:
    """Incidents over the past six months, recorded by the organisations that do outreach in the demo, about
    half of them about a client they met. Returns how many were added (0 when the demo already has some)."""
    if settings.MODE not in ("demo", "test"):
        raise ServiceError(f"Demo data can only be loaded in demo or test mode (it is '{settings.MODE}').")
    if Incident.objects.exists():
        return 0
    contacts = list(
        OutreachContact.objects.filter(client__isnull=False)
        .select_related("organisation", "recorded_by", "client")
        .order_by("contact_at", "pk")[:500]
    )
    if not contacts:
        return 0
    rng = random.Random("cbtc-demo-incidents")  # noqa: S311 - reproducible demo data, not security
    kinds, weights = list(INCIDENT_WEIGHTS), list(INCIDENT_WEIGHTS.values())
    today = timezone.localdate()
    with transaction.atomic():
        for _ in range(DEMO_INCIDENTS):
            contact = rng.choice(contacts)
            kind = rng.choices(kinds, weights=weights)[0]
            occurred_on = today - timedelta(days=rng.randint(0, INCIDENT_DAYS))
            about = contact.client if rng.random() < ABOUT_A_REGISTERED_CLIENT else None
            incident_record(
                actor=contact.recorded_by,
                organisation=contact.organisation,
                kind=kind,
                occurred_on=occurred_on,
                client=about if about is not None and about.merged_into_id is None else None,
                crisis_response=rng.random() < WITH_CRISIS_SUPPORT,
            )
    return DEMO_INCIDENTS
