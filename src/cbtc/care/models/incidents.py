"""Incidents (issue 6, deliverable 8): what was done to a client, not by them: arrest, police harassment,
violence, discrimination, rights violations inside services. The response is crisis support and, when wanted, a
legal-aid referral. Incidents stay inside the organisation that recorded them: elsewhere they appear only as
counts (incident_counts), never on a shared timeline."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class IncidentKind(models.TextChoices):
    ARREST = "arrest", "Arrest or detention"
    POLICE_HARASSMENT = "police_harassment", "Police harassment"
    VIOLENCE = "violence", "Violence"
    DISCRIMINATION = "discrimination", "Discrimination"
    RIGHTS_VIOLATION_IN_SERVICE = "rights_violation_in_service", "Rights violation inside a service"


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=30, choices=IncidentKind.choices)
    occurred_on = models.DateField()
    crisis_response = models.BooleanField(default=False)
    legal_aid_referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "occurred_on"], name="incident_org_day"),
            models.Index(fields=["occurred_on", "kind"], name="incident_day_kind"),  # network figures
        ]
        constraints = [models.CheckConstraint(condition=Q(kind__in=IncidentKind.values), name="incident_kind_known")]

    def __str__(self) -> str:
        return f"incident ({self.pk})"
