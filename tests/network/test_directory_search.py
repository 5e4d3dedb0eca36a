"""Directory search: distance from a site, open now in each site's time zone, eligibility, language, cost and
waiting time; on the staff page, in the API, and in the public directory anyone can open without signing in."""

from __future__ import annotations

import math
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cbtc.errors import ServiceError
from cbtc.network import forms, nearby
from cbtc.network.models import (
    CostType,
    Gender,
    Language,
    OpeningHours,
    Population,
    PyramidLevel,
    Service,
    ServiceType,
    Site,
)
from cbtc.network.roles import Role
from cbtc.network.selectors import DirectoryFilters, public_service_search, service_search
from cbtc.network.services.directory import service_create, site_create
from tests.conftest import Network, Personas, bearer, signed_in_client

pytestmark = pytest.mark.django_db

ORIGIN = (Decimal("14.00000"), Decimal("100.50000"))  # Alpha's clinic
KM_PER_DEGREE_LONGITUDE_AT_14 = 111.195 * math.cos(math.radians(14))
WEEKDAYS_8_TO_16 = [(day, time(8), time(16)) for day in range(5)]
# Monday 23 November 2026: 10:00 in Bangkok (UTC+7), still Sunday 22:00 in Lima (UTC-5).
MONDAY_10_BANGKOK = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
# Monday 09:00 in Lima, 21:00 in Bangkok.
MONDAY_9_LIMA = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
SATURDAY_11_BANGKOK = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
WEEK_START = MONDAY_10_BANGKOK.replace(tzinfo=None, hour=0)


@dataclass
class Catalogue:
    network: Network
    lima: Site
    east_5km: Site
    east_40km: Site
    youth: Service  # own hours (Saturday) override its site's weekday hours
    women: Service
    night: Service  # until midnight, every day
    lima_service: Service  # keeps its Lima site's hours
    residential: Service
    far: Service


def _east(km: float) -> dict[str, Decimal]:
    return {"latitude": ORIGIN[0], "longitude": ORIGIN[1] + Decimal(f"{km / KM_PER_DEGREE_LONGITUDE_AT_14:.5f}")}


def _service(site: Site, name: str, **fields: object) -> Service:
    fields.setdefault("type", ServiceType.PEER_SUPPORT)
    fields.setdefault("pyramid_level", PyramidLevel.INFORMAL_COMMUNITY_CARE)
    return service_create(actor=None, site=site, name=name, **fields)


@pytest.fixture
def catalogue(network: Network) -> Catalogue:
    young = Population.objects.create(code="young_people", name="Young people")
    women = Population.objects.create(code="women", name="Women")
    Population.objects.create(code="families", name="Families")
    khmer = Language.objects.create(code="km", name="Khmer")
    english = Language.objects.create(code="en", name="English")
    Language.objects.create(code="th", name="Thai")
    network.site_a.latitude, network.site_a.longitude = ORIGIN
    network.site_a.save(update_fields=["latitude", "longitude"])
    network.methadone_a.languages.set([english])
    org = network.org_b
    area = network.north_district
    east_5km = site_create(
        actor=None, organisation=org, name="East 5", admin_area=area, time_zone="Asia/Bangkok", **_east(5)
    )
    east_40km = site_create(
        actor=None, organisation=org, name="East 40", admin_area=area, time_zone="Asia/Bangkok", **_east(40)
    )
    lima = site_create(
        actor=None,
        organisation=org,
        name="Lima office",
        address="Jirón Example 12",
        admin_area=network.south_district,
        time_zone="America/Lima",
        opening_hours=WEEKDAYS_8_TO_16,
    )
    return Catalogue(
        network=network,
        lima=lima,
        east_5km=east_5km,
        east_40km=east_40km,
        youth=_service(
            network.site_a,
            "Youth drop-in",
            min_age=12,
            max_age=24,
            populations=[young],
            languages=[khmer],
            cost=CostType.FREE,
            waiting_time_days=0,
            opening_hours=[(5, time(10), time(14))],
        ),
        women=_service(
            east_5km,
            "Women's clinic",
            gender=Gender.WOMEN,
            populations=[women],
            languages=[english, khmer],
            cost=CostType.SUBSIDISED,
            waiting_time_days=10,
            min_age=16,
        ),
        night=_service(
            east_5km,
            "Night outreach",
            languages=[khmer],
            opening_hours=[(day, time(20), time(23, 59)) for day in range(7)],
        ),
        lima_service=_service(lima, "Lima peer group", gender=Gender.TRANSGENDER_NONBINARY, cost=CostType.INSURANCE),
        residential=_service(
            east_40km, "Adult residential", min_age=18, cost=CostType.FEE, waiting_time_days=30, populations=[women]
        ),
        far=_service(east_40km, "Far counselling", max_age=17),
    )


