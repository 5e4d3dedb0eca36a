"""JSON API of level-of-care matching: save a recommendation (computed by the server from the stored results and
the context given), list a client's recommendations, and list and review placements flagged as more intensive
than recommended. Recorded by the service that registered the client; a recipient organisation reads
recommendations only under a consent covering screening, and never sees placement reviews."""

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Status

from cbtc.api_routing import PolicyRouter
from cbtc.clients.api import actor_of, no_store
from cbtc.errors import NotFound, ServiceError
from cbtc.network.roles import Permission
from cbtc.screening.api import ERRORS, organisation_ref, record_for_change, record_for_reading, staff_ref
from cbtc.screening.level_of_care import placement_review_close, recommendation_record
from cbtc.screening.models import LevelOfCareRecommendation, PlacementReview
from cbtc.screening.schemas import (
    PlacementReviewIn,
    PlacementReviewListOut,
    PlacementReviewOut,
    RecommendationIn,
    RecommendationListOut,
    RecommendationOut,
)
from cbtc.screening.selectors import assessment_for_record, placement_reviews_for_record, recommendations_for_record
from cbtc.web.policy import requires

router = PolicyRouter(tags=["screening"])


def _recommendation_out(saved: LevelOfCareRecommendation) -> dict[str, Any]:
    return {
        "id": saved.pk,
        "client_id": saved.client_id,
        "organisation": organisation_ref(saved.organisation),
        "made_by": staff_ref(saved.made_by),
        "made_at": saved.made_at,
        "assessment_id": saved.assessment_id,
        "based_on": saved.based_on,
        "context": saved.context,
        "age": saved.age,
        "level": saved.level,
        "safety_floor": saved.safety_floor,
        "services": saved.services,
        "also_offer": saved.also_offer,
        "deferred": saved.deferred,
        "reasons": saved.reasons,
        "rules_version": saved.rules_version,
    }


def _review_out(review: PlacementReview) -> dict[str, Any]:
    return {
        "id": review.pk,
        "client_id": review.client_id,
        "recommendation_id": review.recommendation_id,
        "service_id": review.service_id,
        "placed_by_object_type": review.placed_by_object_type,
        "placed_by_object_id": review.placed_by_object_id,
        "recommended_level": review.recommended_level,
        "placed_level": review.placed_level,
        "flagged_at": review.flagged_at,
        "outcome": review.outcome or None,
        "reviewed_at": review.reviewed_at,
    }


@router.post(
    "/clients/{client_id}/recommendations",
    response={201: RecommendationOut, **ERRORS},
    summary="Work out and save a level-of-care recommendation from the client's latest results",
)
@requires(Permission.SCREENING_PERFORM)
def recommendation_create(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, data: RecommendationIn
) -> Status[dict[str, Any]]:
    no_store(response)
    record = record_for_change(request, client_id)
    assessment = assessment_for_record(record=record, assessment_id=data.assessment_id)
    if assessment is None:
        raise ServiceError("Choose an assessment of this client.", field="assessment_id")
    saved = recommendation_record(
        actor=actor_of(request),
        client=record.client,
        organisation=record.client.organisation,
        assessment=assessment,
        context=data.context.model_dump() if data.context is not None else {},
    )
    return Status(201, _recommendation_out(saved))


@router.get(
    "/clients/{client_id}/recommendations",
    response={200: RecommendationListOut, **ERRORS},
    summary="A client's saved level-of-care recommendations, newest first",
)
@requires(Permission.CLIENT_VIEW)
def recommendation_list(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    record = record_for_reading(request, client_id)
    saved = recommendations_for_record(record=record)
    return {"recommendations": [_recommendation_out(item) for item in saved]}


@router.get(
    "/clients/{client_id}/placement-reviews",
    response={200: PlacementReviewListOut, **ERRORS},
    summary="Placements more intensive than recommended, for review (the registering service only)",
)
@requires(Permission.SCREENING_PERFORM)
def placement_review_list(request: HttpRequest, response: HttpResponse, client_id: uuid.UUID) -> dict[str, Any]:
    no_store(response)
    record = record_for_change(request, client_id)
    return {"placement_reviews": [_review_out(review) for review in placement_reviews_for_record(record=record)]}


@router.post(
    "/clients/{client_id}/placement-reviews/{review_id}/outcome",
    response={200: PlacementReviewOut, **ERRORS},
    summary="Record what the review of a placement decided (the placement itself is not changed)",
)
@requires(Permission.SCREENING_PERFORM)
def placement_review_outcome(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, review_id: uuid.UUID, data: PlacementReviewIn
) -> dict[str, Any]:
    no_store(response)
    record = record_for_change(request, client_id)
    review = PlacementReview.objects.filter(pk=review_id, client_id__in=record.group_ids).first()
    if review is None:
        raise NotFound
    return _review_out(placement_review_close(actor=actor_of(request), review=review, outcome=data.outcome))
