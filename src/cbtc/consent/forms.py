"""Forms of the consent pages: recording a consent, withdrawing one, and the accounting's date filter."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone

from cbtc.clients.models import InformationCategory
from cbtc.consent.disclosure import DISCLOSABLE_CATEGORIES
from cbtc.consent.models import ConsentKind, ConsentMethod, ExpiryEvent, GuardianRelationship, Purpose
from cbtc.consent.rules import AgeStatus
from cbtc.consent.services import ConsentInput
from cbtc.network.models import Organisation, User

_MAX_WITNESSES = 300
_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared as one in the class body
    return field


def witnesses_for(organisation: Organisation) -> list[User]:
    """Active staff of the organisation: who may witness a consent given there."""
    return list(
        User.objects.filter(memberships__organisation=organisation, is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")[:_MAX_WITNESSES]
    )


def _now_local() -> str:
    return timezone.localtime().strftime(_DATETIME_LOCAL)


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label="What is the consent for?", choices=ConsentKind.choices, widget=forms.RadioSelect)
    recipients = forms.MultipleChoiceField(
        label="Who may receive the information",
        required=False,
        help_text="Only the services the client named.",
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label="What information may be shared",
        required=False,
        choices=[(code, label) for code, label in InformationCategory.choices if code in DISCLOSABLE_CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.ChoiceField(
        label="For what purpose", required=False, choices=Purpose.choices, widget=forms.RadioSelect
    )
    ethics_approval_reference = forms.CharField(
        label="Ethics approval reference",
        required=False,
        max_length=100,
        help_text="Needed for research: the reference of the ethics committee's approval.",
    )
    expires_on = forms.DateField(
        label="Ends on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="A consent to share or to court reports always ends: a date, an event, or both (whichever first).",
    )
    expiry_event = forms.ChoiceField(
        label="or ends when", required=False, choices=[("", "No ending event"), *ExpiryEvent.choices]
    )
    external_recipient = forms.CharField(
        label="Court or probation office",
        required=False,
        max_length=200,
        help_text="As the client named it, e.g. 'District Court, diversion officer'.",
    )
    method = forms.ChoiceField(label="How the client gave it", choices=ConsentMethod.choices, widget=forms.RadioSelect)
    given_at = forms.DateTimeField(
        label="Given at",
        input_formats=[_DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL),
        help_text="Now, or when the client signed a paper form (at most 30 days ago).",
    )
    witnessed_by = forms.ChoiceField(label="Witnessed by")
    guardian_relationship = forms.ChoiceField(
        label="A parent or guardian also consented",
        required=False,
        choices=[("", "No"), *GuardianRelationship.choices],
    )
    client_states_adult = forms.BooleanField(label="", required=False)
    explained = forms.BooleanField(
        label="I read or explained the wording above to the client, in words they understand, and they agreed.",
        error_messages={"required": "Explain the consent to the client before recording it."},
    )

    def __init__(
        self,
        *args: Any,
        recipients: list[Organisation],
        witnesses: list[User],
        age: AgeStatus,
        actor: User,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.age = age
        self._recipients = {str(org.pk): org for org in recipients}
        self._witnesses = {str(user.pk): user for user in witnesses}
        _choice_field(self, "recipients").choices = [(key, org.name) for key, org in self._recipients.items()]
        _choice_field(self, "witnessed_by").choices = [
            (key, user.get_full_name() or user.username) for key, user in self._witnesses.items()
        ]
        self.fields[
            "client_states_adult"
        ].label = f"The client says they are {settings.MINOR_AGE} or older (their year of birth is not recorded)."
        if not self.is_bound:
            self.initial.setdefault("given_at", _now_local())
            if str(actor.pk) in self._witnesses:
                self.initial.setdefault("witnessed_by", str(actor.pk))

    @property
    def asks_guardian(self) -> bool:
        return self.age is not AgeStatus.ADULT

    @property
    def asks_stated_adult(self) -> bool:
        return self.age is AgeStatus.UNKNOWN

    def to_input(self) -> ConsentInput:
        data = self.cleaned_data
        # Only the chosen kind's part of the form is sent: answers left in a hidden part (the staff member ticked
        # a recipient, then chose another kind) are not the client's consent.
        sharing = data["kind"] == ConsentKind.DISCLOSURE
        court = data["kind"] == ConsentKind.COURT_REPORT
        return ConsentInput(
            kind=data["kind"],
            method=data["method"],
            given_at=data["given_at"],
            witnessed_by=self._witnesses[data["witnessed_by"]],
            recipients=[self._recipients[key] for key in data.get("recipients") or ()] if sharing else [],
            categories=frozenset(data.get("categories") or ()) if sharing else frozenset(),
            purpose=(data.get("purpose") or "") if sharing else "",
            ethics_approval_reference=(data.get("ethics_approval_reference") or "") if sharing else "",
            expires_on=data.get("expires_on"),
            expiry_event=data.get("expiry_event") or "",
            guardian_relationship=data.get("guardian_relationship") or "",
            client_states_adult=bool(data.get("client_states_adult")),
            external_recipient=(data.get("external_recipient") or "") if court else "",
        )


class WithdrawForm(forms.Form):
    method = forms.ChoiceField(
        label="How did the client withdraw it?", choices=ConsentMethod.choices, widget=forms.RadioSelect
    )


class AccountingFilterForm(forms.Form):
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The accounting covers at most the last three years.",
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def since_date(self) -> date | None:
        return self.cleaned_data.get("since") if self.is_valid() else None

    def before_id(self) -> int | None:
        return self.cleaned_data.get("before") if self.is_valid() else None
