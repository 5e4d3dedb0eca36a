"""Level-of-care matching: hand-written cases, properties, and the rules file check. Pure: no database."""

import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbtc.network.models import PyramidLevel, ServiceType
from cbtc.screening.matching import (
    BUILTIN_RULES,
    PREFERENCES,
    MatchInput,
    RulesDefinitionError,
    builtin_rules,
    load_rules,
    placement_mismatch,
    recommend,
)
from cbtc.screening.matching.model import ASSIST_SUBSTANCES, DAST_BANDS, RISKS, WITHDRAWAL_RISKS

OAT = {ServiceType.METHADONE, ServiceType.BUPRENORPHINE}


def test_lower_risk_everywhere_gets_brief_advice_at_the_base():
    rec = recommend(MatchInput(assist=dict.fromkeys("abci", "lower"), audit_zone=1, dast10_band="none"))
    assert rec.level in {PyramidLevel.INFORMAL_COMMUNITY_CARE, PyramidLevel.PRIMARY_HEALTH_CARE}
    assert ServiceType.SCREENING_BRIEF_INTERVENTION in rec.services
    assert not rec.also_offer


def test_moderate_risk_gets_brief_intervention_and_outpatient_follow_up():
    rec = recommend(MatchInput(assist={"c": "moderate", "b": "lower"}))
    assert rec.level == PyramidLevel.PRIMARY_HEALTH_CARE
    assert rec.services[:2] == (ServiceType.SCREENING_BRIEF_INTERVENTION, ServiceType.OUTPATIENT_PSYCHOSOCIAL)


def test_high_opioid_risk_and_injecting_gets_oat_with_harm_reduction():
    rec = recommend(MatchInput(assist={"i": "high"}, injecting=True))  # ASSIST row i is opioids
    assert rec.level == PyramidLevel.SPECIALISED_DRUG_TREATMENT
    assert set(rec.services) >= OAT
    assert {ServiceType.NEEDLE_SYRINGE, ServiceType.NALOXONE, ServiceType.HIV_TESTING} <= set(rec.also_offer)


def test_high_stimulant_risk_does_not_get_oat():
    rec = recommend(MatchInput(assist={"e": "high"}))  # row e is amphetamine-type stimulants
    assert rec.level == PyramidLevel.SPECIALISED_DRUG_TREATMENT
    assert not OAT & set(rec.services)


def test_severe_withdrawal_gets_withdrawal_management():
    rec = recommend(MatchInput(assist={"b": "high"}, withdrawal_risk="severe"))
    assert rec.level == PyramidLevel.SPECIALISED_DRUG_TREATMENT
    assert rec.services[0] == ServiceType.WITHDRAWAL_MANAGEMENT
    assert rec.safety_floor == PyramidLevel.SPECIALISED_DRUG_TREATMENT


def test_adolescent_with_positive_crafft_gets_youth_services():
    rec = recommend(MatchInput(age=15, crafft_score=3))
    assert rec.level == PyramidLevel.PRIMARY_HEALTH_CARE
    assert ServiceType.FAMILY_SUPPORT in rec.services
    assert "adolescent-youth-services" in {reason.rule_id for reason in rec.reasons}
    assert {ServiceType.HIV_TESTING, ServiceType.HCV_TESTING} <= set(rec.also_offer)
    adult = recommend(MatchInput(age=30, crafft_score=3))
    assert ServiceType.FAMILY_SUPPORT not in adult.services


@pytest.mark.parametrize("withdrawal", ["none", "severe"])
def test_pregnant_with_opioid_use_gets_oat_first_never_withdrawal_only(withdrawal):
    rec = recommend(MatchInput(assist={"i": "moderate"}, pregnant=True, withdrawal_risk=withdrawal))
    assert rec.level >= PyramidLevel.SPECIALISED_DRUG_TREATMENT
    assert rec.services[0] in OAT
    assert set(rec.services) >= OAT
    # Even when she wants no treatment now, OAT is what stays recommended (and it is her choice).
    declined = recommend(MatchInput(assist={"i": "moderate"}, pregnant=True, preference="no_treatment_now"))
    assert declined.level == PyramidLevel.SPECIALISED_DRUG_TREATMENT
    assert set(declined.services) >= OAT
    assert "safety-floor" in {reason.rule_id for reason in declined.reasons}


