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
        indexes = [models.Index(fields=["client", "-performed_at"], name="assessment_client_newest")]
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
