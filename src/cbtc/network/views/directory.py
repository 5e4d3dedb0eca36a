"""The service directory: a filterable list, and a page per service and organisation."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cbtc.errors import NotFound
from cbtc.network.forms import DirectoryFilterForm
from cbtc.network.models import Site
from cbtc.network.roles import Permission
from cbtc.network.selectors import (
    languages_for_filter,
    organisation_get,
    organisation_services,
    origin_site_get,
    origin_sites_for_filter,
    populations_for_filter,
    regions_for_filter,
    service_get,
    service_opening_hours,
    service_search,
)
from cbtc.network.views.directory_pages import hours_table, render_search, search_page
from cbtc.web.policy import requires


def chosen_origin(request: HttpRequest) -> Site | None:
    """The site a "near here" link or the filter chose, if it is one; a bad value is reported by the form."""
    site_id = request.GET.get("near")
    if not site_id:
        return None
    try:
        return origin_site_get(site_id=site_id)
    except NotFound:
        return None


@requires(Permission.DIRECTORY_VIEW)
@require_GET
def directory_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = DirectoryFilterForm(
        request.GET or None,
        regions=regions_for_filter(actor=actor, selected_code=request.GET.get("region")),
        origins=origin_sites_for_filter(actor=actor, selected=chosen_origin(request)),
        populations=populations_for_filter(),
        languages=languages_for_filter(),
    )
    page = search_page(request, form, lambda filters: service_search(actor=actor, filters=filters))
    return render_search(request, "network/directory.html", form, page, public=False)


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
            "hours": hours_table(hours) if hours else [],
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
