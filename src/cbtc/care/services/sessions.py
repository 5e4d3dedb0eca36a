"""Recording a session of an open (or on hold) episode: by staff who record care at the organisation holding it,
with the timeline entry (kind and length only, never the note) and an audit event."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models import Episode, EpisodeStatus
from cbtc.care.models.sessions import MAX_MINUTES, NOTE_MAX, Session, SessionKind
from cbtc.clients.models import InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import User
from cbtc.network.roles import Permission

CLOCK_TOLERANCE = timedelta(minutes=5)
LATE_ENTRY = timedelta(days=30)


def session_record(
    *, actor: User, episode: Episode, kind: str, minutes: int, note: str = "", occurred_at: datetime | None = None
) -> Session:
    if not user_has_permission_in(actor, Permission.CARE_RECORD, episode.organisation):
        raise NotPermitted("Only the service holding this episode can record its sessions.")
    episode = Episode.objects.select_related("client").get(pk=episode.pk)
    if episode.status not in (EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD):
        raise ServiceError("Sessions are recorded on an active episode (or one on hold).", field="episode")
    if kind not in SessionKind.values:
        raise ServiceError("Choose the kind of session from the list.", field="kind")
    if not 1 <= minutes <= MAX_MINUTES:
        raise ServiceError(f"Give the minutes, from 1 to {MAX_MINUTES}.", field="minutes")
    text = note.strip()
    if len(text) > NOTE_MAX or "\x00" in text:
        raise ServiceError(f"Keep the note to {NOTE_MAX} characters of text.", field="note")
    now = timezone.now()
    moment = occurred_at or now
    if timezone.is_naive(moment) or not now - LATE_ENTRY <= moment <= now + CLOCK_TOLERANCE:
        raise ServiceError("Give when it happened, within the past 30 days.", field="occurred_at")
    with transaction.atomic():
        session = Session.objects.create(
            episode=episode,
            client=episode.client,
            organisation=episode.organisation,
            kind=kind,
            occurred_at=moment,
            minutes=minutes,
            staff=actor,
            note=text,
        )
        timeline_add(
            client=episode.client,
            organisation_id=episode.organisation_id,
            kind="care.session",
            category=InformationCategory.EPISODES,
            summary=f"{SessionKind(kind).label}, {minutes} min",
            actor=actor,
            object_type="session",
            object_id=session.pk,
            occurred_at=moment,
        )
        audit_record(
            actor=actor,
            action="care.session",
            object_type="session",
            object_id=session.pk,
            organisation_id=episode.organisation_id,
            details={"client": str(episode.client_id), "kind": kind, "note": bool(text)},
        )
    return session
