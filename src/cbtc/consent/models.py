"""Consents (to treatment, and to share information) and the log of every disclosure made under them.

A consent to share carries the elements of 42 CFR §2.31: who discloses, to whom, about whom, what
information, for what purpose, until when, how it was given, when, and who witnessed it; the right to revoke
is stated on the form (``form_version`` says which text was shown). There is no law-enforcement purpose, and
no way to add one: purposes are a closed list checked by the database.

A consent to progress reports to a court (a diversion programme) is a kind of its own, not a purpose of sharing:
it names the court or probation office in words (courts have no place in the network and no access to any
record), covers one thing only (whether the client takes part in care), and lets the service hand over a report
it wrote with the client (cbtc.care.services.justice). Decision 013.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Consent to treatment"
    DISCLOSURE = "disclosure", "Consent to share information"
    COURT_REPORT = "court_report", "Consent to progress reports to a court (diversion)"


class Purpose(models.TextChoices):
    TREATMENT = "treatment", "Treatment"
    CARE_COORDINATION = "care_coordination", "Care coordination and referral"
    RESEARCH = "research", "Research with ethics approval"
    QUALITY_REVIEW = "quality_review", "Quality review"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Written (signed form)"
    VERBAL = "verbal", "Verbal (witnessed)"
    ELECTRONIC = "electronic", "Electronic"


class ExpiryEvent(models.TextChoices):
    END_OF_TREATMENT = "end_of_treatment", "When treatment at the disclosing service ends"
    REFERRAL_CLOSED = "referral_closed", "When the referral is completed or closed"


class GuardianRelationship(models.TextChoices):
    PARENT = "parent", "Parent"
    LEGAL_GUARDIAN = "legal_guardian", "Legal guardian"
    OTHER_REPRESENTATIVE = "other_representative", "Other legal representative"


class AgeBasis(models.TextChoices):
    """How the minor rule was satisfied when the consent was recorded."""

    ADULT = "adult", "Adult by recorded birth year"
    STATED_ADULT = "stated_adult", "Birth year unknown; client stated they are an adult"
    MINOR_WITH_GUARDIAN = "minor_with_guardian", "Minor, with a parent's or guardian's consent"
    MINOR_ALONE = "minor_alone", "Minor, consenting alone where the legal setting allows it"


class Consent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="consents")
    # Treatment: the service the client consents to be treated by. Sharing: the disclosing organisation.
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    recipients = models.ManyToManyField("network.Organisation", blank=True, related_name="consents_received")
    # Court reports: the court or probation office the client named, in words (it is outside the network).
    external_recipient = models.CharField(max_length=200, blank=True)
    # InformationCategory values as ",identity,demographics,": a delimited string, so "does this consent
    # cover X" is one portable LIKE on SQLite and PostgreSQL alike (SQLite has no JSON containment lookup).
    categories = models.CharField(max_length=200, blank=True)
    purpose = models.CharField(max_length=30, choices=Purpose.choices, blank=True)
    ethics_approval_reference = models.CharField(max_length=100, blank=True)

    expires_on = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=30, choices=ExpiryEvent.choices, blank=True)
    expiry_event_at = models.DateTimeField(null=True, blank=True)

    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    given_at = models.DateTimeField()
    witnessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    form_version = models.CharField(max_length=20)

    age_basis = models.CharField(max_length=30, choices=AgeBasis.choices)
    guardian_relationship = models.CharField(max_length=30, choices=GuardianRelationship.choices, blank=True)

    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_method = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "kind", "-given_at"], name="consent_client_kind"),
            models.Index(fields=["organisation", "kind"], name="consent_organisation_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ConsentKind.values), name="consent_kind_known"),
            models.CheckConstraint(condition=Q(purpose__in=[*Purpose.values, ""]), name="consent_purpose_closed_list"),
            models.CheckConstraint(
                condition=~Q(kind=ConsentKind.DISCLOSURE) | ~Q(purpose=""), name="consent_disclosure_has_purpose"
            ),
            models.CheckConstraint(
                condition=(Q(kind=ConsentKind.COURT_REPORT) & ~Q(external_recipient="") & Q(purpose=""))
                | (~Q(kind=ConsentKind.COURT_REPORT) & Q(external_recipient="")),
                name="consent_court_report_names_the_court",
            ),
            models.CheckConstraint(
                condition=Q(kind=ConsentKind.TREATMENT) | Q(expires_on__isnull=False) | ~Q(expiry_event=""),
                name="consent_disclosure_has_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(purpose=Purpose.RESEARCH) | ~Q(ethics_approval_reference=""),
                name="consent_research_has_ethics_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"

    @property
    def category_set(self) -> frozenset[str]:
        return frozenset(code for code in self.categories.split(",") if code)


def encode_categories(categories: set[str] | frozenset[str]) -> str:
    return "," + ",".join(sorted(categories)) + "," if categories else ""


class DisclosureChannel(models.TextChoices):
    VIEW = "view", "Viewed the record"
    LIST = "list", "Listed in search results"
    API = "api", "Read through the API"
    EXPORT = "export", "Exported"
    COURT_REPORT = "court_report", "Progress report handed to a court"


class Disclosure(models.Model):
    """One disclosure across an organisation boundary: the accounting of disclosures (42 CFR §2.25) lists
    these for the client. Written by cbtc.consent.disclosure only, in the request that disclosed."""

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    disclosing_organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    # Inside the network, the organisation and staff member who received it; a progress report to a court names
    # the court in words instead (external_recipient), and the staff member who handed it over is disclosed_by.
    recipient_organisation = models.ForeignKey(
        "network.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_recipient = models.CharField(max_length=200, blank=True)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=30, choices=Purpose.choices, blank=True)  # blank: a court report
    channel = models.CharField(max_length=20, choices=DisclosureChannel.choices)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "-occurred_at"], name="disclosure_client"),
            models.Index(fields=["recipient_organisation", "-occurred_at"], name="disclosure_recipient"),
            models.Index(fields=["consent", "-occurred_at"], name="disclosure_consent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(recipient_organisation__isnull=False, recipient_user__isnull=False, external_recipient="")
                    & ~Q(purpose="")
                )
                | Q(
                    recipient_organisation__isnull=True,
                    recipient_user__isnull=True,
                    disclosed_by__isnull=False,
                    channel="court_report",
                    purpose="",
                )
                & ~Q(external_recipient=""),
                name="disclosure_recipient_in_or_outside_network",
            )
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk}"

    @property
    def recipient_label(self) -> str:
        if self.recipient_organisation is None:
            return self.external_recipient
        return self.recipient_organisation.name

    @property
    def recipient_staff_label(self) -> str:
        user = self.recipient_user
        return "" if user is None else user.get_full_name() or user.username

    @property
    def handed_over_by_label(self) -> str:
        user = self.disclosed_by
        return "" if user is None else user.get_full_name() or user.username

    @property
    def purpose_label(self) -> str:
        return self.get_purpose_display() if self.purpose else "Progress report in a diversion programme"
