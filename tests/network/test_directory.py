"""The service directory, as staff use it on the web and through the API."""

from __future__ import annotations

import pytest
from django.test import Client

from cbtc.errors import ServiceError
from cbtc.network.models import ApiToken, OrganisationType, PyramidLevel, ServiceType
from cbtc.network.roles import Role
from cbtc.network.services.directory import organisation_create, service_create, site_create
from cbtc.network.services.tokens import api_token_revoke
from tests.conftest import bearer, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(personas):
    return signed_in_client(personas.by_role[Role.OUTREACH_WORKER])


@pytest.fixture
def api_client(personas):
    return Client(**bearer(personas.by_role[Role.PROGRAMME_MANAGER]))


def test_the_directory_lists_every_active_service(network, worker):
    page = worker.get("/directory/")
    assert page.status_code == 200
    assert b"2 services found" in page.content
    assert b"Alpha methadone clinic" in page.content and b"Beta street outreach" in page.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=methadone", {"Alpha methadone clinic"}),
        ("level=1", {"Beta street outreach"}),
        ("region=tl-s", {"Beta street outreach"}),
        ("region=tl-n-hill", {"Alpha methadone clinic"}),
        ("region=tl", {"Alpha methadone clinic", "Beta street outreach"}),
        ("org_type=community_led", {"Beta street outreach"}),
        ("q=alpha", {"Alpha methadone clinic"}),
        ("type=methadone&region=tl-s", set()),
    ],
)
def test_each_filter_narrows_the_list(network, worker, query, expected):
    content = worker.get(f"/directory/?{query}").content.decode()
    shown = {name for name in ("Alpha methadone clinic", "Beta street outreach") if name in content}
    assert shown == expected


def test_an_invalid_filter_is_reported_next_to_its_field(network, worker):
    response = worker.get("/directory/?level=9&type=teleportation")
    assert response.status_code == 400
    assert b'id="id_level_error"' in response.content
    assert b'id="id_type_error"' in response.content


