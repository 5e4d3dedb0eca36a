"""The consent rules as plain functions: the minor rule and when a consent is in force."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbtc.consent.exports import inert_cell
from cbtc.consent.models import AgeBasis
from cbtc.consent.rules import (
    AgeStatus,
    ConsentTerms,
    MinorRuleError,
    age_basis_for_consent,
    age_status,
    categories_covered,
    consent_in_force,
)

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def exact_age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@given(
    birth=st.dates(min_value=date(1920, 1, 1), max_value=date(2026, 11, 22)),
    month_known=st.booleans(),
    minor_age=st.integers(min_value=14, max_value=21),
)
def test_a_client_counts_as_adult_only_when_every_possible_birthday_makes_them_one(
    birth: date, month_known: bool, minor_age: int
) -> None:
    status = age_status(
        birth_year=birth.year, birth_month=birth.month if month_known else None, today=TODAY, minor_age=minor_age
    )
    if status is AgeStatus.ADULT:
        # Whatever the real day, the client is at least minor_age.
        assert exact_age(birth, TODAY) >= minor_age
    else:
        assert status is AgeStatus.MINOR
        # Some birthday consistent with the record makes them younger than minor_age.
        month = birth.month if month_known else 12
        latest = date(birth.year, month, calendar.monthrange(birth.year, month)[1])
        assert exact_age(latest, TODAY) < minor_age


def test_the_doubtful_year_counts_as_a_minor_and_the_month_resolves_it() -> None:
    # Born in 2008: 18 in November 2026 if born by 22 November, 17 otherwise.
    assert age_status(birth_year=2008, birth_month=None, today=TODAY, minor_age=18) is AgeStatus.MINOR
    assert age_status(birth_year=2008, birth_month=10, today=TODAY, minor_age=18) is AgeStatus.ADULT
    assert age_status(birth_year=2008, birth_month=11, today=TODAY, minor_age=18) is AgeStatus.MINOR
    assert age_status(birth_year=2007, birth_month=None, today=TODAY, minor_age=18) is AgeStatus.ADULT
    assert age_status(birth_year=None, birth_month=None, today=TODAY, minor_age=18) is AgeStatus.UNKNOWN


def basis(status: AgeStatus, *, alone: bool = False, guardian: str = "", states_adult: bool = False) -> AgeBasis:
    return age_basis_for_consent(
        status=status,
        minors_consent_alone=alone,
        minor_age=18,
        guardian_relationship=guardian,
        client_states_adult=states_adult,
    )


def test_a_minor_needs_a_guardian_unless_the_legal_setting_lets_minors_consent_alone() -> None:
    with pytest.raises(MinorRuleError) as refused:
        basis(AgeStatus.MINOR)
    assert refused.value.field == "guardian_relationship"
    assert basis(AgeStatus.MINOR, guardian="parent") is AgeBasis.MINOR_WITH_GUARDIAN
    assert basis(AgeStatus.MINOR, alone=True) is AgeBasis.MINOR_ALONE
    # Saying "I am an adult" does not override a recorded birth year.
    with pytest.raises(MinorRuleError):
        basis(AgeStatus.MINOR, states_adult=True)


def test_unknown_age_needs_the_clients_statement_or_a_guardian() -> None:
    with pytest.raises(MinorRuleError) as refused:
        basis(AgeStatus.UNKNOWN)
    assert refused.value.field == "client_states_adult"
    assert basis(AgeStatus.UNKNOWN, states_adult=True) is AgeBasis.STATED_ADULT
    assert basis(AgeStatus.UNKNOWN, guardian="legal_guardian") is AgeBasis.MINOR_WITH_GUARDIAN
    assert basis(AgeStatus.ADULT) is AgeBasis.ADULT
    with pytest.raises(MinorRuleError):
        basis(AgeStatus.MINOR, guardian="police")


moments = st.integers(min_value=-10_000, max_value=10_000).map(lambda minutes: NOW + timedelta(minutes=minutes))


@given(
    given_at=moments,
    revoked_at=st.none() | moments,
    event_at=st.none() | moments,
    expires_in_days=st.none() | st.integers(min_value=-30, max_value=30),
    at=moments,
)
def test_a_consent_is_in_force_exactly_between_giving_and_the_first_ending(
    given_at: datetime,
    revoked_at: datetime | None,
    event_at: datetime | None,
    expires_in_days: int | None,
    at: datetime,
) -> None:
    today = at.date()
    expires_on = None if expires_in_days is None else TODAY + timedelta(days=expires_in_days)
    in_force = consent_in_force(
        given_at=given_at, expires_on=expires_on, expiry_event_at=event_at, revoked_at=revoked_at, at=at, today=today
    )
    ended = (
        (revoked_at is not None and revoked_at <= at)
        or (event_at is not None and event_at <= at)
        or (expires_on is not None and today > expires_on)
    )
    assert in_force == (given_at <= at and not ended)


def terms(consent_id: str, recipients: set[str], categories: set[str], **changes: object) -> ConsentTerms:
    values: dict[str, object] = {
        "consent_id": consent_id,
        "recipient_ids": frozenset(recipients),
        "categories": frozenset(categories),
        "purpose": "care_coordination",
        "given_at": NOW - timedelta(days=1),
        "expires_on": None,
        "expiry_event_at": None,
        "revoked_at": None,
    }
    values.update(changes)
    return ConsentTerms(**values)  # type: ignore[arg-type]


def test_only_consents_in_force_that_name_the_recipient_count_and_the_earliest_wins() -> None:
    consents = [
        terms("c2", {"B"}, {"demographics", "screening"}),
        terms("c1", {"B", "C"}, {"demographics"}, given_at=NOW - timedelta(days=3)),
        terms("c3", {"C"}, {"identity"}),
        terms("c4", {"B"}, {"identity"}, revoked_at=NOW - timedelta(minutes=1)),
        terms("c5", {"B"}, {"outcomes"}, expires_on=TODAY - timedelta(days=1)),
    ]
    covered = categories_covered(consents, recipient_ids={"B"}, at=NOW, today=TODAY)
    assert {category: t.consent_id for category, t in covered.items()} == {
        "demographics": "c1",
        "screening": "c2",
    }
    assert categories_covered(consents, recipient_ids={"D"}, at=NOW, today=TODAY) == {}


def test_accounting_cells_that_a_spreadsheet_would_run_are_made_inert() -> None:
    for dangerous in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert inert_cell(dangerous) == "'" + dangerous
    assert inert_cell("") == ""
    assert inert_cell("Beta Community Network") == "Beta Community Network"
