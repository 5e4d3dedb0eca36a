"""The service directory as Open Referral HSDS 3.0 objects (docs/hsds.md).

Plain functions from our models to HSDS dictionaries, ready for ``json.dumps``; the export command
(``cbtc hsds_export``) and the public HSDS API (``hsds_api.py``) both use them. The directory holds no
client data, and only active services of active organisations are exported.

Ids are our own UUIDs where a model has one. HSDS also wants a UUID for objects we keep as plain fields or
integer rows (schedules, phones, languages, taxonomy terms, ...): those ids are UUID version 5 names under
``ID_NAMESPACE``, so the same directory exports the same ids every time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cbtc.network.models import (
    AdminArea,
    AdminAreaLevel,
    CostType,
    DeliveryMode,
    Gender,
    OpeningHours,
    Organisation,
    OrganisationType,
    Population,
    PyramidLevel,
    Service,
    ServiceType,
    Site,
    Weekday,
)
from cbtc.network.selectors import service_opening_hours

HsdsObject = dict[str, Any]

HSDS_VERSION = "3.0"
# The Open Referral specification commit whose schemas the export is tested against.
HSDS_SCHEMA_COMMIT = "279fd2eb3552c349bf698c07c00cc25f5fc8249b"
# Never change: every derived id published so far is a name under it.
ID_NAMESPACE = uuid.UUID("590ae6be-f4fd-4c1b-9869-871a152dfe28")
EXPORT_CHUNK_SIZE = 500


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(part) for part in parts)))


def _without_none(obj: HsdsObject) -> HsdsObject:
    # HSDS types optional fields as plain strings and numbers: an absent value is left out, not null.
    return {key: value for key, value in obj.items() if value is not None}


def _text(value: str) -> str | None:
    return value or None


# --- The cbtc taxonomy --------------------------------------------------------------------------------
# HSDS has no fields for our service types, pyramid levels and the like; its place for them is taxonomy
# terms, attached to services and organisations as attributes. One taxonomy, "cbtc", with a top term per
# branch and a term per value: code "<branch>:<value>", e.g. "service_type:methadone".

TAXONOMY: HsdsObject = {
    "id": derived_id("taxonomy", "cbtc"),
    "name": "cbtc",
    "description": (
        "Service types, service pyramid levels (WHO/UNODC community-based treatment and care), delivery modes, "
        "eligibility and accessibility of the cbtc service directory."
    ),
    "version": "1",
}


@dataclass(frozen=True)
class Branch:
    """One branch of the taxonomy. ``field`` is the lookup on Service that the branch's values describe."""

    code: str
    name: str
    field: str
    values: tuple[tuple[Any, str, str], ...]  # (value in the database, term code, term name)

    @property
    def link_entity(self) -> str:
        return "organization" if self.field.startswith("organisation__") else "service"

    @property
    def model_field(self) -> str:
        """The field on the linked object itself (an organisation's ``type``, a service's ``type``)."""
        return self.field.removeprefix("organisation__")


def _choices(choices: Iterable[tuple[Any, str]]) -> tuple[tuple[Any, str, str], ...]:
    return tuple((value, str(value), str(label)) for value, label in choices)


BRANCHES = (
    Branch("service_type", "Service type", "type", _choices(ServiceType.choices)),
    Branch(
        "pyramid_level", "Service pyramid level (1 = base, 7 = apex)", "pyramid_level", _choices(PyramidLevel.choices)
    ),
    Branch("delivery_mode", "Delivery mode", "delivery_mode", _choices(DeliveryMode.choices)),
    # Everyone is the default, so it has no term: a gender term always narrows who may use the service.
    Branch("gender", "Gender", "gender", _choices(c for c in Gender.choices if c[0] != Gender.ANY)),
    Branch("accessibility", "Accessibility", "wheelchair_accessible", ((True, "wheelchair", "Wheelchair accessible"),)),
    Branch("organisation_type", "Organisation type", "organisation__type", _choices(OrganisationType.choices)),
)
POPULATION_BRANCH = Branch("population", "Population the service is designed for", "populations__code", ())


