"""Referral figures per service: how many referrals a service sent and received in a period, how many were
accepted, attended and completed, and the median days from sending to attendance. Counts only, nothing about
any client. One grouped query per direction, plus one bounded read of attendance times for the medians."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from cbtc.errors import NotFound
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.models import Service
from cbtc.network.roles import Permission
from cbtc.referrals.models import Referral, ReferralState

ACCEPTED_OR_LATER = (ReferralState.ACCEPTED, ReferralState.ATTENDED, ReferralState.COMPLETED, ReferralState.NO_SHOW)
ATTENDED_OR_LATER = (ReferralState.ATTENDED, ReferralState.COMPLETED)
SECONDS_PER_DAY = 86400
MEDIAN_SAMPLE = 20000  # the most recent attendances per direction that the medians are taken from
SERVICES_LIMIT = 200


@dataclass
class Figures:
    total: int = 0
    accepted: int = 0
    declined: int = 0
    attended: int = 0
    completed: int = 0
    median_days_to_attendance: float | None = None


@dataclass
class ServiceFigures:
    service: Service
    sent: Figures = field(default_factory=Figures)
    received: Figures = field(default_factory=Figures)


def _counts(referrals: Any, group_by: str) -> dict[Any, Figures]:
    rows = referrals.values(group_by).annotate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(state__in=ACCEPTED_OR_LATER)),
        declined=Count("pk", filter=Q(state=ReferralState.DECLINED)),
        attended=Count("pk", filter=Q(state__in=ATTENDED_OR_LATER)),
        completed=Count("pk", filter=Q(state=ReferralState.COMPLETED)),
    )
    return {
        row[group_by]: Figures(row["total"], row["accepted"], row["declined"], row["attended"], row["completed"])
        for row in rows
    }


def _median_days(referrals: Any, group_by: str) -> dict[Any, float]:
    """Median days from sending to attendance per service, over the most recent MEDIAN_SAMPLE attendances."""
    rows = (
        referrals.filter(attended_at__isnull=False, sent_at__isnull=False)
        .order_by("-attended_at")
        .values_list(group_by, "sent_at", "attended_at")[:MEDIAN_SAMPLE]
    )
    days: dict[Any, list[float]] = {}
    for service_id, sent, attended in rows:
        days.setdefault(service_id, []).append((attended - sent).total_seconds() / SECONDS_PER_DAY)
    return {service_id: round(statistics.median(values), 1) for service_id, values in days.items()}


def referral_metrics(*, actor: Any, organisation_id: Any, since: datetime, until: datetime) -> list[ServiceFigures]:
    """Figures for each service of the organisation, for referrals sent in [since, until)."""
    if str(organisation_id) not in user_organisation_ids_with(actor, Permission.CLIENT_VIEW):
        raise NotFound  # the figures of one's own organisations only; any other id is as good as unknown
    period = Referral.objects.filter(sent_at__gte=since, sent_at__lt=until)
    outgoing = period.filter(sending_organisation_id=organisation_id)
    incoming = period.filter(receiving_organisation_id=organisation_id)
    sent, received = _counts(outgoing, "sending_service_id"), _counts(incoming, "receiving_service_id")
    sent_median, received_median = (
        _median_days(outgoing, "sending_service_id"),
        _median_days(incoming, "receiving_service_id"),
    )
    figures = []
    for service in Service.objects.filter(organisation_id=organisation_id).order_by("name", "pk")[:SERVICES_LIMIT]:
        row = ServiceFigures(service, sent.get(service.pk, Figures()), received.get(service.pk, Figures()))
        row.sent.median_days_to_attendance = sent_median.get(service.pk)
        row.received.median_days_to_attendance = received_median.get(service.pk)
        figures.append(row)
    return figures
