"""The audit trail is append-only and hash-chained: tampering of any kind is refused or detected."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from cbtc.audit import services
from cbtc.audit.context import request_context
from cbtc.audit.models import AuditEvent, AuditImmutableError
from cbtc.audit.services import AuditDetailsError, audit_record, audit_verify, event_hash

TABLE = AuditEvent._meta.db_table


@contextmanager
def attacker_with_database_access() -> Iterator[None]:
    """Someone with raw database access switches the protective triggers off (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
    yield


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def five_events(db: None) -> list[AuditEvent]:
    with request_context("req-test-0001"):
        return [
            audit_record(actor=None, action="test.event", object_type="thing", object_id=f"id-{i}", details={"step": i})
            for i in range(1, 6)
        ]


def test_a_clean_chain_verifies(five_events):
    result = audit_verify()
    assert result.ok
    assert result.checked == 5
    assert result.last_hash == five_events[-1].hash


def test_events_link_to_their_predecessor_and_carry_the_request_id(five_events):
    assert five_events[0].prev_hash == "0" * 64
    for before, after in pairwise(five_events):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    assert {e.request_id for e in five_events} == {"req-test-0001"}


def test_the_orm_refuses_to_update_or_delete_events(five_events):
    event = AuditEvent.objects.get(seq=2)
    event.action = "test.changed"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(seq=2).update(action="test.changed")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert audit_verify().ok


def test_the_database_refuses_update_and_delete_from_raw_sql(five_events):
    for statement in (
        f"UPDATE {TABLE} SET action = 'test.changed' WHERE seq = 2",
        f"DELETE FROM {TABLE} WHERE seq = 2",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(statement)
    assert audit_verify().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_truncate(five_events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(f"TRUNCATE {TABLE}")


def test_an_edited_event_is_named(five_events):
    with attacker_with_database_access():
        raw(f"UPDATE {TABLE} SET object_id = 'someone-else' WHERE seq = 3")
    result = audit_verify()
    assert result.first_break is not None
    assert result.first_break.seq == 3
    assert "changed" in result.first_break.reason
    assert result.checked == 2


def test_an_edit_that_also_recomputes_the_hash_is_caught_by_the_next_link(five_events):
    event = AuditEvent.objects.get(seq=3)
    forged = event_hash(
        seq=3,
        occurred_at=event.occurred_at,
        actor_id="",
        organisation_id="",
        action="test.event",
        object_type="thing",
        object_id="forged",
        request_id=event.request_id,
        details=event.details,
        prev_hash=event.prev_hash,
    )
    with attacker_with_database_access():
        raw(f"UPDATE {TABLE} SET object_id = 'forged', hash = %s WHERE seq = 3", [forged])
    result = audit_verify()
    assert result.first_break is not None
    assert result.first_break.seq == 4


def test_a_deleted_event_is_named(five_events):
    with attacker_with_database_access():
        raw(f"DELETE FROM {TABLE} WHERE seq = 3")
    result = audit_verify()
    assert result.first_break is not None
    assert result.first_break.seq == 4
    assert "missing" in result.first_break.reason


def test_a_deleted_newest_event_is_detected(five_events):
    with attacker_with_database_access():
        raw(f"DELETE FROM {TABLE} WHERE seq = 5")
    result = audit_verify()
    assert not result.ok
    assert result.first_break is not None
    assert "end" in result.first_break.reason


def test_an_inserted_event_is_named(five_events):
    third = AuditEvent.objects.get(seq=3)
    with attacker_with_database_access():
        # Make room by shifting later events, then slip a forged event in at position 4.
        raw(f"UPDATE {TABLE} SET seq = seq + 100 WHERE seq > 3")
        raw(
            f"INSERT INTO {TABLE} (seq, occurred_at, actor_id, organisation_id, action, object_type, object_id, "
            "request_id, details, prev_hash, hash) VALUES (4, %s, '', '', 'test.forged', '', '', '', '{}', %s, %s)",
            [third.occurred_at, third.hash, "f" * 64],
        )
    result = audit_verify()
    assert result.first_break is not None
    assert result.first_break.seq == 4


def test_the_verify_command_reports_intact_and_broken_chains(five_events):
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact: 5 events" in out.getvalue()
    with attacker_with_database_access():
        raw(f"UPDATE {TABLE} SET action = 'test.rewritten' WHERE seq = 2")
    with pytest.raises(CommandError, match=r"BROKEN at event #2"):
        call_command("audit", "verify")


def test_verify_walks_the_chain_in_batches(five_events):
    assert audit_verify(batch_size=2).checked == 5


@pytest.mark.parametrize("key", ["name", "client_name", "phone", "dob", "uic", "address", "email", "password"])
def test_identifying_details_are_refused(db, key):
    with pytest.raises(AuditDetailsError):
        audit_record(actor=None, action="test.event", details={key: "x"})


def test_details_must_be_plain_values(db):
    with pytest.raises(AuditDetailsError):
        audit_record(actor=None, action="test.event", details={"items": ["a", "b"]})  # type: ignore[dict-item]


@given(
    st.dictionaries(
        st.from_regex(r"[a-z]{1,12}", fullmatch=True),
        st.one_of(st.integers(), st.booleans(), st.none(), st.text(max_size=200)),
        max_size=5,
    )
)
def test_the_hash_is_stable_and_sensitive_to_every_detail(details):
    when = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    fields = {
        "seq": 1,
        "occurred_at": when,
        "actor_id": "a",
        "organisation_id": "o",
        "action": "x.y",
        "object_type": "t",
        "object_id": "i",
        "request_id": "r",
        "details": details,
        "prev_hash": "0" * 64,
    }
    assert event_hash(**fields) == event_hash(**fields)
    assert event_hash(**{**fields, "details": {**details, "extra": 1}}) != event_hash(**fields)


def test_an_event_slipped_in_after_the_end_is_named(five_events):
    newest = AuditEvent.objects.get(seq=5)
    with attacker_with_database_access():
        raw(
            f"INSERT INTO {TABLE} (seq, occurred_at, actor_id, organisation_id, action, object_type, object_id, "
            "request_id, details, prev_hash, hash) VALUES (6, %s, '', '', 'test.forged', '', '', '', '{}', %s, %s)",
            [newest.occurred_at, newest.hash, "e" * 64],
        )
    result = audit_verify()
    assert result.first_break is not None
    assert result.first_break.seq == 6


def test_events_appended_while_verifying_are_not_mistaken_for_tampering(five_events, monkeypatch):
    real_events = services._events_in_order

    def events_then_a_new_append(batch_size, last_seq):
        yield from real_events(batch_size, last_seq)
        audit_record(actor=None, action="test.during_verify")

    monkeypatch.setattr(services, "_events_in_order", events_then_a_new_append)
    result = audit_verify()
    assert result.ok, result.first_break
    assert result.checked == 5


@pytest.mark.parametrize("key", ["username", "phone_number", "full_name", "date_of_birth"])
def test_identifying_keys_are_refused_in_their_common_spellings(db, key):
    with pytest.raises(AuditDetailsError):
        audit_record(actor=None, action="test.event", details={key: "x"})


def test_floats_are_refused_because_jsonb_may_rewrite_them(db):
    with pytest.raises(AuditDetailsError):
        audit_record(actor=None, action="test.event", details={"ratio": 1e20})  # type: ignore[dict-item]
