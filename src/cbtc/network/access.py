"""Who holds which role and permission: the reads behind every access decision.

Results are cached on the user object for the length of a request, so a page that checks several
permissions costs one query.
"""

from __future__ import annotations

from typing import Any

from cbtc.network.models import Membership, Organisation
from cbtc.network.roles import ROLE_SPECS, Permission, Role, permissions_for_roles, roles_require_mfa

_CACHE_ATTR = "_cbtc_memberships"


def _memberships(user: Any) -> list[tuple[str, Role]]:
    """(organisation id, role) pairs for an active, authenticated user; empty for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[tuple[str, Role]] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = [
            (str(org_id), Role(role))
            for org_id, role in Membership.objects.filter(user=user).values_list("organisation_id", "role")
        ]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_cached_access(user: Any) -> None:
    """Call after changing a user's memberships within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: Any) -> frozenset[Role]:
    return frozenset(role for _, role in _memberships(user))


def user_permissions(user: Any) -> frozenset[Permission]:
    return permissions_for_roles(user_roles(user))


def user_has_permission(user: Any, permission: Permission) -> bool:
    return permission in user_permissions(user)


def user_organisation_ids_with(user: Any, permission: Permission) -> frozenset[str]:
    """Organisations in which the user holds ``permission`` through a role held there."""
    return frozenset(org_id for org_id, role in _memberships(user) if permission in permissions_for_roles({role}))


def user_has_permission_in(user: Any, permission: Permission, organisation: Organisation) -> bool:
    """A permission held in this organisation, or network-wide through NETWORK_ADMINISTER. Only what a
    network-wide role grants reaches every organisation: a system administrator who is also a clinician at
    one service may not register clients or record consents at another."""
    if user_has_permission(user, Permission.NETWORK_ADMINISTER):
        network_wide = permissions_for_roles({role for role in user_roles(user) if ROLE_SPECS[role].network_wide})
        if permission in network_wide:
            return True
    return str(organisation.pk) in user_organisation_ids_with(user, permission)


def user_requires_mfa(user: Any) -> bool:
    return roles_require_mfa(user_roles(user))
