"""Services near a site: nearest first by great-circle distance, only the types asked for, only services that
take a client of that age, widening the radius only when too few are near, and by province for sites without
coordinates."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbtc.errors import NotPermitted
from cbtc.network.models import AdminArea, PyramidLevel, Service, ServiceType, Site
from cbtc.network.nearby import bounding_box, distance_km, services_near
from cbtc.network.roles import Role
from cbtc.network.services.directory import service_create, site_create
from tests.conftest import Network, Personas

pytestmark = pytest.mark.django_db

# Alpha's clinic sits here; the others are placed by their distance east along the same parallel.
ORIGIN = (Decimal("14.00000"), Decimal("100.50000"))
KM_PER_DEGREE_LONGITUDE_AT_14 = 111.195 * math.cos(math.radians(14))


def _site(network: Network, name: str, km_east: float | None, area: AdminArea | None = None) -> Site:
    coordinates = {}
    if km_east is not None:
        lon = ORIGIN[1] + Decimal(f"{km_east / KM_PER_DEGREE_LONGITUDE_AT_14:.5f}")
        coordinates = {"latitude": ORIGIN[0], "longitude": lon}
    return site_create(
        actor=None,
        organisation=network.org_b,
        name=name,
        admin_area=area or network.north_district,
        time_zone="Asia/Bangkok",
        **coordinates,
    )


def _service(site: Site, name: str, kind: str = ServiceType.METHADONE, **fields: object) -> Service:
    return service_create(
        actor=None,
        site=site,
        name=name,
        type=kind,
        pyramid_level=fields.pop("pyramid_level", PyramidLevel.SPECIALISED_DRUG_TREATMENT),
        **fields,
    )


@pytest.fixture
def origin(network: Network) -> Site:
    network.site_a.latitude, network.site_a.longitude = ORIGIN
    network.site_a.save(update_fields=["latitude", "longitude"])
    return network.site_a


def names(rows: list) -> list[str]:  # type: ignore[type-arg]
    return [row.service.name for row in rows]


def test_the_nearest_services_of_the_types_asked_come_first_with_their_distance(
    network: Network, personas: Personas, origin: Site
) -> None:
    worker = personas.by_role[Role.CLINICIAN]
    far = _service(_site(network, "Far", 40), "Far OAT")
    near = _service(_site(network, "Near", 3), "Near OAT")
    _service(_site(network, "Nearer", 1), "Nearer outreach", ServiceType.OUTREACH, pyramid_level=1)
    found = services_near(actor=worker, origin=origin, service_types=[ServiceType.METHADONE])
    assert names(found) == ["Alpha methadone clinic", "Near OAT", "Far OAT"]
    distances = [row.distance_km for row in found]
    assert distances[0] == pytest.approx(0, abs=0.01)
    assert distances[1] == pytest.approx(3, abs=0.05) and distances[2] == pytest.approx(40, abs=0.2)
    assert {row.service.pk for row in found} >= {far.pk, near.pk}


def test_only_services_that_take_the_client_s_age_and_are_open_are_listed(
    network: Network, personas: Personas, origin: Site
) -> None:
    worker = personas.by_role[Role.CLINICIAN]
    site = _site(network, "Youth hub", 2)
    _service(site, "Youth OAT", min_age=12, max_age=24)
    closed = _service(site, "Closed OAT")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    adult = names(services_near(actor=worker, origin=origin, service_types=[ServiceType.METHADONE], age=40))
    young = names(services_near(actor=worker, origin=origin, service_types=[ServiceType.METHADONE], age=17))
    unknown = names(services_near(actor=worker, origin=origin, service_types=[ServiceType.METHADONE]))
    assert adult == ["Alpha methadone clinic"]
    assert young == ["Alpha methadone clinic", "Youth OAT"]
    assert unknown == young and "Closed OAT" not in unknown


def test_the_limit_holds_and_the_radius_widens_only_when_too_few_are_near(
    network: Network, personas: Personas, origin: Site
) -> None:
    worker = personas.by_role[Role.CLINICIAN]
    for km in (5, 6, 7, 120, 150):
        _service(_site(network, f"Site {km}", km), f"OAT {km:03d} km")
    two = names(services_near(actor=worker, origin=origin, service_types=[ServiceType.METHADONE], limit=2))
    assert two == ["Alpha methadone clinic", "OAT 005 km"]
    six = names(services_near(actor=worker, origin=origin, service_types=[ServiceType.METHADONE], limit=6))
    assert six == ["Alpha methadone clinic", "OAT 005 km", "OAT 006 km", "OAT 007 km", "OAT 120 km", "OAT 150 km"]


def test_sites_without_coordinates_are_found_in_the_same_province_after_the_measured_ones(
    network: Network, personas: Personas, origin: Site
) -> None:
    worker = personas.by_role[Role.CLINICIAN]
    _service(_site(network, "Unmapped north", None), "Unmapped north OAT")
    _service(_site(network, "Unmapped south", None, network.south_district), "Unmapped south OAT")
    found = services_near(actor=worker, origin=origin, service_types=[ServiceType.METHADONE])
    assert names(found) == ["Alpha methadone clinic", "Unmapped north OAT"]
    assert found[1].distance_km is None


def test_an_origin_without_coordinates_lists_its_province_by_name(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.CLINICIAN]
    _service(_site(network, "Mapped", 2), "B mapped OAT")
    found = services_near(actor=worker, origin=network.site_a, service_types=[ServiceType.METHADONE])
    assert names(found) == ["Alpha methadone clinic", "B mapped OAT"]
    assert all(row.distance_km is None for row in found)


def test_no_types_lists_nothing_and_signed_in_without_a_role_is_refused(
    network: Network, personas: Personas, origin: Site
) -> None:
    assert services_near(actor=personas.by_role[Role.CLINICIAN], origin=origin, service_types=[]) == []
    with pytest.raises(NotPermitted):
        services_near(actor=personas.no_role, origin=origin, service_types=[ServiceType.METHADONE])


def test_a_known_distance() -> None:
    # Bangkok (13.7563, 100.5018) to Chiang Mai (18.7883, 98.9853): about 583 km as the crow flies.
    assert distance_km(13.7563, 100.5018, 18.7883, 98.9853) == pytest.approx(583, abs=3)


@given(
    lat=st.floats(-80, 80),
    lon=st.floats(-179, 179),
    radius=st.sampled_from([10.0, 50.0, 200.0]),
    bearing=st.floats(0, 2 * math.pi),
    fraction=st.floats(0, 0.999),
)
def test_the_bounding_box_holds_every_point_within_the_radius(
    lat: float, lon: float, radius: float, bearing: float, fraction: float
) -> None:
    """The band read from the index never leaves out a service that is within reach."""
    # A point at fraction * radius along the bearing (spherical destination formula).
    delta = fraction * radius / 6371.0
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(bearing))
    lambda2 = lambda1 + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    lat2, lon2 = math.degrees(phi2), math.degrees(lambda2)
    south, north, west, east = bounding_box(lat, lon, radius)
    assert distance_km(lat, lon, lat2, lon2) <= radius + 1e-6
    assert south <= lat2 <= north
    assert west <= lon2 <= east
