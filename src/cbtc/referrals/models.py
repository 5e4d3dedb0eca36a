"""Referrals between services: one client, a sending service and a receiving service, with a closed loop of
states the sender follows (states.py holds the rules). A referral that shares the client's information names the
consent that allows it; without one it is anonymous and the client carries a referral code instead.

Nothing typed here is about the client as a person: reasons, declines and outcomes are closed lists, and the
short note is for the service ("bring the last dose card"), with a warning on the form against names.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

NOTE_MAX = 300
CODE_LENGTH = 8  # random characters of a referral code, shown as R-XXXX-XXXX


class ReferralState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    ATTENDED = "attended", "Attended"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "Emergency: today"
    URGENT = "urgent", "Urgent: within a day"
    SOON = "soon", "Soon: within a few days"
    ROUTINE = "routine", "Routine"


class ReferralReason(models.TextChoices):
    OPIOID_AGONIST_TREATMENT = "oat", "Opioid agonist treatment"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management", "Withdrawal management"
    PSYCHOSOCIAL = "psychosocial", "Counselling or psychosocial treatment"
    RESIDENTIAL = "residential", "Residential treatment"
    HARM_REDUCTION = "harm_reduction", "Harm reduction (needles, naloxone)"
    HIV_HEPATITIS_TB = "hiv_hepatitis_tb", "HIV, hepatitis or TB testing and treatment"
    PRIMARY_HEALTH = "primary_health", "Primary or emergency health care"
    MENTAL_HEALTH = "mental_health", "Mental health care"
    SEXUAL_REPRODUCTIVE = "sexual_reproductive", "Sexual and reproductive health, antenatal care"
    HOUSING = "housing", "Housing or shelter"
    SOCIAL_SUPPORT = "social_support", "Social support, food, documents"
    EMPLOYMENT_EDUCATION = "employment_education", "Employment or education"
    LEGAL_AID = "legal_aid", "Legal aid"
    FAMILY = "family", "Family support"
    RECOVERY = "recovery", "Recovery support, peer groups"
    CONTINUITY = "continuity", "Continuity of care (transfer, release from prison)"
    CONTINGENCY = "contingency", "Contingency after a care plan or discharge"
    OTHER = "other", "Other"


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "No place at the moment"
    NOT_ELIGIBLE = "not_eligible", "The client is not eligible for this service"
    NOT_SUITABLE = "not_suitable", "This service does not fit what is asked"
    CLIENT_DECLINED = "client_declined", "The client did not want it"
    UNREACHABLE = "unreachable", "Could not reach the client"
    OTHER = "other", "Other"


class CompletionOutcome(models.TextChoices):
    ENROLLED = "enrolled", "Started care here"
    ASSESSED = "assessed", "Assessed; no further care here"
    REFERRED_ON = "referred_on", "Referred on to another service"
    SERVICE_GIVEN = "service_given", "Service given"


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="referrals")
    # No index of their own: the composite indexes below lead with these columns.
    sending_organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sending_service = models.ForeignKey("network.Service", on_delete=models.PROTECT, related_name="+")
    receiving_organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    receiving_service = models.ForeignKey("network.Service", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=30, choices=ReferralReason.choices)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    # What the receiving service may see, and the consent that allows it. Empty: an anonymous referral.
    shared_categories = models.CharField(max_length=200, blank=True)
    consent = models.ForeignKey("consent.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The code the client carries to the receiving service (always; the only link for an anonymous referral).
    code = models.CharField(max_length=12, unique=True)
    appointment_at = models.DateTimeField(null=True, blank=True)
    booked_with_client_present = models.BooleanField(default=False)
    accompaniment_requested = models.BooleanField(default=False)
    accompanied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=12, choices=ReferralState.choices, default=ReferralState.DRAFT)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    suggested_service = models.ForeignKey(
        "network.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_outcome = models.CharField(max_length=20, choices=CompletionOutcome.choices, blank=True)
    # Where a referral came from inside cbtc ("screening.recommendation", "care.plan_action", ...): opaque here.
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.UUIDField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the next step is due (an answer, then attendance); overdue when it passes in an open state.
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Inbox and outbox: a service's referrals by state, newest first.
            models.Index(fields=["receiving_organisation", "state", "-created_at"], name="referral_inbox"),
            models.Index(fields=["sending_organisation", "state", "-created_at"], name="referral_outbox"),
            # The same boxes in their order, for "all" and deep pages (an ordered scan that stops early).
            models.Index(fields=["receiving_organisation", "-created_at", "-id"], name="referral_inbox_newest"),
            models.Index(fields=["sending_organisation", "-created_at", "-id"], name="referral_outbox_newest"),
            # Figures per service: an index-only read of one organisation's period (covering on PostgreSQL).
            models.Index(
                fields=["receiving_organisation", "sent_at"],
                include=["receiving_service", "state", "attended_at"],
                name="referral_received_figures",
            ),
            models.Index(
                fields=["sending_organisation", "sent_at"],
                include=["sending_service", "state", "attended_at"],
                name="referral_sent_figures",
            ),
            # One service's inbox and outbox.
            models.Index(fields=["receiving_service", "state", "-created_at"], name="referral_service_inbox"),
            models.Index(fields=["sending_service", "state", "-created_at"], name="referral_service_outbox"),
            models.Index(fields=["client", "-created_at"], name="referral_client"),
            models.Index(fields=["state", "due_at"], name="referral_due"),
            models.Index(fields=["receiving_service", "created_at"], name="referral_service_metrics"),
            models.Index(fields=["consent"], name="referral_consent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ReferralState.values), name="referral_state_known"),
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="referral_urgency_known"),
            models.CheckConstraint(condition=Q(reason__in=ReferralReason.values), name="referral_reason_known"),
            # Shared information always comes with the consent that allows it.
            models.CheckConstraint(
                condition=Q(shared_categories="") | Q(consent__isnull=False), name="referral_shared_needs_consent"
            ),
            models.CheckConstraint(
                condition=~Q(state=ReferralState.DECLINED) | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"referral {self.code}"

    @property
    def category_set(self) -> frozenset[str]:
        return frozenset(code for code in self.shared_categories.split(",") if code)

    @property
    def anonymous(self) -> bool:
        return not self.shared_categories

    @property
    def urgency_short(self) -> str:
        """ "Urgent" rather than "Urgent: within a day", for lists."""
        return Urgency(self.urgency).label.split(":")[0]


class ReferralEvent(models.Model):
    """Each change of state, for the history both services see. Who made it is kept as the organisation; the
    person is in the audit trail."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    state = models.CharField(max_length=12, choices=ReferralState.choices)
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, null=True, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["referral", "occurred_at"], name="referral_event_history")]

    def __str__(self) -> str:
        return f"{self.state} ({self.referral_id})"


