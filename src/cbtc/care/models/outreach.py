"""Outreach contacts (issue 6, deliverable 1): a meeting with a registered client, or a tally of people who did
not want to register, with what was given, any overdose, and accompaniment to a service.

A tally holds counts only: how many people, by sex, age band and key population. Nothing in it can identify
anyone, which is why it needs no consent. Where a contact happened is the kind of place and, at most, the
district: never a street address or coordinates, which could expose a hotspot to the police.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_PEOPLE = 500  # people in one tally; a busy hotspot night, not a census
MAX_QUANTITY = 10_000  # of one item in one contact (needles go out by the hundred)


class ContactPlace(models.TextChoices):
    STREET = "street", "Street"
    HOTSPOT = "hotspot", "Hotspot"
    DROP_IN = "drop_in", "Drop-in centre"
    HOME_VISIT = "home_visit", "Home visit"
    ONLINE = "online", "Online"


class OutreachContact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("network.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    place = models.CharField(max_length=12, choices=ContactPlace.choices)
    area = models.ForeignKey("network.AdminArea", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Named: a client of this organisation. Anonymous: people_count > 0 and TallyCount rows, no client.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="outreach_contacts"
    )
    people_count = models.PositiveSmallIntegerField(default=1)
    brief_advice = models.BooleanField(default=False)
    accompanied_to = models.ForeignKey(
        "network.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-contact_at"], name="outreach_org_newest"),
            models.Index(fields=["client", "-contact_at"], name="outreach_client_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(place__in=ContactPlace.values), name="outreach_place_known"),
            models.CheckConstraint(
                condition=Q(client__isnull=False, people_count=1)
                | Q(client__isnull=True, people_count__gte=1, people_count__lte=MAX_PEOPLE),
                name="outreach_named_is_one_person",
            ),
        ]

    def __str__(self) -> str:
        return f"outreach contact ({self.pk})"

    @property
    def anonymous(self) -> bool:
        return self.client_id is None


class TallyDimension(models.TextChoices):
    SEX = "sex", "Sex"
    AGE_BAND = "age_band", "Age band"
    KEY_POPULATION = "key_population", "Key population"


SEXES = {"female": "Female", "male": "Male", "other": "Other or not stated"}
AGE_BANDS = {"under_18": "Under 18", "18_24": "18-24", "25_34": "25-34", "35_49": "35-49", "50_plus": "50 or over"}
KEY_POPULATIONS = {
    "injects": "Injects drugs",
    "sex_worker": "Sex worker",
    "msm": "Man who has sex with men",
    "transgender": "Transgender person",
    "recently_released": "Recently released from prison",
}


class TallyCount(models.Model):
    """How many of an anonymous contact's people were of one kind (e.g. sex=female: 3)."""

    contact = models.ForeignKey(OutreachContact, on_delete=models.CASCADE, related_name="tally")
    dimension = models.CharField(max_length=16, choices=TallyDimension.choices)
    value = models.CharField(max_length=20)
    count = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "dimension", "value"], name="tally_one_count_per_value"),
            models.CheckConstraint(condition=Q(count__gte=1), name="tally_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}: {self.count}"


class SupplyItem(models.TextChoices):
    NEEDLES_SYRINGES = "needles_syringes", "Needles and syringes"
    INJECTING_KITS = "injecting_kits", "Injecting kits"
    CONDOMS = "condoms", "Condoms"
    NALOXONE_KITS = "naloxone_kits", "Naloxone kits"
    INFORMATION = "information", "Information material"
    HIV_RAPID_TEST = "hiv_rapid_test", "HIV rapid test"
    HCV_RAPID_TEST = "hcv_rapid_test", "Hepatitis C rapid test"
    WOUND_CARE = "wound_care", "Wound care"


TESTS = frozenset({SupplyItem.HIV_RAPID_TEST, SupplyItem.HCV_RAPID_TEST})


class SupplyGiven(models.Model):
    contact = models.ForeignKey(OutreachContact, on_delete=models.CASCADE, related_name="supplies")
    item = models.CharField(max_length=20, choices=SupplyItem.choices)
    quantity = models.PositiveIntegerField()
    # Rapid tests only: the counselling given before and after the test.
    pre_test_counselling = models.BooleanField(default=False)
    post_test_counselling = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "item"], name="supply_one_line_per_item"),
            models.CheckConstraint(condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY), name="supply_quantity"),
            models.CheckConstraint(
                condition=Q(item__in=sorted(t.value for t in TESTS))  # sorted: a set has no stable order
                | Q(pre_test_counselling=False, post_test_counselling=False),
                name="supply_counselling_only_for_tests",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} x{self.quantity}"


class NaloxoneGivenBy(models.TextChoices):
    NOBODY = "nobody", "No naloxone given"
    PEER = "peer", "A peer"
    OUTREACH_WORKER = "outreach_worker", "An outreach worker"
    BYSTANDER = "bystander", "A friend or bystander"
    EMERGENCY_SERVICES = "emergency_services", "Emergency services"


class OverdoseOutcome(models.TextChoices):
    RECOVERED = "recovered", "Recovered on the spot"
    TO_HOSPITAL = "to_hospital", "Taken to hospital"
    REFUSED_TRANSPORT = "refused_transport", "Recovered; refused to go to hospital"
    DIED = "died", "Died"
    UNKNOWN = "unknown", "Not known"


class OverdoseEvent(models.Model):
    contact = models.ForeignKey(OutreachContact, on_delete=models.CASCADE, related_name="overdoses")
    naloxone_given_by = models.CharField(max_length=20, choices=NaloxoneGivenBy.choices)
    naloxone_doses = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=OverdoseOutcome.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(naloxone_given_by=NaloxoneGivenBy.NOBODY, naloxone_doses=0)
                | (~Q(naloxone_given_by=NaloxoneGivenBy.NOBODY) & Q(naloxone_doses__gte=1, naloxone_doses__lte=10)),
                name="overdose_naloxone_doses",
            ),
        ]

    def __str__(self) -> str:
        return f"overdose ({self.outcome})"
