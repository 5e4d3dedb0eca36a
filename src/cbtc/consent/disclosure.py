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
from django.db.models import Exists, OuterRef, Q, QuerySet
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


def visible_clients_q(actor: Any, *, category: str | None = None) -> Q:
    """A filter for Client: records the actor's organisations own, or that a consent in force shares with
    them (covering ``category`` when given, so a search by name cannot reveal a name the consent withholds).
    A consent given for a record later merged into another shares the surviving record too."""
    organisations = viewer_organisation_ids(actor)
    if not organisations:
        return Q(pk__in=[])
    in_force = consents_in_force(recipient_ids=organisations, category=category)
    shared = Exists(in_force.filter(client=OuterRef("pk"))) | Exists(
        in_force.filter(client__merged_into=OuterRef("pk"))
    )
    return Q(organisation_id__in=organisations) | shared


def record_client_ids(client: Client) -> list[Any]:
    """The ids that make up one person's record: the client and any records merged into it."""
    return [client.pk, *Client.objects.filter(merged_into=client).values_list("pk", flat=True)]


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


def access_for(*, actor: Any, client: Client, group_ids: Sequence[Any] | None = None) -> RecordAccess | None:
    """The decision. None means the actor may not know this record exists."""
    organisations = viewer_organisation_ids(actor)
    if not organisations:
        return None
    if str(client.organisation_id) in organisations:
        return RecordAccess(client_id=str(client.pk), owner=True, categories=ALL_CATEGORIES)
    ids = list(group_ids) if group_ids is not None else record_client_ids(client)
    candidates = (
        Consent.objects.filter(kind=ConsentKind.DISCLOSURE, client_id__in=ids, recipients__in=list(organisations))
        .distinct()
        .prefetch_related("recipients")
    )
    now, today = _now_and_today()
    covered = categories_covered(
        (_terms(consent) for consent in candidates), recipient_ids=organisations, at=now, today=today
    )
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


@transaction.atomic
def disclosure_log(
    *,
    actor: Any,
    client: Client,
    access: RecordAccess,
    channel: DisclosureChannel,
    categories: Iterable[str] | None = None,
) -> list[Disclosure]:
    """Record a disclosure of ``categories`` (default: all the access allows) to the actor. Owners' reads are
    not disclosures and log nothing here (the read itself is audited by the selector)."""
    if access.owner or access.recipient_organisation_id is None:
        return []
    wanted = access.categories if categories is None else frozenset(categories) & access.categories
    by_consent: dict[str, tuple[ConsentTerms, list[str]]] = {}
    for category in sorted(wanted):
        terms = access.via[category]
        by_consent.setdefault(terms.consent_id, (terms, []))[1].append(category)
    request_id = current_request_id()
    rows = [
        Disclosure(
            consent_id=consent_id,
            client=client,
            disclosing_organisation_id=client.organisation_id,
            recipient_organisation_id=access.recipient_organisation_id,
            recipient_user=actor,
            categories=shown,
            purpose=terms.purpose,
            channel=channel,
            request_id=request_id,
        )
        for consent_id, (terms, shown) in by_consent.items()
    ]
    Disclosure.objects.bulk_create(rows)
    for row in rows:
        audit_record(
            actor=actor,
            action="client.disclose",
            object_type="client",
            object_id=client.pk,
            organisation_id=access.recipient_organisation_id,
            details={"consent": str(row.consent_id), "channel": str(channel), "categories": ",".join(row.categories)},
        )
    return rows
