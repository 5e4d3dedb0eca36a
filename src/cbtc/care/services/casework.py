"""Case management writes: putting an episode on a worker's caseload, and recording a recovery check-in after
an episode ended. A check-in that finds the client wanting care again offers it (a new episode or a referral);
it never reopens anything by itself."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models import CheckInMethod, CheckInOutcome, Episode, EpisodeStatus, RecoveryCheckIn
from cbtc.clients.models import InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Membership, User
from cbtc.network.roles import Permission


def _require(actor: User, episode: Episode) -> None:
    if not user_has_permission_in(actor, Permission.CARE_RECORD, episode.organisation):
        raise NotPermitted("Only the service holding this episode can do this.")


def episode_assign(*, actor: User, episode: Episode, worker: User | None) -> Episode:
    """Put the episode on a worker's caseload (or take it off with None)."""
    _require(actor, episode)
    if worker is not None and not (
        worker.is_active
        and Membership.objects.filter(user=worker, organisation_id=episode.organisation_id).exists()
        and user_has_permission_in(worker, Permission.CARE_RECORD, episode.organisation)
    ):
        raise ServiceError("Choose a colleague at your organisation who records care.", field="key_worker")
    with transaction.atomic():
        Episode.objects.filter(pk=episode.pk).update(key_worker=worker)
        audit_record(
            actor=actor,
            action="care.episode_assigned",
            object_type="episode",
            object_id=episode.pk,
            organisation_id=episode.organisation_id,
            details={"client": str(episode.client_id), "worker": str(worker.pk) if worker else None},
        )
    episode.key_worker = worker
    return episode


def recovery_check_in_record(*, actor: User, episode: Episode, method: str, outcome: str) -> RecoveryCheckIn:
    _require(actor, episode)
    episode = Episode.objects.select_related("client").get(pk=episode.pk)
    if episode.status != EpisodeStatus.FINISHED:
        raise ServiceError("Check-ins follow an episode that has ended.", field="episode")
    if method not in CheckInMethod.values:
        raise ServiceError("Say how you were in touch.", field="method")
    if outcome not in CheckInOutcome.values:
        raise ServiceError("Say how the client is, from the list.", field="outcome")
    with transaction.atomic():
        check_in = RecoveryCheckIn.objects.create(
            client=episode.client,
            organisation=episode.organisation,
            episode=episode,
            method=method,
            outcome=outcome,
            staff=actor,
            occurred_at=timezone.now(),
        )
        timeline_add(
            client=episode.client,
            organisation_id=episode.organisation_id,
            kind="care.check_in",
            category=InformationCategory.EPISODES,
            summary=(
                f"Recovery check-in ({CheckInMethod(method).label.lower()}): {CheckInOutcome(outcome).label.lower()}"
            ),
            actor=actor,
            object_type="check_in",
            object_id=check_in.pk,
        )
        audit_record(
            actor=actor,
            action="care.check_in",
            object_type="check_in",
            object_id=check_in.pk,
            organisation_id=episode.organisation_id,
            details={"client": str(episode.client_id), "outcome": outcome},
        )
    return check_in
