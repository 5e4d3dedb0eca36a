"""JSON API of referrals: make one for a client, list the inbox or outbox, read one, take the next step, and the
figures per service. The same services as the pages decide everything; responses are never cached."""

import uuid
from datetime import timedelta
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Schema, Status

from cbtc.api_routing import PolicyRouter
from cbtc.clients.api import actor_of, no_store
from cbtc.clients.selectors import client_get_for_actor
from cbtc.consent.models import Consent, DisclosureChannel
from cbtc.errors import ServiceError
from cbtc.network.models import Service, User
from cbtc.network.roles import Permission
from cbtc.referrals.metrics import referral_metrics
from cbtc.referrals.models import Referral
from cbtc.referrals.schemas import ErrorOut, FiguresOut, ReferralIn, ReferralListOut, ReferralOut, ReferralStepIn
from cbtc.referrals.selectors import SHOW_CHOICES, ReferralFor, is_overdue, referral_box, referral_for_actor
from cbtc.referrals.services import (
    ReferralInput,
    referral_accept,
    referral_attended,
    referral_cancel,
    referral_complete,
    referral_create,
    referral_decline,
    referral_no_show,
    referral_send,
)
from cbtc.web.policy import requires

router = PolicyRouter(tags=["referrals"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PAGE_SIZE = 50


def _service_ref(service: Service) -> dict[str, Any]:
    return {
        "id": service.pk,
        "name": service.name,
        "organisation": {"id": service.organisation.pk, "name": service.organisation.name},
    }


def referral_out(referral: Referral, *, for_sender: bool, view: ReferralFor | None = None) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "code": referral.code,
        "client_id": referral.client_id if for_sender else None,
        "sending_service": _service_ref(referral.sending_service),
        "receiving_service": _service_ref(referral.receiving_service),
        "reason": referral.reason,
        "urgency": referral.urgency,
        "note": referral.note,
        "shared_categories": sorted(referral.category_set),
        "anonymous": referral.anonymous,
        "state": referral.state,
        "overdue": is_overdue(referral),
        "due_at": referral.due_at,
        "appointment_at": referral.appointment_at,
        "booked_with_client_present": referral.booked_with_client_present,
        "accompaniment_requested": referral.accompaniment_requested,
        "decline_reason": referral.decline_reason or None,
        "suggested_service_id": referral.suggested_service_id,
        "completion_outcome": referral.completion_outcome or None,
        "created_at": referral.created_at,
        "sent_at": referral.sent_at,
        "answered_at": referral.answered_at,
        "attended_at": referral.attended_at,
        "closed_at": referral.closed_at,
        "history": [
            {"state": e.state, "organisation_id": e.organisation_id, "occurred_at": e.occurred_at}
            for e in (view.history if view else [])
        ],
    }


def _service(service_id: uuid.UUID | None, field: str) -> Service | None:
    if service_id is None:
        return None
    service = Service.objects.filter(pk=service_id).select_related("organisation").first()
    if service is None:
        raise ServiceError("No such service in the directory.", field=field)
    return service


@router.post(
    "/clients/{client_id}/referrals",
    response={201: ReferralOut, **ERRORS},
    summary="Refer a client to a service (anonymously unless a consent to share is given)",
)
@requires(Permission.REFERRAL_MANAGE)
def referral_create_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: ReferralIn
) -> Status[dict[str, Any]]:
    no_store(response)
    actor = actor_of(request)
    record = client_get_for_actor(
        actor=actor,
        client_id=client_id,
        channel=DisclosureChannel.API,
        for_action=Permission.REFERRAL_MANAGE,
        discloses=frozenset(),
    )
    sending, receiving = (
        _service(data.sending_service_id, "sending_service_id"),
        _service(data.receiving_service_id, "receiving_service_id"),
    )
    assert sending is not None and receiving is not None  # noqa: S101 - both ids are required by the schema
    # Only this client's consents at its own service: another id gets the same answer as one that does not exist.
    consent = (
        Consent.objects.filter(pk=data.consent_id, client_id__in=record.group_ids).first() if data.consent_id else None
    )
    if data.consent_id and consent is None:
        raise ServiceError("Choose a consent to share given by this client to your service.", field="consent_id")
    companion = User.objects.filter(pk=data.accompanied_by_id).first() if data.accompanied_by_id else None
    referral = referral_create(
        actor=actor,
        client=record.client,
        data=ReferralInput(
            sending_service=sending,
            receiving_service=receiving,
            reason=data.reason,
            urgency=data.urgency,
            note=data.note,
            shared_categories=frozenset(data.shared_categories),
            consent=consent,
            appointment_at=data.appointment_at,
            booked_with_client_present=data.booked_with_client_present,
            accompaniment_requested=data.accompaniment_requested,
            accompanied_by=companion,
        ),
        send=not data.draft,
    )
    return Status(201, referral_out(referral, for_sender=True))