def test_htmx_requests_get_only_the_results_fragment(network, worker):
    response = worker.get("/directory/?type=outreach", HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"Beta street outreach" in response.content
    assert "HX-Request" in response["Vary"]


def test_the_directory_is_paginated_with_a_fixed_number_of_queries(
    network, worker, settings, django_assert_max_num_queries
):
    for i in range(40):
        service_create(
            actor=None,
            site=network.site_a,
            name=f"Counselling group {i:02d}",
            type=ServiceType.OUTPATIENT_PSYCHOSOCIAL,
            pyramid_level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
        )
    with django_assert_max_num_queries(12):
        first = worker.get("/directory/")
    assert b"42 services found" in first.content
    assert first.content.count(b'class="card result"') == settings.DIRECTORY_PAGE_SIZE
    last = worker.get("/directory/?page=2")
    assert last.content.count(b'class="card result"') == 42 - settings.DIRECTORY_PAGE_SIZE


def test_service_and_organisation_pages_show_what_a_referrer_needs(network, worker):
    page = worker.get(f"/directory/services/{network.methadone_a.pk}/")
    text = page.content.decode()
    for expected in (
        "Alpha methadone clinic",
        "Specialised drug dependence treatment",
        "About 3 days",
        "120 clients",
        "Monday",
        "08:00–16:00",
        "Asia/Bangkok",
    ):
        assert expected in text
    org = worker.get(f"/directory/organisations/{network.org_a.pk}/")
    assert b"Alpha methadone clinic" in org.content


def test_unknown_services_are_404(network, worker):
    assert worker.get("/directory/services/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_site_needs_a_real_time_zone(network):
    with pytest.raises(ServiceError) as error:
        site_create(
            actor=None, organisation=network.org_a, name="Bad", admin_area=network.north, time_zone="Mars/Olympus"
        )
    assert error.value.field == "time_zone"


# --- API -----------------------------------------------------------------------------------------------


def test_api_me_tells_who_is_calling(personas, api_client):
    body = api_client.get("/api/v1/me").json()
    assert body["username"] == "a.programme_manager"
    assert body["roles"][0]["role"] == "programme_manager"
    assert "aggregates.view" in body["permissions"]
    assert "client.view" not in body["permissions"]


def test_api_services_apply_the_same_filters(network, api_client):
    body = api_client.get("/api/v1/services?type=methadone&region=tl").json()
    assert body["count"] == 1
    service = body["results"][0]
    assert service["name"] == "Alpha methadone clinic"
    assert service["pyramid_level"] == 4
    assert service["site"]["region"]["code"] == "tl-n-hill"
    assert api_client.get("/api/v1/services?level=1").json()["results"][0]["name"] == "Beta street outreach"


def test_api_rejects_bad_filters_with_the_field_and_reason(network, api_client):
    bad_level = api_client.get("/api/v1/services?level=9")
    assert bad_level.status_code == 422
    assert bad_level.json()["error"]["fields"][0]["field"] == "level"
    bad_region = api_client.get("/api/v1/services?region=nowhere")
    assert bad_region.status_code == 422
    assert bad_region.json()["error"]["fields"] == [{"field": "region", "reason": "No region has the code 'nowhere'."}]
    too_many = api_client.get("/api/v1/services?limit=1000")
    assert too_many.status_code == 422


def test_api_service_detail_and_organisations(network, api_client):
    detail = api_client.get(f"/api/v1/services/{network.methadone_a.pk}").json()
    assert detail["opening_hours"][0] == {"weekday": 0, "opens_at": "08:00", "closes_at": "16:00"}
    assert api_client.get("/api/v1/services/not-a-uuid").status_code == 404
    orgs = api_client.get("/api/v1/organisations?region=tl-s").json()
    assert [o["name"] for o in orgs["results"]] == ["Beta Community Network"]
    one = api_client.get(f"/api/v1/organisations/{network.org_a.pk}").json()
    assert one["region"]["code"] == "tl-n"


def test_api_lists_are_paginated(network, api_client):
    body = api_client.get("/api/v1/services?limit=1&offset=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["offset"] == 1


def test_revoked_tokens_stop_working_at_once(personas):
    user = personas.by_role[Role.CLINICIAN]
    client = Client(**bearer(user))
    assert client.get("/api/v1/me").status_code == 200
    api_token_revoke(actor=user, token=ApiToken.objects.get(user=user))
    assert client.get("/api/v1/me").status_code == 401


def test_tokens_are_created_and_revoked_on_the_tokens_page(personas):
    client = signed_in_client(personas.by_role[Role.CLINICIAN])
    created = client.post("/account/tokens/", {"name": "Reporting script"})
    assert "no-store" in created["Cache-Control"]
    secret = created.content.decode().split('<p class="secret">')[1].split("<")[0]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(name="Reporting script")
    assert token.digest != secret and secret not in token.prefix
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").status_code == 401


def test_the_openapi_document_describes_the_directory():
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "cbtc API"
    for path in ("/api/v1/me", "/api/v1/services", "/api/v1/services/{service_id}", "/api/v1/organisations"):
        assert path in schema["paths"]
    assert "BearerAuth" in str(schema["components"]["securitySchemes"]) or "TokenAuth" in str(schema["components"])


def test_districts_appear_in_the_region_list_once_their_province_is_chosen(network, worker):
    first = worker.get("/directory/").content.decode()
    assert 'value="tl-n"' in first
    assert 'value="tl-n-hill"' not in first  # districts wait for a province
    chosen = worker.get("/directory/?region=tl-n").content.decode()
    assert 'value="tl-n-hill"' in chosen and 'value="tl-s-bay"' not in chosen
    fragment = worker.get("/directory/?region=tl-n-hill", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-swap-oob="true"' in fragment
    assert 'value="tl-n-hill" selected' in fragment


@pytest.mark.parametrize("query", ["region=%00", "region=a%00b", "q=%00", "type=%00", "level=%00", "page=%00"])
def test_control_characters_in_filters_never_cause_a_server_error(network, worker, api_client, query):
    assert worker.get(f"/directory/?{query}").status_code in (200, 400)
    for path in ("/api/v1/services", "/api/v1/organisations"):
        assert api_client.get(f"{path}?{query}").status_code in (200, 422)


def test_api_lists_cost_a_fixed_number_of_queries(network, api_client, django_assert_max_num_queries):
    for i in range(12):
        service_create(
            actor=None,
            site=network.site_b,
            name=f"Peer group {i}",
            type=ServiceType.PEER_SUPPORT,
            pyramid_level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
        )
    with django_assert_max_num_queries(6):
        assert len(api_client.get("/api/v1/services?limit=100").json()["results"]) == 14
    for i in range(8):
        organisation_create(
            actor=None, name=f"Extra organisation {i}", type=OrganisationType.NGO, admin_area=network.north
        )
    with django_assert_max_num_queries(6):
        assert len(api_client.get("/api/v1/organisations").json()["results"]) == 10
