"""One client's way through care in Chromium, as a counsellor at a treatment centre records it: an outreach
contact, registration, consent to treatment, an ASSIST, a brief intervention, admission, a care plan, an outcome
profile at the start, a session, a review, the end of the episode and a recovery check-in afterwards."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cbtc.care.models import CarePlan, Episode, OutcomeProfile, RecoveryCheckIn, Session
from cbtc.clients.models import Client
from cbtc.network.roles import Role
from cbtc.screening.models import Assessment, BriefIntervention
from tests.browser.conftest import Staff, screenshot, sign_in
from tests.browser.test_screening_in_browser import answer

pytestmark = pytest.mark.browser


def _assist_opioids_daily(page: Page) -> None:
    for letter in "abcdefghij":
        answer(page, f"input[name='q1.{letter}'][value={'yes' if letter == 'i' else 'no'}]")
    for question in ("q2", "q3", "q4", "q5"):
        answer(page, f"input[name='{question}.i'][value=daily]")
    for question in ("q6", "q7"):
        answer(page, f"input[name='{question}.i'][value=past_3_months]")
    answer(page, "input[name=q8][value=never]")


def test_a_client_walks_the_care_pathway(page: Page, demo: Staff) -> None:
    clinician = demo.by_role[Role.CLINICIAN]
    sign_in(page, clinician.username, demo.password)
    client = _contact_register_and_consent(page)
    _screen_and_intervene(page, client)
    episode = _admit_plan_and_measure(page, client)
    _session_review_end_and_check_in(page, client, episode)

    # The whole way is on the client's timeline.
    page.goto(f"/clients/{client.pk}/")
    for entry in (
        "Registered",
        "Consent to treatment given",
        "ASSIST",
        "Episode opened",
        "Care plan",
        "Recovery check-in",
    ):
        expect(page.get_by_text(re.compile(entry)).first).to_be_attached()


def _contact_register_and_consent(page: Page) -> Client:
    # 1. An outreach contact, before the person chooses to register: a tally of one.
    page.goto("/outreach/new/")
    page.check("input[name=place][value=drop_in]", force=True)
    page.get_by_label("How many people").fill("1")
    page.get_by_role("button", name="Record the contact").click()
    expect(page.get_by_text(re.compile("recorded", re.I)).first).to_be_visible()

    # 2. Registration with the code from the card.
    page.goto("/clients/register/")
    page.get_by_label("Code from the client's card").fill("DAJO0303031990")
    page.get_by_label("Nickname or street name").fill("Dao")
    page.get_by_label("Year of birth").fill("1990")
    page.get_by_text("Female", exact=True).click()
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_role("heading", name="DAJO0303031990")).to_be_visible()
    client = Client.objects.get(uic="DAJO0303031990")

    # 3. Consent to treatment.
    page.get_by_role("link", name="Record consent").click()
    page.get_by_text("Consent to treatment", exact=True).click()
    page.get_by_text("Verbal (witnessed)", exact=True).click()
    page.get_by_label(re.compile("I read or explained the wording")).check()
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_text("Consent to treatment").first).to_be_visible()
    return client


def _screen_and_intervene(page: Page, client: Client) -> None:
    # 4. ASSIST, then 5. a brief intervention on the result page.
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Screen").first.click()
    page.check("input[name=instrument][value=assist]", force=True)
    page.check("input[name=administration][value=interviewer]", force=True)
    page.get_by_role("button", name="Start").click()
    _assist_opioids_daily(page)
    page.get_by_role("button", name="Score and save").click()
    expect(page.get_by_text("High risk").first).to_be_visible()
    page.get_by_label("Minutes spent").fill("15")
    page.get_by_role("button", name="Record brief intervention").click()
    expect(page.get_by_text("Brief intervention recorded.")).to_be_visible()
    assert (
        Assessment.objects.filter(client=client).count() == 1
        and BriefIntervention.objects.filter(client=client).exists()
    )


def _admit_plan_and_measure(page: Page, client: Client) -> Episode:
    # 6. Admission: an episode of opioid agonist treatment, active at once.
    page.goto(f"/clients/{client.pk}/episodes/new/")
    page.get_by_label("Service").select_option(label="Methadone treatment")
    page.get_by_label("Kind of care").select_option("oat")
    page.get_by_label("Who referred the client").select_option("peer_outreach")
    page.get_by_role("button", name="Open the episode").click()
    episode = Episode.objects.get(client=client)
    assert episode.status == "active" and episode.admitted_at is not None
    episode_url = f"/clients/{client.pk}/episodes/{episode.pk}/"

    # 7. A care plan the client sets: use less.
    page.goto(episode_url)
    page.get_by_role("link", name="Make a care plan").click()
    page.locator("select[name=goal_0_domain]").select_option("substance_use")
    page.check("input[name=goal_0_kind][value=reduced_use]", force=True)
    page.locator("[name=goal_0_text]").fill("Use less, and never alone")
    page.get_by_role("button", name="Make the plan").click()
    expect(page.get_by_text("Use less, and never alone")).to_be_visible()
    assert CarePlan.objects.filter(episode=episode).count() == 1

    # 8. The outcome profile at the start; a blank stays "not answered".
    page.get_by_role("link", name="Record an outcome profile").click()
    page.check("input[name=stage][value=start]", force=True)
    page.locator("input[name=use_opioids]").fill("26")
    page.locator("input[name=quality_of_life]").fill("6")
    page.get_by_role("button", name="Record the outcome profile").click()
    profile = OutcomeProfile.objects.get(episode=episode)
    assert profile.quality_of_life == 6 and profile.paid_work_days is None
    return episode


def _session_review_end_and_check_in(page: Page, client: Client, episode: Episode) -> None:
    episode_url = f"/clients/{client.pk}/episodes/{episode.pk}/"
    # 9. A session with a note, 10. a review.
    page.goto(episode_url)
    page.get_by_role("link", name="Record a session").click()
    page.get_by_label("Kind of session").select_option("motivational_interviewing")
    page.get_by_label("Minutes").fill("40")
    page.get_by_label("Clinical note (optional)").fill("Talked about what helps on bad days.")
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_text("Talked about what helps on bad days.")).to_be_visible()
    assert Session.objects.filter(episode=episode).count() == 1
    page.get_by_role("button", name="Record a review").click()
    expect(page.get_by_text(re.compile("review", re.I)).first).to_be_visible()

    # 11. The episode ends (completed), 12. a recovery check-in follows.
    page.goto(f"{episode_url}end/")
    page.check("input[name=discharge_reason][value=completed]", force=True)
    page.get_by_role("button", name="End the episode").click()
    episode.refresh_from_db()
    assert episode.status == "finished"
    page.goto(episode_url)
    page.check("input[name=method][value=phone]", force=True)
    page.check("input[name=outcome][value=doing_well]", force=True)
    page.get_by_role("button", name=re.compile("Record the check-in|Record a check-in")).click()
    assert RecoveryCheckIn.objects.filter(episode=episode).count() == 1
    screenshot(page, "care-pathway-episode-ended")
