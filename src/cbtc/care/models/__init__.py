"""The care pathway (issue 6). Outreach contacts first; episodes, care plans, sessions and outcomes follow."""

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
    "ContactPlace",
    "NaloxoneGivenBy",
    "OutreachContact",
    "OverdoseEvent",
    "OverdoseOutcome",
    "SupplyGiven",
    "SupplyItem",
    "TallyCount",
    "TallyDimension",
]
