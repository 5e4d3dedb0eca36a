"""The JSON API at /api/v1/: personal bearer tokens, one error shape, deny by default per operation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from cbtc.api_routing import PolicyRouter
from cbtc.care.api import router as care_router
from cbtc.care.episode_api import router as episode_router
from cbtc.care.justice_api import router as justice_router
from cbtc.care.records_api import router as care_records_router
from cbtc.clients.api import router as clients_router
from cbtc.consent.api import router as consent_router
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.api import router as network_router
from cbtc.network.hsds_api import router as hsds_router
from cbtc.referrals.api import router as referrals_router
from cbtc.screening.api import router as screening_router
from cbtc.screening.recommendation_api import router as recommendation_router


def _error(api: NinjaAPI, request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"error": {"message": message, **extra}}, status=status)


def _field_name(loc: Any) -> str | None:
    """The input at fault as the client sent it: "level", "identity.nickname" (a body's fields are named
    without the name of the view parameter that receives the body)."""
    parts = [str(part) for part in loc]
    parts = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(parts) or None


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="cbtc API",
        version="1",
        description=(
            "Service network directory and staff identity for community-based treatment and care. "
            "Authenticate with a personal token: `Authorization: Bearer <token>`. "
            'Errors always have the shape {"error": {"message": ..., ...}}.'
        ),
        urls_namespace="api",
        docs_url=None,  # no Swagger UI: it would load assets we do not vendor; the JSON document is served
        openapi_url="/openapi.json",
        default_router=PolicyRouter(),
    )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = [{"field": _field_name(err.get("loc", [])), "reason": err.get("msg", "invalid")} for err in exc.errors]
        return _error(api, request, 422, "Some input is not valid.", fields=fields)

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = _error(api, request, 401, "Send a valid personal API token: 'Authorization: Bearer <token>'.")
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _error(api, request, exc.status_code, str(exc))

    @api.exception_handler(NotFound)
    def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return _error(api, request, 404, "Not found.")

    @api.exception_handler(NotPermitted)
    def not_permitted(request: HttpRequest, exc: NotPermitted) -> HttpResponse:
        return _error(api, request, 403, exc.message)

    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return _error(api, request, 422, exc.message, fields=[{"field": exc.field, "reason": exc.message}])

    api.add_router("", network_router)
    api.add_router("", hsds_router)
    api.add_router("", clients_router)
    api.add_router("", consent_router)
    api.add_router("", screening_router)
    api.add_router("", recommendation_router)
    api.add_router("", referrals_router)
    api.add_router("", care_router)
    api.add_router("", episode_router)
    api.add_router("", care_records_router)
    api.add_router("", justice_router)
    return api


api = build_api()
