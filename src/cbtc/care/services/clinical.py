"""Recording relapse, lapse and drug test results: one row, one timeline entry, one audit event, and nothing
else. Deliberately so: no discharge, no sanction, no notification follows from them (seed 000 L157: relapse is
part of recovery)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.care.models.clinical import ClinicalEvent, ClinicalEventKind, TestResult
from cbtc.care.models.episodes import Episode
from cbtc.clients.models import Client, InformationCategory, Substance
from cbtc.clients.services import timeline_add
from cbtc.consent.disclosure import record_client_ids
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import User
from cbtc.network.roles import Permission

CLOCK_TOLERANCE = timedelta(minutes=5)


def clinical_event_record(
    *,
    actor: User,
    client: Client,
    kind: str,
    occurred_at: datetime | None = None,
    episode: Episode | None = None,
    substance: Substance | None = None,
    test_result: str = "",
) -> ClinicalEvent:
    if not user_has_permission_in(actor, Permission.CARE_RECORD, client.organisation):
        raise NotPermitted("Only the service that registered this client can record this.")
    if kind not in ClinicalEventKind.values:
        raise ServiceError("Choose what happened from the list.", field="kind")
    if (kind == ClinicalEventKind.DRUG_TEST) != (test_result in TestResult.values):
        raise ServiceError("A drug test has a result; a lapse or relapse has none.", field="test_result")
    if episode is not None and episode.client_id not in record_client_ids(client):
        raise ServiceError("Choose an episode of this client.", field="episode")
    moment = occurred_at or timezone.now()
    if timezone.is_naive(moment) or moment > timezone.now() + CLOCK_TOLERANCE:
        raise ServiceError("Give a time that has passed, with its time zone.", field="occurred_at")
    with transaction.atomic():
        event = ClinicalEvent.objects.create(
            client=client,
            organisation=client.organisation,
            episode=episode,
            kind=kind,
            substance=substance,
            test_result=test_result,
            occurred_at=moment,
            recorded_by=actor,
        )
        label = ClinicalEventKind(kind).label.split(" (")[0]
        summary = f"{label}: {TestResult(test_result).label.lower()}" if test_result else label
        if substance is not None:
            summary += f" ({substance.label.lower()})"
        timeline_add(
            client=client,
            organisation_id=client.organisation_id,
            kind="care.clinical_event",
            category=InformationCategory.EPISODES,
            summary=summary,
            actor=actor,
            object_type="clinical_event",
            object_id=event.pk,
            occurred_at=moment,
        )
        audit_record(
            actor=actor,
            action="care.clinical_event",
            object_type="clinical_event",
            object_id=event.pk,
            organisation_id=client.organisation_id,
            details={"client": str(client.pk), "kind": kind},
        )
    return event
