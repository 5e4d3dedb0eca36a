"""The clients API, as a registration app and a case-management tool use it with personal tokens."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient

from cbtc.audit.models import AuditEvent
from cbtc.clients.models import Client, ClientEvent, InformationCategory
from cbtc.clients.services import timeline_add
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.conftest import PASSWORD, bearer

pytestmark = pytest.mark.django_db

CODE = "MARE0101011970"  # ph-doh: mother MA, father RE, first child, born 1 January 1970
ANSWERS = {"mother_first_name": "Maria", "father_first_name": "Remy", "birth_order": 1, "date_of_birth": "1970-01-01"}


def api(user: Any) -> HttpClient:
    return HttpClient(**bearer(user))


def post(client: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def patch(client: HttpClient, path: str, body: dict[str, Any]) -> Any:
    return client.patch(f"/api/v1{path}", body, content_type="application/json")


def fields_of(response: Any) -> list[str | None]:
    return [item["field"] for item in response.json()["error"]["fields"]]


@pytest.fixture
def worker(personas):
    return api(personas.by_role[Role.OUTREACH_WORKER])


@pytest.fixture
def outsider(personas):
    return api(personas.outsider_manager)


@pytest.fixture
def b_worker(network):
    """An outreach worker at organisation B, who registers B's own clients."""
    user, _ = staff_create(
        actor=None,
        organisation=network.org_b,
        role=Role.OUTREACH_WORKER,
        username="b.outreach",
        first_name="Ben",
        password=PASSWORD,
    )
    return api(user)


def register(client: HttpClient, **body: Any) -> dict[str, Any]:
    response = post(client, "/clients", {"uic": CODE, **body})
    assert response.status_code == 201, response.content
    return response.json()


# --- UIC ------------------------------------------------------------------------------------------------


def test_schemes_list_the_questions_and_mark_the_active_scheme(personas, worker):
    response = worker.get("/api/v1/uic/schemes")
    assert response.status_code == 200
    schemes = response.json()["schemes"]
    assert schemes[0]["code"] == "ph-doh" and schemes[0]["active"] is True
    keys = [question["key"] for question in schemes[0]["questions"]]
    assert keys[:4] == ["mother_first_name", "father_first_name", "birth_order", "date_of_birth"]
    assert {scheme["code"] for scheme in schemes} >= {"ph-doh", "pasmo"}


def test_a_code_is_built_from_answers_and_unknown_answers_lower_confidence(personas, worker):
    built = post(worker, "/uic/build", {"answers": ANSWERS})
    assert built.status_code == 200
    assert built.json() == {"code": CODE, "scheme": "ph-doh", "version": 1, "low_confidence": False}
    assert "no-store" in built["Cache-Control"]
    partial = post(worker, "/uic/build", {"answers": {**ANSWERS, "birth_order": None}}).json()
    assert partial["code"] == "MARE9901011970" and partial["low_confidence"] is True
    other = post(worker, "/uic/build", {"scheme": "pasmo", "answers": {"surname": "Perez", "sex": "male"}})
    assert other.json()["scheme"] == "pasmo"


def test_a_wrong_answer_names_its_question_and_never_repeats_it(personas, worker):
    response = post(worker, "/uic/build", {"answers": {**ANSWERS, "date_of_birth": "2999-01-01"}})
    assert response.status_code == 422
    assert fields_of(response) == ["answers.date_of_birth"]
    assert "2999" not in response.content.decode()
    unknown = post(worker, "/uic/build", {"scheme": "no-such-scheme", "answers": ANSWERS})
    assert fields_of(unknown) == ["scheme"]


# --- registration ---------------------------------------------------------------------------------------


