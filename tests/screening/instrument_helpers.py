"""Helpers for the instrument tests: ASSIST answers by substance, and answers repaired to follow skip logic."""

from __future__ import annotations

import copy
from typing import Any

from cbtc.screening.instruments import Instrument, ScreeningError, get_instrument, score
from cbtc.screening.instruments.answers import blank

LETTERS = "abcdefghij"


def assist_answers(rows: dict[str, dict[str, Any]], q8: str | None = None, **extra: Any) -> dict[str, Any]:
    """WHO-form answers from rows by substance: {"b": {"q2": "weekly", ...}}; q1 is true for each row given,
    false for the others (a row may set q1 itself)."""
    answers: dict[str, Any] = {"q1": dict.fromkeys(LETTERS, False)}
    for letter, row in rows.items():
        answers["q1"][letter] = row.get("q1", True)
        for key, value in row.items():
            if key != "q1":
                answers.setdefault(key, {})[letter] = value
    if q8 is not None:
        answers["q8"] = q8
    return {**answers, **extra}


def run(code: str, answers: Any) -> dict[str, Any]:
    return score(get_instrument(code), answers)


def _zero_answer(instrument: Instrument, key: str) -> Any:
    items = [*instrument.items, *([instrument.injecting.item] if instrument.injecting else [])]
    return blank(next(item for item in items if item.key == key))


def _set(answers: dict[str, Any], field: str, value: Any) -> None:
    key, _, letter = field.partition(".")
    if letter:
        answers.setdefault(key, {})[letter] = value
    else:
        answers[key] = value


def _drop(answers: dict[str, Any], field: str) -> None:
    key, _, letter = field.partition(".")
    if letter:
        answers[key].pop(letter)
        if not answers[key]:
            answers.pop(key)
    else:
        answers.pop(key)


def complete(instrument: Instrument, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers made to follow the skip logic (unasked items dropped, newly asked items given the answer
    that scores nothing), and their result. Uses the engine's own refusals to find what to change."""
    answers = copy.deepcopy(answers)
    for _ in range(200):
        try:
            return answers, score(instrument, answers)
        except ScreeningError as error:
            assert error.field is not None, error.message
            if "is not asked" in error.message:
                _drop(answers, error.field)
            elif "needs an answer" in error.message:
                _set(answers, error.field, _zero_answer(instrument, error.field.partition(".")[0]))
            else:
                raise
    raise AssertionError("the repair did not settle")
