"""The level-of-care part of the result page: the recommendation from the latest results and the counsellor's
context (worked out again on every change, htmx), the services of that kind nearest to the client's service,
saving the recommendation, and reviewing a placement flagged as more intensive than it."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cbtc.clients.models import InformationCategory
from cbtc.clients.selectors import ClientRecord
from cbtc.clients.views.common import actor_of, may_in_owner, record_or_404
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import ServiceType, Site
from cbtc.network.nearby import services_near
from cbtc.network.roles import Permission
from cbtc.screening.forms import ContextForm, PlacementReviewForm
from cbtc.screening.level_of_care import placement_review_close
from cbtc.screening.matching import recommend
from cbtc.screening.models import Assessment, PlacementReview
from cbtc.screening.recommendations import age_from_birth_year, injecting_in_result, match_input
from cbtc.screening.selectors import latest_results_for
from cbtc.web.policy import forbidden, requires

SITES_LIMIT = 50


def client_age(record: ClientRecord) -> int | None:
    """About how old the client is, when this viewer may see the birth year."""
    if not record.sees(InformationCategory.DEMOGRAPHICS):
        return None
    return age_from_birth_year(record.client.birth_year, timezone.localdate().year)


def _directory_link(service: ServiceType, level: int | None = None) -> str:
    query: dict[str, str | int] = {"type": service.value}
    if level is not None:
        query["level"] = level
    return f"{reverse('network:directory')}?{urlencode(query)}"


def client_sites(record: ClientRecord) -> list[Site]:
    return list(
        Site.objects.filter(organisation_id=record.client.organisation_id)
        .select_related("admin_area")
        .order_by("name", "id")[:SITES_LIMIT]
    )


def _origin(sites: list[Site], chosen: str | None) -> Site | None:
    by_id = {str(site.pk): site for site in sites}
    if chosen and chosen in by_id:
        return by_id[chosen]
    return next((site for site in sites if site.latitude is not None), sites[0] if sites else None)


def context_form(
    record: ClientRecord, results: list[Assessment], data: Any = None
) -> tuple[ContextForm, list[Site], dict[str, Any]]:
    """The context form (bound to ``data`` when given), the sites to list services near, and the context the
    recommendation is worked out from: what the counsellor gave, or the defaults the results suggest."""
    sites = client_sites(record)
    choices = [(str(site.pk), site.name) for site in sites]
    injecting = any(injecting_in_result(result) for result in results if result.instrument == "assist")
    if data is None:
        origin = _origin(sites, None)
        initial = {"injecting": injecting, "withdrawal_risk": "none", "near": str(origin.pk) if origin else ""}
        return ContextForm(initial=initial, sites=choices), sites, {"injecting": injecting}
    form = ContextForm(data, sites=choices)
    chosen = form.matching_context() if form.is_valid() else {"injecting": injecting}
    return form, sites, chosen


def recommendation_context(
    request: HttpRequest, record: ClientRecord, assessment: Assessment, data: Any = None
) -> dict[str, Any]:
    results = latest_results_for(record=record, assessment=assessment)
    form, sites, chosen = context_form(record, results, data)
    age = client_age(record)
    recommendation = recommend(match_input(results, chosen, age))
    near = form.cleaned_data.get("near") if form.is_bound and form.is_valid() else None
    origin = _origin(sites, near)
    nearby = (
        services_near(actor=actor_of(request), origin=origin, service_types=recommendation.services, age=age)
        if origin is not None
        else []
    )
    return {
        "context_form": form,
        "age": age,
        "recommendation": recommendation,
        "based_on": [result for result in results if result.pk != assessment.pk],
        "origin": origin,
        "nearby": [(row, row.service.pyramid_level > recommendation.level) for row in nearby],
        "find_services": (
            _directory_link(recommendation.services[0], int(recommendation.level)) if recommendation.services else ""
        ),
        "service_links": [(service.label, _directory_link(service)) for service in recommendation.services],
        "also_offer_links": [(service.label, _directory_link(service)) for service in recommendation.also_offer],
        "deferred": [service.label for service in recommendation.deferred],
        "can_save": may_in_owner(request, record, Permission.SCREENING_PERFORM),
        "can_refer": may_in_owner(request, record, Permission.REFERRAL_MANAGE) and record.client.merged_into_id is None,
    }


@requires(Permission.SCREENING_PERFORM)
@require_POST
def placement_review_view(request: HttpRequest, client_id: str, review_id: uuid.UUID) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.SCREENING_PERFORM)
    review = PlacementReview.objects.filter(pk=review_id, client_id__in=record.group_ids).first()
    if review is None:
        raise Http404("No such placement review.")
    form = PlacementReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what the review decided.")
    else:
        try:
            placement_review_close(actor=actor_of(request), review=review, outcome=form.cleaned_data["outcome"])
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Placement review recorded.")
    return redirect(f"{reverse('clients:detail', kwargs={'client_id': record.client.pk})}#level-of-care")
