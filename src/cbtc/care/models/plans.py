"""Care plans (issue 6, deliverable 3): the goals the client sets in each domain of their life, the actions that
serve them, who does each, review dates, and where to turn if the plan does not work out. Reduced or safer use is
as valid a goal as abstinence: the kind of goal is the client's choice and no rule ranks one above another."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

GOAL_TEXT_MAX = 300


class Domain(models.TextChoices):
    SUBSTANCE_USE = "substance_use", "Substance use"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    HIV_HEPATITIS_TB = "hiv_hepatitis_tb", "HIV, hepatitis and TB"
    HOUSING = "housing", "Housing"
    EMPLOYMENT_EDUCATION = "employment_education", "Employment and education"
    LEGAL = "legal", "Legal"
    FAMILY_SOCIAL = "family_social", "Family and social"
    HARM_REDUCTION = "harm_reduction", "Harm reduction"


class GoalKind(models.TextChoices):
    # For substance use goals; every one of them is a valid goal of treatment.
    ABSTINENCE = "abstinence", "Stop using"
    REDUCED_USE = "reduced_use", "Use less"
    SAFER_USE = "safer_use", "Use more safely"
    OTHER = "other", "Another goal"


class GoalStatus(models.TextChoices):
    WORKING_ON = "working_on", "Working on it"
    ACHIEVED = "achieved", "Achieved"
    CHANGED = "changed", "Changed by the client"


class CarePlan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, related_name="care_plans")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="care_plans")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    next_review_on = models.DateField()
    # If the plan does not work out: the service to turn to (a referral is made from here when it is needed).
    contingency_service = models.ForeignKey(
        "network.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contingency_note = models.CharField(max_length=GOAL_TEXT_MAX, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["episode", "-created_at"], name="care_plan_episode"),
            models.Index(fields=["organisation", "next_review_on"], name="care_plan_reviews_due"),
        ]

    def __str__(self) -> str:
        return f"care plan ({self.pk})"


class Goal(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(max_length=24, choices=Domain.choices)
    kind = models.CharField(max_length=12, choices=GoalKind.choices, default=GoalKind.OTHER)
    text = models.CharField(max_length=GOAL_TEXT_MAX)  # in the client's own words
    status = models.CharField(max_length=12, choices=GoalStatus.choices, default=GoalStatus.WORKING_ON)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(domain__in=Domain.values), name="goal_domain_known"),
            models.CheckConstraint(
                condition=Q(domain=Domain.SUBSTANCE_USE) | Q(kind=GoalKind.OTHER), name="goal_kind_for_substance_use"
            ),
        ]

    def __str__(self) -> str:
        return f"goal ({self.pk})"


class Responsible(models.TextChoices):
    CLIENT = "client", "The client"
    STAFF = "staff", "A member of staff"
    OTHER_SERVICE = "other_service", "Another service (by referral)"


class Action(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=GOAL_TEXT_MAX)
    responsible = models.CharField(max_length=14, choices=Responsible.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(responsible=Responsible.STAFF, staff__isnull=False)
                | (~Q(responsible=Responsible.STAFF) & Q(staff__isnull=True)),
                name="action_staff_named",
            ),
            models.CheckConstraint(
                condition=Q(responsible=Responsible.OTHER_SERVICE, referral__isnull=False)
                | (~Q(responsible=Responsible.OTHER_SERVICE) & Q(referral__isnull=True)),
                name="action_referral_for_other_service",
            ),
        ]

    def __str__(self) -> str:
        return f"action ({self.pk})"
