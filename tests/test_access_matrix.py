"""The access matrix: every URL pattern and API operation, against anonymous visitors and every role.

A route is refused unless a rule grants it: anonymous visitors get 401 or the sign-in page; a role without
the permission gets 403. Routes that declare no rule at all answer 401/403 (proved with a URL
configuration that adds such routes).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cbtc.api import api
from cbtc.audit.models import AuditEvent
from cbtc.network.roles import ROLE_SPECS, Role
from cbtc.web.policy import Policy, PolicyKind, policy_of
from tests.conftest import bearer, signed_in_client

UUID_SEGMENT = re.compile(r"<uuid:\w+>")
SLUG_SEGMENT = re.compile(r"<slug:\w+>")  # an instrument code: a real one, so the view itself runs


@dataclass(frozen=True)
class Route:
    path: str
    name: str
    policy: Policy | None


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def web_routes() -> list[Route]:
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/"):
            continue  # API operations are enumerated one by one below
        concrete = "/" + SLUG_SEGMENT.sub("assist", UUID_SEGMENT.sub(lambda _: str(uuid.uuid4()), route))
        routes.append(Route(concrete, pattern.name or route, policy_of(pattern.callback)))
    # Signing out ends the session the later requests need, so it goes last.
    return sorted(routes, key=lambda r: r.name == "logout")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    policy: Policy | None


def api_operations() -> list[Operation]:
    operations = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            concrete = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), f"/api/v1{prefix}{path}")
            for operation in path_view.operations:
                for method in operation.methods:
                    operations.append(Operation(method, concrete, policy_of(operation.view_func)))
    return operations


def granted(policy: Policy | None, role: Role) -> bool:
    if policy is None:
        return False
    if policy.kind in (PolicyKind.PUBLIC, PolicyKind.SIGNED_IN, PolicyKind.ACCOUNT_STEP, PolicyKind.API):
        return True
    return policy.permission in ROLE_SPECS[role].permissions


def test_every_route_in_the_product_declares_a_policy():
    missing = [r.name for r in web_routes() if r.policy is None]
    missing += [f"{o.method} {o.path}" for o in api_operations() if o.policy is None]
    assert missing == []
    assert len(web_routes()) >= 15
    assert len(api_operations()) >= 5


# The HSDS directory API is public on purpose: information on services must be easy to find (docs/hsds.md).
PUBLIC_API_PREFIX = "/api/v1/hsds"


def _is_public(operation: Operation) -> bool:
    return operation.policy is not None and operation.policy.kind == PolicyKind.PUBLIC


def test_no_api_operation_is_public_except_the_openapi_document_and_the_hsds_directory():
    public = [o for o in api_operations() if _is_public(o)]
    assert public and all(o.method == "GET" and o.path.startswith(PUBLIC_API_PREFIX) for o in public), public


@pytest.mark.django_db
def test_anonymous_visitors_are_refused_everywhere_but_public_pages(network):
    client = Client()
    for route in web_routes():
        for method in ("get", "post"):
            response = getattr(client, method)(route.path)
            if route.policy is not None and route.policy.kind == PolicyKind.PUBLIC:
                assert response.status_code not in (401, 403), route
                continue
            refused = response.status_code == 401 or (
                response.status_code == 302 and response["Location"].startswith("/login/")
            )
            assert refused, (method, route, response.status_code)


@pytest.mark.django_db
def test_anonymous_api_callers_get_401_on_every_operation(network):
    client = Client()
    for operation in api_operations():
        response = client.generic(operation.method, operation.path)
        if _is_public(operation):
            assert response.status_code not in (401, 403), operation
            continue
        assert response.status_code == 401, operation
        assert response.json()["error"]["message"]
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_every_page_its_permissions_do_not_grant(personas, role):
    client = signed_in_client(personas.by_role[role])
    for route in web_routes():
        for method in ("get", "post"):
            response = getattr(client, method)(route.path)
            if granted(route.policy, role):
                assert response.status_code != 403, (role, method, route)
            else:
                assert response.status_code == 403, (role, method, route, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_every_api_operation_its_permissions_do_not_grant(personas, role):
    client = Client(**bearer(personas.by_role[role]))
    for operation in api_operations():
        response = client.generic(operation.method, operation.path)
        if granted(operation.policy, role):
            assert response.status_code not in (401, 403), (role, operation, response.status_code)
        else:
            assert response.status_code == 403, (role, operation, response.status_code)
            assert response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_member_of_staff_without_any_role_only_reaches_their_own_account_pages(personas):
    client = signed_in_client(personas.no_role)
    for route in web_routes():
        response = client.get(route.path)
        if route.policy is not None and route.policy.kind == PolicyKind.PERMISSION:
            assert response.status_code == 403, route


@pytest.mark.django_db
@pytest.mark.urls("tests.undeclared_urls")
def test_a_page_without_a_rule_answers_401_to_anonymous_and_403_to_every_role(personas):
    anonymous = Client().get("/undeclared/")
    assert anonymous.status_code == 401
    assert b"must never be served" not in anonymous.content
    for user in [*personas.by_role.values(), personas.no_role]:
        response = signed_in_client(user).get("/undeclared/")
        assert response.status_code == 403
        assert b"must never be served" not in response.content


@pytest.mark.django_db
@pytest.mark.urls("tests.undeclared_urls")
def test_an_api_operation_without_a_rule_answers_401_to_anonymous_and_403_to_every_role(personas):
    assert Client().get("/undeclared-api/secret").status_code == 401
    for user in personas.by_role.values():
        response = Client(**bearer(user)).get("/undeclared-api/secret")
        assert response.status_code == 403
        assert b"must never be served" not in response.content


@pytest.mark.django_db
def test_refusals_of_signed_in_staff_are_written_to_the_audit_trail(personas):
    outreach = personas.by_role[Role.OUTREACH_WORKER]
    signed_in_client(outreach).get("/audit/")
    denial = AuditEvent.objects.filter(action="access.denied", actor_id=str(outreach.pk)).get()
    assert denial.details["route"] == "web:audit"
