"""Two organisations referring to each other: a clinician at A (who registered the client) and one at B, with
the directory's methadone clinic at A and street outreach at B."""

from __future__ import annotations

from typing import Any

import pytest

from cbtc.clients.models import Client
from cbtc.network.models import Organisation, OrganisationType, Service, User
from cbtc.network.roles import Role
from cbtc.network.services.directory import organisation_create
from cbtc.network.services.staff import staff_create
from cbtc.referrals.models import Referral
from cbtc.referrals.services import ReferralInput, referral_create
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas


@pytest.fixture
def worker_a(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


@pytest.fixture
def worker_b(network: Network) -> User:
    user, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.outreach", password=PASSWORD
    )
    return user


@pytest.fixture
def org_c(network: Network) -> Organisation:
    return organisation_create(
        actor=None, name="Gamma Health Centre", type=OrganisationType.GOVERNMENT_HEALTH, admin_area=network.south
    )


@pytest.fixture
def client_a(network: Network, worker_a: User) -> Client:
    return register(worker_a, network.org_a, "MARE0101011970")


def refer(
    actor: User, client: Client, sending: Service, receiving: Service, *, send: bool = True, **fields: Any
) -> Referral:
    data = ReferralInput(
        sending_service=sending, receiving_service=receiving, reason=fields.pop("reason", "oat"), **fields
    )
    return referral_create(actor=actor, client=client, data=data, send=send)
