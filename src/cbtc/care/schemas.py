"""Input and output shapes of the care API (outreach contacts so far)."""

from __future__ import annotations

from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from cbtc.care.models import ContactPlace, NaloxoneGivenBy, OverdoseOutcome, SupplyItem, TallyDimension
from cbtc.care.models.outreach import MAX_PEOPLE, MAX_QUANTITY
from cbtc.clients.schemas import ErrorOut

__all__ = ["ContactIn", "ContactListOut", "ContactOut", "ErrorOut"]


class SupplyIn(Schema):
    item: SupplyItem
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    pre_test_counselling: bool = False
    post_test_counselling: bool = False


class OverdoseIn(Schema):
    naloxone_given_by: NaloxoneGivenBy
    naloxone_doses: int = Field(0, ge=0, le=10)
    outcome: OverdoseOutcome


class TallyIn(Schema):
    dimension: TallyDimension
    value: str = Field(max_length=20, pattern=r"^[a-z0-9_]+$")
    count: int = Field(ge=0, le=MAX_PEOPLE)


class ContactIn(Schema):
    organisation_id: UUID = Field(description="The organisation recording it (yours).")
    place: ContactPlace
    contact_at: AwareDatetime | None = Field(None, description="Default: now. At most 30 days ago.")
    service_id: UUID | None = None
    area_id: UUID | None = Field(None, description="A province or district (admin area id); never an address.")
    client_id: UUID | None = Field(None, description="A client of your organisation; leave out for a tally.")
    people_count: int = Field(1, ge=1, le=MAX_PEOPLE)
    tally: list[TallyIn] = Field(default_factory=list, max_length=20)
    supplies: list[SupplyIn] = Field(default_factory=list, max_length=len(SupplyItem))
    overdoses: list[OverdoseIn] = Field(default_factory=list, max_length=10)
    brief_advice: bool = False
    accompanied_to_id: UUID | None = Field(None, description="A service the client was taken to.")


class ContactOut(Schema):
    id: UUID
    organisation_id: UUID
    contact_at: AwareDatetime
    place: ContactPlace
    area_id: UUID | None
    client_id: UUID | None
    people_count: int
    tally: list[TallyIn]
    supplies: list[SupplyIn]
    overdoses: list[OverdoseIn]
    brief_advice: bool
    accompanied_to_id: UUID | None


class ContactListOut(Schema):
    contacts: list[ContactOut]
    page: int
    pages: int
