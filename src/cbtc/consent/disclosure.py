"""The one place that decides who may see a client, and that logs every disclosure across organisations.

Staff see a client's record when they hold CLIENT_VIEW in the organisation that registered the client (the
owner), or when a consent in force names their organisation as a recipient — and then only the information
categories that consent covers. Every read through the second route is a disclosure: it is written to the
Disclosure log (the client's accounting of disclosures) and the audit trail in the same transaction.
National and network-wide roles never hold CLIENT_VIEW, so they reach no record at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cbtc.audit.context import current_request_id
from cbtc.audit.services import audit_record
from cbtc.clients.models import Client, InformationCategory
from cbtc.consent.models import Consent, ConsentKind, Disclosure, DisclosureChannel
from cbtc.consent.rules import ConsentTerms, categories_covered
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.roles import Permission

ALL_CATEGORIES = frozenset(InformationCategory.values)
# Categories a consent to share may name. The consent history itself stays with the owner; a recipient is
# shown the consent it receives under instead (42 CFR §2.32 copy of consent).
DISCLOSABLE_CATEGORIES = ALL_CATEGORIES - {InformationCategory.CONSENTS}


@dataclass(frozen=True)
class RecordAccess:
    """What one actor may see of one client record, and why."""

    client_id: str
    owner: bool
    categories: frozenset[str]
    # For a disclosed record: category -> the consent that allows it, and the recipient organisation.
    via: dict[str, ConsentTerms] = field(default_factory=dict)
    recipient_organisation_id: str | None = None

    def sees(self, category: str) -> bool:
        return category in self.categories


def viewer_organisation_ids(actor: Any) -> frozenset[str]:
    """Organisations whose clients (and whose received disclosures) the actor may see."""
    return user_organisation_ids_with(actor, Permission.CLIENT_VIEW)


def _now_and_today() -> tuple[datetime, date]:
    now = timezone.now()
    return now, timezone.localdate(now)


def consents_in_force(*, recipient_ids: Iterable[str], category: str | None = None) -> QuerySet[Consent]:
    """Consents to share in force now that name one of ``recipient_ids`` (and cover ``category``)."""
    now, today = _now_and_today()
    consents = Consent.objects.filter(
        kind=ConsentKind.DISCLOSURE,
        recipients__in=list(recipient_ids),
        given_at__lte=now,
        revoked_at__isnull=True,
        expiry_event_at__isnull=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if category is not None:
        consents = consents.filter(categories__contains=f",{category},")
    return consents


def shared_client_filters(actor: Any, *, category: str | None = None) -> list[Q]:
    """Filters for Client, one per way a consent in force shares records with the actor's organisations
    (given on the record itself, or on a record since merged into it). Use each as a query of its own: an OR
    across them and the owner's records would make the database scan every client."""
    organisations = viewer_organisation_ids(actor)
    if not organisations:
        return []
    in_force = consents_in_force(recipient_ids=organisations, category=category)
    return [
        Q(pk__in=in_force.values("client_id")),
        Q(pk__in=in_force.filter(client__merged_into__isnull=False).values("client__merged_into_id")),
    ]


def visible_clients_q(actor: Any, *, category: str | None = None) -> Q:
    """One filter for Client: records the actor's organisations own, or that a consent in force shares with
    them (covering ``category`` when given, so a search by name cannot reveal a name the consent withholds).
    For narrowing a handful of known ids; searches use the branches of ``shared_client_filters``."""
    organisations = viewer_organisation_ids(actor)
    if not organisations:
        return Q(pk__in=[])
    q = Q(organisation_id__in=organisations)
    for shared in shared_client_filters(actor, category=category):
        q |= shared
    return q


def record_client_ids(client: Client) -> list[Any]:
    """The ids that make up one person's record: the client and any records merged into it."""
    return [client.pk, *Client.objects.filter(merged_into=client).values_list("pk", flat=True)]


def person_client_ids(client: Client) -> list[Any]:
    """The ids of the whole record ``client`` belongs to, also when ``client`` is a duplicate merged into another:
    an episode kept on the duplicate is still that person's care."""
    survivor = client if client.merged_into_id is None else Client.objects.get(pk=client.merged_into_id)
    return record_client_ids(survivor)


