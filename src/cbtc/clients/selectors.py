"""Reads of client data. Every function takes the acting user, sees only what cbtc.consent.disclosure allows,
audits the read, and logs a disclosure when the read crosses an organisation boundary. None returns an
unbounded list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.clients.identity import Identity, decrypt_identity, name_query_digests, national_id_query_digest
from cbtc.clients.models import Client, ClientEvent, ClientMerge, ClientSearchDigest, InformationCategory, Substance
from cbtc.clients.uic import UicError, active_scheme, parse_uic
from cbtc.consent.disclosure import (
    RecordAccess,
    access_for,
    access_for_many,
    disclosure_log,
    disclosure_log_listing,
    record_client_ids,
    shared_client_filters,
)
from cbtc.consent.models import DisclosureChannel
from cbtc.consent.rules import AgeStatus, age_status
from cbtc.errors import NotFound, NotPermitted
from cbtc.network.access import user_has_permission, user_has_permission_in, user_organisation_ids_with
from cbtc.network.models import Organisation
from cbtc.network.roles import Permission

IDENTITY = InformationCategory.IDENTITY
DEMOGRAPHICS = InformationCategory.DEMOGRAPHICS
TIMELINE_PAGE = 50
NOT_OWNER = "Only the service that registered this client can do this."
# Nobody reads past page 400 of a list (10,000 clients); a deeper page is refused rather than scanned.
MAX_PAGE = 400
# Timeline entries about merges: the owner's housekeeping, never shown to a recipient organisation.
MERGE_EVENT_KINDS = ("client.merged", "client.merge_undone")
# Placement reviews are the owner's own business too (screening.level_of_care): a recipient whose consent covers
# screening must not learn from them where the client was placed.
# Incidents (arrests, harassment, violence) stay inside the organisation that recorded them (care.models.incidents).
OWNER_ONLY_EVENT_KINDS = (
    *MERGE_EVENT_KINDS,
    "screening.placement_review",
    "screening.placement_reviewed",
    "care.incident",
    "care.court_report",
)
# Whole families of entries kept to the owner: every step of a legal-aid referral (referrals/services.py).
OWNER_ONLY_EVENT_PREFIXES = ("referral.legal_aid.",)


def _require(actor: Any, permission: Permission) -> None:
    if not user_has_permission(actor, permission):
        raise NotPermitted("Your role does not include this.")


def parse_client_id(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


@dataclass(frozen=True)
class ClientRecord:
    """One client as one actor may see it."""

    client: Client
    access: RecordAccess
    identity: Identity | None  # None: not covered by the consent the actor sees this record under
    substances: list[Substance]
    group_ids: list[Any]  # this record and the records merged into it

    def sees(self, category: str) -> bool:
        return self.access.sees(category)

    @property
    def display_name(self) -> str:
        return self.identity.display_name if self.identity else ""

    @property
    def young_person_label(self) -> str:
        """A flag for a client who may be under the age of majority (the consent rules' reading of the birth
        year and month), for those who see demographics; "" otherwise. Care for young people differs: a parent's
        consent, separate settings (care/young_people.py)."""
        if not self.sees(InformationCategory.DEMOGRAPHICS):
            return ""
        status = age_status(
            birth_year=self.client.birth_year,
            birth_month=self.client.birth_month,
            today=timezone.localdate(),
            minor_age=settings.MINOR_AGE,
        )
        return f"Young person: may be under {settings.MINOR_AGE}" if status is AgeStatus.MINOR else ""


def registering_organisations(*, actor: Any) -> list[Organisation]:
    """Organisations the actor may register clients for."""
    ids = user_organisation_ids_with(actor, Permission.CLIENT_REGISTER)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def client_get_for_actor(
    *,
    actor: Any,
    client_id: Any,
    channel: DisclosureChannel = DisclosureChannel.VIEW,
    for_action: Permission | None = None,
    discloses: frozenset[str] | None = None,
) -> ClientRecord:
    """The record as the actor may see it. With ``for_action`` (a change about to be made), only the owner's
    staff holding that permission get it; a recipient organisation is refused before anything is disclosed."""
    _require(actor, Permission.CLIENT_VIEW)
    client = Client.objects.select_related("organisation").filter(pk=parse_client_id(client_id)).first()
    if client is None:
        raise NotFound
    group_ids = record_client_ids(client)
    access = access_for(actor=actor, client=client, group_ids=group_ids)
    if access is None:
        raise NotFound
    if for_action is not None and not (access.owner and user_has_permission_in(actor, for_action, client.organisation)):
        # A refusal is an access decision too (ASVS 16.3.2): recorded, with opaque ids only.
        audit_record(
            actor=actor,
            action="access.denied",
            object_type="client",
            object_id=client.pk,
            organisation_id=access.recipient_organisation_id or client.organisation_id,
            details={"reason": "not_owner", "needed": str(for_action)},
        )
        raise NotPermitted(NOT_OWNER)
    identity = decrypt_identity(client.identity_ciphertext) if access.sees(IDENTITY) else None
    substances = list(client.main_substances.all()) if access.sees(DEMOGRAPHICS) else []
    audit_record(
        actor=actor,
        action="client.view",
        object_type="client",
        object_id=client.pk,
        organisation_id=access.recipient_organisation_id or client.organisation_id,
        details={"channel": str(channel), "owner": access.owner},
    )
    # ``discloses`` narrows what the caller will actually show (default: everything the access allows).
    disclosure_log(actor=actor, client=client, access=access, channel=channel, categories=discloses)
    return ClientRecord(client=client, access=access, identity=identity, substances=substances, group_ids=group_ids)


@dataclass(frozen=True)
class ClientRow:
    client: Client
    owner: bool
    display_name: str  # empty when the actor may not see identifying details
    # What the row may show: IDENTITY and/or DEMOGRAPHICS (both for the owner).
    categories: frozenset[str] = frozenset({IDENTITY, DEMOGRAPHICS})


@dataclass(frozen=True)
class ClientPage:
    rows: list[ClientRow]
    page: int
    has_next: bool


@dataclass(frozen=True)
class ClientQuery:
    text: str = ""  # whole name words, or a national ID
    uic: str = ""
    shared_only: bool = False
    own_only: bool = False  # only the actor's organisations' own clients: lists nothing shared, logs no disclosure


def _uic_filter(text: str) -> Q:
    # A typed code is normalised by the active scheme when it parses; otherwise matched as typed (upper case,
    # no spaces), so codes of older schemes can still be found.
    try:
        code = parse_uic(active_scheme(), text).code
    except UicError:
        code = "".join(text.split()).upper().replace("-", "")
    return Q(uic=code)


def _text_filter(text: str) -> Q:
    """Every word must be a word of one of the client's names. The search may also be a national ID, typed in
    one piece or with its separators ("NID-123-45" is three words, and also that national ID)."""
    digests = name_query_digests(text)
    national_id = national_id_query_digest(text)
    if len(digests) <= 1:
        wanted = [*digests, *([national_id] if national_id else [])]
        return Q(pk__in=ClientSearchDigest.objects.filter(digest__in=wanted).values("client_id"))
    q = Q()
    for digest in digests:
        q &= Q(pk__in=ClientSearchDigest.objects.filter(digest=digest).values("client_id"))
    if national_id:
        q |= Q(pk__in=ClientSearchDigest.objects.filter(digest=national_id).values("client_id"))
    return q


def _search_branches(actor: Any, query: ClientQuery) -> list[QuerySet[Client]]:
    """The search as separate queries, each able to use its own index: the organisation's own clients, and
    each way records are shared with it. A name search may only reach shared records whose consent covers
    names; a code search, those whose consent covers demographics. Otherwise the search itself would
    disclose what the consent withholds."""
    owned = user_organisation_ids_with(actor, Permission.CLIENT_VIEW)
    base = Client.objects.filter(merged_into__isnull=True)
    if query.text.strip():
        base = base.filter(_text_filter(query.text))
    if query.uic.strip():
        base = base.filter(_uic_filter(query.uic))
    branches = [] if query.shared_only else [base.filter(organisation_id__in=owned)]
    if not query.own_only:
        category = IDENTITY if query.text.strip() else DEMOGRAPHICS
        shared_base = base
        if query.text.strip() and query.uic.strip():
            # A name and a code: the code must be covered too, or a match would confirm a code the consent
            # withholds.
            covers_code = Q(pk__in=[])
            for shared in shared_client_filters(actor, category=DEMOGRAPHICS):
                covers_code |= shared
            shared_base = base.filter(covers_code)
        branches += [
            shared_base.filter(shared).exclude(organisation_id__in=owned)
            for shared in shared_client_filters(actor, category=category)
        ]
    return branches


def _page_of_ids(branches: list[QuerySet[Client]], offset: int, limit: int) -> list[Any]:
    """Ids of one page, newest first, across the branches. Each branch returns at most offset + limit keys
    through its own index; they are merged here."""
    newest_first = ("-registered_at", "-pk")
    if len(branches) == 1:
        return list(branches[0].order_by(*newest_first).values_list("pk", flat=True)[offset : offset + limit])
    keys: set[tuple[datetime, Any]] = set()
    for branch in branches:
        keys.update(branch.order_by(*newest_first).values_list("registered_at", "pk")[: offset + limit])
    ordered = sorted(keys, reverse=True)
    return [pk for _, pk in ordered[offset : offset + limit]]


def client_search_for_actor(*, actor: Any, query: ClientQuery, page: int = 1) -> ClientPage:
    """Clients in the actor's scope, newest first. Shared records listed are disclosures and are logged."""
    _require(actor, Permission.CLIENT_VIEW)
    size = settings.CLIENT_PAGE_SIZE
    page = max(1, min(page, MAX_PAGE))
    ids = _page_of_ids(_search_branches(actor, query), (page - 1) * size, size + 1)
    has_next = len(ids) > size and page < MAX_PAGE
    by_id = Client.objects.select_related("organisation").in_bulk(ids[:size])
    found = [by_id[pk] for pk in ids[:size] if pk in by_id]
    decisions = access_for_many(actor=actor, clients=found)
    rows: list[ClientRow] = []
    listed: list[tuple[Client, RecordAccess, frozenset[str]]] = []
    for client in found:
        access = decisions[client.pk]
        if access is None:  # consent ended between the query and now
            continue
        if access.owner:
            identity = decrypt_identity(client.identity_ciphertext)
            rows.append(ClientRow(client=client, owner=True, display_name=identity.display_name))
            continue
        shown = frozenset({DEMOGRAPHICS, IDENTITY} & access.categories)
        name = decrypt_identity(client.identity_ciphertext).display_name if IDENTITY in shown else ""
        listed.append((client, access, shown))
        rows.append(ClientRow(client=client, owner=False, display_name=name, categories=shown))
    disclosure_log_listing(actor=actor, shown=listed, channel=DisclosureChannel.LIST)
    audit_record(
        actor=actor,
        action="client.search",
        details={
            "by_text": bool(query.text.strip()),
            "by_pseudonym": bool(query.uic.strip()),
            "shared_only": query.shared_only,
            "page": page,
            "results": len(rows),
        },
    )
    return ClientPage(rows=rows, page=page, has_next=has_next)


