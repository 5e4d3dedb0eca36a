"""Recovery check-ins (issue 6, deliverable 9): after an episode ends, staff keep in touch by phone or in person,
and step in early when things are going badly. A check-in never reopens anything by itself: re-engaging is a new
episode or a referral, offered and chosen."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class CheckInMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    MESSAGE = "message", "Message"


class CheckInOutcome(models.TextChoices):
    DOING_WELL = "doing_well", "Doing well"
    STRUGGLING = "struggling", "Struggling: support offered"
    WANTS_CARE_AGAIN = "wants_care_again", "Wants care again"
    NOT_REACHED = "not_reached", "Not reached"


class RecoveryCheckIn(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, related_name="check_ins")
    method = models.CharField(max_length=10, choices=CheckInMethod.choices)
    outcome = models.CharField(max_length=20, choices=CheckInOutcome.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["episode", "-occurred_at"], name="checkin_episode_newest")]

    def __str__(self) -> str:
        return f"check-in ({self.pk})"
