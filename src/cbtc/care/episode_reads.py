"""Reads for the episode pages: the episode's care plans, lapses/relapses/tests and status history, and the
bounded choices the forms offer (the organisation's services, services nearby, colleagues, substances). Each is
one query or a fixed few, whatever the history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from cbtc.care.models import (
    Action,
    CarePlan,
    CourtReport,
    Episode,
    EpisodeStatusChange,
    Goal,
    OutcomeProfile,
    RecoveryCheckIn,
    ReferralSource,
)
from cbtc.care.models.clinical import ClinicalEvent
from cbtc.care.young_people import is_youth_setting
from cbtc.clients.models import ClientEvent, InformationCategory, Substance
from cbtc.clients.selectors import ClientRecord
from cbtc.consent.models import Consent, ConsentKind
from cbtc.network.models import Membership, Organisation, Service, User
from cbtc.network.nearby import province_path

SERVICES_LIMIT = 100
NEARBY_SERVICES_LIMIT = 200
STAFF_LIMIT = 200
LIST_LIMIT = 50


def episode_plans(record: ClientRecord, episode: Episode) -> list[CarePlan] | None:
    """The episode's care plans with goals and actions (None: the viewer's access does not cover care plans).
    Four queries however many plans, goals and actions."""
    if not record.sees(InformationCategory.CARE_PLANS):
        return None
    actions = Action.objects.select_related("staff", "referral__receiving_service").order_by("pk")
    goals = Goal.objects.order_by("pk").prefetch_related(Prefetch("actions", queryset=actions))
    return list(
        CarePlan.objects.filter(episode=episode, client_id__in=record.group_ids)
        .select_related("created_by", "contingency_service")
        .prefetch_related(Prefetch("goals", queryset=goals))
        .order_by("-created_at")[:LIST_LIMIT]
    )


def episode_clinical_events(record: ClientRecord, episode: Episode) -> list[ClinicalEvent]:
    if not record.sees(InformationCategory.EPISODES):
        return []
    return list(
        ClinicalEvent.objects.filter(episode=episode, client_id__in=record.group_ids)
        .select_related("substance")
        .order_by("-occurred_at", "-pk")[:LIST_LIMIT]
    )


def episode_outcome_profiles(record: ClientRecord, episode: Episode) -> list[OutcomeProfile] | None:
    """The episode's outcome profiles, first to last, with their days of use (None: the viewer's access does not
    cover outcomes). Two queries however many profiles."""
    if not record.sees(InformationCategory.OUTCOMES):
        return None
    return list(
        OutcomeProfile.objects.filter(episode=episode, client_id__in=record.group_ids)
        .prefetch_related("use")
        .order_by("interviewed_on", "recorded_at", "pk")[:LIST_LIMIT]
    )


def episode_check_ins(record: ClientRecord, episode: Episode) -> list[RecoveryCheckIn]:
    """The recovery check-ins after the episode, newest first; one query."""
    if not record.sees(InformationCategory.EPISODES):
        return []
    return list(
        RecoveryCheckIn.objects.filter(episode=episode, client_id__in=record.group_ids)
        .select_related("staff")
        .order_by("-occurred_at", "-pk")[:LIST_LIMIT]
    )


def with_worklist_date(episodes: QuerySet[Episode], kind: str) -> QuerySet[Episode]:
    """A worklist (worklists.py) with the date that matters for it as ``since`` where neither the episode nor the
    worklist holds it (outcomes_due has ``last_profile``): the oldest open action of an overdue plan, the last
    thing recorded about the client. The same query, a column more."""
    if kind == "actions_overdue":  # the oldest open step: one indexed lookup per row, no grouping of all plans
        oldest = Action.objects.filter(
            goal__plan__episode=OuterRef("pk"), done_at__isnull=True, due_on__isnull=False
        ).order_by("due_on")
        return episodes.annotate(since=Subquery(oldest.values("due_on")[:1]))
    if kind == "no_contact":
        last = ClientEvent.objects.filter(
            client_id=OuterRef("client_id"), organisation_id=OuterRef("organisation_id")
        ).order_by("-occurred_at")
        return episodes.annotate(since=Subquery(last.values("occurred_at")[:1]))
    return episodes


def episode_court_reports(record: ClientRecord, episode: Episode) -> list[CourtReport] | None:
    """The episode's progress reports to a court, newest first. None when there is nothing to show: only the
    organisation holding the episode knows of them, and the panel shows only where the justice system is
    involved (a report exists, the client came through the police or a court, or consented to court reports)."""
    if not record.access.owner:
        return None
    reports = list(CourtReport.objects.filter(episode=episode).order_by("-prepared_at")[:LIST_LIMIT])
    involved = (
        reports
        or episode.referral_source in (ReferralSource.COURT_DIVERSION, ReferralSource.POLICE)
        or Consent.objects.filter(
            client_id__in=record.group_ids, organisation_id=episode.organisation_id, kind=ConsentKind.COURT_REPORT
        ).exists()
    )
    return reports if involved else None


def episode_history(episode: Episode) -> list[EpisodeStatusChange]:
    return list(
        EpisodeStatusChange.objects.filter(episode=episode)
        .select_related("changed_by")
        .order_by("changed_at", "pk")[:LIST_LIMIT]
    )


def own_services(organisation: Organisation) -> list[tuple[str, str]]:
    """The organisation's open services; a setting for young people says so (standard 5.2)."""
    services = Service.objects.filter(organisation=organisation, is_active=True).order_by("name", "pk")
    return [
        (str(s.pk), f"{s.name} (young people, up to {s.max_age})" if _youth(s) else s.name)
        for s in services.only("pk", "name", "min_age", "max_age")[:SERVICES_LIMIT]
    ]


def _youth(service: Service) -> bool:
    return is_youth_setting(min_age=service.min_age, max_age=service.max_age, minor_age=settings.MINOR_AGE)


def services_nearby(episode: Episode) -> list[tuple[str, str]]:
    """Where to refer on from an episode: services_in_reach of its organisation, less the episode's own service."""
    return services_in_reach(episode.organisation, leave_out=episode.service_id)


def services_in_reach(organisation: Organisation, *, leave_out: Any = None) -> list[tuple[str, str]]:
    """Open services in the organisation's province, and its own services; bounded. The choices of every form
    that refers or takes a client somewhere (contingency, care-plan step, legal aid, continuity, accompaniment)."""
    services = (
        Service.objects.filter(is_active=True, organisation__is_active=True)
        .filter(
            Q(site__admin_area__path__startswith=province_path(organisation.admin_area)) | Q(organisation=organisation)
        )
        .exclude(pk=leave_out)
        .select_related("organisation")
        .order_by("organisation__name", "name", "pk")[:NEARBY_SERVICES_LIMIT]
    )
    return [(str(s.pk), f"{s.name} ({s.organisation.name})") for s in services]


def colleagues(organisation_id: Any, *, leave_out: User | None = None) -> list[tuple[str, str]]:
    """Active staff of the organisation, by name (``leave_out``: the one who asks, for a review by a colleague)."""
    memberships = (
        Membership.objects.filter(organisation_id=organisation_id, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__username")[:STAFF_LIMIT]
    )
    people = {
        (str(m.user_id), m.user.get_full_name() or m.user.username)
        for m in memberships
        if leave_out is None or m.user_id != leave_out.pk
    }
    return sorted(people, key=lambda person: person[1].lower())


def substances() -> list[tuple[str, str]]:
    return [(s.code, s.label) for s in Substance.objects.order_by("sort_order", "label")[:100]]
