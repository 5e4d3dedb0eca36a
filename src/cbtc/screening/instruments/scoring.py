"""Scoring: pure functions from an instrument and its answers to a result (a JSON-ready dict).

The same answers always give the same result; nothing here touches the database or logs the answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .answers import answer_object, points, read_row, refuse_unknown
from .assist import score_assist
from .conditions import holds
from .model import Instrument, ScreeningError, band_for

CUTOFF = "cutoff"  # the answers' key choosing the positive cut-off group (AUDIT-C)


def _score_sum(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, Any]:
    keys = [item.key for item in instrument.items]
    refuse_unknown(answers, [*keys, CUTOFF] if instrument.cutoffs else keys)
    row = read_row(instrument.items, answers, {key: key for key in keys})
    by_key = {item.key: item for item in instrument.items}
    score = points(instrument.items, row)
    band = band_for(instrument.bands, score) if instrument.bands else None
    intervention = band.intervention if band else ""
    stepped_up = False
    if band and instrument.step_up is not None and holds(instrument.step_up, row, by_key):
        # WHO's AUDIT rule: the next highest level of intervention, whatever the total.
        later = instrument.bands[instrument.bands.index(band) + 1 :]
        if later:
            intervention, stepped_up = later[0].intervention, True
    positive_at = instrument.positive_at
    group: str | None = None
    if instrument.cutoffs:
        choice = answers.get(CUTOFF)
        if not isinstance(choice, str) or choice not in instrument.cutoffs:
            raise ScreeningError(f"cutoff must be one of: {', '.join(sorted(instrument.cutoffs))}.", field=CUTOFF)
        group, positive_at = choice, instrument.cutoffs[choice]
    positive = None if positive_at is None else score >= positive_at
    if instrument.screen_interventions:
        intervention = instrument.screen_interventions["positive" if positive else "negative"]
    result: dict[str, Any] = {
        **_head(instrument),
        "score": score,
        "max_score": sum(item.max_points for item in instrument.items),
        "band": band.code if band else None,
        "intervention": intervention,
        "stepped_up": stepped_up,
        "positive": positive,
        "positive_at": positive_at,
        "cutoff": group,
        "flags": [flag.code for flag in instrument.flags if holds(flag.when, row, by_key)],
    }
    return result


def _head(instrument: Instrument) -> dict[str, Any]:
    return {"instrument": instrument.code, "version": instrument.version, "revision": instrument.revision}


def score(instrument: Instrument, answers: object) -> dict[str, Any]:
    """The result for these answers, or ScreeningError naming the answer at fault."""
    given = answer_object(answers)
    if instrument.engine == "assist":
        return {**_head(instrument), **score_assist(instrument, given)}
    return _score_sum(instrument, given)
