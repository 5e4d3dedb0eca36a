"""Pages every member of staff shares: home, the audit trail for reviewers, error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cbtc.audit.selectors import recent_events
from cbtc.network.access import user_permissions
from cbtc.network.models import User
from cbtc.network.roles import PERMISSION_DESCRIPTIONS, ROLE_SPECS, Permission, Role
from cbtc.network.selectors import own_memberships
from cbtc.web.home import actions_for
from cbtc.web.policy import requires, signed_in


@signed_in
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # signed_in guarantees it
    memberships = own_memberships(actor=user)
    permissions = user_permissions(user)
    roles = sorted({Role(m.role) for m in memberships}, key=list(Role).index)
    context = {
        "memberships": memberships,
        "roles": [(role, ROLE_SPECS[role].description) for role in roles],
        "actions": actions_for(permissions),
        "can_do": [PERMISSION_DESCRIPTIONS[p] for p in Permission if p in permissions],
    }
    return render(request, "web/home.html", context)


@requires(Permission.AUDIT_REVIEW)
@require_GET
def audit_view(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)  # noqa: S101
    return render(request, "web/audit.html", {"events": recent_events(actor=request.user, limit=100)})
