"""Exports that carry client information out of cbtc: the accounting of disclosures and a client's record.

Every such file starts with the re-disclosure notice (after 42 CFR §2.32) and, for a disclosed record, a copy
of the consent it was disclosed under. Nothing identifying is added beyond what the access allows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import Any

from django.utils import timezone

from cbtc.clients.models import KEY_POPULATIONS, InformationCategory
from cbtc.clients.selectors import ClientRecord
from cbtc.consent.models import Consent, Disclosure

REDISCLOSURE_NOTICE = (
    "This information has been disclosed to you from confidential records of a drug treatment and care service, "
    "with the client's consent. You may use it only for the purpose stated in that consent. You may not disclose "
    "it further without the client's written consent, and you may not use it, or testimony describing it, in any "
    "civil, criminal, administrative or legislative proceedings against the client, or to initiate or "
    "substantiate criminal charges or any criminal investigation of the client. A general authorisation to "
    "release medical or other information does not permit further disclosure. (After 42 CFR part 2, §2.32.)"
)

ACCOUNTING_COLUMNS = [
    "disclosed_at_utc",
    "recipient_organisation",
    "recipient_staff_member",
    "information",
    "purpose",
    "channel",
    "consent_id",
    "disclosing_organisation",
    "handed_over_by",  # a progress report to a court: the staff member who handed it over
]


def _accounting_row(disclosure: Disclosure) -> dict[str, str]:
    labels = dict(InformationCategory.choices)
    return {
        "disclosed_at_utc": disclosure.occurred_at.astimezone(UTC).isoformat(timespec="seconds"),
        "recipient_organisation": disclosure.recipient_label,
        "recipient_staff_member": disclosure.recipient_staff_label,
        "information": "; ".join(labels.get(code, code) for code in disclosure.categories),
        "purpose": disclosure.purpose_label,
        "channel": disclosure.get_channel_display(),
        "consent_id": str(disclosure.consent_id),
        "disclosing_organisation": disclosure.disclosing_organisation.name,
        "handed_over_by": disclosure.handed_over_by_label,
    }


# Spreadsheet formula injection: a cell starting with one of these runs as a formula when the file is opened.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def accounting_csv(disclosures: Iterable[Disclosure], *, client_id: Any) -> Iterator[str]:
    """CSV lines: the notice and the client's opaque id as comment rows, then one row per disclosure."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow([f"# Accounting of disclosures for client {client_id}"])
    writer.writerow([f"# {REDISCLOSURE_NOTICE}"])
    writer.writerow(ACCOUNTING_COLUMNS)
    yield flush()
    for disclosure in disclosures:
        row = _accounting_row(disclosure)
        writer.writerow([inert_cell(value) for value in row.values()])
        yield flush()


def accounting_json(disclosures: Iterable[Disclosure], *, client_id: Any) -> dict[str, Any]:
    return {
        "notice": REDISCLOSURE_NOTICE,
        "client_id": str(client_id),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "disclosures": [_accounting_row(disclosure) for disclosure in disclosures],
    }


def consent_summary(consent: Consent) -> dict[str, Any]:
    """The elements of a consent to share, as travel with a disclosure (a copy of the consent)."""
    labels = dict(InformationCategory.choices)
    return {
        "consent_id": str(consent.pk),
        "disclosing_organisation": consent.organisation.name,
        "recipients": sorted(org.name for org in consent.recipients.all()),
        "information": [labels.get(code, code) for code in sorted(consent.category_set)],
        "purpose": consent.get_purpose_display(),
        "given_at": consent.given_at.isoformat(timespec="seconds"),
        "given_how": consent.get_method_display(),
        "ends_on": consent.expires_on.isoformat() if consent.expires_on else None,
        "ends_when": consent.get_expiry_event_display() or None,
        "revocable": "The client may withdraw this consent at any time, except for action already taken on it.",
    }


def client_record_export(record: ClientRecord, consents: list[Consent]) -> dict[str, Any]:
    """A client's record as the actor may see it, with the notice and the consents it is shared under."""
    client = record.client
    data: dict[str, Any] = {
        "notice": REDISCLOSURE_NOTICE,
        "client_id": str(client.pk),
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "registered_by_organisation": client.organisation.name,
        "information_included": sorted(record.access.categories),
    }
    if record.sees(InformationCategory.DEMOGRAPHICS):
        data["demographics"] = {
            "uic": client.uic,
            "uic_scheme": f"{client.uic_scheme} v{client.uic_scheme_version}",
            "uic_low_confidence": client.uic_low_confidence,
            "birth_year": client.birth_year,
            "birth_month": client.birth_month,
            "sex_at_birth": client.get_sex_at_birth_display(),
            "gender_identity": client.get_gender_identity_display(),
            "key_populations": [label for flag, label in KEY_POPULATIONS.items() if getattr(client, flag)],
            "main_substances": [substance.label for substance in record.substances],
        }
    if record.identity is not None:
        data["identifying_details"] = {key: value for key, value in vars(record.identity).items() if value}
    if not record.access.owner:
        data["shared_under_consents"] = [consent_summary(consent) for consent in consents]
    return data
