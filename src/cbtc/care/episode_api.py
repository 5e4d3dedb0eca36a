"""JSON API of episodes of care: open, change status, review, discharge, list a client's episodes, and an
organisation's reviews due. Changes are made by the organisation that registered the client; a recipient reads
episodes only under a consent covering them."""

import uuid
from datetime import date, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Schema, Status
from pydantic import AwareDatetime

from cbtc.api_routing import PolicyRouter
from cbtc.care.models import (
    CheckInMethod,
    CheckInOutcome,
    DischargeReason,
    Episode,
    EpisodeStatus,
    Modality,
    ReferralSource,
)
from cbtc.care.models.episodes import TEXT_MAX
from cbtc.care.selectors import episode_for_record, episodes_of_record, reviews_due
from cbtc.care.services.casework import episode_assign, recovery_check_in_record
from cbtc.care.services.episodes import (
    EpisodeInput,
    InvoluntaryDischarge,
    episode_discharge,
    episode_open,
    episode_review,
    episode_set_status,
)
from cbtc.care.worklists import KINDS, caseload, worklist
from cbtc.clients.api import actor_of, no_store
from cbtc.clients.models import InformationCategory
from cbtc.clients.schemas import DETAIL_TEXT, ErrorOut
from cbtc.clients.selectors import ClientRecord, client_get_for_actor
from cbtc.consent.models import DisclosureChannel
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.models import Service, User
from cbtc.network.roles import Permission
from cbtc.referrals.models import Referral
from cbtc.web.policy import requires

