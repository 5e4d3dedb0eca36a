"""From a client's frozen screening results to the matching engine's input, and back to plain data for storage.

Business rules only, no database: the selectors pick the assessments (the latest of each instrument, see
selectors.latest_results_for), the services store what comes out.

"The latest results" means: the result being looked at, plus the latest result of every other instrument
scored in the RESULTS_WINDOW before it. An AUDIT from last month still tells something about the client's
drinking when today's ASSIST is about opioids; one from three years ago does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from cbtc.screening.matching import MatchInput, Recommendation
from cbtc.screening.matching.model import PREFERENCES, WITHDRAWAL_RISKS
from cbtc.screening.models import Assessment

RESULTS_WINDOW = timedelta(days=365)
MIN_AGE, MAX_AGE = 0, 130

# What the counsellor adds to the results (ContextForm, the API's "context"). Flags are true/false;
# withdrawal_risk and preference are codes from matching.model.
CONTEXT_FLAGS = ("injecting", "pregnant", "mental_health_concern", "overdose_history", "housing_unstable")


class ContextError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def clean_context(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The context in its stored form, every key present. Unknown keys and impossible values raise ContextError."""
    unknown = sorted(set(raw) - {*CONTEXT_FLAGS, "withdrawal_risk", "preference"})
    if unknown:
        raise ContextError(f"context.{unknown[0]}", "This is not something the recommendation takes into account.")
    context: dict[str, Any] = {}
    for flag in CONTEXT_FLAGS:
        value = raw.get(flag, False)
        if not isinstance(value, bool):
            raise ContextError(f"context.{flag}", "Give true or false.")
        context[flag] = value
    withdrawal = raw.get("withdrawal_risk") or "none"
    if withdrawal not in WITHDRAWAL_RISKS:
        raise ContextError("context.withdrawal_risk", f"Give one of: {', '.join(WITHDRAWAL_RISKS)}.")
    preference = raw.get("preference") or None
    if preference is not None and preference not in PREFERENCES:
        raise ContextError("context.preference", f"Give one of: {', '.join(PREFERENCES)}, or leave it out.")
    context["withdrawal_risk"] = withdrawal
    context["preference"] = preference
    return context


def injecting_in_result(assessment: Assessment) -> bool:
    """ASSIST Q8: injected in the past 3 months."""
    injecting = assessment.result.get("injecting") if assessment.instrument == "assist" else None
    return isinstance(injecting, dict) and injecting.get("answer") == "past_3_months"


def results_facts(assessments: Iterable[Assessment]) -> dict[str, Any]:
    """The matching facts the given results support, one instrument each (the caller passes the latest)."""
    facts: dict[str, Any] = {}
    for assessment in assessments:
        result = assessment.result
        if assessment.instrument == "assist":
            facts["assist"] = {
                letter: row["risk"] for letter, row in result.get("substances", {}).items() if row.get("ever_used")
            }
        elif assessment.instrument == "audit" and str(result.get("band", "")).startswith("zone_"):
            facts["audit_zone"] = int(str(result["band"]).removeprefix("zone_"))
        elif assessment.instrument == "audit-c":
            facts["audit_c_positive"] = bool(result.get("positive"))
        elif assessment.instrument == "dast-10":
            facts["dast10_band"] = result.get("band")
        elif assessment.instrument == "crafft":
            facts["crafft_score"] = result.get("score")
    return facts


def match_input(assessments: Iterable[Assessment], context: Mapping[str, Any], age: int | None) -> MatchInput:
    """The latest results and the counsellor's context, as the matching engine reads them."""
    clean = clean_context(context)
    return MatchInput(
        **results_facts(assessments),
        injecting=clean["injecting"],
        pregnant=clean["pregnant"],
        age=age if age is not None and MIN_AGE <= age <= MAX_AGE else None,
        mental_health_concern=clean["mental_health_concern"],
        withdrawal_risk=clean["withdrawal_risk"],
        overdose_history=clean["overdose_history"],
        housing_unstable=clean["housing_unstable"],
        preference=clean["preference"],
    )


def recommendation_as_data(recommendation: Recommendation) -> dict[str, Any]:
    """The recommendation as stored and as the API answers it: codes, levels and reasons."""
    return {
        "level": int(recommendation.level),
        "safety_floor": int(recommendation.safety_floor),
        "services": [service.value for service in recommendation.services],
        "also_offer": [service.value for service in recommendation.also_offer],
        "deferred": [service.value for service in recommendation.deferred],
        "reasons": [
            {"rule": reason.rule_id, "text": reason.text, "citation": reason.citation}
            for reason in recommendation.reasons
        ],
        "rules_version": recommendation.rules_version,
    }


def age_from_birth_year(birth_year: int | None, today_year: int) -> int | None:
    """About how old the client is, from the birth year alone (the month is often unknown)."""
    if not birth_year:
        return None
    age = today_year - int(birth_year)
    return age if MIN_AGE <= age <= MAX_AGE else None
