"""The service directory: organisations, their sites and the services they offer.

Field choices follow seed 001 (International Standards): the service pyramid of chapter 5
(001_3c4b196b837750c7.txt L4520-L4666) and the modalities of chapter 3. Where a field matches the Human
Services Data Specification 3.0 (shared/reference/standards/hsds-3.0) it keeps HSDS's meaning, so an HSDS
export later is a mapping, not a redesign.
"""

from __future__ import annotations

import functools
import uuid
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class AdminAreaLevel(models.TextChoices):
    COUNTRY = "country", "Country"
    PROVINCE = "province", "Province / region"
    DISTRICT = "district", "District"


_CHILD_LEVEL = {
    AdminAreaLevel.COUNTRY: AdminAreaLevel.PROVINCE,
    AdminAreaLevel.PROVINCE: AdminAreaLevel.DISTRICT,
}


class AdminArea(models.Model):
    """Country > province > district. ``path`` lets one indexed prefix match find a whole subtree."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=40, unique=True, help_text="Stable code, e.g. an ISO 3166-2 code.")
    level = models.CharField(max_length=10, choices=AdminAreaLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # "/<code>/<code>/" from the country down; maintained by network.services.admin_area_create.
    path = models.CharField(max_length=200, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                name="admin_area_country_has_no_parent",
                condition=Q(level="country", parent__isnull=True) | (~Q(level="country") & Q(parent__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent is not None and _CHILD_LEVEL.get(AdminAreaLevel(self.parent.level)) != self.level:
            raise ValidationError({"parent": f"A {self.get_level_display()} cannot sit inside a {self.parent.level}."})


class OrganisationType(models.TextChoices):
    GOVERNMENT_HEALTH = "government_health", "Government health service"
    HOSPITAL = "hospital", "Hospital"
    PRIMARY_CARE = "primary_care", "Primary care"
    NGO = "ngo", "NGO / civil-society organisation"
    COMMUNITY_LED = "community_led", "Community-led organisation of people who use drugs"
    SOCIAL_WELFARE = "social_welfare", "Social welfare"
    LEGAL_AID = "legal_aid", "Legal aid"
    PRISON_HEALTH = "prison_health", "Prison health"
    OTHER = "other", "Other"


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    type = models.CharField(max_length=20, choices=OrganisationType.choices, db_index=True)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Where the organisation is registered; its sites may be elsewhere.
    admin_area = models.ForeignKey(AdminArea, on_delete=models.PROTECT, related_name="organisations")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@functools.cache
def _time_zone_names() -> frozenset[str]:
    # Reading the zone database takes most of a second; the list does not change while the process runs.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zone_names():
        raise ValidationError(f"{value!r} is not an IANA time zone name such as 'Asia/Bangkok'.")


class Site(models.Model):
    """A place where an organisation works (HSDS: location)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    admin_area = models.ForeignKey(AdminArea, on_delete=models.PROTECT, related_name="sites")
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    phone = models.CharField(max_length=40, blank=True)
    directions = models.TextField(blank=True, help_text="How to find the entrance, nearest public transport.")

    class Meta:
        ordering = ["name"]
        indexes = [
            # Services near a site read a latitude band first (network/nearby.py).
            models.Index(fields=["latitude", "longitude"], name="site_latitude_idx"),
            # "Open now" reads the few distinct zones to work out each one's local time (selectors._open_at).
            models.Index(fields=["time_zone"], name="site_time_zone_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="site_coordinates_both_or_neither",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PyramidLevel(models.IntegerChoices):
    """The seven service levels of seed 001 chapter 5, base (most needed, least intensive) to apex.

    Source: 001_3c4b196b837750c7.txt L4569-L4666 ("Suggested interventions at different service levels").
    """

    INFORMAL_COMMUNITY_CARE = 1, "Informal community care"
    PRIMARY_HEALTH_CARE = 2, "Primary health care services"
    GENERIC_SOCIAL_WELFARE = 3, "Generic social welfare"
    SPECIALISED_DRUG_TREATMENT = 4, "Specialised drug dependence treatment"
    SPECIALISED_HEALTH_CARE = 5, "Specialised health care services"
    SPECIALISED_SOCIAL_WELFARE = 6, "Specialised social welfare"
    LONG_TERM_RESIDENTIAL = 7, "Long-term residential services"


class ServiceType(models.TextChoices):
    """Every modality of seed 001 chapter 3 and the supports of chapter 5."""

    OUTREACH = "outreach", "Outreach"
    DROP_IN = "drop_in", "Drop-in / low-threshold service"
    NEEDLE_SYRINGE = "needle_syringe", "Needle-syringe programme"
    NALOXONE = "naloxone", "Naloxone distribution"
    HIV_TESTING = "hiv_testing", "HIV testing"
    HCV_TESTING = "hcv_testing", "Hepatitis C testing"
    TB_TESTING = "tb_testing", "TB testing"
    SCREENING_BRIEF_INTERVENTION = "sbi", "Screening and brief intervention"
    OUTPATIENT_PSYCHOSOCIAL = "outpatient_psychosocial", "Outpatient psychosocial treatment"
    METHADONE = "methadone", "Methadone (opioid agonist treatment)"
    BUPRENORPHINE = "buprenorphine", "Buprenorphine (opioid agonist treatment)"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management", "Withdrawal management"
    SHORT_TERM_RESIDENTIAL = "short_term_residential", "Short-term residential treatment"
    LONG_TERM_RESIDENTIAL = "long_term_residential", "Long-term residential treatment"
    RECOVERY_SUPPORT = "recovery_support", "Recovery support"
    MENTAL_HEALTH = "mental_health", "Mental health care"
    PRIMARY_CARE = "primary_care", "Primary health care"
    CASE_MANAGEMENT = "case_management", "Case management"
    HOUSING_SUPPORT = "housing_support", "Housing support"
    EMPLOYMENT_SUPPORT = "employment_support", "Employment / vocational support"
    LEGAL_AID = "legal_aid", "Legal aid"
    PEER_SUPPORT = "peer_support", "Peer support"
    FAMILY_SUPPORT = "family_support", "Family support"


class Gender(models.TextChoices):
    ANY = "any", "Everyone"
    WOMEN = "women", "Women only"
    MEN = "men", "Men only"
    TRANSGENDER_NONBINARY = "trans_nonbinary", "Transgender and non-binary people"


class CostType(models.TextChoices):
    FREE = "free", "Free"
    SUBSIDISED = "subsidised", "Subsidised / sliding scale"
    FEE = "fee", "Fee charged"
    INSURANCE = "insurance", "Covered by health insurance"


class DeliveryMode(models.TextChoices):
    ON_SITE = "on_site", "At the site"
    MOBILE = "mobile", "Mobile / outreach in the community"
    REMOTE = "remote", "By phone or online"


class Population(models.Model):
    """A group a service is designed for (seed 001 chapter 4, special populations)."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    code = models.CharField(max_length=12, primary_key=True, help_text="BCP 47 tag, e.g. 'km' or 'zh-Hans'.")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=ServiceType.choices)
    pyramid_level = models.PositiveSmallIntegerField(choices=PyramidLevel.choices)
    description = models.TextField(blank=True)
    delivery_mode = models.CharField(max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.ON_SITE)
    # Capacity: clients the service can hold at once (places, slots); blank when not meaningful.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    waiting_time_days = models.PositiveIntegerField(null=True, blank=True)
    waiting_time_updated_at = models.DateTimeField(null=True, blank=True)
    # Eligibility
    min_age = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(120)])
    max_age = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(120)])
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.ANY)
    populations = models.ManyToManyField(Population, blank=True, related_name="services")
    eligibility_note = models.CharField(max_length=300, blank=True)
    self_referral = models.BooleanField(default=True, help_text="People can walk in or call without a referral.")
    languages = models.ManyToManyField(Language, blank=True, related_name="services")
    cost = models.CharField(max_length=12, choices=CostType.choices, default=CostType.FREE)
    cost_note = models.CharField(max_length=200, blank=True)
    wheelchair_accessible = models.BooleanField(default=False)
    accessibility_note = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # One index per directory filter, each ending in name for the ordered, paginated list.
            models.Index(fields=["is_active", "type", "name"], name="service_type_idx"),
            models.Index(fields=["is_active", "pyramid_level", "name"], name="service_level_idx"),
            models.Index(fields=["is_active", "name"], name="service_name_idx"),
            models.Index(fields=["is_active", "cost", "name"], name="service_cost_idx"),
            # A range ("waits at most n days"): the index finds the rows, the page is then sorted by name. Not led
            # by is_active, which the planner would otherwise take as a (poor) index on is_active alone.
            models.Index(fields=["waiting_time_days"], name="service_wait_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="service_age_range_ordered",
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
            ),
            models.CheckConstraint(
                name="service_pyramid_level_1_to_7", condition=Q(pyramid_level__gte=1, pyramid_level__lte=7)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.site_id and self.organisation_id and self.site.organisation_id != self.organisation_id:
            raise ValidationError({"site": "The site must belong to the service's organisation."})
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError({"max_age": "The upper age limit must not be below the lower one."})


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """Weekly opening hours in the site's local time (HSDS: schedule). A service without rows of its own
    keeps its site's hours."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens_at"]
        indexes = [models.Index(fields=["site", "service", "weekday"], name="opening_hours_lookup_idx")]
        constraints = [
            models.CheckConstraint(
                name="opening_hours_opens_before_closes", condition=Q(opens_at__lt=models.F("closes_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"
