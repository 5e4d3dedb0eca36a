"""Episode of care pages: open, admit, review and end an episode through the browser's door; an involuntary
discharge is documented and refers the client on; sessions, care plans and lapses are recorded from the episode
page; a refusal of a service is shown on the field it names (400, nothing written); the clinical note is shown
to clinical roles only; other organisations get 404 and roles without care.record 403; the client page's list of
episodes costs the same queries however many there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cbtc.care.models import CarePlan, Episode, EpisodeStatus, Goal
from cbtc.care.models.clinical import ClinicalEvent
from cbtc.care.models.sessions import Session
from cbtc.care.services.episodes import EpisodeInput, episode_open
from cbtc.care.services.sessions import session_record
from cbtc.clients.models import Client
from cbtc.network.models import PyramidLevel, Service, ServiceType, User
from cbtc.network.roles import Role
from cbtc.network.services.directory import service_create
from cbtc.network.services.staff import staff_create
from cbtc.referrals.models import Referral, ReferralReason, Urgency
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas, signed_in_client
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


@pytest.fixture
def client_a(network: Network, clinician: User) -> Client:
    return register(clinician, network.org_a, "MARE0101011970")


@pytest.fixture
def counselling_a(network: Network) -> Service:
    """A second service of organisation A, in its province: somewhere to refer on to."""
    return service_create(
        actor=None,
        site=network.site_a,
        name="Alpha counselling",
        type=ServiceType.OUTPATIENT_PSYCHOSOCIAL,
        pyramid_level=PyramidLevel.PRIMARY_HEALTH_CARE,
    )


def _url(client: Client, episode: Episode | None = None, tail: str = "") -> str:
    base = f"/clients/{client.pk}/episodes/"
    return f"{base}{episode.pk}/{tail}" if episode is not None else f"{base}{tail}"


def _open(network: Network, actor: User, client: Client, status: str = EpisodeStatus.ACTIVE) -> Episode:
    data = EpisodeInput(service=network.methadone_a, modality="oat", referral_source="self", status=status)
    return episode_open(actor=actor, client=client, data=data)


def _opening(network: Network, **changes: str) -> dict[str, str]:
    return {
        "service": str(network.methadone_a.pk),
        "modality": "oat",
        "referral_source": "peer_outreach",
        "status": "active",
        **changes,
    }


def test_open_admit_review_and_end_an_episode_through_the_pages(
    network: Network, clinician: User, client_a: Client
) -> None:
    browser = signed_in_client(clinician)
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert "Episodes of care" in page and "No episodes of care yet." in page
    assert f'href="/clients/{client_a.pk}/episodes/new/"' in page

    form = browser.get(_url(client_a, tail="new/")).content.decode()
    assert "Active needs the client's consent to treatment" in form
    assert f'href="/clients/{client_a.pk}/consents/new/"' in form
    refused = browser.post(_url(client_a, tail="new/"), _opening(network))
    assert refused.status_code == 400
    assert 'id="id_status_error"' not in refused.content.decode()  # radios: the error under the choices
    assert "consent to treatment by this organisation is not in force" in refused.content.decode()
    assert not Episode.objects.exists()

    made = browser.post(_url(client_a, tail="new/"), _opening(network, status="waiting"))
    assert made.status_code == 302, made.content.decode()[:3000]
    episode = Episode.objects.get()
    assert made["Location"] == _url(client_a, episode)
    assert episode.status == EpisodeStatus.WAITING and episode.referral_source == "peer_outreach"

    still_waiting = browser.post(_url(client_a, episode, "status/"), {"status": "active"})
    assert still_waiting.status_code == 400
    assert "record it first" in still_waiting.content.decode()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.WAITING

    treatment_consent(clinician, client_a)
    admitted = browser.post(_url(client_a, episode, "status/"), {"status": "active"})
    assert admitted.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE and episode.admitted_at is not None

    past = browser.post(_url(client_a, episode, "review/"), {"next_review_on": "2001-01-01"})
    assert past.status_code == 400 and "within the next two years" in past.content.decode()
    soon = timezone.localdate() + timedelta(days=30)
    reviewed = browser.post(_url(client_a, episode, "review/"), {"next_review_on": soon.isoformat()})
    assert reviewed.status_code == 302
    episode.refresh_from_db()
    assert episode.next_review_on == soon and episode.status == EpisodeStatus.ACTIVE

    shown = browser.get(_url(client_a, episode)).content.decode()
    assert "Opioid agonist treatment" in shown and "Waiting" in shown and "Active" in shown  # with its history
    assert "a reminder, never an end" in shown

    assert browser.post(_url(client_a, episode, "end/"), {}).status_code == 400
    ended = browser.post(_url(client_a, episode, "end/"), {"discharge_reason": "completed"})
    assert ended.status_code == 302
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.FINISHED and episode.discharge_reason == "completed"
    again = browser.get(_url(client_a, episode)).content.decode()
    assert "Coming back is always possible" in again and "Record a session" not in again
    listed = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert _url(client_a, episode) in listed and "Finished" in listed and "completed" in listed


def test_an_involuntary_discharge_needs_its_documentation_and_refers_the_client_on(
    network: Network, personas: Personas, clinician: User, client_a: Client, counselling_a: Service
) -> None:
    treatment_consent(clinician, client_a)
    episode = _open(network, clinician, client_a)
    colleague = personas.by_role[Role.CASE_MANAGER]
    browser = signed_in_client(clinician)
    form = browser.get(_url(client_a, episode, "end/")).content.decode()
    assert "referred on, urgently, so their care goes on" in form
    assert f'value="{counselling_a.pk}"' in form and f'value="{network.methadone_a.pk}"' not in form
    assert f'value="{colleague.pk}"' in form and f'value="{clinician.pk}"' not in form  # never oneself
    full = {
        "discharge_reason": "involuntary_for_safety",
        "safety_reason": "Threatened staff with a knife twice this week.",
        "measures_tried": "A safety agreement, a change of counsellor and of clinic hours.",
        "reviewed_by": str(colleague.pk),
        "contingency_service": str(counselling_a.pk),
    }
    for missing, field in [
        ("reviewed_by", "id_reviewed_by_error"),
        ("contingency_service", "id_contingency_service_error"),
        ("safety_reason", "id_safety_reason_error"),
        ("measures_tried", "id_measures_tried_error"),
    ]:
        refused = browser.post(_url(client_a, episode, "end/"), {**full, missing: ""})
        assert refused.status_code == 400, missing
        assert field in refused.content.decode(), missing
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE and not Referral.objects.exists()

    ended = browser.post(_url(client_a, episode, "end/"), full)
    assert ended.status_code == 302, ended.content.decode()[:3000]
    episode.refresh_from_db()
    referral = Referral.objects.get()
    assert episode.status == EpisodeStatus.FINISHED and episode.reviewed_by == colleague
    assert episode.contingency_referral == referral
    assert referral.receiving_service == counselling_a and referral.reason == ReferralReason.CONTINGENCY
    assert referral.urgency == Urgency.URGENT
    page = browser.get(_url(client_a, episode)).content.decode()
    assert "Involuntary, for safety" in page and f"/referrals/{referral.pk}/" in page


def test_a_session_note_is_shown_to_a_clinician_and_hidden_from_a_dispenser(
    network: Network, personas: Personas, clinician: User, client_a: Client
) -> None:
    treatment_consent(clinician, client_a)
    episode = _open(network, clinician, client_a)
    browser = signed_in_client(clinician)
    assert browser.post(_url(client_a, episode, "sessions/new/"), {"kind": "cbt", "minutes": "0"}).status_code == 400
    made = browser.post(
        _url(client_a, episode, "sessions/new/"),
        {"kind": "cbt", "minutes": "45", "note": "Worked on triggers at the weekend market."},
    )
    assert made.status_code == 302
    assert Session.objects.get().minutes == 45
    seen = browser.get(_url(client_a, episode)).content.decode()
    assert "Cognitive behavioural therapy" in seen and "triggers at the weekend market" in seen

    dispenser = signed_in_client(personas.by_role[Role.DISPENSER])
    hidden = dispenser.get(_url(client_a, episode))
    assert hidden.status_code == 200
    text = hidden.content.decode()
    assert "Cognitive behavioural therapy" in text and "45 min" in text
    assert "weekend market" not in text and "Clinical notes are shown to" in text
    assert "Record a session" not in text and "Change the status to" not in text


def test_a_care_plan_and_a_relapse_are_recorded_from_the_episode_page(
    network: Network, clinician: User, client_a: Client, counselling_a: Service
) -> None:
    treatment_consent(clinician, client_a)
    episode = _open(network, clinician, client_a)
    browser = signed_in_client(clinician)
    form = browser.get(_url(client_a, episode, "plans/new/")).content.decode()
    assert "Use less" in form and "Use more safely" in form and "Stop using" in form
    goals = {
        "goal_0_domain": "substance_use",
        "goal_0_kind": "reduced_use",
        "goal_0_text": "Only use at weekends",
        "goal_0_action_text": "Keep a use diary",
        "goal_0_action_responsible": "client",
        "goal_2_domain": "housing",
        "goal_2_kind": "safer_use",  # left over from another choice: a housing goal has no kind
        "goal_2_text": "A room of my own",
        "goal_2_action_text": "See the housing office",
        "goal_2_action_responsible": "other_service",
        "goal_2_action_refer_to": str(counselling_a.pk),
    }
    missing = browser.post(_url(client_a, episode, "plans/new/"), {**goals, "goal_2_text": ""})
    assert missing.status_code == 400 and 'id="id_goal_2_text_error"' in missing.content.decode()
    no_staff = browser.post(_url(client_a, episode, "plans/new/"), {**goals, "goal_2_action_responsible": "staff"})
    assert no_staff.status_code == 400 and 'id="id_goal_2_action_staff_error"' in no_staff.content.decode()
    assert not CarePlan.objects.exists() and not Referral.objects.exists()
    made = browser.post(_url(client_a, episode, "plans/new/"), goals)
    assert made.status_code == 302, made.content.decode()[:3000]
    assert {(g.domain, g.kind) for g in Goal.objects.all()} == {("substance_use", "reduced_use"), ("housing", "other")}
    assert Referral.objects.get().receiving_service == counselling_a
    page = browser.get(_url(client_a, episode)).content.decode()
    assert "Only use at weekends" in page and "use less" in page and "Alpha counselling" in page

    no_result = browser.post(_url(client_a, episode, "events/new/"), {"kind": "drug_test"})
    assert no_result.status_code == 400 and not ClinicalEvent.objects.exists()
    form = browser.get(_url(client_a, episode, "events/new/")).content.decode()
    assert "Recording it changes nothing else" in form
    relapse = browser.post(_url(client_a, episode, "events/new/"), {"kind": "relapse", "test_result": "positive"})
    assert relapse.status_code == 302
    event = ClinicalEvent.objects.get()
    assert event.episode == episode and event.test_result == ""
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE  # nothing else happens
    assert "Relapse (a return to regular use)" in browser.get(_url(client_a, episode)).content.decode()


def test_another_organisations_client_is_404(network: Network, clinician: User, client_a: Client) -> None:
    treatment_consent(clinician, client_a)
    episode = _open(network, clinician, client_a)
    outsider, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.clinician", password=PASSWORD
    )
    browser = signed_in_client(outsider)
    assert browser.get(_url(client_a, episode)).status_code == 404
    assert browser.get(_url(client_a, tail="new/")).status_code == 404
    assert browser.post(_url(client_a, episode, "status/"), {"status": "on_hold"}).status_code == 404
    assert browser.post(_url(client_a, episode, "end/"), {"discharge_reason": "completed"}).status_code == 404
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


@pytest.mark.parametrize("role", [Role.DISPENSER, Role.SERVICE_MANAGER])
def test_roles_without_care_record_get_403_on_the_forms(
    network: Network, personas: Personas, clinician: User, client_a: Client, role: Role
) -> None:
    treatment_consent(clinician, client_a)
    episode = _open(network, clinician, client_a)
    browser = signed_in_client(personas.by_role[role])
    assert "Open an episode" not in browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert browser.get(_url(client_a, tail="new/")).status_code == 403
    for tail in ("end/", "sessions/new/", "plans/new/", "events/new/"):
        assert browser.get(_url(client_a, episode, tail)).status_code == 403, tail
    assert browser.post(_url(client_a, episode, "status/"), {"status": "on_hold"}).status_code == 403
    assert browser.post(_url(client_a, episode, "review/"), {}).status_code == 403
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_the_client_pages_list_of_episodes_costs_the_same_queries_for_1_or_4(
    network: Network, clinician: User, client_a: Client
) -> None:
    treatment_consent(clinician, client_a)
    browser = signed_in_client(clinician)
    first = _open(network, clinician, client_a)
    session_record(actor=clinician, episode=first, kind="cbt", minutes=30)
    with CaptureQueriesContext(connection) as one:
        assert browser.get(f"/clients/{client_a.pk}/").status_code == 200
    for status in ("waiting", "planned", "active"):
        _open(network, clinician, client_a, status=status)
    with CaptureQueriesContext(connection) as four:
        page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert page.count(f"/clients/{client_a.pk}/episodes/") >= 4
    assert len(four.captured_queries) == len(one.captured_queries)
