"""Making a referral from a client's page: find the receiving service, then the referral form. The screening
recommendation links here with the service and reason filled in (``?service=<uuid>&reason=oat``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cbtc.clients.selectors import ClientRecord
from cbtc.clients.views.common import actor_of, record_or_404, scheme_name
from cbtc.consent.disclosure import consents_in_force
from cbtc.consent.models import Consent
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import Membership, Service, User
from cbtc.network.roles import Permission
from cbtc.network.selectors import DirectoryFilters, service_search
from cbtc.referrals.forms import ReferralForm
from cbtc.referrals.models import REASON_FOR_SERVICE_TYPE, ReferralReason
from cbtc.referrals.services import SHARING_PURPOSES, ReferralInput, referral_create
from cbtc.web.policy import forbidden, requires

SEARCH_LIMIT = 20
COMPANIONS_LIMIT = 200
CONSENTS_LIMIT = 20


def _receiving_service(request: HttpRequest) -> Service | None:
    try:
        service_id = uuid.UUID(request.POST.get("receiving_service") or request.GET.get("service") or "")
    except ValueError:  # none given, or not an id at all: the service is still to be found
        return None
    return (
        Service.objects.filter(pk=service_id, is_active=True, organisation__is_active=True)
        .select_related("organisation", "site")
        .first()
    )


def _consent_choices(record: ClientRecord, service: Service) -> list[tuple[str, str]]:
    consents = (
        consents_in_force(recipient_ids=[str(service.organisation_id)])
        .filter(
            client_id__in=record.group_ids, organisation_id=record.client.organisation_id, purpose__in=SHARING_PURPOSES
        )
        .order_by("-given_at")[:CONSENTS_LIMIT]
    )
    return [(str(consent.pk), _consent_label(consent)) for consent in consents]


def _consent_label(consent: Consent) -> str:
    until = f"until {consent.expires_on:%d %b %Y}" if consent.expires_on else consent.get_expiry_event_display().lower()
    return f"Given {timezone.localtime(consent.given_at):%d %b %Y}, {until}"


def _form(record: ClientRecord, service: Service, data: Any = None, initial: Any = None) -> ReferralForm:
    organisation_id = record.client.organisation_id
    services = Service.objects.filter(organisation_id=organisation_id, is_active=True).exclude(pk=service.pk)
    companions = (
        Membership.objects.filter(organisation_id=organisation_id, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__username")[:COMPANIONS_LIMIT]
    )
    return ReferralForm(
        data,
        initial=initial,
        services=[(str(s.pk), s.name) for s in services.order_by("name")[:100]],
        consents=_consent_choices(record, service),
        companions=sorted(
            {(str(m.user_id), m.user.get_full_name() or m.user.username) for m in companions}, key=lambda c: c[1]
        ),
    )


def _input(form: ReferralForm, service: Service, request: HttpRequest) -> ReferralInput:
    data = form.cleaned_data
    companion = data["accompanied_by"]
    consent_id = data["consent"]
    return ReferralInput(
        sending_service=Service.objects.get(pk=data["sending_service"]),
        receiving_service=service,
        reason=data["reason"],
        urgency=data["urgency"],
        note=data["note"],
        shared_categories=frozenset(data["share"]),
        consent=Consent.objects.filter(pk=consent_id).first() if consent_id else None,
        appointment_at=data["appointment_at"],
        booked_with_client_present=data["booked_with_client_present"],
        accompaniment_requested=data["accompaniment_requested"],
        accompanied_by=User.objects.filter(pk=companion).first() if companion else None,
        source_type="screening.recommendation" if request.GET.get("from") == "screening" else "",
    )


@requires(Permission.REFERRAL_MANAGE)
@require_http_methods(["GET", "POST"])
def referral_new_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.REFERRAL_MANAGE)
    service = _receiving_service(request)
    base = {"record": record, "client": record.client, "scheme_name": scheme_name(record)}
    if service is None:  # first, find the service to refer to
        # Printable characters only: PostgreSQL refuses NUL, and no control character belongs in a name.
        text = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable()).strip()[:100]
        found = (
            list(service_search(actor=actor_of(request), filters=DirectoryFilters(text=text))[:SEARCH_LIMIT])
            if text
            else []
        )
        return render(request, "referrals/choose_service.html", {**base, "q": text, "found": found})
    asked = request.GET.get("reason")
    reason = asked if asked in ReferralReason.values else REASON_FOR_SERVICE_TYPE.get(service.type, "")
    if request.method == "GET":
        form = _form(record, service, initial={"reason": reason})
        return render(request, "referrals/new.html", {**base, "service": service, "form": form})
    form = _form(record, service, data=request.POST)
    if form.is_valid():
        try:
            referral = referral_create(
                actor=actor_of(request),
                client=record.client,
                data=_input(form, service, request),
                send="draft" not in request.POST,
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Referral {referral.get_state_display().lower()}. Its code is {referral.code}.")
            return redirect(reverse("referrals:detail", kwargs={"referral_id": referral.pk}))
    return render(request, "referrals/new.html", {**base, "service": service, "form": form}, status=400)