def test_preference_for_less_care_is_honoured_and_the_rest_is_deferred():
    rec = recommend(MatchInput(assist={"d": "high"}, preference="harm_reduction_only"))
    assert rec.level == PyramidLevel.INFORMAL_COMMUNITY_CARE
    assert ServiceType.NEEDLE_SYRINGE in rec.services
    assert ServiceType.CASE_MANAGEMENT in rec.deferred
    assert "preference-harm_reduction_only" in {reason.rule_id for reason in rec.reasons}


def test_preference_for_more_care_never_raises_the_recommendation():
    rec = recommend(MatchInput(assist={"c": "moderate"}, preference="residential"))
    assert rec.level == PyramidLevel.PRIMARY_HEALTH_CARE
    assert "preference-residential" in {reason.rule_id for reason in rec.reasons}


def test_oat_preference_adds_oat_only_for_opioid_use():
    assert set(recommend(MatchInput(assist={"i": "moderate"}, preference="oat")).services) >= OAT
    assert not OAT & set(recommend(MatchInput(assist={"c": "moderate"}, preference="oat")).services)


def test_placement_mismatch_is_a_flag_not_an_error():
    rec = recommend(MatchInput(assist={"c": "moderate"}))
    mismatch = placement_mismatch(rec, PyramidLevel.LONG_TERM_RESIDENTIAL)
    assert mismatch is not None
    assert mismatch.placed == PyramidLevel.LONG_TERM_RESIDENTIAL
    assert "review" in mismatch.message
    assert placement_mismatch(rec, PyramidLevel.PRIMARY_HEALTH_CARE) is None
    assert placement_mismatch(rec, 99) is None


FORBIDDEN = re.compile(r"discharg|exclu|report|police|sanction|expel|expul|punish|detain|detention|compulsory", re.I)


