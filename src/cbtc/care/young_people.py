"""Young people (issue 6, deliverable 7; standard 5.2, notes/standards-and-modalities-part1.md L111: services
for adolescents "prevent contact with patients in more advanced stages. Separate settings should be considered
whenever possible"; seed 001 L642-L668: children and adolescents should not be treated in the same setting as
adults). Plain rules over plain data.

A young person is a client who may be under the age of majority (the consent rules' MINOR_AGE; a birth year
alone counts as under age for its year of doubt, as for consent). A service is a setting for young people when
it takes people under that age and its upper age limit is YOUTH_SETTING_MAX_AGE or below. Where care means
living with other clients (inpatient withdrawal, residential), placing a young person in a setting for adults is
never refused, since no care at all is worse, but the reason is written down, so the choice is deliberate and
reviewable.
"""

from __future__ import annotations

from datetime import date

from cbtc.care.models.episodes import Modality
from cbtc.consent.rules import AgeStatus, age_status

YOUTH_SETTING_MAX_AGE = 24
SHARED_LIVING_MODALITIES = frozenset(
    {Modality.WITHDRAWAL_INPATIENT, Modality.SHORT_TERM_RESIDENTIAL, Modality.LONG_TERM_RESIDENTIAL}
)


def is_young_person(*, birth_year: int | None, birth_month: int | None, today: date, minor_age: int) -> bool:
    status = age_status(birth_year=birth_year, birth_month=birth_month, today=today, minor_age=minor_age)
    return status is AgeStatus.MINOR


def is_youth_setting(*, min_age: int | None, max_age: int | None, minor_age: int) -> bool:
    """A service for young people: an upper age limit of YOUTH_SETTING_MAX_AGE or below, and open to people under
    the age of majority (a service for 18 to 24 year olds is a setting for young adults, not for minors)."""
    takes_minors = min_age is None or min_age < minor_age
    return takes_minors and max_age is not None and max_age <= YOUTH_SETTING_MAX_AGE


def adult_setting_needs_reason(
    *, young: bool, modality: str, service_min_age: int | None, service_max_age: int | None, minor_age: int
) -> bool:
    """Whether opening this episode puts a young person where they would live alongside adult clients."""
    youth = is_youth_setting(min_age=service_min_age, max_age=service_max_age, minor_age=minor_age)
    return young and modality in SHARED_LIVING_MODALITIES and not youth
