"""Forms of the client pages: search, registration (the code, then minimal details), correction and merge.

The answers that make a code (a parent's name, a date of birth) are read only to build the code. They are
never stored, never logged, and not written back into the page once the code is made.
"""

from __future__ import annotations

import calendar
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.http import QueryDict
from django.utils import timezone

from cbtc.clients.identity import MAX_LENGTHS, Identity
from cbtc.clients.models import KEY_POPULATIONS, GenderIdentity, MergeReason, SexAtBirth, Substance
from cbtc.clients.selectors import ClientQuery, ClientRecord
from cbtc.clients.services import EARLIEST_BIRTH_YEAR, Demographics
from cbtc.clients.uic import UicError, UicQuestion, UicResult, UicScheme, build_uic, parse_uic
from cbtc.network.models import Organisation

QUESTION_PREFIX = "q_"
# Attributes for fields that hold identifying words: no autofill, no spelling service, no suggestions kept.
_PRIVATE = {"autocomplete": "off", "spellcheck": "false", "autocorrect": "off"}
_NUMERIC = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared as one in the class body
    return field


def _code_widget() -> forms.TextInput:
    return forms.TextInput(attrs={**_PRIVATE, "autocapitalize": "characters", "class": "code-input"})


class ClientSearchForm(forms.Form):
    """Sent by POST only: a name or a code must never travel in a URL (ASVS 14.2.1)."""

    text = forms.CharField(
        label="Name, nickname or ID number",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**_PRIVATE, "type": "search", "enterkeyhint": "search"}),
        help_text="Whole words: “Ana” finds Ana, not Anabel.",
    )
    uic = forms.CharField(
        label="Code", required=False, max_length=40, widget=_code_widget(), help_text="The whole code, as on the card."
    )
    shared = forms.BooleanField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, max_value=400, widget=forms.HiddenInput)

    def query(self) -> ClientQuery:
        data = self.cleaned_data
        # Two tabs: the service's own clients, and records other services share with it.
        return ClientQuery(
            text=(data.get("text") or "").strip(),
            uic=(data.get("uic") or "").strip(),
            shared_only=data["shared"],
            own_only=not data["shared"],
        )

    def page_number(self) -> int:
        return int(self.cleaned_data.get("page") or 1)


def _month_choices() -> list[tuple[str, str]]:
    return [("", "Month not known"), *[(str(m), calendar.month_name[m]) for m in range(1, 13)]]


def _substance_choices() -> list[tuple[str, str]]:
    # Reference data, not client data: the list of main substances the deployment offers.
    return [(s.code, s.label) for s in Substance.objects.order_by("sort_order", "label")]


