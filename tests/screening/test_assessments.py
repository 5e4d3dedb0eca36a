"""Assessments and brief interventions on a client: recorded by the registering service under a treatment
consent, results frozen at scoring time, read by a recipient only under a consent covering screening."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.clients.models import Client, ClientEvent
from cbtc.errors import ServiceError
from cbtc.network.models import User
from cbtc.screening import services as screening_services
from cbtc.screening.instruments import get_instrument
from cbtc.screening.models import Assessment, BriefIntervention
from cbtc.screening.services import assessment_record
from tests.clients.test_registry import register, share
from tests.conftest import Network, bearer
from tests.screening.conftest import OPIOIDS_HIGH, treatment_consent


def api(user: User) -> HttpClient:
    return HttpClient(**bearer(user))


def post(user: User, path: str, body: dict[str, Any]) -> Any:
    return api(user).post(path, body, content_type="application/json")


def assess(user: User, client: Client, answers: dict[str, Any] = OPIOIDS_HIGH, **extra: Any) -> Any:
    body = {"instrument": "assist", "answers": answers, "administration": "interviewer", **extra}
    return post(user, f"/api/v1/clients/{client.pk}/assessments", body)


def test_a_clinician_records_an_assist_and_the_result_is_kept_with_the_timeline_and_audit(
    client_a: Client, clinician: User
) -> None:
    response = assess(clinician, client_a)
    assert response.status_code == 201, response.content
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert (body["instrument"], body["instrument_version"], body["administration"]) == ("assist", "3.1", "interviewer")
    assert body["administration_validated"] is True
    assert body["result"]["substances"]["i"]["risk"] == "high"
    assert body["result"]["substances"]["b"]["risk"] == "lower"
    stored = Assessment.objects.get(pk=body["id"])
    assert stored.result == body["result"]
    assert stored.answers == OPIOIDS_HIGH
    event = ClientEvent.objects.get(client=client_a, kind="screening.assessed")
    assert event.category == "screening"
    assert event.summary == "WHO ASSIST v3.1: high risk for opioids"  # the title already carries the version
    assert event.object_id == str(stored.pk)
    audit = AuditEvent.objects.get(action="screening.assess")
    assert audit.object_id == str(stored.pk)
    assert audit.details["instrument"] == "assist"
    assert "answers" not in audit.details and "result" not in audit.details
    assert "daily" not in str(audit.details)

    listed = api(clinician).get(f"/api/v1/clients/{client_a.pk}/assessments")
    assert listed.status_code == 200
    assert "no-store" in listed["Cache-Control"]
    assert [a["id"] for a in listed.json()["assessments"]] == [str(stored.pk)]


def test_a_self_completed_assist_is_recorded_as_not_validated(client_a: Client, clinician: User) -> None:
    response = assess(clinician, client_a, administration="self_completed")
    assert response.status_code == 201
    assert response.json()["administration_validated"] is False


def test_without_treatment_consent_nothing_isrecorded_assist(network: Network, clinician: User) -> None:
    client = register(clinician, network.org_a, "JOSA0202021985")
    response = assess(clinician, client)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "client"
    assert not Assessment.objects.exists()
    with pytest.raises(ServiceError) as refused:
        assessment_record(
            actor=clinician,
            client=client,
            organisation=network.org_a,
            instrument="assist",
            answers=OPIOIDS_HIGH,
            administration="interviewer",
        )
    assert refused.value.field == "client"


def test_invalid_answers_are_refused_with_the_field(client_a: Client, clinician: User) -> None:
    answers = {**OPIOIDS_HIGH, "q2": {**OPIOIDS_HIGH["q2"], "i": "hourly"}}
    response = assess(clinician, client_a, answers)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "answers.q2.i"
    unknown = post(
        clinician,
        f"/api/v1/clients/{client_a.pk}/assessments",
        {"instrument": "nope", "answers": {}, "administration": "interviewer"},
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"][0]["field"] == "instrument"
    assert not Assessment.objects.exists()


def test_a_recipient_cannot_record_and_an_outsider_is_not_told_the_client_exists(
    network: Network, client_a: Client, clinician: User, clinician_b: User
) -> None:
    assert assess(clinician_b, client_a).status_code == 404
    share(clinician, client_a, [network.org_b], {"demographics", "screening"})
    assert assess(clinician_b, client_a).status_code == 403
    assert not Assessment.objects.exists()


def test_a_recipient_reads_assessments_only_under_a_consent_covering_screening(
    network: Network, client_a: Client, clinician: User, clinician_b: User
) -> None:
    assert assess(clinician, client_a).status_code == 201
    path = f"/api/v1/clients/{client_a.pk}/assessments"
    share(clinician, client_a, [network.org_b], {"demographics"})
    assert api(clinician_b).get(path).status_code == 403
    assert api(clinician_b).get(f"/api/v1/clients/{client_a.pk}/brief-interventions").status_code == 403
    share(clinician, client_a, [network.org_b], {"screening"})
    response = api(clinician_b).get(path)
    assert response.status_code == 200
    assert len(response.json()["assessments"]) == 1


def test_a_later_definition_change_never_rewrites_a_stored_result(
    client_a: Client, clinician: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = assess(clinician, client_a).json()
    original = get_instrument("assist")
    # A new revision where everything counts as lower risk (bands from 0 with no upper bound).
    lenient = {name: (dataclasses.replace(bands[0], maximum=None),) for name, bands in original.band_sets.items()}
    changed = dataclasses.replace(original, revision=original.revision + 1, band_sets=lenient)
    monkeypatch.setattr(screening_services, "get_instrument", lambda code: changed)
    second = assess(clinician, client_a).json()
    assert second["definition_revision"] == original.revision + 1
    assert second["result"]["substances"]["i"]["risk"] == "lower"
    stored = Assessment.objects.get(pk=first["id"])
    assert stored.definition_revision == original.revision
    assert stored.result["substances"]["i"]["risk"] == "high"
    listed = api(clinician).get(f"/api/v1/clients/{client_a.pk}/assessments").json()["assessments"]
    assert {a["id"]: a["result"]["substances"]["i"]["risk"] for a in listed} == {
        first["id"]: "high",
        second["id"]: "lower",
    }


def intervene(user: User, client: Client, **body: Any) -> Any:
    return post(
        user, f"/api/v1/clients/{client.pk}/brief-interventions", {"kind": "simple_advice", "minutes": 10, **body}
    )


def test_a_brief_intervention_is_recorded_with_its_follow_up(client_a: Client, clinician: User) -> None:
    assessment = assess(clinician, client_a).json()
    follow_up = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = intervene(
        clinician,
        client_a,
        kind="assist_linked",
        minutes=15,
        assessment_id=assessment["id"],
        take_home_material=True,
        material_kind="assist_feedback_card",
        follow_up_offered=True,
        follow_up_on=follow_up,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["minutes"], body["follow_up_on"]) == ("assist_linked", 15, follow_up)
    assert body["assessment_id"] == assessment["id"]
    event = ClientEvent.objects.get(client=client_a, kind="screening.brief_intervention")
    assert event.category == "screening"
    assert follow_up in event.summary
    audit = AuditEvent.objects.get(action="screening.brief_intervention")
    assert audit.details == {"client": str(client_a.pk), "kind": "assist_linked", "assessment": assessment["id"]}
    listed = api(clinician).get(f"/api/v1/clients/{client_a.pk}/brief-interventions").json()
    assert [b["id"] for b in listed["brief_interventions"]] == [body["id"]]


def test_an_assist_linked_intervention_needs_an_assist_of_the_same_client(
    network: Network, client_a: Client, clinician: User
) -> None:
    assert intervene(clinician, client_a, kind="assist_linked").json()["error"]["fields"][0]["field"] == (
        "assessment_id"
    )
    other = register(clinician, network.org_a, "JOSA0202021985")
    treatment_consent(clinician, other)
    others = assess(clinician, other).json()
    refused = intervene(clinician, client_a, kind="assist_linked", assessment_id=others["id"])
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "assessment_id"
    audit_c = post(
        clinician,
        f"/api/v1/clients/{client_a.pk}/assessments",
        {"instrument": "audit-c", "answers": {"q1": "never", "cutoff": "men"}, "administration": "self_completed"},
    )
    assert audit_c.status_code == 201, audit_c.content
    assert ClientEvent.objects.get(object_id=audit_c.json()["id"]).summary.endswith("score 0 of 12, negative screen")
    # An assessment that is not an ASSIST cannot anchor an ASSIST-linked intervention.
    not_assist = intervene(clinician, client_a, kind="assist_linked", assessment_id=audit_c.json()["id"])
    assert not_assist.status_code == 422
    assert not BriefIntervention.objects.exists()


def test_follow_up_rules(client_a: Client, clinician: User) -> None:
    today = timezone.localdate()
    past = intervene(clinician, client_a, follow_up_offered=True, follow_up_on=(today - timedelta(days=1)).isoformat())
    assert past.status_code == 422
    assert past.json()["error"]["fields"][0]["field"] == "follow_up_on"
    not_offered = intervene(clinician, client_a, follow_up_on=today.isoformat())
    assert not_offered.status_code == 422
    assert not_offered.json()["error"]["fields"][0]["field"] == "follow_up_on"
    no_material = intervene(clinician, client_a, take_home_material=True)
    assert no_material.json()["error"]["fields"][0]["field"] == "material_kind"
    assert intervene(clinician, client_a, minutes=0).status_code == 422
    assert not BriefIntervention.objects.exists()
    assert intervene(clinician, client_a, follow_up_offered=True, follow_up_on=today.isoformat()).status_code == 201
    assert intervene(clinician, client_a, follow_up_offered=True).status_code == 201


def test_a_brief_intervention_needs_treatment_consent_and_the_registering_service(
    network: Network, clinician: User, clinician_b: User
) -> None:
    client = register(clinician, network.org_a, "JOSA0202021985")
    refused = intervene(clinician, client)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "client"
    treatment_consent(clinician, client)
    assert intervene(clinician_b, client).status_code == 404
    share(clinician, client, [network.org_b], {"screening"})
    assert intervene(clinician_b, client).status_code == 403
    assert intervene(clinician, client).status_code == 201
