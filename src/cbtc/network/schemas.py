"""Input and output shapes of the network API. Outputs are explicit: no model is dumped whole."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema

from cbtc.network.models import OrganisationType, PyramidLevel, ServiceType

AREA_CODE = r"^[-a-zA-Z0-9_]+$"
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL in text)


class DirectoryQuery(Schema):
    type: ServiceType | None = Field(None, description="Service type code, e.g. 'methadone'.")
    level: PyramidLevel | None = Field(None, description="Pyramid level 1 (informal community care) to 7.")
    region: str | None = Field(
        None, max_length=40, pattern=AREA_CODE, description="Admin-area code; includes the areas inside it."
    )
    org_type: OrganisationType | None = Field(None, description="Organisation type code.")
    q: str | None = Field(
        None, max_length=100, pattern=PLAIN_TEXT, description="Text in the service or organisation name."
    )
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class OrganisationQuery(Schema):
    region: str | None = Field(
        None, max_length=40, pattern=AREA_CODE, description="Admin-area code; includes the areas inside it."
    )
    org_type: OrganisationType | None = Field(None, description="Organisation type code.")
    q: str | None = Field(None, max_length=100, pattern=PLAIN_TEXT, description="Text in the organisation name.")
    limit: int = Field(25, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class MembershipOut(Schema):
    organisation_id: UUID
    organisation_name: str
    role: str
    role_label: str


class MeOut(Schema):
    id: UUID
    username: str
    display_name: str
    roles: list[MembershipOut]
    permissions: list[str]


class AdminAreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class OrganisationSummaryOut(Schema):
    id: UUID
    name: str
    type: str
    type_label: str


class OrganisationOut(OrganisationSummaryOut):
    short_name: str
    description: str
    website: str
    phone: str
    email: str
    region: AdminAreaOut


class SiteOut(Schema):
    id: UUID
    name: str
    address: str
    region: AdminAreaOut
    latitude: float | None
    longitude: float | None
    time_zone: str


class OpeningHoursOut(Schema):
    weekday: int
    opens_at: str
    closes_at: str


class ServiceOut(Schema):
    id: UUID
    name: str
    type: str
    type_label: str
    pyramid_level: int
    pyramid_level_label: str
    organisation: OrganisationSummaryOut
    site: SiteOut
    delivery_mode: str
    capacity: int | None
    waiting_time_days: int | None
    waiting_time_updated_at: datetime | None
    min_age: int | None
    max_age: int | None
    gender: str
    self_referral: bool
    cost: str
    cost_note: str
    wheelchair_accessible: bool
    accessibility_note: str


class ServiceDetailOut(ServiceOut):
    description: str
    eligibility_note: str
    populations: list[str]
    languages: list[str]
    opening_hours: list[OpeningHoursOut]


class Page(Schema):
    count: int
    limit: int
    offset: int


class ServicePage(Page):
    results: list[ServiceOut]


class OrganisationPage(Page):
    results: list[OrganisationOut]
