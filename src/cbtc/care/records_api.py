"""JSON API of the rest of the care record: outcome profiles (with the change from the first), lapses, relapses and
test results, pregnancies, release plans and incidents. Written by the organisation that registered the client;
outcome profiles are read beyond it only under a consent covering outcomes."""

import uuid
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema, Status

from cbtc.api_routing import PolicyRouter
from cbtc.care.episode_api import ERRORS, episode_of, for_change, get_or_field_error
from cbtc.care.models import ClinicalEventKind, IncidentKind, OutcomeProfile, Stage, TestResult, UseSubstance
from cbtc.care.services.clinical import clinical_event_record
from cbtc.care.services.incidents import incident_figures, incident_record
from cbtc.care.services.outcomes import change_from_baseline, outcome_profile_record
from cbtc.care.services.populations import pregnancy_record, release_plan_record
from cbtc.clients.api import actor_of, no_store
from cbtc.clients.models import InformationCategory, Substance
from cbtc.clients.schemas import DETAIL_TEXT
from cbtc.clients.selectors import client_get_for_actor
from cbtc.consent.models import DisclosureChannel
from cbtc.errors import NotPermitted
from cbtc.network.models import Service
from cbtc.network.roles import Permission
from cbtc.web.policy import requires

router = PolicyRouter(tags=["care"])
OUTCOMES = InformationCategory.OUTCOMES


class CreatedOut(Schema):
    id: uuid.UUID


class OutcomeIn(Schema):
    stage: Stage
    interviewed_on: date | None = None
    use: dict[UseSubstance, int] = Field(
        default_factory=dict, description="Days used in the past 28, per substance asked."
    )
    answers: dict[str, int | bool | None] = Field(
        default_factory=dict, description="Item -> value; null or left out is 'not answered' (never 0)."
    )


class ChangeOut(Schema):
    item: str
    baseline: int | bool | None
    latest: int | bool | None
    change: int | None


class ChangesOut(Schema):
    baseline_id: uuid.UUID | None
    latest_id: uuid.UUID | None
    changes: list[ChangeOut]


@router.post(
    "/clients/{client_id}/episodes/{episode_id}/outcome-profiles",
    response={201: CreatedOut, **ERRORS},
    summary="Record an outcome profile (start, review or exit)",
)
@requires(Permission.CARE_RECORD)
def outcome_create_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, episode_id: uuid.UUID, data: OutcomeIn
) -> Status[dict[str, Any]]:
    no_store(response)
    episode = episode_of(for_change(request, client_id), episode_id)
    profile = outcome_profile_record(
        actor=actor_of(request),
        episode=episode,
        stage=data.stage,
        use={str(k): v for k, v in data.use.items()},
        answers=data.answers,
        interviewed_on=data.interviewed_on,
    )
    return Status(201, {"id": profile.pk})