def names(found: object) -> set[str]:
    return {service.name for service in found[:1000]}  # type: ignore[index]


def search(personas: Personas, **filters: object) -> set[str]:
    return names(service_search(actor=personas.by_role[Role.OUTREACH_WORKER], filters=DirectoryFilters(**filters)))  # type: ignore[arg-type]


# --- Each filter ----------------------------------------------------------------------------------------


def test_near_a_site_lists_services_nearest_first_with_their_distance(catalogue, personas):
    found = public_service_search(filters=DirectoryFilters(near=catalogue.network.site_a, radius_km=50))
    ranked = [(service.name, round(service.distance_km)) for service in found[:10]]
    assert ranked[:2] == [("Alpha methadone clinic", 0), ("Youth drop-in", 0)]
    assert ranked[2:] == [
        ("Night outreach", 5),
        ("Women's clinic", 5),
        ("Adult residential", 40),
        ("Far counselling", 40),
    ]
    assert found.count() == 6  # Lima and Beta's drop-in have no map position: not measured, not listed


def test_the_radius_leaves_out_services_further_away(catalogue):
    found = public_service_search(filters=DirectoryFilters(near=catalogue.network.site_a, radius_km=10))
    assert names(found) == {"Alpha methadone clinic", "Youth drop-in", "Night outreach", "Women's clinic"}


def test_pages_of_a_distance_search_follow_one_another_without_gaps(catalogue):
    found = public_service_search(filters=DirectoryFilters(near=catalogue.network.site_a, radius_km=100))
    pages = [found[0:2], found[2:4], found[4:6]]
    distances = [service.distance_km for page in pages for service in page]
    assert len({service.pk for page in pages for service in page}) == 6
    assert distances == sorted(distances)


def test_a_distance_search_from_a_site_without_coordinates_is_refused_naming_the_field(catalogue):
    with pytest.raises(ServiceError) as refused:
        public_service_search(filters=DirectoryFilters(near=catalogue.lima))
    assert refused.value.field == "near"


def test_too_many_services_in_the_radius_are_refused_rather_than_read(catalogue, monkeypatch):
    monkeypatch.setattr(nearby, "RADIUS_CANDIDATE_CAP", 3)
    with pytest.raises(ServiceError) as refused:
        public_service_search(filters=DirectoryFilters(near=catalogue.network.site_a, radius_km=100))
    assert refused.value.field == "distance"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Site hours Mon-Fri 08-16 in Bangkok; the youth drop-in's own Saturday hours replace them.
        (MONDAY_10_BANGKOK, {"Alpha methadone clinic"}),
        (SATURDAY_11_BANGKOK, {"Youth drop-in"}),
        # Lima's clock: closed on its Sunday evening, open on its Monday morning, when Bangkok has closed.
        (MONDAY_9_LIMA, {"Lima peer group", "Night outreach"}),
        # 23:59:30 in Bangkok: hours "until 23:59" mean until midnight (and Lima is at 11:59 on Monday).
        (datetime(2026, 11, 23, 16, 59, 30, tzinfo=UTC), {"Night outreach", "Lima peer group"}),
        (datetime(2026, 11, 23, 17, 0, tzinfo=UTC), {"Lima peer group"}),
    ],
)
def test_open_now_reads_each_sites_own_clock_and_service_hours_override_site_hours(
    catalogue, personas, instant, expected
):
    assert search(personas, open_at=instant) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"age": 13}, {"Youth drop-in", "Night outreach", "Lima peer group", "Far counselling"}),
        ({"age": 16}, {"Youth drop-in", "Women's clinic", "Night outreach", "Lima peer group", "Far counselling"}),
        ({"age": 30}, {"Women's clinic", "Night outreach", "Lima peer group", "Adult residential"}),
        ({"age": 30, "gender": Gender.MEN}, {"Night outreach", "Adult residential"}),
        ({"age": 30, "gender": Gender.WOMEN}, {"Women's clinic", "Night outreach", "Adult residential"}),
        (
            {"age": 30, "gender": Gender.TRANSGENDER_NONBINARY},
            {"Night outreach", "Lima peer group", "Adult residential"},
        ),
        # Services that list no group serve everyone; the youth drop-in lists only young people.
        (
            {"age": 30, "population": "women"},
            {"Women's clinic", "Night outreach", "Lima peer group", "Adult residential"},
        ),
        ({"age": 20, "population": "young_people"}, {"Youth drop-in", "Night outreach", "Lima peer group"}),
    ],
)
def test_eligibility_filters(catalogue, personas, filters, expected):
    found = search(personas, **filters)
    assert found - {"Alpha methadone clinic", "Beta street outreach"} == expected