def client_timeline(
    *, record: ClientRecord, before: tuple[datetime, int] | None = None
) -> tuple[list[ClientEvent], bool]:
    """Timeline entries of the record (merged records included) that the actor's access covers, newest
    first, TIMELINE_PAGE at a time; ``before`` is the (occurred_at, id) of the last entry already shown."""
    events = ClientEvent.objects.filter(client_id__in=record.group_ids, category__in=record.access.categories)
    if not record.access.owner:
        events = events.exclude(kind__in=OWNER_ONLY_EVENT_KINDS)  # recipients are not told about merges
        for prefix in OWNER_ONLY_EVENT_PREFIXES:
            events = events.exclude(kind__startswith=prefix)
    if before is not None:
        at, event_id = before
        events = events.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=event_id))
    found = list(events.select_related("organisation").order_by("-occurred_at", "-id")[: TIMELINE_PAGE + 1])
    return found[:TIMELINE_PAGE], len(found) > TIMELINE_PAGE


def client_merges(*, record: ClientRecord) -> list[ClientMerge]:
    """Merges into or out of this record; for its owner only (recipients are not told about merges)."""
    if not record.access.owner:
        return []
    return list(
        ClientMerge.objects.filter(Q(survivor=record.client) | Q(merged=record.client))
        .select_related("merged_by", "undone_by")
        .order_by("-merged_at")[:50]
    )


def merge_get_for_actor(*, actor: Any, merge_id: Any) -> ClientMerge:
    _require(actor, Permission.CLIENT_MERGE)
    merge = ClientMerge.objects.filter(pk=parse_client_id(merge_id)).first()
    if merge is None or str(merge.organisation_id) not in user_organisation_ids_with(actor, Permission.CLIENT_MERGE):
        raise NotFound
    return merge