def test_an_anonymous_registration_needs_only_a_code_and_a_nickname(personas, worker):
    response = post(worker, "/clients", {"uic": "mare-0101-011970", "identity": {"nickname": "Bee"}})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["uic"] == CODE  # normalised as typed from a card
    assert body["display_name"] == "Bee"
    assert body["identity"]["given_name"] == ""
    assert body["access"] == {"owner": True, "categories": sorted(InformationCategory.values), "shared_by": None}
    stored = Client.objects.get(pk=body["id"])
    assert "Bee" not in stored.identity_ciphertext  # encrypted at rest
    assert ClientEvent.objects.get(client=stored).summary == "Registered anonymously"


def test_a_full_registration_from_answers(personas, worker):
    body = register(
        worker,
        uic=None,
        uic_answers=ANSWERS,
        birth_year=1970,
        birth_month=1,
        sex_at_birth="female",
        gender_identity="transgender_woman",
        key_populations=["injects_drugs", "sex_worker"],
        substances=["heroin", "methamphetamine"],
        identity={"given_name": "Ana", "family_name": "Reyes", "phone": "+63 900 000 0000"},
    )
    assert body["uic"] == CODE and body["uic_low_confidence"] is False
    assert body["birth_year"] == 1970 and body["sex_at_birth"] == "female"
    assert body["key_populations"] == ["injects_drugs", "sex_worker"]
    assert [s["code"] for s in body["substances"]] == ["heroin", "methamphetamine"]
    assert body["display_name"] == "Ana Reyes"
    again = worker.get(f"/api/v1/clients/{body['id']}").json()
    assert again["identity"]["phone"] == "+63 900 000 0000"


def test_an_offline_retry_with_the_same_id_returns_the_client_already_registered(personas, worker):
    client_id = str(uuid.uuid4())
    first = post(worker, "/clients", {"id": client_id, "uic": CODE, "identity": {"nickname": "Bee"}})
    assert first.status_code == 201
    retry = post(worker, "/clients", {"id": client_id, "uic": CODE, "identity": {"nickname": "Bee"}})
    assert retry.status_code == 200
    assert retry.json()["id"] == client_id
    assert Client.objects.count() == 1
    other_code = post(worker, "/clients", {"id": client_id, "uic": "JOAN0201011980"})
    assert other_code.status_code == 422
    assert fields_of(other_code) == ["id"]


def test_possible_duplicates_answer_409_until_the_worker_confirms_a_new_person(personas, worker):
    first = register(worker, identity={"nickname": "Bee"})
    check = post(worker, "/clients/duplicate-check", {"uic_answers": ANSWERS})
    assert check.json() == {
        "candidates": [{"id": first["id"], "uic": CODE, "score": 100, "exact": True}],
        "known_elsewhere": False,
    }
    near = post(worker, "/clients", {"uic": "MARI0101011970"})
    assert near.status_code == 409
    error = near.json()["error"]
    assert error["message"] and error["known_elsewhere"] is False
    assert error["candidates"][0]["id"] == first["id"] and error["candidates"][0]["exact"] is False
    confirmed = post(worker, "/clients", {"uic": "MARI0101011970", "confirmed_new_person": True})
    assert confirmed.status_code == 201
    assert Client.objects.count() == 2


def test_a_match_at_another_organisation_is_only_reported_as_known_elsewhere(network, personas, worker, b_worker):
    register(b_worker, identity={"nickname": "Bee"})
    check = post(worker, "/clients/duplicate-check", {"uic": CODE})
    assert check.json() == {"candidates": [], "known_elsewhere": True}
    stopped = post(worker, "/clients", {"uic": CODE})
    assert stopped.status_code == 409
    assert stopped.json()["error"]["candidates"] == [] and stopped.json()["error"]["known_elsewhere"] is True