def test_language_cost_and_waiting_time(catalogue, personas):
    assert search(personas, language="km") == {"Youth drop-in", "Women's clinic", "Night outreach"}
    assert search(personas, language="en") == {"Women's clinic", "Alpha methadone clinic"}
    assert search(personas, language="th") == set()  # nobody reports Thai: not assumed
    assert search(personas, cost=CostType.FEE) == {"Adult residential"}
    assert search(personas, cost=CostType.INSURANCE) == {"Lima peer group"}
    # Unreported waits are left out; 0 means no wait.
    assert search(personas, max_wait_days=0) == {"Youth drop-in", "Beta street outreach"}
    assert search(personas, max_wait_days=10) == {
        "Youth drop-in",
        "Beta street outreach",
        "Alpha methadone clinic",
        "Women's clinic",
    }


def test_filters_combine(catalogue, personas):
    found = search(personas, near=catalogue.network.site_a, radius_km=10, language="km", max_wait_days=5)
    assert found == {"Youth drop-in"}


# --- Property: every result satisfies every filter, and nothing that does is missing --------------------


def _is_open(service: Service, instant: datetime) -> bool:
    hours = list(OpeningHours.objects.filter(service=service)) or list(
        OpeningHours.objects.filter(site=service.site, service__isnull=True)
    )
    local = instant.astimezone(zoneinfo.ZoneInfo(service.site.time_zone))
    now = local.time()
    return any(
        h.weekday == local.weekday() and h.opens_at <= now and (now < h.closes_at or h.closes_at >= time(23, 59))
        for h in hours
    )


def _satisfies(service: Service, f: DirectoryFilters, distances: dict[object, float]) -> bool:
    checks = [
        f.age is None or ((service.min_age or 0) <= f.age and (service.max_age is None or f.age <= service.max_age)),
        f.gender in (None, Gender.ANY) or service.gender in (Gender.ANY, f.gender),  # "any": no filter
        f.population is None
        or not service.populations.exists()
        or service.populations.filter(code=f.population).exists(),
        f.language is None or service.languages.filter(code=f.language).exists(),
        f.cost is None or service.cost == f.cost,
        f.max_wait_days is None
        or (service.waiting_time_days is not None and service.waiting_time_days <= f.max_wait_days),
        f.open_at is None or _is_open(service, f.open_at),
        f.near is None or (service.pk in distances and distances[service.pk] <= f.radius_km),
    ]
    return all(checks)


FILTERS = st.builds(
    DirectoryFilters,
    age=st.none() | st.integers(0, 120),
    gender=st.none() | st.sampled_from([g.value for g in Gender]),
    population=st.none() | st.sampled_from(["young_people", "women", "families"]),
    language=st.none() | st.sampled_from(["km", "en", "th"]),
    cost=st.none() | st.sampled_from([c.value for c in CostType]),
    max_wait_days=st.none() | st.integers(0, 40),
    # hypothesis takes naive bounds and attaches the time zone itself
    open_at=st.none() | st.datetimes(WEEK_START, WEEK_START + timedelta(days=8), timezones=st.just(UTC)),
    radius_km=st.sampled_from([2.0, 5.0, 10.0, 25.0, 50.0]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=FILTERS, by_distance=st.booleans())
def test_every_result_satisfies_its_filters_and_none_is_missing(catalogue, filters, by_distance):
    origin = catalogue.network.site_a
    if by_distance:
        filters = DirectoryFilters(**{**filters.__dict__, "near": origin})
    lat, lon = float(origin.latitude), float(origin.longitude)
    by_service = {
        service.pk: nearby.distance_km(lat, lon, float(service.site.latitude), float(service.site.longitude))
        for service in Service.objects.select_related("site").filter(site__latitude__isnull=False)
    }
    found = public_service_search(filters=filters)
    shown = found[:1000]
    expected = {s.pk for s in Service.objects.select_related("site") if _satisfies(s, filters, by_service)}
    assert {s.pk for s in shown} == expected
    assert found.count() == len(expected)
    if by_distance:
        assert [s.distance_km for s in shown] == sorted(s.distance_km for s in shown)


# --- The staff page and the API -------------------------------------------------------------------------


@pytest.fixture
def worker(personas):
    return signed_in_client(personas.by_role[Role.OUTREACH_WORKER])


def shown_on(content: bytes, catalogue: Catalogue) -> set[str]:
    text = content.decode()
    every = {s.name for s in Service.objects.all()}
    return {name for name in every if f">{name.replace(chr(39), '&#x27;')}</a>" in text}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "age=30&gender=men",
            {"Night outreach", "Adult residential", "Alpha methadone clinic", "Beta street outreach"},
        ),
        ("language=en", {"Women's clinic", "Alpha methadone clinic"}),
        ("cost=fee", {"Adult residential"}),
        ("max_wait=0", {"Youth drop-in", "Beta street outreach"}),
        (
            "population=young_people&age=20",
            {"Youth drop-in", "Night outreach", "Lima peer group", "Alpha methadone clinic", "Beta street outreach"},
        ),
    ],
)
def test_the_staff_page_applies_the_new_filters(catalogue, worker, query, expected):
    response = worker.get(f"/directory/?{query}")
    assert response.status_code == 200
    assert shown_on(response.content, catalogue) == expected


