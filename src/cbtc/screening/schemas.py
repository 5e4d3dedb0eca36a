"""Input and output shapes of the screening API. The answers themselves are checked by the engine, which
knows each instrument's items; the shapes here document what comes back (docs/scoring-contract.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime

from cbtc.clients.schemas import ErrorOut, OrganisationRefOut
from cbtc.consent.schemas import StaffRefOut
from cbtc.network.models import ServiceType
from cbtc.screening.matching.model import Preference, WithdrawalRisk
from cbtc.screening.models import (
    MAX_MINUTES,
    MIN_MINUTES,
    SELF_COMPLETION_NOTE,
    Administration,
    BriefInterventionKind,
    PlacementReviewOutcome,
    TakeHomeMaterial,
)

__all__ = [
    "AnswersIn",
    "AssessmentIn",
    "AssessmentListOut",
    "AssessmentOut",
    "AssistScoreOut",
    "BriefInterventionIn",
    "BriefInterventionListOut",
    "BriefInterventionOut",
    "ContextIn",
    "ErrorOut",
    "InstrumentListOut",
    "PlacementReviewIn",
    "PlacementReviewListOut",
    "PlacementReviewOut",
    "RecommendationIn",
    "RecommendationListOut",
    "RecommendationOut",
    "ScoreOut",
    "SumScoreOut",
]

AnswersIn = Annotated[
    dict[str, Any],
    Field(
        description="The answers, by item key, in the instrument's format (docs/scoring-contract.md). "
        "Never identifying data.",
        max_length=20,
    ),
]


class InstrumentOut(Schema):
    code: str
    version: str
    revision: int
    name: str
    engine: Literal["sum", "assist"]
    source: str
    licence: str
    items: list[str]


class InstrumentListOut(Schema):
    instruments: list[InstrumentOut]


class _Head(Schema):
    instrument: str
    version: str
    revision: int


class AssistSubstanceOut(Schema):
    ever_used: bool
    score: int
    risk: Literal["lower", "moderate", "high"]
    intervention: str


class InjectingOut(Schema):
    asked: bool
    answer: Literal["never", "past_3_months", "not_past_3_months"] | None
    days_per_month: int | float | None
    intervention: str | None


class AssistScoreOut(_Head):
    substances: dict[str, AssistSubstanceOut]
    injecting: InjectingOut


class SumScoreOut(_Head):
    score: int
    max_score: int
    band: str | None
    intervention: str
    stepped_up: bool
    positive: bool | None
    positive_at: int | None
    cutoff: str | None
    flags: list[str]


ScoreOut = AssistScoreOut | SumScoreOut


# ---- assessments and brief interventions on a client ---------------------------------------------------


class AssessmentIn(Schema):
    instrument: str = Field(max_length=40, description="The instrument's code, e.g. assist (GET /instruments).")
    answers: AnswersIn
    administration: Administration = Field(
        description="Who completed the form: a trained interviewer, or the client. " + SELF_COMPLETION_NOTE
    )
    performed_at: AwareDatetime | None = Field(None, description="When it was done (default: now).")


class AssessmentOut(Schema):
    id: UUID
    client_id: UUID
    organisation: OrganisationRefOut
    performed_by: StaffRefOut
    performed_at: AwareDatetime
    recorded_at: AwareDatetime
    instrument: str
    instrument_version: str
    definition_revision: int
    administration: Administration
    administration_validated: bool = Field(
        description="False when the instrument is not validated for the way it was administered "
        "(a self-completed ASSIST)."
    )
    answers: dict[str, Any]
    result: dict[str, Any] = Field(description="The result as scored at the time; never recomputed.")


class AssessmentListOut(Schema):
    assessments: list[AssessmentOut]


class BriefInterventionIn(Schema):
    kind: BriefInterventionKind
    minutes: int = Field(ge=MIN_MINUTES, le=MAX_MINUTES, description="Minutes spent; typically 5-30.")
    assessment_id: UUID | None = Field(None, description="The assessment it follows; required for assist_linked.")
    take_home_material: bool = False
    material_kind: TakeHomeMaterial | None = Field(None, description="Required with take-home material.")
    follow_up_offered: bool = False
    follow_up_on: date | None = Field(None, description="The follow-up scheduled: today or later.")
    given_at: AwareDatetime | None = Field(None, description="When it was given (default: now).")


class BriefInterventionOut(Schema):
    id: UUID
    client_id: UUID
    organisation: OrganisationRefOut
    given_by: StaffRefOut
    given_at: AwareDatetime
    recorded_at: AwareDatetime
    kind: BriefInterventionKind
    minutes: int
    assessment_id: UUID | None
    take_home_material: bool
    material_kind: TakeHomeMaterial | None
    follow_up_offered: bool
    follow_up_on: date | None


class BriefInterventionListOut(Schema):
    brief_interventions: list[BriefInterventionOut]


# ---- level-of-care recommendations and placement reviews ---------------------------------------------------


class ContextIn(Schema):
    """What the screening does not say. Every field is optional; left out means no / not stated."""

    injecting: bool = Field(False, description="Injected drugs in the past 3 months.")
    pregnant: bool = False
    mental_health_concern: bool = False
    overdose_history: bool = False
    housing_unstable: bool = False
    withdrawal_risk: WithdrawalRisk = Field("none", description="The clinician's judgement of withdrawal on stopping.")
    preference: Preference | None = Field(None, description="What the client wants now.")


class RecommendationIn(Schema):
    assessment_id: UUID = Field(
        description="The result the recommendation starts from; the latest result of every other instrument in "
        "the year before it is taken into account too."
    )
    context: ContextIn | None = Field(None, description="Left out: nothing beyond the results.")


class ReasonOut(Schema):
    rule: str
    text: str
    citation: str


class BasedOnOut(Schema):
    id: UUID
    instrument: str
    performed_at: AwareDatetime


class RecommendationOut(Schema):
    id: UUID
    client_id: UUID
    organisation: OrganisationRefOut
    made_by: StaffRefOut
    made_at: AwareDatetime
    assessment_id: UUID
    based_on: list[BasedOnOut]
    context: dict[str, Any]
    age: int | None = Field(description="About how old the client was, from the birth year.")
    level: int = Field(ge=1, le=7, description="The least intensive level of the service pyramid that fits.")
    safety_floor: int = Field(ge=1, le=7, description="The level the client's preference cannot lower it below.")
    services: list[ServiceType]
    also_offer: list[ServiceType]
    deferred: list[ServiceType] = Field(description="Services the client does not want now; still on offer.")
    reasons: list[ReasonOut]
    rules_version: int


class RecommendationListOut(Schema):
    recommendations: list[RecommendationOut]


class PlacementReviewOut(Schema):
    id: UUID
    client_id: UUID
    recommendation_id: UUID
    service_id: UUID
    placed_by_object_type: str
    placed_by_object_id: UUID | None
    recommended_level: int
    placed_level: int
    flagged_at: AwareDatetime
    outcome: PlacementReviewOutcome | None
    reviewed_at: AwareDatetime | None


class PlacementReviewListOut(Schema):
    placement_reviews: list[PlacementReviewOut]


class PlacementReviewIn(Schema):
    outcome: PlacementReviewOutcome