@router.get(
    "/clients/{client_id}/outcome-change",
    response={200: ChangesOut, **ERRORS},
    summary="Change from the client's first outcome profile to the latest, item by item",
)
@requires(Permission.CLIENT_VIEW)
def outcome_change_op(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    record = client_get_for_actor(
        actor=actor_of(request), client_id=client_id, channel=DisclosureChannel.API, discloses=frozenset({OUTCOMES})
    )
    if not record.sees(OUTCOMES):
        raise NotPermitted("The client's consent to share does not cover outcomes.")
    profiles = OutcomeProfile.objects.filter(client_id__in=record.group_ids).prefetch_related("use")
    first = profiles.order_by("interviewed_on", "recorded_at").first()
    latest = profiles.order_by("-interviewed_on", "-recorded_at").first()
    if first is None or latest is None or first.pk == latest.pk:
        return {"baseline_id": first.pk if first else None, "latest_id": None, "changes": []}
    rows = [vars(row) for row in change_from_baseline(first, latest)]
    return {"baseline_id": first.pk, "latest_id": latest.pk, "changes": rows}


class ClinicalEventIn(Schema):
    kind: ClinicalEventKind
    test_result: TestResult | None = None
    substance: str | None = Field(None, max_length=40, pattern=r"^[a-z0-9_-]+$")
    episode_id: uuid.UUID | None = None


@router.post(
    "/clients/{client_id}/clinical-events",
    response={201: CreatedOut, **ERRORS},
    summary="Record a lapse, relapse or drug test result (nothing else follows from it)",
)
@requires(Permission.CARE_RECORD)
def clinical_event_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: ClinicalEventIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = for_change(request, client_id)
    episode = episode_of(record, data.episode_id) if data.episode_id else None
    substance = get_or_field_error(Substance, data.substance, "substance") if data.substance else None  # type: ignore[arg-type]
    event = clinical_event_record(
        actor=actor_of(request),
        client=record.client,
        kind=data.kind,
        episode=episode,
        substance=substance,
        test_result=data.test_result or "",
    )
    return Status(201, {"id": event.pk})


class PregnancyIn(Schema):
    expected_on: date
    delivery_plan: str = Field("", max_length=500, pattern=DETAIL_TEXT)


@router.post("/clients/{client_id}/pregnancies", response={201: CreatedOut, **ERRORS}, summary="Record a pregnancy")
@requires(Permission.CARE_RECORD)
def pregnancy_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: PregnancyIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = for_change(request, client_id)
    pregnancy = pregnancy_record(
        actor=actor_of(request), client=record.client, expected_on=data.expected_on, delivery_plan=data.delivery_plan
    )
    return Status(201, {"id": pregnancy.pk})


class ReleasePlanIn(Schema):
    release_on: date
    sending_service_id: uuid.UUID
    continuity_service_id: uuid.UUID
    naloxone_given: bool
    naloxone_training: bool
    family_trained: bool = False


@router.post(
    "/clients/{client_id}/release-plans",
    response={201: CreatedOut, **ERRORS},
    summary="Plan release from prison: the continuity referral is made now",
)
@requires(Permission.CARE_RECORD)
def release_plan_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: ReleasePlanIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = for_change(request, client_id)
    plan = release_plan_record(
        actor=actor_of(request),
        client=record.client,
        release_on=data.release_on,
        sending_service=get_or_field_error(Service, data.sending_service_id, "sending_service_id"),
        continuity_service=get_or_field_error(Service, data.continuity_service_id, "continuity_service_id"),
        naloxone_given=data.naloxone_given,
        naloxone_training=data.naloxone_training,
        family_trained=data.family_trained,
    )
    return Status(201, {"id": plan.pk})


class IncidentIn(Schema):
    kind: IncidentKind
    occurred_on: date
    crisis_response: bool = False
    legal_aid_sending_service_id: uuid.UUID | None = None
    legal_aid_service_id: uuid.UUID | None = None


@router.post(
    "/clients/{client_id}/incidents",
    response={201: CreatedOut, **ERRORS},
    summary="Record an incident done to a client (kept inside your organisation)",
)
@requires(Permission.CARE_RECORD)
def incident_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: IncidentIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = for_change(request, client_id)
    legal_aid = None
    if data.legal_aid_service_id is not None:
        legal_aid = (
            get_or_field_error(Service, data.legal_aid_sending_service_id, "legal_aid_sending_service_id"),
            get_or_field_error(Service, data.legal_aid_service_id, "legal_aid_service_id"),
        )
    incident = incident_record(
        actor=actor_of(request),
        organisation=record.client.organisation,
        kind=data.kind,
        occurred_on=data.occurred_on,
        client=record.client,
        crisis_response=data.crisis_response,
        legal_aid=legal_aid,
    )
    return Status(201, {"id": incident.pk})


class IncidentFigureRowOut(Schema):
    kind: str
    counts: list[int | str] = Field(description='One per month; a count below 5 is "<5".')


class IncidentFiguresOut(Schema):
    months: list[date]
    rows: list[IncidentFigureRowOut]


@router.get(
    "/figures/incidents",
    response={200: IncidentFiguresOut, **ERRORS},
    summary="Incidents in the network by month and kind: counts only, small counts hidden",
)
@requires(Permission.AGGREGATES_VIEW)
def incident_figures_op(request: HttpRequest, response: HttpResponse, months: int = 12) -> dict[str, Any]:
    no_store(response)
    figures = incident_figures(actor=actor_of(request), months=months)
    return {"months": figures.months, "rows": [{"kind": label, "counts": counts} for label, counts in figures.rows]}
