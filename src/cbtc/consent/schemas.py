"""Input and output shapes of the consent API. Outputs are explicit: no model is dumped whole.

Purposes are the closed list of cbtc.consent.models.Purpose: the schema's enum has exactly those values, so
a purpose such as law enforcement is refused before any code runs.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from cbtc.clients.models import InformationCategory
from cbtc.clients.schemas import OrganisationRefOut
from cbtc.consent.models import ConsentKind, ConsentMethod, ExpiryEvent, GuardianRelationship, Purpose

PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"  # no control characters


class ConsentIn(Schema):
    kind: ConsentKind
    method: ConsentMethod = Field(description="How the client gave the consent.")
    given_at: AwareDatetime = Field(description="When the client gave it (with a UTC offset); at most 30 days ago.")
    witnessed_by: UUID = Field(description="Id of the staff member of the organisation who witnessed it.")
    recipients: list[UUID] = Field(
        default_factory=list, max_length=50, description="Consent to share: the organisations that may receive it."
    )
    categories: list[InformationCategory] = Field(
        default_factory=list, max_length=20, description="Consent to share: the information that may be shared."
    )
    purpose: Purpose | None = Field(None, description="Consent to share: what the information may be used for.")
    ethics_approval_reference: str = Field("", max_length=100, pattern=PLAIN_TEXT)
    expires_on: date | None = Field(None, description="Consent to share: the last day it is in force.")
    expiry_event: ExpiryEvent | None = Field(None, description="Consent to share: the event that ends it.")
    guardian_relationship: GuardianRelationship | None = Field(
        None, description="Who gave a parent's or guardian's consent, for a client who may be a minor."
    )
    client_states_adult: bool = Field(
        False, description="The birth year is not recorded and the client says they are of age."
    )
    external_recipient: str = Field(
        "",
        max_length=200,
        pattern=PLAIN_TEXT,
        description="Consent to court reports: the court or probation office, as the client named it.",
    )


class ConsentRevokeIn(Schema):
    method: ConsentMethod = Field(description="How the client withdrew the consent.")


class StaffRefOut(Schema):
    id: UUID
    name: str


class ConsentOut(Schema):
    id: UUID
    kind: str
    organisation: OrganisationRefOut
    recipients: list[OrganisationRefOut]
    categories: list[str]
    purpose: str | None
    external_recipient: str | None
    ethics_approval_reference: str
    expires_on: date | None
    expiry_event: str | None
    expiry_event_at: datetime | None
    method: str
    given_at: datetime
    recorded_at: datetime
    form_version: str
    age_basis: str | None  # null for a recipient: it would tell the client's age
    guardian_relationship: str | None
    revoked_at: datetime | None
    revocation_method: str | None
    in_force: bool
    # Staff of the recording organisation: shown to that organisation only.
    witnessed_by: StaffRefOut | None
    recorded_by: StaffRefOut | None


class ConsentListOut(Schema):
    consents: list[ConsentOut]


class DisclosureQuery(Schema):
    since: date | None = Field(None, description="Start of the period; at most three years back (the default).")
    before_id: int | None = Field(None, ge=1, description="next_before_id of the previous page.")


class DisclosureOut(Schema):
    id: int
    occurred_at: datetime
    disclosing_organisation: OrganisationRefOut
    recipient_organisation: OrganisationRefOut | None = Field(
        description="Who received it inside the network; null for a progress report handed to a court."
    )
    recipient_outside_network: str | None = Field(
        description="The court or probation office a progress report was handed to (consent to court reports)."
    )
    recipient_staff_member: str
    handed_over_by: str | None = Field(description="A progress report to a court: the staff member who handed it over.")
    categories: list[str]
    purpose: str = Field(description="Empty for a progress report to a court: that consent has no purpose list.")
    channel: str
    consent_id: UUID


class AccountingOut(Schema):
    notice: str = Field(description="The re-disclosure notice that goes with every disclosure.")
    client_id: UUID
    disclosures: list[DisclosureOut]
    next_before_id: int | None


class ExportDemographicsOut(Schema):
    uic: str
    uic_scheme: str
    uic_low_confidence: bool
    birth_year: int | None
    birth_month: int | None
    sex_at_birth: str
    gender_identity: str
    key_populations: list[str]
    main_substances: list[str]


class ConsentSummaryOut(Schema):
    consent_id: UUID
    disclosing_organisation: str
    recipients: list[str]
    information: list[str]
    purpose: str
    given_at: str
    given_how: str
    ends_on: str | None
    ends_when: str | None
    revocable: str


class ClientExportOut(Schema):
    notice: str
    client_id: UUID
    exported_at: str
    registered_by_organisation: str
    information_included: list[str]
    demographics: ExportDemographicsOut | None = None
    identifying_details: dict[str, str] | None = None
    shared_under_consents: list[ConsentSummaryOut] | None = None
