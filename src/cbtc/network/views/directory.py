"""The service directory: a filterable list, and a page per service and organisation."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cbtc.errors import NotFound
from cbtc.network.forms import DirectoryFilterForm
from cbtc.network.models import OpeningHours, Weekday
from cbtc.network.roles import Permission
from cbtc.network.selectors import (
    DirectoryFilters,
    organisation_get,
    organisation_services,
    regions_for_filter,
    service_get,
    service_opening_hours,
    service_search,
)
from cbtc.web.policy import requires
from cbtc.web.rendering import is_htmx, render_page_or_fragment


@requires(Permission.DIRECTORY_VIEW)
@require_GET
def directory_view(request: HttpRequest) -> HttpResponse:
    regions = regions_for_filter(actor=request.user, selected_code=request.GET.get("region"))
    form = DirectoryFilterForm(request.GET or None, regions=regions)
    filters = form.filters() if form.is_bound and form.is_valid() else DirectoryFilters()
    page = None
    if not form.errors:
        paginator = Paginator(service_search(actor=request.user, filters=filters), settings.DIRECTORY_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "refresh_region": is_htmx(request)}
    return render_page_or_fragment(
        request,
        "network/directory.html",
        "network/partials/directory_results.html",
        context,
        status=400 if form.errors else 200,
    )


def _hours_table(rows: list[OpeningHours]) -> list[tuple[str, str]]:
    by_day: dict[int, list[str]] = {}
    for row in rows:
        whole_day = row.opens_at == time(0, 0) and row.closes_at >= time(23, 59)
        by_day.setdefault(row.weekday, []).append(
            "Open 24 hours" if whole_day else f"{row.opens_at:%H:%M}–{row.closes_at:%H:%M}"
        )
    return [(label, ", ".join(by_day.get(day, [])) or "Closed") for day, label in Weekday.choices]


@requires(Permission.DIRECTORY_VIEW)
@require_GET
def service_detail_view(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        service = service_get(actor=request.user, service_id=service_id)
    except NotFound as exc:
        raise Http404("No such service.") from exc
    hours, from_site = service_opening_hours(service)
    return render(
        request,
        "network/service_detail.html",
        {
            "service": service,
            "hours": _hours_table(hours) if hours else [],
            "hours_from_site": from_site,
        },
    )


@requires(Permission.DIRECTORY_VIEW)
@require_GET
def organisation_detail_view(request: HttpRequest, organisation_id: str) -> HttpResponse:
    try:
        organisation = organisation_get(actor=request.user, organisation_id=organisation_id)
    except NotFound as exc:
        raise Http404("No such organisation.") from exc
    return render(
        request,
        "network/organisation_detail.html",
        {
            "organisation": organisation,
            "services": organisation_services(actor=request.user, organisation=organisation),
        },
    )
