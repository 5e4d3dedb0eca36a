"""Referral pages: the inbox and outbox of a service, one referral with the steps the viewer's side may take,
finding a referral by the code a client brings, and the figures per service. Making a referral: new_views.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cbtc.clients.models import InformationCategory
from cbtc.clients.views.common import actor_of
from cbtc.consent.disclosure import access_for
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.models import Organisation, Service
from cbtc.network.roles import Permission
from cbtc.referrals.forms import AcceptForm, CompleteForm, DeclineForm, FindByCodeForm
from cbtc.referrals.metrics import referral_metrics
from cbtc.referrals.models import Referral, ReferralState
from cbtc.referrals.selectors import (
    SHOW_CHOICES,
    Box,
    ReferralFor,
    box_services,
    is_overdue,
    referral_box,
    referral_by_code,
    referral_for_actor,
)
from cbtc.referrals.services import (
    internal,
    referral_accept,
    referral_attended,
    referral_cancel,
    referral_complete,
    referral_decline,
    referral_no_show,
    referral_send,
)
from cbtc.web.policy import forbidden, requires

CATEGORY_LABELS = dict(InformationCategory.choices)
ALTERNATIVES_LIMIT = 50
FIGURE_PERIODS = (30, 90, 365)
STEP_LABELS = {
    ReferralState.SENT: "Send",
    ReferralState.ACCEPTED: "Accept",
    ReferralState.DECLINED: "Decline",
    ReferralState.ATTENDED: "The client came",
    ReferralState.NO_SHOW: "The client did not come",
    ReferralState.COMPLETED: "Close with the outcome",
    ReferralState.CANCELLED: "Cancel the referral",
}


@requires(Permission.REFERRAL_MANAGE)
@require_GET
def referral_box_view(request: HttpRequest) -> HttpResponse:
    box: Box = "outbox" if request.GET.get("box") == "outbox" else "inbox"
    asked = request.GET.get("show", "open")
    show = asked if asked in SHOW_CHOICES else "open"
    services = box_services(actor=actor_of(request))
    service = next((s for s in services if str(s.pk) == request.GET.get("service")), None)
    referrals = referral_box(actor=actor_of(request), box=box, show=show, service_id=service.pk if service else None)
    paginator = Paginator(referrals, settings.CLIENT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [(referral, is_overdue(referral)) for referral in page.object_list]
    return render(
        request,
        "referrals/box.html",
        {
            "box": box,
            "show": show,
            "shows": SHOW_CHOICES,
            "page": page,
            "rows": rows,
            "code_form": FindByCodeForm(),
            "services": services,
            "service": service,
        },
    )


@requires(Permission.REFERRAL_MANAGE)
@require_POST
def referral_find_view(request: HttpRequest) -> HttpResponse:
    """By POST, so the code a client brings never lands in a URL or a server log."""
    form = FindByCodeForm(request.POST)
    referral = referral_by_code(actor=actor_of(request), code=form.data.get("code", "")) if form.is_valid() else None
    if referral is None:
        messages.error(request, "No referral to your service has this code. Check it with the client.")
        return redirect("referrals:box")
    return redirect("referrals:detail", referral_id=referral.pk)


def _view_or_404(request: HttpRequest, referral_id: uuid.UUID, audit: bool = True) -> ReferralFor:
    try:
        return referral_for_actor(actor=actor_of(request), referral_id=referral_id, audit=audit)
    except NotFound as exc:
        raise Http404("No such referral.") from exc


def _alternatives(referral: Referral) -> list[tuple[str, str]]:
    services = (
        Service.objects.filter(type=referral.receiving_service.type, is_active=True, organisation__is_active=True)
        .exclude(pk=referral.receiving_service_id)
        .select_related("organisation")
        .order_by("name", "pk")[:ALTERNATIVES_LIMIT]
    )
    return [(str(service.pk), f"{service.name} ({service.organisation.name})") for service in services]


def _detail_context(request: HttpRequest, view: ReferralFor, **forms: Any) -> dict[str, Any]:
    referral = view.referral
    # The receiving side may open the record only under the consent; the link is offered when that holds now.
    record_link = view.is_sender or (
        not referral.anonymous and access_for(actor=actor_of(request), client=referral.client) is not None
    )
    return {
        "view": view,
        "referral": referral,
        "internal": internal(referral),
        "shared": [CATEGORY_LABELS.get(code, code) for code in sorted(referral.category_set)],
        "record_link": record_link,
        "steps": [(step, STEP_LABELS[ReferralState(step)]) for _, step in view.steps],
        "accept_form": forms.get("accept_form") or AcceptForm(),
        "decline_form": forms.get("decline_form") or DeclineForm(alternatives=_alternatives(referral)),
        "complete_form": forms.get("complete_form") or CompleteForm(),
    }


@requires(Permission.REFERRAL_MANAGE)
@require_GET
def referral_detail_view(request: HttpRequest, referral_id: uuid.UUID) -> HttpResponse:
    view = _view_or_404(request, referral_id)
    return render(request, "referrals/detail.html", _detail_context(request, view))


def _accept(request: HttpRequest, view: ReferralFor) -> Referral | dict[str, Any]:
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return {"accept_form": form}
    return referral_accept(
        actor=actor_of(request), referral=view.referral, appointment_at=form.cleaned_data["appointment_at"]
    )


def _decline(request: HttpRequest, view: ReferralFor) -> Referral | dict[str, Any]:
    form = DeclineForm(request.POST, alternatives=_alternatives(view.referral))
    if not form.is_valid():
        return {"decline_form": form}
    suggested_id = form.cleaned_data["suggested_service"]
    suggested = Service.objects.filter(pk=suggested_id).first() if suggested_id else None
    return referral_decline(
        actor=actor_of(request),
        referral=view.referral,
        reason=form.cleaned_data["decline_reason"],
        suggested_service=suggested,
    )


def _complete(request: HttpRequest, view: ReferralFor) -> Referral | dict[str, Any]:
    form = CompleteForm(request.POST)
    if not form.is_valid():
        return {"complete_form": form}
    return referral_complete(
        actor=actor_of(request), referral=view.referral, outcome=form.cleaned_data["completion_outcome"]
    )


STEP_HANDLERS: dict[str, Callable[[HttpRequest, ReferralFor], Referral | dict[str, Any]]] = {
    ReferralState.SENT: lambda request, view: referral_send(actor=actor_of(request), referral=view.referral),
    ReferralState.ACCEPTED: _accept,
    ReferralState.DECLINED: _decline,
    ReferralState.ATTENDED: lambda request, view: referral_attended(actor=actor_of(request), referral=view.referral),
    ReferralState.NO_SHOW: lambda request, view: referral_no_show(actor=actor_of(request), referral=view.referral),
    ReferralState.COMPLETED: _complete,
    ReferralState.CANCELLED: lambda request, view: referral_cancel(actor=actor_of(request), referral=view.referral),
}


@requires(Permission.REFERRAL_MANAGE)
@require_http_methods(["POST"])
def referral_step_view(request: HttpRequest, referral_id: uuid.UUID, step: str) -> HttpResponse:
    view = _view_or_404(request, referral_id, audit=False)
    handler = STEP_HANDLERS.get(step)
    if handler is None:
        raise Http404("No such step.")
    try:
        outcome = handler(request, view)
    except NotPermitted as exc:
        return forbidden(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("referrals:detail", referral_id=view.referral.pk)
    if isinstance(outcome, dict):  # the form had mistakes: show them on the page
        return render(request, "referrals/detail.html", _detail_context(request, view, **outcome), status=400)
    messages.success(request, f"Referral {ReferralState(outcome.state).label.lower()}.")
    return redirect("referrals:detail", referral_id=outcome.pk)


@requires(Permission.CLIENT_VIEW)
@require_GET
def referral_figures_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    organisation_ids = sorted(user_organisation_ids_with(actor, Permission.CLIENT_VIEW))
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids).order_by("name"))
    chosen = next((org for org in organisations if str(org.pk) == request.GET.get("organisation")), None)
    organisation = chosen or (organisations[0] if organisations else None)
    days = int(request.GET["days"]) if request.GET.get("days") in {str(d) for d in FIGURE_PERIODS} else 90
    until = timezone.now()
    figures = (
        referral_metrics(actor=actor, organisation_id=organisation.pk, since=until - timedelta(days=days), until=until)
        if organisation is not None
        else []
    )
    context = {"organisations": organisations, "organisation": organisation, "days": days, "periods": FIGURE_PERIODS}
    return render(request, "referrals/figures.html", {**context, "figures": figures})
