"""What the staff directory and the public directory share: running a search from the filter form, and the
way results and opening hours are shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

from cbtc.errors import ServiceError
from cbtc.network.forms import DirectoryFilterForm
from cbtc.network.models import OpeningHours, Weekday
from cbtc.network.selectors import DirectoryFilters, ServiceResults
from cbtc.web.rendering import is_htmx, render_page_or_fragment


def search_page(
    request: HttpRequest, form: DirectoryFilterForm, search: Callable[[DirectoryFilters], ServiceResults]
) -> Page[Any] | None:
    """The requested page of results, or None when a filter is not valid: the form then says which, next to
    the field (a search may refuse too, e.g. too many services within a large distance)."""
    if form.is_bound and not form.is_valid():
        return None
    try:
        results = search(form.filters() if form.is_bound else DirectoryFilters())
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    return Paginator(results, settings.DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))


def render_search(
    request: HttpRequest, page_template: str, form: DirectoryFilterForm, page: Page[Any] | None, *, public: bool
) -> HttpResponse:
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "refresh_region": is_htmx(request),
        "public": public,
    }
    return render_page_or_fragment(
        request,
        page_template,
        "network/partials/directory_results.html",
        context,
        status=400 if form.errors else 200,
    )


def hours_table(rows: list[OpeningHours]) -> list[tuple[str, str]]:
    by_day: dict[int, list[str]] = {}
    for row in rows:
        whole_day = row.opens_at == time(0, 0) and row.closes_at >= time(23, 59)
        by_day.setdefault(row.weekday, []).append(
            "Open 24 hours" if whole_day else f"{row.opens_at:%H:%M}–{row.closes_at:%H:%M}"
        )
    return [(label, ", ".join(by_day.get(day, [])) or "Closed") for day, label in Weekday.choices]
