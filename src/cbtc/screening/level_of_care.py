"""Writes of level-of-care matching: saving a recommendation, flagging a placement more intensive than it for
review, and recording the review.

The recommendation is always computed here, from the stored results and the context given, never taken from
the caller: what is saved is what the rules said. A placement flag is a note for review and never an error:
``placement_review_flag`` is called by whatever places a client (a referral, an admission) and returns None
when there is nothing to review; it never stops the placement.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.consent.disclosure import record_client_ids
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import Organisation, PyramidLevel, Service, ServiceType, User
from cbtc.network.roles import Permission
from cbtc.screening.matching import Reason, Recommendation, placement_mismatch, recommend
from cbtc.screening.models import Assessment, LevelOfCareRecommendation, PlacementReview, PlacementReviewOutcome
from cbtc.screening.recommendations import (
    ContextError,
    age_from_birth_year,
    clean_context,
    match_input,
    recommendation_as_data,
)
from cbtc.screening.selectors import latest_results
from cbtc.screening.services import check_can_act


def recommendation_record(
    *,
    actor: User,
    client: Client,
    organisation: Organisation,
    assessment: Assessment,
    context: Mapping[str, Any],
) -> LevelOfCareRecommendation:
    """Compute the recommendation from the latest results up to ``assessment`` and the context, and save it."""
    check_can_act(actor, client, organisation)
    client_ids = record_client_ids(client)
    if assessment.client_id not in client_ids:
        raise ServiceError("Choose an assessment of this client.", field="assessment_id")
    results = latest_results(client_ids=client_ids, assessment=assessment)
    age = age_from_birth_year(client.birth_year, timezone.localdate().year)
    try:
        clean = clean_context(context)
    except ContextError as error:
        raise ServiceError(error.message, field=error.field) from None
    data = recommendation_as_data(recommend(match_input(results, clean, age)))
    with transaction.atomic():
        saved = LevelOfCareRecommendation.objects.create(
            client=client,
            organisation=organisation,
            made_by=actor,
            assessment=assessment,
            based_on=[
                {"id": str(result.pk), "instrument": result.instrument, "performed_at": result.performed_at.isoformat()}
                for result in results
            ],
            context=clean,
            age=age,
            **data,
        )
        level = PyramidLevel(saved.level)
        timeline_add(
            client=client,
            organisation_id=organisation.pk,
            kind="screening.recommended",
            category=InformationCategory.SCREENING,
            summary=f"Level of care recommended: level {int(level)}, {level.label}",
            actor=actor,
            object_type="recommendation",
            object_id=saved.pk,
            occurred_at=saved.made_at,
        )
        audit_record(
            actor=actor,
            action="screening.recommend",
            object_type="recommendation",
            object_id=saved.pk,
            organisation_id=organisation.pk,
            details={
                "client": str(client.pk),
                "assessment": str(assessment.pk),
                "level": saved.level,
                "rules_version": saved.rules_version,
            },
        )
    return saved


def latest_recommendation(client: Client) -> LevelOfCareRecommendation | None:
    return (
        LevelOfCareRecommendation.objects.filter(client_id__in=record_client_ids(client)).order_by("-made_at").first()
    )


def placement_review_flag(
    *,
    actor: User,
    client: Client,
    service: Service,
    placed_by_object_type: str,
    placed_by_object_id: uuid.UUID | None = None,
) -> PlacementReview | None:
    """Flag for review a placement in ``service`` more intensive than the client's latest saved recommendation.

    Returns None when there is nothing to review (no recommendation saved, or a placement at or below it). The
    flag belongs to the organisation that registered the client, which made the recommendation. The caller has
    already decided the placement may be made; this adds a note and never raises because of a mismatch.
    """
    recommendation = latest_recommendation(client)
    if recommendation is None:
        return None
    mismatch = placement_mismatch(as_recommendation(recommendation), service.pyramid_level)
    if mismatch is None:
        return None
    with transaction.atomic():
        review = PlacementReview.objects.create(
            client=client,
            organisation_id=client.organisation_id,
            recommendation=recommendation,
            service=service,
            placed_by_object_type=placed_by_object_type,
            placed_by_object_id=placed_by_object_id,
            recommended_level=int(mismatch.recommended),
            placed_level=int(mismatch.placed),
            flagged_by=actor,
        )
        timeline_add(
            client=client,
            organisation_id=client.organisation_id,
            kind="screening.placement_review",
            category=InformationCategory.SCREENING,
            summary=(
                f"For review: placed at level {int(mismatch.placed)} ({service.name}), more intensive than the "
                f"recommended level {int(mismatch.recommended)}. The placement stands."
            ),
            actor=actor,
            object_type="placement_review",
            object_id=review.pk,
            occurred_at=review.flagged_at,
        )
        audit_record(
            actor=actor,
            action="screening.placement_flag",
            object_type="placement_review",
            object_id=review.pk,
            organisation_id=client.organisation_id,
            details={
                "client": str(client.pk),
                "service": str(service.pk),
                "recommended": review.recommended_level,
                "placed": review.placed_level,
            },
        )
    return review


def as_recommendation(saved: LevelOfCareRecommendation) -> Recommendation:
    """A saved recommendation in the matching engine's own shape."""
    return Recommendation(
        level=PyramidLevel(saved.level),
        services=tuple(ServiceType(code) for code in saved.services),
        also_offer=tuple(ServiceType(code) for code in saved.also_offer),
        deferred=tuple(ServiceType(code) for code in saved.deferred),
        reasons=tuple(Reason(r["rule"], r["text"], r["citation"]) for r in saved.reasons),
        rules_version=saved.rules_version,
        safety_floor=PyramidLevel(saved.safety_floor),
    )


def placement_review_close(*, actor: User, review: PlacementReview, outcome: str) -> PlacementReview:
    """Record what the review decided. Only the client's own service reviews; the placement is not changed here."""
    organisation = review.client.organisation
    if not user_has_permission_in(actor, Permission.SCREENING_PERFORM, organisation):
        raise NotPermitted("Only the service that registered this client can review this placement.")
    if outcome not in PlacementReviewOutcome.values:
        raise ServiceError("Choose what the review decided from the list.", field="outcome")
    with transaction.atomic():
        locked = PlacementReview.objects.select_for_update().get(pk=review.pk)
        if locked.outcome:
            raise ServiceError("This placement has already been reviewed.", field="outcome")
        locked.outcome = outcome
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["outcome", "reviewed_by", "reviewed_at"])
        timeline_add(
            client=locked.client,
            organisation_id=organisation.pk,
            kind="screening.placement_reviewed",
            category=InformationCategory.SCREENING,
            summary=f"Placement reviewed: {PlacementReviewOutcome(outcome).label}",
            actor=actor,
            object_type="placement_review",
            object_id=locked.pk,
            occurred_at=locked.reviewed_at,
        )
        audit_record(
            actor=actor,
            action="screening.placement_review",
            object_type="placement_review",
            object_id=locked.pk,
            organisation_id=organisation.pk,
            details={"client": str(locked.client_id), "outcome": outcome},
        )
    return locked
