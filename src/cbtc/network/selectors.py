"""Reads of the network app. Each takes the acting user; none returns an unbounded list."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, overload

from django.db.models import Case, FloatField, Prefetch, Q, QuerySet, Value, When

from cbtc.errors import NotFound, NotPermitted
from cbtc.network.access import user_has_permission, user_organisation_ids_with
from cbtc.network.models import (
    AdminArea,
    AdminAreaLevel,
    ApiToken,
    Gender,
    Language,
    Membership,
    OpeningHours,
    Organisation,
    Population,
    Service,
    Site,
    User,
)
from cbtc.network.nearby import services_within
from cbtc.network.roles import Permission

_AREA_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")


DEFAULT_RADIUS_KM = 25.0
# Hours that close at 23:59 mean "until midnight" (the service pages show them as open 24 hours).
_UNTIL_MIDNIGHT = time(23, 59)


@dataclass(frozen=True)
class DirectoryFilters:
    service_type: str | None = None
    pyramid_level: int | None = None
    region: AdminArea | None = None
    organisation_type: str | None = None
    text: str | None = None
    near: Site | None = None  # with coordinates; results come nearest first, each with its distance
    radius_km: float = DEFAULT_RADIUS_KM  # only read with ``near``
    open_at: datetime | None = None  # an aware instant, usually now; each site's own time zone decides
    age: int | None = None
    gender: str | None = None  # the person's: services for everyone, or for that gender
    population: str | None = None  # a Population code
    language: str | None = None  # a Language code
    cost: str | None = None  # a CostType
    max_wait_days: int | None = None


class ServiceResults:
    """One directory search, sliced like a queryset so the Paginator and the API page through it.

    Every service it yields carries ``distance_km``: kilometres from the ``near`` site, or None when the search
    was not by distance. By distance, the whole ranked list is (pk, distance) tuples, bounded by
    nearby.RADIUS_CANDIDATE_CAP, and only the requested slice is loaded as objects."""

    def __init__(self, services: QuerySet[Service], ranked: list[tuple[float, str, Any]] | None = None) -> None:
        self._services = services
        self._ranked = ranked

    def count(self) -> int:
        return self._services.count() if self._ranked is None else len(self._ranked)

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Service]:
        return iter(self[:])

    @overload
    def __getitem__(self, index: int) -> Service: ...
    @overload
    def __getitem__(self, index: slice) -> list[Service]: ...
    def __getitem__(self, index: int | slice) -> Service | list[Service]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        if self._ranked is None:
            return list(self._services.annotate(distance_km=Value(None, output_field=FloatField()))[index])
        chosen = self._ranked[index]
        distances = [When(pk=pk, then=Value(distance)) for distance, _, pk in chosen]
        loaded = self._services.filter(pk__in=[pk for _, _, pk in chosen])
        if distances:
            loaded = loaded.annotate(distance_km=Case(*distances, output_field=FloatField()))
        by_pk = {service.pk: service for service in loaded}
        return [by_pk[pk] for _, _, pk in chosen if pk in by_pk]


def _require(actor: Any, permission: Permission) -> None:
    if not user_has_permission(actor, permission):
        raise NotPermitted("Your role does not include this.")


def _parse_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


def regions_for_filter(*, actor: Any, selected_code: str | None = None) -> list[AdminArea]:
    _require(actor, Permission.DIRECTORY_VIEW)
    return public_regions_for_filter(selected_code=selected_code)


def public_regions_for_filter(*, selected_code: str | None = None) -> list[AdminArea]:
    """Choices for the region filter, in tree order: countries and provinces, plus the districts of the
    province that is chosen (or that holds the chosen district). A country's hundreds of districts are never
    all listed at once; they appear once a province narrows the choice. Place names are public."""
    areas = AdminArea.objects.exclude(level=AdminAreaLevel.DISTRICT)
    selected = public_region_by_code(code=selected_code) if selected_code else None
    if selected is not None:
        province_id = selected.parent_id if selected.level == AdminAreaLevel.DISTRICT else selected.pk
        areas = areas | AdminArea.objects.filter(parent_id=province_id, level=AdminAreaLevel.DISTRICT)
    return list(areas.order_by("path")[:2000])


def region_by_code(*, actor: Any, code: str) -> AdminArea | None:
    _require(actor, Permission.DIRECTORY_VIEW)
    return public_region_by_code(code=code)


def public_region_by_code(*, code: str) -> AdminArea | None:
    if not _AREA_CODE.fullmatch(code):
        return None  # not a code at all (and PostgreSQL refuses some characters, such as NUL, outright)
    return AdminArea.objects.filter(code=code).first()


def populations_for_filter() -> list[Population]:
    """The groups a service can be designed for: a short reference list, public like the directory."""
    return list(Population.objects.order_by("name")[:200])


def languages_for_filter() -> list[Language]:
    return list(Language.objects.order_by("name")[:300])


def origin_site_get(*, site_id: Any) -> Site:
    """A site of an active organisation to measure distances from. Public: sites are directory information."""
    site = Site.objects.filter(pk=_parse_uuid(site_id), organisation__is_active=True).first()
    if site is None:
        raise NotFound
    return site


def origin_sites_for_filter(*, actor: Any, selected: Site | None = None) -> list[Site]:
    """Sites to measure distances from: those of the actor's own organisations that are on the map, and the
    one already chosen (a "near here" link may choose any site)."""
    _require(actor, Permission.DIRECTORY_VIEW)
    own = Site.objects.filter(
        organisation__memberships__user_id=actor.pk, organisation__is_active=True, latitude__isnull=False
    )
    sites = list(own.select_related("organisation").distinct().order_by("name")[:50])
    if selected is not None and selected not in sites:
        sites.insert(0, selected)
    return sites


def _local_instants(instant: datetime) -> dict[tuple[int, time], list[str]]:
    """The sites' time zones grouped by what the clock says there at ``instant``: (weekday, time) -> zones.

    A country has a handful of zones, so the open-now condition has a handful of branches, whatever the
    number of sites. The distinct zones come from index site_time_zone_idx."""
    groups: dict[tuple[int, time], list[str]] = defaultdict(list)
    for name in Site.objects.order_by().values_list("time_zone", flat=True).distinct()[:1000]:
        try:
            local = instant.astimezone(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue  # written around validation (bulk loads): treated as never open rather than failing
        groups[(local.weekday(), local.time().replace(tzinfo=None))].append(name)
    return groups


def _open_rows(weekday: int, at: time) -> QuerySet[OpeningHours]:
    return OpeningHours.objects.filter(weekday=weekday, opens_at__lte=at).filter(
        Q(closes_at__gt=at) | Q(closes_at__gte=_UNTIL_MIDNIGHT)
    )


def _open_at(instant: datetime) -> Q:
    """Services open at ``instant`` in their site's own time zone. The rule of ``service_opening_hours``: a
    service with hours of its own keeps those; one without keeps its site's.

    Uncorrelated ``IN`` subqueries, not ``EXISTS`` per service: the database reads the opening hours once per
    subquery (a few rows per site and service) and probes a hash for each service, so the cost grows with the
    table, not with services times hours."""
    own_open, site_open = Q(pk__in=[]), Q(pk__in=[])
    for (weekday, at), zones in _local_instants(instant).items():
        in_zones = Q(site__time_zone__in=zones)
        rows = _open_rows(weekday, at)
        own_open |= in_zones & Q(pk__in=rows.filter(service__isnull=False).values("service_id"))
        site_open |= in_zones & Q(site_id__in=rows.filter(service__isnull=True).values("site_id"))
    # The subquery holds no NULL, so NOT IN means what it says.
    has_own_hours = Q(pk__in=OpeningHours.objects.filter(service__isnull=False).values("service_id"))
    return own_open | (~has_own_hours & site_open)


def _eligible(services: QuerySet[Service], filters: DirectoryFilters) -> QuerySet[Service]:
    """Who a service takes. Blank limits mean no limit. Population: a service that lists groups is designed
    for them; one that lists none serves everyone, so it matches any group."""
    if filters.age is not None:
        services = services.filter(Q(min_age__isnull=True) | Q(min_age__lte=filters.age))
        services = services.filter(Q(max_age__isnull=True) | Q(max_age__gte=filters.age))
    if filters.gender and filters.gender != Gender.ANY:
        services = services.filter(gender__in=[Gender.ANY, filters.gender])
    if filters.population:
        # Uncorrelated subqueries, each read once from the through table's indexes (see _open_at).
        groups = Service.populations.through.objects
        designed_for = groups.filter(population_id=filters.population).values("service_id")
        services = services.filter(Q(pk__in=designed_for) | ~Q(pk__in=groups.values("service_id")))
    return services


def _matching(filters: DirectoryFilters) -> QuerySet[Service]:
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
    services = _eligible(services, filters)
    if filters.language:
        # Strict: a service that reports no languages is not assumed to speak the one asked for.
        spoken = Service.languages.through.objects.filter(language_id=filters.language).values("service_id")
        services = services.filter(pk__in=spoken)
    if filters.cost:
        services = services.filter(cost=filters.cost)
    if filters.max_wait_days is not None:
        # A service that does not report its wait is left out: the person asked for a wait they can manage.
        services = services.filter(waiting_time_days__lte=filters.max_wait_days)
    if filters.open_at is not None:
        services = services.filter(_open_at(filters.open_at))
    return services.select_related("organisation", "site__admin_area__parent").order_by("name", "id")


def service_search(*, actor: Any, filters: DirectoryFilters) -> ServiceResults:
    """Active services matching every given filter, ordered by name, or nearest first when searching near a
    site; callers paginate."""
    _require(actor, Permission.DIRECTORY_VIEW)
    return public_service_search(filters=filters)


def public_service_search(*, filters: DirectoryFilters) -> ServiceResults:
    """The same search for anyone: information on services must be easy to find (standard 1.11). It reads
    only the directory; nothing here touches staff or clients."""
    services = _matching(filters)
    if filters.near is None:
        return ServiceResults(services)
    return ServiceResults(services, services_within(services, filters.near, filters.radius_km))


def service_get(*, actor: Any, service_id: Any) -> Service:
    _require(actor, Permission.DIRECTORY_VIEW)
    return _service_get(Service.objects.filter(pk=_parse_uuid(service_id), is_active=True))


def public_service_get(*, service_id: Any) -> Service:
    """One service as the public directory shows it: also hidden when its organisation is inactive."""
    return _service_get(
        Service.objects.filter(pk=_parse_uuid(service_id), is_active=True, organisation__is_active=True)
    )


def _service_get(services: QuerySet[Service]) -> Service:
    service = (
        services.select_related("organisation", "site__admin_area__parent__parent")
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
