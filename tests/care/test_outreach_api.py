"""Outreach contacts through the API: named and anonymous, listed per organisation in a fixed number of queries,
bad input answered with 422 and its field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from cbtc.care.models import OutreachContact
from cbtc.clients.models import Client
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(personas: Personas) -> User:
    return personas.by_role[Role.OUTREACH_WORKER]


def post(api: HttpClient, body: dict[str, Any]) -> Any:
    return api.post("/api/v1/outreach-contacts", body, content_type="application/json")


def test_named_and_anonymous_contacts_are_recorded_and_listed(network: Network, worker: User) -> None:
    api = HttpClient(**bearer(worker))
    client: Client = register(worker, network.org_a, "MARE0101011970")
    named = post(
        api,
        {
            "organisation_id": str(network.org_a.pk),
            "place": "drop_in",
            "client_id": str(client.pk),
            "supplies": [{"item": "naloxone_kits", "quantity": 2}],
            "overdoses": [{"naloxone_given_by": "peer", "naloxone_doses": 1, "outcome": "to_hospital"}],
        },
    )
    assert named.status_code == 201, named.content
    assert named.json()["client_id"] == str(client.pk) and named.json()["supplies"][0]["quantity"] == 2
    tally = post(
        api,
        {
            "organisation_id": str(network.org_a.pk),
            "place": "street",
            "people_count": 4,
            "tally": [{"dimension": "sex", "value": "female", "count": 3}],
            "supplies": [{"item": "hiv_rapid_test", "quantity": 2, "pre_test_counselling": True}],
        },
    )
    assert tally.status_code == 201 and tally.json()["client_id"] is None
    for _ in range(3):
        post(api, {"organisation_id": str(network.org_a.pk), "place": "online"})
    with CaptureQueriesContext(connection) as few:
        listed = api.get("/api/v1/outreach-contacts")
    assert listed.status_code == 200 and len(listed.json()["contacts"]) == 5
    for _ in range(5):
        post(api, {"organisation_id": str(network.org_a.pk), "place": "online"})
    with CaptureQueriesContext(connection) as more:
        assert len(api.get("/api/v1/outreach-contacts").json()["contacts"]) == 10
    assert len(more) == len(few)  # no query per contact


@pytest.mark.parametrize(
    "changes",
    [
        {"place": "police_station"},
        {"people_count": 0},
        {"tally": [{"dimension": "sex", "value": "fe\u0000male", "count": 1}]},
        {"supplies": [{"item": "condoms", "quantity": 5}, {"item": "condoms", "quantity": 6}]},
        {"client_id": "not-a-uuid"},
        {"area_id": "00000000-0000-0000-0000-000000000000"},
        {"contact_at": "2026-11-22T10:00:00"},
    ],
)
def test_bad_input_is_422_with_nothing_written(network: Network, worker: User, changes: dict[str, Any]) -> None:
    api = HttpClient(**bearer(worker))
    response = post(api, {"organisation_id": str(network.org_a.pk), "place": "street", **changes})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["message"]
    assert not OutreachContact.objects.exists()


def test_another_organisation_is_refused(network: Network, worker: User) -> None:
    api = HttpClient(**bearer(worker))
    assert post(api, {"organisation_id": str(network.org_b.pk), "place": "street"}).status_code == 403
    assert not OutreachContact.objects.exists()


def test_another_organisation_s_client_is_answered_like_an_unknown_one(network: Network, worker: User) -> None:
    other_worker, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.o2", password=PASSWORD
    )
    theirs = register(other_worker, network.org_b, "MARE0101011970")
    api = HttpClient(**bearer(worker))
    body = {"organisation_id": str(network.org_a.pk), "place": "street"}
    known = post(api, {**body, "client_id": str(theirs.pk)})
    unknown = post(api, {**body, "client_id": "00000000-0000-0000-0000-000000000001"})
    assert known.status_code == unknown.status_code == 422
    assert known.json() == unknown.json()