def _terms(consent: Consent) -> ConsentTerms:
    return ConsentTerms(
        consent_id=str(consent.pk),
        recipient_ids=frozenset(str(org.pk) for org in consent.recipients.all()),
        categories=consent.category_set,
        purpose=consent.purpose,
        given_at=consent.given_at,
        expires_on=consent.expires_on,
        expiry_event_at=consent.expiry_event_at,
        revoked_at=consent.revoked_at,
    )


def _decide(
    client: Client, organisations: frozenset[str], consents: Iterable[Consent], now: datetime, today: date
) -> RecordAccess | None:
    covered = categories_covered((_terms(c) for c in consents), recipient_ids=organisations, at=now, today=today)
    allowed = {category: terms for category, terms in covered.items() if category in DISCLOSABLE_CATEGORIES}
    if not allowed:
        return None
    # Recorded as the recipient: the lowest of the actor's organisations that the first consent names, so the
    # accounting is stable for a person who works for two recipient organisations.
    first_terms = min(allowed.values(), key=lambda terms: (terms.given_at, terms.consent_id))
    recipient = min(first_terms.recipient_ids & organisations)
    return RecordAccess(
        client_id=str(client.pk),
        owner=False,
        categories=frozenset(allowed),
        via=allowed,
        recipient_organisation_id=recipient,
    )


def access_for_many(*, actor: Any, clients: Sequence[Client]) -> dict[Any, RecordAccess | None]:
    """The decision for each client (by pk), in a fixed number of queries however many clients there are.
    None means the actor may not know that record exists."""
    organisations = viewer_organisation_ids(actor)
    decisions: dict[Any, RecordAccess | None] = {}
    others: list[Client] = []
    for client in clients:
        if str(client.organisation_id) in organisations:
            decisions[client.pk] = RecordAccess(client_id=str(client.pk), owner=True, categories=ALL_CATEGORIES)
        elif not organisations:
            decisions[client.pk] = None
        else:
            others.append(client)
    if not others:
        return decisions
    # Each record's consents include those given on records merged into it.
    record_of: dict[Any, Any] = {client.pk: client.pk for client in others}
    for merged_id, survivor_id in Client.objects.filter(merged_into__in=[c.pk for c in others]).values_list(
        "pk", "merged_into_id"
    ):
        record_of[merged_id] = survivor_id
    consents_by_record: dict[Any, list[Consent]] = {client.pk: [] for client in others}
    consents = (
        Consent.objects.filter(
            kind=ConsentKind.DISCLOSURE, client_id__in=list(record_of), recipients__in=list(organisations)
        )
        .distinct()
        .prefetch_related("recipients")
    )
    for consent in consents:
        consents_by_record[record_of[consent.client_id]].append(consent)
    now, today = _now_and_today()
    for client in others:
        decisions[client.pk] = _decide(client, organisations, consents_by_record[client.pk], now, today)
    return decisions


def access_for(*, actor: Any, client: Client, group_ids: Sequence[Any] | None = None) -> RecordAccess | None:
    """The decision for one record. None means the actor may not know this record exists."""
    organisations = viewer_organisation_ids(actor)
    if not organisations:
        return None
    if str(client.organisation_id) in organisations:
        return RecordAccess(client_id=str(client.pk), owner=True, categories=ALL_CATEGORIES)
    ids = list(group_ids) if group_ids is not None else record_client_ids(client)
    consents = (
        Consent.objects.filter(kind=ConsentKind.DISCLOSURE, client_id__in=ids, recipients__in=list(organisations))
        .distinct()
        .prefetch_related("recipients")
    )
    now, today = _now_and_today()
    return _decide(client, organisations, consents, now, today)


def _recipient_under(terms: ConsentTerms, recipient: str, organisations: frozenset[str]) -> str:
    """The organisation a disclosure under ``terms`` went to: the access's recipient when this consent names
    it, else the lowest of the actor's organisations that it does name. The accounting never says a record
    went to an organisation under a consent that does not name that organisation."""
    if recipient in terms.recipient_ids:
        return recipient
    return min(terms.recipient_ids & organisations, default=recipient)


