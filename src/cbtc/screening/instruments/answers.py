"""Checking answers item by item, following the skip rules: an input either scores or is refused.

The rule for skipped items is the same everywhere: an item the skip logic does not ask may be left out, or
given its first answer ("never", "no" or false, 0 days), which scores nothing; any other answer contradicts
the skip logic.
An item that is asked must be answered. The messages name the item, never repeat the answer given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .conditions import Row, holds
from .model import BOOLEAN, CHOICE, COUNT, Answer, Item, ScreeningError

_NOT_GIVEN = object()


def answer_object(answers: object, field: str | None = None) -> Mapping[str, object]:
    if not isinstance(answers, dict) or not all(isinstance(key, str) for key in answers):
        raise ScreeningError("The answers must be a JSON object.", field=field)
    return answers


def refuse_unknown(answers: Mapping[str, object], known: Sequence[str], prefix: str = "") -> None:
    for key in sorted(set(answers) - set(known)):
        raise ScreeningError(f"{prefix}{key} is not an item of this instrument.", field=f"{prefix}{key}")


def _checked(item: Item, value: object, field: str) -> Answer:
    if item.kind == CHOICE:
        choices = [answer for answer, _ in item.options]
        if not isinstance(value, str) or value not in choices:
            raise ScreeningError(f"{field} must be one of: {', '.join(map(str, choices))}.", field=field)
        return value
    if item.kind == BOOLEAN:
        if not isinstance(value, bool):
            raise ScreeningError(f"{field} must be true or false.", field=field)
        return value
    assert item.kind == COUNT  # noqa: S101  # the loader knows no other kinds
    if isinstance(value, bool) or not isinstance(value, int) or not item.minimum <= value <= item.maximum:
        raise ScreeningError(f"{field} must be a whole number from {item.minimum} to {item.maximum}.", field=field)
    return value


def blank(item: Item) -> Answer:
    """The answer an unasked item may carry: the first option ("never", "no"), false, or 0 days."""
    if item.kind == COUNT:
        return 0
    return False if item.kind == BOOLEAN else item.options[0][0]


def read_row(
    items: Sequence[Item],
    given: Mapping[str, object],
    field_of: Mapping[str, str],
    *,
    substance: str | None = None,
    rows: Sequence[Row] = (),
) -> dict[str, Answer | None]:
    """The answers of one form (or one ASSIST substance's row), with None for each item not asked."""
    by_key = {item.key: item for item in items}
    row: dict[str, Answer | None] = {}
    for item in items:
        field = field_of[item.key]
        value = given.get(item.key, _NOT_GIVEN)
        value = _NOT_GIVEN if value is None else value  # null means the same as leaving the item out
        asked = (substance is None or substance not in item.not_for) and (
            item.asked_if is None or holds(item.asked_if, row, by_key, rows)
        )
        if not asked:
            if value is not _NOT_GIVEN and _checked(item, value, field) != blank(item):
                raise ScreeningError(
                    f"{field} is not asked, given the earlier answers (skip logic): leave it out.", field=field
                )
            row[item.key] = None
            continue
        if value is _NOT_GIVEN:
            raise ScreeningError(f"{field} is asked, given the earlier answers, so it needs an answer.", field=field)
        row[item.key] = _checked(item, value, field)
    return row


def points(items: Sequence[Item], row: Row) -> int:
    return sum(item.points(answer) for item in items if (answer := row.get(item.key)) is not None)
