"""Care plans: the client's goals by domain (reduced or safer use as valid as stopping), actions by the client,
staff or another service (a referral through referral_create), and the contingency referral when the plan fails."""

from __future__ import annotations

import pytest

from cbtc.care.models import Action, CarePlan, Episode, Goal, GoalKind
from cbtc.care.services.episodes import EpisodeInput, episode_discharge, episode_open
from cbtc.care.services.plans import ActionInput, GoalInput, care_plan_contingency, care_plan_create
from cbtc.clients.models import Client, ClientEvent
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.referrals.models import Referral
from tests.clients.test_registry import register
from tests.conftest import Network, Personas
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


@pytest.fixture
def episode(network: Network, clinician: User) -> Episode:
    client: Client = register(clinician, network.org_a, "MARE0101011970")
    treatment_consent(clinician, client)
    data = EpisodeInput(service=network.methadone_a, modality="oat", referral_source="self")
    return episode_open(actor=clinician, client=client, data=data)


def test_a_plan_with_goals_in_several_domains_and_actions_by_client_staff_and_another_service(
    network: Network, clinician: User, episode: Episode, personas: Personas
) -> None:
    plan = care_plan_create(
        actor=clinician,
        episode=episode,
        goals=[
            GoalInput(
                "substance_use",
                "Use less on weekdays",
                kind=GoalKind.REDUCED_USE,
                actions=[ActionInput("Keep a use diary", "client")],
            ),
            GoalInput(
                "housing",
                "A room of my own",
                actions=[ActionInput("Housing support", "other_service", refer_to=network.outreach_b)],
            ),
            GoalInput(
                "physical_health",
                "See to the wound",
                actions=[ActionInput("Dress the wound weekly", "staff", staff=personas.by_role[Role.CASE_MANAGER])],
            ),
        ],
        contingency_service=network.outreach_b,
    )
    assert Goal.objects.filter(plan=plan).count() == 3
    referral = Referral.objects.get(source_type="care.plan_action")
    assert referral.reason == "housing" and Action.objects.get(referral=referral).goal.domain == "housing"
    assert ClientEvent.objects.get(kind="care.plan_made").summary == (
        "Care plan: 3 goals (housing, physical health, substance use)"
    )
    contingency = care_plan_contingency(actor=clinician, plan=plan)
    assert (contingency.reason, contingency.urgency, contingency.source_type) == (
        "contingency",
        "urgent",
        "care.plan_contingency",
    )


@pytest.mark.parametrize(
    ("goals", "field"),
    [
        ([], "goals"),
        ([GoalInput("astrology", "x")], "goals.0.domain"),
        ([GoalInput("housing", "x", kind=GoalKind.ABSTINENCE)], "goals.0.kind"),
        ([GoalInput("housing", "   ")], "goals.0.text"),
        ([GoalInput("housing", "x", actions=[ActionInput("y", "staff")])], "goals.0.actions.0.staff"),
        ([GoalInput("housing", "x", actions=[ActionInput("y", "other_service")])], "goals.0.actions.0.refer_to"),
    ],
)
def test_bad_plans_are_refused_with_the_field_and_nothing_is_written(
    clinician: User, episode: Episode, goals: list[GoalInput], field: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        care_plan_create(actor=clinician, episode=episode, goals=goals)
    assert refused.value.field == field
    assert not CarePlan.objects.exists() and not Referral.objects.exists()


def test_every_kind_of_substance_use_goal_is_accepted(clinician: User, episode: Episode) -> None:
    for kind in (GoalKind.ABSTINENCE, GoalKind.REDUCED_USE, GoalKind.SAFER_USE):
        care_plan_create(actor=clinician, episode=episode, goals=[GoalInput("substance_use", "My goal", kind=kind)])
    assert CarePlan.objects.count() == 3


def test_no_plan_on_an_ended_episode_or_by_another_role(clinician: User, episode: Episode, personas: Personas) -> None:
    with pytest.raises(NotPermitted):
        care_plan_create(actor=personas.by_role[Role.DISPENSER], episode=episode, goals=[GoalInput("housing", "x")])
    episode_discharge(actor=clinician, episode=episode, reason="completed")
    with pytest.raises(ServiceError) as ended:
        care_plan_create(actor=clinician, episode=episode, goals=[GoalInput("housing", "x")])
    assert ended.value.field == "episode"