def test_registration_input_errors_name_their_fields(personas, worker):
    both = post(worker, "/clients", {"uic": CODE, "uic_answers": ANSWERS})
    assert both.status_code == 422 and fields_of(both) == ["uic"]
    neither = post(worker, "/clients", {})
    assert fields_of(neither) == ["uic"]
    bad_code = post(worker, "/clients", {"uic": "MARE01"})
    assert fields_of(bad_code) == ["uic"] and "14 characters" in bad_code.json()["error"]["message"]
    month_alone = post(worker, "/clients", {"uic": CODE, "birth_month": 3})
    assert fields_of(month_alone) == ["birth_month"]
    schema_errors = post(
        worker,
        "/clients",
        {"uic": CODE, "sex_at_birth": "unknown", "identity": {"nickname": "x" * 61}, "key_populations": ["police"]},
    )
    assert schema_errors.status_code == 422
    assert set(fields_of(schema_errors)) == {"sex_at_birth", "identity.nickname", "key_populations.0"}
    substance = post(worker, "/clients", {"uic": CODE, "substances": ["chocolate"]})
    assert fields_of(substance) == ["substances"]
    not_mine = post(worker, "/clients", {"uic": CODE, "organisation_id": str(personas.outsider_manager.pk)})
    assert fields_of(not_mine) == ["organisation_id"]


def test_roles_without_the_permission_are_refused_before_the_input_is_read(personas):
    dispenser = api(personas.by_role[Role.DISPENSER])  # may view clients, not register them
    response = post(dispenser, "/clients", {"uic": "not even a code"})
    assert response.status_code == 403
    assert "fields" not in response.json()["error"]


# --- reading and searching ------------------------------------------------------------------------------


def test_an_outsider_organisation_gets_404_and_finds_nothing(personas, worker, outsider, b_worker):
    client_id = register(worker, identity={"nickname": "Bee", "given_name": "Ana"})["id"]
    for path in (f"/clients/{client_id}", f"/clients/{client_id}/timeline"):
        response = outsider.get(f"/api/v1{path}")
        assert response.status_code == 404
        assert response.json() == {"error": {"message": "Not found."}}
    assert patch(b_worker, f"/clients/{client_id}", {"birth_year": 1980}).status_code == 404
    assert patch(outsider, f"/clients/{client_id}", {"birth_year": 1980}).status_code == 403  # for every id
    for terms in ({"uic": CODE}, {"text": "Ana"}, {}):
        assert post(outsider, "/clients/search", terms).json()["results"] == []
    # The same answer as for an id that does not exist at all.
    assert outsider.get(f"/api/v1/clients/{uuid.uuid4()}").json() == {"error": {"message": "Not found."}}


def test_search_by_name_words_national_id_or_code(personas, worker):
    ana = register(worker, identity={"given_name": "Ána", "family_name": "Reyes", "national_id": "AB-123"})["id"]
    register(worker, uic="JOAN0201011980", identity={"nickname": "Jo"}, confirmed_new_person=True)
    for terms in ({"text": "ana reyes"}, {"text": "ab123"}, {"uic": "mare 0101 011970"}):
        response = post(worker, "/clients/search", terms)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert [row["id"] for row in response.json()["results"]] == [ana], terms
    everyone = post(worker, "/clients/search", {}).json()
    assert len(everyone["results"]) == 2 and everyone["page"] == 1 and everyone["has_next"] is False
    row = everyone["results"][1]
    assert row["owner"] is True and row["display_name"] == "Ána Reyes" and row["uic"] == CODE
    assert AuditEvent.objects.filter(action="client.search").count() == 4


def test_search_terms_are_validated(personas, worker):
    response = post(worker, "/clients/search", {"text": "a\x00b", "page": 0})
    assert response.status_code == 422
    assert set(fields_of(response)) == {"text", "page"}


def test_a_patch_changes_only_the_fields_sent(personas, worker):
    body = register(worker, birth_year=1970, sex_at_birth="male", identity={"nickname": "Bee", "phone": "123"})
    response = patch(worker, f"/clients/{body['id']}", {"birth_month": 4, "identity": {"phone": "", "alias": "B"}})
    assert response.status_code == 200
    changed = response.json()
    assert changed["birth_year"] == 1970 and changed["birth_month"] == 4 and changed["sex_at_birth"] == "male"
    assert changed["identity"]["nickname"] == "Bee"
    assert changed["identity"]["phone"] == "" and changed["identity"]["alias"] == "B"
    assert "no-store" in response["Cache-Control"]
    invalid = patch(worker, f"/clients/{body['id']}", {"birth_year": 1800})
    assert invalid.status_code == 422 and fields_of(invalid) == ["birth_year"]


