"""Forms of the casework pages: an outcome profile and a recovery check-in. They only shape input; the rules
(ranges, stages, when a check-in may be recorded) are in services/outcomes.py and services/casework.py, and a
refusal there is shown on the field it names (``add_service_error``)."""

from __future__ import annotations

from typing import Any

from django import forms

from cbtc.care.episode_forms import DATE_INPUT, ServiceErrors
from cbtc.care.models import CheckInMethod, CheckInOutcome, OutcomeProfile, Stage, UseSubstance
from cbtc.care.models.outcomes import DAY_ITEMS, DAYS, RATING_ITEMS, SCALE, YES_NO_ITEMS

YES, NO, NOT_ANSWERED = "yes", "no", ""
YES_NO_CHOICES = [(YES, "Yes"), (NO, "No"), (NOT_ANSWERED, "Not answered")]
STAGE_CHOICES = [
    (Stage.START.value, "Start of the episode"),
    (Stage.REVIEW.value, "A review during the episode"),
    (Stage.EXIT.value, "Exit: the episode is ending or has ended"),
]
USE_PREFIX = "use_"


def item_label(item: str) -> str:
    """Our own wording of an item of the profile ("use.opioids" or a field of OutcomeProfile)."""
    if item.startswith("use."):
        substance = item.removeprefix("use.")
        label = dict(UseSubstance.choices).get(substance, substance)
        return f"Days used: {label[:1].lower()}{label[1:]}"
    field = OutcomeProfile._meta.get_field(item)
    return str(getattr(field, "help_text", item))


def _number(label: str, top: int, help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": top}),
        error_messages={"invalid": f"Give a whole number from 0 to {top}, or leave it blank."},
    )


class OutcomeProfileForm(ServiceErrors, forms.Form):
    """Every item may be left blank, which means "not answered", never 0."""

    stage = forms.ChoiceField(
        label="When in the episode",
        choices=STAGE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether this is the start, a review or the exit."},
    )
    interviewed_on = forms.DateField(
        label="Day of the interview (leave blank for today)",
        required=False,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Give a date."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for substance, label in UseSubstance.choices:
            self.fields[USE_PREFIX + substance] = _number(label, DAYS, "")
        for item in DAY_ITEMS:
            self.fields[item] = _number(item_label(item), DAYS, f"Days in the past {DAYS}.")
        for item in RATING_ITEMS:
            self.fields[item] = _number(item_label(item), SCALE, "")
        for item in YES_NO_ITEMS:
            self.fields[item] = forms.ChoiceField(
                label=item_label(item),
                required=False,
                choices=YES_NO_CHOICES,
                initial=NOT_ANSWERED,
                widget=forms.RadioSelect,
            )

    def add_service_error(self, field: str | None, message: str) -> None:
        name = field or ""
        if name.startswith("use."):
            name = USE_PREFIX + name.removeprefix("use.")
        super().add_service_error(name, message)

    def use_fields(self) -> list[forms.BoundField]:
        return [self[USE_PREFIX + substance] for substance in UseSubstance.values]

    def day_fields(self) -> list[forms.BoundField]:
        return [self[item] for item in DAY_ITEMS]

    def rating_fields(self) -> list[forms.BoundField]:
        return [self[item] for item in RATING_ITEMS]

    def yes_no_fields(self) -> list[forms.BoundField]:
        return [self[item] for item in YES_NO_ITEMS]

    def use(self) -> dict[str, int]:
        """Days of use of the substances answered; a substance left blank is not asked about (no row)."""
        data = self.cleaned_data
        return {s: data[USE_PREFIX + s] for s in UseSubstance.values if data.get(USE_PREFIX + s) is not None}

    def answers(self) -> dict[str, int | bool | None]:
        data = self.cleaned_data
        answers: dict[str, int | bool | None] = {item: data.get(item) for item in (*DAY_ITEMS, *RATING_ITEMS)}
        for item in YES_NO_ITEMS:
            value = data.get(item)
            answers[item] = True if value == YES else False if value == NO else None
        return answers


class CheckInForm(ServiceErrors, forms.Form):
    method = forms.ChoiceField(
        label="How you were in touch",
        choices=CheckInMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how you were in touch."},
    )
    outcome = forms.ChoiceField(
        label="How the client is",
        choices=CheckInOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how the client is."},
    )
