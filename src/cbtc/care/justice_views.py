"""Progress reports to a court: prepared from the episode page under the client's consent to court reports,
then shown as a page to print and hand over. Only the organisation holding the episode sees them (they are
owner-only on the timeline, and listed in the accounting of disclosures)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cbtc.audit.services import audit_record
from cbtc.care.episode_views import client_context, episode_for_change
from cbtc.care.justice_forms import CourtReportForm
from cbtc.care.models.justice import CourtReport
from cbtc.care.services.justice import court_consents_in_force, court_report_prepare
from cbtc.clients.views.common import actor_of
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.roles import Permission
from cbtc.web.policy import forbidden, requires


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def court_report_new_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    consents = court_consents_in_force(record.client, episode.organisation_id)
    last = CourtReport.objects.filter(episode=episode).order_by("-prepared_at").values_list("period_to", flat=True)
    context: dict[str, Any] = {**client_context(record), "episode": episode, "consents": consents}
    if request.method == "GET":
        form = CourtReportForm(consents=consents, last_report_to=last.first())
        return render(request, "care/court_report_new.html", {**context, "form": form})
    form = CourtReportForm(request.POST, consents=consents)
    if form.is_valid():
        try:
            report = court_report_prepare(actor=actor_of(request), episode=episode, data=form.to_input())
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            messages.success(request, f"Progress report ready for {report.court}. Print it or save it as a PDF.")
            return redirect("care:court_report", client_id=record.client.pk, episode_id=episode.pk, report_id=report.pk)
    return render(request, "care/court_report_new.html", {**context, "form": form}, status=400)


@requires(Permission.CARE_RECORD)
@require_GET
def court_report_view(request: HttpRequest, client_id: str, episode_id: str, report_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    report = (
        CourtReport.objects.select_related("organisation", "prepared_by", "consent")
        .filter(episode=episode, pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    audit_record(
        actor=actor_of(request),
        action="care.court_report_view",
        object_type="court_report",
        object_id=report.pk,
        organisation_id=episode.organisation_id,
        details={"client": str(record.client.pk)},
    )
    return render(request, "care/court_report.html", {**client_context(record), "episode": episode, "report": report})
