"""Casework pages: an outcome profile recorded from the episode page (blank stays "not answered", an item out of
range is refused on its field with a 400 and nothing written), the change from the first profile; a recovery
check-in after an episode ended (refused on an open one, never reopens it); putting an episode on one's caseload;
the worklists page shows the right episodes per tab, refuses another organisation (404) and roles without
care.record (403), and costs the same queries for 1 or 4 episodes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbtc.care.models import Episode, EpisodeStatus, OutcomeProfile, RecoveryCheckIn, SubstanceDays
from cbtc.care.services.episodes import EpisodeInput, episode_discharge, episode_open
from cbtc.care.services.outcomes import outcome_profile_record
from cbtc.clients.models import Client
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas, signed_in_client
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db

WORKLISTS = "/care/worklists/"


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


def _episode(network: Network, clinician: User, code: str = "MARE0101011970", modality: str = "oat") -> Episode:
    client: Client = register(clinician, network.org_a, code)
    treatment_consent(clinician, client)
    data = EpisodeInput(service=network.methadone_a, modality=modality, referral_source="self")
    return episode_open(actor=clinician, client=client, data=data)


def _url(episode: Episode, tail: str = "") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/{tail}"


def _profile(**answers: str) -> dict[str, str]:
    return {"stage": "start", "interviewed_on": "", **answers}


def test_an_outcome_profile_through_the_page(network: Network, clinician: User) -> None:
    episode = _episode(network, clinician)
    browser = signed_in_client(clinician)
    shown = browser.get(_url(episode)).content.decode()
    assert f'href="{_url(episode, "outcomes/new/")}"' in shown and "Record an outcome profile" in shown
    assert "No outcome profile yet." in shown

    form = browser.get(_url(episode, "outcomes/new/")).content.decode()
    assert "never 0" in form and "Not answered" in form
    assert "Days injected drugs not prescribed to the client" in form  # our wording

    too_high = browser.post(_url(episode, "outcomes/new/"), _profile(quality_of_life="21", use_opioids="3"))
    assert too_high.status_code == 400
    assert 'id="id_quality_of_life_error"' in too_high.content.decode()
    too_many_days = browser.post(_url(episode, "outcomes/new/"), _profile(use_alcohol="29"))
    assert too_many_days.status_code == 400
    assert 'id="id_use_alcohol_error"' in too_many_days.content.decode()
    assert not OutcomeProfile.objects.exists() and not SubstanceDays.objects.exists()

    made = browser.post(
        _url(episode, "outcomes/new/"),
        _profile(use_opioids="12", quality_of_life="8", injecting_days="0", violence="no", eviction_risk="yes"),
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    profile = OutcomeProfile.objects.get()
    assert profile.stage == "start" and profile.quality_of_life == 8 and profile.injecting_days == 0
    assert profile.physical_health is None and profile.shoplifting_days is None  # blank stays "not answered"
    assert profile.violence is False and profile.eviction_risk is True and profile.fraud is None
    assert {(row.substance, row.days) for row in profile.use.all()} == {("opioids", 12)}

    again = browser.post(_url(episode, "outcomes/new/"), _profile(quality_of_life="9"))
    assert again.status_code == 400 and "already has its start profile" in again.content.decode()
    assert OutcomeProfile.objects.count() == 1

    review = browser.post(
        _url(episode, "outcomes/new/"), _profile(stage="review", use_opioids="4", quality_of_life="13")
    )
    assert review.status_code == 302
    page = browser.get(_url(episode)).content.decode()
    assert "Outcome profiles" in page and "Change from the first profile" in page
    assert "+5" in page and "-8" in page  # quality of life 8 → 13, opioid days 12 → 4
    assert "Not answered" in page


def test_outcome_profiles_are_not_shown_where_outcomes_are_not_shared(
    network: Network, clinician: User, personas: Personas
) -> None:
    episode = _episode(network, clinician)
    outcome_profile_record(actor=clinician, episode=episode, stage="start", use={}, answers={})
    dispenser = signed_in_client(personas.by_role[Role.DISPENSER])
    page = dispenser.get(_url(episode))
    assert page.status_code == 200
    assert "Record an outcome profile" not in page.content.decode()
    assert dispenser.get(_url(episode, "outcomes/new/")).status_code == 403


def test_a_recovery_check_in_through_the_page(network: Network, clinician: User) -> None:
    episode = _episode(network, clinician)
    browser = signed_in_client(clinician)
    refused = browser.post(_url(episode, "check-ins/new/"), {"method": "phone", "outcome": "doing_well"})
    assert refused.status_code == 400
    assert "Check-ins follow an episode that has ended." in refused.content.decode()
    assert not RecoveryCheckIn.objects.exists()

    episode_discharge(actor=clinician, episode=episode, reason="client_chose_to_leave")
    page = browser.get(_url(episode)).content.decode()
    assert "Recovery check-ins" in page and "never reopens anything" in page
    assert f'href="/clients/{episode.client_id}/referrals/new/"' in page
    assert f'href="/clients/{episode.client_id}/episodes/new/"' in page

    unanswered = browser.post(_url(episode, "check-ins/new/"), {"method": "phone"})
    assert unanswered.status_code == 400 and "Say how the client is." in unanswered.content.decode()
    done = browser.post(_url(episode, "check-ins/new/"), {"method": "phone", "outcome": "wants_care_again"})
    assert done.status_code == 302
    check_in = RecoveryCheckIn.objects.get()
    assert check_in.outcome == "wants_care_again" and check_in.staff == clinician
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.FINISHED  # nothing reopened
    page = browser.get(_url(episode)).content.decode()
    assert "Wants care again" in page and "Offer care now" in page  # early re-intervention, one click away
    back = browser.get("/care/worklists/?list=back_into_care").content.decode()
    assert "Back into care" in back and str(episode.pk) in back
    episode_open(
        actor=clinician,
        client=episode.client,
        data=EpisodeInput(service=episode.service, modality="oat", referral_source="self", status="waiting"),
    )
    assert "Offer care now" not in browser.get(_url(episode)).content.decode()  # care was offered: no prompt


def test_the_worklists_page(network: Network, clinician: User, personas: Personas) -> None:
    mine = _episode(network, clinician)
    other = _episode(network, clinician, "JOSE0202021985", modality="outpatient_low")
    ended = _episode(network, clinician, "ANNA0303031990")
    episode_discharge(actor=clinician, episode=ended, reason="client_chose_to_leave")
    browser = signed_in_client(clinician)

    assert f'href="{WORKLISTS}"' in browser.get("/").content.decode()
    empty = browser.get(WORKLISTS).content.decode()
    assert "My caseload" in empty and "Nothing on your caseload" in empty

    shown = browser.get(_url(mine)).content.decode()
    assert "Put on my caseload" in shown
    assert browser.post(_url(mine, "caseload/")).status_code == 302
    mine.refresh_from_db()
    assert mine.key_worker == clinician
    assert "This episode is on your caseload." in browser.get(_url(mine)).content.decode()
    assert "Put on my caseload" not in browser.get(_url(ended)).content.decode()

    def listed(kind: str) -> str:
        response = browser.get(f"{WORKLISTS}?list={kind}")
        assert response.status_code == 200
        return response.content.decode()

    caseload = listed("caseload")
    assert _url(mine) in caseload and _url(other) not in caseload and _url(ended) not in caseload
    outcomes = listed("outcomes_due")
    assert _url(mine) in outcomes and _url(other) in outcomes and _url(ended) not in outcomes
    assert "None yet" in outcomes
    check_ins = listed("check_ins_due")
    assert _url(ended) in check_ins and _url(mine) not in check_ins
    for kind in ("reviews_due", "actions_overdue", "no_contact"):
        page = listed(kind)
        assert _url(mine) not in page and _url(other) not in page, kind

    assert browser.get(f"{WORKLISTS}?list=nothing").status_code == 404
    assert browser.get(f"{WORKLISTS}?organisation={network.org_b.pk}").status_code == 404


def test_another_organisation_and_roles_without_care_record(network: Network, personas: Personas) -> None:
    outsider, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.clinician", password=PASSWORD
    )
    browser = signed_in_client(outsider)
    assert browser.get(f"{WORKLISTS}?organisation={network.org_a.pk}").status_code == 404
    assert browser.get(f"{WORKLISTS}?organisation={network.org_b.pk}").status_code == 200
    for role in (Role.DISPENSER, Role.SERVICE_MANAGER, Role.PROGRAMME_MANAGER):
        assert signed_in_client(personas.by_role[role]).get(WORKLISTS).status_code == 403, role


def test_pages_of_another_organisations_episode_are_404(network: Network, clinician: User) -> None:
    episode = _episode(network, clinician)
    outsider, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.clinician", password=PASSWORD
    )
    browser = signed_in_client(outsider)
    assert browser.get(_url(episode, "outcomes/new/")).status_code == 404
    assert browser.post(_url(episode, "caseload/")).status_code == 404
    assert (
        browser.post(_url(episode, "check-ins/new/"), {"method": "phone", "outcome": "doing_well"}).status_code == 404
    )
    episode.refresh_from_db()
    assert episode.key_worker_id is None and not OutcomeProfile.objects.exists()


@pytest.mark.parametrize("kind", ["caseload", "outcomes_due", "actions_overdue", "no_contact", "check_ins_due"])
def test_the_worklists_page_costs_the_same_queries_for_1_or_4(network: Network, clinician: User, kind: str) -> None:
    codes = ["MARE0101011970", "JOSE0202021985", "ANNA0303031990", "PAUL0404041975"]
    browser = signed_in_client(clinician)

    def add(code: str) -> None:
        episode = _episode(network, clinician, code)
        browser.post(_url(episode, "caseload/"))
        if kind == "check_ins_due":
            episode_discharge(actor=clinician, episode=episode, reason="client_chose_to_leave")

    add(codes[0])
    with CaptureQueriesContext(connection) as one:
        first = browser.get(f"{WORKLISTS}?list={kind}")
    assert first.status_code == 200
    for code in codes[1:]:
        add(code)
    with CaptureQueriesContext(connection) as four:
        page = browser.get(f"{WORKLISTS}?list={kind}").content.decode()
    if kind in ("caseload", "outcomes_due", "check_ins_due"):
        assert page.count("/episodes/") >= 4
    assert len(four.captured_queries) == len(one.captured_queries)
