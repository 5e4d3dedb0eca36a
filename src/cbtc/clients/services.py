"""Writes to the client registry: register, update, merge and undo a merge, add to the timeline.

Each service takes the acting user, checks the permission in the owning organisation, runs in one
transaction and writes its audit event inside it. Audit details carry opaque ids only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.clients.duplicates import DuplicateReport, find_duplicates
from cbtc.clients.identity import MAX_LENGTHS, Identity, encrypt_identity, identity_digests
from cbtc.clients.keys import KeyRing
from cbtc.clients.models import (
    KEY_POPULATIONS,
    Client,
    ClientEvent,
    ClientMerge,
    ClientSearchDigest,
    GenderIdentity,
    InformationCategory,
    MergeReason,
    SexAtBirth,
    Substance,
)
from cbtc.clients.uic import UicResult, get_scheme
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Organisation, User
from cbtc.network.roles import Permission

EARLIEST_BIRTH_YEAR = 1900


class PossibleDuplicates(ServiceError):
    """Registration stopped because the client may already be known; the caller shows the report and asks
    the user to confirm that this is a different person."""

    def __init__(self, report: DuplicateReport) -> None:
        super().__init__("This person may already be registered. Check the possible matches first.", field="uic")
        self.report = report


@dataclass(frozen=True)
class Demographics:
    birth_year: int | None = None
    birth_month: int | None = None
    sex_at_birth: str = SexAtBirth.NOT_STATED
    gender_identity: str = GenderIdentity.NOT_STATED
    key_populations: frozenset[str] = field(default_factory=frozenset)
    substances: frozenset[str] = field(default_factory=frozenset)


def _check_demographics(demographics: Demographics) -> None:
    this_year = timezone.localdate().year
    year, month = demographics.birth_year, demographics.birth_month
    if year is not None and not EARLIEST_BIRTH_YEAR <= year <= this_year:
        raise ServiceError(f"Birth year must be between {EARLIEST_BIRTH_YEAR} and {this_year}.", field="birth_year")
    if month is not None:
        if year is None:
            raise ServiceError("Give the birth year as well as the month, or leave the month out.", field="birth_month")
        if not 1 <= month <= 12:  # noqa: PLR2004  # months of the year
            raise ServiceError("Birth month must be between 1 and 12.", field="birth_month")
    if demographics.sex_at_birth not in SexAtBirth.values:
        raise ServiceError("Choose sex at birth from the list.", field="sex_at_birth")
    if demographics.gender_identity not in GenderIdentity.values:
        raise ServiceError("Choose gender identity from the list.", field="gender_identity")
    unknown_kp = demographics.key_populations - KEY_POPULATIONS.keys()
    if unknown_kp:
        raise ServiceError("Choose key populations from the list.", field="key_populations")


def _check_identity(identity: Identity) -> None:
    for name, limit in MAX_LENGTHS.items():
        if len(getattr(identity, name)) > limit:
            raise ServiceError(f"Use at most {limit} characters.", field=name)


def _substances(codes: Iterable[str]) -> list[Substance]:
    codes = set(codes)
    found = list(Substance.objects.filter(code__in=codes))
    if len(found) != len(codes):
        raise ServiceError("Choose main substances from the list.", field="substances")
    return found


def _require_in(actor: User, permission: Permission, organisation_id: Any) -> None:
    organisation = Organisation(pk=organisation_id)
    if not user_has_permission_in(actor, permission, organisation):
        raise NotPermitted("Your role in this organisation does not include this.")


def store_identity(client: Client, identity: Identity, *, ring: KeyRing | None = None) -> None:
    """Encrypt the details onto the client and rebuild its blind-index digests (client must be saved)."""
    client.identity_ciphertext = encrypt_identity(identity, ring=ring)
    ClientSearchDigest.objects.filter(client=client).delete()
    ClientSearchDigest.objects.bulk_create(
        ClientSearchDigest(client=client, digest=digest) for digest in sorted(identity_digests(identity, ring=ring))
    )


def timeline_add(
    *,
    client: Client,
    organisation_id: Any,
    kind: str,
    category: InformationCategory | str,
    summary: str,
    actor: User | None,
    object_type: str = "",
    object_id: Any = None,
    occurred_at: datetime | None = None,
) -> ClientEvent:
    """Add an entry to a client's timeline. Call inside the transaction of the change it records. The
    summary is generated text, never something typed about the client."""
    return ClientEvent.objects.create(
        client=client,
        organisation_id=organisation_id,
        kind=kind,
        category=category,
        summary=summary[:200],
        recorded_by=actor,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        occurred_at=occurred_at or timezone.now(),
    )


def _same_registration(client: Client, *, organisation: Organisation, uic: UicResult) -> bool:
    return client.organisation_id == organisation.pk and client.uic == uic.code and client.uic_scheme == uic.scheme


def client_register(
    *,
    actor: User,
    organisation: Organisation,
    uic: UicResult,
    demographics: Demographics,
    identity: Identity,
    confirmed_new_person: bool = False,
    client_id: uuid.UUID | None = None,
) -> Client:
    """Register a client. Only the UIC is required (an outreach worker may know no more than a nickname).

    Unless ``confirmed_new_person``, possible duplicates stop the registration with PossibleDuplicates.
    A ``client_id`` chosen by an offline device makes a retry safe: the same id and code again returns the
    client already registered; the same id with a different code is refused.
    """
    _require_in(actor, Permission.CLIENT_REGISTER, organisation.pk)
    _check_demographics(demographics)
    _check_identity(identity)
    substances = _substances(demographics.substances)
    if client_id is not None:
        existing = Client.objects.filter(pk=client_id).first()
        if existing is not None:
            if _same_registration(existing, organisation=organisation, uic=uic):
                return existing
            raise ServiceError("A different client was already registered with this id.", field="id")
    if not confirmed_new_person:
        report = find_duplicates(
            actor=actor,
            uic=uic,
            birth_year=demographics.birth_year,
            sex_at_birth=demographics.sex_at_birth,
            organisation_id=organisation.pk,
        )
        if report.any:
            raise PossibleDuplicates(report)
    scheme = get_scheme(uic.scheme)
    block_a, block_b = scheme.block_keys(uic.code)
    try:
        with transaction.atomic():
            client = Client.objects.create(
                id=client_id or uuid.uuid4(),
                organisation=organisation,
                registered_by=actor,
                uic=uic.code,
                uic_scheme=uic.scheme,
                uic_scheme_version=uic.version,
                uic_low_confidence=uic.low_confidence,
                uic_block_a=block_a,
                uic_block_b=block_b,
                birth_year=demographics.birth_year,
                birth_month=demographics.birth_month,
                sex_at_birth=demographics.sex_at_birth,
                gender_identity=demographics.gender_identity,
                **{flag: flag in demographics.key_populations for flag in KEY_POPULATIONS},
            )
            client.main_substances.set(substances)
            store_identity(client, identity)
            client.save(update_fields=["identity_ciphertext"])
            timeline_add(
                client=client,
                organisation_id=organisation.pk,
                kind="client.registered",
                category=InformationCategory.DEMOGRAPHICS,
                summary="Registered" + (" anonymously" if identity.is_empty() or _nickname_only(identity) else ""),
                actor=actor,
            )
            audit_record(
                actor=actor,
                action="client.register",
                object_type="client",
                object_id=client.pk,
                organisation_id=organisation.pk,
                details={"scheme": uic.scheme, "low_confidence": uic.low_confidence, "confirmed": confirmed_new_person},
            )
    except IntegrityError as exc:  # a concurrent retry with the same offline id
        raise ServiceError("A client with this id was registered at the same moment; try again.", field="id") from exc
    return client


def _nickname_only(identity: Identity) -> bool:
    return identity == Identity(nickname=identity.nickname)


@transaction.atomic
def client_update(*, actor: User, client: Client, demographics: Demographics, identity: Identity) -> Client:
    """Correct the demographics and identifying details of a client of the actor's organisation."""
    _require_in(actor, Permission.CLIENT_REGISTER, client.organisation_id)
    _check_demographics(demographics)
    _check_identity(identity)
    substances = _substances(demographics.substances)
    client.birth_year = demographics.birth_year
    client.birth_month = demographics.birth_month
    client.sex_at_birth = demographics.sex_at_birth
    client.gender_identity = demographics.gender_identity
    for flag in KEY_POPULATIONS:
        setattr(client, flag, flag in demographics.key_populations)
    store_identity(client, identity)
    client.save()
    client.main_substances.set(substances)
    timeline_add(
        client=client,
        organisation_id=client.organisation_id,
        kind="client.updated",
        category=InformationCategory.DEMOGRAPHICS,
        summary="Details corrected",
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="client.update",
        object_type="client",
        object_id=client.pk,
        organisation_id=client.organisation_id,
    )
    return client