def _disclosure_rows(
    *, actor: Any, client: Client, access: RecordAccess, channel: str, categories: Iterable[str] | None
) -> list[Disclosure]:
    recipient = access.recipient_organisation_id
    if access.owner or recipient is None:
        return []
    wanted = access.categories if categories is None else frozenset(categories) & access.categories
    by_consent: dict[str, tuple[ConsentTerms, list[str]]] = {}
    for category in sorted(wanted):
        terms = access.via[category]
        by_consent.setdefault(terms.consent_id, (terms, []))[1].append(category)
    request_id = current_request_id()
    organisations = viewer_organisation_ids(actor)
    return [
        Disclosure(
            consent_id=consent_id,
            client=client,
            disclosing_organisation_id=client.organisation_id,
            recipient_organisation_id=_recipient_under(terms, recipient, organisations),
            recipient_user=actor,
            categories=shown,
            purpose=terms.purpose,
            channel=channel,
            request_id=request_id,
        )
        for consent_id, (terms, shown) in by_consent.items()
    ]


@transaction.atomic
def disclosure_log(
    *,
    actor: Any,
    client: Client,
    access: RecordAccess,
    channel: DisclosureChannel,
    categories: Iterable[str] | None = None,
) -> list[Disclosure]:
    """Record a disclosure of ``categories`` (default: all the access allows) to the actor: one Disclosure row
    and one audit event per consent used. Owners' reads are not disclosures and log nothing here (the read
    itself is audited by the selector)."""
    rows = _disclosure_rows(actor=actor, client=client, access=access, channel=channel, categories=categories)
    Disclosure.objects.bulk_create(rows)
    for row in rows:
        audit_record(
            actor=actor,
            action="client.disclose",
            object_type="client",
            object_id=client.pk,
            organisation_id=row.recipient_organisation_id,
            details={"consent": str(row.consent_id), "channel": str(channel), "categories": ",".join(row.categories)},
        )
    return rows


@transaction.atomic
def disclosure_log_listing(
    *, actor: Any, shown: Sequence[tuple[Client, RecordAccess, Iterable[str]]], channel: DisclosureChannel
) -> list[Disclosure]:
    """Record that a page of search results or duplicate candidates showed shared records: one Disclosure row
    per client and consent, written together, and one audit event for the listing that names the range of
    Disclosure rows (a page costs the same few queries however many shared records it lists)."""
    rows = [
        row
        for client, access, categories in shown
        for row in _disclosure_rows(actor=actor, client=client, access=access, channel=channel, categories=categories)
    ]
    if not rows:
        return []
    created = Disclosure.objects.bulk_create(rows)
    ids = sorted(row.pk for row in created if row.pk is not None)
    audit_record(
        actor=actor,
        action="client.disclose_listing",
        details={
            "channel": str(channel),
            "disclosures": len(rows),
            "first_disclosure": ids[0] if ids else None,
            "last_disclosure": ids[-1] if ids else None,
        },
    )
    return rows


def disclosure_log_court_report(*, actor: Any, consent: Consent, categories: Iterable[str]) -> Disclosure:
    """Record a progress report handed to the court named by a consent to court reports: the accounting lists
    it like any other disclosure, with the court in words and the staff member who handed it over."""
    row = Disclosure.objects.create(
        consent=consent,
        client_id=consent.client_id,
        disclosing_organisation_id=consent.organisation_id,
        external_recipient=consent.external_recipient,
        disclosed_by=actor,
        categories=sorted(categories),
        channel=DisclosureChannel.COURT_REPORT,
        request_id=current_request_id(),
    )
    audit_record(
        actor=actor,
        action="client.disclose",
        object_type="client",
        object_id=consent.client_id,
        organisation_id=consent.organisation_id,
        details={"consent": str(consent.pk), "channel": str(DisclosureChannel.COURT_REPORT)},
    )
    return row
