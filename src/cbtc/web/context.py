from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cbtc.network.access import user_permissions
from cbtc.web.home import actions_for


def site_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    nav = [a for a in actions_for(user_permissions(user)) if a.nav_label] if user is not None else []
    return {"demo_mode": settings.MODE == "demo", "nav_actions": nav}
