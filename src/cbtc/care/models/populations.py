"""Special populations (issue 6, deliverable 7): pregnancy, young people, and release from prison. Pregnancy is
never a reason to end care: it is not a discharge reason (models.episodes.DischargeReason), and no rule reads
these records to end or refuse anything; they add care (antenatal care, separate settings, continuity)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

TEXT_MAX = 500


class Pregnancy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    expected_on = models.DateField()
    delivery_plan = models.TextField(max_length=TEXT_MAX, blank=True)  # where and with whom, OAT during labour
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "-expected_on"], name="pregnancy_client")]

    def __str__(self) -> str:
        return f"pregnancy ({self.pk})"


class ReleasePlan(models.Model):
    """Continuity of care on release from prison: a referral made before the release date, and naloxone with
    training for the person and the people around them (seed 001 L4386-L4388)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    release_on = models.DateField()
    continuity_referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="+")
    naloxone_given = models.BooleanField(default=False)
    naloxone_training = models.BooleanField(default=False)
    family_trained = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "release_on"], name="release_plan_due")]

    def __str__(self) -> str:
        return f"release plan ({self.pk})"
