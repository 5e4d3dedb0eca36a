"""What a loaded instrument definition is: plain frozen data, so scoring is a pure function of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Item kinds
CHOICE = "choice"  # one of named options, each with its points
BOOLEAN = "boolean"  # true/false, each with its points (a reversed item gives "no" the point)
COUNT = "count"  # a whole number (days), scored by no points of its own

Answer = str | bool | int


class ScreeningError(Exception):
    """The answers cannot be scored. ``field`` names the answer at fault ("q2.c", "q4"), when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InstrumentDefinitionError(Exception):
    """An instrument definition or wording file is wrong; the message names the file and the field."""


@dataclass(frozen=True)
class Condition:
    """A skip or flag rule, as written in the definition (see conditions.py for the forms it takes)."""

    op: str
    items: tuple[str, ...] = ()
    values: tuple[Answer, ...] = ()
    bound: int = 0
    parts: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Item:
    key: str
    kind: str
    options: tuple[tuple[Answer, int], ...] = ()  # (answer, points) in the form's order
    minimum: int = 0
    maximum: int = 0
    asked_if: Condition | None = None  # None: always asked
    not_for: tuple[str, ...] = ()  # ASSIST: substances the item is never asked about (Q5 and tobacco)

    def points(self, answer: Answer) -> int:
        return dict(self.options).get(answer, 0) if self.kind != COUNT else 0

    @property
    def max_points(self) -> int:
        return max((points for _, points in self.options), default=0)


@dataclass(frozen=True)
class Band:
    code: str
    minimum: int
    maximum: int | None  # None: no upper bound
    intervention: str

    def holds(self, score: int) -> bool:
        return score >= self.minimum and (self.maximum is None or score <= self.maximum)


@dataclass(frozen=True)
class Flag:
    code: str
    when: Condition


@dataclass(frozen=True)
class Injecting:
    """ASSIST Q8 and its follow-up: the answer options, the day threshold, and the action for each case."""

    item: Item
    threshold_days: int
    actions: dict[str, str]


@dataclass(frozen=True)
class Substance:
    code: str
    band_set: str


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str  # the instrument's own version, e.g. "3.1"
    revision: int  # the revision of this definition file
    name: str
    engine: str  # "sum" or "assist"
    source: str
    licence: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...] = ()
    band_sets: dict[str, tuple[Band, ...]] = field(default_factory=dict)
    substances: tuple[Substance, ...] = ()
    injecting: Injecting | None = None
    step_up: Condition | None = None
    positive_at: int | None = None
    cutoffs: dict[str, int] = field(default_factory=dict)  # positive cut-off by group, chosen in the answers
    flags: tuple[Flag, ...] = ()
    screen_interventions: dict[str, str] = field(default_factory=dict)  # "positive"/"negative", instead of bands

    def item(self, key: str) -> Item:
        return next(item for item in self.items if item.key == key)

    def describe(self) -> dict[str, Any]:
        return {"code": self.code, "version": self.version, "revision": self.revision, "name": self.name}


def band_for(bands: tuple[Band, ...], score: int) -> Band:
    return next(band for band in bands if band.holds(score))  # the loader made the bands cover every score
