"""JSON API of progress reports to a court (services/justice.py): prepared by the organisation holding the
episode, under the client's consent to court reports; listed for that organisation only."""

import uuid
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema, Status

from cbtc.api_routing import PolicyRouter
from cbtc.audit.services import audit_record
from cbtc.care.episode_api import ERRORS, episode_of, for_change
from cbtc.care.models.justice import STATEMENT_MAX, CourtReport
from cbtc.care.services.justice import CourtReportInput, court_report_prepare
from cbtc.clients.api import actor_of, no_store
from cbtc.clients.schemas import DETAIL_TEXT
from cbtc.network.roles import Permission
from cbtc.web.policy import requires

router = PolicyRouter(tags=["care"])
REPORTS = "/clients/{client_id}/episodes/{episode_id}/court-reports"
LIST_LIMIT = 50


class CourtReportIn(Schema):
    consent_id: uuid.UUID = Field(description="The client's consent to progress reports to a court, in force.")
    period_from: date
    period_to: date
    statement: str = Field("", max_length=STATEMENT_MAX, pattern=DETAIL_TEXT)
    read_with_client: bool = Field(description="The report was read with the client, who agreed to hand it over.")


class CourtReportOut(Schema):
    id: uuid.UUID
    court: str
    period_from: date
    period_to: date
    care_kind: str
    in_care_since: date | None
    participation: str
    sessions_in_period: int
    statement: str
    prepared_at: datetime


class CourtReportListOut(Schema):
    reports: list[CourtReportOut]


def _out(report: CourtReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in CourtReportOut.model_fields if name != "id"} | {"id": report.pk}


@router.post(REPORTS, response={201: CourtReportOut, **ERRORS}, summary="Prepare a progress report to a court")
@requires(Permission.CARE_RECORD)
def court_report_create_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, episode_id: uuid.UUID, data: CourtReportIn
) -> Status[dict[str, Any]]:
    no_store(response)
    episode = episode_of(for_change(request, client_id), episode_id)
    report = court_report_prepare(actor=actor_of(request), episode=episode, data=CourtReportInput(**data.dict()))
    return Status(201, _out(report))


@router.get(REPORTS, response={200: CourtReportListOut, **ERRORS}, summary="The episode's progress reports to a court")
@requires(Permission.CARE_RECORD)
def court_report_list_op(
    request: HttpRequest, response: HttpResponse, client_id: uuid.UUID, episode_id: uuid.UUID
) -> dict[str, Any]:
    no_store(response)
    episode = episode_of(for_change(request, client_id), episode_id)
    reports = list(CourtReport.objects.filter(episode=episode).order_by("-prepared_at")[:LIST_LIMIT])
    audit_record(
        actor=actor_of(request),
        action="care.court_report_list",
        object_type="episode",
        object_id=episode.pk,
        organisation_id=episode.organisation_id,
        details={"client": str(episode.client_id), "reports": len(reports)},
    )
    return {"reports": [_out(report) for report in reports]}
