"""Consent pages: record a consent, withdraw one, and the client's accounting of disclosures with its exports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from cbtc.clients.models import InformationCategory
from cbtc.clients.selectors import ClientRecord, client_get_for_actor
from cbtc.clients.views.common import actor_of, record_or_404, scheme_name
from cbtc.consent.exports import REDISCLOSURE_NOTICE, accounting_csv, accounting_json
from cbtc.consent.forms import AccountingFilterForm, ConsentForm, WithdrawForm, witnesses_for
from cbtc.consent.models import Consent, ConsentKind, Disclosure, ExpiryEvent
from cbtc.consent.rules import age_status, consent_in_force
from cbtc.consent.selectors import (
    accounting_start,
    consent_get_for_actor,
    disclosure_accounting,
    disclosure_accounting_all,
)
from cbtc.consent.services import FORM_VERSION, consent_expiry_event_occurred, consent_record, consent_revoke
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.models import User
from cbtc.network.roles import Permission
from cbtc.network.selectors import DirectoryFilters, organisation_list
from cbtc.web.policy import forbidden, requires

_CATEGORY_LABELS = dict(InformationCategory.choices)
_MAX_RECIPIENT_CHOICES = 500


# What staff say happened, as a button: it ends the consents to share that end with that event.
END_EVENT_ACTIONS: dict[str, str] = {
    ExpiryEvent.END_OF_TREATMENT: "Treatment here has ended",
    ExpiryEvent.REFERRAL_CLOSED: "The referral is completed or closed",
}


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    status: str  # in_force, withdrawn, ended, expired, not_yet
    status_label: str
    recipients: list[str]
    categories: list[str]
    can_withdraw: bool
    can_end: bool = False  # its ending event may be recorded (e.g. treatment here has ended)

    @property
    def end_label(self) -> str:
        return END_EVENT_ACTIONS.get(self.consent.expiry_event, "")


def _status(consent: Consent) -> tuple[str, str]:
    now = timezone.now()
    if consent.revoked_at is not None:
        return "withdrawn", f"Withdrawn {timezone.localtime(consent.revoked_at):%d %b %Y}"
    if consent.expiry_event_at is not None:
        return "ended", f"Ended {timezone.localtime(consent.expiry_event_at):%d %b %Y}"
    if consent.expires_on is not None and consent.expires_on < timezone.localdate(now):
        return "expired", f"Expired {consent.expires_on:%d %b %Y}"
    if not consent_in_force(
        given_at=consent.given_at,
        expires_on=consent.expires_on,
        expiry_event_at=None,
        revoked_at=None,
        at=now,
        today=timezone.localdate(now),
    ):
        return "not_yet", "Not yet in force"
    return "in_force", "In force"


def consent_rows(consents: list[Consent], *, record: ClientRecord, actor: User) -> list[ConsentRow]:
    """Consents as the client page lists them: status in words, names of recipients and information."""
    managing = user_organisation_ids_with(actor, Permission.CONSENT_MANAGE)
    rows = []
    for consent in consents:
        status, label = _status(consent)
        rows.append(
            ConsentRow(
                consent=consent,
                status=status,
                status_label=label,
                recipients=sorted(org.name for org in consent.recipients.all()),
                categories=[_CATEGORY_LABELS.get(code, code) for code in sorted(consent.category_set)],
                can_withdraw=record.access.owner
                and consent.revoked_at is None
                and status in ("in_force", "not_yet")
                and str(consent.organisation_id) in managing,
                can_end=record.access.owner
                and bool(consent.expiry_event)
                and status in ("in_force", "not_yet")
                and str(consent.organisation_id) in managing,
            )
        )
    return rows


@requires(Permission.CONSENT_MANAGE)
@require_http_methods(["GET", "POST"])
def consent_new_view(request: HttpRequest, client_id: str) -> HttpResponse:
    actor = actor_of(request)
    record = record_or_404(request, client_id, for_action=Permission.CONSENT_MANAGE)
    client = record.client
    organisation = client.organisation
    recipients = [
        org
        for org in organisation_list(actor=actor, filters=DirectoryFilters())[:_MAX_RECIPIENT_CHOICES]
        if org.pk != organisation.pk
    ]
    age = age_status(
        birth_year=client.birth_year,
        birth_month=client.birth_month,
        today=timezone.localdate(),
        minor_age=settings.MINOR_AGE,
    )
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        recipients=recipients,
        witnesses=witnesses_for(organisation),
        age=age,
        actor=actor,
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(actor=actor, client=client, organisation=organisation, data=form.to_input())
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "consent/new.html",
        {
            "record": record,
            "client": client,
            "scheme_name": scheme_name(record),
            "organisation": organisation,
            "form": form,
            "form_version": FORM_VERSION,
            "minor_age": settings.MINOR_AGE,
        },
        status=400 if form.errors else 200,
    )


@requires(Permission.CONSENT_MANAGE)
@require_http_methods(["GET", "POST"])
def consent_withdraw_view(request: HttpRequest, consent_id: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        consent = consent_get_for_actor(actor=actor, consent_id=consent_id)
    except NotFound as exc:
        raise Http404("No such consent.") from exc
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_revoke(actor=actor, consent=consent, method=form.cleaned_data["method"])
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Consent withdrawn. Nothing more is shared under it from now on.")
            return redirect("clients:detail", client_id=consent.client_id)
    status, label = _status(consent)
    return render(
        request,
        "consent/withdraw.html",
        {
            "consent": consent,
            "status": status,
            "status_label": label,
            "is_sharing": consent.kind == ConsentKind.DISCLOSURE,
            "recipients": sorted(org.name for org in consent.recipients.all()),
            "categories": [_CATEGORY_LABELS.get(code, code) for code in sorted(consent.category_set)],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@requires(Permission.CONSENT_MANAGE)
@require_http_methods(["GET", "POST"])
def consent_end_view(request: HttpRequest, consent_id: str) -> HttpResponse:
    """Record that a consent's ending event happened (treatment here ended, the referral closed). Every
    consent to share of this client at this service that ends with the same event ends now."""
    actor = actor_of(request)
    try:
        consent = consent_get_for_actor(actor=actor, consent_id=consent_id)
    except NotFound as exc:
        raise Http404("No such consent.") from exc
    if not consent.expiry_event or consent.revoked_at is not None or consent.expiry_event_at is not None:
        messages.info(request, "This consent has no ending event left to record.")
        return redirect("clients:detail", client_id=consent.client_id)
    if request.method == "POST":
        try:
            ended = consent_expiry_event_occurred(
                actor=actor, client=consent.client, organisation=consent.organisation, event=consent.expiry_event
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        messages.success(
            request, f"{ended} consent{pluralize(ended)} to share ended. Nothing more is shared under them."
        )
        return redirect("clients:detail", client_id=consent.client_id)
    return render(
        request, "consent/end.html", {"consent": consent, "action": END_EVENT_ACTIONS.get(consent.expiry_event, "")}
    )


def _accounting_record(request: HttpRequest, client_id: str) -> ClientRecord:
    # The accounting is the disclosing service's record of what it let out; recipients do not see it. They
    # are refused before the record is read, so asking writes no disclosure into the accounting.
    try:
        return client_get_for_actor(actor=actor_of(request), client_id=client_id, for_action=Permission.CLIENT_VIEW)
    except (NotFound, NotPermitted) as exc:
        raise Http404("No such client.") from exc


@requires(Permission.CLIENT_VIEW)
@require_GET
def disclosures_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = _accounting_record(request, client_id)
    form = AccountingFilterForm(request.GET or None)
    rows: list[Disclosure] = []
    more = False
    if not form.is_bound or form.is_valid():
        try:
            rows, more = disclosure_accounting(
                actor=actor_of(request), record=record, since=form.since_date(), before_id=form.before_id()
            )
        except NotFound as exc:
            raise Http404("No such client.") from exc
    since = form.since_date()
    return render(
        request,
        "consent/disclosures.html",
        {
            "record": record,
            "client": record.client,
            "scheme_name": scheme_name(record),
            "form": form,
            "rows": [(row, "; ".join(_CATEGORY_LABELS.get(code, code) for code in row.categories)) for row in rows],
            "more": more,
            "next_before": rows[-1].pk if rows else None,
            "since": since.isoformat() if since else "",
            "start": accounting_start(since),
            "paged": form.before_id() is not None,
            "notice": REDISCLOSURE_NOTICE,
        },
        status=400 if form.errors else 200,
    )


_Response = TypeVar("_Response", HttpResponse, StreamingHttpResponse)


def _attachment(response: _Response, filename: str) -> _Response:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


@requires(Permission.CLIENT_VIEW)
@require_GET
def disclosures_csv_view(request: HttpRequest, client_id: str) -> StreamingHttpResponse:
    record = _accounting_record(request, client_id)
    form = AccountingFilterForm(request.GET or None)
    disclosures = disclosure_accounting_all(actor=actor_of(request), record=record, since=form.since_date())
    response = StreamingHttpResponse(
        accounting_csv(disclosures, client_id=record.client.pk), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"disclosures-{record.client.pk}.csv")


@requires(Permission.CLIENT_VIEW)
@require_GET
def disclosures_json_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = _accounting_record(request, client_id)
    form = AccountingFilterForm(request.GET or None)
    disclosures = disclosure_accounting_all(actor=actor_of(request), record=record, since=form.since_date())
    data = accounting_json(disclosures, client_id=record.client.pk)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    return _attachment(response, f"disclosures-{record.client.pk}.json")