def _term(code: str, name: str, parent_code: str | None = None) -> HsdsObject:
    return _without_none(
        {
            "id": derived_id("taxonomy_term", "cbtc", code),
            "code": code,
            "name": name,
            "description": name,
            "parent_id": derived_id("taxonomy_term", "cbtc", parent_code) if parent_code else None,
            "taxonomy": TAXONOMY["name"],
            "taxonomy_id": TAXONOMY["id"],
        }
    )


def _value_term(branch: Branch, term_code: str, name: str) -> HsdsObject:
    return _term(f"{branch.code}:{term_code}", name, parent_code=branch.code)


def _term_of(branch: Branch, value: Any) -> HsdsObject | None:
    for db_value, term_code, name in branch.values:
        if db_value == value:
            return _value_term(branch, term_code, name)
    return None


def population_term(population: Population) -> HsdsObject:
    return _value_term(POPULATION_BRANCH, population.code, population.name)


def taxonomy_terms(populations: Iterable[Population]) -> list[HsdsObject]:
    """Every term of the cbtc taxonomy, branches first, each followed by its values."""
    terms = []
    for branch in (*BRANCHES, POPULATION_BRANCH):
        terms.append(_term(branch.code, branch.name))
        if branch is POPULATION_BRANCH:
            terms += [population_term(population) for population in populations]
        else:
            terms += [_value_term(branch, code, name) for _, code, name in branch.values]
    return terms


def services_with_term(term_id: uuid.UUID, populations: Iterable[Population]) -> Q:
    """The condition on Service that a taxonomy term stands for; a term not in the taxonomy matches none."""
    wanted = str(term_id)
    for branch in BRANCHES:
        for db_value, code, name in branch.values:
            if _value_term(branch, code, name)["id"] == wanted:
                return Q(**{branch.field: db_value})
    for population in populations:
        if population_term(population)["id"] == wanted:
            return Q(populations__code=population.code)
    return Q(pk__in=[])


