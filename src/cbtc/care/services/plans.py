"""Care plans: made with the client for an open episode, reviewed on a date, with actions done by the client, by
staff or by another service through a referral (referral_create, the one way in), and a contingency referral when
the plan does not work out. Everything checked before anything is written; one transaction with timeline and audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models import Action, CarePlan, Domain, Episode, EpisodeStatus, Goal, GoalKind, Responsible
from cbtc.care.models.plans import GOAL_TEXT_MAX
from cbtc.clients.models import InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Membership, Service, User
from cbtc.network.roles import Permission
from cbtc.referrals.models import Referral, ReferralReason, Urgency
from cbtc.referrals.services import ReferralInput, referral_create

MAX_GOALS = 20
MAX_ACTIONS = 10
REASON_FOR_DOMAIN = {
    Domain.SUBSTANCE_USE: ReferralReason.PSYCHOSOCIAL,
    Domain.PHYSICAL_HEALTH: ReferralReason.PRIMARY_HEALTH,
    Domain.MENTAL_HEALTH: ReferralReason.MENTAL_HEALTH,
    Domain.HIV_HEPATITIS_TB: ReferralReason.HIV_HEPATITIS_TB,
    Domain.HOUSING: ReferralReason.HOUSING,
    Domain.EMPLOYMENT_EDUCATION: ReferralReason.EMPLOYMENT_EDUCATION,
    Domain.LEGAL: ReferralReason.LEGAL_AID,
    Domain.FAMILY_SOCIAL: ReferralReason.FAMILY,
    Domain.HARM_REDUCTION: ReferralReason.HARM_REDUCTION,
}


@dataclass(frozen=True)
class ActionInput:
    text: str
    responsible: str
    staff: User | None = None
    refer_to: Service | None = None  # with responsible=other_service: a referral is made to this service
    due_on: date | None = None


@dataclass(frozen=True)
class GoalInput:
    domain: str
    text: str
    kind: str = GoalKind.OTHER
    actions: Sequence[ActionInput] = field(default_factory=tuple)


def _text(value: str, field_name: str) -> str:
    text = value.strip()
    if not text or len(text) > GOAL_TEXT_MAX or any(not ch.isprintable() for ch in text):
        raise ServiceError(f"Write this in a few words (up to {GOAL_TEXT_MAX} characters).", field=field_name)
    return text


def _check_action(episode: Episode, action: ActionInput, name: str) -> None:
    _text(action.text, f"{name}.text")
    if action.responsible not in Responsible.values:
        raise ServiceError(
            "Say who does it: the client, a member of staff or another service.", field=f"{name}.responsible"
        )
    if (action.responsible == Responsible.STAFF) != (action.staff is not None):
        raise ServiceError("Name the member of staff (only) when staff do it.", field=f"{name}.staff")
    if (
        action.staff is not None
        and not Membership.objects.filter(
            user=action.staff, user__is_active=True, organisation_id=episode.organisation_id
        ).exists()
    ):
        raise ServiceError("Choose a member of staff of your organisation.", field=f"{name}.staff")
    if (action.responsible == Responsible.OTHER_SERVICE) != (action.refer_to is not None):
        raise ServiceError(
            "Choose the service to refer to (only) when another service does it.", field=f"{name}.refer_to"
        )
    if action.due_on is not None and action.due_on < timezone.localdate():
        raise ServiceError("The date cannot be in the past.", field=f"{name}.due_on")


def _check(actor: User, episode: Episode, goals: Sequence[GoalInput]) -> None:
    if not user_has_permission_in(actor, Permission.CARE_RECORD, episode.organisation):
        raise NotPermitted("Only the service holding this episode can make its care plan.")
    if episode.status == EpisodeStatus.FINISHED:
        raise ServiceError("This episode has ended: open a new one for a new plan.", field="episode")
    if not 1 <= len(goals) <= MAX_GOALS:
        raise ServiceError(f"A plan has from 1 to {MAX_GOALS} goals.", field="goals")
    for index, goal in enumerate(goals):
        name = f"goals.{index}"
        if goal.domain not in Domain.values:
            raise ServiceError("Choose the part of life this goal is about.", field=f"{name}.domain")
        if goal.kind not in GoalKind.values or (goal.domain != Domain.SUBSTANCE_USE and goal.kind != GoalKind.OTHER):
            raise ServiceError("Stop, use less or use more safely are substance use goals.", field=f"{name}.kind")
        _text(goal.text, f"{name}.text")
        if len(goal.actions) > MAX_ACTIONS:
            raise ServiceError(f"At most {MAX_ACTIONS} actions per goal.", field=f"{name}.actions")
        for number, action in enumerate(goal.actions):
            _check_action(episode, action, f"{name}.actions.{number}")


def care_plan_create(
    *,
    actor: User,
    episode: Episode,
    goals: Sequence[GoalInput],
    next_review_on: date | None = None,
    contingency_service: Service | None = None,
    contingency_note: str = "",
) -> CarePlan:
    # The episode as it is now, not as the caller last read it (it may have ended since).
    episode = Episode.objects.select_related("client", "organisation", "service").get(pk=episode.pk)
    _check(actor, episode, goals)
    today = timezone.localdate()
    review = next_review_on or today + timedelta(days=settings.EPISODE_REVIEW_DAYS)
    if not today < review <= today + timedelta(days=730):
        raise ServiceError("Give a review date within the next two years.", field="next_review_on")
    if contingency_note and len(contingency_note) > GOAL_TEXT_MAX:
        raise ServiceError(f"Keep this to {GOAL_TEXT_MAX} characters.", field="contingency_note")
    if contingency_service is not None and not contingency_service.is_active:
        raise ServiceError("Choose a service that is open.", field="contingency_service")
    with transaction.atomic():
        plan = CarePlan.objects.create(
            episode=episode,
            client=episode.client,
            organisation=episode.organisation,
            created_by=actor,
            next_review_on=review,
            contingency_service=contingency_service,
            contingency_note=contingency_note.strip(),
        )
        for goal_input in goals:
            goal = Goal.objects.create(
                plan=plan, domain=goal_input.domain, kind=goal_input.kind, text=goal_input.text.strip()
            )
            for action in goal_input.actions:
                referral = None
                if action.refer_to is not None:  # another service does it: the one way to refer
                    referral = referral_create(
                        actor=actor,
                        client=episode.client,
                        data=ReferralInput(
                            sending_service=episode.service,
                            receiving_service=action.refer_to,
                            reason=REASON_FOR_DOMAIN[Domain(goal.domain)],
                            source_type="care.plan_action",
                            source_id=plan.pk,
                        ),
                    )
                Action.objects.create(
                    goal=goal,
                    text=action.text.strip(),
                    responsible=action.responsible,
                    staff=action.staff,
                    referral=referral,
                    due_on=action.due_on,
                )
        domains = ", ".join(sorted({Domain(g.domain).label.lower() for g in goals}))
        timeline_add(
            client=episode.client,
            organisation_id=episode.organisation_id,
            kind="care.plan_made",
            category=InformationCategory.CARE_PLANS,
            summary=f"Care plan: {len(goals)} goal{'s' if len(goals) != 1 else ''} ({domains})",
            actor=actor,
            object_type="care_plan",
            object_id=plan.pk,
        )
        audit_record(
            actor=actor,
            action="care.plan_made",
            object_type="care_plan",
            object_id=plan.pk,
            organisation_id=episode.organisation_id,
            details={"client": str(episode.client_id), "episode": str(episode.pk), "goals": len(goals)},
        )
    return plan


def care_plan_contingency(*, actor: User, plan: CarePlan) -> Referral:
    """The plan did not work out: refer the client to its contingency service, urgently."""
    if not user_has_permission_in(actor, Permission.CARE_RECORD, plan.organisation):
        raise NotPermitted("Only the service holding this plan can do this.")
    if plan.contingency_service is None:
        raise ServiceError("This plan names no contingency service.", field="contingency_service")
    with transaction.atomic():
        referral = referral_create(
            actor=actor,
            client=plan.client,
            data=ReferralInput(
                sending_service=plan.episode.service,
                receiving_service=plan.contingency_service,
                reason=ReferralReason.CONTINGENCY,
                urgency=Urgency.URGENT,
                source_type="care.plan_contingency",
                source_id=plan.pk,
            ),
        )
        audit_record(
            actor=actor,
            action="care.plan_contingency",
            object_type="care_plan",
            object_id=plan.pk,
            organisation_id=plan.organisation_id,
            details={"client": str(plan.client_id), "referral": str(referral.pk)},
        )
    return referral
