"""Assessments (an instrument scored for a client) and brief interventions.

Answers and results are clinical data, not identifying data, and are stored as they are. The result is the
engine's output frozen at scoring time: a later change to an instrument's definition never rewrites it (the
row keeps the instrument's version and the definition revision it was scored with).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MIN_MINUTES = 1
MAX_MINUTES = 120
# A brief intervention typically takes 5-30 minutes (WHO ASSIST-linked brief intervention manual);
# shorter or longer ones are recorded as given, within MIN_MINUTES..MAX_MINUTES.
TYPICAL_MINUTES = (5, 30)


class Administration(models.TextChoices):
    INTERVIEWER = "interviewer", "Interviewer-administered"
    SELF_COMPLETED = "self_completed", "Self-completed"


# Instruments whose validation does not cover self-completion. WHO ASSIST v3.1 is validated as an
# interview only: a self-completed ASSIST is recorded as such, and the UI says it is not validated.
NOT_VALIDATED_FOR_SELF_COMPLETION = frozenset({"assist"})
SELF_COMPLETION_NOTE = (
    "The ASSIST is validated for administration by a trained interviewer only, not for self-completion. "
    "A self-completed ASSIST is recorded as such; interpret its result with care."
)


class Assessment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="assessments")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    performed_at = models.DateTimeField()
    instrument = models.CharField(max_length=40)  # the instrument's code, e.g. "assist"
    instrument_version = models.CharField(max_length=20)  # the instrument's own version, e.g. "3.1"
    definition_revision = models.PositiveSmallIntegerField()  # of our definition file, at scoring time
    administration = models.CharField(max_length=20, choices=Administration.choices)
    answers = models.JSONField()
    result = models.JSONField()  # the engine's output at scoring time, never recomputed
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client", "-performed_at"], name="assessment_client_newest"),
            # The latest result of each instrument, for the level-of-care recommendation.
            models.Index(fields=["client", "instrument", "-performed_at"], name="assessment_client_instrument"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(administration__in=Administration.values), name="assessment_administration_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.instrument_version} ({self.pk})"

    @property
    def administration_validated(self) -> bool:
        return not (
            self.administration == Administration.SELF_COMPLETED
            and self.instrument in NOT_VALIDATED_FOR_SELF_COMPLETION
        )


class BriefInterventionKind(models.TextChoices):
    SIMPLE_ADVICE = "simple_advice", "Simple advice"
    ASSIST_LINKED = "assist_linked", "ASSIST-linked brief intervention"
    FRAMES = "frames", "FRAMES brief intervention"
    MOTIVATIONAL_INTERVIEWING = "motivational_interviewing", "Motivational interviewing"


class TakeHomeMaterial(models.TextChoices):
    ASSIST_FEEDBACK_CARD = "assist_feedback_card", "ASSIST feedback report card"
    LEAFLET = "leaflet", "Information leaflet"
    SELF_HELP_BOOKLET = "self_help_booklet", "Self-help booklet"
    OTHER = "other", "Other material"


class BriefIntervention(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="brief_interventions")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField()
    kind = models.CharField(max_length=30, choices=BriefInterventionKind.choices)
    minutes = models.PositiveSmallIntegerField(help_text="Typically 5-30 minutes.")
    # The assessment the intervention follows (required for an ASSIST-linked one).
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="brief_interventions"
    )
    take_home_material = models.BooleanField(default=False)
    material_kind = models.CharField(max_length=30, choices=TakeHomeMaterial.choices, blank=True)
    follow_up_offered = models.BooleanField(default=False)
    follow_up_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "-given_at"], name="brief_client_newest")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=BriefInterventionKind.values), name="brief_intervention_kind"),
            models.CheckConstraint(
                condition=Q(minutes__gte=MIN_MINUTES, minutes__lte=MAX_MINUTES), name="brief_intervention_minutes"
            ),
            models.CheckConstraint(
                condition=~Q(kind=BriefInterventionKind.ASSIST_LINKED) | Q(assessment__isnull=False),
                name="brief_intervention_assist_linked_assessment",
            ),
            models.CheckConstraint(
                condition=Q(take_home_material=True, material_kind__in=TakeHomeMaterial.values)
                | Q(take_home_material=False, material_kind=""),
                name="brief_intervention_material",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_offered=True),
                name="brief_intervention_follow_up_offered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.pk})"


class LevelOfCareRecommendation(models.Model):
    """A level-of-care recommendation the counsellor saved: computed by the server from the latest results and
    the context given, and frozen like a result (a later change to the rules never rewrites it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="recommendations")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    # The result the counsellor was looking at; based_on lists every result used ([{id, instrument, performed_at}]).
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="recommendations")
    based_on = models.JSONField()
    context = models.JSONField()  # recommendations.clean_context(): flags, withdrawal_risk, preference
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    level = models.PositiveSmallIntegerField()
    safety_floor = models.PositiveSmallIntegerField()
    services = models.JSONField()
    also_offer = models.JSONField()
    deferred = models.JSONField()
    reasons = models.JSONField()
    rules_version = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["client", "-made_at"], name="recommendation_client_newest")]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=7), name="recommendation_level_1_to_7"),
            models.CheckConstraint(
                condition=Q(safety_floor__gte=1, safety_floor__lte=models.F("level")),
                name="recommendation_floor_within_level",
            ),
        ]

    def __str__(self) -> str:
        return f"level {self.level} ({self.pk})"


class PlacementReviewOutcome(models.TextChoices):
    # A closed list: the review says what was decided, and free text cannot carry a name.
    PLACEMENT_CONFIRMED = "placement_confirmed", "Placement confirmed for clinical reasons"
    CLIENT_CHOICE = "client_choice", "Placement is the client's informed choice"
    PLACEMENT_CHANGED = "placement_changed", "Placement changed to a less intensive service"
    RECOMMENDATION_OUT_OF_DATE = "recommendation_out_of_date", "Recommendation out of date: screen again"


class PlacementReview(models.Model):
    """A placement more intensive than the latest saved recommendation, flagged for review. Never a block: the
    placement stands whatever the review says (issue 4; seed 001 L4528-L4531 on the cost of over-intensive care)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="placement_reviews")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(LevelOfCareRecommendation, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("network.Service", on_delete=models.PROTECT, related_name="+")
    # What placed the client (a referral, an episode of care): set by the caller, opaque here.
    placed_by_object_type = models.CharField(max_length=40)
    placed_by_object_id = models.UUIDField(null=True, blank=True)
    recommended_level = models.PositiveSmallIntegerField()
    placed_level = models.PositiveSmallIntegerField()
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=30, choices=PlacementReviewOutcome.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "-flagged_at"], name="placement_review_client"),
            # The service's open reviews, for its worklist.
            models.Index(fields=["organisation", "outcome", "-flagged_at"], name="placement_review_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(placed_level__gt=models.F("recommended_level")), name="placement_review_more_intensive"
            ),
            models.CheckConstraint(
                condition=Q(outcome="", reviewed_at__isnull=True, reviewed_by__isnull=True)
                | Q(outcome__in=PlacementReviewOutcome.values, reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="placement_review_outcome_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"placement review ({self.pk})"
