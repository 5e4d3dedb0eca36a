"""A counsellor completes an ASSIST in a real browser: questions appear and disappear with the answers
(skip logic worked out by the server), the result shows each substance's risk, and a recommendation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cbtc.clients.identity import Identity
from cbtc.clients.services import Demographics, client_register
from cbtc.clients.uic import get_scheme, parse_uic
from cbtc.consent.models import ConsentKind, ConsentMethod
from cbtc.consent.services import ConsentInput, consent_record
from cbtc.network.roles import Role
from cbtc.screening.models import Assessment, LevelOfCareRecommendation
from tests.browser.conftest import Staff, screenshot, sign_in

pytestmark = pytest.mark.browser


def answer(page: Page, selector: str) -> None:
    """Tick an answer and wait for the server's redraw of the questions (htmx), as a person would see it
    before their next tap: ticking during a redraw would tick an element that is being replaced."""
    with page.expect_response(lambda response: "/items/" in response.url and response.request.method == "POST"):
        page.check(selector, force=True)
    expect(page.locator(selector)).to_be_checked()


def test_a_counsellor_completes_an_assist_and_sees_the_risks_and_a_recommendation(page: Page, demo: Staff) -> None:
    clinician = demo.by_role[Role.CLINICIAN]
    organisation = clinician.memberships.get().organisation
    client = client_register(
        actor=clinician,
        organisation=organisation,
        uic=parse_uic(get_scheme("ph-doh"), "MARE0101011970"),
        demographics=Demographics(birth_year=1990, sex_at_birth="male"),
        identity=Identity(nickname="Ton"),
        confirmed_new_person=True,
    )
    consent_record(
        actor=clinician,
        client=client,
        organisation=organisation,
        data=ConsentInput(
            kind=ConsentKind.TREATMENT,
            method=ConsentMethod.VERBAL,
            given_at=timezone.now() - timedelta(minutes=1),
            witnessed_by=clinician,
        ),
    )
    sign_in(page, clinician.username, demo.password)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Screen").first.click()
    page.check("input[name=instrument][value=assist]", force=True)
    page.check("input[name=administration][value=interviewer]", force=True)
    page.get_by_role("button", name="Start").click()

    # Q1: tobacco (a) and opioids (i) used; everything else never. Follow-up questions appear only for those.
    for letter in "abcdefghij":
        answer(page, f"input[name='q1.{letter}'][value={'yes' if letter in 'ai' else 'no'}]")
    expect(page.locator("input[name='q2.i']").first).to_be_attached()
    expect(page.locator("input[name='q2.c']")).to_have_count(0)
    for question in ("q2", "q3", "q4"):
        for letter in "ai":
            answer(page, f"input[name='{question}.{letter}'][value=daily]")
    # Q5 is never asked about tobacco.
    expect(page.locator("input[name='q5.a']")).to_have_count(0)
    answer(page, "input[name='q5.i'][value=daily]")
    for question in ("q6", "q7"):
        for letter in "ai":
            answer(page, f"input[name='{question}.{letter}'][value=past_3_months]")
    answer(page, "input[name=q8][value=past_3_months]")
    page.locator("input[name=q8_days_per_month]").fill("6")
    page.get_by_role("button", name="Score and save").click()

    expect(page.get_by_role("heading", name="WHO ASSIST v3.1 result")).to_be_visible()
    expect(page.get_by_text("High risk").first).to_be_visible()
    expect(page.get_by_text("Why")).to_be_visible()
    screenshot(page, "screening-assist-result")
    assessment = Assessment.objects.get(client=client)
    assert assessment.result["substances"]["i"]["risk"] == "high"
    assert assessment.result["substances"]["c"]["score"] == 0

    # The recommendation follows what the counsellor ticks (htmx, no reload), lists nearby services, and is saved.
    panel = page.locator("#recommendation-panel")
    expect(panel.get_by_label("Injected drugs in the past 3 months")).to_be_checked()  # from ASSIST Q8
    expect(panel.get_by_text("Pregnant and using opioids")).to_have_count(0)
    panel.get_by_label("Pregnant").check()
    expect(panel.get_by_text("Pregnant and using opioids")).to_be_visible()
    expect(panel.get_by_role("heading", name=re.compile("Services near"))).to_be_visible()
    panel.get_by_role("button", name="Save this recommendation").click()
    expect(page.get_by_text(re.compile(r"Recommendation saved: level \d"))).to_be_visible()
    saved = LevelOfCareRecommendation.objects.get(client=client)
    assert saved.context["pregnant"] is True and saved.context["injecting"] is True
    page.goto(f"/clients/{client.pk}/")
    expect(page.get_by_text(f"level {saved.level}", exact=False).first).to_be_visible()
