"""Pages for an incident, a pregnancy and a release plan, each opened from the client's page by the organisation
that registered the client. Every change goes through a service (services/incidents.py, services/populations.py):
a refusal is shown on the field it names (400, nothing written). The client's page lists what was recorded
(selectors.incidents_of_record, current_pregnancy, release_plans_of_record). Only opaque UUIDs appear in these
URLs; every change goes by POST."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cbtc.care.episode_reads import own_services, services_in_reach
from cbtc.care.episode_views import client_context
from cbtc.care.models import IncidentKind
from cbtc.care.population_forms import IncidentForm, PregnancyForm, ReleasePlanForm
from cbtc.care.selectors import current_pregnancy
from cbtc.care.services.incidents import incident_record
from cbtc.care.services.populations import pregnancy_record, release_plan_record
from cbtc.clients.views.common import actor_of, record_or_404
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import Organisation, Service, ServiceType
from cbtc.network.roles import Permission
from cbtc.web.policy import forbidden, requires


def _service(value: str | None, **scope: Any) -> Service | None:
    return Service.objects.filter(pk=value, **scope).select_related("organisation").first() if value else None


def _done(request: HttpRequest, client_id: Any, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("clients:detail", client_id=client_id)


# -- an incident -------------------------------------------------------------------------------------------


def _legal_aid_services(organisation: Organisation) -> list[Any]:
    """The services in reach, legal-aid services first (one more query for their types)."""
    services = services_in_reach(organisation)
    legal_aid = Service.objects.filter(pk__in=[pk for pk, _ in services], type=ServiceType.LEGAL_AID)
    legal = {str(pk) for pk in legal_aid.values_list("pk", flat=True)}
    if not legal:
        return services
    return [
        ("Legal aid", [s for s in services if s[0] in legal]),
        ("Other services", [s for s in services if s[0] not in legal]),
    ]


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def incident_new_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.CARE_RECORD)
    client = record.client
    choices = {
        "own_services": own_services(client.organisation),
        "legal_aid_services": _legal_aid_services(client.organisation),
    }
    context = client_context(record)
    if request.method == "GET":
        form = IncidentForm(initial={"occurred_on": timezone.localdate()}, **choices)
        return render(request, "care/incident_new.html", {**context, "form": form})
    form = IncidentForm(request.POST, **choices)
    if form.is_valid():
        data = form.cleaned_data
        legal_aid = None
        if data["legal_aid_service"]:
            sending = _service(data["legal_aid_sending_service"], organisation_id=client.organisation_id)
            receiving = _service(data["legal_aid_service"])
            legal_aid = (sending, receiving) if sending and receiving else None
        try:
            if data["legal_aid_service"] and legal_aid is None:
                raise ServiceError("Choose from the lists.", field="legal_aid")
            incident = incident_record(
                actor=actor_of(request),
                organisation=client.organisation,
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                client=client,
                crisis_response=data["crisis_response"],
                legal_aid=legal_aid,
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            message = f"Incident recorded: {IncidentKind(incident.kind).label.lower()}."
            referral = incident.legal_aid_referral
            if referral is not None:
                message += (
                    f" A legal-aid referral was sent to {referral.receiving_service.name}."
                    f" Give the client its code: {referral.code}."
                )
            return _done(request, client.pk, message)
    return render(request, "care/incident_new.html", {**context, "form": form}, status=400)


# -- a pregnancy -------------------------------------------------------------------------------------------


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def pregnancy_new_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.CARE_RECORD)
    pregnancy = current_pregnancy(record=record)
    context = {**client_context(record), "pregnancy": pregnancy}
    if request.method == "GET":
        # One already recorded: the form starts from it, so changing the date does not lose the plan.
        initial = {"expected_on": pregnancy.expected_on, "delivery_plan": pregnancy.delivery_plan} if pregnancy else {}
        return render(request, "care/pregnancy_new.html", {**context, "form": PregnancyForm(initial=initial)})
    form = PregnancyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            pregnancy = pregnancy_record(
                actor=actor_of(request),
                client=record.client,
                expected_on=data["expected_on"],
                delivery_plan=data["delivery_plan"],
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            return _done(request, record.client.pk, f"Pregnancy recorded: expected {pregnancy.expected_on:%d %b %Y}.")
    return render(request, "care/pregnancy_new.html", {**context, "form": form}, status=400)


# -- a release plan ----------------------------------------------------------------------------------------


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def release_plan_new_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.CARE_RECORD)
    client = record.client
    choices = {"own_services": own_services(client.organisation), "services": services_in_reach(client.organisation)}
    context = client_context(record)
    if request.method == "GET":
        return render(request, "care/release_plan_new.html", {**context, "form": ReleasePlanForm(**choices)})
    form = ReleasePlanForm(request.POST, **choices)
    if form.is_valid():
        data = form.cleaned_data
        sending = _service(data["sending_service"], organisation_id=client.organisation_id)
        continuity = _service(data["continuity_service"])
        try:
            if sending is None or continuity is None:
                raise ServiceError("Choose from the lists.", field="continuity_service")
            plan = release_plan_record(
                actor=actor_of(request),
                client=client,
                release_on=data["release_on"],
                sending_service=sending,
                continuity_service=continuity,
                naloxone_given=data["naloxone_given"],
                naloxone_training=data["naloxone_training"],
                family_trained=data["family_trained"],
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            referral = plan.continuity_referral
            return _done(
                request,
                client.pk,
                f"Release plan recorded for {plan.release_on:%d %b %Y}. A referral was sent to "
                f"{referral.receiving_service.name} so care goes on after release (code {referral.code}).",
            )
    return render(request, "care/release_plan_new.html", {**context, "form": form}, status=400)
