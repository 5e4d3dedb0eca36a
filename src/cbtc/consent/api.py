"""JSON API of the consent app: consents and their withdrawal, the accounting of disclosures, record exports.

Thin: parse, call one service or selector, serialise. Every response that carries client information also
carries the re-disclosure notice where the record leaves cbtc (accounting and export), and is never cached.
"""

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Status

from cbtc.api_routing import PolicyRouter
from cbtc.clients.api import actor_of, no_store
from cbtc.clients.schemas import ErrorOut
from cbtc.clients.selectors import ClientRecord, client_get_for_actor
from cbtc.consent.exports import REDISCLOSURE_NOTICE, client_record_export
from cbtc.consent.models import Consent, Disclosure, DisclosureChannel
from cbtc.consent.rules import consent_in_force
from cbtc.consent.schemas import (
    AccountingOut,
    ClientExportOut,
    ConsentIn,
    ConsentListOut,
    ConsentOut,
    ConsentRevokeIn,
    DisclosureQuery,
)
from cbtc.consent.selectors import consent_get_for_actor, consents_for_record, disclosure_accounting
from cbtc.consent.services import ConsentInput, consent_record, consent_revoke
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.models import Organisation, User
from cbtc.network.roles import Permission
from cbtc.web.policy import requires

router = PolicyRouter(tags=["consent"])

_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _organisation(org: Organisation) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name}


def _staff(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.display_name} if user is not None else None


def consent_out(consent: Consent, *, owner: bool) -> dict[str, Any]:
    now = timezone.now()
    return {
        "id": consent.pk,
        "kind": consent.kind,
        "organisation": _organisation(consent.organisation),
        "recipients": sorted(
            (_organisation(org) for org in consent.recipients.all()), key=lambda org: (org["name"], str(org["id"]))
        ),
        "categories": sorted(consent.category_set),
        "purpose": consent.purpose or None,
        "external_recipient": consent.external_recipient or None,
        "ethics_approval_reference": consent.ethics_approval_reference,
        "expires_on": consent.expires_on,
        "expiry_event": consent.expiry_event or None,
        "expiry_event_at": consent.expiry_event_at,
        "method": consent.method,
        "given_at": consent.given_at,
        "recorded_at": consent.recorded_at,
        "form_version": consent.form_version,
        # How the minor rule was met tells the client's age: for the recording organisation only.
        "age_basis": consent.age_basis if owner else None,
        "guardian_relationship": (consent.guardian_relationship or None) if owner else None,
        "revoked_at": consent.revoked_at,
        "revocation_method": consent.revocation_method or None,
        "in_force": consent_in_force(
            given_at=consent.given_at,
            expires_on=consent.expires_on,
            expiry_event_at=consent.expiry_event_at,
            revoked_at=consent.revoked_at,
            at=now,
            today=timezone.localdate(now),
        ),
        "witnessed_by": _staff(consent.witnessed_by) if owner else None,
        "recorded_by": _staff(consent.recorded_by) if owner else None,
    }


def _consent_input(data: ConsentIn) -> ConsentInput:
    # The service checks that the witness works for the organisation; an unknown id gets the same answer.
    witness = User.objects.filter(pk=data.witnessed_by).first()
    if witness is None:
        raise ServiceError("The witness must be an active staff member of this organisation.", field="witnessed_by")
    wanted = set(data.recipients)
    recipients = list(Organisation.objects.filter(pk__in=wanted, is_active=True)) if wanted else []
    if len(recipients) != len(wanted):
        raise ServiceError("Choose recipient organisations from the network directory.", field="recipients")
    return ConsentInput(
        kind=data.kind,
        method=data.method,
        given_at=data.given_at,
        witnessed_by=witness,
        recipients=recipients,
        categories=frozenset(data.categories),
        purpose=data.purpose or "",
        ethics_approval_reference=data.ethics_approval_reference,
        expires_on=data.expires_on,
        expiry_event=data.expiry_event or "",
        guardian_relationship=data.guardian_relationship or "",
        client_states_adult=data.client_states_adult,
        external_recipient=data.external_recipient,
    )


def _record(request: HttpRequest, client_id: uuid.UUID, channel: DisclosureChannel) -> ClientRecord:
    return client_get_for_actor(actor=actor_of(request), client_id=client_id, channel=channel)


