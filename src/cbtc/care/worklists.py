"""Case management worklists (issue 6, deliverable 9): each a query of one organisation's episodes, oldest need
first, for callers to paginate. Staff with CARE_RECORD at the organisation see them.

- caseload: a worker's open episodes (active or on hold).
- reviews_due: open episodes whose review reminder has come.
- outcomes_due: open episodes with no outcome profile in the last OUTCOME_REVIEW_DAYS.
- actions_overdue: care plan actions past their date and not done, on open episodes.
- no_contact: open episodes where the organisation has recorded nothing about the client for NO_CONTACT_DAYS.
- check_ins_due: episodes ended in the last CHECK_IN_WINDOW_DAYS in a way that carries risk (leaving opioid
  agonist treatment or residential care, or leaving early), with no recovery check-in since.
- back_into_care: early re-intervention. Ended episodes whose latest recovery check-in (in the last
  CHECK_IN_WINDOW_DAYS) found the client struggling or wanting care again, and where nothing has followed yet:
  no new episode here and no referral since that check-in.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from cbtc.care.models import (
    Action,
    CheckInOutcome,
    DischargeReason,
    Episode,
    EpisodeStatus,
    Modality,
    RecoveryCheckIn,
)
from cbtc.clients.models import ClientEvent
from cbtc.errors import NotFound
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.roles import Permission
from cbtc.referrals.models import Referral, ReferralReason

OPEN = (EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD)
RISKY_MODALITIES = (
    Modality.OPIOID_AGONIST_TREATMENT,
    Modality.WITHDRAWAL_INPATIENT,
    Modality.SHORT_TERM_RESIDENTIAL,
    Modality.LONG_TERM_RESIDENTIAL,
)
RISKY_ENDINGS = (
    DischargeReason.CLIENT_CHOSE_TO_LEAVE,
    DischargeReason.LOST_TO_FOLLOW_UP,
    DischargeReason.INVOLUNTARY_FOR_SAFETY,
    DischargeReason.IN_PRISON,
)
KINDS = ("reviews_due", "outcomes_due", "actions_overdue", "no_contact", "check_ins_due", "back_into_care")
NEEDS_CARE_AGAIN = (CheckInOutcome.STRUGGLING, CheckInOutcome.WANTS_CARE_AGAIN)


def _episodes(actor: Any, organisation_id: Any) -> QuerySet[Episode]:
    if str(organisation_id) not in user_organisation_ids_with(actor, Permission.CARE_RECORD):
        raise NotFound  # another organisation's worklists are as good as unknown
    return Episode.objects.filter(organisation_id=organisation_id).select_related("client", "service", "key_worker")


def caseload(*, actor: Any, organisation_id: Any, worker_id: Any) -> QuerySet[Episode]:
    return (
        _episodes(actor, organisation_id).filter(key_worker_id=worker_id, status__in=OPEN).order_by("opened_at", "pk")
    )


def worklist(*, actor: Any, organisation_id: Any, kind: str, today: date | None = None) -> QuerySet[Episode]:
    today = today or timezone.localdate()
    episodes = _episodes(actor, organisation_id)
    if kind == "reviews_due":
        return episodes.filter(status__in=OPEN, next_review_on__lte=today).order_by("next_review_on", "pk")
    if kind == "outcomes_due":
        cutoff = today - timedelta(days=settings.OUTCOME_REVIEW_DAYS)
        return (
            episodes.filter(status__in=OPEN)
            .annotate(last_profile=Max("outcome_profiles__interviewed_on"))
            .filter(Q(last_profile__isnull=True) | Q(last_profile__lte=cutoff))
            .order_by("last_profile", "opened_at", "pk")
        )
    if kind == "actions_overdue":
        overdue = Action.objects.filter(goal__plan__episode=OuterRef("pk"), done_at__isnull=True, due_on__lt=today)
        return episodes.filter(status__in=OPEN).filter(Exists(overdue)).order_by("opened_at", "pk")
    if kind == "no_contact":  # an indexed existence check per episode (client_event_timeline), no scan of history
        cutoff_at = timezone.now() - timedelta(days=settings.NO_CONTACT_DAYS)
        recent = ClientEvent.objects.filter(
            client_id=OuterRef("client_id"), organisation_id=OuterRef("organisation_id"), occurred_at__gte=cutoff_at
        )
        return episodes.filter(status__in=OPEN).filter(~Exists(recent)).order_by("opened_at", "pk")
    if kind == "check_ins_due":
        since = timezone.now() - timedelta(days=settings.CHECK_IN_WINDOW_DAYS)
        recent_check_in = RecoveryCheckIn.objects.filter(episode=OuterRef("pk"), occurred_at__gte=since)
        return (
            episodes.filter(status=EpisodeStatus.FINISHED, finished_at__gte=since)
            .exclude(discharge_reason=DischargeReason.DIED)
            .filter(Q(modality__in=RISKY_MODALITIES) | Q(discharge_reason__in=RISKY_ENDINGS))
            .filter(~Exists(recent_check_in))
            .order_by("finished_at", "pk")
        )
    if kind == "back_into_care":
        return _back_into_care(episodes)
    raise NotFound


def needs_care_again(episode: Episode) -> bool:
    """Whether this ended episode is on the back_into_care list: the prompt to offer care on its page."""
    return episode.status == EpisodeStatus.FINISHED and _back_into_care(Episode.objects.filter(pk=episode.pk)).exists()


def _back_into_care(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    since = timezone.now() - timedelta(days=settings.CHECK_IN_WINDOW_DAYS)
    latest = RecoveryCheckIn.objects.filter(episode=OuterRef("pk")).order_by("-occurred_at", "-pk")
    worrying = RecoveryCheckIn.objects.filter(
        episode=OuterRef("pk"), occurred_at__gte=since, outcome__in=NEEDS_CARE_AGAIN
    )
    came_back = Episode.objects.filter(
        client_id=OuterRef("client_id"), organisation_id=OuterRef("organisation_id"), opened_at__gt=OuterRef("since")
    )
    referred = Referral.objects.filter(  # to care: a legal-aid referral is help of another kind
        client_id=OuterRef("client_id"),
        sending_organisation_id=OuterRef("organisation_id"),
        created_at__gt=OuterRef("since"),
    ).exclude(reason=ReferralReason.LEGAL_AID)
    return (
        episodes.filter(status=EpisodeStatus.FINISHED)
        .filter(Exists(worrying))  # prunes to the few with a worrying check-in before the latest is looked up
        .annotate(last_outcome=Subquery(latest.values("outcome")[:1]), since=Subquery(latest.values("occurred_at")[:1]))
        .filter(last_outcome__in=NEEDS_CARE_AGAIN)
        .filter(~Exists(came_back), ~Exists(referred))
        .order_by("since", "pk")
    )
