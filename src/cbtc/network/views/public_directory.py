"""The public directory: anyone can find a service without signing in (standard 1.11: information on
services must be easy to find). Read-only, and only directory information: nothing about staff or clients."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cbtc.errors import NotFound
from cbtc.network.forms import DirectoryFilterForm
from cbtc.network.selectors import (
    languages_for_filter,
    populations_for_filter,
    public_regions_for_filter,
    public_service_get,
    public_service_search,
    service_opening_hours,
)
from cbtc.network.views.directory import chosen_origin
from cbtc.network.views.directory_pages import hours_table, render_search, search_page
from cbtc.web.policy import public


@public
@require_GET
def find_view(request: HttpRequest) -> HttpResponse:
    # No "own sites" for the public: distance is measured from a site chosen on a service's page ("near here").
    origin = chosen_origin(request)
    form = DirectoryFilterForm(
        request.GET or None,
        regions=public_regions_for_filter(selected_code=request.GET.get("region")),
        origins=[origin] if origin is not None else [],
        populations=populations_for_filter(),
        languages=languages_for_filter(),
    )
    page = search_page(request, form, lambda filters: public_service_search(filters=filters))
    return render_search(request, "network/find.html", form, page, public=True)


@public
@require_GET
def find_service_view(request: HttpRequest, service_id: str) -> HttpResponse:
    try:
        service = public_service_get(service_id=service_id)
    except NotFound as exc:
        raise Http404("No such service.") from exc
    hours, from_site = service_opening_hours(service)
    return render(
        request,
        "network/find_service.html",
        {"service": service, "hours": hours_table(hours) if hours else [], "hours_from_site": from_site},
    )
