"""Services near a site: the nearest first, by great-circle distance between the sites' coordinates.

Indexed and bounded at national scale: each step reads the services inside a latitude band around the origin
(index site_latitude_idx, then the service's own type index), at most CANDIDATE_CAP rows, and widens the radius
only while fewer than ``limit`` are found. Sites without coordinates are found by area instead: the services
in the origin's province come after the measured ones, without a distance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission
from cbtc.network.models import AdminArea, Service, Site
from cbtc.network.roles import Permission

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE_LATITUDE = math.pi * EARTH_RADIUS_KM / 180  # about 111.19: the sphere distance_km measures on
RADII_KM = (2.0, 10.0, 50.0, 200.0)  # widened in turn until enough services are found
CANDIDATE_CAP = 500  # rows read per step: enough for any real city, and a bound on a wrong one
NEARBY_LIMIT = 8


@dataclass(frozen=True)
class NearbyService:
    service: Service
    distance_km: float | None  # None: the service's site has no coordinates (found in the same province)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) holding every point within radius_km of (lat, lon); wider near the poles."""
    d_lat = radius_km / KM_PER_DEGREE_LATITUDE
    d_lon = radius_km / (KM_PER_DEGREE_LATITUDE * max(math.cos(math.radians(lat)), 0.01))
    return lat - d_lat, lat + d_lat, lon - d_lon, lon + d_lon


def _candidates(service_types: Sequence[str], age: int | None) -> QuerySet[Service]:
    services = Service.objects.filter(is_active=True, organisation__is_active=True, type__in=list(service_types))
    if age is not None:
        services = services.filter(Q(min_age__isnull=True) | Q(min_age__lte=age))
        services = services.filter(Q(max_age__isnull=True) | Q(max_age__gte=age))
    return services.select_related("organisation", "site__admin_area")


def province_path(area: AdminArea) -> str:
    """The path of the area's province: "/country/province/district/" -> "/country/province/"; a country-level
    area gives its country."""
    parts = [part for part in area.path.split("/") if part]
    return "/" + "/".join(parts[:2]) + "/"


def _measured(origin: Site, candidates: QuerySet[Service], limit: int) -> list[NearbyService]:
    if origin.latitude is None or origin.longitude is None:
        return []
    lat, lon = float(origin.latitude), float(origin.longitude)
    nearest: list[tuple[float, str, Any]] = []
    for radius in RADII_KM:
        south, north, west, east = bounding_box(lat, lon, radius)
        # Plain tuples first: only the few chosen services are loaded as objects, with their joins.
        rows = candidates.filter(
            site__latitude__gte=Decimal(f"{south:.5f}"),
            site__latitude__lte=Decimal(f"{north:.5f}"),
            site__longitude__gte=Decimal(f"{west:.5f}"),
            site__longitude__lte=Decimal(f"{east:.5f}"),
        ).values_list("pk", "name", "site__latitude", "site__longitude")[:CANDIDATE_CAP]
        measured = (
            (distance_km(lat, lon, float(s_lat), float(s_lon)), name, pk)
            for pk, name, s_lat, s_lon in rows
            if s_lat is not None and s_lon is not None  # always true inside the box; says so to the type checker
        )
        nearest = sorted(row for row in measured if row[0] <= radius)
        if len(nearest) >= limit:
            break
    chosen = nearest[:limit]
    loaded = candidates.in_bulk([pk for _, _, pk in chosen])
    return [NearbyService(loaded[pk], distance) for distance, _, pk in chosen if pk in loaded]


def services_near(
    *, actor: Any, origin: Site, service_types: Sequence[str], age: int | None = None, limit: int = NEARBY_LIMIT
) -> list[NearbyService]:
    """Up to ``limit`` active services of the given types that take a client of ``age``, nearest to ``origin``."""
    if not user_has_permission(actor, Permission.DIRECTORY_VIEW):
        raise NotPermitted("Your role does not include this.")
    if not service_types:
        return []
    candidates = _candidates(service_types, age)
    found = _measured(origin, candidates, limit)
    if len(found) < limit:
        area_ids = AdminArea.objects.filter(path__startswith=province_path(origin.admin_area)).values("id")
        in_province = candidates.filter(site__admin_area_id__in=area_ids)
        if origin.latitude is not None:  # the measured ones are listed already
            in_province = in_province.filter(site__latitude__isnull=True)
        found.extend(NearbyService(s, None) for s in in_province.order_by("name", "id")[: limit - len(found)])
    return found


# --- Directory search within a distance ----------------------------------------------------------------

RADIUS_CANDIDATE_CAP = 10_000  # more than the capital of a large country holds; beyond it the search refuses
# bounding_box counts 111.32 km to a degree, distance_km about 111.19 (the mean Earth radius): a box drawn for
# exactly the radius is 0.1% too narrow and would lose services right at its edge. The exact check trims.
BOX_MARGIN = 1.01


def services_within(
    candidates: QuerySet[Service], origin: Site, radius_km: float, cap: int | None = None
) -> list[tuple[float, str, Any]]:
    """(distance, name, pk) of every candidate within ``radius_km`` of ``origin``, nearest first.

    Reads plain tuples inside the bounding box (index site_latitude_idx) and measures each exactly, so a caller
    can page through the whole ranked list. Refuses, naming the field, when more than ``cap`` services lie in
    the box: the bound that keeps one search cheap at national scale (RADIUS_CANDIDATE_CAP unless given)."""
    cap = RADIUS_CANDIDATE_CAP if cap is None else cap
    if origin.latitude is None or origin.longitude is None:
        raise ServiceError("This site has no map position, so distances cannot be measured from it.", field="near")
    lat, lon = float(origin.latitude), float(origin.longitude)
    south, north, west, east = bounding_box(lat, lon, radius_km * BOX_MARGIN)
    rows = list(
        candidates.filter(
            site__latitude__gte=Decimal(f"{south:.5f}"),
            site__latitude__lte=Decimal(f"{north:.5f}"),
            site__longitude__gte=Decimal(f"{west:.5f}"),
            site__longitude__lte=Decimal(f"{east:.5f}"),
        )
        .order_by()
        .values_list("pk", "name", "site__latitude", "site__longitude")[: cap + 1]
    )
    if len(rows) > cap:
        raise ServiceError(
            f"More than {cap:,} services lie within {radius_km:g} km. Choose a shorter distance or add a filter.",
            field="distance",
        )
    measured = (
        (distance_km(lat, lon, float(s_lat), float(s_lon)), name, pk)
        for pk, name, s_lat, s_lon in rows
        if s_lat is not None and s_lon is not None  # always true inside the box; says so to the type checker
    )
    return sorted(row for row in measured if row[0] <= radius_km)
