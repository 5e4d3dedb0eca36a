"""API routing with deny by default: every app's API router is a ``PolicyRouter``.

Each operation declares its access policy with the same decorators as the web views (cbtc.web.policy).
``PolicyRouter`` wraps every operation as it is registered: an operation without a policy always answers
403 (401 without a valid token), and a permission policy is checked before the operation runs. The check
also runs with the token check, before django-ninja reads the input: a caller without the permission gets
403, never a validation error that would describe an operation they may not use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.security import HttpBearer

from cbtc.network.access import user_has_permission
from cbtc.network.services.tokens import api_token_authenticate
from cbtc.web.policy import Policy, PolicyKind, policy_of, record_denial


def _check_policy(request: HttpRequest, policy: Policy | None) -> None:
    if policy is None:
        record_denial(request, "API operation without an access rule")
        raise HttpError(403, "This operation has no access rule, so nobody may use it.")
    if policy.kind == PolicyKind.PERMISSION:
        assert policy.permission is not None  # noqa: S101  # guaranteed by requires()
        if not user_has_permission(request.user, policy.permission):
            record_denial(request, f"missing permission {policy.permission}")
            raise HttpError(403, "Your role does not include this.")


class TokenAuth(HttpBearer):
    """A personal bearer token. With ``policy``, the operation's policy is checked as soon as the token is."""

    def __init__(self, policy: Policy | None = None, *, check_policy: bool = False) -> None:
        super().__init__()
        self.policy = policy
        self.check_policy = check_policy

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            if self.check_policy:
                _check_policy(request, self.policy)
        return user


token_auth = TokenAuth()


def _enforced(view_func: Callable[..., Any]) -> Callable[..., Any]:
    policy = policy_of(view_func)

    @functools.wraps(view_func)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        _check_policy(request, policy)  # again, whatever authentication the operation was given
        return view_func(request, *args, **kwargs)

    return guarded


class PolicyRouter(Router):
    def add_api_operation(self, path: str, methods: list[str], view_func: Callable[..., Any], **kwargs: Any) -> None:
        policy = policy_of(view_func)
        # Public operations need no token; all others (declared or not) need a valid one.
        public = policy is not None and policy.kind == PolicyKind.PUBLIC
        kwargs["auth"] = None if public else TokenAuth(policy, check_policy=True)
        super().add_api_operation(path, methods, _enforced(view_func), **kwargs)
