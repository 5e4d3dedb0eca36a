"""Error pages in the product's own layout, with the request id so support can find the event."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = {400: "Bad request.", 403: "Forbidden.", 404: "Not found.", 500: "Something went wrong."}[status]
        return HttpResponse(f'{{"error": {{"message": "{message}"}}}}', status=status, content_type="application/json")
    body: str
    try:
        body = render_to_string(template, {"request_id": getattr(request, "request_id", "")}, request=request)
    except Exception:  # an error page must never fail itself
        body = "<h1>Error</h1>"
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "web/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "web/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "web/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, "web/500.html", 500)
