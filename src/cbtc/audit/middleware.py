"""Gives every request an id, shared by its audit events, its log lines and the X-Request-ID response header."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cbtc.audit.context import request_context


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Always our own id: a client-supplied one would let callers write chosen values into the audit trail.
        with request_context() as request_id:
            request.request_id = request_id  # type: ignore[attr-defined]  # read by views and error pages
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            return response
