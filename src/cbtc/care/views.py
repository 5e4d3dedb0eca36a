"""Outreach contact pages: the organisation's recent contacts, and one phone-first form to record a contact,
either an anonymous tally (/outreach/new/) or with a registered client (from the client's page).

Only opaque UUIDs appear in these URLs; everything recorded goes by POST."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cbtc.care.episode_reads import services_in_reach
from cbtc.care.forms import ContactForm
from cbtc.care.models import ContactPlace, OutreachContact, SupplyItem
from cbtc.care.selectors import contact_organisations, outreach_contacts
from cbtc.care.services.outreach import ContactInput, outreach_contact_record
from cbtc.clients.selectors import ClientRecord
from cbtc.clients.views.common import actor_of, record_or_404, scheme_name
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import AdminArea, AdminAreaLevel, Organisation, Service
from cbtc.network.roles import Permission
from cbtc.web.policy import forbidden, requires

SERVICES_LIMIT = 100
AREAS_LIMIT = 200
SUPPLY_LABELS = dict(SupplyItem.choices)


def _organisations(request: HttpRequest) -> list[Organisation]:
    """The organisations in which the viewer records contacts, by name."""
    ids = sorted(contact_organisations(actor_of(request)))
    return list(Organisation.objects.filter(pk__in=ids, is_active=True).order_by("name", "pk"))


def _chosen(organisations: list[Organisation], asked: str | None) -> Organisation | None:
    return next((org for org in organisations if str(org.pk) == asked), None)


def _lower(label: str) -> str:
    """Lower case for the middle of a sentence, but not an acronym: "condoms", "HIV rapid test"."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def given_text(contact: OutreachContact) -> str:
    """What was given, e.g. "needles and syringes 40, naloxone kits 1" (supplies prefetched)."""
    return ", ".join(f"{_lower(SUPPLY_LABELS.get(s.item, s.item))} {s.quantity}" for s in contact.supplies.all())


@requires(Permission.CARE_RECORD)
@require_GET
def contact_list_view(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    organisation = _chosen(organisations, request.GET.get("organisation"))
    contacts = outreach_contacts(
        actor=actor_of(request), organisation_id=str(organisation.pk) if organisation else None
    )
    page = Paginator(contacts, settings.CLIENT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(contact, given_text(contact), len(contact.overdoses.all())) for contact in page.object_list]
    return render(
        request,
        "care/contacts.html",
        {"organisations": organisations, "organisation": organisation, "page": page, "rows": rows},
    )


# -- recording a contact ------------------------------------------------------------------------------


def _services(organisation: Organisation) -> list[tuple[str, str]]:
    services = Service.objects.filter(organisation=organisation, is_active=True).order_by("name", "pk")
    return [(str(s.pk), s.name) for s in services[:SERVICES_LIMIT]]


def _areas(organisation: Organisation) -> list[tuple[str, str]]:
    """Provinces and districts under the organisation's area and its sites' areas; never the country."""
    roots = {organisation.admin_area.path} | set(organisation.sites.values_list("admin_area__path", flat=True))
    under = Q()
    for path in roots:
        under |= Q(path__startswith=path)
    areas = (
        AdminArea.objects.filter(under)
        .exclude(level=AdminAreaLevel.COUNTRY)
        .select_related("parent")
        .order_by("path")[:AREAS_LIMIT]
    )
    return [
        (str(a.pk), f"{a.name} ({a.parent.name})" if a.level == AdminAreaLevel.DISTRICT and a.parent else a.name)
        for a in areas
    ]


def _form(organisation: Organisation, *, named: bool, data: Any = None) -> ContactForm:
    return ContactForm(
        data,
        named=named,
        services=_services(organisation),
        areas=_areas(organisation),
        accompany_to=services_in_reach(organisation),
    )


def _input(form: ContactForm, organisation: Organisation, record: ClientRecord | None) -> ContactInput:
    data = form.cleaned_data
    service = Service.objects.filter(pk=data["service"], organisation=organisation).first() if data["service"] else None
    area = AdminArea.objects.filter(pk=data["area"]).first() if data["area"] else None
    accompanied_to = Service.objects.filter(pk=data["accompanied_to"]).first() if data["accompanied_to"] else None
    return ContactInput(
        place=data["place"],
        contact_at=data["contact_at"],
        service=service,
        area=area,
        client=record.client if record else None,
        people_count=1 if record else data["people_count"],
        tally=form.tally(),
        supplies=form.supplies(),
        overdoses=form.overdoses(),
        brief_advice=data["brief_advice"],
        accompanied_to=accompanied_to,
    )


def _done_message(contact: OutreachContact, overdoses: int) -> str:
    """E.g. "Contact recorded: 6 people, hotspot, 2 overdoses." or "Contact recorded (street)."."""
    place = ContactPlace(contact.place).label.lower()
    if overdoses:
        place += ", 1 overdose" if overdoses == 1 else f", {overdoses} overdoses"
    if contact.anonymous:
        people = "1 person" if contact.people_count == 1 else f"{contact.people_count} people"
        return f"Contact recorded: {people}, {place}."
    return f"Contact recorded ({place})."


def _record(
    request: HttpRequest, organisation: Organisation, record: ClientRecord | None, context: dict[str, Any]
) -> HttpResponse:
    """The form (GET) or its submission (POST), for either kind of contact."""
    named = record is not None
    if request.method == "GET":
        form = _form(organisation, named=named)
        return render(request, "care/new.html", {**context, "form": form})
    form = _form(organisation, named=named, data=request.POST)
    if form.is_valid():
        data = _input(form, organisation, record)
        try:
            contact = outreach_contact_record(actor=actor_of(request), organisation=organisation, data=data)
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            messages.success(request, _done_message(contact, len(data.overdoses)))
            if record is not None:
                return redirect("clients:detail", client_id=record.client.pk)
            return redirect("care:contacts")
    return render(request, "care/new.html", {**context, "form": form}, status=400)


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def contact_new_view(request: HttpRequest) -> HttpResponse:
    """An anonymous tally. With several organisations, the worker first says which one it is for."""
    organisations = _organisations(request)
    if not organisations:
        raise PermissionDenied("Your role does not include recording contacts.")
    asked = request.POST.get("organisation") or request.GET.get("organisation")
    organisation = organisations[0] if len(organisations) == 1 else _chosen(organisations, asked)
    if organisation is None:
        return render(
            request,
            "care/choose_organisation.html",
            {"organisations": organisations},
            status=400 if request.method == "POST" else 200,
        )
    context = {"organisation": organisation, "several": len(organisations) > 1}
    return _record(request, organisation, None, context)


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def client_contact_new_view(request: HttpRequest, client_id: str) -> HttpResponse:
    """A contact with a registered client, from the client's page."""
    record = record_or_404(request, client_id, for_action=Permission.CARE_RECORD)
    context = {
        "organisation": record.client.organisation,
        "record": record,
        "client": record.client,
        "scheme_name": scheme_name(record),
    }
    return _record(request, record.client.organisation, record, context)
