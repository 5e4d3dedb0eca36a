"""The HSDS 3.0 export and API, validated against the Open Referral schemas (docs/hsds.md)."""

from __future__ import annotations

import json
from datetime import time
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cbtc.network.hsds import derived_id
from cbtc.network.models import (
    CostType,
    Gender,
    Language,
    Population,
    PyramidLevel,
    ServiceType,
    Weekday,
)
from cbtc.network.services.directory import organisation_create, service_create, site_create

pytestmark = pytest.mark.django_db

# The HSDS 3.0 schemas, copied unchanged with their licence (CC BY-SA 4.0) into tests/network/hsds-3.0/ from
# ../shared/reference/standards/hsds-3.0 (openreferral/specification @279fd2e), so validation never depends on
# anything outside the repository. A missing schema is a failure, not a skip.
SCHEMA_DIR = Path(__file__).resolve().parent / "hsds-3.0" / "schema"

# The schemas carry no $schema or $id: they are read as Draft 2020-12 (the dialect of their openapi.json,
# OpenAPI 3.1) and refer to each other by file name, resolved here from the folder, never fetched.
SCHEMAS = {path.name: json.loads(path.read_text()) for path in SCHEMA_DIR.glob("*.json") if path.name != "openapi.json"}
REGISTRY = Registry().with_resources(
    (name, Resource.from_contents(schema, default_specification=DRAFT202012)) for name, schema in SCHEMAS.items()
)


def _undeclared(obj: Any, schema_name: str, where: str = "") -> list[str]:
    """Fields the schema does not declare. HSDS allows extra fields, so jsonschema alone would miss a typo
    such as "opens_on"; this walks the nested objects through their $refs."""
    properties = SCHEMAS[schema_name]["properties"]
    found = []
    for key, value in obj.items():
        if key not in properties:
            found.append(f"{where}{key}")
            continue
        declared = properties[key]
        if "$ref" in declared:
            found += _undeclared(value, declared["$ref"], f"{where}{key}.")
        elif "$ref" in declared.get("items", {}):
            for index, item in enumerate(value):
                found += _undeclared(item, declared["items"]["$ref"], f"{where}{key}[{index}].")
    return found


def assert_valid(obj: dict[str, Any], schema_name: str) -> None:
    validator = Draft202012Validator(
        SCHEMAS[schema_name], registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]
    assert errors == [], errors
    assert _undeclared(obj, schema_name) == []


def export(*args: str) -> str:
    out = StringIO()
    call_command("hsds_export", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def exported_services(*args: str) -> dict[str, dict[str, Any]]:
    services = [json.loads(line) for line in export(*args).splitlines()]
    return {service["name"]: service for service in services}


@pytest.fixture
def directory(network):
    """The shared network, plus what the export must show or leave out."""
    network.site_a.latitude, network.site_a.longitude = Decimal("13.75630"), Decimal("100.50180")
    network.site_a.address, network.site_a.postal_code, network.site_a.phone = "12 River Road", "10100", "+66 2 000"
    network.site_a.directions = "Side entrance, next to the bus stop."
    network.site_a.save()
    women = Population.objects.create(code="women", name="Women who use drugs")
    khmer = Language.objects.create(code="km", name="Khmer")
    service_create(
        actor=None,
        site=network.site_a,
        name="Alpha Saturday women's group",
        type=ServiceType.PEER_SUPPORT,
        pyramid_level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
        gender=Gender.WOMEN,
        min_age=18,
        max_age=65,
        cost=CostType.FEE,
        cost_note="Sliding scale",
        wheelchair_accessible=True,
        accessibility_note="Ramp at the side entrance.",
        self_referral=False,
        populations=[women],
        languages=[khmer],
        opening_hours=[(Weekday.SATURDAY, time(9), time(12)), (Weekday.SUNDAY, time(9), time(12))],
    )
    service_create(
        actor=None,
        site=network.site_a,
        name="Alpha closed service",
        type=ServiceType.NALOXONE,
        pyramid_level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
        is_active=False,
    )
    closed_org = organisation_create(
        actor=None, name="Gamma closed organisation", type="ngo", admin_area=network.south, is_active=False
    )
    closed_site = site_create(actor=None, organisation=closed_org, name="Gamma site", admin_area=network.south_district)
    service_create(
        actor=None,
        site=closed_site,
        name="Gamma service",
        type=ServiceType.DROP_IN,
        pyramid_level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
    )
    return network


# --- The export command ---------------------------------------------------------------------------------


def test_every_exported_service_is_a_valid_hsds_service_with_organization_locations_and_schedules(directory):
    services = exported_services()
    assert set(services) == {"Alpha methadone clinic", "Alpha Saturday women's group", "Beta street outreach"}
    for service in services.values():
        assert_valid(service, "service.json")
        assert_valid(service["organization"], "organization.json")
        for at_location in service["service_at_locations"]:
            assert_valid(at_location, "service_at_location.json")
            assert_valid(at_location["location"], "location.json")
        for schedule in service["schedules"]:
            assert_valid(schedule, "schedule.json")
    methadone = services["Alpha methadone clinic"]
    assert methadone["id"] == str(directory.methadone_a.pk)
    assert methadone["organization"]["id"] == methadone["organization_id"] == str(directory.org_a.pk)
    location = methadone["service_at_locations"][0]["location"]
    assert location["id"] == str(directory.site_a.pk)
    assert (location["latitude"], location["longitude"]) == (13.7563, 100.5018)
    assert location["transportation"] == "Side entrance, next to the bus stop."
    assert location["addresses"] == [
        {
            "id": derived_id("address", directory.site_a.pk),
            "location_id": str(directory.site_a.pk),
            "address_1": "12 River Road",
            "city": "Hilltown",
            "state_province": "North",
            "postal_code": "10100",
            "country": "TL",
            "address_type": "physical",
        }
    ]
    assert location["phones"][0]["number"] == "+66 2 000"


def test_a_service_without_coordinates_or_street_address_is_still_valid(directory):
    outreach = exported_services()["Beta street outreach"]
    location = outreach["service_at_locations"][0]["location"]
    assert "latitude" not in location and "longitude" not in location
    assert location["addresses"] == []
    assert_valid(outreach, "service.json")


def test_a_service_keeps_its_own_hours_and_otherwise_its_sites(directory):
    services = exported_services()
    site_hours = {
        "freq": "WEEKLY",
        "byday": "MO,TU,WE,TH,FR",
        "opens_at": "08:00+07:00",
        "closes_at": "16:00+07:00",
        "timezone": 7,
    }
    methadone = services["Alpha methadone clinic"]  # no hours of its own: the site's
    assert [{key: s[key] for key in site_hours} for s in methadone["schedules"]] == [site_hours]
    assert methadone["schedules"][0]["service_id"] == methadone["id"]
    group = services["Alpha Saturday women's group"]  # hours of its own
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in group["schedules"]] == [
        ("SA,SU", "09:00+07:00", "12:00+07:00")
    ]
    # The location shows the site's own hours, whichever service it is nested in.
    for service in (methadone, group):
        location_hours = service["service_at_locations"][0]["location"]["schedules"]
        assert [(s["byday"], s["location_id"]) for s in location_hours] == [
            ("MO,TU,WE,TH,FR", str(directory.site_a.pk))
        ]
    assert services["Beta street outreach"]["schedules"] == []


