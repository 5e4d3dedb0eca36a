"""The care pathway (issue 6): outreach contacts and episodes of care so far; care plans, sessions and outcomes
follow."""

from .clinical import ClinicalEvent, ClinicalEventKind, TestResult
from .episodes import (
    DischargeReason,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Modality,
    ReferralSource,
)
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

__all__ = [
    "AGE_BANDS",
    "KEY_POPULATIONS",
    "SEXES",
    "ClinicalEvent",
    "ClinicalEventKind",
    "ContactPlace",
    "DischargeReason",
    "Episode",
    "EpisodeStatus",
    "EpisodeStatusChange",
    "Modality",
    "NaloxoneGivenBy",
    "OutreachContact",
    "OverdoseEvent",
    "OverdoseOutcome",
    "ReferralSource",
    "SupplyGiven",
    "SupplyItem",
    "TallyCount",
    "TallyDimension",
    "TestResult",
]
