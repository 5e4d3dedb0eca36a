"""Input and output shapes of the referral API."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from cbtc.clients.models import InformationCategory
from cbtc.clients.schemas import DETAIL_TEXT, ErrorOut, OrganisationRefOut
from cbtc.referrals.models import NOTE_MAX, CompletionOutcome, DeclineReason, ReferralReason, ReferralState, Urgency

__all__ = ["ErrorOut", "FiguresOut", "ReferralIn", "ReferralListOut", "ReferralOut", "ReferralStepIn"]


class ReferralIn(Schema):
    sending_service_id: UUID = Field(description="One of your organisation's services.")
    receiving_service_id: UUID = Field(description="Any open service in the directory.")
    reason: ReferralReason
    urgency: Urgency = Urgency.ROUTINE
    note: str = Field(
        "",
        max_length=NOTE_MAX,
        pattern=DETAIL_TEXT,
        description="Practical things only: never names or contact details.",
    )
    shared_categories: list[InformationCategory] = Field(
        default_factory=list, description="Empty: an anonymous referral. Otherwise consent_id is required."
    )
    consent_id: UUID | None = Field(
        None, description="A consent to share in force naming the receiving organisation, for care coordination."
    )
    appointment_at: AwareDatetime | None = None
    booked_with_client_present: bool = False
    accompaniment_requested: bool = False
    accompanied_by_id: UUID | None = Field(None, description="A member of your organisation's staff.")
    draft: bool = Field(False, description="Save without sending.")


class ServiceRefOut(Schema):
    id: UUID
    name: str
    organisation: OrganisationRefOut


class ReferralEventOut(Schema):
    state: ReferralState
    organisation_id: UUID | None
    occurred_at: AwareDatetime


class ReferralOut(Schema):
    id: UUID
    code: str = Field(description="The code the client carries to the receiving service.")
    client_id: UUID | None = Field(description="Only for the referring service.")
    sending_service: ServiceRefOut
    receiving_service: ServiceRefOut
    reason: ReferralReason
    urgency: Urgency
    note: str
    shared_categories: list[str]
    anonymous: bool
    state: ReferralState
    overdue: bool
    due_at: AwareDatetime | None
    appointment_at: AwareDatetime | None
    booked_with_client_present: bool
    accompaniment_requested: bool
    decline_reason: DeclineReason | None
    suggested_service_id: UUID | None
    completion_outcome: CompletionOutcome | None
    created_at: AwareDatetime
    sent_at: AwareDatetime | None
    answered_at: AwareDatetime | None
    attended_at: AwareDatetime | None
    closed_at: AwareDatetime | None
    history: list[ReferralEventOut] = Field(default_factory=list)


class ReferralListOut(Schema):
    referrals: list[ReferralOut]
    page: int
    pages: int


class ReferralStepIn(Schema):
    state: Literal["sent", "accepted", "declined", "attended", "no_show", "completed", "cancelled"]
    appointment_at: AwareDatetime | None = Field(None, description="With accepted.")
    decline_reason: DeclineReason | None = Field(None, description="Required with declined.")
    suggested_service_id: UUID | None = Field(None, description="With declined: another service to try.")
    completion_outcome: CompletionOutcome | None = Field(None, description="Required with completed.")


class FiguresRowOut(Schema):
    total: int
    accepted: int
    declined: int
    attended: int
    completed: int
    median_days_to_attendance: float | None


class ServiceFiguresOut(Schema):
    service: ServiceRefOut
    sent: FiguresRowOut
    received: FiguresRowOut


class FiguresOut(Schema):
    since: AwareDatetime
    until: AwareDatetime
    services: list[ServiceFiguresOut]
