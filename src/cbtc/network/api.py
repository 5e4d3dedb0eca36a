"""API routes of the network app: who am I, and the service directory (read-only)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query

from cbtc.api_routing import PolicyRouter
from cbtc.errors import NotFound, ServiceError
from cbtc.network.access import user_permissions
from cbtc.network.models import AdminArea, Organisation, Service, Site
from cbtc.network.roles import Permission
from cbtc.network.schemas import (
    DirectoryQuery,
    MeOut,
    OrganisationOut,
    OrganisationPage,
    OrganisationQuery,
    ServiceDetailOut,
    ServicePage,
)
from cbtc.network.selectors import (
    DEFAULT_RADIUS_KM,
    DirectoryFilters,
    languages_for_filter,
    organisation_get,
    organisation_list,
    origin_site_get,
    own_memberships,
    populations_for_filter,
    region_by_code,
    service_get,
    service_opening_hours,
    service_search,
)
from cbtc.web.policy import requires, signed_in

router = PolicyRouter(tags=["network"])


def _area(area: AdminArea) -> dict[str, Any]:
    parent = area.parent
    return {"code": area.code, "name": area.name, "level": area.level, "parent_code": parent.code if parent else None}


def _organisation_summary(org: Organisation) -> dict[str, Any]:
    return {"id": org.pk, "name": org.name, "type": org.type, "type_label": org.get_type_display()}


def _organisation(org: Organisation) -> dict[str, Any]:
    return {
        **_organisation_summary(org),
        "short_name": org.short_name,
        "description": org.description,
        "website": org.website,
        "phone": org.phone,
        "email": org.email,
        "region": _area(org.admin_area),
    }


def _site(site: Site) -> dict[str, Any]:
    return {
        "id": site.pk,
        "name": site.name,
        "address": site.address,
        "region": _area(site.admin_area),
        "latitude": float(site.latitude) if site.latitude is not None else None,
        "longitude": float(site.longitude) if site.longitude is not None else None,
        "time_zone": site.time_zone,
    }


def _service(service: Service) -> dict[str, Any]:
    return {
        "id": service.pk,
        "name": service.name,
        "type": service.type,
        "type_label": service.get_type_display(),
        "pyramid_level": service.pyramid_level,
        "pyramid_level_label": service.get_pyramid_level_display(),
        "organisation": _organisation_summary(service.organisation),
        "site": _site(service.site),
        "delivery_mode": service.delivery_mode,
        "capacity": service.capacity,
        "waiting_time_days": service.waiting_time_days,
        "waiting_time_updated_at": service.waiting_time_updated_at,
        "min_age": service.min_age,
        "max_age": service.max_age,
        "gender": service.gender,
        "self_referral": service.self_referral,
        "cost": service.cost,
        "cost_note": service.cost_note,
        "wheelchair_accessible": service.wheelchair_accessible,
        "accessibility_note": service.accessibility_note,
        # Set by a search near a site (selectors.ServiceResults); absent on a single service.
        "distance_km": getattr(service, "distance_km", None),
    }


def _region(request: HttpRequest, code: str | None) -> AdminArea | None:
    if not code:
        return None
    region = region_by_code(actor=request.user, code=code)
    if region is None:
        raise ServiceError(f"No region has the code {code!r}.", field="region")
    return region


def _origin(site_id: Any) -> Site | None:
    if site_id is None:
        return None
    try:
        return origin_site_get(site_id=site_id)
    except NotFound as exc:
        raise ServiceError("No site in the directory has this id.", field="near") from exc


def _known_code(code: str | None, known: Callable[[], list[str]], field: str) -> str | None:
    """The code, checked against the reference list (read only when a code is given)."""
    if code and code not in known():
        raise ServiceError(f"No {field} has the code {code!r}.", field=field)
    return code or None


def _directory_filters(request: HttpRequest, query: DirectoryQuery) -> DirectoryFilters:
    return DirectoryFilters(
        service_type=query.type.value if query.type else None,
        pyramid_level=int(query.level) if query.level else None,
        region=_region(request, query.region),
        organisation_type=query.org_type.value if query.org_type else None,
        text=(query.q or "").strip() or None,
        near=_origin(query.near),
        radius_km=query.distance or DEFAULT_RADIUS_KM,
        open_at=timezone.now() if query.open_now else None,
        age=query.age,
        gender=query.gender.value if query.gender else None,
        population=_known_code(query.population, lambda: [p.code for p in populations_for_filter()], "population"),
        language=_known_code(query.language, lambda: [lang.code for lang in languages_for_filter()], "language"),
        cost=query.cost.value if query.cost else None,
        max_wait_days=query.max_wait,
    )


@router.get("/me", response=MeOut, summary="The signed-in member of staff, their roles and permissions")
@signed_in
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": user.display_name,  # type: ignore[union-attr]
        "roles": [
            {
                "organisation_id": m.organisation_id,
                "organisation_name": m.organisation.name,
                "role": m.role,
                "role_label": m.get_role_display(),
            }
            for m in own_memberships(actor=user)  # type: ignore[arg-type]
        ],
        "permissions": sorted(p.value for p in user_permissions(user)),
    }


@router.get("/services", response=ServicePage, summary="Search the service directory")
@requires(Permission.DIRECTORY_VIEW)
def services(request: HttpRequest, query: Query[DirectoryQuery]) -> dict[str, Any]:
    found = service_search(actor=request.user, filters=_directory_filters(request, query))
    page = found[query.offset : query.offset + query.limit]
    return {
        "count": found.count(),
        "limit": query.limit,
        "offset": query.offset,
        "results": [_service(s) for s in page],
    }


@router.get("/services/{service_id}", response=ServiceDetailOut, summary="One service")
@requires(Permission.DIRECTORY_VIEW)
def service(request: HttpRequest, service_id: str) -> dict[str, Any]:
    found = service_get(actor=request.user, service_id=service_id)
    hours, _from_site = service_opening_hours(found)
    return {
        **_service(found),
        "description": found.description,
        "eligibility_note": found.eligibility_note,
        "populations": [p.code for p in found.populations.all()],
        "languages": [lang.code for lang in found.languages.all()],
        "opening_hours": [
            {"weekday": h.weekday, "opens_at": f"{h.opens_at:%H:%M}", "closes_at": f"{h.closes_at:%H:%M}"}
            for h in hours
        ],
    }


@router.get("/organisations", response=OrganisationPage, summary="List organisations in the network")
@requires(Permission.DIRECTORY_VIEW)
def organisations(request: HttpRequest, query: Query[OrganisationQuery]) -> dict[str, Any]:
    filters = DirectoryFilters(
        region=_region(request, query.region),
        organisation_type=query.org_type.value if query.org_type else None,
        text=(query.q or "").strip() or None,
    )
    found = organisation_list(actor=request.user, filters=filters)
    page = list(found[query.offset : query.offset + query.limit])
    return {
        "count": found.count(),
        "limit": query.limit,
        "offset": query.offset,
        "results": [_organisation(o) for o in page],
    }


@router.get("/organisations/{organisation_id}", response=OrganisationOut, summary="One organisation")
@requires(Permission.DIRECTORY_VIEW)
def organisation(request: HttpRequest, organisation_id: str) -> dict[str, Any]:
    return _organisation(organisation_get(actor=request.user, organisation_id=organisation_id))
