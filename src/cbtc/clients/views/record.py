"""One client's page, its timeline, its export and the correction of its details."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from cbtc.care.selectors import current_pregnancy, episodes_of_record, incidents_of_record, release_plans_of_record
from cbtc.clients.forms import ClientDetailsForm
from cbtc.clients.models import KEY_POPULATIONS, ClientEvent, InformationCategory, SexAtBirth
from cbtc.clients.selectors import ClientRecord, client_merges, client_timeline
from cbtc.clients.services import client_update
from cbtc.clients.views.common import actor_of, may_in_owner, record_or_404, scheme_name
from cbtc.consent.disclosure import DISCLOSABLE_CATEGORIES
from cbtc.consent.exports import client_record_export
from cbtc.consent.models import DisclosureChannel
from cbtc.consent.selectors import consents_for_record
from cbtc.consent.views import ConsentRow, consent_rows
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.roles import Permission
from cbtc.referrals.selectors import referrals_of_client
from cbtc.screening.forms import PlacementReviewForm
from cbtc.screening.selectors import (
    assessments_for_record,
    brief_interventions_for_record,
    placement_reviews_for_record,
    recommendations_for_record,
)
from cbtc.screening.views import assessment_headline
from cbtc.web.policy import forbidden, requires
from cbtc.web.rendering import render_page_or_fragment


@dataclass(frozen=True)
class SharedBanner:
    """For a recipient: who shared the record, under which consent, until when, and what it covers."""

    disclosing_organisation: str
    rows: list[ConsentRow]
    categories: list[str]


def _timeline_context(record: ClientRecord, events: list[ClientEvent], more: bool) -> dict[str, object]:
    last = events[-1] if events else None
    return {
        "record": record,
        "events": events,
        "more": more,
        # The cursor is a time and a row number: nothing about the client.
        "cursor_at": last.occurred_at.isoformat() if last else "",
        "cursor_id": last.pk if last else "",
    }


def _banner(record: ClientRecord, rows: list[ConsentRow]) -> SharedBanner | None:
    if record.access.owner:
        return None
    return SharedBanner(
        disclosing_organisation=record.client.organisation.name,
        rows=rows,
        categories=[label for code, label in InformationCategory.choices if record.sees(code)],
    )


@requires(Permission.CLIENT_VIEW)
@require_GET
def client_detail_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = record_or_404(request, client_id)
    events, more = client_timeline(record=record)
    rows = consent_rows(consents_for_record(record=record), record=record, actor=actor_of(request))
    client = record.client
    records_care = may_in_owner(request, record, Permission.CARE_RECORD) and client.merged_into_id is None
    context = {
        **_timeline_context(record, events, more),
        "client": client,
        "scheme_name": scheme_name(record),
        "identity": record.identity,
        "sees_demographics": record.sees(InformationCategory.DEMOGRAPHICS),
        "key_populations": [label for flag, label in KEY_POPULATIONS.items() if getattr(client, flag)],
        "consents": rows,
        "banner": _banner(record, rows),
        "merges": client_merges(record=record),
        "hidden_categories": [
            label
            for code, label in InformationCategory.choices
            if code in DISCLOSABLE_CATEGORIES and not record.sees(code)
        ],
        "can_edit": may_in_owner(request, record, Permission.CLIENT_REGISTER),
        "can_consent": may_in_owner(request, record, Permission.CONSENT_MANAGE),
        "can_merge": may_in_owner(request, record, Permission.CLIENT_MERGE) and client.merged_into_id is None,
        "can_screen": may_in_owner(request, record, Permission.SCREENING_PERFORM) and client.merged_into_id is None,
        "sees_screening": record.sees(InformationCategory.SCREENING),
        "assessments": [(a, assessment_headline(a)) for a in assessments_for_record(record=record)],
        "brief_interventions": brief_interventions_for_record(record=record),
        "latest_recommendation": next(iter(recommendations_for_record(record=record, limit=1)), None),
        "placement_reviews": placement_reviews_for_record(record=record),
        "placement_review_form": PlacementReviewForm(),
        "can_refer": may_in_owner(request, record, Permission.REFERRAL_MANAGE) and client.merged_into_id is None,
        "can_record_contact": may_in_owner(request, record, Permission.CARE_RECORD) and client.merged_into_id is None,
        "referrals": referrals_of_client(actor=actor_of(request), client_ids=record.group_ids),
        "sees_episodes": record.sees(InformationCategory.EPISODES),
        "episodes": episodes_of_record(record=record),
        "can_open_episode": may_in_owner(request, record, Permission.CARE_RECORD) and client.merged_into_id is None,
        "incidents": incidents_of_record(record=record),
        "pregnancy": current_pregnancy(record=record),
        "release_plans": release_plans_of_record(record=record),
        "can_record_incident": records_care,
        "can_record_pregnancy": records_care and client.sex_at_birth != SexAtBirth.MALE,
        "can_plan_release": records_care,
        "opens_referrals": may_in_owner(request, record, Permission.REFERRAL_MANAGE),
        "today": timezone.localdate(),
    }
    return render(request, "clients/detail.html", context)


def _cursor(request: HttpRequest) -> tuple[datetime, int] | None:
    try:
        at = datetime.fromisoformat(request.GET.get("at", ""))
        event_id = int(request.GET.get("id", ""))
        if at.tzinfo is not None:
            at.astimezone(UTC)  # a time the database can hold (year 1 at +14:00 is before year 1 in UTC)
    except (ValueError, OverflowError):
        return None
    return (at, event_id) if at.tzinfo is not None else None


@requires(Permission.CLIENT_VIEW)
@require_GET
def client_timeline_view(request: HttpRequest, client_id: str) -> HttpResponse:
    """Older timeline entries (htmx 'Show older'). The cursor is the time and id of the last entry shown."""
    cursor = _cursor(request)
    if cursor is None:
        return HttpResponseBadRequest("The timeline position is not valid.")
    record = record_or_404(request, client_id)
    events, more = client_timeline(record=record, before=cursor)
    return render_page_or_fragment(
        request, "clients/timeline_page.html", "clients/partials/timeline.html", _timeline_context(record, events, more)
    )


@requires(Permission.CLIENT_VIEW)
@require_GET
def client_export_view(request: HttpRequest, client_id: str) -> HttpResponse:
    """The record as the actor may see it, as a JSON file, with the re-disclosure notice at the top."""
    record = record_or_404(request, client_id, channel=DisclosureChannel.EXPORT)
    data = client_record_export(record, consents_for_record(record=record))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="client-{record.client.pk}.json"'
    add_never_cache_headers(response)
    return response


@requires(Permission.CLIENT_REGISTER)
@require_http_methods(["GET", "POST"])
def client_edit_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.CLIENT_REGISTER)
    if request.method == "POST":
        form = ClientDetailsForm(request.POST)
    else:
        form = ClientDetailsForm(initial=ClientDetailsForm.initial_from(record))
    if request.method == "POST" and form.is_valid():
        try:
            client_update(
                actor=actor_of(request),
                client=record.client,
                demographics=form.demographics(),
                identity=form.identity(),
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Details saved.")
            return redirect("clients:detail", client_id=record.client.pk)
    return render(
        request,
        "clients/edit.html",
        {"record": record, "client": record.client, "scheme_name": scheme_name(record), "form": form},
        status=400 if form.errors else 200,
    )
