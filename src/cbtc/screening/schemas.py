"""Input and output shapes of the screening API. The answers themselves are checked by the engine, which
knows each instrument's items; the shapes here document what comes back (docs/scoring-contract.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Schema

from cbtc.clients.schemas import ErrorOut

__all__ = ["AnswersIn", "AssistScoreOut", "ErrorOut", "InstrumentListOut", "ScoreOut", "SumScoreOut"]

AnswersIn = Annotated[
    dict[str, Any],
    Field(
        description="The answers, by item key, in the instrument's format (docs/scoring-contract.md). "
        "Never identifying data.",
        max_length=20,
    ),
]


class InstrumentOut(Schema):
    code: str
    version: str
    revision: int
    name: str
    engine: Literal["sum", "assist"]
    source: str
    licence: str
    items: list[str]


class InstrumentListOut(Schema):
    instruments: list[InstrumentOut]


class _Head(Schema):
    instrument: str
    version: str
    revision: int


class AssistSubstanceOut(Schema):
    ever_used: bool
    score: int
    risk: Literal["lower", "moderate", "high"]
    intervention: str


class InjectingOut(Schema):
    asked: bool
    answer: Literal["never", "past_3_months", "not_past_3_months"] | None
    days_per_month: int | float | None
    intervention: str | None


class AssistScoreOut(_Head):
    substances: dict[str, AssistSubstanceOut]
    injecting: InjectingOut


class SumScoreOut(_Head):
    score: int
    max_score: int
    band: str | None
    intervention: str
    stepped_up: bool
    positive: bool | None
    positive_at: int | None
    cutoff: str | None
    flags: list[str]


ScoreOut = AssistScoreOut | SumScoreOut
