"""The referral state machine as data and plain functions: which step may follow which, and which side of the
referral takes it. Services ask ``check_step`` before they change anything, so an illegal transition is
impossible whatever calls them (pages, API, the expiry job, other apps).

    draft -> sent -> accepted -> attended -> completed
                  \\-> declined   \\-> no_show
    cancelled: by the sender from draft, sent or accepted.  expired: by the expiry job from sent or accepted.

Declined, completed, no_show, cancelled and expired are final: a new referral is made instead, so that every
referral's history stays as it happened. Coming back is never held against the client.
"""

from __future__ import annotations

from typing import Literal

from cbtc.referrals.models import ReferralState as S

Side = Literal["sender", "receiver", "system"]

# next state -> (the states it may follow, the side that takes the step)
STEPS: dict[str, tuple[frozenset[str], Side]] = {
    S.SENT: (frozenset({S.DRAFT}), "sender"),
    S.ACCEPTED: (frozenset({S.SENT}), "receiver"),
    S.DECLINED: (frozenset({S.SENT}), "receiver"),
    S.ATTENDED: (frozenset({S.ACCEPTED}), "receiver"),
    S.NO_SHOW: (frozenset({S.ACCEPTED}), "receiver"),
    S.COMPLETED: (frozenset({S.ATTENDED}), "receiver"),
    S.CANCELLED: (frozenset({S.DRAFT, S.SENT, S.ACCEPTED}), "sender"),
    S.EXPIRED: (frozenset({S.SENT, S.ACCEPTED}), "system"),
}
FINAL = frozenset({S.DECLINED, S.COMPLETED, S.NO_SHOW, S.CANCELLED, S.EXPIRED})
OPEN = frozenset({S.SENT, S.ACCEPTED})  # waiting for the receiving service; these can become overdue


class IllegalStep(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_step(current: str, target: str, side: Side) -> None:
    """Raise IllegalStep unless ``side`` may move a referral from ``current`` to ``target``."""
    if target not in STEPS:
        raise IllegalStep(f"'{target}' is not a step a referral can take.")
    allowed_from, taken_by = STEPS[target]
    if current not in allowed_from:
        raise IllegalStep(f"A referral that is {S(current).label.lower()} cannot become {S(target).label.lower()}.")
    if side != taken_by:
        whom = {"sender": "the referring service", "receiver": "the receiving service", "system": "cbtc itself"}
        raise IllegalStep(f"Only {whom[taken_by]} can mark a referral {S(target).label.lower()}.")


def next_steps(current: str, side: Side) -> list[str]:
    """The steps ``side`` may take from ``current``, in the order of STEPS."""
    return [
        target for target, (allowed_from, taken_by) in STEPS.items() if current in allowed_from and taken_by == side
    ]
