"""Every test vector and rule in the instruments notes (reference/notes/instruments-oat-uic-indicators.md
sections 1-2), run through the engine with the built-in definitions."""

from __future__ import annotations

import itertools

import pytest

from cbtc.screening.instruments import ScreeningError, available_instruments, get_instrument, load_wording

from .instrument_helpers import LETTERS, assist_answers, run

# ---- ASSIST v3.1 ---------------------------------------------------------------------------------------

TOP = {"q2": "daily", "q3": "daily", "q4": "daily", "q5": "daily", "q6": "past_3_months", "q7": "past_3_months"}


def test_all_five_instruments_load_with_their_wording():
    assert set(available_instruments()) >= {"assist", "audit", "audit-c", "dast-10", "crafft"}
    for instrument in available_instruments().values():
        assert load_wording(instrument)["instrument"] == instrument.code


def test_assist_point_values_per_question():
    # Q2 0/2/3/4/6, Q3 0/3/4/5/6, Q4 0/4/5/6/7 (not docplayer's 2/3/4), Q5 0/5/6/7/8, Q6/Q7 0/6/3.
    expected = {
        "q2": [0, 2, 3, 4, 6],
        "q3": [0, 3, 4, 5, 6],
        "q4": [0, 4, 5, 6, 7],
        "q5": [0, 5, 6, 7, 8],
    }
    frequencies = ["never", "once_or_twice", "monthly", "weekly", "daily"]
    for question, points in expected.items():
        for frequency, value in zip(frequencies[1:], points[1:], strict=True):
            row = {"q2": "once_or_twice", "q3": "never", "q4": "never", "q5": "never", "q6": "never", "q7": "never"}
            row[question] = frequency
            base = 2 if question != "q2" else 0
            assert run("assist", assist_answers({"c": row}, "never"))["substances"]["c"]["score"] == base + value
    for question in ("q6", "q7"):
        for answer, value in (("never", 0), ("past_3_months", 6), ("not_past_3_months", 3)):
            row = {"q2": "never", "q6": "never", "q7": "never", question: answer}
            assert run("assist", assist_answers({"d": row}, "never"))["substances"]["d"]["score"] == value


def test_assist_maximum_scores_are_31_for_tobacco_and_39_for_the_others():
    rows = {letter: dict(TOP) for letter in LETTERS}
    rows["a"].pop("q5")  # Q5 is never asked about tobacco
    result = run("assist", assist_answers(rows, "never"))["substances"]
    assert result["a"]["score"] == 31
    assert all(result[letter]["score"] == 39 for letter in LETTERS[1:])
    assert all(result[letter]["risk"] == "high" for letter in LETTERS)


def test_assist_q5_is_never_asked_about_tobacco():
    row = {**TOP, "q5": "weekly"}
    with pytest.raises(ScreeningError) as error:
        run("assist", assist_answers({"a": row}, "never"))
    assert error.value.field == "q5.a"


@pytest.mark.parametrize(
    ("letter", "score", "risk"),
    [
        ("b", 10, "lower"),
        ("b", 11, "moderate"),
        ("b", 26, "moderate"),
        ("b", 27, "high"),
        ("c", 3, "lower"),
        ("c", 4, "moderate"),
        ("c", 26, "moderate"),
        ("c", 27, "high"),
        ("a", 3, "lower"),
        ("a", 4, "moderate"),
    ],
)
def test_assist_band_edges(letter, score, risk):
    assert _assist_row_for(letter, score)["score"] == score
    assert _assist_row_for(letter, score)["risk"] == risk


def _assist_row_for(letter: str, target: int) -> dict[str, object]:
    """A row scoring exactly ``target``, found by search over the options (the bands need exact totals)."""
    freq = ["never", "once_or_twice", "monthly", "weekly", "daily"]
    hist = ["never", "past_3_months", "not_past_3_months"]
    for q2, q3, q4, q5, q6, q7 in itertools.product(freq[1:], freq, freq, freq, hist, hist):
        row = {"q2": q2, "q3": q3, "q4": q4, "q5": q5, "q6": q6, "q7": q7}
        if letter == "a":
            row.pop("q5")
        result = run("assist", assist_answers({letter: row}, "never"))["substances"][letter]
        if result["score"] == target:
            return result
    raise AssertionError(target)


