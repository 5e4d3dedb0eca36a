"""The form of a progress report to a court (services/justice.py decides; this only collects)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from cbtc.care.episode_forms import ServiceErrors
from cbtc.care.models.justice import STATEMENT_MAX
from cbtc.care.services.justice import CourtReportInput
from cbtc.consent.models import Consent

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_INPUT, error_messages={"required": "Give the date."})


class CourtReportForm(ServiceErrors, forms.Form):
    consent = forms.ChoiceField(label="Court", error_messages={"required": "Choose the court the client named."})
    period_from = _date("From")
    period_to = _date("To")
    statement = forms.CharField(
        label="In the client's words, or agreed with them (optional)",
        required=False,
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How things are going, as the client wants it said. Never results, lapses or session notes.",
    )
    read_with_client = forms.BooleanField(
        label="I went through what this report says with the client, and they agree to it being handed over.",
        error_messages={"required": "Go through the report with the client before it is handed over."},
    )

    def __init__(self, *args: Any, consents: list[Consent], last_report_to: date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["consent"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared as one above
        field.choices = [(str(c.pk), c.external_recipient) for c in consents]
        if not self.is_bound:
            today = timezone.localdate()
            start = last_report_to + timedelta(days=1) if last_report_to else today - timedelta(days=30)
            self.initial.update(period_from=min(start, today), period_to=today)
            if len(consents) == 1:
                self.initial["consent"] = str(consents[0].pk)

    def to_input(self) -> CourtReportInput:
        data = self.cleaned_data
        return CourtReportInput(
            consent_id=data["consent"],
            period_from=data["period_from"],
            period_to=data["period_to"],
            statement=data["statement"],
            read_with_client=data["read_with_client"],
        )
