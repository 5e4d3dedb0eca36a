from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cbtc.network.access import user_permissions
from cbtc.web.home import actions_for
from cbtc.web.policy import mfa_pending


def site_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav = []
    # Until the password and second factor are settled, links elsewhere would only bounce back.
    if user is not None and user.is_authenticated and not user.must_change_password and not mfa_pending(request):
        nav = [a for a in actions_for(user_permissions(user)) if a.nav_label]
    return {"demo_mode": settings.MODE == "demo", "nav_actions": nav}
