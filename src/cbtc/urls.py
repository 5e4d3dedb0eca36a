"""Every route of cbtc. Each view declares an access policy (cbtc.web.policy); tests/test_access_matrix.py
walks this resolver and proves that routes without one refuse everybody."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, include, path
from ninja import NinjaAPI

from cbtc.api import api
from cbtc.web.policy import API_POLICY, POLICY_ATTR, Policy, PolicyKind


def api_urlpatterns(ninja_api: NinjaAPI) -> tuple[list[Any], str, str]:
    """The API's URL patterns, each marked so the web middleware hands it to the API's own enforcement."""
    patterns, app_name, namespace = ninja_api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            # The OpenAPI document describes the API; it holds no data and is public. Every other API route
            # is enforced per operation by PolicyRouter.
            policy = Policy(PolicyKind.PUBLIC) if pattern.name == "openapi-json" else API_POLICY
            setattr(pattern.callback, POLICY_ATTR, policy)
        elif isinstance(pattern, URLResolver):  # pragma: no cover - we mount no nested APIs
            raise TypeError("Nested API resolvers are not expected.")
    return patterns, app_name, namespace


urlpatterns = [
    path("api/v1/", api_urlpatterns(api)),
    path("", include("cbtc.network.urls")),
    path("", include("cbtc.clients.urls")),
    path("", include("cbtc.consent.urls")),
    path("", include("cbtc.screening.urls")),
    path("", include("cbtc.referrals.urls")),
    path("", include("cbtc.care.urls")),
    path("", include("cbtc.web.urls")),
]

handler400 = "cbtc.web.errors.bad_request"
handler403 = "cbtc.web.errors.permission_denied"
handler404 = "cbtc.web.errors.page_not_found"
handler500 = "cbtc.web.errors.server_error"