router = PolicyRouter(tags=["care"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
EPISODES = InformationCategory.EPISODES


class EpisodeIn(Schema):
    service_id: uuid.UUID
    modality: Modality
    referral_source: ReferralSource
    status: EpisodeStatus = EpisodeStatus.ACTIVE
    referral_id: uuid.UUID | None = None
    adult_setting_reason: str = Field(
        "",
        max_length=TEXT_MAX,
        pattern=DETAIL_TEXT,
        description="A client who may be under age, in inpatient or residential care that also takes adults: why.",
    )


class EpisodeOut(Schema):
    id: uuid.UUID
    client_id: uuid.UUID
    organisation_id: uuid.UUID
    service_id: uuid.UUID
    modality: Modality
    referral_source: ReferralSource
    status: EpisodeStatus
    opened_at: AwareDatetime
    admitted_at: AwareDatetime | None
    finished_at: AwareDatetime | None
    next_review_on: date | None = Field(description="A reminder, never an end date.")
    discharge_reason: DischargeReason | None
    contingency_referral_id: uuid.UUID | None


class EpisodeListOut(Schema):
    episodes: list[EpisodeOut]


class StatusIn(Schema):
    status: EpisodeStatus


class ReviewIn(Schema):
    next_review_on: date | None = None


class DischargeIn(Schema):
    reason: DischargeReason
    safety_reason: str = Field("", max_length=1000, pattern=DETAIL_TEXT)
    measures_tried: str = Field("", max_length=1000, pattern=DETAIL_TEXT)
    reviewed_by_id: uuid.UUID | None = None
    contingency_service_id: uuid.UUID | None = None


def episode_out(episode: Episode) -> dict[str, Any]:
    return {
        "id": episode.pk,
        "client_id": episode.client_id,
        "organisation_id": episode.organisation_id,
        "service_id": episode.service_id,
        "modality": episode.modality,
        "referral_source": episode.referral_source,
        "status": episode.status,
        "opened_at": episode.opened_at,
        "admitted_at": episode.admitted_at,
        "finished_at": episode.finished_at,
        "next_review_on": episode.next_review_on,
        "discharge_reason": episode.discharge_reason or None,
        "contingency_referral_id": episode.contingency_referral_id,
    }


def for_change(request: HttpRequest, client_id: uuid.UUID) -> ClientRecord:
    return client_get_for_actor(
        actor=actor_of(request),
        client_id=client_id,
        channel=DisclosureChannel.API,
        for_action=Permission.CARE_RECORD,
        discloses=frozenset(),
    )


def episode_of(record: ClientRecord, episode_id: uuid.UUID) -> Episode:
    episode = episode_for_record(record=record, episode_id=episode_id)
    if episode is None:
        raise NotFound
    return episode


def get_or_field_error(model: Any, pk: uuid.UUID | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ServiceError("Not found.", field=field)
    return found


@router.post("/clients/{client_id}/episodes", response={201: EpisodeOut, **ERRORS}, summary="Open an episode of care")
@requires(Permission.CARE_RECORD)
def episode_create_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: EpisodeIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = for_change(request, client_id)
    episode = episode_open(
        actor=actor_of(request),
        client=record.client,
        data=EpisodeInput(
            service=get_or_field_error(Service, data.service_id, "service_id"),
            modality=data.modality,
            referral_source=data.referral_source,
            status=data.status,
            referral=get_or_field_error(Referral, data.referral_id, "referral_id"),
            adult_setting_reason=data.adult_setting_reason,
        ),
    )
    return Status(201, episode_out(episode))


@router.get("/clients/{client_id}/episodes", response={200: EpisodeListOut, **ERRORS}, summary="A client's episodes")
@requires(Permission.CLIENT_VIEW)
def episode_list_op(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    record = client_get_for_actor(
        actor=actor_of(request), client_id=client_id, channel=DisclosureChannel.API, discloses=frozenset({EPISODES})
    )
    if not record.sees(EPISODES):
        raise NotPermitted("The client's consent to share does not cover treatment episodes.")
    return {"episodes": [episode_out(e) for e in episodes_of_record(record=record)]}


@router.post(
    "/clients/{client_id}/episodes/{episode_id}/status",
    response={200: EpisodeOut, **ERRORS},
    summary="Planned, waiting, active or on hold",
)
@requires(Permission.CARE_RECORD)
def episode_status_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, episode_id: uuid.UUID, data: StatusIn
) -> dict[str, Any]:
    no_store(response)
    episode = episode_of(for_change(request, client_id), episode_id)
    return episode_out(episode_set_status(actor=actor_of(request), episode=episode, status=data.status))


@router.post(
    "/clients/{client_id}/episodes/{episode_id}/review",
    response={200: EpisodeOut, **ERRORS},
    summary="Record a review and set the next reminder (never an end)",
)
@requires(Permission.CARE_RECORD)
def episode_review_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, episode_id: uuid.UUID, data: ReviewIn
) -> dict[str, Any]:
    no_store(response)
    episode = episode_of(for_change(request, client_id), episode_id)
    return episode_out(episode_review(actor=actor_of(request), episode=episode, next_review_on=data.next_review_on))


@router.post(
    "/clients/{client_id}/episodes/{episode_id}/discharge",
    response={200: EpisodeOut, **ERRORS},
    summary="End an episode (an involuntary one needs its safety documentation and a contingency service)",
)
@requires(Permission.CARE_RECORD)
def episode_discharge_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, episode_id: uuid.UUID, data: DischargeIn
) -> dict[str, Any]:
    no_store(response)
    episode = episode_of(for_change(request, client_id), episode_id)
    involuntary = None
    if data.reason == DischargeReason.INVOLUNTARY_FOR_SAFETY:
        reviewer = get_or_field_error(User, data.reviewed_by_id, "reviewed_by_id")
        service = get_or_field_error(Service, data.contingency_service_id, "contingency_service_id")
        if reviewer is None or service is None:
            raise ServiceError(
                "Name the colleague who reviewed it and the contingency service.", field="reviewed_by_id"
            )
        involuntary = InvoluntaryDischarge(data.safety_reason, data.measures_tried, reviewer, service)
    ended = episode_discharge(actor=actor_of(request), episode=episode, reason=data.reason, involuntary=involuntary)
    return episode_out(ended)


class DueQuery(Schema):
    days: int = Field(14, ge=0, le=365)
    page: int = 1


class DueOut(Schema):
    episodes: list[EpisodeOut]
    page: int
    pages: int


@router.get(
    "/organisations/{organisation_id}/reviews-due",
    response={200: DueOut, **ERRORS},
    summary="Open episodes whose review falls due within the days given (a worklist)",
)
@requires(Permission.CARE_RECORD)
def reviews_due_op(
    request: HttpRequest, response: HttpResponse, organisation_id: uuid.UUID, query: Query[DueQuery]
) -> dict[str, Any]:
    no_store(response)
    until = timezone.localdate() + timedelta(days=query.days)
    try:
        due = reviews_due(actor=actor_of(request), organisation_id=str(organisation_id), until=until)
    except NotPermitted:
        raise NotFound from None
    return _page(due, query.page)


class WorklistQuery(Schema):
    page: int = 1


class CaseloadQuery(Schema):
    worker_id: uuid.UUID | None = Field(None, description="Default: you.")
    page: int = 1


def _page(episodes: Any, number: int) -> dict[str, Any]:
    page = Paginator(episodes, 50).get_page(number)
    return {
        "episodes": [episode_out(e) for e in page.object_list],
        "page": page.number,
        "pages": page.paginator.num_pages,
    }


@router.get(
    "/organisations/{organisation_id}/worklists/{worklist_id}",
    response={200: DueOut, **ERRORS},
    summary="A worklist: reviews_due, outcomes_due, actions_overdue, no_contact, check_ins_due, back_into_care",
)
@requires(Permission.CARE_RECORD)
def worklist_op(
    request: HttpRequest,
    response: HttpResponse,
    organisation_id: uuid.UUID,
    worklist_id: str,
    query: Query[WorklistQuery],
) -> dict[str, Any]:
    no_store(response)
    if worklist_id not in KINDS:
        raise NotFound
    return _page(worklist(actor=actor_of(request), organisation_id=organisation_id, kind=worklist_id), query.page)


@router.get(
    "/organisations/{organisation_id}/caseload",
    response={200: DueOut, **ERRORS},
    summary="A worker's open episodes (yours by default)",
)
@requires(Permission.CARE_RECORD)
def caseload_op(
    request: HttpRequest, response: HttpResponse, organisation_id: uuid.UUID, query: Query[CaseloadQuery]
) -> dict[str, Any]:
    no_store(response)
    worker_id = query.worker_id or actor_of(request).pk
    return _page(caseload(actor=actor_of(request), organisation_id=organisation_id, worker_id=worker_id), query.page)


class KeyWorkerIn(Schema):
    worker_id: uuid.UUID | None = Field(description="A colleague who records care; null takes it off any caseload.")


class CheckInIn(Schema):
    method: CheckInMethod
    outcome: CheckInOutcome


class CheckInOut(Schema):
    id: uuid.UUID
    episode_id: uuid.UUID
    method: CheckInMethod
    outcome: CheckInOutcome
    occurred_at: AwareDatetime


@router.post(
    "/clients/{client_id}/episodes/{episode_id}/key-worker",
    response={200: EpisodeOut, **ERRORS},
    summary="Put the episode on a worker's caseload",
)
@requires(Permission.CARE_RECORD)
def key_worker_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, episode_id: uuid.UUID, data: KeyWorkerIn
) -> dict[str, Any]:
    no_store(response)
    episode = episode_of(for_change(request, client_id), episode_id)
    worker = get_or_field_error(User, data.worker_id, "worker_id")
    return episode_out(episode_assign(actor=actor_of(request), episode=episode, worker=worker))


@router.post(
    "/clients/{client_id}/episodes/{episode_id}/check-ins",
    response={201: CheckInOut, **ERRORS},
    summary="Record a recovery check-in after an episode ended",
)
@requires(Permission.CARE_RECORD)
def check_in_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, episode_id: uuid.UUID, data: CheckInIn
) -> Status[dict[str, Any]]:
    no_store(response)
    episode = episode_of(for_change(request, client_id), episode_id)
    check_in = recovery_check_in_record(
        actor=actor_of(request), episode=episode, method=data.method, outcome=data.outcome
    )
    out = {
        "id": check_in.pk,
        "episode_id": check_in.episode_id,
        "method": check_in.method,
        "outcome": check_in.outcome,
        "occurred_at": check_in.occurred_at,
    }
    return Status(201, out)