@router.get(
    "/clients/{client_id}/consents",
    response={200: ConsentListOut, **_ERRORS},
    summary="A client's consents (for a shared record: the consents it is shared under)",
)
@requires(Permission.CLIENT_VIEW)
def consents(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    # Only the consents are returned (for a recipient: the copy of the consent that goes with a disclosure),
    # so this read discloses none of the record's information categories.
    record = client_get_for_actor(
        actor=actor_of(request), client_id=client_id, channel=DisclosureChannel.API, discloses=frozenset()
    )
    owner = record.access.owner
    return {"consents": [consent_out(consent, owner=owner) for consent in consents_for_record(record=record)]}


@router.post(
    "/clients/{client_id}/consents",
    response={201: ConsentOut, **_ERRORS},
    summary="Record a consent to treatment or to share information",
)
@requires(Permission.CONSENT_MANAGE)
def consent_create(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: ConsentIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = client_get_for_actor(
        actor=actor_of(request),
        client_id=client_id,
        channel=DisclosureChannel.API,
        for_action=Permission.CONSENT_MANAGE,
    )
    organisation = record.client.organisation
    consent = consent_record(
        actor=actor_of(request),
        client=record.client,
        organisation=organisation,
        data=_consent_input(data),
    )
    return Status(201, consent_out(consent, owner=True))


@router.post(
    "/consents/{consent_id}/revoke",
    response={200: ConsentOut, **_ERRORS},
    summary="Record that the client withdrew a consent; it stops allowing anything at once",
)
@requires(Permission.CONSENT_MANAGE)
def consent_withdraw(
    request: HttpRequest, response: HttpResponse, consent_id: uuid.UUID, data: ConsentRevokeIn
) -> dict[str, Any]:
    no_store(response)
    actor = actor_of(request)
    found = consent_get_for_actor(actor=actor, consent_id=consent_id)
    return consent_out(consent_revoke(actor=actor, consent=found, method=data.method), owner=True)


@router.get(
    "/clients/{client_id}/disclosures",
    response={200: AccountingOut, **_ERRORS},
    summary="The accounting of disclosures of a client's record, newest first",
)
@requires(Permission.CLIENT_VIEW)
def disclosures(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, query: Query[DisclosureQuery]
) -> dict[str, Any]:
    no_store(response)
    try:  # recipients are refused before the record is read: asking must not add to the accounting
        record = client_get_for_actor(
            actor=actor_of(request),
            client_id=client_id,
            channel=DisclosureChannel.API,
            for_action=Permission.CLIENT_VIEW,
        )
    except NotPermitted:
        raise NotFound from None
    found, has_more = disclosure_accounting(
        actor=actor_of(request), record=record, since=query.since, before_id=query.before_id
    )
    return {
        "notice": REDISCLOSURE_NOTICE,
        "client_id": record.client.pk,
        "disclosures": [_disclosure_out(disclosure) for disclosure in found],
        "next_before_id": found[-1].pk if found and has_more else None,
    }


def _disclosure_out(disclosure: Disclosure) -> dict[str, Any]:
    organisation = disclosure.recipient_organisation
    return {
        "id": disclosure.pk,
        "occurred_at": disclosure.occurred_at,
        "disclosing_organisation": _organisation(disclosure.disclosing_organisation),
        "recipient_organisation": None if organisation is None else _organisation(organisation),
        "recipient_outside_network": disclosure.external_recipient or None,
        "recipient_staff_member": disclosure.recipient_staff_label,
        "handed_over_by": disclosure.handed_over_by_label or None,
        "categories": list(disclosure.categories),
        "purpose": disclosure.purpose,
        "channel": disclosure.channel,
        "consent_id": disclosure.consent_id,
    }


@router.get(
    "/clients/{client_id}/export",
    response={200: ClientExportOut, **_ERRORS},
    summary="A client's record as you may see it, with the re-disclosure notice, to take out of cbtc",
)
@requires(Permission.CLIENT_VIEW)
def export(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    record = _record(request, client_id, DisclosureChannel.EXPORT)
    response["Content-Disposition"] = f'attachment; filename="client-{record.client.pk}.json"'
    return client_record_export(record, consents_for_record(record=record))
