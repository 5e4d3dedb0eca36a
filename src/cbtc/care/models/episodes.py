"""Episodes of care (issue 6, deliverable 2): one stay of a client with one service in one modality, with its
status history and how it ended. A client has as many episodes as they need; coming back is never held against
them, and no episode has a maximum length (standard 4.6): reviews are reminders, never an end.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

TEXT_MAX = 1000


class Modality(models.TextChoices):
    OUTREACH_LOW_THRESHOLD = "outreach_low_threshold", "Outreach / low-threshold"
    SCREENING_BRIEF_INTERVENTION = "screening_brief_intervention", "Screening and brief intervention"
    OUTPATIENT_LOW = "outpatient_low", "Outpatient psychosocial, low intensity"
    OUTPATIENT_MID = "outpatient_mid", "Outpatient psychosocial, mid intensity"
    OUTPATIENT_HIGH = "outpatient_high", "Outpatient psychosocial, high intensity"
    OPIOID_AGONIST_TREATMENT = "oat", "Opioid agonist treatment"
    WITHDRAWAL_OUTPATIENT = "withdrawal_outpatient", "Withdrawal management, outpatient"
    WITHDRAWAL_INPATIENT = "withdrawal_inpatient", "Withdrawal management, inpatient"
    SHORT_TERM_RESIDENTIAL = "short_term_residential", "Short-term residential"
    LONG_TERM_RESIDENTIAL = "long_term_residential", "Long-term residential"
    RECOVERY_MANAGEMENT = "recovery_management", "Recovery management"


class ReferralSource(models.TextChoices):
    SELF = "self", "Self"
    FAMILY = "family", "Family"
    PEER_OUTREACH = "peer_outreach", "Peer or outreach worker"
    HEALTH_SERVICE = "health_service", "Health service"
    SOCIAL_SERVICE = "social_service", "Social service"
    NGO = "ngo", "NGO"
    POLICE = "police", "Police"
    COURT_DIVERSION = "court_diversion", "Court / diversion"
    PRISON_RELEASE = "prison_release", "Prison release"
    OTHER = "other", "Other"


class EpisodeStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    WAITING = "waiting", "Waiting"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    FINISHED = "finished", "Finished"


class DischargeReason(models.TextChoices):
    """How an episode ended: a closed list. Pregnancy, relapse and a positive test are not on it, and never will
    be: none of them ends care (tests assert it)."""

    COMPLETED = "completed", "Completed"
    TRANSFERRED = "transferred", "Transferred to another service"
    CLIENT_CHOSE_TO_LEAVE = "client_chose_to_leave", "The client chose to leave"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", "Lost to follow-up"
    MOVED = "moved", "Moved away"
    IN_PRISON = "in_prison", "In prison"
    DIED = "died", "Died"
    INVOLUNTARY_FOR_SAFETY = "involuntary_for_safety", "Involuntary, for safety"


class Episode(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="episodes")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("network.Service", on_delete=models.PROTECT, related_name="+")
    modality = models.CharField(max_length=30, choices=Modality.choices)
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=EpisodeStatus.choices)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The member of staff whose caseload the episode is on (case manager or key worker).
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    admitted_at = models.DateTimeField(null=True, blank=True)  # first became active
    finished_at = models.DateTimeField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)  # a reminder, never an end date
    discharge_reason = models.CharField(max_length=30, choices=DischargeReason.choices, blank=True)
    # An involuntary discharge: why it was needed for safety, what was tried first, and who reviewed it.
    safety_reason = models.TextField(max_length=TEXT_MAX, blank=True)
    measures_tried = models.TextField(max_length=TEXT_MAX, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contingency_referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A young person placed where they live alongside adult clients: why (standard 5.2, care/young_people.py).
    adult_setting_reason = models.TextField(max_length=TEXT_MAX, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "-opened_at"], name="episode_client_newest"),
            models.Index(fields=["organisation", "status", "next_review_on"], name="episode_reviews_due"),
            models.Index(fields=["service", "status"], name="episode_service_status"),
            models.Index(fields=["key_worker", "status"], name="episode_caseload"),
            models.Index(fields=["organisation", "status", "finished_at"], name="episode_ended_recently"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=EpisodeStatus.values), name="episode_status_known"),
            models.CheckConstraint(condition=Q(modality__in=Modality.values), name="episode_modality_known"),
            models.CheckConstraint(
                condition=Q(status=EpisodeStatus.FINISHED, finished_at__isnull=False) & ~Q(discharge_reason="")
                | ~Q(status=EpisodeStatus.FINISHED) & Q(finished_at__isnull=True, discharge_reason=""),
                name="episode_finished_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(discharge_reason=DischargeReason.INVOLUNTARY_FOR_SAFETY)
                | (~Q(safety_reason="") & ~Q(measures_tried="") & Q(reviewed_by__isnull=False)),
                name="episode_involuntary_documented",
            ),
        ]

    def __str__(self) -> str:
        return f"episode ({self.pk})"


class EpisodeStatusChange(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=10, choices=EpisodeStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["episode", "changed_at"], name="episode_history")]

    def __str__(self) -> str:
        return f"{self.status} ({self.episode_id})"