def test_eligibility_cost_languages_and_taxonomy_use_hsds_fields(directory):
    group = exported_services()["Alpha Saturday women's group"]
    assert (group["minimum_age"], group["maximum_age"]) == (18, 65)
    assert group["eligibility_description"] == "Women only. Designed for: Women who use drugs."
    assert group["application_process"] == "A referral is needed."
    assert group["fees_description"] == "Fee charged. Sliding scale"
    assert group["cost_options"][0]["option"] == "Fee charged"
    assert [(lang["code"], lang["name"]) for lang in group["languages"]] == [("km", "Khmer")]
    assert group["service_at_locations"][0]["description"] == "Ramp at the side entrance."
    terms = {a["taxonomy_term"]["code"] for a in group["attributes"]}
    assert terms == {
        "service_type:peer_support",
        "pyramid_level:1",
        "delivery_mode:on_site",
        "gender:women",
        "accessibility:wheelchair",
        "population:women",
    }
    methadone = exported_services()["Alpha methadone clinic"]
    assert {a["taxonomy_term"]["code"] for a in methadone["attributes"]} == {
        "service_type:methadone",
        "pyramid_level:4",
        "delivery_mode:on_site",
    }
    assert methadone["cost_options"][0]["amount"] == 0
    assert methadone["wait_time"] == "About 3 days"
    organisation_terms = [a["taxonomy_term"]["code"] for a in methadone["organization"]["attributes"]]
    assert organisation_terms == ["organisation_type:government_health"]


def test_ids_are_stable_from_one_export_to_the_next(directory):
    assert export() == export()


def test_the_json_format_is_one_array_of_the_same_services(directory):
    as_array = json.loads(export("--format", "json"))
    assert as_array == [json.loads(line) for line in export().splitlines()]


def test_an_empty_directory_exports_an_empty_array(db):
    assert json.loads(export("--format", "json")) == []
    assert export() == ""


def test_the_export_reads_in_chunks_and_writes_a_file(directory, tmp_path):
    destination = tmp_path / "directory.ndjson"
    call_command("hsds_export", "--output", str(destination), "--chunk-size", "1", stderr=StringIO())
    written = [json.loads(line)["id"] for line in destination.read_text().splitlines()]
    assert written == sorted(service["id"] for service in exported_services().values())
    assert list(tmp_path.iterdir()) == [destination]  # no temporary file left behind


def test_the_export_costs_the_same_queries_for_two_services_or_twenty(directory):
    with CaptureQueriesContext(connection) as few:
        export()
    for number in range(17):
        service_create(
            actor=None,
            site=directory.site_a if number % 2 else directory.site_b,
            name=f"Extra service {number}",
            type=ServiceType.HIV_TESTING,
            pyramid_level=PyramidLevel.PRIMARY_HEALTH_CARE,
            populations=Population.objects.all(),
            languages=Language.objects.all(),
            opening_hours=[(Weekday.MONDAY, time(10), time(14))] if number % 3 else [],
        )
    with CaptureQueriesContext(connection) as many:
        assert len(export().splitlines()) == 20
    assert len(many) == len(few) <= 6  # the services, then one query per prefetched relation


