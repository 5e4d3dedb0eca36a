"""Reads of the audit trail, for people whose role is to review it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cbtc.audit.models import AuditEvent
from cbtc.audit.services import audit_record
from cbtc.errors import NotPermitted
from cbtc.network.access import user_has_permission
from cbtc.network.models import User
from cbtc.network.roles import Permission


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    actor_label: str


def recent_events(*, actor: Any, limit: int = 100) -> list[EventRow]:
    """The newest events, newest first, with staff user names. Reading the trail is itself recorded."""
    if not user_has_permission(actor, Permission.AUDIT_REVIEW):
        raise NotPermitted("Your role does not include reviewing the audit trail.")
    audit_record(actor=actor, action="audit.review", details={"limit": limit})
    events = list(AuditEvent.objects.order_by("-seq")[: min(limit, 500)])
    actor_ids = {e.actor_id for e in events if e.actor_id}
    names = {str(pk): name for pk, name in User.objects.filter(pk__in=actor_ids).values_list("pk", "username")}
    return [EventRow(e, names.get(e.actor_id, "system") if e.actor_id else "system") for e in events]
