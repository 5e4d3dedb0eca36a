"""Screening forms: an instrument's questions built from its definition and wording, and the small Django
forms of the screening pages (start, brief intervention, context of the recommendation).

Which questions are asked is decided here with the definition's own skip conditions (conditions.holds), on
the server, for the full page and for the htmx fragment alike: no skip rule is repeated in JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from cbtc.screening.instruments import Instrument
from cbtc.screening.instruments.assist import DAYS, MAX_DAYS
from cbtc.screening.instruments.conditions import Row, holds
from cbtc.screening.instruments.model import BOOLEAN, CHOICE, COUNT, Answer, Item
from cbtc.screening.instruments.scoring import CUTOFF
from cbtc.screening.matching import PREFERENCES
from cbtc.screening.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    Administration,
    BriefInterventionKind,
    PlacementReviewOutcome,
    TakeHomeMaterial,
)

ANSWER_THIS = "Answer this question."
CUTOFF_LABELS = {"men": "Men's cut-off", "women": "Women's cut-off"}


def short_label(label: str) -> str:
    """ "Cannabis (marijuana, pot, ...)" -> "Cannabis"."""
    return label.split(" (", maxsplit=1)[0]


@dataclass
class Question:
    """One input of the form: an item (for ASSIST, an item for one substance)."""

    name: str  # the POST field name, and the engine's field name: "q2.c", "q8", "relax"
    kind: str  # choice, boolean or count
    label: str  # what the reader sees above the options (a substance for ASSIST, else the item text)
    options: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    error: str = ""
    required: bool = True
    minimum: int = 0
    maximum: int = 0

    @property
    def html_id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass
class Section:
    """A question of the form as printed: its number, its text, and the inputs asked under it."""

    key: str
    text: str
    questions: list[Question]


def _options(item: Item, wording: Mapping[str, Any]) -> list[tuple[str, str]]:
    names: Mapping[str, str] = wording.get("items", {}).get(item.key, {}).get("options", {})
    if item.kind == BOOLEAN:
        return [("yes", names.get("yes", "Yes")), ("no", names.get("no", "No"))]
    if item.kind == CHOICE:
        return [(str(answer), names.get(str(answer), str(answer))) for answer, _ in item.options]
    return []


def _parse(item: Item, raw: str) -> Answer | str | None:
    """The answer in the engine's terms; None when nothing was given. A value that is not an option is kept
    as given, for the engine to refuse."""
    raw = raw.strip()
    if not raw:
        return None
    if item.kind == BOOLEAN:
        return {"yes": True, "no": False}.get(raw, raw)
    if item.kind == COUNT:
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def _asked(item: Item, row: Row, by_key: Mapping[str, Item], substance: str | None, rows: list[Row]) -> bool:
    if substance is not None and substance in item.not_for:
        return False
    return item.asked_if is None or holds(item.asked_if, row, by_key, rows)


def _row(items: tuple[Item, ...], given: Mapping[str, Any], substance: str | None = None) -> tuple[Row, set[str]]:
    """The answers as the skip logic reads them (None for unasked items), and the keys asked."""
    by_key = {item.key: item for item in items}
    row: dict[str, Answer | None] = {}
    asked: set[str] = set()
    for item in items:
        if _asked(item, row, by_key, substance, []):
            asked.add(item.key)
            value = given.get(item.key)
            row[item.key] = value if isinstance(value, str | bool | int) else None
        else:
            row[item.key] = None
    return row, asked


class InstrumentForm:
    """The questions of one instrument, with the answers given so far and which of them are asked."""

    def __init__(self, instrument: Instrument, wording: Mapping[str, Any], data: QueryDict | None = None) -> None:
        self.instrument = instrument
        self.wording = wording
        self.raw: dict[str, str] = {}
        if data is not None:
            self.raw = {name: str(data.get(name, "")) for name in self._names()}
        self.errors: dict[str, str] = {}
        self.non_field_errors: list[str] = []

    @property
    def is_assist(self) -> bool:
        return self.instrument.engine == "assist"

    @property
    def substances(self) -> list[tuple[str, str]]:
        names: Mapping[str, str] = self.wording.get("substances", {})
        return [(s.code, names.get(s.code, s.code)) for s in self.instrument.substances]

    def _names(self) -> list[str]:
        if self.is_assist:
            names = [f"{item.key}.{code}" for item in self.instrument.items for code, _ in self.substances]
            injecting = self.instrument.injecting
            return [*names, *([injecting.item.key, DAYS] if injecting else [])]
        return [item.key for item in self.instrument.items] + ([CUTOFF] if self.instrument.cutoffs else [])

    # -- answers ---------------------------------------------------------------------------------------

    def _given_rows(self) -> dict[str, dict[str, Any]]:
        return {
            code: {item.key: _parse(item, self.raw.get(f"{item.key}.{code}", "")) for item in self.instrument.items}
            for code, _ in self.substances
        }

    def asked(self) -> set[str]:
        """The field names the skip logic asks, given the answers so far."""
        if not self.is_assist:
            given = {item.key: _parse(item, self.raw.get(item.key, "")) for item in self.instrument.items}
            _, keys = _row(self.instrument.items, given)
            return keys | ({CUTOFF} if self.instrument.cutoffs else set())
        names: set[str] = set()
        rows: list[Row] = []
        for code, given in self._given_rows().items():
            row, keys = _row(self.instrument.items, given, substance=code)
            rows.append(row)
            names |= {f"{key}.{code}" for key in keys}
        injecting = self.instrument.injecting
        if injecting is not None:
            by_key = {item.key: item for item in self.instrument.items}
            if _asked(injecting.item, {}, by_key, None, rows):
                names.add(injecting.item.key)
                if self.raw.get(injecting.item.key) == "past_3_months":
                    names.add(DAYS)
        return names

    def answers(self) -> dict[str, Any]:
        """Every answer given, in the scoring contract's shape: unasked ones too, so that the engine refuses
        an answer that contradicts the skip logic rather than the form silently dropping it."""
        if not self.is_assist:
            answers: dict[str, Any] = {}
            for item in self.instrument.items:
                value = _parse(item, self.raw.get(item.key, ""))
                if value is not None:
                    answers[item.key] = value
            if self.instrument.cutoffs and self.raw.get(CUTOFF):
                answers[CUTOFF] = self.raw[CUTOFF]
            return answers
        answers = {}
        for code, given in self._given_rows().items():
            for key, value in given.items():
                if value is not None:
                    answers.setdefault(key, {})[code] = value
        injecting = self.instrument.injecting
        if injecting is not None:
            if self.raw.get(injecting.item.key):
                answers[injecting.item.key] = self.raw[injecting.item.key]
            days = self.raw.get(DAYS, "").strip()
            if days:
                try:
                    answers[DAYS] = int(days)
                except ValueError:
                    answers[DAYS] = days
        return answers

    def check_complete(self) -> bool:
        """Mark every asked question left unanswered; True when none is."""
        for name in sorted(self.asked()):
            if name != DAYS and not self.raw.get(name, "").strip():
                self.errors[name] = ANSWER_THIS
        return not self.errors

    def add_engine_error(self, field_name: str | None, message: str) -> None:
        """An error from the engine or the service ("answers.q2.c"), put on the question it names."""
        name = (field_name or "").removeprefix("answers").removeprefix(".")
        if name in self._names():
            label = self.field_label(name)
            self.errors[name] = message.replace(name, label, 1) if message.startswith(name) else message
        else:
            self.non_field_errors.append(message)

    def field_label(self, name: str) -> str:
        key, _, code = name.partition(".")
        if code:
            substance = dict(self.substances).get(code, code)
            return f"{key.upper()} ({short_label(substance).lower()})"
        if name == DAYS:
            return "Injecting days per month"
        return key.upper() if key.startswith("q") else key.capitalize()

    # -- rendering -------------------------------------------------------------------------------------

    def _question(self, item: Item, name: str, label: str) -> Question:
        return Question(
            name=name,
            kind=item.kind,
            label=label,
            options=_options(item, self.wording),
            value=self.raw.get(name, ""),
            error=self.errors.get(name, ""),
            minimum=item.minimum,
            maximum=item.maximum,
        )

    def sections(self) -> list[Section]:
        """The questions to show: those asked, and any other that carries an error (so it can be put right)."""
        asked = self.asked()
        shown = asked | set(self.errors)
        texts = {key: entry.get("text", key) for key, entry in self.wording.get("items", {}).items()}
        sections: list[Section] = []
        if self.is_assist:
            for item in self.instrument.items:
                questions = [
                    self._question(item, f"{item.key}.{code}", short_label(label))
                    for code, label in self.substances
                    if f"{item.key}.{code}" in shown
                ]
                if questions:
                    sections.append(Section(item.key, texts.get(item.key, item.key), questions))
            injecting = self.instrument.injecting
            if injecting is not None and injecting.item.key in shown:
                key = injecting.item.key
                questions = [self._question(injecting.item, key, "Injecting")]
                if DAYS in shown:
                    questions.append(
                        Question(
                            name=DAYS,
                            kind=COUNT,
                            label="On average, on how many days a month did the client inject over the last 3 months? "
                            "(leave empty if not known)",
                            value=self.raw.get(DAYS, ""),
                            error=self.errors.get(DAYS, ""),
                            required=False,
                            maximum=MAX_DAYS,
                        )
                    )
                sections.append(Section(key, texts.get(key, key), questions))
            return sections
        if self.instrument.cutoffs:
            options = [
                (code, f"{CUTOFF_LABELS.get(code, code.capitalize())}: positive at {points}")
                for code, points in sorted(self.instrument.cutoffs.items())
            ]
            question = Question(
                CUTOFF, CHOICE, "Cut-off", options, self.raw.get(CUTOFF, ""), self.errors.get(CUTOFF, "")
            )
            sections.append(
                Section(CUTOFF, "Which cut-off applies? (it chooses a threshold; it records no sex)", [question])
            )
        for item in self.instrument.items:
            if item.key in shown:
                text = texts.get(item.key, item.key)
                sections.append(Section(item.key, text, [self._question(item, item.key, text)]))
        return sections


# -- Django forms --------------------------------------------------------------------------------------


class StartForm(forms.Form):
    instrument = forms.ChoiceField(label="Instrument", widget=forms.RadioSelect)
    administration = forms.ChoiceField(
        label="Who fills it in",
        choices=Administration.choices,
        initial=Administration.INTERVIEWER,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instrument = self.fields["instrument"]
        assert isinstance(instrument, forms.ChoiceField)  # noqa: S101
        instrument.choices = instruments
        if instruments:
            instrument.initial = instruments[0][0]


class BriefInterventionForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=BriefInterventionKind.choices, widget=forms.RadioSelect)
    minutes = forms.IntegerField(
        label="Minutes spent",
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        help_text="Typically 5 to 30 minutes.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    take_home_material = forms.BooleanField(label="The client took material home", required=False)
    material_kind = forms.ChoiceField(
        label="Which material", choices=[("", "—"), *TakeHomeMaterial.choices], required=False
    )
    follow_up_offered = forms.BooleanField(label="A follow-up was offered", required=False)
    follow_up_on = forms.DateField(
        label="Follow-up date (if agreed)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


PREFERENCE_LABELS = {
    "no_treatment_now": "No treatment now",
    "harm_reduction_only": "Harm reduction only",
    "outpatient": "Outpatient support",
    "oat": "Opioid agonist treatment",
    "residential": "Residential treatment",
}


class ContextForm(forms.Form):
    """What the screening does not say; none of it is stored."""

    injecting = forms.BooleanField(label="Injected drugs in the past 3 months", required=False)
    pregnant = forms.BooleanField(label="Pregnant", required=False)
    mental_health_concern = forms.BooleanField(label="A mental health concern", required=False)
    overdose_history = forms.BooleanField(label="Has had an overdose", required=False)
    housing_unstable = forms.BooleanField(label="Housing is insecure", required=False)
    withdrawal_risk = forms.ChoiceField(
        label="Likely withdrawal on stopping",
        choices=[("none", "None"), ("mild", "Mild"), ("severe", "Severe")],
        initial="none",
        widget=forms.RadioSelect,
    )
    preference = forms.ChoiceField(
        label="What the client wants now",
        choices=[("", "Not stated"), *((code, PREFERENCE_LABELS.get(code, code)) for code in PREFERENCES)],
        required=False,
    )
    near = forms.ChoiceField(label="Services near", required=False)

    def __init__(self, *args: Any, sites: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        """``sites``: (id, name) of the sites of the client's service, to list services near one of them."""
        super().__init__(*args, **kwargs)
        near = self.fields["near"]
        assert isinstance(near, forms.ChoiceField)  # noqa: S101 - declared just above
        near.choices = list(sites)
        if not sites:
            del self.fields["near"]

    def matching_context(self) -> dict[str, Any]:
        """The cleaned answers the recommendation takes into account (the site only chooses what is listed)."""
        return {key: value for key, value in self.cleaned_data.items() if key != "near"}


class PlacementReviewForm(forms.Form):
    outcome = forms.ChoiceField(label="What the review decided", choices=PlacementReviewOutcome.choices)
