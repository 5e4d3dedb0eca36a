"""The public, read-only HSDS 3.0 API at /api/v1/hsds (docs/hsds.md).

Paths and paging follow the Open Referral HSDS 3.0 openapi.json. Information on services must be easy to
find, so these operations are public: they read only the directory, which holds no client data, and every
list is paged with a bounded page size.
"""

import datetime as dt
import math
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema

from cbtc.api_routing import PolicyRouter
from cbtc.clients.schemas import ErrorOut
from cbtc.errors import NotFound
from cbtc.network.hsds import (
    HSDS_SCHEMA_COMMIT,
    HSDS_VERSION,
    HsdsObject,
    exportable_organisations,
    exportable_services,
    hsds_organization,
    hsds_service,
    services_with_term,
    taxonomy_terms,
)
from cbtc.network.models import Population
from cbtc.web.policy import public

router = PolicyRouter(tags=["hsds"])

MAX_PER_PAGE = 100
MAX_PAGE = 10_000  # 1,000,000 records at the largest page size: far beyond a national directory
ERRORS: dict[int, Any] = {404: ErrorOut, 422: ErrorOut}
MAX_POPULATIONS = 1000  # a short reference list; the bound only keeps the read finite


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    per_page: int = Field(25, ge=1, le=MAX_PER_PAGE, description=f"Results per page, at most {MAX_PER_PAGE}.")


class ServiceQuery(PageQuery):
    organization_id: uuid.UUID | None = Field(None, description="Only services of this organization.")
    taxonomy_term_id: uuid.UUID | None = Field(None, description="Only services with this cbtc taxonomy term.")
    modified_after: dt.datetime | None = Field(None, description="Only services changed at or after this time.")


class HsdsPageOut(Schema):
    """The HSDS paging envelope (openapi.json, components/schemas/Page) around the page's objects."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[dict[str, Any]]


class ApiMetaOut(Schema):
    version: str
    profile: str
    openapi_url: str


def _page(
    items: QuerySet[Any] | Sequence[HsdsObject], query: PageQuery, to_hsds: Callable[[Any], HsdsObject]
) -> dict[str, Any]:
    total = items.count() if isinstance(items, QuerySet) else len(items)
    start = (query.page - 1) * query.per_page
    contents = [to_hsds(item) for item in items[start : start + query.per_page]]
    total_pages = math.ceil(total / query.per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": query.page,
        "size": len(contents),
        "first_page": query.page == 1,
        "last_page": query.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _populations() -> list[Population]:
    return list(Population.objects.order_by("code")[:MAX_POPULATIONS])


@router.get("/hsds", response=ApiMetaOut, summary="HSDS: the HSDS version and profile of this API")
@public
def hsds_meta(request: HttpRequest) -> dict[str, Any]:
    return {
        "version": HSDS_VERSION,
        "profile": f"https://github.com/openreferral/specification/tree/{HSDS_SCHEMA_COMMIT}/schema",
        "openapi_url": request.build_absolute_uri(reverse("api:openapi-json")),
    }


@router.get("/hsds/services", response={200: HsdsPageOut, **ERRORS}, summary="HSDS: active services, fully nested")
@public
def hsds_services(request: HttpRequest, query: Query[ServiceQuery]) -> dict[str, Any]:
    services = exportable_services()
    if query.organization_id is not None:
        services = services.filter(organisation_id=query.organization_id)
    if query.taxonomy_term_id is not None:
        services = services.filter(services_with_term(query.taxonomy_term_id, _populations()))
    if query.modified_after is not None:
        after = query.modified_after
        services = services.filter(updated_at__gte=after if after.tzinfo else after.replace(tzinfo=dt.UTC))
    return _page(services.order_by("name", "id"), query, hsds_service)


@router.get("/hsds/services/{service_id}", response={200: dict[str, Any], **ERRORS}, summary="HSDS: one service")
@public
def hsds_service_detail(request: HttpRequest, service_id: uuid.UUID) -> HsdsObject:
    service = exportable_services().filter(pk=service_id).first()
    if service is None:
        raise NotFound
    return hsds_service(service)


@router.get("/hsds/organizations", response={200: HsdsPageOut, **ERRORS}, summary="HSDS: active organizations")
@public
def hsds_organizations(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    return _page(exportable_organisations().order_by("name", "id"), query, hsds_organization)


@router.get(
    "/hsds/organizations/{organization_id}", response={200: dict[str, Any], **ERRORS}, summary="HSDS: one organization"
)
@public
def hsds_organization_detail(request: HttpRequest, organization_id: uuid.UUID) -> HsdsObject:
    organisation = exportable_organisations().filter(pk=organization_id).first()
    if organisation is None:
        raise NotFound
    return hsds_organization(organisation)


@router.get("/hsds/taxonomy_terms", response={200: HsdsPageOut, **ERRORS}, summary="HSDS: the cbtc taxonomy terms")
@public
def hsds_taxonomy_terms(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    return _page(taxonomy_terms(_populations()), query, lambda term: term)