def test_assist_interventions_per_band():
    lower = run("assist", assist_answers({"b": {"q2": "never", "q6": "never", "q7": "never"}}, "never"))
    assert lower["substances"]["b"]["intervention"] == "health_information"
    moderate = run(
        "assist",
        assist_answers(
            {"c": {"q2": "weekly", "q3": "never", "q4": "never", "q5": "never", "q6": "never", "q7": "never"}}, "never"
        ),
    )
    assert moderate["substances"]["c"] == {
        "ever_used": True,
        "score": 4,
        "risk": "moderate",
        "intervention": "brief_intervention",
    }
    high = run("assist", assist_answers({"i": dict(TOP)}, "past_3_months"))
    assert high["substances"]["i"]["intervention"] == "brief_intervention_and_referral"


def test_assist_substance_never_used_scores_zero_and_shows_not_used():
    result = run("assist", assist_answers({"b": {"q2": "never", "q6": "never", "q7": "never"}}, "never"))
    assert result["substances"]["c"] == {
        "ever_used": False,
        "score": 0,
        "risk": "lower",
        "intervention": "health_information",
    }
    assert set(result["substances"]) == set(LETTERS)


def test_assist_q2_never_skips_q3_to_q5_but_still_asks_q6_and_q7():
    answers = assist_answers({"i": {"q2": "never", "q6": "not_past_3_months", "q7": "past_3_months"}}, "never")
    assert run("assist", answers)["substances"]["i"]["score"] == 9
    with pytest.raises(ScreeningError) as error:
        run("assist", assist_answers({"i": {"q2": "never", "q3": "weekly", "q6": "never", "q7": "never"}}, "never"))
    assert error.value.field == "q3.i"
    with pytest.raises(ScreeningError) as error:
        run("assist", assist_answers({"i": {"q2": "never", "q7": "never"}}, "never"))
    assert error.value.field == "q6.i"


def test_assist_no_substance_ever_used_stops_the_interview():
    result = run("assist", assist_answers({}))
    assert all(row["score"] == 0 for row in result["substances"].values())
    assert result["injecting"] == {"asked": False, "answer": None, "days_per_month": None, "intervention": None}
    with pytest.raises(ScreeningError) as error:
        run("assist", assist_answers({}, "past_3_months"))
    assert error.value.field == "q8"


def test_assist_q1_and_q8_are_not_scored():
    row = {"q2": "never", "q6": "never", "q7": "never"}
    for q8 in ("never", "past_3_months", "not_past_3_months"):
        assert run("assist", assist_answers({"d": row}, q8))["substances"]["d"]["score"] == 0


@pytest.mark.parametrize(
    ("q8", "days", "intervention"),
    [
        ("never", None, "none"),
        ("not_past_3_months", None, "clinician_judgement"),
        ("past_3_months", None, "ask_injecting_pattern"),
        ("past_3_months", 1, "brief_intervention_injecting_risks"),
        ("past_3_months", 4, "brief_intervention_injecting_risks"),
        ("past_3_months", 4.5, "further_assessment_intensive_treatment"),
        ("past_3_months", 5, "further_assessment_intensive_treatment"),
        ("past_3_months", 30, "further_assessment_intensive_treatment"),
    ],
)
def test_assist_q8_injecting_rule(q8, days, intervention):
    extra = {} if days is None else {"q8_days_per_month": days}
    answers = assist_answers({"i": {"q2": "never", "q6": "never", "q7": "never"}}, q8, **extra)
    injecting = run("assist", answers)["injecting"]
    assert injecting == {"asked": True, "answer": q8, "days_per_month": days, "intervention": intervention}


def test_assist_days_only_go_with_injecting_in_the_past_3_months():
    answers = assist_answers({"i": {"q2": "never", "q6": "never", "q7": "never"}}, "never", q8_days_per_month=2)
    with pytest.raises(ScreeningError) as error:
        run("assist", answers)
    assert error.value.field == "q8_days_per_month"


# ---- AUDIT ---------------------------------------------------------------------------------------------

FREQ = ["never", "less_than_monthly", "monthly", "weekly", "daily"]


def audit(points: list[int]) -> dict[str, str]:
    q1 = ["never", "monthly_or_less", "two_to_four_a_month", "two_to_three_a_week", "four_or_more_a_week"]
    q2 = ["one_or_two", "three_or_four", "five_or_six", "seven_to_nine", "ten_or_more"]
    yes = {0: "no", 2: "yes_not_last_year", 4: "yes_last_year"}
    answers = {"q1": q1[points[0]], "q2": q2[points[1]], **{f"q{i}": FREQ[points[i - 1]] for i in range(3, 9)}}
    return {**answers, "q9": yes[points[8]], "q10": yes[points[9]]}


