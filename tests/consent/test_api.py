"""Consents, sharing under them, the accounting of disclosures and exports, through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.consent.exports import REDISCLOSURE_NOTICE
from cbtc.consent.models import Disclosure
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.clients.test_api import CODE, api, fields_of, post, register
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(personas) -> HttpClient:
    return api(personas.by_role[Role.OUTREACH_WORKER])


@pytest.fixture
def recipient(personas) -> HttpClient:
    """Organisation B's service manager: may view B's clients and what is shared with B."""
    return api(personas.outsider_manager)


@pytest.fixture
def client_id(worker) -> str:
    return register(
        worker, birth_year=1990, sex_at_birth="female", identity={"given_name": "Ana", "family_name": "Reyes"}
    )["id"]


def share(personas, network, **overrides: Any) -> dict[str, Any]:
    return {
        "kind": "disclosure",
        "method": "written",
        "given_at": timezone.now().isoformat(),
        "witnessed_by": str(personas.by_role[Role.OUTREACH_WORKER].pk),
        "recipients": [str(network.org_b.pk)],
        "categories": ["demographics", "screening"],
        "purpose": "care_coordination",
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        **overrides,
    }


def give(worker: HttpClient, client_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = post(worker, f"/clients/{client_id}/consents", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_consent_to_share_shows_the_recipient_only_the_consented_categories(
    personas, network, worker, recipient, client_id
):
    assert recipient.get(f"/api/v1/clients/{client_id}").status_code == 404
    consent = give(worker, client_id, share(personas, network))
    assert consent["in_force"] is True and consent["purpose"] == "care_coordination"
    assert consent["recipients"] == [{"id": str(network.org_b.pk), "name": "Beta Community Network"}]
    assert consent["witnessed_by"]["id"] == str(personas.by_role[Role.OUTREACH_WORKER].pk)

    response = recipient.get(f"/api/v1/clients/{client_id}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    record = response.json()
    assert record["uic"] == CODE and record["birth_year"] == 1990  # demographics: consented
    assert record["identity"] is None and record["display_name"] is None  # names: not consented
    assert record["access"]["owner"] is False
    assert record["access"]["categories"] == ["demographics", "screening"]
    assert record["access"]["shared_by"]["organisation"]["name"] == "Alpha Treatment Centre"
    assert record["access"]["shared_by"]["consents"][0]["id"] == consent["id"]

    timeline = recipient.get(f"/api/v1/clients/{client_id}/timeline").json()["entries"]
    assert {entry["category"] for entry in timeline} <= {"demographics", "screening"}
    shared = recipient.get(f"/api/v1/clients/{client_id}/consents").json()["consents"]
    assert [c["id"] for c in shared] == [consent["id"]] and shared[0]["witnessed_by"] is None

    found = post(recipient, "/clients/search", {"shared_only": True}).json()["results"]
    assert [(row["id"], row["owner"], row["uic"], row["display_name"]) for row in found] == [
        (client_id, False, CODE, None)
    ]
    # A name search cannot reach a record whose consent withholds names.
    assert post(recipient, "/clients/search", {"text": "Ana"}).json()["results"] == []


def test_withdrawing_the_consent_ends_access_at_once(personas, network, worker, recipient, client_id):
    consent = give(worker, client_id, share(personas, network))
    assert recipient.get(f"/api/v1/clients/{client_id}").status_code == 200
    revoked = post(worker, f"/consents/{consent['id']}/revoke", {"method": "verbal"})
    assert revoked.status_code == 200
    assert revoked.json()["in_force"] is False and revoked.json()["revocation_method"] == "verbal"
    assert recipient.get(f"/api/v1/clients/{client_id}").status_code == 404
    assert post(recipient, "/clients/search", {"shared_only": True}).json()["results"] == []
    again = post(worker, f"/consents/{consent['id']}/revoke", {"method": "verbal"})
    assert again.status_code == 422
    bad_method = post(worker, f"/consents/{consent['id']}/revoke", {"method": "telepathy"})
    assert bad_method.status_code == 422 and fields_of(bad_method) == ["method"]


def test_recipients_cannot_withdraw_or_record_consents_of_another_organisation(personas, network, worker, client_id):
    consent = give(worker, client_id, share(personas, network))
    b_user, _ = staff_create(
        actor=None,
        organisation=network.org_b,
        role=Role.CASE_MANAGER,
        username="b.case",
        first_name="Bo",
        password=PASSWORD,
    )
    b_case = api(b_user)
    assert post(b_case, f"/consents/{consent['id']}/revoke", {"method": "verbal"}).status_code == 404
    refused = post(b_case, f"/clients/{client_id}/consents", share(personas, network))
    assert refused.status_code == 403  # B sees the shared record, but consents are A's to record


def test_every_disclosure_is_in_the_accounting_with_the_notice(personas, network, worker, recipient, client_id):
    consent = give(worker, client_id, share(personas, network))
    recipient.get(f"/api/v1/clients/{client_id}")
    post(recipient, "/clients/search", {"shared_only": True})
    response = worker.get(f"/api/v1/clients/{client_id}/disclosures")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    accounting = response.json()
    assert accounting["notice"] == REDISCLOSURE_NOTICE
    assert accounting["next_before_id"] is None
    channels = [row["channel"] for row in accounting["disclosures"]]
    assert channels == ["list", "api"]  # newest first
    first = accounting["disclosures"][1]
    assert first["recipient_organisation"]["name"] == "Beta Community Network"
    assert first["recipient_staff_member"] == personas.outsider_manager.get_full_name()
    assert first["consent_id"] == consent["id"] and first["purpose"] == "care_coordination"
    assert first["categories"] == ["demographics", "screening"]
    later = worker.get(f"/api/v1/clients/{client_id}/disclosures", {"since": timezone.localdate() + timedelta(1)})
    assert later.json()["disclosures"] == []
    # The accounting is the disclosing organisation's record: a recipient never reads it (404 where the role
    # manages consents, 403 where it does not).
    assert recipient.get(f"/api/v1/clients/{client_id}/disclosures").status_code in (403, 404)


def test_exports_carry_the_notice_and_the_consent_they_are_shared_under(
    personas, network, worker, recipient, client_id
):
    own = worker.get(f"/api/v1/clients/{client_id}/export")
    assert own.status_code == 200
    assert "no-store" in own["Cache-Control"] and "attachment" in own["Content-Disposition"]
    assert own.json()["notice"] == REDISCLOSURE_NOTICE
    assert own.json()["identifying_details"] == {"given_name": "Ana", "family_name": "Reyes"}

    consent = give(worker, client_id, share(personas, network))
    shared = recipient.get(f"/api/v1/clients/{client_id}/export").json()
    assert shared["notice"] == REDISCLOSURE_NOTICE
    assert shared["identifying_details"] is None and shared["demographics"]["uic"] == CODE
    assert [c["consent_id"] for c in shared["shared_under_consents"]] == [consent["id"]]
    assert Disclosure.objects.filter(channel="export").count() == 1


def test_a_law_enforcement_purpose_does_not_exist(personas, network, worker, client_id):
    for purpose in ("law_enforcement", "police", "court"):
        response = post(worker, f"/clients/{client_id}/consents", share(personas, network, purpose=purpose))
        assert response.status_code == 422
        assert fields_of(response) == ["purpose"]
    assert Disclosure.objects.count() == 0


def test_consent_rules_answer_with_the_field_at_fault(personas, network, worker, client_id):
    def error(**overrides: Any) -> list[str | None]:
        response = post(worker, f"/clients/{client_id}/consents", share(personas, network, **overrides))
        assert response.status_code == 422, response.content
        return fields_of(response)

    assert error(expires_on=None) == ["expires_on"]
    assert error(purpose="research") == ["ethics_approval_reference"]
    assert error(recipients=[]) == ["recipients"]
    assert error(recipients=[str(network.org_a.pk)]) == ["recipients"]
    assert error(recipients=[str(personas.no_role.pk)]) == ["recipients"]  # not an organisation
    assert error(witnessed_by=str(personas.outsider_manager.pk)) == ["witnessed_by"]
    assert error(categories=["consents"]) == ["categories"]
    assert error(given_at="2026-01-01T10:00:00") == ["given_at"]  # no UTC offset
    assert error(given_at=(timezone.now() - timedelta(days=60)).isoformat()) == ["given_at"]


def test_a_treatment_consent_follows_the_minor_rule(personas, network, worker):
    unknown_age = register(worker, uic="JOAN0201011980")["id"]
    body = {
        "kind": "treatment",
        "method": "verbal",
        "given_at": timezone.now().isoformat(),
        "witnessed_by": str(personas.by_role[Role.CLINICIAN].pk),
    }
    refused = post(worker, f"/clients/{unknown_age}/consents", body)
    assert refused.status_code == 422 and fields_of(refused) == ["client_states_adult"]
    given = give(worker, unknown_age, {**body, "client_states_adult": True})
    assert given["kind"] == "treatment" and given["age_basis"] == "stated_adult" and given["purpose"] is None
    listed = worker.get(f"/api/v1/clients/{unknown_age}/consents").json()["consents"]
    assert [c["id"] for c in listed] == [given["id"]]


def test_reading_the_consents_a_record_is_shared_under_discloses_nothing_more(
    personas, network, worker, recipient, client_id
):
    consent = give(worker, client_id, share(personas, network))
    before = Disclosure.objects.count()
    shared = recipient.get(f"/api/v1/clients/{client_id}/consents")
    assert shared.status_code == 200
    assert [c["id"] for c in shared.json()["consents"]] == [consent["id"]]
    assert Disclosure.objects.count() == before