class ClientDetailsForm(forms.Form):
    """Minimal demographics and the optional, encrypted identifying details."""

    nickname = forms.CharField(
        label="Nickname or street name",
        required=False,
        max_length=MAX_LENGTHS["nickname"],
        widget=forms.TextInput(attrs=_PRIVATE),
        help_text="What the client likes to be called. Often the only name you need.",
    )
    birth_year = forms.IntegerField(
        label="Year of birth",
        required=False,
        min_value=EARLIEST_BIRTH_YEAR,
        widget=forms.TextInput(attrs={**_NUMERIC, "maxlength": "4"}),
        help_text="Leave empty if the client does not want to say.",
    )
    birth_month = forms.TypedChoiceField(
        label="Month of birth", required=False, coerce=int, empty_value=None, choices=_month_choices
    )
    sex_at_birth = forms.ChoiceField(
        label="Sex at birth", choices=SexAtBirth.choices, initial=SexAtBirth.NOT_STATED, widget=forms.RadioSelect
    )
    gender_identity = forms.ChoiceField(
        label="Gender identity", choices=GenderIdentity.choices, initial=GenderIdentity.NOT_STATED
    )
    key_populations = forms.MultipleChoiceField(
        label="Applies to the client (tick any the client agrees with)",
        required=False,
        choices=list(KEY_POPULATIONS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    substances = forms.MultipleChoiceField(
        label="Main substances", required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    given_name = forms.CharField(
        label="Given name", required=False, max_length=MAX_LENGTHS["given_name"], widget=forms.TextInput(attrs=_PRIVATE)
    )
    family_name = forms.CharField(
        label="Family name",
        required=False,
        max_length=MAX_LENGTHS["family_name"],
        widget=forms.TextInput(attrs=_PRIVATE),
    )
    alias = forms.CharField(
        label="Other name or alias",
        required=False,
        max_length=MAX_LENGTHS["alias"],
        widget=forms.TextInput(attrs=_PRIVATE),
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=MAX_LENGTHS["phone"],
        widget=forms.TextInput(attrs={**_PRIVATE, "type": "tel", "inputmode": "tel"}),
    )
    address = forms.CharField(
        label="Address or where to find them",
        required=False,
        max_length=MAX_LENGTHS["address"],
        widget=forms.Textarea(attrs={**_PRIVATE, "rows": 2}),
    )
    national_id = forms.CharField(
        label="National ID number",
        required=False,
        max_length=MAX_LENGTHS["national_id"],
        widget=forms.TextInput(attrs=_PRIVATE),
    )

    IDENTITY_FIELDS = ("given_name", "family_name", "alias", "phone", "address", "national_id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        substances = self.fields["substances"]
        assert isinstance(substances, forms.MultipleChoiceField)  # noqa: S101  # declared as one above
        substances.choices = _substance_choices()
        # This year is read per form, not once at start-up, so a server running over New Year stays right.
        this_year = timezone.localdate().year
        self.fields["birth_year"].validators.append(
            MaxValueValidator(this_year, message=f"The year of birth cannot be after {this_year}.")
        )

    @property
    def identity_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.IDENTITY_FIELDS]

    @property
    def identity_has_errors(self) -> bool:
        return any(self.errors.get(name) for name in self.IDENTITY_FIELDS)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if cleaned and cleaned.get("birth_month") is not None and cleaned.get("birth_year") is None:
            self.add_error("birth_month", "Give the year of birth as well as the month, or leave the month out.")
        return cleaned

    def demographics(self) -> Demographics:
        data = self.cleaned_data
        return Demographics(
            birth_year=data.get("birth_year"),
            birth_month=data.get("birth_month"),
            sex_at_birth=data["sex_at_birth"],
            gender_identity=data["gender_identity"],
            key_populations=frozenset(data.get("key_populations") or ()),
            substances=frozenset(data.get("substances") or ()),
        )

    def identity(self) -> Identity:
        data = self.cleaned_data
        return Identity.from_values({name: data.get(name, "") for name in ("nickname", *self.IDENTITY_FIELDS)})

    @staticmethod
    def initial_from(record: ClientRecord) -> dict[str, Any]:
        client = record.client
        identity = record.identity or Identity()
        return {
            "nickname": identity.nickname,
            "birth_year": client.birth_year,
            "birth_month": client.birth_month,
            "sex_at_birth": client.sex_at_birth,
            "gender_identity": client.gender_identity,
            "key_populations": [flag for flag in KEY_POPULATIONS if getattr(client, flag)],
            "substances": [substance.code for substance in record.substances],
            **{name: getattr(identity, name) for name in ClientDetailsForm.IDENTITY_FIELDS},
        }


def _question_field(question: UicQuestion) -> forms.Field:
    help_text = question.help
    if question.kind == "choice":
        choices = [("", "Not known / does not want to say"), *[(c, c.capitalize()) for c in question.choices]]
        return forms.ChoiceField(
            label=question.label, required=False, choices=choices, help_text=help_text, widget=forms.RadioSelect
        )
    attrs: dict[str, str] = dict(_PRIVATE)
    if question.kind == "number":
        attrs.update(_NUMERIC)
    elif question.kind == "date":
        attrs["type"] = "date"
    else:
        attrs["autocapitalize"] = "words"
    return forms.CharField(
        label=question.label, required=False, max_length=100, help_text=help_text, widget=forms.TextInput(attrs=attrs)
    )


class UicQuestionsForm(forms.Form):
    """The scheme's questions. Only the code they make is kept; :meth:`forget_answers` drops the answers."""

    def __init__(self, *args: Any, scheme: UicScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.uic_result: UicResult | None = None
        for question in scheme.questions:
            self.fields[QUESTION_PREFIX + question.key] = _question_field(question)

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[QUESTION_PREFIX + question.key] for question in self.scheme.questions]

    def answers(self) -> dict[str, str]:
        return {q.key: (self.cleaned_data.get(QUESTION_PREFIX + q.key) or "") for q in self.scheme.questions}

    def any_answer(self) -> bool:
        return any(value.strip() for value in self.answers().values())

    def build(self) -> UicResult | None:
        """The code for the answers, or None with the problem added to the question at fault."""
        if any(self.errors.get(QUESTION_PREFIX + question.key) for question in self.scheme.questions):
            return None  # an answer the form refused must not be silently left out of the code
        try:
            return build_uic(self.scheme, self.answers())
        except UicError as exc:
            name = QUESTION_PREFIX + exc.field
            self.add_error(name if name in self.fields else None, exc.message)
            return None

    def forget_answers(self, code: str | None = None) -> None:
        """Take the answers out of what the page shows back; put the code made from them in their place."""
        data = self.data.copy() if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        for question in self.scheme.questions:
            data.pop(QUESTION_PREFIX + question.key, None)
        if code is not None:
            data["uic"] = code
        self.data = data


class TypedCodeForm(forms.Form):
    uic = forms.CharField(
        label="Code from the client's card",
        required=False,
        max_length=60,
        widget=_code_widget(),
        help_text="Spaces and dashes do not matter.",
    )


class RegisterForm(TypedCodeForm, UicQuestionsForm, ClientDetailsForm):
    organisation = forms.ChoiceField(label="Register for")
    confirmed_new_person = forms.BooleanField(required=False, widget=forms.HiddenInput)

    field_order = ["organisation", "uic"]

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(org.pk): org for org in organisations}
        field = _choice_field(self, "organisation")
        field.choices = [(key, org.name) for key, org in self.organisations.items()]
        if len(organisations) == 1:
            field.initial = str(organisations[0].pk)
            field.widget = forms.HiddenInput()

    @property
    def several_organisations(self) -> bool:
        return len(self.organisations) > 1

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        typed = (self.cleaned_data.get("uic") or "").strip()
        if typed:
            try:
                self.uic_result = parse_uic(self.scheme, typed)
            except UicError as exc:
                self.add_error("uic", exc.message)
        elif self.any_answer():
            self.uic_result = self.build()
        elif "uic" not in self.errors:
            self.add_error("uic", "Type the code from the client's card, or answer the questions below to make one.")
        if self.uic_result is not None:
            self.forget_answers(self.uic_result.code)
        return cleaned

    def chosen_organisation(self) -> Organisation:
        return self.organisations[self.cleaned_data["organisation"]]


class MergeSearchForm(forms.Form):
    uic = forms.CharField(label="Code of the other record", required=False, max_length=60, widget=_code_widget())
    text = forms.CharField(
        label="or a name or nickname on it", required=False, max_length=100, widget=forms.TextInput(attrs=_PRIVATE)
    )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if cleaned is not None and not (cleaned.get("uic") or "").strip() and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError("Type the code or a name of the other record.")
        return cleaned

    def query(self) -> ClientQuery:
        data = self.cleaned_data
        return ClientQuery(text=(data.get("text") or "").strip(), uic=(data.get("uic") or "").strip())


class MergeConfirmForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are these the same person?",
        choices=MergeReason.choices,
        widget=forms.RadioSelect,
    )
