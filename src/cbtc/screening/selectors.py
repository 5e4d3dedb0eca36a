"""Reads of assessments and brief interventions, for a record already obtained through
cbtc.clients.selectors.client_get_for_actor (which decided the access and logged the disclosure).

A recipient organisation sees them only under a consent covering screening. Newest first, bounded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from cbtc.clients.models import InformationCategory
from cbtc.clients.selectors import ClientRecord
from cbtc.screening.instruments import available_instruments
from cbtc.screening.models import Assessment, BriefIntervention, LevelOfCareRecommendation, PlacementReview
from cbtc.screening.recommendations import RESULTS_WINDOW

LIST_LIMIT = 100


def assessments_for_record(*, record: ClientRecord) -> list[Assessment]:
    if not record.sees(InformationCategory.SCREENING):
        return []
    return list(
        Assessment.objects.filter(client_id__in=record.group_ids)
        .select_related("organisation", "performed_by")
        .order_by("-performed_at", "-recorded_at")[:LIST_LIMIT]
    )


def brief_interventions_for_record(*, record: ClientRecord) -> list[BriefIntervention]:
    if not record.sees(InformationCategory.SCREENING):
        return []
    return list(
        BriefIntervention.objects.filter(client_id__in=record.group_ids)
        .select_related("organisation", "given_by")
        .order_by("-given_at", "-recorded_at")[:LIST_LIMIT]
    )


def assessment_for_record(*, record: ClientRecord, assessment_id: uuid.UUID) -> Assessment | None:
    """One assessment of this record (merged records included), or None."""
    if not record.sees(InformationCategory.SCREENING):
        return None
    return Assessment.objects.filter(client_id__in=record.group_ids, pk=assessment_id).first()


def latest_results_for(*, record: ClientRecord, assessment: Assessment) -> list[Assessment]:
    """The assessment, and the latest result of each other instrument in the RESULTS_WINDOW before it."""
    if not record.sees(InformationCategory.SCREENING):
        return []
    return latest_results(client_ids=record.group_ids, assessment=assessment)


def latest_results(*, client_ids: Sequence[Any], assessment: Assessment) -> list[Assessment]:
    """For callers that already decided access (the services, acting for the owner). One indexed query per
    instrument (a handful), so the cost does not grow with the client's history."""
    results = [assessment]
    since = assessment.performed_at - RESULTS_WINDOW
    for code in sorted(available_instruments()):
        if code == assessment.instrument:
            continue
        latest = (
            Assessment.objects.filter(
                client_id__in=client_ids,
                instrument=code,
                performed_at__lte=assessment.performed_at,
                performed_at__gte=since,
            )
            .order_by("-performed_at", "-recorded_at")
            .first()
        )
        if latest is not None:
            results.append(latest)
    return results


def recommendations_for_record(*, record: ClientRecord, limit: int = LIST_LIMIT) -> list[LevelOfCareRecommendation]:
    if not record.sees(InformationCategory.SCREENING):
        return []
    return list(
        LevelOfCareRecommendation.objects.filter(client_id__in=record.group_ids)
        .select_related("organisation", "made_by")
        .order_by("-made_at")[: min(limit, LIST_LIMIT)]
    )


def placement_reviews_for_record(*, record: ClientRecord) -> list[PlacementReview]:
    """Placement reviews are the owning service's own business: recipients of a consent do not see them."""
    if not record.access.owner:
        return []
    return list(
        PlacementReview.objects.filter(client_id__in=record.group_ids)
        .select_related("service__organisation", "flagged_by", "reviewed_by")
        .order_by("-flagged_at")[:LIST_LIMIT]
    )
