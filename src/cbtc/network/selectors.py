"""Reads of the network app. Each takes the acting user; none returns an unbounded list."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from cbtc.errors import NotFound, NotPermitted
from cbtc.network.access import user_has_permission, user_organisation_ids_with
from cbtc.network.models import (
    AdminArea,
    AdminAreaLevel,
    ApiToken,
    Membership,
    OpeningHours,
    Organisation,
    Service,
    User,
)
from cbtc.network.roles import Permission

_AREA_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")


@dataclass(frozen=True)
class DirectoryFilters:
    service_type: str | None = None
    pyramid_level: int | None = None
    region: AdminArea | None = None
    organisation_type: str | None = None
    text: str | None = None


def _require(actor: Any, permission: Permission) -> None:
    if not user_has_permission(actor, permission):
        raise NotPermitted("Your role does not include this.")


def _parse_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


def regions_for_filter(*, actor: Any, selected_code: str | None = None) -> list[AdminArea]:
    """Choices for the region filter, in tree order: countries and provinces, plus the districts of the
    province that is chosen (or that holds the chosen district). A country's hundreds of districts are never
    all listed at once; they appear once a province narrows the choice."""
    _require(actor, Permission.DIRECTORY_VIEW)
    areas = AdminArea.objects.exclude(level=AdminAreaLevel.DISTRICT)
    selected = region_by_code(actor=actor, code=selected_code) if selected_code else None
    if selected is not None:
        province_id = selected.parent_id if selected.level == AdminAreaLevel.DISTRICT else selected.pk
        areas = areas | AdminArea.objects.filter(parent_id=province_id, level=AdminAreaLevel.DISTRICT)
    return list(areas.order_by("path")[:2000])


def region_by_code(*, actor: Any, code: str) -> AdminArea | None:
    _require(actor, Permission.DIRECTORY_VIEW)
    if not _AREA_CODE.fullmatch(code):
        return None  # not a code at all (and PostgreSQL refuses some characters, such as NUL, outright)
    return AdminArea.objects.filter(code=code).first()


def service_search(*, actor: Any, filters: DirectoryFilters) -> QuerySet[Service]:
    """Active services matching every given filter, ordered by name; callers paginate."""
    _require(actor, Permission.DIRECTORY_VIEW)
    services = Service.objects.filter(is_active=True, organisation__is_active=True)
    if filters.service_type:
        services = services.filter(type=filters.service_type)
    if filters.pyramid_level:
        services = services.filter(pyramid_level=filters.pyramid_level)
    if filters.organisation_type:
        services = services.filter(organisation__type=filters.organisation_type)
    if filters.region is not None:
        # The subtree's ids first (an indexed prefix match on a small table), then an indexed join.
        area_ids = AdminArea.objects.filter(path__startswith=filters.region.path).values("id")
        services = services.filter(site__admin_area_id__in=area_ids)
    if filters.text:
        services = services.filter(Q(name__icontains=filters.text) | Q(organisation__name__icontains=filters.text))
    return services.select_related("organisation", "site__admin_area__parent").order_by("name", "id")


def service_get(*, actor: Any, service_id: Any) -> Service:
    _require(actor, Permission.DIRECTORY_VIEW)
    service = (
        Service.objects.filter(pk=_parse_uuid(service_id), is_active=True)
        .select_related("organisation", "site__admin_area__parent__parent")
        .prefetch_related(
            "populations",
            "languages",
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens_at")),
            Prefetch(
                "site__opening_hours",
                queryset=OpeningHours.objects.filter(service__isnull=True).order_by("weekday", "opens_at"),
            ),
        )
        .first()
    )
    if service is None:
        raise NotFound
    return service


def service_opening_hours(service: Service) -> tuple[list[OpeningHours], bool]:
    """The hours a service keeps, and whether they are its site's: a service without rows of its own keeps
    its site's hours. Reads the rows ``service_get`` prefetched, so it costs no query."""
    own = list(service.opening_hours.all())
    return (own, False) if own else (list(service.site.opening_hours.all()), True)


