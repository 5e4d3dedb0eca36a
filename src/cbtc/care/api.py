"""JSON API of outreach contacts: record one (named or an anonymous tally) and list your organisation's."""

import uuid
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema, Status

from cbtc.api_routing import PolicyRouter
from cbtc.care.models import OutreachContact
from cbtc.care.schemas import ContactIn, ContactListOut, ContactOut, ErrorOut
from cbtc.care.selectors import outreach_contacts
from cbtc.care.services.outreach import ContactInput, OverdoseInput, SupplyLine, outreach_contact_record
from cbtc.clients.api import actor_of, no_store
from cbtc.clients.models import Client
from cbtc.errors import ServiceError
from cbtc.network.models import AdminArea, Organisation, Service
from cbtc.network.roles import Permission
from cbtc.web.policy import requires

router = PolicyRouter(tags=["care"])
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PAGE_SIZE = 50


def contact_out(contact: OutreachContact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "organisation_id": contact.organisation_id,
        "contact_at": contact.contact_at,
        "place": contact.place,
        "area_id": contact.area_id,
        "client_id": contact.client_id,
        "people_count": contact.people_count,
        "tally": [{"dimension": t.dimension, "value": t.value, "count": t.count} for t in contact.tally.all()],
        "supplies": [
            {
                "item": s.item,
                "quantity": s.quantity,
                "pre_test_counselling": s.pre_test_counselling,
                "post_test_counselling": s.post_test_counselling,
            }
            for s in contact.supplies.all()
        ],
        "overdoses": [
            {"naloxone_given_by": o.naloxone_given_by, "naloxone_doses": o.naloxone_doses, "outcome": o.outcome}
            for o in contact.overdoses.all()
        ],
        "brief_advice": contact.brief_advice,
        "accompanied_to_id": contact.accompanied_to_id,
    }


def _one(model: Any, pk: uuid.UUID | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ServiceError("Not found.", field=field)
    return found


def _own_client(organisation: Organisation, client_id: uuid.UUID | None) -> Client | None:
    """A client registered by the recording organisation; any other id is answered as if it did not exist."""
    if client_id is None:
        return None
    client = Client.objects.filter(pk=client_id, organisation=organisation).first()
    if client is None:
        raise ServiceError("Choose a client registered by your organisation.", field="client_id")
    return client


@router.post("/outreach-contacts", response={201: ContactOut, **ERRORS}, summary="Record an outreach contact")
@requires(Permission.CARE_RECORD)
def contact_create(request: HttpRequest, response: HttpResponse, data: ContactIn) -> Status[dict[str, Any]]:
    no_store(response)
    organisation = _one(Organisation, data.organisation_id, "organisation_id")
    tally: dict[str, dict[str, int]] = {}
    for row in data.tally:
        tally.setdefault(row.dimension, {})[row.value] = row.count
    supplies: dict[str, SupplyLine] = {
        str(s.item): SupplyLine(s.quantity, s.pre_test_counselling, s.post_test_counselling) for s in data.supplies
    }
    if len(supplies) != len(data.supplies):
        raise ServiceError("Give each item once.", field="supplies")
    contact = outreach_contact_record(
        actor=actor_of(request),
        organisation=organisation,
        data=ContactInput(
            place=data.place,
            contact_at=data.contact_at,
            service=_one(Service, data.service_id, "service_id"),
            area=_one(AdminArea, data.area_id, "area_id"),
            client=_own_client(organisation, data.client_id),
            people_count=data.people_count,
            tally=tally,
            supplies=supplies,
            overdoses=[OverdoseInput(o.naloxone_given_by, o.outcome, o.naloxone_doses) for o in data.overdoses],
            brief_advice=data.brief_advice,
            accompanied_to=_one(Service, data.accompanied_to_id, "accompanied_to_id"),
        ),
    )
    fresh = outreach_contacts(actor=actor_of(request)).get(pk=contact.pk)
    return Status(201, contact_out(fresh))


class ListQuery(Schema):
    organisation_id: uuid.UUID | None = None
    page: int = 1


@router.get("/outreach-contacts", response={200: ContactListOut, **ERRORS}, summary="Your organisations' contacts")
@requires(Permission.CARE_RECORD)
def contact_list(request: HttpRequest, response: HttpResponse, query: Query[ListQuery]) -> dict[str, Any]:
    no_store(response)
    organisation_id = str(query.organisation_id) if query.organisation_id else None
    page = Paginator(outreach_contacts(actor=actor_of(request), organisation_id=organisation_id), PAGE_SIZE).get_page(
        query.page
    )
    return {
        "contacts": [contact_out(c) for c in page.object_list],
        "page": page.number,
        "pages": page.paginator.num_pages,
    }