@pytest.mark.parametrize(
    ("points", "zone", "intervention"),
    [
        # No points on Q4-Q6, Q9, Q10 below 40, so the step-up rule does not fire.
        ([4, 3, 0, 0, 0, 0, 0, 0, 0, 0], "zone_1", "alcohol_education"),  # 7
        ([4, 4, 0, 0, 0, 0, 0, 0, 0, 0], "zone_2", "simple_advice"),  # 8
        ([4, 4, 4, 0, 0, 0, 3, 0, 0, 0], "zone_2", "simple_advice"),  # 15
        ([4, 4, 4, 0, 0, 0, 4, 0, 0, 0], "zone_3", "simple_advice_brief_counselling_monitoring"),  # 16
        ([4, 4, 4, 0, 0, 0, 4, 3, 0, 0], "zone_3", "simple_advice_brief_counselling_monitoring"),  # 19
        ([4, 4, 4, 0, 0, 0, 4, 4, 0, 0], "zone_4", "referral_specialist_evaluation"),  # 20
        ([4] * 10, "zone_4", "referral_specialist_evaluation"),  # 40
    ],
)
def test_audit_zones(points, zone, intervention):
    result = run("audit", audit(points))
    assert (result["score"], result["band"], result["intervention"]) == (sum(points), zone, intervention)
    assert result["max_score"] == 40


@pytest.mark.parametrize(
    ("points", "field"),
    [
        ([1, 1, 0, 2, 0, 0, 0, 0, 0, 0], "q4"),
        ([1, 1, 0, 0, 2, 0, 0, 0, 0, 0], "q5"),
        ([1, 1, 0, 0, 0, 2, 0, 0, 0, 0], "q6"),
        ([1, 0, 0, 0, 0, 0, 0, 0, 4, 0], "q9"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 4], "q10"),
    ],
)
def test_audit_who_step_up_rule_gives_the_next_level(points, field):
    answers = audit(points)
    if points[0] == 0:
        answers = {"q1": "never", "q9": answers["q9"], "q10": answers["q10"]}
    elif points[1] + points[2] == 0:
        answers = {key: answers[key] for key in ("q1", "q2", "q3", "q9", "q10")}
    result = run("audit", answers)
    assert result["band"] == "zone_1"
    assert result["stepped_up"] is True
    assert result["intervention"] == "simple_advice"


def test_audit_step_up_does_not_fire_below_its_thresholds_and_stops_at_zone_4():
    result = run("audit", audit([1, 1, 0, 1, 1, 1, 0, 0, 2, 2]))
    assert result["stepped_up"] is False
    top = run("audit", audit([4] * 8 + [4, 4]))
    assert (top["band"], top["stepped_up"], top["intervention"]) == ("zone_4", False, "referral_specialist_evaluation")


def test_audit_skip_rules():
    assert run("audit", {"q1": "never", "q9": "no", "q10": "no"})["score"] == 0
    with pytest.raises(ScreeningError) as error:
        run("audit", {"q1": "never", "q2": "three_or_four", "q9": "no", "q10": "no"})
    assert error.value.field == "q2"
    # Q2 + Q3 = 0: go to Q9 and Q10.
    assert (
        run("audit", {"q1": "monthly_or_less", "q2": "one_or_two", "q3": "never", "q9": "no", "q10": "no"})["score"]
        == 1
    )
    with pytest.raises(ScreeningError) as error:
        run(
            "audit",
            {"q1": "monthly_or_less", "q2": "one_or_two", "q3": "never", "q4": "weekly", "q9": "no", "q10": "no"},
        )
    assert error.value.field == "q4"


# ---- AUDIT-C -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q1", "q2", "q3", "cutoff", "positive"),
    [
        ("two_to_four_a_month", "one_or_two", "less_than_monthly", "women", True),  # 2 + 0 + 1 = 3
        ("two_to_four_a_month", "one_or_two", "less_than_monthly", "men", False),
        ("two_to_four_a_month", "three_or_four", "less_than_monthly", "men", True),  # 4
        ("monthly_or_less", "one_or_two", "less_than_monthly", "women", False),  # 2
    ],
)
def test_audit_c_cut_offs_by_group(q1, q2, q3, cutoff, positive):
    result = run("audit-c", {"q1": q1, "q2": q2, "q3": q3, "cutoff": cutoff})
    assert result["positive"] is positive
    assert result["positive_at"] == {"men": 4, "women": 3}[cutoff]
    assert result["intervention"] == ("brief_intervention_or_full_audit" if positive else "alcohol_education")
    assert result["max_score"] == 12


