"""Applying level-of-care rules to one client's results: pure functions, no database."""

from __future__ import annotations

from cbtc.network.models import PyramidLevel, ServiceType

from .model import FACTS, ORDINALS, MatchInput, Mismatch, Reason, Recommendation
from .rules import Condition, Rule, RuleSet, Test, builtin_rules

SAFETY_FLOOR_REASON = (
    "The client's wish for less intensive care is recorded and respected as their choice. The recommendation "
    "stays at the safety floor because of the risk above; the client can still decide, and care stays open to them."
)


def _holds(test: Test, facts: MatchInput) -> bool:
    value = facts.fact(test.fact)
    if test.operator == "is_true":
        return value is True
    if value is None:
        return False
    if test.fact == "age":
        assert isinstance(value, int) and isinstance(test.value, int)  # noqa: S101 - checked on load
        return value <= test.value if test.operator == "at_most" else value >= test.value
    order = ORDINALS[FACTS[test.fact]]
    return order.index(value) >= order.index(test.value)


def _matches(when: tuple[Condition, ...], facts: MatchInput) -> bool:
    return any(all(_holds(test, facts) for test in condition) for condition in when)


def _add(target: list[ServiceType], services: tuple[ServiceType, ...]) -> None:
    target.extend(service for service in services if service not in target)


def recommend(facts: MatchInput, rules: RuleSet | None = None) -> Recommendation:
    """The least intensive pyramid level that satisfies every fired rule, honouring the client's preference above
    the safety floor, with the services, the extra offers and a reason for each part."""
    rules = rules if rules is not None else builtin_rules()
    fired = [rule for rule in rules.rules if _matches(rule.when, facts)]
    level_rules: list[Rule] = [rule for rule in fired if rule.min_level is not None]
    level = max((int(rule.min_level) for rule in level_rules if rule.min_level is not None), default=1)
    floor = max((int(rule.min_level) for rule in level_rules if rule.safety_floor and rule.min_level), default=1)

    preference = rules.preferences.get(facts.preference) if facts.preference else None
    final = level
    if preference is not None and preference.cap_level is not None and preference.cap_level < level:
        final = max(int(preference.cap_level), floor)

    # Safety-floor rules first, then the most intensive need, then file order.
    ordered = sorted(level_rules, key=lambda rule: (not rule.safety_floor, -int(rule.min_level or 1)))
    services: list[ServiceType] = []
    deferred: list[ServiceType] = []
    for rule in ordered:
        kept = rule.safety_floor or int(rule.min_level or 1) <= final
        _add(services if kept else deferred, rule.services)
    reasons = [Reason(rule.id, rule.reason, rule.citation) for rule in ordered]
    if preference is not None:
        if not preference.services_when or _matches(preference.services_when, facts):
            _add(services, preference.services)
        reasons.append(Reason(f"preference-{preference.preference}", preference.reason, preference.citation))
        if final > (preference.cap_level or final):
            floor_citations = "; ".join(rule.citation for rule in level_rules if rule.safety_floor)
            reasons.append(Reason("safety-floor", SAFETY_FLOOR_REASON, floor_citations))

    also_offer: list[ServiceType] = []
    for rule in fired:
        if rule.also_offer:
            _add(also_offer, tuple(service for service in rule.also_offer if service not in services))
            reasons.append(Reason(rule.id, rule.reason, rule.citation))
    return Recommendation(
        level=PyramidLevel(final),
        services=tuple(services),
        also_offer=tuple(also_offer),
        deferred=tuple(service for service in deferred if service not in services),
        reasons=tuple(reasons),
        rules_version=rules.version,
        safety_floor=PyramidLevel(floor),
    )


def placement_mismatch(recommendation: Recommendation, placed_level: int) -> Mismatch | None:
    """A flag for review when a client is placed in a more intensive level than recommended; None otherwise.

    It never raises and never blocks: the clinician may have reasons the screening does not show.
    """
    if placed_level not in PyramidLevel.values or placed_level <= recommendation.level:
        return None
    placed = PyramidLevel(placed_level)
    message = (
        f"Placed at level {int(placed)} ({placed.label}), more intensive than the recommended level "
        f"{int(recommendation.level)} ({recommendation.level.label}). Please review: care that is more intensive "
        "than needed can lower outcomes (seed 001 L4528-L4531). The placement stands until someone changes it."
    )
    return Mismatch(recommended=recommendation.level, placed=placed, message=message, reasons=recommendation.reasons)
