"""Outcome profiles (issue 6, deliverable 5): a 28-day recall in the spirit of the Treatment Outcomes Profile
(Marsden et al. 2008), in our own words (TOP's wording is licensed; docs/outcome-profile.md gives the
correspondence). Taken at the start of an episode, at reviews (every OUTCOME_REVIEW_DAYS) and at exit.

Every item may be left unanswered, and "not answered" (NULL) is never 0. The offending items are the client's own
account, kept only because the issue's outcome set asks for them: they sit in the "outcomes" information category,
which no consent shares unless it names it, and no rule acts on them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

DAYS = 28  # the recall window
SCALE = 20  # the 0-20 ratings


class Stage(models.TextChoices):
    START = "start", "Start"
    REVIEW = "review", "Review"
    EXIT = "exit", "Exit"


class UseSubstance(models.TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    OPIOIDS = "opioids", "Opioids not prescribed to the client"
    CRACK = "crack", "Crack cocaine"
    COCAINE = "cocaine", "Cocaine powder"
    AMPHETAMINES = "amphetamines", "Amphetamine-type stimulants"
    CANNABIS = "cannabis", "Cannabis"
    OTHER = "other", "Another substance"
    TOBACCO = "tobacco", "Tobacco"


def _days(help_text: str) -> models.PositiveSmallIntegerField[int | None, int | None]:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(DAYS)], help_text=help_text
    )


def _rating(help_text: str) -> models.PositiveSmallIntegerField[int | None, int | None]:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(SCALE)], help_text=help_text
    )


def _yes_no(help_text: str) -> models.BooleanField[bool | None, bool | None]:
    return models.BooleanField(null=True, blank=True, help_text=help_text)


# The items of a profile besides the days of use per substance, in form order. DAY_ITEMS count days in the past
# 28; RATING_ITEMS are 0 (poor) to 20 (good); the rest are yes / no.
DAY_ITEMS = ("injecting_days", "shoplifting_days", "drug_selling_days", "paid_work_days", "education_days")
RATING_ITEMS = ("psychological_health", "physical_health", "quality_of_life")
YES_NO_ITEMS = (
    "shared_injecting_equipment",
    "vehicle_theft",
    "property_theft",
    "fraud",
    "violence",
    "acute_housing_problem",
    "eviction_risk",
)


class OutcomeProfile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, related_name="outcome_profiles")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    interviewed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    injecting_days = _days("Days injected drugs not prescribed to the client")
    shared_injecting_equipment = _yes_no(
        "Injected with a needle, syringe, spoon, water or filter someone else had used"
    )
    shoplifting_days = _days("Days of shoplifting")
    drug_selling_days = _days("Days of selling drugs")
    vehicle_theft = _yes_no("Theft from or of a vehicle")
    property_theft = _yes_no("Other theft or burglary")
    fraud = _yes_no("Fraud, forgery or handling stolen goods")
    violence = _yes_no("Assault or violence")
    psychological_health = _rating("How the client rates their psychological health (0 poor, 20 good)")
    physical_health = _rating("How the client rates their physical health (0 poor, 20 good)")
    quality_of_life = _rating("How the client rates their quality of life (0 poor, 20 good)")
    paid_work_days = _days("Days in paid work")
    education_days = _days("Days at college, school or training")
    acute_housing_problem = _yes_no("No home, or an acute housing problem")
    eviction_risk = _yes_no("At risk of eviction")

    class Meta:
        indexes = [
            models.Index(fields=["episode", "interviewed_on"], name="outcome_episode"),
            models.Index(fields=["client", "-interviewed_on"], name="outcome_client_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="outcome_stage_known"),
            models.UniqueConstraint(
                fields=["episode"], condition=Q(stage="start"), name="outcome_one_start_per_episode"
            ),
            models.UniqueConstraint(fields=["episode"], condition=Q(stage="exit"), name="outcome_one_exit_per_episode"),
        ]

    def __str__(self) -> str:
        return f"outcome profile ({self.pk})"


class SubstanceDays(models.Model):
    """Days a substance was used in the 28 days; a substance not asked about has no row (not 0)."""

    profile = models.ForeignKey(OutcomeProfile, on_delete=models.CASCADE, related_name="use")
    substance = models.CharField(max_length=14, choices=UseSubstance.choices)
    days = models.PositiveSmallIntegerField(validators=[MaxValueValidator(DAYS)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "substance"], name="outcome_use_once_per_substance"),
            models.CheckConstraint(condition=Q(days__lte=DAYS), name="outcome_use_days_in_window"),
        ]

    def __str__(self) -> str:
        return f"{self.substance}: {self.days}"