# The usual reason for referring to a service of each type, to fill in the form (the worker can change it).
REASON_FOR_SERVICE_TYPE: dict[str, str] = {
    "outreach": ReferralReason.HARM_REDUCTION,
    "drop_in": ReferralReason.HARM_REDUCTION,
    "needle_syringe": ReferralReason.HARM_REDUCTION,
    "naloxone": ReferralReason.HARM_REDUCTION,
    "hiv_testing": ReferralReason.HIV_HEPATITIS_TB,
    "hcv_testing": ReferralReason.HIV_HEPATITIS_TB,
    "tb_testing": ReferralReason.HIV_HEPATITIS_TB,
    "sbi": ReferralReason.PSYCHOSOCIAL,
    "outpatient_psychosocial": ReferralReason.PSYCHOSOCIAL,
    "methadone": ReferralReason.OPIOID_AGONIST_TREATMENT,
    "buprenorphine": ReferralReason.OPIOID_AGONIST_TREATMENT,
    "withdrawal_management": ReferralReason.WITHDRAWAL_MANAGEMENT,
    "short_term_residential": ReferralReason.RESIDENTIAL,
    "long_term_residential": ReferralReason.RESIDENTIAL,
    "recovery_support": ReferralReason.RECOVERY,
    "mental_health": ReferralReason.MENTAL_HEALTH,
    "primary_care": ReferralReason.PRIMARY_HEALTH,
    "housing_support": ReferralReason.HOUSING,
    "employment_support": ReferralReason.EMPLOYMENT_EDUCATION,
    "legal_aid": ReferralReason.LEGAL_AID,
    "family_support": ReferralReason.FAMILY,
    "peer_support": ReferralReason.RECOVERY,
    "case_management": ReferralReason.SOCIAL_SUPPORT,
}