def test_the_timeline_is_paged_with_a_cursor(personas, network, worker):
    body = register(worker, identity={"nickname": "Bee"})
    client = Client.objects.get(pk=body["id"])
    for i in range(55):
        timeline_add(
            client=client,
            organisation_id=network.org_a.pk,
            kind="test.entry",
            category=InformationCategory.SCREENING,
            summary=f"Entry {i}",
            actor=None,
        )
    first = worker.get(f"/api/v1/clients/{body['id']}/timeline")
    assert first.status_code == 200
    page = first.json()
    assert len(page["entries"]) == 50 and page["next"] is not None
    assert page["entries"][0]["organisation"]["name"] == "Alpha Treatment Centre"
    cursor = page["next"]
    rest = worker.get(f"/api/v1/clients/{body['id']}/timeline", cursor).json()
    assert len(rest["entries"]) == 6 and rest["next"] is None
    assert rest["entries"][-1]["kind"] == "client.registered"
    half = worker.get(f"/api/v1/clients/{body['id']}/timeline", {"before_id": 3})
    assert half.status_code == 422


# --- merges ---------------------------------------------------------------------------------------------


def test_a_duplicate_is_merged_and_the_merge_undone(personas, worker):
    survivor = register(worker, identity={"nickname": "Bee"})["id"]
    duplicate = register(worker, uic="MARE0101011971", confirmed_new_person=True)["id"]
    case_manager = api(personas.by_role[Role.CASE_MANAGER])
    body = {"duplicate_id": duplicate, "reason": "client_confirmed"}
    assert post(worker, f"/clients/{survivor}/merge", body).status_code == 403  # outreach may not merge
    merged = post(case_manager, f"/clients/{survivor}/merge", body)
    assert merged.status_code == 201
    merge = merged.json()
    assert merge["survivor_id"] == survivor and merge["merged_id"] == duplicate and merge["undone_at"] is None
    assert case_manager.get(f"/api/v1/clients/{duplicate}").json()["merged_into_id"] == survivor
    assert [r["id"] for r in post(worker, "/clients/search", {}).json()["results"]] == [survivor]
    kinds = [e["kind"] for e in worker.get(f"/api/v1/clients/{survivor}/timeline").json()["entries"]]
    assert kinds.count("client.registered") == 2  # both timelines on the surviving record

    undone = post(case_manager, f"/client-merges/{merge['id']}/undo", {})
    assert undone.status_code == 200 and undone.json()["undone_at"] is not None
    assert case_manager.get(f"/api/v1/clients/{duplicate}").json()["merged_into_id"] is None
    again = post(case_manager, f"/client-merges/{merge['id']}/undo", {})
    assert again.status_code == 422


def test_merge_errors_name_the_input(personas, worker, outsider):
    survivor = register(worker)["id"]
    case_manager = api(personas.by_role[Role.CASE_MANAGER])
    itself = post(case_manager, f"/clients/{survivor}/merge", {"duplicate_id": survivor, "reason": "registered_twice"})
    assert itself.status_code == 422 and fields_of(itself) == ["duplicate_id"]
    unknown = post(
        case_manager, f"/clients/{survivor}/merge", {"duplicate_id": str(uuid.uuid4()), "reason": "code_mistyped"}
    )
    assert fields_of(unknown) == ["duplicate_id"]
    no_reason = post(case_manager, f"/clients/{survivor}/merge", {"duplicate_id": str(uuid.uuid4()), "reason": " "})
    assert no_reason.status_code == 422
    # The outsider's service manager may merge at B, but does not learn that this record exists.
    hidden = post(
        outsider, f"/clients/{survivor}/merge", {"duplicate_id": str(uuid.uuid4()), "reason": "code_mistyped"}
    )
    assert hidden.status_code == 404
