"""The client registry: pseudonymous clients, their timeline and the record of merges.

A client is an opaque UUID, the organisation that registered them, a UIC and minimal demographics.
Identifying details are optional and live only as ciphertext (cbtc.clients.identity); the blind index holds
keyed digests, never words.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    NOT_STATED = "not_stated", "Not stated"


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    TRANSGENDER_WOMAN = "transgender_woman", "Transgender woman"
    TRANSGENDER_MAN = "transgender_man", "Transgender man"
    NON_BINARY = "non_binary", "Non-binary"
    ANOTHER = "another", "Another identity"
    NOT_STATED = "not_stated", "Not stated"


# Key-population flags: model field name -> label. Booleans, so aggregate indicators can filter on them.
KEY_POPULATIONS: dict[str, str] = {
    "kp_injects_drugs": "Injects drugs",
    "kp_sex_worker": "Sex worker",
    "kp_msm": "Man who has sex with men",
    "kp_transgender": "Transgender person",
    "kp_in_prison": "In prison or other closed setting, now or recently",
}


class Substance(models.Model):
    """Reference list of main substances (seeded by migration; deployments may add rows)."""

    code = models.SlugField(primary_key=True, max_length=40)
    label = models.CharField(max_length=80)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ("sort_order", "label")

    def __str__(self) -> str:
        return self.label


class Client(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="clients")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # The UIC is a pseudonym, still personal data: never in URLs or logs. Which scheme made it is kept so
    # codes from different schemes are never compared as if they were alike.
    uic = models.CharField(max_length=40)
    uic_scheme = models.CharField(max_length=40)
    uic_scheme_version = models.PositiveSmallIntegerField()
    uic_low_confidence = models.BooleanField(default=False)
    # Blocking keys for duplicate search (cbtc.clients.uic.UicScheme.block_keys): candidates are fetched by
    # index, then scored, so a registration never scans the registry.
    uic_block_a = models.CharField(max_length=40, blank=True)
    uic_block_b = models.CharField(max_length=40, blank=True)

    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    sex_at_birth = models.CharField(max_length=20, choices=SexAtBirth.choices, default=SexAtBirth.NOT_STATED)
    gender_identity = models.CharField(max_length=20, choices=GenderIdentity.choices, default=GenderIdentity.NOT_STATED)
    kp_injects_drugs = models.BooleanField(default=False)
    kp_sex_worker = models.BooleanField(default=False)
    kp_msm = models.BooleanField(default=False)
    kp_transgender = models.BooleanField(default=False)
    kp_in_prison = models.BooleanField(default=False)
    main_substances = models.ManyToManyField(Substance, blank=True, related_name="+")

    # Fernet ciphertext of the identifying details; empty for a client registered anonymously.
    identity_ciphertext = models.TextField(blank=True, default="")

    # Set while this record is merged into another; cleared if the merge is undone.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records"
    )

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-registered_at"], name="client_org_registered"),
            # Newest-first walks over records shared with an organisation (the shared ids are a hashed set).
            models.Index(fields=["-registered_at", "-id"], name="client_registered"),
            models.Index(fields=["uic"], name="client_uic"),
            models.Index(fields=["uic_scheme", "uic_block_a"], name="client_uic_block_a"),
            models.Index(fields=["uic_scheme", "uic_block_b"], name="client_uic_block_b"),
            models.Index(fields=["organisation", "birth_year", "sex_at_birth"], name="client_org_demographics"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | Q(birth_month__gte=1, birth_month__lte=12),
                name="client_birth_month_valid",
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")), name="client_not_merged_into_self"),
        ]

    def __str__(self) -> str:
        return f"Client {self.pk}"  # never the UIC or a name: str() ends up in logs


class ClientSearchDigest(models.Model):
    """Blind index: keyed HMAC digests of normalised name words and the national ID."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="search_digests")
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["digest", "client"], name="client_search_digest")]
        constraints = [models.UniqueConstraint(fields=["client", "digest"], name="client_search_digest_unique")]

    def __str__(self) -> str:
        return f"Search digest of client {self.client_id}"


class InformationCategory(models.TextChoices):
    """What a piece of the record is about. Consents to share name these; timeline entries carry one, so a
    recipient sees only what the consent covers. A closed list (42 CFR §2.31(a)(3): specific and meaningful)."""

    IDENTITY = "identity", "Name and contact details"
    DEMOGRAPHICS = "demographics", "Demographics (code, birth year and month, sex, gender, key populations, substances)"
    SCREENING = "screening", "Screening results"
    EPISODES = "episodes", "Treatment episodes"
    CARE_PLANS = "care_plans", "Care plans"
    MEDICATION = "medication", "Medication and doses"
    HIV_HEPATITIS = "hiv_hepatitis", "HIV and hepatitis status"
    OUTCOMES = "outcomes", "Outcomes"
    REFERRALS = "referrals", "Referrals (where to, why, and what happened)"
    HARM_REDUCTION = "harm_reduction", "Outreach contacts and harm reduction (supplies given, overdoses)"
    CONSENTS = "consents", "Consents"


class ClientEvent(models.Model):
    """One entry on a client's timeline. Later parts of the system (screening, care, OAT, referrals) add
    entries through cbtc.clients.services.timeline_add, in the transaction of the change they record."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="events")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=40)
    category = models.CharField(max_length=20, choices=InformationCategory.choices)
    # A short, generated description ("Consent to share given"). Never free text typed about the client.
    summary = models.CharField(max_length=200)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "-occurred_at", "-id"], name="client_event_timeline"),
            # The last thing one organisation recorded about a client (the no-contact worklist, lost to follow-up):
            # one index lookup, not a merge of the client's and the organisation's whole histories.
            models.Index(fields=["client", "organisation", "-occurred_at"], name="client_event_by_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for client {self.client_id}"


class MergeReason(models.TextChoices):
    """Why two records are the same person: a closed list, so no one types a client's name into the record
    of a merge (it is stored in plain text, unlike identifying details)."""

    SAME_CODE_CONFIRMED = "same_code_confirmed", "Same code, and the client confirmed both records are theirs"
    CODE_MISTYPED = "code_mistyped", "One of the codes was mistyped; the client confirmed it is them"
    CLIENT_CONFIRMED = "client_confirmed", "The client told us they were registered twice"
    REGISTERED_TWICE = "registered_twice", "Registered twice by mistake on the same visit"


class ClientMerge(models.Model):
    """A merge of a duplicate record into the record that survives. Nothing moves: the duplicate keeps its
    rows and points at the survivor, so undoing a merge is clearing that pointer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges_as_duplicate")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=30, choices=MergeReason.choices)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["survivor", "-merged_at"], name="client_merge_survivor")]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="client_merge_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"Merge {self.pk}"
