"""The outreach contact form: one phone-first form for a named contact or an anonymous tally. It only shapes
input; the rules are in services/outreach.py, and a refusal there is shown on the field it names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms

from cbtc.care.models import (
    AGE_BANDS,
    KEY_POPULATIONS,
    SEXES,
    ContactPlace,
    NaloxoneGivenBy,
    OverdoseOutcome,
    SupplyItem,
    TallyDimension,
)
from cbtc.care.models.outreach import MAX_PEOPLE, MAX_QUANTITY, TESTS
from cbtc.care.services.outreach import OverdoseInput, SupplyLine

TALLY_GROUPS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (TallyDimension.SEX, "Sex", SEXES),
    (TallyDimension.AGE_BAND, "Age", AGE_BANDS),
    (TallyDimension.KEY_POPULATION, "Key populations (one person may count in several)", KEY_POPULATIONS),
)
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
OVERDOSE_FIELDS = ("naloxone_given_by", "naloxone_doses", "outcome")
# "overdoses.1.outcome", as the outreach service names its fields
SERVICE_OVERDOSE_FIELD = re.compile(r"overdoses\.(?P<index>\d+)\.(?P<field>\w+)")
MAX_PAGE_OVERDOSES = 3  # the page offers three; the service takes more (the API)
OVERDOSE_ORDINALS = ("First", "Second", "Third")


def _count(label: str, minimum: int, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=minimum,
        max_value=maximum,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": minimum, "max": maximum}),
    )


def _choices(field: forms.Field, choices: Sequence[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - the fields are declared as choice fields below
    field.choices = list(choices)


class ContactForm(forms.Form):
    """Field names follow the service's error fields: "tally.sex.female" is ``tally_sex_female``,
    "supplies.condoms" is ``supplies_condoms``. Up to three overdoses: ``overdose_1_outcome`` is the first one
    filled in; slots left blank are skipped, so the service's "overdoses.0.outcome" is mapped back to its slot."""

    place = forms.ChoiceField(
        label="Where",
        choices=ContactPlace.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the contact happened."},
    )
    people_count = forms.IntegerField(
        label="How many people",
        min_value=1,
        max_value=MAX_PEOPLE,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": MAX_PEOPLE}),
        error_messages={"required": f"Give how many people, from 1 to {MAX_PEOPLE}."},
    )
    brief_advice = forms.BooleanField(label="Brief advice given", required=False)
    accompanied_to = forms.ChoiceField(
        label="Went with them to (optional)",
        required=False,
        help_text="A service someone from your team went to with them.",
    )
    service = forms.ChoiceField(label="Your service (optional)", required=False)
    area = forms.ChoiceField(
        label="District (optional)",
        required=False,
        help_text="Only the district or province: never a street or an address.",
    )
    contact_at = forms.DateTimeField(
        label="When (leave blank for now)",
        required=False,
        widget=DATETIME_INPUT,
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text="Within the last 30 days.",
    )

    def __init__(
        self,
        *args: Any,
        named: bool,
        services: Sequence[tuple[str, str]] = (),
        areas: Sequence[tuple[str, str]] = (),
        accompany_to: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.named = named
        self.group_errors: dict[str, str] = {}
        self.overdose_slots: list[int] = []  # the form's slot of each overdose given to the service
        if named:
            del self.fields["people_count"]
        else:
            for dimension, _, values in TALLY_GROUPS:
                for value, label in values.items():
                    self.fields[f"tally_{dimension}_{value}"] = _count(label, 0, MAX_PEOPLE)
        for item, label in SupplyItem.choices:
            self.fields[f"supplies_{item}"] = _count(label, 1, MAX_QUANTITY)
            if item in TESTS:
                self.fields[f"supplies_{item}_pre"] = forms.BooleanField(label="Counselling before", required=False)
                self.fields[f"supplies_{item}_post"] = forms.BooleanField(label="Counselling after", required=False)
        for n in range(1, MAX_PAGE_OVERDOSES + 1):
            self.fields[f"overdose_{n}_naloxone_given_by"] = forms.ChoiceField(
                label="Who gave naloxone", required=False, choices=[("", "—"), *NaloxoneGivenBy.choices]
            )
            self.fields[f"overdose_{n}_naloxone_doses"] = _count("Doses of naloxone", 0, 10)
            self.fields[f"overdose_{n}_outcome"] = forms.ChoiceField(
                label="What happened", required=False, choices=[("", "—"), *OverdoseOutcome.choices]
            )
        _choices(self.fields["service"], [("", "—"), *services])
        _choices(self.fields["area"], [("", "—"), *areas])
        _choices(self.fields["accompanied_to"], [("", "—"), *accompany_to])

    # -- what the template needs -----------------------------------------------------------------------

    def tally_groups(self) -> list[tuple[str, list[forms.BoundField], str]]:
        """(legend, inputs, the service's refusal of the group as a whole) for each way of counting."""
        if self.named:
            return []
        return [
            (
                label,
                [self[f"tally_{dimension}_{value}"] for value in values],
                self.group_errors.get(f"tally_{dimension}", ""),
            )
            for dimension, label, values in TALLY_GROUPS
        ]

    def supply_rows(self) -> list[tuple[forms.BoundField, list[forms.BoundField]]]:
        rows = []
        for item, _ in SupplyItem.choices:
            counselling = [self[f"supplies_{item}_pre"], self[f"supplies_{item}_post"]] if item in TESTS else []
            rows.append((self[f"supplies_{item}"], counselling))
        return rows

    def _touched(self, names: Sequence[str]) -> bool:
        return any(self[name].errors or (self.is_bound and self.data.get(name)) for name in names)

    def tally_open(self) -> bool:
        names = [name for name in self.fields if name.startswith("tally_")]
        return bool(any(key.startswith("tally_") for key in self.group_errors) or self._touched(names))

    def _overdose_names(self, n: int) -> list[str]:
        return [f"overdose_{n}_{name}" for name in OVERDOSE_FIELDS]

    def overdose_rows(self) -> list[dict[str, Any]]:
        """The three overdose slots: the first always shown, another one open once filled in or refused."""
        return [
            {
                "number": n,
                "ordinal": OVERDOSE_ORDINALS[n - 1],
                "fields": [self[name] for name in self._overdose_names(n)],
                "open": n == 1 or self._touched(self._overdose_names(n)),
            }
            for n in range(1, MAX_PAGE_OVERDOSES + 1)
        ]

    def overdose_open(self) -> bool:
        names = [name for n in range(1, MAX_PAGE_OVERDOSES + 1) for name in self._overdose_names(n)]
        return bool("overdoses" in self.group_errors or self._touched(names))

    def when_open(self) -> bool:
        return self._touched(["contact_at"])

    # -- what the service needs ------------------------------------------------------------------------

    def tally(self) -> dict[str, dict[str, int]]:
        data = self.cleaned_data
        counts: dict[str, dict[str, int]] = {}
        for dimension, _, values in TALLY_GROUPS if not self.named else ():
            given = {value: data[f"tally_{dimension}_{value}"] for value in values}
            given = {value: count for value, count in given.items() if count}
            if given:
                counts[dimension] = given
        return counts

    def supplies(self) -> dict[str, SupplyLine]:
        data = self.cleaned_data
        lines: dict[str, SupplyLine] = {}
        for item in SupplyItem.values:
            quantity = data[f"supplies_{item}"]
            pre = bool(data.get(f"supplies_{item}_pre"))
            post = bool(data.get(f"supplies_{item}_post"))
            if quantity is None and (pre or post):
                lines[item] = SupplyLine(0, pre, post)  # counselling without a test: the service says why
            elif quantity is not None:
                lines[item] = SupplyLine(quantity, pre, post)
        return lines

    def overdoses(self) -> list[OverdoseInput]:
        """The overdose slots filled in, in order (``overdose_slots`` remembers which slot each came from)."""
        data = self.cleaned_data
        overdoses = []
        self.overdose_slots = []
        for n in range(1, MAX_PAGE_OVERDOSES + 1):
            p = f"overdose_{n}_"
            if not any(data.get(p + name) not in (None, "") for name in OVERDOSE_FIELDS):
                continue
            overdoses.append(
                OverdoseInput(data[p + "naloxone_given_by"], data[p + "outcome"], data[p + "naloxone_doses"] or 0)
            )
            self.overdose_slots.append(n)
        return overdoses

    def add_service_error(self, field: str | None, message: str) -> None:
        """Show a refusal of the service on the input it names, on its group, or above the form."""
        name = (field or "").replace(".", "_")
        found = SERVICE_OVERDOSE_FIELD.fullmatch(field or "")
        if found and int(found["index"]) < len(self.overdose_slots):
            name = f"overdose_{self.overdose_slots[int(found['index'])]}_{found['field']}"
        if name in self.fields:
            self.add_error(name, message)
            return
        group = next((g for g in ("tally_sex", "tally_age_band", "tally_key_population") if name == g), None)
        if group is not None:
            self.group_errors[group] = message
            label = next(label for dimension, label, _ in TALLY_GROUPS if f"tally_{dimension}" == group)
            self.add_error(None, f"{label.split(' (')[0]}: {message}")
            return
        if name.startswith("overdoses"):
            self.group_errors["overdoses"] = message
        self.add_error(None, message)
