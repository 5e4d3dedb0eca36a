"""Property: whatever sequence of steps anyone tries, a referral only ever moves along the state diagram of the
issue, each step by its own side, final states never change, and every change leaves one history entry.

The oracle below is written from the issue's diagram, independently of cbtc.referrals.states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbtc.clients.models import Client
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import User
from cbtc.referrals.models import Referral, ReferralEvent
from cbtc.referrals.services import (
    referral_accept,
    referral_attended,
    referral_cancel,
    referral_complete,
    referral_decline,
    referral_no_show,
    referral_send,
    referrals_expire,
)
from tests.conftest import Network
from tests.referrals.conftest import refer

pytestmark = pytest.mark.django_db

ORACLE = {
    ("draft", "send"): "sent",
    ("draft", "cancel"): "cancelled",
    ("sent", "accept"): "accepted",
    ("sent", "decline"): "declined",
    ("sent", "cancel"): "cancelled",
    ("sent", "expire"): "expired",
    ("accepted", "attend"): "attended",
    ("accepted", "no_show"): "no_show",
    ("accepted", "cancel"): "cancelled",
    ("accepted", "expire"): "expired",
    ("attended", "complete"): "completed",
}
SENDER_ACTIONS = {"send", "cancel"}
RECEIVER_ACTIONS = {"accept", "decline", "attend", "no_show", "complete"}
FINAL = {"declined", "completed", "no_show", "cancelled", "expired"}


def _action(name: str) -> Callable[[User, Referral], object]:
    def expire(_: User, referral: Referral) -> object:
        # Time passes: an open referral's next step fell due long ago (a closed one has nothing due).
        Referral.objects.filter(pk=referral.pk, due_at__isnull=False).update(
            due_at=timezone.now() - timedelta(days=400)
        )
        return referrals_expire()

    return {
        "send": lambda actor, r: referral_send(actor=actor, referral=r),
        "cancel": lambda actor, r: referral_cancel(actor=actor, referral=r),
        "accept": lambda actor, r: referral_accept(actor=actor, referral=r),
        "decline": lambda actor, r: referral_decline(actor=actor, referral=r, reason="no_capacity"),
        "attend": lambda actor, r: referral_attended(actor=actor, referral=r),
        "no_show": lambda actor, r: referral_no_show(actor=actor, referral=r),
        "complete": lambda actor, r: referral_complete(actor=actor, referral=r, outcome="enrolled"),
        "expire": expire,
    }[name]


steps = st.lists(
    st.tuples(
        st.sampled_from(sorted({"send", "cancel", "accept", "decline", "attend", "no_show", "complete", "expire"})),
        st.sampled_from(["sender", "receiver"]),
    ),
    max_size=7,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=steps, start_as_draft=st.booleans())
def test_every_sequence_of_attempts_follows_the_diagram(  # noqa: PLR0917 - fixtures and drawn values
    network: Network,
    client_a: Client,
    worker_a: User,
    worker_b: User,
    attempts: list[tuple[str, str]],
    start_as_draft: bool,
) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b, send=not start_as_draft)
    state, changes = referral.state, (1 if start_as_draft else 2)
    for action, side in attempts:
        actor = worker_a if side == "sender" else worker_b
        expected = ORACLE.get((state, action))
        right_side = action == "expire" or action in (SENDER_ACTIONS if side == "sender" else RECEIVER_ACTIONS)
        try:
            _action(action)(actor, referral)
        except (ServiceError, NotPermitted):
            assert expected is None or not right_side, (state, action, side)
        else:
            if action != "expire":
                assert expected is not None and right_side, (state, action, side)
        referral.refresh_from_db()
        if expected is not None and right_side:
            assert referral.state == expected, (state, action, side)
            state, changes = expected, changes + 1
        else:
            assert referral.state == state, (state, action, side)
        assert ReferralEvent.objects.filter(referral=referral).count() == changes
        if state in FINAL:
            assert referral.closed_at is not None and referral.due_at is None
