from __future__ import annotations

from typing import Any

from django import forms

from cbtc.network.models import AdminArea, OrganisationType, PyramidLevel, ServiceType
from cbtc.network.roles import Role
from cbtc.network.selectors import DirectoryFilters


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

    def __init__(self, *args: Any, regions: list[AdminArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._regions = {area.code: area for area in regions}
        indent = {"country": "", "province": "— ", "district": "—— "}
        _choice_field(self, "region").choices = [("", "Anywhere")] + [
            (area.code, f"{indent.get(area.level, '')}{area.name}") for area in regions
        ]

    def filters(self) -> DirectoryFilters:
        data = self.cleaned_data
        return DirectoryFilters(
            service_type=data.get("type") or None,
            pyramid_level=data.get("level"),
            region=self._regions.get(data.get("region") or ""),
            organisation_type=data.get("org_type") or None,
            text=(data.get("q") or "").strip() or None,
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
