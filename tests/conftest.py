"""Shared fixtures: a small network with two organisations and personas for every role.

Personas (docs/architecture.md §6): staff at organisation A in each role, a service manager at
organisation B (the outsider), network-wide roles.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from cbtc.network.models import (
    AdminArea,
    AdminAreaLevel,
    Organisation,
    OrganisationType,
    PyramidLevel,
    Service,
    ServiceType,
    Site,
    User,
)
from cbtc.network.roles import Role
from cbtc.network.services.directory import admin_area_create, organisation_create, service_create, site_create
from cbtc.network.services.staff import staff_create
from cbtc.network.services.tokens import api_token_create

# The suite is deterministic: hypothesis draws the same examples on every run (CI and `make test`).
# HYPOTHESIS_PROFILE=explore searches new examples each run, for hunting bugs locally.
hypothesis_settings.register_profile("deterministic", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

PASSWORD = "correct horse battery staple"


@dataclass
class Network:
    country: AdminArea
    north: AdminArea
    north_district: AdminArea
    south: AdminArea
    south_district: AdminArea
    org_a: Organisation
    org_b: Organisation
    site_a: Site
    site_b: Site
    methadone_a: Service
    outreach_b: Service


@pytest.fixture
def network(db: None) -> Network:
    country = admin_area_create(actor=None, name="Testland", code="tl", level=AdminAreaLevel.COUNTRY)
    north = admin_area_create(actor=None, name="North", code="tl-n", level=AdminAreaLevel.PROVINCE, parent=country)
    north_district = admin_area_create(
        actor=None, name="Hilltown", code="tl-n-hill", level=AdminAreaLevel.DISTRICT, parent=north
    )
    south = admin_area_create(actor=None, name="South", code="tl-s", level=AdminAreaLevel.PROVINCE, parent=country)
    south_district = admin_area_create(
        actor=None, name="Bayside", code="tl-s-bay", level=AdminAreaLevel.DISTRICT, parent=south
    )
    org_a = organisation_create(
        actor=None, name="Alpha Treatment Centre", type=OrganisationType.GOVERNMENT_HEALTH, admin_area=north
    )
    org_b = organisation_create(
        actor=None, name="Beta Community Network", type=OrganisationType.COMMUNITY_LED, admin_area=south
    )
    weekdays = [(day, time(8), time(16)) for day in range(5)]
    site_a = site_create(
        actor=None,
        organisation=org_a,
        name="Alpha main clinic",
        admin_area=north_district,
        time_zone="Asia/Bangkok",
        opening_hours=weekdays,
    )
    site_b = site_create(
        actor=None, organisation=org_b, name="Beta drop-in", admin_area=south_district, time_zone="Asia/Bangkok"
    )
    methadone_a = service_create(
        actor=None,
        site=site_a,
        name="Alpha methadone clinic",
        type=ServiceType.METHADONE,
        pyramid_level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
        capacity=120,
        waiting_time_days=3,
    )
    outreach_b = service_create(
        actor=None,
        site=site_b,
        name="Beta street outreach",
        type=ServiceType.OUTREACH,
        pyramid_level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
        waiting_time_days=0,
    )
    return Network(
        country, north, north_district, south, south_district, org_a, org_b, site_a, site_b, methadone_a, outreach_b
    )


@dataclass
class Personas:
    by_role: dict[Role, User]
    outsider_manager: User  # service manager at organisation B
    no_role: User  # signed in, but holds no membership


@pytest.fixture
def personas(network: Network) -> Personas:
    by_role: dict[Role, User] = {}
    for role in Role:
        user, _ = staff_create(
            actor=None,
            organisation=network.org_a,
            role=role,
            username=f"a.{role.value}",
            first_name=role.label.split(" ")[0],
            password=PASSWORD,
        )
        by_role[role] = user
    outsider, _ = staff_create(
        actor=None,
        organisation=network.org_b,
        role=Role.SERVICE_MANAGER,
        username="b.manager",
        first_name="Bea",
        password=PASSWORD,
    )
    no_role = User.objects.create_user(username="nobody", password=PASSWORD)
    return Personas(by_role, outsider, no_role)


def signed_in_client(user: User) -> Client:
    """A browser session that went through the real sign-in page."""
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def bearer(user: User, name: str = "test") -> dict[str, str]:
    _, secret = api_token_create(actor=user, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
