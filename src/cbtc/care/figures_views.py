"""Network figures from the care record, for programme managers: incidents by month and kind, de-identified
(services/incidents.py decides what is shown; small counts are hidden)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cbtc.care.services.incidents import FIGURE_MONTHS, SMALL_COUNT, incident_figures
from cbtc.clients.views.common import actor_of
from cbtc.network.roles import Permission
from cbtc.web.policy import requires


@requires(Permission.AGGREGATES_VIEW)
@require_GET
def incident_figures_view(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("months", "")
    months = int(asked) if asked in {str(m) for m in FIGURE_MONTHS} else 12
    figures = incident_figures(actor=actor_of(request), months=months)
    context = {"figures": figures, "months": months, "periods": FIGURE_MONTHS, "small": SMALL_COUNT}
    return render(request, "care/incident_figures.html", context)