def test_audit_c_flags_points_from_q1_alone_and_needs_a_cut_off_group():
    result = run("audit-c", {"q1": "four_or_more_a_week", "q2": "one_or_two", "q3": "never", "cutoff": "men"})
    assert (result["score"], result["positive"], result["flags"]) == (4, True, ["points_from_q1_only"])
    with pytest.raises(ScreeningError) as error:
        run("audit-c", {"q1": "never"})
    assert error.value.field == "cutoff"


# ---- DAST-10 -------------------------------------------------------------------------------------------


def dast(yes: set[int]) -> dict[str, bool]:
    return {f"q{i}": i in yes for i in range(1, 11)}


def test_dast_item_3_is_reversed():
    assert run("dast-10", dast({3}))["score"] == 0  # always able to stop: no point
    assert run("dast-10", dast(set()))["score"] == 1  # not always able to stop: one point
    assert run("dast-10", dast(set(range(1, 11)) - {3}))["score"] == 10


@pytest.mark.parametrize(
    ("yes", "band", "intervention"),
    [
        ({3}, "none", "none_at_this_time"),
        ({1, 3}, "low", "monitor_reassess"),
        ({1, 2, 3}, "low", "monitor_reassess"),
        ({1, 2, 3, 4}, "moderate", "further_investigation"),
        ({1, 2, 4, 5}, "moderate", "further_investigation"),  # 4 yes + item 3 "no" = 5
        ({1, 2, 4, 5, 6}, "substantial", "intensive_assessment"),  # 6
        ({1, 2, 4, 5, 6, 7, 8}, "substantial", "intensive_assessment"),  # 8
        ({1, 2, 4, 5, 6, 7, 8, 9}, "severe", "intensive_assessment"),  # 9
    ],
)
def test_dast_bands(yes, band, intervention):
    result = run("dast-10", dast(yes))
    assert (result["band"], result["intervention"]) == (band, intervention)


# ---- CRAFFT 2.1 ----------------------------------------------------------------------------------------

PART_B = ["relax", "alone", "forget", "friends", "trouble"]


def test_crafft_no_use_asks_only_the_car_question():
    result = run("crafft", {"a1": 0, "a2": 0, "a3": 0, "car": False})
    assert (result["score"], result["band"], result["intervention"]) == (0, "none", "positive_reinforcement")
    with pytest.raises(ScreeningError) as error:
        run("crafft", {"a1": 0, "a2": 0, "a3": 0, "car": False, "relax": True})
    assert error.value.field == "relax"
    car = run("crafft", {"a1": 0, "a2": 0, "a3": 0, "car": True})
    assert (car["score"], car["positive"], car["flags"]) == (1, False, ["car_risk_counselling"])


def test_crafft_any_use_asks_all_six_and_is_positive_at_two():
    with pytest.raises(ScreeningError) as error:
        run("crafft", {"a1": 3, "a2": 0, "a3": 0, "car": False})
    assert error.value.field == "relax"
    answers = {"a1": 3, "a2": 0, "a3": 0, "car": False, **dict.fromkeys(PART_B, False)}
    assert run("crafft", answers)["positive"] is False
    one = run("crafft", {**answers, "relax": True})
    assert (one["score"], one["band"], one["intervention"], one["positive"]) == (1, "low", "brief_advice", False)
    two = run("crafft", {**answers, "relax": True, "car": True})
    assert (two["score"], two["positive"], two["intervention"]) == (
        2,
        True,
        "brief_intervention_and_further_assessment",
    )
    assert two["flags"] == ["car_risk_counselling", "any_use"]
    every = run("crafft", {**answers, "car": True, **dict.fromkeys(PART_B, True)})
    assert (every["score"], every["max_score"]) == (6, 6)


def test_crafft_day_counts_are_whole_numbers_of_days():
    for bad in (-1, 367, 2.5, True, "3"):
        with pytest.raises(ScreeningError) as error:
            run("crafft", {"a1": bad, "a2": 0, "a3": 0, "car": False})
        assert error.value.field == "a1"


def test_results_name_the_instrument_and_version_and_are_deterministic():
    answers = assist_answers({"c": dict(TOP)}, "never")
    first = run("assist", answers)
    assert (first["instrument"], first["version"], first["revision"]) == ("assist", "3.1", 1)
    assert run("assist", answers) == first
    assert get_instrument("audit").version == "2001"
