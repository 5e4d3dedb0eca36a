"""Input and output shapes of the clients API. Outputs are explicit: no model is dumped whole.

Identifying values (names, codes, answers to the code questions) only ever travel in request and response
bodies, never in paths or query strings: those end up in server logs and browser histories.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import AwareDatetime, StringConstraints

from cbtc.clients.models import GenderIdentity, MergeReason, SexAtBirth

PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"  # no control characters
# Identifying details may hold a line break (an address); other control characters are refused.
DETAIL_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SCHEME_CODE = r"^[a-z0-9][a-z0-9-]{0,39}$"
QUESTION_KEY = r"^[a-z][a-z0-9_]{0,39}$"
SUBSTANCE_CODE = r"^[-a-z0-9_]{1,40}$"

AnswerKey = Annotated[str, StringConstraints(pattern=QUESTION_KEY)]
AnswerText = Annotated[str, StringConstraints(max_length=100, pattern=PLAIN_TEXT)]
SubstanceCode = Annotated[str, StringConstraints(pattern=SUBSTANCE_CODE)]
UicAnswers = Annotated[
    dict[AnswerKey, AnswerText | int | None],
    Field(
        max_length=20,
        description="Answers to the questions of the scheme (GET /uic/schemes), by question key. Dates as "
        'YYYY-MM-DD. Leave a question out, or send null or "", when the client does not know the answer.',
    ),
]


class KeyPopulation(StrEnum):
    """Key-population flags (cbtc.clients.models.KEY_POPULATIONS without the ``kp_`` prefix)."""

    INJECTS_DRUGS = "injects_drugs"
    SEX_WORKER = "sex_worker"
    MSM = "msm"
    TRANSGENDER = "transgender"
    IN_PRISON = "in_prison"


# ---- errors --------------------------------------------------------------------------------------------


class ErrorFieldOut(Schema):
    field: str | None
    reason: str


class ErrorBodyOut(Schema):
    message: str
    fields: list[ErrorFieldOut] | None = None


class ErrorOut(Schema):
    error: ErrorBodyOut


# ---- shared pieces -------------------------------------------------------------------------------------


class OrganisationRefOut(Schema):
    id: UUID
    name: str


class SubstanceOut(Schema):
    code: str
    label: str


class IdentityIn(Schema):
    """Identifying details, all optional: an outreach worker may know no more than a nickname."""

    given_name: str | None = Field(None, max_length=100, pattern=DETAIL_TEXT)
    family_name: str | None = Field(None, max_length=100, pattern=DETAIL_TEXT)
    nickname: str | None = Field(None, max_length=60, pattern=DETAIL_TEXT)
    alias: str | None = Field(None, max_length=100, pattern=DETAIL_TEXT)
    phone: str | None = Field(None, max_length=40, pattern=DETAIL_TEXT)
    address: str | None = Field(None, max_length=300, pattern=DETAIL_TEXT)
    national_id: str | None = Field(None, max_length=60, pattern=DETAIL_TEXT)


class IdentityOut(Schema):
    given_name: str
    family_name: str
    nickname: str
    alias: str
    phone: str
    address: str
    national_id: str


# ---- UIC -----------------------------------------------------------------------------------------------


class UicBuildIn(Schema):
    scheme: str | None = Field(None, pattern=SCHEME_CODE, description="Scheme code; the active scheme if left out.")
    answers: UicAnswers


class UicOut(Schema):
    code: str
    scheme: str
    version: int
    low_confidence: bool = Field(description="Some part of the code stands in for an answer the client did not know.")


class UicQuestionOut(Schema):
    key: str
    label: str
    kind: str = Field(description="name, number, date or choice")
    help: str
    required: bool
    choices: list[str]


class UicSchemeOut(Schema):
    code: str
    version: int
    name: str
    description: str
    length: int
    check_character: bool
    active: bool = Field(description="The scheme new clients get.")
    questions: list[UicQuestionOut]


class UicSchemeListOut(Schema):
    schemes: list[UicSchemeOut]


# ---- duplicates ----------------------------------------------------------------------------------------


class UicInput(Schema):
    """A UIC as typed from a card (``uic``) or as answers to the scheme's questions (``uic_answers``)."""

    uic: str | None = Field(None, max_length=60, pattern=PLAIN_TEXT, description="A code typed from a card.")
    uic_scheme: str | None = Field(
        None, pattern=SCHEME_CODE, description="Scheme of the code or answers; the active scheme if left out."
    )
    uic_answers: UicAnswers | None = None


class DuplicateCheckIn(UicInput):
    birth_year: int | None = Field(None, ge=0, le=9999)
    sex_at_birth: SexAtBirth = SexAtBirth.NOT_STATED


class CandidateOut(Schema):
    id: UUID
    uic: str
    score: int = Field(description="0-100; 100 for the same code.")
    exact: bool


