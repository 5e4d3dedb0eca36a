from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from cbtc.network.models import (
    AdminArea,
    CostType,
    Gender,
    Language,
    OrganisationType,
    Population,
    PyramidLevel,
    ServiceType,
    Site,
)
from cbtc.network.roles import Role
from cbtc.network.selectors import DEFAULT_RADIUS_KM, DirectoryFilters

RADIUS_CHOICES_KM = (2, 5, 10, 25, 50, 100)
# The person looking, not the service: "a woman" finds services for everyone and services for women.
PERSON_GENDER_CHOICES = [
    ("", "Any"),
    (Gender.WOMEN.value, "A woman"),
    (Gender.MEN.value, "A man"),
    (Gender.TRANSGENDER_NONBINARY.value, "A transgender or non-binary person"),
]


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101  # declared as one in the class body
    return field


class DirectoryFilterForm(forms.Form):
    """The directory's filters. Bad values are reported next to the field, never silently dropped."""

    q = forms.CharField(
        label="Search by name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Service or organisation"}),
    )
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "Any type"), *ServiceType.choices])
    level = forms.TypedChoiceField(
        label="Level of care",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any level"), *[(v, f"{v}. {label}") for v, label in PyramidLevel.choices]],
    )
    region = forms.ChoiceField(label="Region", required=False)
    org_type = forms.ChoiceField(
        label="Organisation", required=False, choices=[("", "Any organisation"), *OrganisationType.choices]
    )
    near = forms.ChoiceField(label="Distance from", required=False)
    distance = forms.TypedChoiceField(
        label="Within",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(km, f"{km} km") for km in RADIUS_CHOICES_KM],
        help_text="Used with “Distance from”.",
    )
    open_now = forms.BooleanField(label="Open now", required=False, help_text="In the local time of each site.")
    age = forms.IntegerField(
        label="Age of the person", required=False, min_value=0, max_value=120, widget=forms.NumberInput()
    )
    gender = forms.ChoiceField(label="The person is", required=False, choices=PERSON_GENDER_CHOICES)
    population = forms.ChoiceField(label="Group", required=False)
    language = forms.ChoiceField(label="Language", required=False)
    cost = forms.ChoiceField(label="Cost", required=False, choices=[("", "Any cost"), *CostType.choices])
    max_wait = forms.IntegerField(label="Longest wait (days)", required=False, min_value=0, max_value=365)

    def __init__(
        self,
        *args: Any,
        regions: list[AdminArea],
        origins: Sequence[Site] = (),
        populations: Sequence[Population] = (),
        languages: Sequence[Language] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("distance"):
            # A "near here" link gives no distance: show the default as chosen, so the page says what it used.
            # items() gives one value per name, also for a QueryDict; every filter takes one value.
            self.data = {**dict(self.data.items()), "distance": f"{DEFAULT_RADIUS_KM:g}"}
        self._regions = {area.code: area for area in regions}
        self._origins = {str(site.pk): site for site in origins}
        indent = {"country": "", "province": "— ", "district": "—— "}
        _choice_field(self, "region").choices = [("", "Anywhere")] + [
            (area.code, f"{indent.get(area.level, '')}{area.name}") for area in regions
        ]
        _choice_field(self, "near").choices = [("", "Anywhere")] + [
            (str(site.pk), f"{site.name} ({site.organisation.name})") for site in origins
        ]
        _choice_field(self, "population").choices = [("", "Anyone")] + [(p.code, p.name) for p in populations]
        _choice_field(self, "language").choices = [("", "Any language")] + [
            (lang.code, lang.name) for lang in languages
        ]

    MORE_FILTERS = ("age", "gender", "population", "language", "cost", "max_wait")

    def more_filters_chosen(self) -> bool:
        """Whether the folded "who it is for, language, cost, wait" filters hold a choice (or a mistake), so
        the page shows them open."""
        return any(self.data.get(name) for name in self.MORE_FILTERS) or any(
            name in self.errors for name in self.MORE_FILTERS
        )

    def clean_near(self) -> str:
        chosen: str = self.cleaned_data.get("near") or ""
        site = self._origins.get(chosen)
        if site is not None and site.latitude is None:
            raise forms.ValidationError("This site has no map position, so distances cannot be measured from it.")
        return chosen

    def filters(self) -> DirectoryFilters:
        """The chosen filters; "open now" means the moment of the request."""
        data = self.cleaned_data
        return DirectoryFilters(
            service_type=data.get("type") or None,
            pyramid_level=data.get("level"),
            region=self._regions.get(data.get("region") or ""),
            organisation_type=data.get("org_type") or None,
            text=(data.get("q") or "").strip() or None,
            near=self._origins.get(data.get("near") or ""),
            radius_km=float(data.get("distance") or DEFAULT_RADIUS_KM),
            open_at=timezone.now() if data.get("open_now") else None,
            age=data.get("age"),
            gender=data.get("gender") or None,
            population=data.get("population") or None,
            language=data.get("language") or None,
            cost=data.get("cost") or None,
            max_wait_days=data.get("max_wait"),
        )


class StaffCreateForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    username = forms.RegexField(
        label="User name",
        max_length=150,
        regex=r"^[A-Za-z0-9._-]+$",
        help_text="Letters, digits, dots, dashes. Used to sign in.",
        error_messages={"invalid": "Use only letters, digits, dots, dashes and underscores."},
        widget=forms.TextInput(attrs={"autocapitalize": "none"}),
    )
    email = forms.EmailField(label="Email (optional)", required=False)
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "role").choices = [(role.value, role.label) for role in roles]


class RoleAddForm(forms.Form):
    role = forms.ChoiceField(label="Add a role")

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "role").choices = [(role.value, role.label) for role in roles]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=80, help_text="What will use it, e.g. 'Reporting script' or 'Clinic tablet 2'."
    )
