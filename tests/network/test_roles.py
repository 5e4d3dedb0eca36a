"""Roles and permissions: declared in one place, no enforcement purpose anywhere, decisions consistent."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.apps import apps
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from cbtc.network.access import user_has_permission, user_permissions, user_requires_mfa
from cbtc.network.models import Service
from cbtc.network.roles import (
    PERMISSION_DESCRIPTIONS,
    ROLE_SPECS,
    ROLES_GRANTABLE_BY_SERVICE_MANAGER,
    Permission,
    Role,
    permissions_for_roles,
)

ENFORCEMENT = re.compile(r"police|law.?enforcement|enforce|prosecut|detention|investigat|arrest|informant", re.I)


# Where police and courts may be named: as where a client came from (architecture §4: "may appear as referral
# sources and as services a client chooses to be referred to, nothing more"). Never as a role, permission or purpose.
# And what was done to a client (arrest, police harassment) as an incident, kept inside their service.
CLIENT_HISTORY_FIELDS = {("care.episode", "referral_source"), ("care.incident", "kind")}


def _all_choice_values_and_labels() -> list[str]:
    texts: list[str] = []
    for model in apps.get_models():
        if not model.__module__.startswith("cbtc."):
            continue
        for field in model._meta.get_fields():
            if (model._meta.label_lower, field.name) in CLIENT_HISTORY_FIELDS:
                continue
            for value, label in getattr(field, "choices", None) or []:
                texts += [str(value), str(label)]
    return texts


def test_there_is_no_law_enforcement_role_permission_or_choice_anywhere():
    texts = [r.value for r in Role] + [r.label for r in Role]
    texts += [p.value for p in Permission] + list(PERMISSION_DESCRIPTIONS.values())
    texts += [spec.description for spec in ROLE_SPECS.values()]
    texts += _all_choice_values_and_labels()
    assert len(texts) > 100  # the scan saw the real catalogue, not an empty list
    assert [t for t in texts if ENFORCEMENT.search(t)] == []


def test_every_role_has_a_spec_and_every_permission_a_description():
    assert set(ROLE_SPECS) == set(Role)
    assert set(PERMISSION_DESCRIPTIONS) == set(Permission)


def test_the_programme_manager_sees_aggregates_only():
    granted = ROLE_SPECS[Role.PROGRAMME_MANAGER].permissions
    assert Permission.AGGREGATES_VIEW in granted
    client_level = {
        p for p in Permission if p.value.split(".")[0] in {"client", "screening", "care", "referral", "oat", "case"}
    }
    assert granted.isdisjoint(client_level)


def test_roles_that_see_client_data_require_a_second_factor():
    for role, spec in ROLE_SPECS.items():
        if Permission.CLIENT_VIEW in spec.permissions or Permission.STAFF_MANAGE in spec.permissions:
            assert spec.requires_mfa, role


def test_service_managers_cannot_hand_out_network_wide_roles():
    assert Role.SYSTEM_ADMINISTRATOR not in ROLES_GRANTABLE_BY_SERVICE_MANAGER
    assert Role.PROGRAMME_MANAGER not in ROLES_GRANTABLE_BY_SERVICE_MANAGER
    assert Role.OUTREACH_WORKER in ROLES_GRANTABLE_BY_SERVICE_MANAGER


def _fake_user(roles: list[Role], *, active: bool = True, authenticated: bool = True) -> SimpleNamespace:
    # The access helpers read memberships through a per-request cache; seeding it keeps this test pure.
    return SimpleNamespace(
        is_authenticated=authenticated, is_active=active, _cbtc_memberships=[("org", role) for role in roles]
    )


@given(st.lists(st.sampled_from(list(Role)), max_size=5), st.sampled_from(list(Permission)))
def test_a_permission_is_held_exactly_when_one_of_the_roles_grants_it(roles, permission):
    user = _fake_user(roles)
    expected = any(permission in ROLE_SPECS[role].permissions for role in roles)
    assert user_has_permission(user, permission) is expected
    assert user_permissions(user) == permissions_for_roles(set(roles))


@given(st.lists(st.sampled_from(list(Role)), max_size=5), st.sampled_from(list(Permission)))
def test_disabled_and_anonymous_users_hold_nothing(roles, permission):
    assert not user_has_permission(_fake_user(roles, active=False), permission)
    assert not user_has_permission(_fake_user(roles, authenticated=False), permission)
    assert not user_requires_mfa(_fake_user(roles, active=False))


@given(st.sets(st.sampled_from(list(Role))), st.sets(st.sampled_from(list(Role))))
def test_more_roles_never_mean_fewer_permissions(some, more):
    assert permissions_for_roles(some) <= permissions_for_roles(some | more)


def test_model_choice_scan_covers_the_directory_catalogues():
    field = Service._meta.get_field("type")
    assert isinstance(field, models.CharField)
    assert "methadone" in {value for value, _ in field.choices or []}
