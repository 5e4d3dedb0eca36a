"""The outreach contact form: one phone-first form for a named contact or an anonymous tally. It only shapes
input; the rules are in services/outreach.py, and a refusal there is shown on the field it names."""

from __future__ import annotations

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
    "supplies.condoms" is ``supplies_condoms``, "overdoses.0.outcome" is ``outcome``."""

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
    naloxone_given_by = forms.ChoiceField(
        label="Who gave naloxone", required=False, choices=[("", "—"), *NaloxoneGivenBy.choices]
    )
    naloxone_doses = _count("Doses of naloxone", 0, 10)
    outcome = forms.ChoiceField(label="What happened", required=False, choices=[("", "—"), *OverdoseOutcome.choices])
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
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.named = named
        self.group_errors: dict[str, str] = {}
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
        _choices(self.fields["service"], [("", "—"), *services])
        _choices(self.fields["area"], [("", "—"), *areas])

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

    def overdose_open(self) -> bool:
        return bool("overdoses" in self.group_errors or self._touched(OVERDOSE_FIELDS))

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
        data = self.cleaned_data
        if not any(data.get(name) not in (None, "") for name in OVERDOSE_FIELDS):
            return []
        return [OverdoseInput(data["naloxone_given_by"], data["outcome"], data["naloxone_doses"] or 0)]

    def add_service_error(self, field: str | None, message: str) -> None:
        """Show a refusal of the service on the input it names, on its group, or above the form."""
        name = (field or "").replace(".", "_")
        if field and field.startswith("overdoses."):
            name = field.rsplit(".", 1)[-1]
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
