"""The screening pages through the browser's door: choose an instrument, fill in the ASSIST with skip logic
decided on the server (htmx fragment), see the frozen result with bands and a reasoned recommendation, record a
brief intervention. Answers never appear in URLs; outsiders get 404, recipients cannot record."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cbtc.clients.models import Client
from cbtc.network.models import User
from cbtc.screening.models import SELF_COMPLETION_NOTE, Assessment, BriefIntervention
from cbtc.screening.services import assessment_record
from tests.clients.test_registry import share
from tests.conftest import Network, signed_in_client
from tests.screening.conftest import OPIOIDS_HIGH, recorded_assist
from tests.screening.instrument_helpers import LETTERS

pytestmark = pytest.mark.django_db

SUBSTANCE_NAMES = (
    "Tobacco",
    "Alcoholic beverages",
    "Cannabis",
    "Cocaine",
    "Amphetamine-type stimulants",
    "Inhalants",
    "Sedatives or sleeping pills",
    "Hallucinogens",
    "Opioids",
    "Other: specify",
)
HTMX = {"HTTP_HX_REQUEST": "true"}


def form_url(client: Client, instrument: str = "assist") -> str:
    return f"/clients/{client.pk}/screening/{instrument}/"


def assist_post(rows: dict[str, dict[str, str]], q8: str | None = "never", **extra: str) -> dict[str, str]:
    """The POST of the ASSIST page: q1 for every substance (yes for those in rows), then the rows' answers."""
    data = {"administration": "interviewer"}
    for letter in LETTERS:
        data[f"q1.{letter}"] = "yes" if letter in rows else "no"
    for letter, row in rows.items():
        for key, value in row.items():
            data[f"{key}.{letter}"] = value
    if q8 is not None:
        data["q8"] = q8
    return {**data, **extra}


OPIOIDS_DAILY = {"q2": "daily", "q3": "daily", "q4": "daily", "q5": "daily", "q6": "past_3_months", "q7": "never"}
TOBACCO_WEEKLY = {"q2": "weekly", "q3": "weekly", "q4": "never", "q6": "never", "q7": "never"}


def names_in(html: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)"', html))


def test_the_client_page_offers_screening_and_the_start_page_lists_the_instruments(
    client_a: Client, clinician: User
) -> None:
    browser = signed_in_client(clinician)
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f"/clients/{client_a.pk}/screening/new/" in page
    assert "No screening yet." in page
    start = browser.get(f"/clients/{client_a.pk}/screening/new/")
    assert start.status_code == 200
    html = start.content.decode()
    for code in ("assist", "audit", "audit-c", "dast-10", "crafft"):
        assert f'value="{code}"' in html
    assert SELF_COMPLETION_NOTE in html
    chosen = browser.post(
        f"/clients/{client_a.pk}/screening/new/", {"instrument": "assist", "administration": "self_completed"}
    )
    assert chosen.status_code == 302
    assert chosen["Location"] == f"/clients/{client_a.pk}/screening/assist/?administration=self_completed"
    form = browser.get(chosen["Location"]).content.decode()
    assert SELF_COMPLETION_NOTE in form
    assert "Not validated for self-completion" in form
    assert "Not validated" not in browser.get(form_url(client_a)).content.decode()


def test_the_assist_page_renders_every_substance(client_a: Client, clinician: User) -> None:
    response = signed_in_client(clinician).get(form_url(client_a))
    assert response.status_code == 200
    html = response.content.decode()
    for name in SUBSTANCE_NAMES:
        assert name in html
    assert {f"q1.{letter}" for letter in LETTERS} <= names_in(html)
    assert 'hx-post="/clients/' in html and "/screening/assist/items/" in html


def test_the_skip_fragment_asks_only_what_the_skip_logic_asks(client_a: Client, clinician: User) -> None:
    browser = signed_in_client(clinician)
    data = assist_post({"a": {"q2": "weekly"}, "i": {"q2": "daily"}}, q8=None)
    response = browser.post(f"{form_url(client_a)}items/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="items"')
    names = names_in(html)
    for key in ("q2", "q3", "q4", "q5", "q6", "q7"):
        assert f"{key}.c" not in names  # cannabis: answered "no" in Q1
        assert f"{key}.i" in names  # opioids used, in the past 3 months
    assert "q5.a" not in names  # Q5 is never asked about tobacco
    assert {"q2.a", "q3.a", "q4.a", "q6.a", "q7.a", "q8"} <= names
    assert "q8_days_per_month" not in names
    # Injecting in the past three months brings the days question.
    injecting = browser.post(f"{form_url(client_a)}items/", {**data, "q8": "past_3_months"}, **HTMX)
    assert "q8_days_per_month" in names_in(injecting.content.decode())
    # Nobody ever used anything: only Q1 is asked.
    nothing = browser.post(f"{form_url(client_a)}items/", assist_post({}, q8=None), **HTMX)
    assert names_in(nothing.content.decode()) == {f"q1.{letter}" for letter in LETTERS}


def test_submitting_a_complete_assist_records_it_and_shows_the_result(client_a: Client, clinician: User) -> None:
    browser = signed_in_client(clinician)
    response = browser.post(form_url(client_a), assist_post({"a": TOBACCO_WEEKLY, "i": OPIOIDS_DAILY}))
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client_a.pk}/screening/assessments/{assessment.pk}/"
    assert "daily" not in response["Location"]
    assert assessment.result["substances"]["i"]["risk"] == "high"
    assert assessment.answers["q1"]["c"] is False
    result = browser.get(response["Location"])
    assert result.status_code == 200
    html = result.content.decode()
    assert "High risk" in html and "Moderate risk" in html
    assert "Opioids" in html and "Tobacco" in html
    assert "Recommended: <strong>level" in html
    assert 'class="reasons"><li>' in html
    assert "seed 00" in html  # every reason cites its source
    assert "/directory/?type=" in html
    # The client page lists it.
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f"/screening/assessments/{assessment.pk}/" in page
    assert "highest risk: high" in page