def _all_texts(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from _all_texts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _all_texts(value)
    elif isinstance(data, str):
        yield data


def test_no_rule_punishes_use_or_ends_care():
    texts = list(_all_texts(json.loads(BUILTIN_RULES.read_text(encoding="utf-8"))))
    offending = [text for text in texts if FORBIDDEN.search(text) and "never" not in text.lower()]
    assert not offending
    # Nothing in the rules mentions relapse or continued use as a trigger: no fact exists for it.
    for rule in builtin_rules().rules:
        for condition in rule.when:
            assert all("relapse" not in test.fact and "use_continued" not in test.fact for test in condition)


def test_every_rule_has_reason_and_seed_citation():
    rules = builtin_rules()
    assert rules.version == 1
    assert {rule.id for rule in rules.rules if rule.safety_floor} == {
        "pregnancy-opioid-oat",
        "severe-withdrawal-management",
    }
    for rule in rules.rules:
        assert rule.reason and re.search(r"seed 00\d L\d+", rule.citation)


# ---- properties ---------------------------------------------------------------------------------------

FLAGS = ("audit_c_positive", "injecting", "pregnant", "mental_health_concern", "overdose_history", "housing_unstable")

inputs = st.builds(
    MatchInput,
    assist=st.dictionaries(st.sampled_from(ASSIST_SUBSTANCES), st.sampled_from(RISKS), max_size=10),
    audit_zone=st.none() | st.integers(1, 4),
    audit_c_positive=st.booleans(),
    dast10_band=st.none() | st.sampled_from(DAST_BANDS),
    crafft_score=st.none() | st.integers(0, 6),
    injecting=st.booleans(),
    pregnant=st.booleans(),
    age=st.none() | st.integers(10, 80),
    mental_health_concern=st.booleans(),
    withdrawal_risk=st.sampled_from(WITHDRAWAL_RISKS),
    overdose_history=st.booleans(),
    housing_unstable=st.booleans(),
    preference=st.none() | st.sampled_from(PREFERENCES),
)


def _raise_one(data, facts: MatchInput) -> MatchInput:
    """The same client with one risk raised by one step (or one flag switched on)."""
    choice = data.draw(st.sampled_from(["assist", "audit_zone", "dast10_band", "crafft_score", "withdrawal", "flag"]))
    if choice == "assist":
        letter = data.draw(st.sampled_from(ASSIST_SUBSTANCES))
        current = facts.assist.get(letter)
        higher = RISKS[0] if current is None else RISKS[min(RISKS.index(current) + 1, 2)]
        return dataclasses.replace(facts, assist={**facts.assist, letter: higher})
    if choice == "audit_zone":
        return dataclasses.replace(facts, audit_zone=min((facts.audit_zone or 0) + 1, 4))
    if choice == "dast10_band":
        index = -1 if facts.dast10_band is None else DAST_BANDS.index(facts.dast10_band)
        return dataclasses.replace(facts, dast10_band=DAST_BANDS[min(index + 1, 4)])
    if choice == "crafft_score":
        return dataclasses.replace(facts, crafft_score=min((facts.crafft_score or 0) + 1, 6))
    if choice == "withdrawal":
        index = WITHDRAWAL_RISKS.index(facts.withdrawal_risk)
        return dataclasses.replace(facts, withdrawal_risk=WITHDRAWAL_RISKS[min(index + 1, 2)])
    return dataclasses.replace(facts, **{data.draw(st.sampled_from(FLAGS)): True})


@settings(max_examples=300, deadline=None)
@given(inputs, st.data())
def test_more_risk_never_lowers_the_level(facts, data):
    before = recommend(facts)
    after = recommend(_raise_one(data, facts))
    assert after.level >= before.level
    assert after.safety_floor >= before.safety_floor


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_preference_never_goes_below_the_safety_floor(facts):
    rec = recommend(facts)
    assert rec.level >= rec.safety_floor
    without = recommend(dataclasses.replace(facts, preference=None))
    assert rec.level <= without.level  # a preference never raises the recommendation
    assert rec.safety_floor == without.safety_floor


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_every_recommendation_has_a_cited_reason_and_no_punitive_words(facts):
    rec = recommend(facts)
    assert rec.reasons
    assert all(reason.text and re.search(r"seed 00\d L\d+", reason.citation) for reason in rec.reasons)
    assert rec.services
    assert not set(rec.also_offer) & set(rec.services)
    for reason in rec.reasons:
        assert not FORBIDDEN.search(reason.text) or "never" in reason.text.lower()


@settings(max_examples=300, deadline=None)
@given(inputs, st.sampled_from(PyramidLevel.values))
def test_mismatch_is_flagged_iff_placed_more_intensive(facts, placed):
    rec = recommend(facts)
    mismatch = placement_mismatch(rec, placed)
    assert (mismatch is not None) == (placed > rec.level)


# ---- malformed rules files ---------------------------------------------------------------------------


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def _good():
    return json.loads(BUILTIN_RULES.read_text(encoding="utf-8"))


def _break(mutate):
    data = _good()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("{not json", "not valid JSON"),
        (_break(lambda d: d.pop("rules")), "field rules: is missing"),
        (_break(lambda d: d["rules"][2]["then"].update(min_level=9)), "field rules[2].then.min_level"),
        (_break(lambda d: d["rules"][2]["then"]["services"].append("rehab_camp")), "field rules[2].then.services[2]"),
        (_break(lambda d: d["rules"][2]["when"][0].update(shoe_size=True)), "field rules[2].when[0].shoe_size"),
        (_break(lambda d: d["rules"][5]["when"][0].update(pregnant=False)), "field rules[5].when[0].pregnant"),
        (
            _break(lambda d: d["rules"][3]["when"][0].update(assist_max_non_tobacco={"at_most": "high"})),
            "field rules[3].when[0].assist_max_non_tobacco",
        ),
        (_break(lambda d: d["rules"][12]["then"].update(min_level=4)), "field rules[12].then"),
        (_break(lambda d: d["rules"][1].update(citation="WHO manual")), "field rules[1].citation"),
        (_break(lambda d: d["rules"][1].update(id=d["rules"][0]["id"])), "field rules[1].id"),
        (_break(lambda d: d["rules"][1].update(reasn="typo")), "field rules[1].reasn"),
        (_break(lambda d: d["preferences"].pop("oat")), "field preferences.oat"),
    ],
)
def test_malformed_rules_name_file_and_field(tmp_path, data, field):
    path = _write(tmp_path, data)
    with pytest.raises(RulesDefinitionError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value)
    assert field in str(caught.value)


def test_builtin_rules_load_cleanly():
    assert load_rules(BUILTIN_RULES).rules == builtin_rules().rules
