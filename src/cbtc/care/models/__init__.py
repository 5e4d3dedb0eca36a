"""The care pathway (issue 6): outreach contacts and episodes of care so far; care plans, sessions and outcomes
follow."""

from .checkins import CheckInMethod, CheckInOutcome, RecoveryCheckIn
from .clinical import ClinicalEvent, ClinicalEventKind, TestResult
from .episodes import (
    DischargeReason,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Modality,
    ReferralSource,
)
from .incidents import Incident, IncidentKind
from .justice import CourtReport
from .outcomes import OutcomeProfile, Stage, SubstanceDays, UseSubstance
from .outreach import (
    AGE_BANDS,
    KEY_POPULATIONS,
    SEXES,
    ContactPlace,
    NaloxoneGivenBy,
    OutreachContact,
    OverdoseEvent,
    OverdoseOutcome,
    SupplyGiven,
    SupplyItem,
    TallyCount,
    TallyDimension,
)
from .plans import Action, CarePlan, Domain, Goal, GoalKind, GoalStatus, Responsible
from .populations import Pregnancy, ReleasePlan
from .sessions import Session, SessionKind

__all__ = [
    "AGE_BANDS",
    "KEY_POPULATIONS",
    "SEXES",
    "Action",
    "CarePlan",
    "CheckInMethod",
    "CheckInOutcome",
    "ClinicalEvent",
    "ClinicalEventKind",
    "ContactPlace",
    "CourtReport",
    "DischargeReason",
    "Domain",
    "Episode",
    "EpisodeStatus",
    "EpisodeStatusChange",
    "Goal",
    "GoalKind",
    "GoalStatus",
    "Incident",
    "IncidentKind",
    "Modality",
    "NaloxoneGivenBy",
    "OutcomeProfile",
    "OutreachContact",
    "OverdoseEvent",
    "OverdoseOutcome",
    "Pregnancy",
    "RecoveryCheckIn",
    "ReferralSource",
    "ReleasePlan",
    "Responsible",
    "Session",
    "SessionKind",
    "Stage",
    "SubstanceDays",
    "SupplyGiven",
    "SupplyItem",
    "TallyCount",
    "TallyDimension",
    "TestResult",
    "UseSubstance",
]
