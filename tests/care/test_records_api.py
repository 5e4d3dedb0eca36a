"""The rest of the care record through the API: outcome profiles and the change from the first, clinical events,
pregnancy, release plans and incidents; bad input is 422 with nothing written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.care.models import ClinicalEvent, Incident, OutcomeProfile, Pregnancy, ReleasePlan
from cbtc.care.services.episodes import EpisodeInput, episode_open
from cbtc.network.roles import Role
from tests.clients.test_registry import register
from tests.conftest import Network, Personas, bearer
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


def test_the_care_record_through_the_api(network: Network, personas: Personas) -> None:
    clinician = personas.by_role[Role.CLINICIAN]
    client = register(clinician, network.org_a, "MARE0101011970")
    treatment_consent(clinician, client)
    episode = episode_open(
        actor=clinician,
        client=client,
        data=EpisodeInput(service=network.methadone_a, modality="oat", referral_source="self"),
    )
    api = HttpClient(**bearer(clinician))
    base = f"/api/v1/clients/{client.pk}"

    def post(path: str, body: dict[str, Any]) -> Any:
        return api.post(f"{base}{path}", body, content_type="application/json")

    start = post(
        f"/episodes/{episode.pk}/outcome-profiles",
        {"stage": "start", "use": {"opioids": 25}, "answers": {"quality_of_life": 5, "paid_work_days": None}},
    )
    assert start.status_code == 201, start.content
    review = post(
        f"/episodes/{episode.pk}/outcome-profiles",
        {"stage": "review", "use": {"opioids": 5}, "answers": {"quality_of_life": 12}},
    )
    assert review.status_code == 201
    changes = {row["item"]: row for row in api.get(f"{base}/outcome-change").json()["changes"]}
    assert changes["use.opioids"]["change"] == -20 and changes["quality_of_life"]["change"] == 7
    assert changes["paid_work_days"]["change"] is None
    assert (
        post(
            f"/episodes/{episode.pk}/outcome-profiles", {"stage": "review", "answers": {"quality_of_life": 99}}
        ).status_code
        == 422
    )
    assert OutcomeProfile.objects.count() == 2

    assert post("/clinical-events", {"kind": "relapse", "episode_id": str(episode.pk)}).status_code == 201
    assert post("/clinical-events", {"kind": "drug_test"}).status_code == 422
    assert ClinicalEvent.objects.count() == 1

    expected = (timezone.localdate() + timedelta(days=100)).isoformat()
    assert (
        post("/pregnancies", {"expected_on": expected, "delivery_plan": "Antenatal clinic on Tuesdays"}).status_code
        == 201
    )
    assert Pregnancy.objects.count() == 1

    release = (timezone.localdate() + timedelta(days=10)).isoformat()
    plan = post(
        "/release-plans",
        {
            "release_on": release,
            "sending_service_id": str(network.methadone_a.pk),
            "continuity_service_id": str(network.outreach_b.pk),
            "naloxone_given": True,
            "naloxone_training": True,
        },
    )
    assert plan.status_code == 201 and ReleasePlan.objects.count() == 1

    today = timezone.localdate().isoformat()
    assert (
        post("/incidents", {"kind": "police_harassment", "occurred_on": today, "crisis_response": True}).status_code
        == 201
    )
    assert post("/incidents", {"kind": "informing", "occurred_on": today}).status_code == 422
    assert Incident.objects.count() == 1
