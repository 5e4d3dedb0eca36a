"""Relapse, lapse and drug test results (issue 6, deliverable 6) are clinical events: facts for the care plan,
recorded like any other. No rule anywhere discharges, sanctions or notifies anyone because of them
(tests/care/test_clinical_events.py asserts it): relapse is part of recovery, never a reason to end care."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ClinicalEventKind(models.TextChoices):
    LAPSE = "lapse", "Lapse (a single use)"
    RELAPSE = "relapse", "Relapse (a return to regular use)"
    DRUG_TEST = "drug_test", "Drug test"


class TestResult(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    INVALID = "invalid", "Invalid or not readable"


class ClinicalEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="clinical_events")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=12, choices=ClinicalEventKind.choices)
    substance = models.ForeignKey(
        "clients.Substance", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    test_result = models.CharField(max_length=10, choices=TestResult.choices, blank=True)
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "-occurred_at"], name="clinical_event_client")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ClinicalEventKind.values), name="clinical_event_kind"),
            models.CheckConstraint(
                condition=Q(kind=ClinicalEventKind.DRUG_TEST, test_result__in=TestResult.values)
                | (~Q(kind=ClinicalEventKind.DRUG_TEST) & Q(test_result="")),
                name="clinical_event_test_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.pk})"