def test_missing_answers_are_shown_on_their_questions(client_a: Client, clinician: User) -> None:
    data = assist_post({"i": OPIOIDS_DAILY})
    del data["q3.i"]
    response = signed_in_client(clinician).post(form_url(client_a), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="f-q3-i-error"' in html
    assert "Answer this question." in html
    assert not Assessment.objects.exists()


def test_contradicting_answers_get_400_with_the_message_on_the_field(client_a: Client, clinician: User) -> None:
    data = assist_post({"i": OPIOIDS_DAILY}, **{"q2.c": "weekly"})  # cannabis never used, yet used weekly
    response = signed_in_client(clinician).post(form_url(client_a), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="f-q2-c-error"' in html
    assert "Q2 (cannabis) is not asked, given the earlier answers (skip logic)" in html
    assert not Assessment.objects.exists()


def test_another_instrument_is_rendered_and_scored_from_its_definition(client_a: Client, clinician: User) -> None:
    browser = signed_in_client(clinician)
    html = browser.get(form_url(client_a, "dast-10")).content.decode()
    assert {f"q{n}" for n in range(1, 11)} <= names_in(html)
    data = {f"q{n}": "no" for n in range(1, 11)} | {"administration": "interviewer"}
    response = browser.post(form_url(client_a, "dast-10"), data)
    assert response.status_code == 302
    assert Assessment.objects.get().result["score"] == 1  # item 3 is reversed


def test_an_unknown_instrument_is_404(client_a: Client, clinician: User) -> None:
    assert signed_in_client(clinician).get(form_url(client_a, "nonsense")).status_code == 404


def test_an_outsider_gets_404_and_a_recipient_cannot_record(
    network: Network, client_a: Client, clinician: User, clinician_b: User
) -> None:
    assessment = assessment_record(
        actor=clinician,
        client=client_a,
        organisation=client_a.organisation,
        instrument="assist",
        answers=OPIOIDS_HIGH,
        administration="interviewer",
    )
    result_url = f"/clients/{client_a.pk}/screening/assessments/{assessment.pk}/"
    outsider = signed_in_client(clinician_b)
    assert outsider.get(form_url(client_a)).status_code == 404
    assert outsider.get(result_url).status_code == 404
    assert outsider.post(f"{form_url(client_a)}items/", assist_post({}), **HTMX).status_code == 404

    share(clinician, client_a, [network.org_b], {"demographics"})
    assert outsider.get(result_url).status_code == 404  # screening not shared

    share(clinician, client_a, [network.org_b], {"screening"})
    assert outsider.get(form_url(client_a)).status_code == 403
    assert outsider.post(form_url(client_a), assist_post({"i": OPIOIDS_DAILY})).status_code == 403
    bi = {"kind": "simple_advice", "minutes": "10"}
    assert outsider.post(f"{result_url}brief-intervention/", bi).status_code == 403
    assert Assessment.objects.count() == 1 and not BriefIntervention.objects.exists()
    shown = outsider.get(result_url)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "High risk" in html
    assert "Record brief intervention" not in html


def test_a_brief_intervention_is_recorded_from_the_result_page(client_a: Client, clinician: User) -> None:
    assessment = recorded_assist(client_a, clinician)
    result_url = f"/clients/{client_a.pk}/screening/assessments/{assessment.pk}/"
    browser = signed_in_client(clinician)
    assert "Record brief intervention" in browser.get(result_url).content.decode()
    data: dict[str, Any] = {
        "kind": "assist_linked",
        "minutes": "15",
        "take_home_material": "on",
        "material_kind": "assist_feedback_card",
        "follow_up_offered": "on",
    }
    response = browser.post(f"{result_url}brief-intervention/", data)
    assert response.status_code == 302
    assert response["Location"] == result_url
    intervention = BriefIntervention.objects.get()
    assert (intervention.kind, intervention.minutes, intervention.assessment_id) == ("assist_linked", 15, assessment.pk)
    assert intervention.material_kind == "assist_feedback_card" and intervention.follow_up_offered

    refused = browser.post(f"{result_url}brief-intervention/", {**data, "take_home_material": "", "minutes": "500"})
    assert refused.status_code == 400
    assert BriefIntervention.objects.count() == 1
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert "ASSIST-linked brief intervention, 15 min" in page


def test_the_recommendation_follows_the_context_given(client_a: Client, clinician: User) -> None:
    assessment = recorded_assist(client_a, clinician)
    url = f"/clients/{client_a.pk}/screening/assessments/{assessment.pk}/recommendation/"
    browser = signed_in_client(clinician)
    plain = browser.post(url, {"withdrawal_risk": "none"}, **HTMX)
    assert plain.status_code == 200
    fragment = plain.content.decode()
    assert fragment.lstrip().startswith('<div id="recommendation-panel"')
    severe = browser.post(url, {"withdrawal_risk": "severe", "injecting": "on"}, **HTMX).content.decode()
    assert severe != fragment
    assert "Recommended: <strong>level" in severe
    assert browser.post(url, {"withdrawal_risk": "extreme"}, **HTMX).status_code == 400