def test_the_staff_page_searches_near_one_of_the_workers_own_sites(catalogue, worker):
    response = worker.get(f"/directory/?near={catalogue.network.site_a.pk}&distance=10")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Alpha main clinic (Alpha Treatment Centre)" in text  # offered as an origin
    assert text.index("Youth drop-in") < text.index("Night outreach")
    assert "5.0 km away" in text
    assert "Adult residential" not in text


def test_open_now_on_the_page_uses_the_current_time(catalogue, worker, monkeypatch):
    # Only the form's clock: the session checks around it keep the real one.
    monkeypatch.setattr(forms, "timezone", SimpleNamespace(now=lambda: SATURDAY_11_BANGKOK))
    response = worker.get("/directory/?open_now=on")
    assert shown_on(response.content, catalogue) == {"Youth drop-in"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("age=-1", "age"),
        ("age=abc", "age"),
        ("max_wait=9999", "max_wait"),
        ("gender=robot", "gender"),
        ("population=nobody", "population"),
        ("language=xx", "language"),
        ("cost=gold", "cost"),
        ("distance=3", "distance"),
        ("near=not-a-uuid", "near"),
        ("near=00000000-0000-0000-0000-000000000000", "near"),
    ],
)
def test_a_bad_value_is_reported_next_to_its_field(catalogue, worker, query, field):
    response = worker.get(f"/directory/?{query}")
    assert response.status_code == 400
    assert f'id="id_{field}_error"'.encode() in response.content


def test_a_site_without_map_position_is_reported_next_to_distance_from(catalogue, worker):
    response = worker.get(f"/directory/?near={catalogue.lima.pk}")
    assert response.status_code == 400
    assert b'id="id_near_error"' in response.content and b"no map position" in response.content


def test_too_many_services_nearby_is_reported_next_to_the_distance(catalogue, worker, monkeypatch):
    monkeypatch.setattr(nearby, "RADIUS_CANDIDATE_CAP", 2)
    response = worker.get(f"/directory/?near={catalogue.network.site_a.pk}&distance=100")
    assert response.status_code == 400
    assert b'id="id_distance_error"' in response.content


def test_the_staff_page_with_every_filter_takes_a_fixed_number_of_queries(
    catalogue, worker, django_assert_max_num_queries
):
    query = urlencode(
        {
            "q": "o",
            "near": catalogue.network.site_a.pk,
            "distance": 50,
            "open_now": "on",
            "age": 30,
            "gender": "women",
            "population": "women",
            "language": "km",
            "cost": "subsidised",
            "max_wait": 20,
        }
    )
    with django_assert_max_num_queries(20):
        assert worker.get(f"/directory/?{query}").status_code == 200


@pytest.fixture
def api_client(personas):
    return Client(**bearer(personas.by_role[Role.PROGRAMME_MANAGER]))


def test_the_api_takes_the_new_filters(catalogue, api_client):
    body = api_client.get(f"/api/v1/services?near={catalogue.network.site_a.pk}&distance=10&language=km").json()
    assert [(r["name"], round(r["distance_km"])) for r in body["results"]] == [
        ("Youth drop-in", 0),
        ("Night outreach", 5),
        ("Women's clinic", 5),
    ]
    assert body["count"] == 3
    body = api_client.get("/api/v1/services?age=30&gender=men&cost=fee&max_wait=30&population=women").json()
    assert [r["name"] for r in body["results"]] == ["Adult residential"]
    assert body["results"][0]["distance_km"] is None
    assert api_client.get("/api/v1/services?open_now=true").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("population=nobody", "population"),
        ("language=xx", "language"),
        ("near=00000000-0000-0000-0000-000000000000", "near"),
    ],
)
def test_the_api_names_the_field_of_an_unknown_code(catalogue, api_client, query, field):
    response = api_client.get(f"/api/v1/services?{query}")
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == field


