"""Recording an outcome profile, and the change from the client's first profile. Every item may be left
unanswered (None), which is never taken as 0."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models import Episode, EpisodeStatus, OutcomeProfile, Stage, SubstanceDays, UseSubstance
from cbtc.care.models.outcomes import DAY_ITEMS, DAYS, RATING_ITEMS, SCALE, YES_NO_ITEMS
from cbtc.clients.models import InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import User
from cbtc.network.roles import Permission

Answer = int | bool | None


def _check_answers(use: Mapping[str, int], answers: Mapping[str, Answer]) -> None:
    for substance, days in use.items():
        if substance not in UseSubstance.values:
            raise ServiceError("Choose the substance from the list.", field=f"use.{substance}")
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= DAYS:
            raise ServiceError(f"Give the days, from 0 to {DAYS}.", field=f"use.{substance}")
    for item, value in answers.items():
        if item not in (*DAY_ITEMS, *RATING_ITEMS, *YES_NO_ITEMS):
            raise ServiceError("This is not an item of the outcome profile.", field=item)
        if value is None:
            continue  # not answered
        if item in YES_NO_ITEMS:
            if not isinstance(value, bool):
                raise ServiceError("Answer yes or no, or leave it unanswered.", field=item)
            continue
        top = DAYS if item in DAY_ITEMS else SCALE
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise ServiceError(f"Give a number from 0 to {top}, or leave it unanswered.", field=item)
    if answers.get("injecting_days") == 0 and answers.get("shared_injecting_equipment") is True:
        raise ServiceError(
            "No injecting days, so no sharing: check these two answers.", field="shared_injecting_equipment"
        )


def outcome_profile_record(
    *,
    actor: User,
    episode: Episode,
    stage: str,
    use: Mapping[str, int],
    answers: Mapping[str, Answer],
    interviewed_on: date | None = None,
) -> OutcomeProfile:
    if not user_has_permission_in(actor, Permission.CARE_RECORD, episode.organisation):
        raise NotPermitted("Only the service holding this episode can record its outcome profiles.")
    episode = Episode.objects.select_related("client").get(pk=episode.pk)
    if stage not in Stage.values:
        raise ServiceError("Say whether this is the start, a review or the exit.", field="stage")
    if stage != Stage.EXIT and episode.status == EpisodeStatus.FINISHED:
        raise ServiceError("This episode has ended: only an exit profile can be recorded.", field="stage")
    if stage in (Stage.START, Stage.EXIT) and OutcomeProfile.objects.filter(episode=episode, stage=stage).exists():
        raise ServiceError(f"This episode already has its {stage} profile.", field="stage")
    today = timezone.localdate()
    day = interviewed_on or today
    if not timezone.localdate(episode.opened_at) - timedelta(days=30) <= day <= today:
        raise ServiceError(
            "Give the day of the interview, during the episode and not in the future.", field="interviewed_on"
        )
    _check_answers(use, answers)
    with transaction.atomic():
        profile = OutcomeProfile.objects.create(
            episode=episode,
            client=episode.client,
            organisation=episode.organisation,
            stage=stage,
            interviewed_on=day,
            recorded_by=actor,
            **answers,
        )
        SubstanceDays.objects.bulk_create(SubstanceDays(profile=profile, substance=s, days=d) for s, d in use.items())
        timeline_add(
            client=episode.client,
            organisation_id=episode.organisation_id,
            kind="care.outcome_profile",
            category=InformationCategory.OUTCOMES,
            summary=f"Outcome profile ({Stage(stage).label.lower()})",
            actor=actor,
            object_type="outcome_profile",
            object_id=profile.pk,
        )
        audit_record(
            actor=actor,
            action="care.outcome_profile",
            object_type="outcome_profile",
            object_id=profile.pk,
            organisation_id=episode.organisation_id,
            details={"client": str(episode.client_id), "stage": stage},
        )
    return profile


@dataclass(frozen=True)
class Change:
    item: str  # "use.opioids", "quality_of_life", ...
    baseline: Answer
    latest: Answer
    change: int | None  # latest - baseline for numbers; None when either is unanswered or it is yes / no


def change_from_baseline(baseline: OutcomeProfile, latest: OutcomeProfile) -> list[Change]:
    """Item by item, the first profile against a later one. Unanswered stays unanswered: never read as 0."""
    first_use = {row.substance: row.days for row in baseline.use.all()}
    last_use = {row.substance: row.days for row in latest.use.all()}
    rows = [
        Change(f"use.{s}", first_use.get(s), last_use.get(s), _minus(last_use.get(s), first_use.get(s)))
        for s in UseSubstance.values
        if s in first_use or s in last_use
    ]
    for item in (*DAY_ITEMS, *RATING_ITEMS):
        before, after = getattr(baseline, item), getattr(latest, item)
        rows.append(Change(item, before, after, _minus(after, before)))
    rows += [Change(item, getattr(baseline, item), getattr(latest, item), None) for item in YES_NO_ITEMS]
    return rows


def _minus(after: int | None, before: int | None) -> int | None:
    return None if after is None or before is None else after - before
