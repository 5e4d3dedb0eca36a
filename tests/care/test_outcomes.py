"""Outcome profiles: start, reviews and exit; "not answered" is never 0; ranges checked with the item named;
change from the first profile item by item."""

from __future__ import annotations

from typing import Any

import pytest

from cbtc.care.models import Episode, OutcomeProfile
from cbtc.care.services.episodes import EpisodeInput, episode_discharge, episode_open
from cbtc.care.services.outcomes import change_from_baseline, outcome_profile_record
from cbtc.clients.models import ClientEvent
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Role
from tests.clients.test_registry import register
from tests.conftest import Network, Personas
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


@pytest.fixture
def episode(network: Network, clinician: User) -> Episode:
    client = register(clinician, network.org_a, "MARE0101011970")
    treatment_consent(clinician, client)
    data = EpisodeInput(service=network.methadone_a, modality="oat", referral_source="self")
    return episode_open(actor=clinician, client=client, data=data)


def record(clinician: User, episode: Episode, stage: str, use: dict[str, int], **answers: Any) -> OutcomeProfile:
    return outcome_profile_record(actor=clinician, episode=episode, stage=stage, use=use, answers=answers)


def test_start_review_and_exit_with_change_from_baseline_and_unanswered_kept_apart(
    clinician: User, episode: Episode
) -> None:
    start = record(
        clinician,
        episode,
        "start",
        {"opioids": 28, "tobacco": 28},
        injecting_days=20,
        quality_of_life=6,
        paid_work_days=None,
    )
    review = record(
        clinician,
        episode,
        "review",
        {"opioids": 4, "tobacco": 28},
        injecting_days=0,
        quality_of_life=13,
        paid_work_days=8,
    )
    changes = {row.item: row for row in change_from_baseline(start, review)}
    assert changes["use.opioids"].change == -24 and changes["use.tobacco"].change == 0
    assert changes["injecting_days"].change == -20 and changes["quality_of_life"].change == 7
    assert changes["paid_work_days"].baseline is None and changes["paid_work_days"].change is None  # not 0
    assert changes["psychological_health"].baseline is None and changes["psychological_health"].latest is None
    with pytest.raises(ServiceError) as second_start:
        record(clinician, episode, "start", {})
    assert second_start.value.field == "stage"
    episode_discharge(actor=clinician, episode=episode, reason="completed")
    with pytest.raises(ServiceError):
        record(clinician, episode, "review", {})
    record(clinician, episode, "exit", {"opioids": 0})
    assert ClientEvent.objects.filter(kind="care.outcome_profile", category="outcomes").count() == 3


@pytest.mark.parametrize(
    ("use", "answers", "field"),
    [
        ({"opioids": 29}, {}, "use.opioids"),
        ({"glue": 3}, {}, "use.glue"),
        ({}, {"quality_of_life": 21}, "quality_of_life"),
        ({}, {"paid_work_days": -1}, "paid_work_days"),
        ({}, {"violence": 1}, "violence"),
        ({}, {"mood": 3}, "mood"),
        ({}, {"injecting_days": 0, "shared_injecting_equipment": True}, "shared_injecting_equipment"),
    ],
)
def test_answers_out_of_range_are_refused_with_the_item(
    clinician: User, episode: Episode, use: dict[str, int], answers: dict[str, Any], field: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        outcome_profile_record(actor=clinician, episode=episode, stage="start", use=use, answers=answers)
    assert refused.value.field == field
    assert not OutcomeProfile.objects.exists()


def test_only_the_holding_service(episode: Episode, personas: Personas) -> None:
    with pytest.raises(NotPermitted):
        record(personas.by_role[Role.DISPENSER], episode, "start", {})
