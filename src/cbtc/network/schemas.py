"""Input and output shapes of the network API. Outputs are explicit: no model is dumped whole."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema

from cbtc.network.models import CostType, Gender, OrganisationType, PyramidLevel, ServiceType

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
    near: UUID | None = Field(
        None, description="Id of a site on the map: results come nearest first, each with distance_km."
    )
    distance: float | None = Field(None, gt=0, le=100, description="With near: radius in km (default 25).")
    open_now: bool = Field(False, description="Only services open now, in each site's own time zone.")
    age: int | None = Field(None, ge=0, le=120, description="The person's age: within the service's age limits.")
    gender: Gender | None = Field(
        None, description="The person's gender: services for everyone and for that gender ('any': no filter)."
    )
    population: str | None = Field(
        None,
        max_length=40,
        pattern=AREA_CODE,
        description="Population code: services that list it, and services that list none (they serve everyone).",
    )
    language: str | None = Field(
        None, max_length=12, pattern=AREA_CODE, description="Language code (BCP 47): services that list it."
    )
    cost: CostType | None = Field(None, description="Cost type, e.g. 'free'.")
    max_wait: int | None = Field(
        None, ge=0, le=365, description="Longest waiting time in days; services that do not report one are left out."
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
    distance_km: float | None = Field(None, description="From the 'near' site, when the search was by distance.")


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