def client_merge(*, actor: User, survivor: Client, duplicate: Client, reason: str) -> ClientMerge:
    """Merge ``duplicate`` into ``survivor``. Nothing is moved or deleted: the duplicate points at the
    survivor, whose record then shows both timelines and honours both sets of consents."""
    if reason not in MergeReason.values:
        raise ServiceError("Choose why these records are the same person.", field="reason")
    with transaction.atomic():
        # Lock both rows in a fixed order so two merges of the same pair cannot interleave.
        locked = {
            c.pk: c
            for c in Client.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk]).order_by("pk")
        }
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        if survivor.pk == duplicate.pk:
            raise ServiceError("Choose a different record to merge.", field="duplicate")
        if survivor.organisation_id != duplicate.organisation_id:
            # Across organisations a merge would disclose one service's record to another.
            raise ServiceError("Only records of the same organisation can be merged.", field="duplicate")
        _require_in(actor, Permission.CLIENT_MERGE, survivor.organisation_id)
        if survivor.merged_into_id is not None or duplicate.merged_into_id is not None:
            raise ServiceError("One of these records is already merged into another.", field="duplicate")
        if Client.objects.filter(merged_into=duplicate).exists():
            raise ServiceError(
                "Other records are merged into the one you chose as the duplicate. Merge in the other direction, "
                "or undo those merges first.",
                field="duplicate",
            )
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["merged_into", "updated_at"])
        merge = ClientMerge.objects.create(
            survivor=survivor,
            merged=duplicate,
            organisation_id=survivor.organisation_id,
            merged_by=actor,
            reason=reason,
        )
        for client, summary in (
            (survivor, "Another record of this person was merged in"),
            (duplicate, "Merged into another record"),
        ):
            timeline_add(
                client=client,
                organisation_id=survivor.organisation_id,
                kind="client.merged",
                category=InformationCategory.DEMOGRAPHICS,
                summary=summary,
                actor=actor,
                object_type="client_merge",
                object_id=merge.pk,
            )
        audit_record(
            actor=actor,
            action="client.merge",
            object_type="client",
            object_id=survivor.pk,
            organisation_id=survivor.organisation_id,
            details={"merged": str(duplicate.pk), "merge": str(merge.pk)},
        )
    return merge


@transaction.atomic
def client_merge_undo(*, actor: User, merge: ClientMerge) -> ClientMerge:
    merge = ClientMerge.objects.select_for_update().get(pk=merge.pk)
    _require_in(actor, Permission.CLIENT_MERGE, merge.organisation_id)
    if merge.undone_at is not None:
        raise ServiceError("This merge was already undone.")
    duplicate = Client.objects.select_for_update().get(pk=merge.merged_id)
    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    for client_id, summary in (
        (merge.survivor_id, "A merged record was separated again"),
        (merge.merged_id, "Merge undone"),
    ):
        timeline_add(
            client=Client(pk=client_id),
            organisation_id=merge.organisation_id,
            kind="client.merge_undone",
            category=InformationCategory.DEMOGRAPHICS,
            summary=summary,
            actor=actor,
            object_type="client_merge",
            object_id=merge.pk,
        )
    audit_record(
        actor=actor,
        action="client.merge_undo",
        object_type="client",
        object_id=merge.survivor_id,
        organisation_id=merge.organisation_id,
        details={"merged": str(merge.merged_id), "merge": str(merge.pk)},
    )
    return merge
