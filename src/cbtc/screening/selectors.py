"""Reads of assessments and brief interventions, for a record already obtained through
cbtc.clients.selectors.client_get_for_actor (which decided the access and logged the disclosure).

A recipient organisation sees them only under a consent covering screening. Newest first, bounded.
"""

from __future__ import annotations

import uuid

from cbtc.clients.models import InformationCategory
from cbtc.clients.selectors import ClientRecord
from cbtc.screening.models import Assessment, BriefIntervention

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