class DuplicateCheckOut(Schema):
    candidates: list[CandidateOut]
    known_elsewhere: bool = Field(
        description="A likely match exists that you may not see: the person may be known at another service."
    )


class DuplicateErrorBodyOut(Schema):
    message: str
    candidates: list[CandidateOut]
    known_elsewhere: bool


class DuplicateErrorOut(Schema):
    error: DuplicateErrorBodyOut


# ---- register, read, update ----------------------------------------------------------------------------


class ClientRegisterIn(UicInput):
    id: UUID | None = Field(
        None, description="A UUID chosen by the device, so an offline retry of the same registration is safe."
    )
    organisation_id: UUID | None = Field(
        None, description="Needed only when you may register clients for more than one organisation."
    )
    birth_year: int | None = Field(None, ge=0, le=9999)
    birth_month: int | None = Field(None, ge=0, le=99)
    sex_at_birth: SexAtBirth = SexAtBirth.NOT_STATED
    gender_identity: GenderIdentity = GenderIdentity.NOT_STATED
    key_populations: list[KeyPopulation] = Field(default_factory=list, max_length=len(KeyPopulation))
    substances: list[SubstanceCode] = Field(default_factory=list, max_length=20)
    identity: IdentityIn | None = None
    confirmed_new_person: bool = Field(
        False, description="Set after checking the possible matches of a 409 answer: this is a different person."
    )


class ClientUpdateIn(Schema):
    """Only the fields sent change. In ``identity`` likewise; send "" or null to clear a detail."""

    birth_year: int | None = Field(None, ge=0, le=9999)
    birth_month: int | None = Field(None, ge=0, le=99)
    sex_at_birth: SexAtBirth | None = None
    gender_identity: GenderIdentity | None = None
    key_populations: list[KeyPopulation] | None = Field(None, max_length=len(KeyPopulation))
    substances: list[SubstanceCode] | None = Field(None, max_length=20)
    identity: IdentityIn | None = None


class ConsentRefOut(Schema):
    id: UUID
    purpose: str
    categories: list[str]


class SharedByOut(Schema):
    organisation: OrganisationRefOut
    consents: list[ConsentRefOut]


class AccessOut(Schema):
    owner: bool = Field(description="Your organisation registered this client.")
    categories: list[str] = Field(description="The information categories you may see.")
    shared_by: SharedByOut | None = Field(None, description="For a record shared with you: who shares it, and why.")


class ClientOut(Schema):
    """A client as the caller may see them: what the access does not cover is null."""

    id: UUID
    organisation: OrganisationRefOut
    registered_at: datetime
    merged_into_id: UUID | None
    access: AccessOut
    uic: str | None
    uic_scheme: str | None
    uic_scheme_version: int | None
    uic_low_confidence: bool | None
    birth_year: int | None
    birth_month: int | None
    sex_at_birth: str | None
    gender_identity: str | None
    key_populations: list[str] | None
    substances: list[SubstanceOut] | None
    display_name: str | None
    identity: IdentityOut | None


# ---- search --------------------------------------------------------------------------------------------


class ClientSearchIn(Schema):
    text: str | None = Field(
        None, max_length=100, pattern=PLAIN_TEXT, description="Whole name words (any name field), or a national ID."
    )
    uic: str | None = Field(None, max_length=60, pattern=PLAIN_TEXT)
    shared_only: bool = Field(False, description="Only records other organisations share with yours.")
    page: int = Field(1, ge=1, le=400)


class ClientRowOut(Schema):
    id: UUID
    uic: str | None
    display_name: str | None
    birth_year: int | None
    sex_at_birth: str | None
    registered_at: datetime
    owner: bool
    organisation: OrganisationRefOut


class ClientSearchOut(Schema):
    results: list[ClientRowOut]
    page: int
    has_next: bool


# ---- timeline and merges -------------------------------------------------------------------------------


class TimelineQuery(Schema):
    before_at: AwareDatetime | None = Field(None, description="occurred_at of the last entry already shown.")
    before_id: int | None = Field(None, ge=1, description="id of the last entry already shown.")


class TimelineEntryOut(Schema):
    id: int
    kind: str
    category: str
    summary: str
    occurred_at: datetime
    organisation: OrganisationRefOut


class TimelineCursorOut(Schema):
    # A string with microseconds: a JSON datetime is cut to milliseconds, and the cursor must be exact.
    before_at: str
    before_id: int


class TimelineOut(Schema):
    entries: list[TimelineEntryOut]
    next: TimelineCursorOut | None = Field(description="Query parameters for the next page; null on the last.")


class MergeIn(Schema):
    duplicate_id: UUID = Field(description="The record that is merged into the one in the path.")
    reason: MergeReason = Field(description="Why these records are the same person (a closed list: no free text).")


class MergeOut(Schema):
    id: UUID
    survivor_id: UUID
    merged_id: UUID
    merged_at: datetime
    reason: str
    undone_at: datetime | None
