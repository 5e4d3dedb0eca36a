"""The OpenAPI document: every client and consent operation is described with its input and output, and no
path or query string is made to carry something that identifies a person."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cbtc.consent.models import Purpose

CLIENT_OPERATIONS = {
    ("get", "/api/v1/uic/schemes"),
    ("post", "/api/v1/uic/build"),
    ("post", "/api/v1/clients/duplicate-check"),
    ("post", "/api/v1/clients/search"),
    ("post", "/api/v1/clients"),
    ("get", "/api/v1/clients/{client_id}"),
    ("patch", "/api/v1/clients/{client_id}"),
    ("get", "/api/v1/clients/{client_id}/timeline"),
    ("post", "/api/v1/clients/{client_id}/merge"),
    ("post", "/api/v1/client-merges/{merge_id}/undo"),
    ("get", "/api/v1/clients/{client_id}/consents"),
    ("post", "/api/v1/clients/{client_id}/consents"),
    ("post", "/api/v1/consents/{consent_id}/revoke"),
    ("get", "/api/v1/clients/{client_id}/disclosures"),
    ("get", "/api/v1/clients/{client_id}/export"),
}
# Bodies are required where the operation takes input; these take none.
WITHOUT_BODY = {"/api/v1/client-merges/{merge_id}/undo"}
# Words that would put something identifying in a URL, where logs and browser histories keep it.
IDENTIFYING = re.compile(r"uic|code|name|text|q$|search|phone|address|national|nick|alias|answer|birth", re.I)
ALLOWED_QUERY = {"before_at", "before_id", "since"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return Client().get("/api/v1/openapi.json").json()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _success_schema(operation: dict[str, Any]) -> dict[str, Any]:
    success = [code for code in operation["responses"] if code in {"200", "201"}]
    assert success, operation["operationId"]
    return operation["responses"][success[0]]["content"]["application/json"]["schema"]


def test_every_client_and_consent_operation_is_described_with_request_and_response_schemas(schema):
    present = {(method, path) for method, path, _ in _operations(schema)}
    assert present >= CLIENT_OPERATIONS
    for method, path, operation in _operations(schema):
        if (method, path) not in CLIENT_OPERATIONS:
            continue
        assert "$ref" in _success_schema(operation), (method, path)
        error = operation["responses"].get("404") or operation["responses"].get("403")
        assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut"), (method, path)
        if method in {"post", "patch"} and path not in WITHOUT_BODY:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert "$ref" in body, (method, path)
        assert operation["security"] == [{"TokenAuth": []}], (method, path)


def test_registration_documents_the_duplicate_answer(schema):
    responses = schema["paths"]["/api/v1/clients"]["post"]["responses"]
    assert set(responses) >= {"200", "201", "409", "422"}
    assert responses["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/DuplicateErrorOut")


def test_paths_carry_opaque_ids_only(schema):
    for method, path, operation in _operations(schema):
        for name in re.findall(r"\{([^}]+)\}", path):
            assert name.endswith("_id"), path
            assert not IDENTIFYING.search(name.removesuffix("_id")), path
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                if (method, path) in CLIENT_OPERATIONS:
                    assert parameter["schema"]["format"] == "uuid", (method, path, parameter["name"])
            elif path.startswith(("/api/v1/clients", "/api/v1/client-merges", "/api/v1/consents", "/api/v1/uic")):
                # Query strings of client operations carry paging cursors and dates, never search terms.
                assert parameter["name"] in ALLOWED_QUERY, (method, path, parameter["name"])
                assert not IDENTIFYING.search(parameter["name"]), (method, path, parameter["name"])


def test_the_consent_purposes_are_the_closed_list(schema):
    consent_in = schema["components"]["schemas"]["ConsentIn"]
    purpose = consent_in["properties"]["purpose"]
    referenced = [option["$ref"] for option in purpose.get("anyOf", []) if "$ref" in option]
    enum = schema["components"]["schemas"][referenced[0].rsplit("/", 1)[-1]]["enum"]
    assert sorted(enum) == sorted(Purpose.values)
    assert len(enum) == 4
    assert not any(re.search(r"law|police|court|enforce|crim", value) for value in enum)