def _attribute(term: HsdsObject, *, branch: str, link_entity: str, link_id: Any) -> HsdsObject:
    return {
        "id": derived_id("attribute", link_entity, link_id, term["code"]),
        "link_id": str(link_id),
        "link_type": branch,  # HSDS leaves the list open; ours is the branch, e.g. "service_type"
        "link_entity": link_entity,
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def _branch_attributes(obj: Organisation | Service, entity: str) -> list[HsdsObject]:
    attributes = []
    for branch in BRANCHES:
        if branch.link_entity != entity:
            continue
        term = _term_of(branch, getattr(obj, branch.model_field))
        if term is not None:
            attributes.append(_attribute(term, branch=branch.code, link_entity=entity, link_id=obj.pk))
    return attributes


# --- Organisations, locations and schedules -------------------------------------------------------------


def _phones(number: str, *, link: tuple[str, Any]) -> list[HsdsObject]:
    """Our organisations and sites keep one phone number; HSDS keeps a list of phone objects."""
    if not number:
        return []
    link_field, owner_id = link
    return [{"id": derived_id("phone", link_field, owner_id), link_field: str(owner_id), "number": number}]


def hsds_organization(organisation: Organisation) -> HsdsObject:
    return _without_none(
        {
            "id": str(organisation.pk),
            "name": organisation.name,
            "alternate_name": _text(organisation.short_name),
            "description": organisation.description,  # required by HSDS, may be empty
            "email": _text(organisation.email),
            "website": _text(organisation.website),
            "phones": _phones(organisation.phone, link=("organization_id", organisation.pk)),
            "attributes": _branch_attributes(organisation, "organization"),
        }
    )


def _area_at(area: AdminArea | None, level: AdminAreaLevel) -> AdminArea | None:
    while area is not None and area.level != level:
        area = area.parent
    return area


def _addresses(site: Site) -> list[HsdsObject]:
    # HSDS requires a first address line; a site with none is located by its coordinates and admin area.
    if not site.address:
        return []
    district = _area_at(site.admin_area, AdminAreaLevel.DISTRICT)
    province = _area_at(site.admin_area, AdminAreaLevel.PROVINCE)
    country = _area_at(site.admin_area, AdminAreaLevel.COUNTRY)
    return [
        {
            "id": derived_id("address", site.pk),
            "location_id": str(site.pk),
            "address_1": site.address,
            "city": district.name if district else "",
            "state_province": province.name if province else "",
            "postal_code": site.postal_code,
            # HSDS wants ISO 3166-1 alpha-2; country areas are coded that way (cbtc createadmin --country-code).
            "country": country.code.upper() if country else "",
            "address_type": "physical",
        }
    ]


def utc_offset_hours(time_zone: str, at: dt.datetime) -> float:
    offset = at.astimezone(ZoneInfo(time_zone)).utcoffset() or dt.timedelta()
    return offset.total_seconds() / 3600


def _clock(value: dt.time, offset_hours: float) -> str:
    # HSDS asks for HH:MM with the offset from UTC, e.g. 09:00+07:00, or a Z suffix in UTC.
    if offset_hours == 0:
        return f"{value:%H:%M}Z"
    sign = "+" if offset_hours > 0 else "-"
    minutes = round(abs(offset_hours) * 60)
    return f"{value:%H:%M}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


_BYDAY = {Weekday.MONDAY: "MO", Weekday.TUESDAY: "TU", Weekday.WEDNESDAY: "WE", Weekday.THURSDAY: "TH"}
_BYDAY |= {Weekday.FRIDAY: "FR", Weekday.SATURDAY: "SA", Weekday.SUNDAY: "SU"}


def hsds_schedules(
    hours: Iterable[OpeningHours], *, time_zone: str, link: tuple[str, Any], attending_type: str | None = None
) -> list[HsdsObject]:
    """Weekly schedules, one per opening and closing time, with the days that keep it: rows for Monday to
    Friday 08:00-16:00 become one schedule ``byday=MO,TU,WE,TH,FR``. ``link`` is the owner, e.g.
    ``("location_id", site.pk)``; the id is derived from the owner and the times, so it is stable."""
    days_by_times: dict[tuple[dt.time, dt.time], list[int]] = {}
    for row in hours:
        days_by_times.setdefault((row.opens_at, row.closes_at), []).append(row.weekday)
    # The offset in force on the day of the export; zones with daylight saving time shift twice a year.
    offset = utc_offset_hours(time_zone, timezone.now())
    link_field, owner_id = link
    schedules = []
    for (opens, closes), listed_days in days_by_times.items():
        days = sorted(set(listed_days))
        schedules.append(
            _without_none(
                {
                    "id": derived_id("schedule", link_field, owner_id, f"{opens:%H:%M}", f"{closes:%H:%M}"),
                    link_field: str(owner_id),
                    "freq": "WEEKLY",
                    "wkst": "MO",
                    "byday": ",".join(_BYDAY[Weekday(day)] for day in days),
                    "opens_at": _clock(opens, offset),
                    "closes_at": _clock(closes, offset),
                    "timezone": int(offset) if offset.is_integer() else offset,
                    "description": (
                        f"{', '.join(Weekday(day).label for day in days)} {opens:%H:%M}–{closes:%H:%M} ({time_zone})"
                    ),
                    "attending_type": attending_type,
                }
            )
        )
    return schedules


def hsds_location(site: Site) -> HsdsObject:
    """A site with its site-level opening hours (prefetched as ``site.opening_hours``, service rows left out)."""
    return _without_none(
        {
            "id": str(site.pk),
            "location_type": "physical",
            "organization_id": str(site.organisation_id),
            "name": site.name,
            "transportation": _text(site.directions),
            "latitude": float(site.latitude) if site.latitude is not None else None,
            "longitude": float(site.longitude) if site.longitude is not None else None,
            "addresses": _addresses(site),
            "phones": _phones(site.phone, link=("location_id", site.pk)),
            "schedules": hsds_schedules(
                site.opening_hours.all(), time_zone=site.time_zone, link=("location_id", site.pk)
            ),
        }
    )


# --- Services -----------------------------------------------------------------------------------------


def _eligibility_description(service: Service) -> str | None:
    parts = []
    if service.gender != Gender.ANY:
        parts.append(f"{service.get_gender_display()}.")
    populations = [population.name for population in service.populations.all()]
    if populations:
        parts.append(f"Designed for: {', '.join(populations)}.")
    if service.eligibility_note:
        parts.append(service.eligibility_note)
    return " ".join(parts) or None


def _fees_description(service: Service) -> str:
    label = service.get_cost_display()
    return f"{label}. {service.cost_note}" if service.cost_note else label


def _wait_time(service: Service) -> str | None:
    if service.waiting_time_days is None:
        return None
    days = "No waiting" if service.waiting_time_days == 0 else f"About {service.waiting_time_days} days"
    updated = service.waiting_time_updated_at
    return f"{days} (as of {updated:%Y-%m-%d})" if updated else days


def _service_attributes(service: Service) -> list[HsdsObject]:
    attributes = _branch_attributes(service, "service")
    attributes += [
        _attribute(population_term(population), branch="population", link_entity="service", link_id=service.pk)
        for population in service.populations.all()
    ]
    return attributes


def hsds_service(service: Service) -> HsdsObject:
    """A fully nested HSDS service: its organisation, its one site as a service_at_location, schedules,
    languages, cost and taxonomy attributes. Expects the relations ``exportable_services`` loads."""
    hours, _from_site = service_opening_hours(service)
    attending_type = service.get_delivery_mode_display()
    return _without_none(
        {
            "id": str(service.pk),
            "organization_id": str(service.organisation_id),
            "name": service.name,
            "description": _text(service.description),
            "status": "active",
            "application_process": (
                "Walk in or call; no referral needed." if service.self_referral else "A referral is needed."
            ),
            "fees_description": _fees_description(service),
            "wait_time": _wait_time(service),
            "eligibility_description": _eligibility_description(service),
            "minimum_age": service.min_age,
            "maximum_age": service.max_age,
            "last_modified": service.updated_at.isoformat(),
            "organization": hsds_organization(service.organisation),
            # The hours the service keeps: its own, or its site's when it has none (OpeningHours).
            "schedules": hsds_schedules(
                hours,
                time_zone=service.site.time_zone,
                link=("service_id", service.pk),
                attending_type=attending_type,
            ),
            "service_at_locations": [
                _without_none(
                    {
                        "id": derived_id("service_at_location", service.pk, service.site_id),
                        "service_id": str(service.pk),
                        "location_id": str(service.site_id),
                        "description": _text(service.accessibility_note),
                        "location": hsds_location(service.site),
                    }
                )
            ],
            "languages": [
                {
                    "id": derived_id("language", service.pk, language.code),
                    "service_id": str(service.pk),
                    "name": language.name,
                    "code": language.code,
                }
                for language in service.languages.all()
            ],
            "cost_options": [
                _without_none(
                    {
                        "id": derived_id("cost_option", service.pk),
                        "service_id": str(service.pk),
                        "option": service.get_cost_display(),
                        "amount": 0 if service.cost == CostType.FREE else None,
                        "amount_description": _text(service.cost_note),
                    }
                )
            ],
            "attributes": _service_attributes(service),
        }
    )


# --- Reads ----------------------------------------------------------------------------------------------
# Directory information is public (docs/hsds.md), so these reads take no actor.


def exportable_services() -> QuerySet[Service]:
    """Active services of active organisations, with everything ``hsds_service`` reads: a page of services
    costs the same handful of queries whatever its size."""
    return (
        Service.objects.filter(is_active=True, organisation__is_active=True)
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
    )


def exportable_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True)


def in_chunks(services: QuerySet[Service], chunk_size: int = EXPORT_CHUNK_SIZE) -> Iterator[Service]:
    """Every service of the query set, read ``chunk_size`` at a time by ascending id (keyset paging), so
    memory stays bounded and each chunk costs one query per relation, not one per service."""
    ordered = services.order_by("pk")
    last_id: uuid.UUID | None = None
    while True:
        chunk = list((ordered if last_id is None else ordered.filter(pk__gt=last_id))[:chunk_size])
        yield from chunk
        if len(chunk) < chunk_size:
            return
        last_id = chunk[-1].pk


def hsds_services_for_export(chunk_size: int = EXPORT_CHUNK_SIZE) -> Iterator[HsdsObject]:
    for service in in_chunks(exportable_services(), chunk_size):
        yield hsds_service(service)
