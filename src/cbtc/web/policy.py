"""Deny by default: every route declares who may use it, or nobody may.

Decorate each view with exactly one of ``public``, ``signed_in``, ``account_step`` or ``requires(...)``.
``AccessPolicyMiddleware`` reads the declaration before the view runs: a route without one answers 401 to
anonymous visitors and 403 to everyone else. API operations declare the same policies; the API router
(cbtc.api) enforces them per operation, and the middleware hands API routes over to it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from cbtc.audit.services import audit_record
from cbtc.network.access import user_has_permission, user_requires_mfa
from cbtc.network.models import User
from cbtc.network.roles import Permission
from cbtc.network.services.staff import session_ended
from cbtc.web.rendering import is_htmx

logger = logging.getLogger(__name__)

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])
POLICY_ATTR = "cbtc_policy"
SESSION_STARTED_KEY = "cbtc_started_at"


class PolicyKind(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not (login page, OpenAPI document)
    ACCOUNT_STEP = "account_step"  # signed in, before MFA / password change is complete
    SIGNED_IN = "signed_in"  # any fully signed-in member of staff
    PERMISSION = "permission"  # signed in and holding one named permission
    API = "api"  # enforced per operation by the API router


@dataclass(frozen=True)
class Policy:
    kind: PolicyKind
    permission: Permission | None = None


def _declare(policy: Policy) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        if hasattr(view, POLICY_ATTR):
            raise ValueError(f"{view.__name__} declares two access policies.")
        setattr(view, POLICY_ATTR, policy)
        return view

    return decorator


public = _declare(Policy(PolicyKind.PUBLIC))
signed_in = _declare(Policy(PolicyKind.SIGNED_IN))
account_step = _declare(Policy(PolicyKind.ACCOUNT_STEP))
API_POLICY = Policy(PolicyKind.API)


def requires(permission: Permission) -> Callable[[ViewFunc], ViewFunc]:
    return _declare(Policy(PolicyKind.PERMISSION, permission))


def policy_of(view: Callable[..., Any]) -> Policy | None:
    policy = getattr(view, POLICY_ATTR, None)
    return policy if isinstance(policy, Policy) else None


def mfa_pending(request: HttpRequest) -> bool:
    """True while a signed-in user whose roles need a second factor has not given one this session."""
    user = request.user
    if not settings.REQUIRE_MFA or not user_requires_mfa(user):
        return False
    return not user.is_verified()  # type: ignore[union-attr]  # set by django_otp's middleware


def record_denial(request: HttpRequest, reason: str) -> None:
    """Failed authorisation is written to the audit trail for signed-in users (ASVS 16.3.2).

    Anonymous refusals only go to the log: scanners must not be able to flood the trail.
    """
    if request.user.is_authenticated:
        audit_record(
            actor=request.user,
            action="access.denied",
            object_type="route",
            details={
                "route": getattr(request.resolver_match, "view_name", ""),
                "method": (request.method or "")[:10],
                "reason": reason,
            },
        )
    else:
        logger.info(
            "anonymous request refused: %s %s", request.method, getattr(request.resolver_match, "view_name", "")
        )


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    record_denial(request, reason)
    return render(request, "web/403.html", {"reason": reason}, status=403)


def unauthenticated(request: HttpRequest) -> HttpResponse:
    record_denial(request, "not signed in")
    return render(request, "web/401.html", status=401)


def _session_expired(request: HttpRequest) -> bool:
    started = request.session.get(SESSION_STARTED_KEY)
    return started is None or time.time() - float(started) > settings.SESSION_ABSOLUTE_SECONDS


def _to_sign_in(request: HttpRequest, query: dict[str, str]) -> HttpResponseBase:
    target = f"{reverse(settings.LOGIN_URL)}?{urlencode(query)}"
    if is_htmx(request):
        # A plain redirect would be followed inside the page and the sign-in form swapped into a fragment.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


class AccessPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.user.is_authenticated:
            # Pages for signed-in staff (one-time passwords, tokens, later client records) must never be
            # kept by a browser or proxy cache.
            add_never_cache_headers(response)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        policy = policy_of(view_func)
        if policy is None:
            if request.user.is_authenticated:
                return forbidden(request, "This page has no access rule, so nobody may use it.")
            return unauthenticated(request)
        if policy.kind in (PolicyKind.PUBLIC, PolicyKind.API):
            return None
        if not request.user.is_authenticated:
            return _to_sign_in(request, {"next": request.get_full_path()})
        if _session_expired(request):
            if isinstance(request.user, User):
                session_ended(user=request.user, session_key=request.session.session_key, reason="expired")
            logout(request)
            return _to_sign_in(request, {"expired": "1"})
        if policy.kind == PolicyKind.ACCOUNT_STEP:
            return None
        if request.user.must_change_password:
            return redirect("web:password_change")
        if mfa_pending(request):
            return redirect("web:mfa")
        if policy.kind == PolicyKind.PERMISSION:
            assert policy.permission is not None  # noqa: S101  # guaranteed by requires()
            if not user_has_permission(request.user, policy.permission):
                return forbidden(request, "Your role does not include this.")
        return None
