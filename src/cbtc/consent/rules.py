"""Consent rules as plain functions over plain data: no database, so they can be tested exhaustively."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from cbtc.consent.models import AgeBasis, GuardianRelationship


class AgeStatus(StrEnum):
    ADULT = "adult"
    MINOR = "minor"
    UNKNOWN = "unknown"


def age_status(*, birth_year: int | None, birth_month: int | None, today: date, minor_age: int) -> AgeStatus:
    """ADULT only when the client is certainly ``minor_age`` or older. A birth year alone leaves a year of
    doubt; in that year the client counts as a minor, so a guardian's consent is never skipped by rounding."""
    if birth_year is None:
        return AgeStatus.UNKNOWN
    # The latest birthday consistent with what is recorded: the last day of the month, or 31 December.
    month = birth_month or 12
    day = calendar.monthrange(birth_year, month)[1]
    youngest_age = today.year - birth_year - (1 if (today.month, today.day) < (month, day) else 0)
    return AgeStatus.ADULT if youngest_age >= minor_age else AgeStatus.MINOR


class MinorRuleError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def age_basis_for_consent(
    *,
    status: AgeStatus,
    minors_consent_alone: bool,
    minor_age: int,
    guardian_relationship: str,
    client_states_adult: bool,
) -> AgeBasis:
    """How the minor rule is met for a new consent, or MinorRuleError saying what is missing."""
    if guardian_relationship and guardian_relationship not in GuardianRelationship.values:
        raise MinorRuleError("Choose who gave the guardian's consent from the list.", "guardian_relationship")
    if status is AgeStatus.ADULT:
        return AgeBasis.ADULT
    if status is AgeStatus.UNKNOWN:
        if client_states_adult:
            return AgeBasis.STATED_ADULT
        if guardian_relationship:
            return AgeBasis.MINOR_WITH_GUARDIAN
        if minors_consent_alone:
            return AgeBasis.MINOR_ALONE
        raise MinorRuleError(
            f"The birth year is not recorded. Confirm that the client says they are {minor_age} or older, "
            "or record the parent's or guardian's consent.",
            "client_states_adult",
        )
    if guardian_relationship:
        return AgeBasis.MINOR_WITH_GUARDIAN
    if minors_consent_alone:
        return AgeBasis.MINOR_ALONE
    raise MinorRuleError(
        f"The client may be under {minor_age}: a parent's or guardian's consent is also required here.",
        "guardian_relationship",
    )


@dataclass(frozen=True)
class ConsentTerms:
    """What the decision needs to know about one consent to share."""

    consent_id: str
    recipient_ids: frozenset[str]
    categories: frozenset[str]
    purpose: str
    given_at: datetime
    expires_on: date | None
    expiry_event_at: datetime | None
    revoked_at: datetime | None


def consent_in_force(
    *,
    given_at: datetime,
    expires_on: date | None,
    expiry_event_at: datetime | None,
    revoked_at: datetime | None,
    at: datetime,
    today: date,
) -> bool:
    """In force from the moment it was given until revoked, until the end of its expiry date, or until its
    expiry event happened — whichever comes first. Revocation and expiry act at once."""
    if given_at > at:
        return False
    if revoked_at is not None and revoked_at <= at:
        return False
    if expiry_event_at is not None and expiry_event_at <= at:
        return False
    return expires_on is None or today <= expires_on


def categories_covered(
    consents: Iterable[ConsentTerms], *, recipient_ids: Iterable[str], at: datetime, today: date
) -> dict[str, ConsentTerms]:
    """For each information category some consent in force lets one of ``recipient_ids`` see, the consent
    that does (the earliest given, so the accounting names a stable consent)."""
    recipients = frozenset(recipient_ids)
    covered: dict[str, ConsentTerms] = {}
    in_force = [
        terms
        for terms in consents
        if terms.recipient_ids & recipients
        and consent_in_force(
            given_at=terms.given_at,
            expires_on=terms.expires_on,
            expiry_event_at=terms.expiry_event_at,
            revoked_at=terms.revoked_at,
            at=at,
            today=today,
        )
    ]
    for terms in sorted(in_force, key=lambda terms: (terms.given_at, terms.consent_id)):
        for category in terms.categories:
            covered.setdefault(category, terms)
    return covered
