"""Case management: caseloads and worklists (reviews, outcome profiles, overdue actions, no contact, recovery
check-ins after a risky ending), through the services and the API; another organisation's lists are unknown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone

from cbtc.care.models import Action, Episode, RecoveryCheckIn
from cbtc.care.services.casework import episode_assign, recovery_check_in_record
from cbtc.care.services.episodes import EpisodeInput, episode_discharge, episode_open
from cbtc.care.services.outcomes import outcome_profile_record
from cbtc.care.services.plans import ActionInput, GoalInput, care_plan_create
from cbtc.care.worklists import caseload, worklist
from cbtc.clients.models import Client, ClientEvent
from cbtc.errors import NotFound, ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from cbtc.referrals.services import ReferralInput, referral_create
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas, bearer
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


def _episode(network: Network, clinician: User, code: str, modality: str = "oat") -> Episode:
    client: Client = register(clinician, network.org_a, code)
    treatment_consent(clinician, client)
    data = EpisodeInput(service=network.methadone_a, modality=modality, referral_source="self")
    return episode_open(actor=clinician, client=client, data=data)


def ids(episodes: object) -> set[object]:
    return {e.pk for e in episodes}  # type: ignore[attr-defined]


@override_settings(NO_CONTACT_DAYS=21, OUTCOME_REVIEW_DAYS=182, CHECK_IN_WINDOW_DAYS=90)
def test_the_worklists(network: Network, clinician: User, personas: Personas) -> None:
    a = _episode(network, clinician, "MARE0101011970")
    b = _episode(network, clinician, "JOSE0202021985", modality="outpatient_low")
    org = network.org_a.pk
    today = timezone.localdate()

    episode_assign(actor=clinician, episode=a, worker=personas.by_role[Role.CASE_MANAGER])
    assert ids(caseload(actor=clinician, organisation_id=org, worker_id=personas.by_role[Role.CASE_MANAGER].pk)) == {
        a.pk
    }
    with pytest.raises(ServiceError):
        episode_assign(actor=clinician, episode=a, worker=personas.by_role[Role.DISPENSER])

    assert ids(worklist(actor=clinician, organisation_id=org, kind="reviews_due")) == set()
    assert ids(
        worklist(actor=clinician, organisation_id=org, kind="reviews_due", today=today + timedelta(days=91))
    ) == {a.pk, b.pk}

    assert ids(worklist(actor=clinician, organisation_id=org, kind="outcomes_due")) == {a.pk, b.pk}
    outcome_profile_record(actor=clinician, episode=a, stage="start", use={}, answers={})
    assert ids(worklist(actor=clinician, organisation_id=org, kind="outcomes_due")) == {b.pk}

    care_plan_create(
        actor=clinician,
        episode=b,
        goals=[GoalInput("housing", "A room", actions=[ActionInput("Call the landlord", "client", due_on=today)])],
    )
    Action.objects.update(due_on=today - timedelta(days=1))
    assert ids(worklist(actor=clinician, organisation_id=org, kind="actions_overdue")) == {b.pk}

    assert ids(worklist(actor=clinician, organisation_id=org, kind="no_contact")) == set()
    ClientEvent.objects.filter(client=a.client).update(occurred_at=timezone.now() - timedelta(days=22))
    assert ids(worklist(actor=clinician, organisation_id=org, kind="no_contact")) == {a.pk}

    episode_discharge(actor=clinician, episode=a, reason="client_chose_to_leave")  # leaving OAT early: a risk
    episode_discharge(actor=clinician, episode=b, reason="completed")  # low intensity, completed: no check-in due
    assert ids(worklist(actor=clinician, organisation_id=org, kind="check_ins_due")) == {a.pk}
    recovery_check_in_record(actor=clinician, episode=a, method="phone", outcome="struggling")
    assert ids(worklist(actor=clinician, organisation_id=org, kind="check_ins_due")) == set()
    assert RecoveryCheckIn.objects.get().outcome == "struggling"
    assert Episode.objects.get(pk=a.pk).status == "finished"  # a check-in never reopens anything by itself

    outsider, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.c", password=PASSWORD
    )
    with pytest.raises(NotFound):
        worklist(actor=outsider, organisation_id=org, kind="reviews_due")


def test_worklists_and_check_ins_through_the_api(network: Network, clinician: User) -> None:
    episode = _episode(network, clinician, "MARE0101011970")
    api = HttpClient(**bearer(clinician))
    base = f"/api/v1/organisations/{network.org_a.pk}"
    due = api.get(f"{base}/worklists/outcomes_due").json()
    assert [e["id"] for e in due["episodes"]] == [str(episode.pk)]
    assert api.get(f"{base}/worklists/everything").status_code == 404
    assigned = api.post(
        f"/api/v1/clients/{episode.client_id}/episodes/{episode.pk}/key-worker",
        {"worker_id": str(clinician.pk)},
        content_type="application/json",
    )
    assert assigned.status_code == 200
    assert [e["id"] for e in api.get(f"{base}/caseload").json()["episodes"]] == [str(episode.pk)]
    early = api.post(
        f"/api/v1/clients/{episode.client_id}/episodes/{episode.pk}/check-ins",
        {"method": "phone", "outcome": "doing_well"},
        content_type="application/json",
    )
    assert early.status_code == 422  # the episode has not ended


def test_a_worrying_check_in_puts_the_client_on_back_into_care_until_something_follows(
    network: Network, clinician: User
) -> None:
    org = network.org_a.pk
    struggling = _episode(network, clinician, "MARE0101011970")
    well = _episode(network, clinician, "JOSE0202021985")
    referred = _episode(network, clinician, "ANNA0303031990")
    for episode in (struggling, well, referred):
        episode_discharge(actor=clinician, episode=episode, reason="client_chose_to_leave")
        recovery_check_in_record(actor=clinician, episode=episode, method="phone", outcome="wants_care_again")
    recovery_check_in_record(actor=clinician, episode=well, method="in_person", outcome="doing_well")  # latest counts
    referral_create(
        actor=clinician,
        client=referred.client,
        data=ReferralInput(
            sending_service=network.methadone_a,
            receiving_service=network.outreach_b,
            reason="harm_reduction",
            urgency="soon",
        ),
    )
    assert ids(worklist(actor=clinician, organisation_id=org, kind="back_into_care")) == {struggling.pk}

    again = episode_open(
        actor=clinician,
        client=struggling.client,
        data=EpisodeInput(service=network.methadone_a, modality="oat", referral_source="self", status="waiting"),
    )
    assert again.status == "waiting"  # coming back is never refused
    assert ids(worklist(actor=clinician, organisation_id=org, kind="back_into_care")) == set()