@pytest.mark.parametrize("query", ["age=121", "max_wait=-1", "distance=0", "gender=robot", "cost=gold", "near=x"])
def test_the_api_refuses_out_of_range_values(catalogue, api_client, query):
    assert api_client.get(f"/api/v1/services?{query}").status_code == 422


def test_a_distance_search_from_an_unmapped_site_is_refused_by_the_api(catalogue, api_client):
    response = api_client.get(f"/api/v1/services?near={catalogue.lima.pk}")
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "near"


# --- The public directory -------------------------------------------------------------------------------

STAFF_ONLY = re.compile(r'href="/(directory|staff|clients|consent|screening|account|audit|login)')


def test_anyone_can_search_the_public_directory_without_signing_in(catalogue):
    response = Client().get("/find/?language=km")
    assert response.status_code == 200
    assert shown_on(response.content, catalogue) == {"Youth drop-in", "Women's clinic", "Night outreach"}
    assert f'href="/find/services/{catalogue.youth.pk}/"'.encode() in response.content
    assert not STAFF_ONLY.search(response.content.decode())
    assert b"Sign out" not in response.content
    assert b'<a class="brand" href="/find/">' in response.content  # home, for the public, is the directory


def test_the_public_service_page_shows_directory_information_only(catalogue, personas):
    response = Client().get(f"/find/services/{catalogue.network.methadone_a.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    for shown in ("Alpha methadone clinic", "Alpha Treatment Centre", "Alpha main clinic", "08:00–16:00", "English"):
        assert shown in text
    assert "About 3 days" in text and "Free" in text
    assert f'href="/find/?near={catalogue.network.site_a.pk}"' in text
    assert "Capacity" not in text and "120 clients" not in text  # an operational figure, not for the public
    assert not STAFF_ONLY.search(text)
    for user in personas.by_role.values():
        assert user.username not in text


def test_the_public_directory_searches_near_a_chosen_site(catalogue):
    response = Client().get(f"/find/?near={catalogue.east_40km.pk}&distance=5")
    assert response.status_code == 200
    assert shown_on(response.content, catalogue) == {"Adult residential", "Far counselling"}
    assert b"East 40 (Beta Community Network)" in response.content


def test_the_public_directory_hides_inactive_services_and_organisations(catalogue):
    Service.objects.filter(pk=catalogue.youth.pk).update(is_active=False)
    catalogue.network.org_b.is_active = False
    catalogue.network.org_b.save(update_fields=["is_active"])
    client = Client()
    assert client.get(f"/find/services/{catalogue.youth.pk}/").status_code == 404
    assert client.get(f"/find/services/{catalogue.women.pk}/").status_code == 404
    assert shown_on(client.get("/find/").content, catalogue) == {"Alpha methadone clinic"}


def test_the_public_directory_reports_bad_filters_and_answers_htmx_with_the_results(catalogue):
    client = Client()
    response = client.get("/find/?age=200")
    assert response.status_code == 400 and b'id="id_age_error"' in response.content
    fragment = client.get("/find/?cost=fee", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"Adult residential" in fragment.content
    assert b"/find/services/" in fragment.content


def test_the_public_directory_is_paginated(catalogue, settings):
    settings.DIRECTORY_PAGE_SIZE = 5
    client = Client()
    first, second = client.get("/find/"), client.get("/find/?page=2")
    assert b"page 1 of 2" in first.content and b"page 2 of 2" in second.content
    assert len(shown_on(first.content, catalogue)) == 5
    assert len(shown_on(second.content, catalogue)) == 3


def test_the_sign_in_page_links_to_the_public_directory(db):
    assert b'href="/find/"' in Client().get("/login/").content


def test_signed_in_staff_can_open_the_public_directory_too(catalogue, worker):
    assert worker.get("/find/").status_code == 200


def test_a_near_here_link_without_a_distance_shows_the_default_radius_as_chosen(catalogue):
    response = Client().get(f"/find/?near={catalogue.network.site_a.pk}")
    assert response.status_code == 200
    assert b'<option value="25" selected>25 km</option>' in response.content
