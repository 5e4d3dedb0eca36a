"""Recording an incident, with crisis support and an optional legal-aid referral (through referral_create, the
one way to refer), and counting incidents for figures outside the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, DateField
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models.incidents import Incident, IncidentKind
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission, user_has_permission_in
from cbtc.network.models import Organisation, Service, User
from cbtc.network.roles import Permission
from cbtc.referrals.models import ReferralReason, Urgency
from cbtc.referrals.services import ReferralInput, referral_create

SMALL_COUNT = 5  # counts below this are shown as "fewer than 5", so a count can never point at one person


def incident_record(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    occurred_on: date,
    client: Client | None = None,
    crisis_response: bool = False,
    legal_aid: tuple[Service, Service] | None = None,  # (your service that refers, the legal-aid service)
) -> Incident:
    if not user_has_permission_in(actor, Permission.CARE_RECORD, organisation):
        raise NotPermitted("Your role in this organisation does not include recording incidents.")
    if kind not in IncidentKind.values:
        raise ServiceError("Choose what happened from the list.", field="kind")
    today = timezone.localdate()
    if not today - timedelta(days=365) <= occurred_on <= today:
        raise ServiceError("Give the day it happened, within the past year.", field="occurred_on")
    if client is not None and (client.organisation_id != organisation.pk or client.merged_into_id is not None):
        raise ServiceError("Choose a client of your organisation.", field="client")
    if legal_aid is not None and client is None:
        raise ServiceError("A legal-aid referral is made for a registered client.", field="legal_aid")
    with transaction.atomic():
        referral = None
        if legal_aid is not None and client is not None:
            referral = referral_create(
                actor=actor,
                client=client,
                data=ReferralInput(
                    sending_service=legal_aid[0],
                    receiving_service=legal_aid[1],
                    reason=ReferralReason.LEGAL_AID,
                    urgency=Urgency.SOON,
                    source_type="care.incident",
                ),
            )
        incident = Incident.objects.create(
            organisation=organisation,
            client=client,
            kind=kind,
            occurred_on=occurred_on,
            crisis_response=crisis_response,
            legal_aid_referral=referral,
            recorded_by=actor,
        )
        if client is not None:
            # Owner only: cbtc.clients.selectors.OWNER_ONLY_EVENT_KINDS keeps it off every shared timeline.
            timeline_add(
                client=client,
                organisation_id=organisation.pk,
                kind="care.incident",
                category=InformationCategory.EPISODES,
                summary=f"Incident: {IncidentKind(kind).label.lower()}",
                actor=actor,
                object_type="incident",
                object_id=incident.pk,
            )
        audit_record(
            actor=actor,
            action="care.incident",
            object_type="incident",
            object_id=incident.pk,
            organisation_id=organisation.pk,
            details={"kind": kind, "legal_aid": referral is not None},
        )
    return incident


def incident_counts(*, since: date, until: date) -> list[dict[str, Any]]:
    """De-identified counts by month and kind across the network (for national figures): no organisation, no
    client, and small counts shown as "<5"."""
    rows = (
        Incident.objects.filter(occurred_on__gte=since, occurred_on__lt=until)
        .annotate(month=TruncMonth("occurred_on", output_field=DateField()))
        .values("month", "kind")
        .annotate(count=Count("pk"))
        .order_by("month", "kind")
    )
    return [
        {"month": row["month"], "kind": row["kind"], "count": row["count"] if row["count"] >= SMALL_COUNT else "<5"}
        for row in rows
    ]


FIGURE_MONTHS = (3, 6, 12, 24)


@dataclass(frozen=True)
class IncidentFigures:
    """Incidents across the network, a row per kind and a column per month: counts below SMALL_COUNT shown as
    "<5". No totals: a total beside a hidden count would give the hidden count away."""

    months: list[date]
    rows: list[tuple[str, list[int | str]]]  # (kind label, count or "<5" per month)


def _month_start(day: date, back: int) -> date:
    month_index = day.year * 12 + day.month - 1 - back
    return date(month_index // 12, month_index % 12 + 1, 1)


def incident_figures(*, actor: User, months: int = 12) -> IncidentFigures:
    """The last ``months`` calendar months (this one included) for those who see network figures; audited."""
    if not user_has_permission(actor, Permission.AGGREGATES_VIEW):
        raise NotPermitted("Your role does not include network figures.")
    if months not in FIGURE_MONTHS:
        raise ServiceError("Choose 3, 6, 12 or 24 months.", field="months")
    today = timezone.localdate()
    columns = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    counts = incident_counts(since=columns[0], until=today + timedelta(days=1))
    cell = {(row["month"], row["kind"]): row["count"] for row in counts}
    rows = [(label, [cell.get((month, kind), 0) for month in columns]) for kind, label in IncidentKind.choices]
    audit_record(actor=actor, action="figures.incidents_view", details={"months": months})
    return IncidentFigures(months=columns, rows=rows)
