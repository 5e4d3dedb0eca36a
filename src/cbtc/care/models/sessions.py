"""Sessions and encounters (issue 6, deliverable 4). The note is clinical: only clinical roles (counsellors and
clinicians, prescribers, case managers) of the organisation that holds the episode read it, and beyond that
organisation only staff in those roles under a consent covering treatment episodes (selectors.sessions_of_record).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

NOTE_MAX = 4000
MAX_MINUTES = 600


class SessionKind(models.TextChoices):
    INDIVIDUAL_COUNSELLING = "individual_counselling", "Individual counselling"
    GROUP = "group", "Group session"
    MOTIVATIONAL_INTERVIEWING = "motivational_interviewing", "Motivational interviewing"
    CBT = "cbt", "Cognitive behavioural therapy"
    CONTINGENCY_MANAGEMENT = "contingency_management", "Contingency management"
    FAMILY = "family", "Family session"
    MEDICAL_REVIEW = "medical_review", "Medical review"
    HOME_VISIT = "home_visit", "Home visit"
    PHONE_CHECK_IN = "phone_check_in", "Phone check-in"


class Session(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, related_name="sessions")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=SessionKind.choices)
    occurred_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client", "-occurred_at"], name="session_client_newest"),
            models.Index(fields=["episode", "-occurred_at"], name="session_episode_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SessionKind.values), name="session_kind_known"),
            models.CheckConstraint(condition=Q(minutes__gte=1, minutes__lte=MAX_MINUTES), name="session_minutes"),
        ]

    def __str__(self) -> str:
        return f"session ({self.pk})"