# --- The API --------------------------------------------------------------------------------------------


def test_services_are_public_paged_and_valid(directory):
    response = Client().get("/api/v1/hsds/services?per_page=2")
    assert response.status_code == 200
    page = response.json()
    assert {key: page[key] for key in page if key != "contents"} == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    for service in page["contents"]:
        assert_valid(service, "service.json")
    last = Client().get("/api/v1/hsds/services?per_page=2&page=2").json()
    assert (last["size"], last["last_page"]) == (1, True)
    beyond = Client().get("/api/v1/hsds/services?per_page=2&page=9").json()
    assert (beyond["empty"], beyond["contents"]) == (True, [])


def test_one_service_through_the_api_equals_its_export(directory):
    methadone = directory.methadone_a
    response = Client().get(f"/api/v1/hsds/services/{methadone.pk}")
    assert response.status_code == 200
    assert response.json() == exported_services()["Alpha methadone clinic"]


def test_services_can_be_narrowed_by_organization_and_taxonomy_term(directory):
    by_org = Client().get(f"/api/v1/hsds/services?organization_id={directory.org_b.pk}").json()
    assert [s["name"] for s in by_org["contents"]] == ["Beta street outreach"]
    methadone_term = derived_id("taxonomy_term", "cbtc", "service_type:methadone")
    by_term = Client().get(f"/api/v1/hsds/services?taxonomy_term_id={methadone_term}").json()
    assert [s["name"] for s in by_term["contents"]] == ["Alpha methadone clinic"]
    women_term = derived_id("taxonomy_term", "cbtc", "population:women")
    by_population = Client().get(f"/api/v1/hsds/services?taxonomy_term_id={women_term}").json()
    assert [s["name"] for s in by_population["contents"]] == ["Alpha Saturday women's group"]
    unknown = Client().get(f"/api/v1/hsds/services?taxonomy_term_id={derived_id('nothing')}").json()
    assert unknown["total_items"] == 0
    later = Client().get("/api/v1/hsds/services?modified_after=2999-01-01T00:00:00").json()
    assert later["total_items"] == 0


def test_organizations_and_taxonomy_terms_are_valid(directory):
    organizations = Client().get("/api/v1/hsds/organizations").json()
    assert [o["name"] for o in organizations["contents"]] == ["Alpha Treatment Centre", "Beta Community Network"]
    for organization in organizations["contents"]:
        assert_valid(organization, "organization.json")
    one = Client().get(f"/api/v1/hsds/organizations/{directory.org_b.pk}")
    assert one.status_code == 200 and one.json()["id"] == str(directory.org_b.pk)
    terms = Client().get("/api/v1/hsds/taxonomy_terms?per_page=100").json()
    assert terms["total_items"] == terms["size"] > len(ServiceType) + len(PyramidLevel)
    for term in terms["contents"]:
        assert_valid(term, "taxonomy_term.json")
    meta = Client().get("/api/v1/hsds").json()
    assert meta["version"] == "3.0" and meta["openapi_url"].endswith("/api/v1/openapi.json")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/hsds/services?per_page=101", 422),
        ("/api/v1/hsds/services?per_page=0", 422),
        ("/api/v1/hsds/services?page=0", 422),
        ("/api/v1/hsds/services?page=10001", 422),
        ("/api/v1/hsds/services?page=abc", 422),
        ("/api/v1/hsds/services?organization_id=not-a-uuid", 422),
        ("/api/v1/hsds/services?taxonomy_term_id=%00", 422),
        ("/api/v1/hsds/services?modified_after=yesterday", 422),
        ("/api/v1/hsds/services/not-a-uuid", 422),
        ("/api/v1/hsds/services/00000000-0000-0000-0000-000000000000", 404),
        ("/api/v1/hsds/organizations/not-a-uuid", 422),
        ("/api/v1/hsds/organizations/00000000-0000-0000-0000-000000000000", 404),
        ("/api/v1/hsds/taxonomy_terms?per_page=1000", 422),
    ],
)
def test_bad_input_gets_a_clear_error_never_a_server_error(directory, path, status):
    response = Client().get(path)
    assert response.status_code == status, response.content
    assert response.json()["error"]["message"]


def test_inactive_services_and_organisations_are_not_found(directory):
    closed = directory.org_a.services.get(name="Alpha closed service")
    assert Client().get(f"/api/v1/hsds/services/{closed.pk}").status_code == 404
    gamma = type(directory.org_a).objects.get(name="Gamma closed organisation")
    assert Client().get(f"/api/v1/hsds/organizations/{gamma.pk}").status_code == 404
    gamma_service = gamma.services.get()
    assert Client().get(f"/api/v1/hsds/services/{gamma_service.pk}").status_code == 404
