"""Forms of the incident, pregnancy and release plan pages. They only shape input; the rules are in
services/incidents.py and services/populations.py (and referral_create for the referral each may make), and a
refusal there is shown on the field it names (``ServiceErrors`` of episode_forms.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from cbtc.care.episode_forms import DATE_INPUT, ServiceErrors
from cbtc.care.models import IncidentKind
from cbtc.care.models.populations import TEXT_MAX


def _day(label: str, help_text: str = "", *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d"],
        help_text=help_text,
        error_messages={"required": "Give the date.", "invalid": "Give a date."},
    )


def _service_choices(field: forms.Field, services: Sequence[Any], *, one_is_chosen: bool = False) -> None:
    """A list of services (grouped or not). With ``one_is_chosen``, a single service is chosen already (the
    organisation's only service is the one that refers), as on the referral and episode forms."""
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - the fields are declared as choice fields below
    field.choices = list(services) if one_is_chosen and len(services) == 1 else [("", "—"), *services]


class IncidentForm(ServiceErrors, forms.Form):
    # The legal-aid referral's refusals name the referral's fields (referral_create); these are the page's.
    SERVICE_FIELDS = {
        "legal_aid": "legal_aid_service",
        "receiving_service": "legal_aid_service",
        "sending_service": "legal_aid_sending_service",
    }

    kind = forms.ChoiceField(
        label="What happened to the client",
        choices=IncidentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened."},
    )
    occurred_on = _day("When it happened", "Within the past year.")
    crisis_response = forms.BooleanField(label="Crisis support was given", required=False)
    legal_aid_service = forms.ChoiceField(
        label="Legal-aid service",
        required=False,
        help_text="A referral is sent now. It shares nothing about the client: they take its code with them.",
    )
    legal_aid_sending_service = forms.ChoiceField(label="From (your service)", required=False)

    def __init__(
        self,
        *args: Any,
        own_services: Sequence[tuple[str, str]] = (),
        legal_aid_services: Sequence[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _service_choices(self.fields["legal_aid_service"], legal_aid_services)
        _service_choices(self.fields["legal_aid_sending_service"], own_services, one_is_chosen=True)

    def legal_aid_open(self) -> bool:
        chosen = self.is_bound and bool(self.data.get("legal_aid_service"))
        return chosen or bool(self["legal_aid_service"].errors or self["legal_aid_sending_service"].errors)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The two services are objects the service needs in hand; it checks everything else.
        if data.get("legal_aid_service") and not data.get("legal_aid_sending_service"):
            self.add_error("legal_aid_sending_service", "Choose which of your services makes the referral.")
        return data


class PregnancyForm(ServiceErrors, forms.Form):
    expected_on = _day("Expected date of delivery")
    delivery_plan = forms.CharField(
        label="Delivery plan (optional)",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Where and with whom the client wants to give birth, and their treatment (such as the OAT dose) "
        "during labour and after.",
    )


class ReleasePlanForm(ServiceErrors, forms.Form):
    SERVICE_FIELDS = {"receiving_service": "continuity_service"}  # the continuity referral's name for it

    release_on = _day("Release date", "Today or within the next year.")
    sending_service = forms.ChoiceField(
        label="From (your service)", error_messages={"required": "Choose which of your services makes the referral."}
    )
    continuity_service = forms.ChoiceField(
        label="Care continues at",
        help_text="A referral is sent to this service now, before the release date.",
        error_messages={"required": "Choose the service where care continues after release."},
    )
    naloxone_given = forms.BooleanField(label="Naloxone given to take out", required=False)
    naloxone_training = forms.BooleanField(label="The client was shown how to use naloxone", required=False)
    family_trained = forms.BooleanField(label="Family or friends were shown too", required=False)

    def __init__(
        self,
        *args: Any,
        own_services: Sequence[tuple[str, str]] = (),
        services: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _service_choices(self.fields["sending_service"], own_services, one_is_chosen=True)
        _service_choices(self.fields["continuity_service"], services)

    def naloxone_checks(self) -> list[forms.BoundField]:
        return [self[name] for name in ("naloxone_given", "naloxone_training", "family_trained")]
