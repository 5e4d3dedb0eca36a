"""Justice involvement (issue 6, deliverable 7): progress reports to a court in a diversion programme.

A report leaves the service only under the client's consent to court reports (ConsentKind.COURT_REPORT), is read
with the client first, and says only how the client takes part in care: the kind of care, since when, how many
sessions in the period, and a few words written with the client. It never carries test results, lapses,
relapses or session notes: relapse is part of recovery and is never reported to a court (seed 003, voluntary
access: "no legal repercussions" from lack of adherence). What it said is kept as it was handed over.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

STATEMENT_MAX = 1000


class CourtReport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, related_name="court_reports")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey("consent.Consent", on_delete=models.PROTECT, related_name="+")
    court = models.CharField(max_length=200)  # as the consent names it
    period_from = models.DateField()
    period_to = models.DateField()
    # What the report says, as handed over (a snapshot: later changes to the record do not rewrite it).
    care_kind = models.CharField(max_length=100)
    in_care_since = models.DateField(null=True, blank=True)
    participation = models.CharField(max_length=200)  # e.g. "In care", "Care completed on 3 Mar 2026"
    sessions_in_period = models.PositiveIntegerField()
    statement = models.TextField(max_length=STATEMENT_MAX, blank=True)
    read_with_client = models.BooleanField()
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["episode", "-prepared_at"], name="court_report_episode")]
        constraints = [
            models.CheckConstraint(condition=Q(period_from__lte=models.F("period_to")), name="court_report_period"),
            models.CheckConstraint(condition=Q(read_with_client=True), name="court_report_read_with_client"),
        ]

    def __str__(self) -> str:
        return f"court report ({self.pk})"
