"""Reads of consents and of the accounting of disclosures, scoped to the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.clients.selectors import ClientRecord, parse_client_id
from cbtc.consent.models import Consent, Disclosure
from cbtc.errors import NotFound
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.roles import Permission

# 42 CFR §2.25: an accounting covers the three years before the request, unless the client asks for less.
ACCOUNTING_YEARS = 3
ACCOUNTING_PAGE = 100


def consents_for_record(*, record: ClientRecord) -> list[Consent]:
    """The owner sees every consent of the record (merged records included); a recipient sees only the
    consents it receives the record under (the copy of consent that goes with a disclosure)."""
    if record.access.owner:
        consents = Consent.objects.filter(client_id__in=record.group_ids)
    else:
        consents = Consent.objects.filter(pk__in={terms.consent_id for terms in record.access.via.values()})
    return list(
        consents.select_related("organisation", "witnessed_by", "recorded_by", "revoked_by")
        .prefetch_related("recipients")
        .order_by("-given_at")[:200]
    )


def consent_get_for_actor(*, actor: Any, consent_id: Any) -> Consent:
    """A consent the actor may withdraw or end: one recorded by an organisation where they manage consents."""
    consent = Consent.objects.select_related("client", "organisation").filter(pk=parse_client_id(consent_id)).first()
    allowed = user_organisation_ids_with(actor, Permission.CONSENT_MANAGE)
    if consent is None or str(consent.organisation_id) not in allowed:
        raise NotFound
    audit_record(
        actor=actor,
        action="consent.view",
        object_type="consent",
        object_id=consent.pk,
        organisation_id=consent.organisation_id,
        details={"client": str(consent.client_id)},
    )
    return consent


def accounting_start(since: date | None) -> date:
    earliest = timezone.localdate() - timedelta(days=365 * ACCOUNTING_YEARS + 1)
    return max(since, earliest) if since else earliest


def _accounting_queryset(record: ClientRecord, since: date | None) -> QuerySet[Disclosure]:
    return (
        Disclosure.objects.filter(client_id__in=record.group_ids, occurred_at__date__gte=accounting_start(since))
        .select_related("recipient_organisation", "disclosing_organisation", "recipient_user", "disclosed_by")
        .order_by("-occurred_at", "-id")
    )


def _require_owner(actor: Any, record: ClientRecord) -> None:
    # The accounting is the disclosing organisation's record of what it let out; recipients do not see it.
    if not record.access.owner:
        raise NotFound


def disclosure_accounting(
    *, actor: Any, record: ClientRecord, since: date | None = None, before_id: int | None = None
) -> tuple[list[Disclosure], bool]:
    """A page of the client's accounting of disclosures, newest first."""
    _require_owner(actor, record)
    disclosures = _accounting_queryset(record, since)
    if before_id is not None:
        disclosures = disclosures.filter(id__lt=before_id)
    found = list(disclosures[: ACCOUNTING_PAGE + 1])
    audit_record(
        actor=actor,
        action="client.accounting_view",
        object_type="client",
        object_id=record.client.pk,
        organisation_id=record.client.organisation_id,
    )
    return found[:ACCOUNTING_PAGE], len(found) > ACCOUNTING_PAGE


def disclosure_accounting_all(*, actor: Any, record: ClientRecord, since: date | None = None) -> Iterator[Disclosure]:
    """Every disclosure in the accounting period, streamed in batches (for exports)."""
    _require_owner(actor, record)
    audit_record(
        actor=actor,
        action="client.accounting_export",
        object_type="client",
        object_id=record.client.pk,
        organisation_id=record.client.organisation_id,
    )
    return _accounting_queryset(record, since).iterator(chunk_size=1000)
