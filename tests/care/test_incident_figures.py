"""Incidents outside the organisation only as figures: programme managers see counts by month and kind, small
counts hidden, with no client, service or organisation named; client-facing roles do not get the page."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.care.services.incidents import incident_record
from cbtc.network.roles import Role
from tests.clients.test_registry import register
from tests.conftest import Network, Personas, bearer, signed_in_client

pytestmark = pytest.mark.django_db


def test_a_programme_manager_sees_counts_with_small_ones_hidden(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = register(worker, network.org_a, "MARE0101011970")
    today = timezone.localdate()
    for _ in range(6):
        incident_record(actor=worker, organisation=network.org_a, kind="police_harassment", occurred_on=today)
    incident_record(actor=worker, organisation=network.org_a, kind="arrest", occurred_on=today, client=client)

    manager = personas.by_role[Role.PROGRAMME_MANAGER]
    page = signed_in_client(manager).get("/figures/incidents/?months=3").content.decode()
    assert "<td>6</td>" in page and "<td>&lt;5</td>" in page
    assert str(client.pk) not in page and network.org_a.name not in page
    assert AuditEvent.objects.filter(action="figures.incidents_view", actor_id=manager.pk).exists()

    api = HttpClient(raise_request_exception=False, **bearer(manager))
    body = api.get("/api/v1/figures/incidents?months=3").json()
    assert len(body["months"]) == 3
    rows = {row["kind"]: row["counts"][-1] for row in body["rows"]}
    assert rows["Police harassment"] == 6 and rows["Arrest or detention"] == "<5" and rows["Violence"] == 0
    refused = api.get("/api/v1/figures/incidents?months=7")
    assert refused.status_code == 422 and refused.json()["error"]["fields"][0]["field"] == "months"


def test_client_facing_roles_do_not_get_network_figures(personas: Personas) -> None:
    clinician = personas.by_role[Role.CLINICIAN]
    assert signed_in_client(clinician).get("/figures/incidents/").status_code == 403
    api = HttpClient(raise_request_exception=False, **bearer(clinician))
    assert api.get("/api/v1/figures/incidents").status_code == 403
