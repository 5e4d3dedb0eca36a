"""The scoring contract (docs/scoring-contract.md): `cbtc score` and POST /api/v1/instruments/<code>/score
give the same JSON; refused answers exit 2 / answer 422 with the field, and never a score."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import call_command
from django.test import Client

from cbtc.network.roles import ROLE_SPECS, Permission, Role
from tests.conftest import bearer

from .instrument_helpers import assist_answers, run

ASSIST = assist_answers(
    {
        "a": {"q2": "daily", "q3": "daily", "q4": "never", "q6": "past_3_months", "q7": "never"},
        "b": {"q2": "weekly", "q3": "monthly", "q4": "monthly", "q5": "never", "q6": "never", "q7": "never"},
        "i": {"q2": "never", "q6": "not_past_3_months", "q7": "past_3_months"},
    },
    "past_3_months",
    q8_days_per_month=6,
)


def _cli(instrument: str, answers: object, tmp_path, capsys) -> tuple[int, str, str]:
    path = tmp_path / "answers.json"
    path.write_text(answers if isinstance(answers, str) else json.dumps(answers))
    try:
        call_command("score", instrument, str(path))
        status = 0
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_prints_the_assist_result_as_json(tmp_path, capsys):
    status, out, err = _cli("assist", ASSIST, tmp_path, capsys)
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert (result["instrument"], result["version"]) == ("assist", "3.1")
    assert set(result["substances"]) == set("abcdefghij")
    assert result["substances"]["a"] == {
        "ever_used": True,
        "score": 18,
        "risk": "moderate",
        "intervention": "brief_intervention",
    }
    assert result["substances"]["b"]["score"] == 13
    assert result["substances"]["i"]["score"] == 9
    assert result["injecting"]["intervention"] == "further_assessment_intensive_treatment"
    assert result == run("assist", ASSIST)


@pytest.mark.parametrize(
    ("instrument", "answers", "field"),
    [
        ("assist", {**ASSIST, "q9": {}}, "q9"),
        ("assist", {**ASSIST, "q2": {**ASSIST["q2"], "k": "weekly"}}, "q2.k"),
        ("assist", {**ASSIST, "q2": {**ASSIST["q2"], "a": "sometimes"}}, "q2.a"),
        ("assist", {**ASSIST, "q3": {**ASSIST["q3"], "i": "weekly"}}, "q3.i"),
        ("assist", {**ASSIST, "q1": {**ASSIST["q1"], "c": "yes"}}, "q1.c"),
        ("audit", {"q1": "never", "q9": "no"}, "q10"),
        ("dast-10", {f"q{i}": "yes" for i in range(1, 11)}, "q1"),
    ],
)
def test_cli_refuses_invalid_answers_with_status_2_and_no_score(tmp_path, capsys, instrument, answers, field):
    status, out, err = _cli(instrument, answers, tmp_path, capsys)
    assert (status, out) == (2, "")
    assert f"field {field}" in err


def test_cli_refuses_bad_json_an_unknown_instrument_and_a_missing_file(tmp_path, capsys):
    assert _cli("assist", "{not json", tmp_path, capsys)[0] == 2
    assert _cli("assist", "[1, 2]", tmp_path, capsys)[0] == 2
    status, out, err = _cli("phq-9", {}, tmp_path, capsys)
    assert (status, out) == (2, "") and "no instrument called" in err
    with pytest.raises(SystemExit) as exit_:
        call_command("score", "audit", str(tmp_path / "missing.json"))
    assert exit_.value.code == 2


def test_cli_reads_answers_from_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps({"q1": "never", "q9": "no", "q10": "no"})))
    call_command("score", "audit", "-")
    assert json.loads(capsys.readouterr().out)["band"] == "zone_1"


def test_cli_never_echoes_the_answers(tmp_path, capsys):
    _, _, err = _cli("audit", {"q1": "never", "q9": "secret-value"}, tmp_path, capsys)
    assert "secret-value" not in err


# ---- API -----------------------------------------------------------------------------------------------


@pytest.fixture
def screener(personas):
    return Client(**bearer(personas.by_role[Role.CLINICIAN]))


def _post(client: Client, code: str, answers: object):
    return client.post(f"/api/v1/instruments/{code}/score", json.dumps(answers), content_type="application/json")


@pytest.mark.django_db
def test_api_scores_exactly_like_the_cli(screener, personas):
    assert Permission.SCREENING_PERFORM in ROLE_SPECS[Role.CLINICIAN].permissions
    response = _post(screener, "assist", ASSIST)
    assert response.status_code == 200
    assert response.json() == run("assist", ASSIST)
    crafft = {"a1": 0, "a2": 0, "a3": 0, "car": True}
    assert _post(screener, "crafft", crafft).json() == run("crafft", crafft)


@pytest.mark.django_db
def test_api_refuses_invalid_answers_with_422_and_the_field(screener):
    response = _post(screener, "assist", {**ASSIST, "q3": {**ASSIST["q3"], "i": "weekly"}})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == [{"field": "q3.i", "reason": error["message"]}]
    assert "score" not in response.json()


@pytest.mark.django_db
def test_api_unknown_instrument_is_404_and_a_non_object_body_is_422(screener):
    assert _post(screener, "phq-9", {}).status_code == 404
    assert _post(screener, "audit", [1, 2]).status_code == 422


@pytest.mark.django_db
def test_api_lists_instruments_with_versions(screener):
    response = screener.get("/api/v1/instruments")
    assert response.status_code == 200
    listed = {item["code"]: item["version"] for item in response.json()["instruments"]}
    assert listed == {"assist": "3.1", "audit": "2001", "audit-c": "1998", "crafft": "2.1", "dast-10": "1982"}


@pytest.mark.django_db
def test_api_needs_the_screening_permission(personas):
    without = next(role for role in Role if Permission.SCREENING_PERFORM not in ROLE_SPECS[role].permissions)
    client = Client(**bearer(personas.by_role[without]))
    assert _post(client, "audit", {"q1": "never", "q9": "no", "q10": "no"}).status_code == 403
    assert Client().post("/api/v1/instruments/audit/score").status_code == 401
