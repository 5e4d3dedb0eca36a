"""Writing and verifying the audit trail. ``audit_record`` is the only way events are written."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from cbtc.audit.context import current_request_id
from cbtc.audit.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
# No floats: PostgreSQL jsonb may re-render them, and the recomputed hash would no longer match.
DetailValue = str | int | bool | None

# Details describe what happened, never who the client is. Keys that suggest identifying data are refused
# outright so a careless caller fails in tests rather than leaking into the trail.
_IDENTIFYING_KEY = re.compile(
    r"(^|_)(user_?name|full_?name|name|first_name|last_name|surname|phone|phone_?number|telephone|mobile|email|"
    r"address|dob|birth|date_?of_?birth|uic|national_id|passport|password|secret|token|otp|code)($|_)",
)
_MAX_DETAIL_LENGTH = 200
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class Actor(Protocol):
    """Anything with an id: a staff user. ``None`` means the system itself (migrations, CLI set-up)."""

    @property
    def pk(self) -> Any: ...


class AuditDetailsError(ValueError):
    pass


def _check_details(details: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    checked: dict[str, DetailValue] = {}
    for key, value in details.items():
        if _IDENTIFYING_KEY.search(key):
            raise AuditDetailsError(f"Audit detail {key!r} looks identifying; record an opaque id instead.")
        if not isinstance(value, str | int | bool) and value is not None:
            raise AuditDetailsError(f"Audit detail {key!r} must be a plain value, not {type(value).__name__}.")
        if isinstance(value, str) and len(value) > _MAX_DETAIL_LENGTH:
            raise AuditDetailsError(f"Audit detail {key!r} is longer than {_MAX_DETAIL_LENGTH} characters.")
        checked[key] = value
    return checked


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: str,
    organisation_id: str,
    action: str,
    object_type: str,
    object_id: str,
    request_id: str,
    details: Mapping[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON rendering of every stored field except the hash itself."""
    payload = json.dumps(
        {
            "seq": seq,
            "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "organisation_id": organisation_id,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "request_id": request_id,
            "details": dict(details),
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def _opaque(value: Any) -> str:
    return "" if value is None else str(value)


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    object_type: str = "",
    object_id: Any = None,
    organisation_id: Any = None,
    details: Mapping[str, DetailValue] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside the transaction of the change it records."""
    if not _ACTION.match(action):
        raise AuditDetailsError(f"Audit action {action!r} must look like 'area.verb', in lower case.")
    checked = _check_details(details or {})
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
        )
        # Microseconds are kept: the hash is computed over the stored value, which must round-trip exactly.
        fields: dict[str, Any] = {
            "seq": head.last_seq + 1,
            "occurred_at": timezone.now(),
            "actor_id": _opaque(actor.pk if actor is not None else None),
            "organisation_id": _opaque(organisation_id),
            "action": action,
            "object_type": object_type,
            "object_id": _opaque(object_id),
            "request_id": current_request_id(),
            "details": checked,
            "prev_hash": head.last_hash,
        }
        event = AuditEvent.objects.create(**fields, hash=event_hash(**fields))
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    last_hash: str
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events_in_order(batch_size: int, last_seq: int) -> Iterator[AuditEvent]:
    # Keyset pagination: constant memory however long the trail grows.
    after = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=after, seq__lte=last_seq).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(id=1).first()
    return (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)


def _first_break(event: AuditEvent, expected_seq: int, prev_hash: str) -> str | None:
    if event.seq != expected_seq:
        return f"expected event #{expected_seq} here; events are missing or were inserted"
    if event.prev_hash != prev_hash:
        return "does not link to the event before it (an event was deleted or inserted)"
    recomputed = event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        organisation_id=event.organisation_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        request_id=event.request_id,
        details=event.details,
        prev_hash=event.prev_hash,
    )
    if recomputed != event.hash:
        return "its content was changed after it was written"
    return None


def audit_verify(*, batch_size: int = 2000) -> VerifyResult:
    """Walk the chain up to the head as it stood when the walk began, and report the first event that does
    not fit. Events appended while the walk runs are left for the next run; events past the head that no
    writer accounts for are reported."""
    head_seq, head_hash = _head()
    prev_hash = GENESIS_HASH
    checked = 0
    for event in _events_in_order(batch_size, head_seq):
        reason = _first_break(event, checked + 1, prev_hash)
        if reason is not None:
            return VerifyResult(checked, prev_hash, ChainBreak(event.seq, reason))
        prev_hash = event.hash
        checked += 1
    if head_seq != checked or head_hash != prev_hash:
        return VerifyResult(
            checked,
            prev_hash,
            ChainBreak(
                checked + 1 if head_seq > checked else None,
                f"the chain should end at event #{head_seq} but ends at #{checked} (events were removed "
                "from the end, or the head was changed)",
            ),
        )
    beyond = AuditEvent.objects.filter(seq__gt=head_seq).order_by("seq").first()
    if beyond is not None and _head()[0] == head_seq:
        # Nothing was appended during the walk, yet an event stands past the head: it was slipped in.
        return VerifyResult(checked, prev_hash, ChainBreak(beyond.seq, "stands after the end of the chain"))
    return VerifyResult(checked, prev_hash, None)
