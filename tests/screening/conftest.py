"""Fixtures of the screening tests: a clinician at organisation A, a client of theirs under a treatment consent,
a clinician at organisation B, and a high-risk ASSIST to record."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cbtc.clients.models import Client
from cbtc.consent.models import ConsentKind, ConsentMethod
from cbtc.consent.services import ConsentInput, consent_record
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from cbtc.screening.models import Assessment
from cbtc.screening.services import assessment_record
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas
from tests.screening.instrument_helpers import assist_answers

OPIOIDS_HIGH = assist_answers(
    {
        "b": {"q2": "monthly", "q3": "monthly", "q4": "never", "q5": "never", "q6": "never", "q7": "never"},
        "i": {"q2": "daily", "q3": "daily", "q4": "daily", "q5": "daily", "q6": "past_3_months", "q7": "never"},
    },
    q8="never",
)


def treatment_consent(worker: User, client: Client) -> None:
    data = ConsentInput(
        kind=ConsentKind.TREATMENT,
        method=ConsentMethod.VERBAL,
        given_at=timezone.now() - timedelta(minutes=1),
        witnessed_by=worker,
    )
    consent_record(actor=worker, client=client, organisation=client.organisation, data=data)


def recorded_assist(
    client: Client, actor: User, answers: dict[str, object] | None = None, performed_at: datetime | None = None
) -> Assessment:
    return assessment_record(
        actor=actor,
        client=client,
        organisation=client.organisation,
        instrument="assist",
        answers=answers if answers is not None else OPIOIDS_HIGH,
        administration="interviewer",
        performed_at=performed_at,
    )


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


@pytest.fixture
def client_a(network: Network, clinician: User) -> Client:
    client = register(clinician, network.org_a, "MARE0101011970")
    treatment_consent(clinician, client)
    return client


@pytest.fixture
def clinician_b(network: Network) -> User:
    user, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.clinician", password=PASSWORD
    )
    return user
