from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site_context(request: HttpRequest) -> dict[str, Any]:
    return {"demo_mode": settings.MODE == "demo"}
