"""Reads of the care pathway. Outreach contacts are seen by the organisation that recorded them; a named one also
appears on its client's timeline, under the consent rules of the client registry. Episodes are read through a
client record already obtained from cbtc.clients.selectors (which decided access and logged any disclosure).
Lists are paginated or bounded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cbtc.care.models import (
    Episode,
    Incident,
    OutreachContact,
    OverdoseEvent,
    Pregnancy,
    ReleasePlan,
    SupplyGiven,
    TallyCount,
)
from cbtc.care.models.sessions import Session
from cbtc.care.worklists import worklist
from cbtc.clients.models import InformationCategory
from cbtc.clients.selectors import ClientRecord
from cbtc.errors import NotPermitted
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.roles import Permission

RECORD_LIST_LIMIT = 20
# A pregnancy whose expected date passed more than six weeks ago (the weeks after birth) is no longer shown as
# current; nothing ends it in the record (models/populations.py has no rule that reads it).
PREGNANCY_SHOWN_AFTER_DUE = timedelta(days=42)


def contact_organisations(actor: Any) -> frozenset[str]:
    return user_organisation_ids_with(actor, Permission.CARE_RECORD)


def outreach_contacts(*, actor: Any, organisation_id: str | None = None) -> QuerySet[OutreachContact]:
    """The contacts recorded by the actor's organisations (or one of them), newest first; callers paginate.
    Supplies, tallies and overdoses come in three more queries for a whole page."""
    organisations = contact_organisations(actor)
    if not organisations:
        raise NotPermitted("Your role does not include outreach contacts.")
    if organisation_id is not None:
        organisations = organisations & {str(organisation_id)}
    return (
        OutreachContact.objects.filter(organisation_id__in=list(organisations))
        .select_related("client", "service", "area", "accompanied_to", "recorded_by")
        .prefetch_related(
            Prefetch("supplies", queryset=SupplyGiven.objects.order_by("item")),
            Prefetch("tally", queryset=TallyCount.objects.order_by("dimension", "value")),
            Prefetch("overdoses", queryset=OverdoseEvent.objects.order_by("pk")),
        )
        .order_by("-contact_at", "-pk")
    )


def episodes_of_record(*, record: ClientRecord, limit: int = 50) -> list[Episode]:
    """A client's episodes, newest first: all of them for the owning organisation, and for a recipient only
    under a consent covering treatment episodes."""
    if not record.sees(InformationCategory.EPISODES):
        return []
    return list(
        Episode.objects.filter(client_id__in=record.group_ids)
        .select_related("organisation", "service", "contingency_referral")
        .order_by("-opened_at")[:limit]
    )


def episode_for_record(*, record: ClientRecord, episode_id: Any) -> Episode | None:
    if not record.sees(InformationCategory.EPISODES):
        return None
    return (
        Episode.objects.filter(client_id__in=record.group_ids, pk=episode_id)
        .select_related("organisation", "service", "client")
        .first()
    )


def reviews_due(*, actor: Any, organisation_id: str, until: date) -> QuerySet[Episode]:
    """Open episodes of the organisation whose review reminder falls due by ``until`` (a worklist; paginate)."""
    return worklist(actor=actor, organisation_id=organisation_id, kind="reviews_due", today=until)


@dataclass(frozen=True)
class SessionView:
    """A session as one viewer may see it: the note only for a clinical role (see models/sessions.py)."""

    session: Session
    note: str | None  # None: not readable by this viewer (the session itself is shown)


def may_read_notes(actor: Any, record: ClientRecord) -> bool:
    """Clinical roles of the owning organisation; beyond it, clinical roles of a recipient under a consent
    covering treatment episodes (the record already carries that decision)."""
    if not record.sees(InformationCategory.EPISODES):
        return False
    clinical = user_organisation_ids_with(actor, Permission.CLINICAL_NOTES_READ)
    if record.access.owner:
        return str(record.client.organisation_id) in clinical
    return record.access.recipient_organisation_id in clinical


def sessions_of_record(
    *, actor: Any, record: ClientRecord, episode: Episode | None = None, limit: int = 50
) -> list[SessionView]:
    """The record's sessions (or one episode's), newest first, each with its note only for a clinical reader."""
    if not record.sees(InformationCategory.EPISODES):
        return []
    notes = may_read_notes(actor, record)
    sessions = Session.objects.filter(client_id__in=record.group_ids)
    if episode is not None:
        sessions = sessions.filter(episode=episode)
    sessions = sessions.select_related("staff").order_by("-occurred_at", "-pk")[:limit]
    return [SessionView(session, session.note if notes else None) for session in sessions]


# -- special populations and incidents (the client's page) ----------------------------------------------------


def incidents_of_record(*, record: ClientRecord, limit: int = RECORD_LIST_LIMIT) -> list[Incident]:
    """The client's incidents, newest first, for the organisation that recorded them only: another organisation
    never sees them, whatever its consent covers (cbtc.clients.selectors.OWNER_ONLY_EVENT_KINDS). One query."""
    if not record.access.owner:
        return []
    return list(
        Incident.objects.filter(client_id__in=record.group_ids, organisation_id=record.client.organisation_id)
        .select_related("legal_aid_referral__receiving_service")
        .order_by("-occurred_on", "-recorded_at")[:limit]
    )


def current_pregnancy(*, record: ClientRecord) -> Pregnancy | None:
    """The latest pregnancy recorded that has not ended, for whoever may see the client's episodes. One query."""
    if not record.sees(InformationCategory.EPISODES):
        return None
    return (
        Pregnancy.objects.filter(
            client_id__in=record.group_ids,
            ended_on__isnull=True,
            expected_on__gte=timezone.localdate() - PREGNANCY_SHOWN_AFTER_DUE,
        )
        .order_by("-recorded_at", "-pk")
        .first()
    )


def release_plans_of_record(*, record: ClientRecord, limit: int = RECORD_LIST_LIMIT) -> list[ReleasePlan]:
    """The client's release plans, latest release first, with their continuity referral; one query."""
    if not record.sees(InformationCategory.EPISODES):
        return []
    return list(
        ReleasePlan.objects.filter(client_id__in=record.group_ids)
        .select_related("continuity_referral__receiving_service__organisation")
        .order_by("-release_on", "-recorded_at")[:limit]
    )
