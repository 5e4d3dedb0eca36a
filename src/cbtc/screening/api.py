"""JSON API of the screening engine: the instruments there are, scoring one set of answers, and the
assessments and brief interventions recorded on a client.

Scoring stores nothing and logs nothing about the answers: it is the same pure function as `cbtc score`,
and answers the same JSON (docs/scoring-contract.md). Refused answers get 422 with the field at fault.
Assessments are recorded by the service that registered the client; a recipient organisation reads them
only under a consent covering screening. Responses about a client are never cached.
"""

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Body, Status

from cbtc.api_routing import PolicyRouter
from cbtc.clients.api import actor_of, no_store
from cbtc.clients.models import InformationCategory
from cbtc.clients.selectors import ClientRecord, client_get_for_actor
from cbtc.consent.models import DisclosureChannel
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.models import Organisation, User
from cbtc.network.roles import Permission
from cbtc.screening.instruments import ScreeningError, available_instruments, score
from cbtc.screening.models import Assessment, BriefIntervention
from cbtc.screening.schemas import (
    AnswersIn,
    AssessmentIn,
    AssessmentListOut,
    AssessmentOut,
    BriefInterventionIn,
    BriefInterventionListOut,
    BriefInterventionOut,
    ErrorOut,
    InstrumentListOut,
    ScoreOut,
)
from cbtc.screening.selectors import assessment_for_record, assessments_for_record, brief_interventions_for_record
from cbtc.screening.services import assessment_record, brief_intervention_record
from cbtc.web.policy import requires

router = PolicyRouter(tags=["screening"])

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
SCREENING = InformationCategory.SCREENING
NOT_COVERED = "The client's consent to share does not cover screening results."


@router.get("/instruments", response={200: InstrumentListOut, 403: ErrorOut}, summary="Screening instruments")
@requires(Permission.SCREENING_PERFORM)
def instruments(request: HttpRequest) -> dict[str, Any]:
    return {
        "instruments": [
            {
                "code": instrument.code,
                "version": instrument.version,
                "revision": instrument.revision,
                "name": instrument.name,
                "engine": instrument.engine,
                "source": instrument.source,
                "licence": instrument.licence,
                "items": [item.key for item in instrument.items]
                + ([instrument.injecting.item.key] if instrument.injecting else []),
            }
            for _, instrument in sorted(available_instruments().items())
        ]
    }


# The path names the instrument by its code ("assist", "audit-c"); it is called instrument_id because
# path parameters are ids throughout the API (tests/test_openapi.py), never anything about a person.
@router.post(
    "/instruments/{instrument_id}/score",
    response={200: ScoreOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Score one set of answers (nothing is stored)",
)
@requires(Permission.SCREENING_PERFORM)
def score_answers(request: HttpRequest, instrument_id: str, answers: Body[AnswersIn]) -> dict[str, Any]:
    instrument = available_instruments().get(instrument_id)
    if instrument is None:
        raise NotFound
    try:
        return score(instrument, answers)
    except ScreeningError as error:
        raise ServiceError(error.message, field=error.field) from None


# ---- assessments and brief interventions on a client -----------------------------------------------------


def organisation_ref(org: Organisation) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name}


def staff_ref(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name() or user.username}


def _assessment_out(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "client_id": assessment.client_id,
        "organisation": organisation_ref(assessment.organisation),
        "performed_by": staff_ref(assessment.performed_by),
        "performed_at": assessment.performed_at,
        "recorded_at": assessment.recorded_at,
        "instrument": assessment.instrument,
        "instrument_version": assessment.instrument_version,
        "definition_revision": assessment.definition_revision,
        "administration": assessment.administration,
        "administration_validated": assessment.administration_validated,
        "answers": assessment.answers,
        "result": assessment.result,  # the frozen result, never recomputed
    }


def _intervention_out(intervention: BriefIntervention) -> dict[str, Any]:
    return {
        "id": intervention.pk,
        "client_id": intervention.client_id,
        "organisation": organisation_ref(intervention.organisation),
        "given_by": staff_ref(intervention.given_by),
        "given_at": intervention.given_at,
        "recorded_at": intervention.recorded_at,
        "kind": intervention.kind,
        "minutes": intervention.minutes,
        "assessment_id": intervention.assessment_id,
        "take_home_material": intervention.take_home_material,
        "material_kind": intervention.material_kind or None,
        "follow_up_offered": intervention.follow_up_offered,
        "follow_up_on": intervention.follow_up_on,
    }


def record_for_change(request: HttpRequest, client_id: uuid.UUID) -> ClientRecord:
    return client_get_for_actor(
        actor=actor_of(request),
        client_id=client_id,
        channel=DisclosureChannel.API,
        for_action=Permission.SCREENING_PERFORM,
        discloses=frozenset(),
    )


def record_for_reading(request: HttpRequest, client_id: uuid.UUID) -> ClientRecord:
    record = client_get_for_actor(
        actor=actor_of(request), client_id=client_id, channel=DisclosureChannel.API, discloses=frozenset({SCREENING})
    )
    if not record.sees(SCREENING):
        raise NotPermitted(NOT_COVERED)
    return record


@router.post(
    "/clients/{client_id}/assessments",
    response={201: AssessmentOut, **ERRORS},
    summary="Score a client's answers to an instrument and record the result",
)
@requires(Permission.SCREENING_PERFORM)
def assessment_create(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: AssessmentIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = record_for_change(request, client_id)
    assessment = assessment_record(
        actor=actor_of(request),
        client=record.client,
        organisation=record.client.organisation,
        instrument=data.instrument,
        answers=data.answers,
        administration=data.administration,
        performed_at=data.performed_at,
    )
    return Status(201, _assessment_out(assessment))


@router.get(
    "/clients/{client_id}/assessments",
    response={200: AssessmentListOut, **ERRORS},
    summary="A client's assessments, newest first, with the results as scored at the time",
)
@requires(Permission.CLIENT_VIEW)
def assessment_list(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    record = record_for_reading(request, client_id)
    return {"assessments": [_assessment_out(a) for a in assessments_for_record(record=record)]}


@router.post(
    "/clients/{client_id}/brief-interventions",
    response={201: BriefInterventionOut, **ERRORS},
    summary="Record a brief intervention given to a client",
)
@requires(Permission.SCREENING_PERFORM)
def brief_intervention_create(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: BriefInterventionIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = record_for_change(request, client_id)
    assessment = None
    if data.assessment_id is not None:
        assessment = assessment_for_record(record=record, assessment_id=data.assessment_id)
        if assessment is None:
            raise ServiceError("Choose an assessment of this client.", field="assessment_id")
    intervention = brief_intervention_record(
        actor=actor_of(request),
        client=record.client,
        organisation=record.client.organisation,
        kind=data.kind,
        minutes=data.minutes,
        assessment=assessment,
        take_home_material=data.take_home_material,
        material_kind=data.material_kind or "",
        follow_up_offered=data.follow_up_offered,
        follow_up_on=data.follow_up_on,
        given_at=data.given_at,
    )
    return Status(201, _intervention_out(intervention))


@router.get(
    "/clients/{client_id}/brief-interventions",
    response={200: BriefInterventionListOut, **ERRORS},
    summary="A client's brief interventions, newest first",
)
@requires(Permission.CLIENT_VIEW)
def brief_intervention_list(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    record = record_for_reading(request, client_id)
    return {"brief_interventions": [_intervention_out(b) for b in brief_interventions_for_record(record=record)]}
