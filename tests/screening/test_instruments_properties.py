"""Properties of the engine over generated answers: scores stay within bounds, are monotone in the answers'
points, follow the skip logic, and every input either scores or is refused with ScreeningError."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cbtc.screening.instruments import Instrument, ScreeningError, get_instrument, score
from cbtc.screening.instruments.answers import blank
from cbtc.screening.instruments.model import BOOLEAN, COUNT, Item

from .instrument_helpers import LETTERS, complete

CODES = ["assist", "audit", "audit-c", "dast-10", "crafft"]
SUM_CODES = CODES[1:]


def _answer(item: Item) -> st.SearchStrategy[Any]:
    if item.kind == COUNT:
        return st.integers(item.minimum, min(item.maximum, 30))
    if item.kind == BOOLEAN:
        return st.booleans()
    return st.sampled_from([answer for answer, _ in item.options])


@st.composite
def valid_answers(draw: st.DrawFn, code: str) -> tuple[Instrument, dict[str, Any], dict[str, Any]]:
    instrument = get_instrument(code)
    answers: dict[str, Any] = {}
    if instrument.engine == "assist":
        for item in instrument.items:
            answers[item.key] = {letter: draw(_answer(item)) for letter in LETTERS}
        assert instrument.injecting is not None
        answers["q8"] = draw(_answer(instrument.injecting.item))
        if answers["q8"] == "past_3_months" and draw(st.booleans()):
            answers["q8_days_per_month"] = draw(st.integers(0, 31))
    else:
        answers = {item.key: draw(_answer(item)) for item in instrument.items}
        if instrument.cutoffs:
            answers["cutoff"] = draw(st.sampled_from(sorted(instrument.cutoffs)))
    fixed, result = complete(instrument, answers)
    return instrument, fixed, result


def _scores(instrument: Instrument, result: dict[str, Any]) -> list[int]:
    if instrument.engine == "assist":
        return [result["substances"][letter]["score"] for letter in LETTERS]
    return [result["score"]]


def _bands(instrument: Instrument, result: dict[str, Any]) -> list[int]:
    if instrument.engine == "assist":
        order = ["lower", "moderate", "high"]
        return [order.index(result["substances"][letter]["risk"]) for letter in LETTERS]
    return [[band.code for band in instrument.bands].index(result["band"])] if instrument.bands else []


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CODES).flatmap(valid_answers))
def test_scores_are_within_bounds(case):
    instrument, _, result = case
    if instrument.engine == "assist":
        for letter, score_ in zip(LETTERS, _scores(instrument, result), strict=True):
            assert 0 <= score_ <= (31 if letter == "a" else 39)
    else:
        assert 0 <= result["score"] <= result["max_score"]
    assert (result["instrument"], result["version"]) == (instrument.code, instrument.version)


def _raised(instrument: Instrument, answers: dict[str, Any], field: str, answer: Any) -> dict[str, Any]:
    changed = copy.deepcopy(answers)
    key, _, letter = field.partition(".")
    if letter:
        changed.setdefault(key, {})[letter] = answer
    else:
        changed[key] = answer
    return changed


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(CODES).flatmap(valid_answers), st.data())
def test_scores_are_monotone_in_the_points_of_each_answer(case, data):
    """Raising any one answer to one worth at least as many points never lowers a score or a band (items it
    newly opens are given their first answer, which scores nothing)."""
    instrument, answers, result = case
    item = data.draw(st.sampled_from([item for item in instrument.items if item.kind != COUNT]))
    letter = data.draw(st.sampled_from(LETTERS)) if instrument.engine == "assist" else ""
    field = f"{item.key}.{letter}" if letter else item.key
    current = answers.get(item.key, {}).get(letter) if letter else answers.get(item.key)
    if current is None:
        return  # not asked: raising it would contradict the skip logic (tested below)
    higher = [a for a, points in item.options if points >= item.points(current)]
    changed = _raised(instrument, answers, field, data.draw(st.sampled_from(higher)))
    _, after = complete(instrument, changed)
    assert all(b >= a for a, b in zip(_scores(instrument, result), _scores(instrument, after), strict=True))
    assert all(b >= a for a, b in zip(_bands(instrument, result), _bands(instrument, after), strict=True))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(CODES).flatmap(valid_answers), st.data())
def test_skip_logic_is_consistent(case, data):
    """In a scored set of answers, leaving out an item is refused naming it, unless the item was not asked
    (it carried its first answer): then the result is the same, and any other answer to it is refused."""
    instrument, answers, result = case
    keys = [key for key in answers if key not in {"cutoff", "q8_days_per_month"}]
    if instrument.engine == "assist":
        fields = [
            f"{key}.{letter}" if isinstance(answers[key], dict) else key
            for key in keys
            for letter in (answers[key] if isinstance(answers[key], dict) else [""])
        ]
        fields = [field.rstrip(".") for field in fields]
    else:
        fields = keys
    field = data.draw(st.sampled_from(fields))
    key, _, letter = field.partition(".")
    removed = copy.deepcopy(answers)
    if letter:
        removed[key].pop(letter)
    else:
        removed.pop(key)
    if key == "q8":
        removed.pop("q8_days_per_month", None)
    try:
        after = score(instrument, removed)
    except ScreeningError as error:
        assert error.field == field
        return
    assert after == result  # it was not asked
    items = [*instrument.items, *([instrument.injecting.item] if instrument.injecting else [])]
    item = next(item for item in items if item.key == key)
    others = [a for a, _ in item.options if a != blank(item)] if item.kind != COUNT else [1]
    try:
        score(instrument, _raised(instrument, removed, field, data.draw(st.sampled_from(others))))
    except ScreeningError as error:
        assert error.field == field
        assert "not asked" in error.message
    else:
        raise AssertionError(f"an answer to the unasked {field} was accepted")


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 400)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["never", "weekly", "past_3_months", "yes_last_year", "men", "daily"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
        "q6",
        "q7",
        "q8",
        "q9",
        "q10",
        "a1",
        "car",
        "relax",
        "cutoff",
        "x",
        "q8_days_per_month",
    ]
)
LETTER_MAPS = st.dictionaries(st.sampled_from([*LETTERS, "k", "A"]), JSON, max_size=11)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CODES), st.dictionaries(KEYS, JSON | LETTER_MAPS, max_size=10) | JSON)
def test_every_input_either_scores_or_is_refused(code, answers):
    instrument = get_instrument(code)
    try:
        result = score(instrument, answers)
    except ScreeningError as error:
        assert error.message
        return
    assert result["instrument"] == code


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(SUM_CODES).flatmap(valid_answers), st.sampled_from(["zz", "Q1", "q11"]))
def test_unknown_keys_are_refused(case, key):
    instrument, answers, _ = case
    try:
        score(instrument, {**answers, key: "never"})
    except ScreeningError as error:
        assert error.field == key
    else:
        raise AssertionError("an unknown key was accepted")
