"""WHO ASSIST v3.1: a row of answers per substance (a-j), one involvement score and risk band per substance,
and the Q8 injecting rule.

Answers use the WHO form's numbering: {"q1": {"a": true, ...}, "q2": {"a": "weekly", ...}, ..., "q8": "never",
"q8_days_per_month": 6}. The skip logic (Q2 only for substances ever used, Q3-Q5 only for those used in the
past three months, Q5 never for tobacco, Q8 only if some substance was ever used) is in the definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .answers import answer_object, points, read_row, refuse_unknown
from .conditions import Row
from .model import Instrument, ScreeningError, band_for

DAYS = "q8_days_per_month"
MAX_DAYS = 31


def _by_substance(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, dict[str, object]]:
    """The per-substance questions regrouped by substance: {"c": {"q1": true, "q2": "weekly", ...}}."""
    codes = [substance.code for substance in instrument.substances]
    rows: dict[str, dict[str, object]] = {code: {} for code in codes}
    for item in instrument.items:
        if item.key not in answers:
            continue
        column = answer_object(answers[item.key], field=item.key)
        refuse_unknown(column, codes, prefix=f"{item.key}.")
        for code, value in column.items():
            rows[code][item.key] = value
    return rows


def _days(answers: Mapping[str, object], recent: bool) -> float | None:
    if DAYS not in answers or answers[DAYS] is None:
        return None
    value = answers[DAYS]
    if not recent:
        raise ScreeningError(f"{DAYS} is asked only when q8 is past_3_months: leave it out.", field=DAYS)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_DAYS:
        raise ScreeningError(f"{DAYS} must be a number of days from 0 to {MAX_DAYS}.", field=DAYS)
    return value


def _injecting(instrument: Instrument, answers: Mapping[str, object], rows: list[Row]) -> dict[str, Any]:
    injecting = instrument.injecting
    assert injecting is not None  # noqa: S101  # the loader requires it for the assist engine
    key = injecting.item.key
    row = read_row((injecting.item,), answers, {key: key}, rows=rows)
    answer = row[key]
    days = _days(answers, answer == "past_3_months")
    if answer is None:
        action = None  # not asked: no substance ever used
    elif answer != "past_3_months":
        action = injecting.actions[str(answer)]
    elif days is None:
        action = injecting.actions["pattern_unknown"]
    else:
        # The form: "4 days per month or less, on average" -> brief intervention; more -> further assessment.
        action = injecting.actions["at_most_threshold" if days <= injecting.threshold_days else "above_threshold"]
    return {"asked": answer is not None, "answer": answer, "days_per_month": days, "intervention": action}


def score_assist(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, Any]:
    injecting_key = instrument.injecting.item.key if instrument.injecting else ""
    refuse_unknown(answers, [*(item.key for item in instrument.items), injecting_key, DAYS])
    given = _by_substance(instrument, answers)
    rows: dict[str, Row] = {}
    for substance in instrument.substances:
        fields = {item.key: f"{item.key}.{substance.code}" for item in instrument.items}
        rows[substance.code] = read_row(instrument.items, given[substance.code], fields, substance=substance.code)
    substances: dict[str, Any] = {}
    for substance in instrument.substances:
        row = rows[substance.code]
        # Q1 carries no points in the definition, so the sum is WHO's Q2-Q7 involvement score.
        total = points(instrument.items, row)
        band = band_for(instrument.band_sets[substance.band_set], total)
        first = instrument.items[0].key
        substances[substance.code] = {
            "ever_used": row.get(first) is True,
            "score": total,
            "risk": band.code,
            "intervention": band.intervention,
        }
    return {"substances": substances, "injecting": _injecting(instrument, answers, list(rows.values()))}