class BoxQuery(Schema):
    box: str = "inbox"
    show: str = "open"
    page: int = 1


@router.get(
    "/referrals", response={200: ReferralListOut, **ERRORS}, summary="Referrals received (inbox) or sent (outbox)"
)
@requires(Permission.REFERRAL_MANAGE)
def referral_list_op(request: HttpRequest, response: HttpResponse, query: Query[BoxQuery]) -> dict[str, Any]:
    no_store(response)
    if query.box not in ("inbox", "outbox"):
        raise ServiceError("Give box=inbox or box=outbox.", field="box")
    if query.show not in SHOW_CHOICES:
        raise ServiceError(f"Give show= one of {', '.join(SHOW_CHOICES)}.", field="show")
    referrals = referral_box(
        actor=actor_of(request), box="inbox" if query.box == "inbox" else "outbox", show=query.show
    )
    page = Paginator(referrals, PAGE_SIZE).get_page(query.page)
    return {
        "referrals": [referral_out(r, for_sender=query.box == "outbox") for r in page.object_list],
        "page": page.number,
        "pages": page.paginator.num_pages,
    }


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **ERRORS}, summary="One referral, with its history")
@requires(Permission.REFERRAL_MANAGE)
def referral_get_op(request: HttpRequest, response: HttpResponse, referral_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    view = referral_for_actor(actor=actor_of(request), referral_id=referral_id)
    return referral_out(view.referral, for_sender=view.is_sender, view=view)


def _take_step(actor: User, referral: Referral, data: ReferralStepIn) -> Referral:
    state = data.state
    if state == "sent":
        return referral_send(actor=actor, referral=referral)
    if state == "accepted":
        return referral_accept(actor=actor, referral=referral, appointment_at=data.appointment_at)
    if state == "declined":
        suggested = _service(data.suggested_service_id, "suggested_service_id")
        reason = data.decline_reason or ""
        return referral_decline(actor=actor, referral=referral, reason=reason, suggested_service=suggested)
    if state == "attended":
        return referral_attended(actor=actor, referral=referral)
    if state == "no_show":
        return referral_no_show(actor=actor, referral=referral)
    if state == "completed":
        return referral_complete(actor=actor, referral=referral, outcome=data.completion_outcome or "")
    return referral_cancel(actor=actor, referral=referral)


@router.post(
    "/referrals/{referral_id}/state",
    response={200: ReferralOut, **ERRORS},
    summary="Take the next step: send, accept, decline, attended, no_show, completed, cancelled",
)
@requires(Permission.REFERRAL_MANAGE)
def referral_step_op(
    request: HttpRequest, response: HttpResponse, referral_id: uuid.UUID, data: ReferralStepIn
) -> dict[str, Any]:
    no_store(response)
    actor = actor_of(request)
    view = referral_for_actor(actor=actor, referral_id=referral_id, audit=False)
    referral = _take_step(actor, view.referral, data)
    return referral_out(
        referral, for_sender=view.is_sender, view=referral_for_actor(actor=actor, referral_id=referral.pk, audit=False)
    )


class FiguresQuery(Schema):
    days: int = 90


@router.get(
    "/organisations/{organisation_id}/referral-figures",
    response={200: FiguresOut, **ERRORS},
    summary="Referral figures per service of an organisation (counts only)",
)
@requires(Permission.CLIENT_VIEW)
def referral_figures_op(request: HttpRequest, organisation_id: uuid.UUID, query: Query[FiguresQuery]) -> dict[str, Any]:
    if not 1 <= query.days <= 3660:  # noqa: PLR2004 - ten years
        raise ServiceError("Give days from 1 to 3660.", field="days")
    until = timezone.now()
    since = until - timedelta(days=query.days)
    rows = referral_metrics(actor=actor_of(request), organisation_id=organisation_id, since=since, until=until)
    services = [
        {"service": _service_ref(row.service), "sent": vars(row.sent), "received": vars(row.received)} for row in rows
    ]
    return {"since": since, "until": until, "services": services}