def organisation_list(*, actor: Any, filters: DirectoryFilters) -> QuerySet[Organisation]:
    _require(actor, Permission.DIRECTORY_VIEW)
    organisations = Organisation.objects.filter(is_active=True)
    if filters.organisation_type:
        organisations = organisations.filter(type=filters.organisation_type)
    if filters.region is not None:
        organisations = organisations.filter(admin_area__path__startswith=filters.region.path)
    if filters.text:
        organisations = organisations.filter(name__icontains=filters.text)
    return organisations.select_related("admin_area__parent").order_by("name", "id")


def organisation_get(*, actor: Any, organisation_id: Any) -> Organisation:
    _require(actor, Permission.DIRECTORY_VIEW)
    organisation = (
        Organisation.objects.filter(pk=_parse_uuid(organisation_id), is_active=True)
        .select_related("admin_area__parent")
        .prefetch_related("sites__admin_area")
        .first()
    )
    if organisation is None:
        raise NotFound
    return organisation


def organisation_services(*, actor: Any, organisation: Organisation, limit: int = 200) -> list[Service]:
    _require(actor, Permission.DIRECTORY_VIEW)
    return list(
        organisation.services.filter(is_active=True).select_related("site").order_by("pyramid_level", "name")[:limit]
    )


# --- Staff -------------------------------------------------------------------------------------------


def organisations_managed_by(*, actor: Any) -> QuerySet[Organisation]:
    """Organisations whose staff the actor manages: their own, or all for a system administrator."""
    if user_has_permission(actor, Permission.NETWORK_ADMINISTER):
        return Organisation.objects.filter(is_active=True).order_by("name")
    return Organisation.objects.filter(pk__in=user_organisation_ids_with(actor, Permission.STAFF_MANAGE)).order_by(
        "name"
    )


def managed_organisation_get(*, actor: Any, organisation_id: Any) -> Organisation:
    organisation = organisations_managed_by(actor=actor).filter(pk=_parse_uuid(organisation_id)).first()
    if organisation is None:
        raise NotFound
    return organisation


def staff_of_organisation(*, actor: Any, organisation: Organisation) -> QuerySet[User]:
    """Staff holding a role in an organisation the actor manages, with their roles there."""
    managed_organisation_get(actor=actor, organisation_id=organisation.pk)
    return (
        User.objects.filter(memberships__organisation=organisation)
        .distinct()
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(organisation=organisation), to_attr="roles_here")
        )
        .order_by("-is_active", "last_name", "first_name", "username")
    )


def managed_staff_get(*, actor: Any, user_id: Any) -> User:
    """A member of staff the actor manages; NotFound for anyone else, so existence does not leak."""
    user = User.objects.filter(pk=_parse_uuid(user_id)).first()
    if user is None:
        raise NotFound
    if user_has_permission(actor, Permission.NETWORK_ADMINISTER):
        return user
    managed = user_organisation_ids_with(actor, Permission.STAFF_MANAGE)
    if not user.memberships.filter(organisation_id__in=managed).exists():
        raise NotFound
    return user


def memberships_in(*, actor: Any, user: User, organisation: Organisation) -> QuerySet[Membership]:
    """A person's roles in one organisation the actor manages."""
    managed_organisation_get(actor=actor, organisation_id=organisation.pk)
    return Membership.objects.filter(user=user, organisation=organisation).select_related("organisation")


def own_api_tokens(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("revoked_at", "-created_at")[:50]


def own_api_token_get(*, actor: User, token_id: Any) -> ApiToken:
    token = ApiToken.objects.filter(user=actor, pk=_parse_uuid(token_id)).first()
    if token is None:
        raise NotFound
    return token


def own_memberships(*, actor: User) -> list[Membership]:
    return list(actor.memberships.select_related("organisation").order_by("organisation__name"))
