"""Forms of the episode pages: opening an episode, its status, a review, ending it, a session, a care plan and a
lapse, relapse or test result. They only shape input; the rules are in services/ (episodes, sessions, plans,
clinical), and a refusal there is shown on the field it names (``add_service_error``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms

from cbtc.care.models import DischargeReason, Domain, EpisodeStatus, GoalKind, Modality, ReferralSource, Responsible
from cbtc.care.models.clinical import ClinicalEventKind, TestResult
from cbtc.care.models.episodes import TEXT_MAX
from cbtc.care.models.plans import GOAL_TEXT_MAX
from cbtc.care.models.sessions import MAX_MINUTES, NOTE_MAX, SessionKind

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OPENING_CHOICES = [
    (EpisodeStatus.ACTIVE.value, "Active: care starts now"),
    (EpisodeStatus.WAITING.value, "Waiting for a place"),
    (EpisodeStatus.PLANNED.value, "Planned"),
]
STATUS_CHOICES = [
    (status.value, status.label)
    for status in (EpisodeStatus.PLANNED, EpisodeStatus.WAITING, EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD)
]
# "goals.1.text" or "goals.1.actions.0.staff", as the care plan service names its fields
SERVICE_GOAL_FIELD = re.compile(r"goals\.(?P<goal>\d+)\.(?:actions\.\d+\.(?P<action_field>\w+)|(?P<field>\w+))")
MAX_PLAN_GOALS = 3  # the page offers three; the service takes more (the API)


def _choices(field: forms.Field, choices: Sequence[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - the fields are declared as choice fields below
    field.choices = list(choices)


def _when(label: str, help_text: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=DATETIME_INPUT,
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text=help_text,
        error_messages={"invalid": "Give a date and a time."},
    )


class ServiceErrors:
    """Show a refusal of a service on the input it names (through ``SERVICE_FIELDS`` when the names differ),
    or above the form."""

    SERVICE_FIELDS: dict[str, str] = {}

    def add_service_error(self, field: str | None, message: str) -> None:
        assert isinstance(self, forms.Form)  # noqa: S101 - mixed into forms only
        name = self.SERVICE_FIELDS.get(field or "", field or "")
        self.add_error(name if name in self.fields else None, message)


class EpisodeOpenForm(ServiceErrors, forms.Form):
    service = forms.ChoiceField(label="Service", error_messages={"required": "Choose the service."})
    modality = forms.ChoiceField(
        label="Kind of care",
        choices=[("", "—"), *Modality.choices],
        error_messages={"required": "Choose the kind of care."},
    )
    referral_source = forms.ChoiceField(
        label="Who referred the client",
        choices=[("", "—"), *ReferralSource.choices],
        error_messages={"required": "Choose who referred the client (\u201cSelf\u201d when they came themselves)."},
    )
    status = forms.ChoiceField(
        label="Start as",
        choices=OPENING_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the episode starts."},
    )
    adult_setting_reason = forms.CharField(
        label="Residential or inpatient care alongside adults: why not a setting for young people?",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only for inpatient withdrawal or residential care at a service that also takes adults.",
    )

    def __init__(self, *args: Any, services: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["service"], services if len(services) == 1 else [("", "—"), *services])


class StatusForm(ServiceErrors, forms.Form):
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES)


class ReviewForm(ServiceErrors, forms.Form):
    next_review_on = forms.DateField(
        label="Next review (optional)",
        required=False,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d"],
        help_text="Left blank: in the usual time. A reminder only, never an end date.",
        error_messages={"invalid": "Give a date."},
    )


class DischargeForm(ServiceErrors, forms.Form):
    SERVICE_FIELDS = {"receiving_service": "contingency_service", "sending_service": "contingency_service"}

    discharge_reason = forms.ChoiceField(
        label="How the episode ended",
        choices=DischargeReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the episode ended."},
    )
    safety_reason = forms.CharField(
        label="Why it was needed for safety",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    measures_tried = forms.CharField(
        label="What was tried first",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example a change of service, of staff, of times, or a safety agreement.",
    )
    reviewed_by = forms.ChoiceField(label="Reviewed by (a colleague, not you)", required=False)
    contingency_service = forms.ChoiceField(
        label="Where the client is referred",
        required=False,
        help_text="An urgent referral is made to this service when you end the episode.",
    )

    def __init__(
        self,
        *args: Any,
        colleagues: Sequence[tuple[str, str]] = (),
        services: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["reviewed_by"], [("", "—"), *colleagues])
        _choices(self.fields["contingency_service"], [("", "—"), *services])

    @property
    def involuntary(self) -> bool:
        return bool(self.is_bound and self.data.get("discharge_reason") == DischargeReason.INVOLUNTARY_FOR_SAFETY)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The colleague and the service are objects the service needs in hand; it checks everything else.
        if data.get("discharge_reason") == DischargeReason.INVOLUNTARY_FOR_SAFETY:
            if not data.get("reviewed_by"):
                self.add_error("reviewed_by", "Name the colleague who reviewed this decision.")
            if not data.get("contingency_service"):
                self.add_error("contingency_service", "Choose the service the client is referred to.")
        return data


class SessionForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(
        label="Kind of session",
        choices=[("", "—"), *SessionKind.choices],
        error_messages={"required": "Choose the kind of session."},
    )
    minutes = forms.IntegerField(
        label="Minutes",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": MAX_MINUTES}),
        error_messages={
            "required": f"Give the minutes, from 1 to {MAX_MINUTES}.",
            "invalid": f"Give the minutes as a number, from 1 to {MAX_MINUTES}.",
        },
    )
    note = forms.CharField(
        label="Clinical note (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only counsellors, clinicians, prescribers and case managers can read it.",
    )
    occurred_at = _when("When (leave blank for now)", "Within the past 30 days.")


class ClinicalEventForm(ServiceErrors, forms.Form):
    kind = forms.ChoiceField(
        label="What happened",
        choices=ClinicalEventKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened."},
    )
    test_result = forms.ChoiceField(
        label="Test result (for a drug test)",
        required=False,
        choices=TestResult.choices,
        widget=forms.RadioSelect,
    )
    substance = forms.ChoiceField(label="Substance (optional)", required=False)
    occurred_at = _when("When (leave blank for now)", "")

    def __init__(self, *args: Any, substances: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["substance"], [("", "—"), *substances])


class CarePlanForm(forms.Form):
    """Up to three goals, each with one optional action. Field ``goal_0_action_text`` is the service's
    "goals.0.actions.0.text"; slots left blank are skipped, so the service's numbering is mapped back."""

    next_review_on = forms.DateField(
        label="Review the plan by (optional)",
        required=False,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d"],
        help_text="Left blank: in the usual time.",
        error_messages={"invalid": "Give a date."},
    )
    contingency_service = forms.ChoiceField(label="If the plan does not work out, turn to (optional)", required=False)
    contingency_note = forms.CharField(label="What to do then (optional)", required=False, max_length=GOAL_TEXT_MAX)

    def __init__(
        self,
        *args: Any,
        staff: Sequence[tuple[str, str]] = (),
        services: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.slots: list[int] = []  # the form's goal number of each goal given to the service
        _choices(self.fields["contingency_service"], [("", "—"), *services])
        for n in range(MAX_PLAN_GOALS):
            p = f"goal_{n}_"
            self.fields[p + "domain"] = forms.ChoiceField(
                label="Part of life", required=False, choices=[("", "—"), *Domain.choices]
            )
            self.fields[p + "kind"] = forms.ChoiceField(
                label="The client's goal for their use",
                required=False,
                choices=GoalKind.choices,
                initial=GoalKind.OTHER,
                widget=forms.RadioSelect,
            )
            self.fields[p + "text"] = forms.CharField(
                label="The goal, in the client's words", required=False, max_length=GOAL_TEXT_MAX
            )
            self.fields[p + "action_text"] = forms.CharField(
                label="First step (optional)", required=False, max_length=GOAL_TEXT_MAX
            )
            self.fields[p + "action_responsible"] = forms.ChoiceField(
                label="Who does it", required=False, choices=[("", "—"), *Responsible.choices]
            )
            self.fields[p + "action_staff"] = forms.ChoiceField(
                label="Member of staff", required=False, choices=[("", "—"), *staff]
            )
            self.fields[p + "action_refer_to"] = forms.ChoiceField(
                label="Service (a referral is made)", required=False, choices=[("", "—"), *services]
            )
            self.fields[p + "action_due_on"] = forms.DateField(
                label="By (optional)",
                required=False,
                widget=DATE_INPUT,
                input_formats=["%Y-%m-%d"],
                error_messages={"invalid": "Give a date."},
            )

    def goal_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": n + 1,
                **{name: self[f"goal_{n}_{name}"] for name in ("domain", "kind", "text")},
                "action": [
                    self[f"goal_{n}_action_{name}"] for name in ("text", "responsible", "staff", "refer_to", "due_on")
                ],
                "open": n == 0 or self._given(n),
            }
            for n in range(MAX_PLAN_GOALS)
        ]

    def _given(self, n: int) -> bool:
        return any(
            self[f"goal_{n}_{name}"].errors or (self.is_bound and self.data.get(f"goal_{n}_{name}"))
            for name in ("domain", "text", "action_text", "action_responsible")
        )

    def goals(self) -> list[dict[str, Any]]:
        """The goals filled in, in order, as plain values (the view turns ids into objects)."""
        data = self.cleaned_data
        goals = []
        self.slots = []
        for n in range(MAX_PLAN_GOALS):
            p = f"goal_{n}_"
            if not (data[p + "domain"] or data[p + "text"].strip() or data[p + "action_text"].strip()):
                continue
            action = None
            if data[p + "action_text"].strip() or data[p + "action_responsible"]:
                action = {
                    name: data[p + "action_" + name] for name in ("text", "responsible", "staff", "refer_to", "due_on")
                }
            # The kind is asked for substance use goals only; any other goal is "another goal".
            kind = (
                data[p + "kind"] if data[p + "domain"] == Domain.SUBSTANCE_USE and data[p + "kind"] else GoalKind.OTHER
            )
            goals.append({"domain": data[p + "domain"], "text": data[p + "text"], "kind": kind, "action": action})
            self.slots.append(n)
        if not goals:
            self.add_error(None, "Write at least one goal, in the client's words.")
        return goals

    def add_service_error(self, field: str | None, message: str) -> None:
        name = field or ""
        found = SERVICE_GOAL_FIELD.fullmatch(name)
        if found and int(found["goal"]) < len(self.slots):
            slot = self.slots[int(found["goal"])]
            name = (
                f"goal_{slot}_action_{found['action_field']}"
                if found["action_field"]
                else f"goal_{slot}_{found['field']}"
            )
        self.add_error(name if name in self.fields else None, message)
