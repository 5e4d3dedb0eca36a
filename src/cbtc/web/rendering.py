"""The one place that decides between a full page and an htmx fragment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx(request: HttpRequest) -> bool:
    # History restores ask for the whole page even though they come from htmx.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render_page_or_fragment(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, fragment if is_htmx(request) else page, context, status=status)
    # The same URL answers with two shapes; caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
