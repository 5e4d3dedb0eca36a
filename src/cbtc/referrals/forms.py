"""Forms of the referral pages. They only shape input: the rules (consent gate, who may take which step) are in
services.py, and a refusal there is shown on the field it names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from cbtc.clients.models import InformationCategory
from cbtc.consent.disclosure import DISCLOSABLE_CATEGORIES
from cbtc.referrals.models import NOTE_MAX, CompletionOutcome, DeclineReason, ReferralReason, Urgency

SHARE_CHOICES = [(code, label) for code, label in InformationCategory.choices if code in DISCLOSABLE_CATEGORIES]
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _choices(field: forms.Field, choices: Sequence[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - the fields are declared as choice fields below
    field.choices = list(choices)


class ReferralForm(forms.Form):
    sending_service = forms.ChoiceField(label="From (your service)")
    reason = forms.ChoiceField(label="Reason for the referral", choices=[("", "—"), *ReferralReason.choices])
    urgency = forms.ChoiceField(
        label="How soon", choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note for the receiving service (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Practical things only, such as what to bring. No names, phone numbers or addresses.",
    )
    share = forms.MultipleChoiceField(
        label="Information to share",
        required=False,
        choices=SHARE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only with the client's consent to share with this organisation. Share nothing for an anonymous "
        "referral: the client takes the referral code with them.",
    )
    consent = forms.ChoiceField(label="Under the consent", required=False)
    appointment_at = forms.DateTimeField(
        label="Appointment (if made)", required=False, widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    booked_with_client_present = forms.BooleanField(
        label="The appointment was made with the client here", required=False
    )
    accompaniment_requested = forms.BooleanField(label="Someone will go with the client", required=False)
    accompanied_by = forms.ChoiceField(label="Who goes with them", required=False)

    def __init__(
        self,
        *args: Any,
        services: Sequence[tuple[str, str]] = (),
        consents: Sequence[tuple[str, str]] = (),
        companions: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # One service: it is the sender. Several: the worker says which, rather than the first by name.
        _choices(self.fields["sending_service"], services if len(services) == 1 else [("", "—"), *services])
        _choices(self.fields["consent"], [("", "No consent: share nothing"), *consents])
        _choices(self.fields["accompanied_by"], [("", "—"), *companions])


class AcceptForm(forms.Form):
    appointment_at = forms.DateTimeField(
        label="Appointment (optional)", required=False, widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )


class DeclineForm(forms.Form):
    decline_reason = forms.ChoiceField(label="Why", choices=[("", "—"), *DeclineReason.choices])
    suggested_service = forms.ChoiceField(label="Suggest another service (optional)", required=False)

    def __init__(self, *args: Any, alternatives: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["suggested_service"], [("", "—"), *alternatives])


class CompleteForm(forms.Form):
    completion_outcome = forms.ChoiceField(label="What happened", choices=[("", "—"), *CompletionOutcome.choices])


class FindByCodeForm(forms.Form):
    code = forms.CharField(label="Referral code the client brought", max_length=20)
