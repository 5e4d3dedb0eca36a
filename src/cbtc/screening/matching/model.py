"""The plain data of level-of-care matching: what goes in, what comes out, and the facts rules can test."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

from cbtc.network.models import PyramidLevel, ServiceType

Risk = Literal["lower", "moderate", "high"]
WithdrawalRisk = Literal["none", "mild", "severe"]
DastBand = Literal["none", "low", "moderate", "substantial", "severe"]
Preference = Literal["no_treatment_now", "harm_reduction_only", "outpatient", "oat", "residential"]

# Ordered from least to most risk: a rule's {"at_least": value} compares positions in these tuples.
RISKS: tuple[Risk, ...] = ("lower", "moderate", "high")
WITHDRAWAL_RISKS: tuple[WithdrawalRisk, ...] = ("none", "mild", "severe")
DAST_BANDS: tuple[DastBand, ...] = ("none", "low", "moderate", "substantial", "severe")
AUDIT_ZONES: tuple[int, ...] = (1, 2, 3, 4)
PREFERENCES: tuple[Preference, ...] = ("no_treatment_now", "harm_reduction_only", "outpatient", "oat", "residential")

# ASSIST v3.1 rows (notes/instruments-oat-uic-indicators.md §1.1): a tobacco, b alcohol, c cannabis, d cocaine,
# e amphetamine-type stimulants, f inhalants, g sedatives, h hallucinogens, i opioids, j other.
ASSIST_SUBSTANCES = tuple("abcdefghij")
TOBACCO = "a"
OPIOIDS = "i"
CRAFFT_POSITIVE_AT = 2  # CRAFFT 2.1 Part B score >= 2 is a positive screen (notes §2.4)

# Every fact a rule may test, and its kind. "flag" facts can only be tested for true, and ordinal facts only with
# "at_least", so more risk can never fire fewer rules: that is what keeps the recommendation monotone.
FLAG = "flag"
RISK = "risk"
WITHDRAWAL = "withdrawal"
DAST = "dast_band"
ZONE = "audit_zone"
AGE = "age"
FACTS: dict[str, str] = {
    "assist_max_non_tobacco": RISK,
    **{f"assist.{letter}": RISK for letter in ASSIST_SUBSTANCES},
    "audit_zone": ZONE,
    "audit_c_positive": FLAG,
    "dast10_band": DAST,
    "crafft_positive": FLAG,
    "injecting": FLAG,
    "pregnant": FLAG,
    "age": AGE,
    "mental_health_concern": FLAG,
    "withdrawal_risk": WITHDRAWAL,
    "overdose_history": FLAG,
    "housing_unstable": FLAG,
}
ORDINALS: dict[str, tuple[object, ...]] = {
    RISK: RISKS,
    WITHDRAWAL: WITHDRAWAL_RISKS,
    DAST: DAST_BANDS,
    ZONE: AUDIT_ZONES,
}


@dataclasses.dataclass(frozen=True)
class MatchInput:
    """The latest screening results and context of one client, in a form that does not depend on the instrument engine.

    assist: ASSIST v3.1 risk per substance row a-j that was scored ("lower" / "moderate" / "high"); rows not used or
    not asked are left out. audit_zone: AUDIT zone 1-4. audit_c_positive: AUDIT-C above the sex-specific cut-off.
    dast10_band: DAST-10 degree of problems. crafft_score: CRAFFT 2.1 Part B score 0-6. None means "not screened".
    injecting: injected drugs in the past 3 months (ASSIST Q8). withdrawal_risk: the clinician's judgement of the
    withdrawal the client is likely to have on stopping. preference: what the client wants now (see PREFERENCES);
    None means not stated.
    """

    assist: Mapping[str, Risk] = dataclasses.field(default_factory=dict)
    audit_zone: int | None = None
    audit_c_positive: bool = False
    dast10_band: DastBand | None = None
    crafft_score: int | None = None
    injecting: bool = False
    pregnant: bool = False
    age: int | None = None
    mental_health_concern: bool = False
    withdrawal_risk: WithdrawalRisk = "none"
    overdose_history: bool = False
    housing_unstable: bool = False
    preference: Preference | None = None

    def __post_init__(self) -> None:
        for letter, risk in self.assist.items():
            if letter not in ASSIST_SUBSTANCES:
                raise ValueError(f"assist: {letter!r} is not an ASSIST substance row (a-j)")
            if risk not in RISKS:
                raise ValueError(f"assist.{letter}: {risk!r} is not one of {', '.join(RISKS)}")
        if self.audit_zone is not None and self.audit_zone not in AUDIT_ZONES:
            raise ValueError("audit_zone: must be 1, 2, 3 or 4")
        if self.dast10_band is not None and self.dast10_band not in DAST_BANDS:
            raise ValueError(f"dast10_band: must be one of {', '.join(DAST_BANDS)}")
        if self.crafft_score is not None and not 0 <= self.crafft_score <= 6:  # noqa: PLR2004 - CRAFFT range
            raise ValueError("crafft_score: must be from 0 to 6")
        if self.age is not None and not 0 <= self.age <= 130:  # noqa: PLR2004 - plausible age
            raise ValueError("age: must be from 0 to 130")
        if self.withdrawal_risk not in WITHDRAWAL_RISKS:
            raise ValueError(f"withdrawal_risk: must be one of {', '.join(WITHDRAWAL_RISKS)}")
        if self.preference is not None and self.preference not in PREFERENCES:
            raise ValueError(f"preference: must be one of {', '.join(PREFERENCES)}")

    def fact(self, name: str) -> object:
        """The value of one fact in FACTS; None when the instrument behind it was not used."""
        if name.startswith("assist."):
            return self.assist.get(name.removeprefix("assist."))
        if name == "assist_max_non_tobacco":
            risks = [RISKS.index(risk) for letter, risk in self.assist.items() if letter != TOBACCO]
            return RISKS[max(risks)] if risks else None
        if name == "crafft_positive":
            return self.crafft_score is not None and self.crafft_score >= CRAFFT_POSITIVE_AT
        if name not in FACTS:
            raise KeyError(name)
        value: object = getattr(self, name)
        return value


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why part of a recommendation is there: the rule, plain words for the counsellor and client, and the source."""

    rule_id: str
    text: str
    citation: str


@dataclasses.dataclass(frozen=True)
class Recommendation:
    """The least intensive pyramid level that fits, the services to offer there, and every reason.

    services: in order of priority. also_offer: harm reduction and health checks offered alongside, which never
    raise the level. deferred: services the rules point to that the client does not want now; they stay on offer.
    """

    level: PyramidLevel
    services: tuple[ServiceType, ...]
    also_offer: tuple[ServiceType, ...]
    deferred: tuple[ServiceType, ...]
    reasons: tuple[Reason, ...]
    rules_version: int
    safety_floor: PyramidLevel


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """A placement more intensive than recommended: shown for review, never a block on the clinician."""

    recommended: PyramidLevel
    placed: PyramidLevel
    message: str
    reasons: tuple[Reason, ...]
