"""Loading level-of-care rules (JSON) and checking them, so a mistake names the file and the field at fault.

The built-in rules are src/cbtc/screening/definitions/level_of_care/rules-v1.json; the README beside them lists
every rule and explains the format.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from pathlib import Path

from cbtc.definitions import DefinitionReader
from cbtc.network.models import PyramidLevel, ServiceType

from .model import AGE, FACTS, FLAG, ORDINALS, PREFERENCES, Preference

BUILTIN_RULES = Path(__file__).resolve().parent.parent / "definitions" / "level_of_care" / "rules-v1.json"

_ID = re.compile(r"[a-z][a-z0-9-]{0,59}")
_CITATION = re.compile(r"seed 00\d L\d+")  # every citation names at least one seed line
_TOP_FIELDS = {"code", "version", "description", "rules", "preferences"}
_RULE_FIELDS = {"id", "when", "then", "reason", "citation"}
_RULE_OPTIONAL = {"safety_floor"}
_THEN_FIELDS = {"min_level", "services", "also_offer"}
_PREFERENCE_FIELDS = {"cap_level", "services", "reason", "citation"}
_PREFERENCE_OPTIONAL = {"services_when"}
_TEST_OPERATORS = {"at_least", "at_most"}


class RulesDefinitionError(ValueError):
    """A level-of-care rules file that cannot be used; the message names the file and the field."""


@dataclasses.dataclass(frozen=True)
class Test:
    """One test of one fact: a flag is true, an ordinal is at least a value, or an age is at most/at least."""

    fact: str
    operator: str  # "is_true", "at_least" or "at_most"
    value: object = None


Condition = tuple[Test, ...]  # every test must hold


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    when: tuple[Condition, ...]  # any one condition is enough; an empty condition always holds
    min_level: PyramidLevel | None
    services: tuple[ServiceType, ...]
    also_offer: tuple[ServiceType, ...]
    safety_floor: bool
    reason: str
    citation: str


@dataclasses.dataclass(frozen=True)
class PreferenceRule:
    preference: Preference
    cap_level: PyramidLevel | None  # None: the preference never lowers the level
    services: tuple[ServiceType, ...]
    services_when: tuple[Condition, ...]  # empty: always add the services
    reason: str
    citation: str


@dataclasses.dataclass(frozen=True)
class RuleSet:
    code: str
    version: int
    rules: tuple[Rule, ...]
    preferences: Mapping[str, PreferenceRule]


class _Reader(DefinitionReader):
    kind = "Level-of-care rules"
    error = RulesDefinitionError

    def level(self, value: object, where: str) -> PyramidLevel:
        if isinstance(value, bool) or not isinstance(value, int) or value not in PyramidLevel.values:
            self.fail(where, "must be a pyramid level from 1 to 7")
        return PyramidLevel(value)

    def services(self, value: object, where: str) -> tuple[ServiceType, ...]:
        result: list[ServiceType] = []
        for index, item in enumerate(self.items(value, where, empty=True)):
            if not isinstance(item, str) or item not in ServiceType.values:
                self.fail(f"{where}[{index}]", f"{item!r} is not a service type ({', '.join(ServiceType.values)})")
            result.append(ServiceType(item))
        if len(set(result)) != len(result):
            self.fail(where, "lists a service type twice")
        return tuple(result)

    def test(self, fact: str, raw: object, where: str) -> Test:
        if fact not in FACTS:
            self.fail(where, f"{fact!r} is not a known fact ({', '.join(FACTS)})")
        kind = FACTS[fact]
        if kind == FLAG:
            if raw is not True:
                self.fail(where, "a flag can only be tested for true (more risk must never mean less care)")
            return Test(fact, "is_true")
        test = self.mapping(raw, where)
        if len(test) != 1 or not test.keys() <= _TEST_OPERATORS:
            self.fail(where, 'must be {"at_least": value}' + (' or {"at_most": value}' if kind == AGE else ""))
        ((operator, value),) = test.items()
        if kind == AGE:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:  # noqa: PLR2004
                self.fail(f"{where}.{operator}", "must be a whole number of years from 0 to 130")
            return Test(fact, operator, value)
        if operator != "at_least":
            self.fail(where, '"at_most" would let more risk mean less care; use "at_least"')
        if value not in ORDINALS[kind] or isinstance(value, bool):
            self.fail(f"{where}.at_least", f"must be one of {', '.join(map(str, ORDINALS[kind]))}")
        return Test(fact, operator, value)

    def when(self, value: object, where: str) -> tuple[Condition, ...]:
        conditions = []
        for index, raw in enumerate(self.items(value, where)):
            data = self.mapping(raw, f"{where}[{index}]")
            conditions.append(tuple(self.test(fact, test, f"{where}[{index}].{fact}") for fact, test in data.items()))
        return tuple(conditions)


def _read_rule(reader: _Reader, raw: object, where: str) -> Rule:
    data = reader.mapping(raw, where)
    reader.fields(data, where, _RULE_FIELDS, _RULE_OPTIONAL)
    then = reader.mapping(data["then"], f"{where}.then")
    reader.fields(then, f"{where}.then", set(), _THEN_FIELDS)
    min_level = reader.level(then["min_level"], f"{where}.then.min_level") if "min_level" in then else None
    services = reader.services(then.get("services", []), f"{where}.then.services")
    also_offer = reader.services(then.get("also_offer", []), f"{where}.then.also_offer")
    if also_offer and (min_level is not None or services):
        reader.fail(f"{where}.then", "a rule with also_offer must not set min_level or services (it never raises care)")
    if not also_offer and min_level is None:
        reader.fail(f"{where}.then", "needs min_level (with services) or also_offer")
    safety_floor = data.get("safety_floor", False)
    if not isinstance(safety_floor, bool):
        reader.fail(f"{where}.safety_floor", "must be true or false")
    if safety_floor and min_level is None:
        reader.fail(f"{where}.safety_floor", "only a rule with min_level can be a safety floor")
    return Rule(
        id=reader.text(data["id"], f"{where}.id", pattern=_ID),
        when=reader.when(data["when"], f"{where}.when"),
        min_level=min_level,
        services=services,
        also_offer=also_offer,
        safety_floor=safety_floor,
        reason=reader.text(data["reason"], f"{where}.reason"),
        citation=_citation(reader, data["citation"], f"{where}.citation"),
    )


def _citation(reader: _Reader, value: object, where: str) -> str:
    text = reader.text(value, where)
    if not _CITATION.search(text):
        reader.fail(where, 'must cite at least one seed line, e.g. "seed 001 L1050-L1051"')
    return text


def _read_preference(reader: _Reader, name: Preference, raw: object, where: str) -> PreferenceRule:
    data = reader.mapping(raw, where)
    reader.fields(data, where, _PREFERENCE_FIELDS, _PREFERENCE_OPTIONAL)
    cap = data["cap_level"]
    return PreferenceRule(
        preference=name,
        cap_level=None if cap is None else reader.level(cap, f"{where}.cap_level"),
        services=reader.services(data["services"], f"{where}.services"),
        services_when=reader.when(data["services_when"], f"{where}.services_when") if "services_when" in data else (),
        reason=reader.text(data["reason"], f"{where}.reason"),
        citation=_citation(reader, data["citation"], f"{where}.citation"),
    )


def load_rules(path: Path) -> RuleSet:
    """Read and check one rules file; RulesDefinitionError names the file and field of the first problem."""
    reader = _Reader(path)
    data = reader.load()
    reader.fields(data, "", _TOP_FIELDS, set())
    code = reader.text(data["code"], "code", pattern=_ID)
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        reader.fail("version", "must be a whole number from 1")
    reader.text(data["description"], "description")
    rules = tuple(_read_rule(reader, raw, f"rules[{i}]") for i, raw in enumerate(reader.items(data["rules"], "rules")))
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.id in seen:
            reader.fail(f"rules[{index}].id", f"{rule.id!r} is used twice")
        seen.add(rule.id)
    raw_preferences = reader.mapping(data["preferences"], "preferences")
    for name in PREFERENCES:
        if name not in raw_preferences:
            reader.fail(f"preferences.{name}", "is missing (every preference needs its recorded reason)")
    for key in raw_preferences:
        if key not in PREFERENCES:
            reader.fail(f"preferences.{key}", f"is not a known preference ({', '.join(PREFERENCES)})")
    preferences: dict[str, PreferenceRule] = {
        name: _read_preference(reader, name, raw_preferences[name], f"preferences.{name}") for name in PREFERENCES
    }
    return RuleSet(code=code, version=version, rules=rules, preferences=preferences)


@functools.cache
def builtin_rules() -> RuleSet:
    """The rules shipped with the platform (rules-v1.json), read once."""
    return load_rules(BUILTIN_RULES)
