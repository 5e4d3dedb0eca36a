"""Sessions: recorded on an open episode; the timeline shows the kind and length, never the note; the note is read
only by clinical roles of the organisation holding the episode, and beyond it only by clinical roles under a
consent covering treatment episodes."""

from __future__ import annotations

import pytest

from cbtc.care.models import Episode
from cbtc.care.selectors import sessions_of_record
from cbtc.care.services.episodes import EpisodeInput, episode_discharge, episode_open
from cbtc.care.services.sessions import session_record
from cbtc.clients.models import Client, ClientEvent
from cbtc.clients.selectors import client_get_for_actor
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.clients.test_registry import register, share
from tests.conftest import PASSWORD, Network, Personas
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db
NOTE = "Talked about the weekend; plans to visit her sister."


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


@pytest.fixture
def client_a(network: Network, clinician: User) -> Client:
    client = register(clinician, network.org_a, "MARE0101011970")
    treatment_consent(clinician, client)
    return client


@pytest.fixture
def episode(network: Network, clinician: User, client_a: Client) -> Episode:
    data = EpisodeInput(service=network.methadone_a, modality="outpatient_mid", referral_source="self")
    return episode_open(actor=clinician, client=client_a, data=data)


def notes_seen_by(actor: User, client: Client) -> list[str | None]:
    record = client_get_for_actor(actor=actor, client_id=client.pk)
    return [view.note for view in sessions_of_record(actor=actor, record=record)]


def test_the_note_is_for_clinical_roles_and_the_timeline_never_shows_it(
    network: Network, clinician: User, client_a: Client, episode: Episode, personas: Personas
) -> None:
    session_record(actor=clinician, episode=episode, kind="motivational_interviewing", minutes=45, note=NOTE)
    assert ClientEvent.objects.get(kind="care.session").summary == "Motivational interviewing, 45 min"
    for role in (Role.CLINICIAN, Role.PRESCRIBER, Role.CASE_MANAGER):
        assert notes_seen_by(personas.by_role[role], client_a) == [NOTE], role
    for role in (Role.DISPENSER, Role.OUTREACH_WORKER, Role.SERVICE_MANAGER):
        assert notes_seen_by(personas.by_role[role], client_a) == [None], role


def test_beyond_the_organisation_only_clinical_roles_under_a_consent_covering_episodes(
    network: Network, clinician: User, client_a: Client, episode: Episode
) -> None:
    session_record(actor=clinician, episode=episode, kind="individual_counselling", minutes=30, note=NOTE)
    b_clinician, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.c", password=PASSWORD
    )
    b_outreach, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.o", password=PASSWORD
    )
    with pytest.raises(NotFound):
        notes_seen_by(b_clinician, client_a)
    share(clinician, client_a, [network.org_b], {"demographics"})
    assert notes_seen_by(b_clinician, client_a) == []
    share(clinician, client_a, [network.org_b], {"episodes"})
    assert notes_seen_by(b_clinician, client_a) == [NOTE]
    assert notes_seen_by(b_outreach, client_a) == [None]


def test_sessions_need_an_open_episode_and_the_holding_service(
    network: Network, clinician: User, episode: Episode, personas: Personas
) -> None:
    with pytest.raises(NotPermitted):
        session_record(actor=personas.by_role[Role.DISPENSER], episode=episode, kind="group", minutes=60)
    with pytest.raises(ServiceError) as bad:
        session_record(actor=clinician, episode=episode, kind="group", minutes=0)
    assert bad.value.field == "minutes"
    episode_discharge(actor=clinician, episode=episode, reason="completed")
    with pytest.raises(ServiceError) as ended:
        session_record(actor=clinician, episode=episode, kind="group", minutes=60)
    assert ended.value.field == "episode"
