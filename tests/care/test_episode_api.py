"""Episodes through the API: open, review, discharge (involuntary needs its documentation), the reviews-due
worklist, and what another organisation sees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.care.models import Episode
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.clients.test_registry import register, share
from tests.conftest import PASSWORD, Network, Personas, bearer
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


def post(api: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return api.post(path, body, content_type="application/json")


def test_open_review_and_discharge_through_the_api(network: Network, clinician: User, personas: Personas) -> None:
    client = register(clinician, network.org_a, "MARE0101011970")
    treatment_consent(clinician, client)
    api = HttpClient(**bearer(clinician))
    base = f"/api/v1/clients/{client.pk}/episodes"
    opened = post(
        api, base, {"service_id": str(network.methadone_a.pk), "modality": "oat", "referral_source": "peer_outreach"}
    )
    assert opened.status_code == 201, opened.content
    episode = opened.json()
    assert episode["status"] == "active" and episode["next_review_on"]

    due = api.get(f"/api/v1/organisations/{network.org_a.pk}/reviews-due?days=120").json()
    assert [e["id"] for e in due["episodes"]] == [episode["id"]]
    assert api.get(f"/api/v1/organisations/{network.org_a.pk}/reviews-due?days=7").json()["episodes"] == []
    soon = (timezone.localdate() + timedelta(days=10)).isoformat()
    reviewed = post(api, f"{base}/{episode['id']}/review", {"next_review_on": soon})
    assert reviewed.status_code == 200 and reviewed.json()["next_review_on"] == soon

    refused = post(api, f"{base}/{episode['id']}/discharge", {"reason": "involuntary_for_safety"})
    assert refused.status_code == 422
    ended = post(
        api,
        f"{base}/{episode['id']}/discharge",
        {
            "reason": "involuntary_for_safety",
            "safety_reason": "Violence towards another client.",
            "measures_tried": "Mediation; a change of group.",
            "reviewed_by_id": str(personas.by_role[Role.CASE_MANAGER].pk),
            "contingency_service_id": str(network.outreach_b.pk),
        },
    )
    assert ended.status_code == 200, ended.content
    assert ended.json()["status"] == "finished" and ended.json()["contingency_referral_id"]
    again = post(api, f"{base}/{episode['id']}/status", {"status": "active"})
    assert again.status_code == 422
    assert len(api.get(base).json()["episodes"]) == 1


def test_another_organisation_sees_episodes_only_under_a_consent_covering_them(
    network: Network, clinician: User
) -> None:
    client = register(clinician, network.org_a, "MARE0101011970")
    treatment_consent(clinician, client)
    post(
        HttpClient(**bearer(clinician)),
        f"/api/v1/clients/{client.pk}/episodes",
        {"service_id": str(network.methadone_a.pk), "modality": "oat", "referral_source": "self"},
    )
    other, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.cl", password=PASSWORD
    )
    api = HttpClient(**bearer(other))
    assert api.get(f"/api/v1/clients/{client.pk}/episodes").status_code == 404
    share(clinician, client, [network.org_b], {"demographics"})
    assert api.get(f"/api/v1/clients/{client.pk}/episodes").status_code == 403
    share(clinician, client, [network.org_b], {"episodes"})
    listed = api.get(f"/api/v1/clients/{client.pk}/episodes")
    assert listed.status_code == 200 and len(listed.json()["episodes"]) == 1
    opened = post(
        api,
        f"/api/v1/clients/{client.pk}/episodes",
        {"service_id": str(network.outreach_b.pk), "modality": "oat", "referral_source": "self"},
    )
    assert opened.status_code == 403 and Episode.objects.count() == 1
    assert api.get(f"/api/v1/organisations/{network.org_a.pk}/reviews-due").status_code == 404
