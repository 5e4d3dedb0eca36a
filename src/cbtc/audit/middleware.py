"""Gives every request an id, shared by its audit events, its log lines and the X-Request-ID header."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cbtc.audit.context import request_context

# Accept a proxy's id only when it is harmless: it ends up in the audit trail and in headers.
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{8,36}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        with request_context(incoming if _SAFE_ID.match(incoming) else None) as request_id:
            request.request_id = request_id  # type: ignore[attr-defined]  # read by views and error pages
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
