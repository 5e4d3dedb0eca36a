"""Screening pages: choose an instrument, fill it in (skip logic live through htmx, decided on the server), see
the frozen result with the brief-intervention checklist and a level-of-care recommendation.

Only opaque UUIDs and instrument codes appear in URLs; answers and context always go by POST.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cbtc.clients.models import InformationCategory
from cbtc.clients.selectors import ClientRecord
from cbtc.clients.views.common import actor_of, may_in_owner, record_or_404, scheme_name
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.roles import Permission
from cbtc.screening.forms import (
    BriefInterventionForm,
    ContextForm,
    InstrumentForm,
    StartForm,
    short_label,
)
from cbtc.screening.instruments import (
    Instrument,
    InstrumentDefinitionError,
    ScreeningError,
    available_instruments,
    get_instrument,
    load_wording,
)
from cbtc.screening.level_of_care import recommendation_record
from cbtc.screening.models import (
    NOT_VALIDATED_FOR_SELF_COMPLETION,
    SELF_COMPLETION_NOTE,
    Administration,
    Assessment,
    BriefInterventionKind,
)
from cbtc.screening.recommendation_views import client_sites, recommendation_context
from cbtc.screening.selectors import assessment_for_record
from cbtc.screening.services import assessment_record, brief_intervention_record
from cbtc.web.policy import forbidden, requires
from cbtc.web.rendering import render_page_or_fragment


def _instrument_or_404(code: str) -> Instrument:
    try:
        return get_instrument(code)
    except ScreeningError as exc:
        raise Http404("No such instrument.") from exc


def _wording(instrument: Instrument) -> dict[str, Any]:
    try:
        return load_wording(instrument)
    except InstrumentDefinitionError:  # wording that does not fit the definition: show the codes
        return {}


def _administration(value: str | None) -> str:
    return value if value in Administration.values else Administration.INTERVIEWER


def _self_completion_note(instrument_code: str, administration: str) -> str:
    unvalidated = instrument_code in NOT_VALIDATED_FOR_SELF_COMPLETION
    return SELF_COMPLETION_NOTE if unvalidated and administration == Administration.SELF_COMPLETED else ""


# -- 1. choose the instrument ---------------------------------------------------------------------------


@requires(Permission.SCREENING_PERFORM)
@require_http_methods(["GET", "POST"])
def screening_new_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.SCREENING_PERFORM)
    instruments = [(code, _wording(i).get("title") or i.name) for code, i in sorted(available_instruments().items())]
    form = StartForm(request.POST if request.method == "POST" else None, instruments=instruments)
    if request.method == "POST" and form.is_valid():
        url = reverse("screening:form", args=[record.client.pk, form.cleaned_data["instrument"]])
        return redirect(f"{url}?{urlencode({'administration': form.cleaned_data['administration']})}")
    context = {
        "record": record,
        "client": record.client,
        "scheme_name": scheme_name(record),
        "form": form,
        "self_completion_note": SELF_COMPLETION_NOTE,
        "unvalidated": sorted(NOT_VALIDATED_FOR_SELF_COMPLETION),
    }
    return render(request, "screening/new.html", context, status=400 if form.errors else 200)


# -- 2. the instrument's form ---------------------------------------------------------------------------


def _form_context(record: ClientRecord, form: InstrumentForm, administration: str) -> dict[str, Any]:
    return {
        "record": record,
        "client": record.client,
        "scheme_name": scheme_name(record),
        "form": form,
        "instrument": form.instrument,
        "wording": form.wording,
        "administration": administration,
        "administration_label": Administration(administration).label,
        "self_completion_note": _self_completion_note(form.instrument.code, administration),
    }


@requires(Permission.SCREENING_PERFORM)
@require_http_methods(["GET", "POST"])
def screening_form_view(request: HttpRequest, client_id: str, instrument: str) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.SCREENING_PERFORM)
    definition = _instrument_or_404(instrument)
    wording = _wording(definition)
    if request.method == "GET":
        administration = _administration(request.GET.get("administration"))
        form = InstrumentForm(definition, wording)
        return render(request, "screening/form.html", _form_context(record, form, administration))
    administration = _administration(request.POST.get("administration"))
    form = InstrumentForm(definition, wording, request.POST)
    if form.check_complete():
        try:
            assessment = assessment_record(
                actor=actor_of(request),
                client=record.client,
                organisation=record.client.organisation,
                instrument=definition.code,
                answers=form.answers(),
                administration=administration,
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_engine_error(exc.field, exc.message)
        else:
            messages.success(request, "Screening recorded.")
            return redirect("screening:result", client_id=record.client.pk, assessment_id=assessment.pk)
    return render(request, "screening/form.html", _form_context(record, form, administration), status=400)


@requires(Permission.SCREENING_PERFORM)
@require_POST
def screening_items_view(request: HttpRequest, client_id: str, instrument: str) -> HttpResponse:
    """The questions asked given the answers so far (htmx, on every change). Nothing is stored or scored."""
    record = record_or_404(request, client_id, for_action=Permission.SCREENING_PERFORM)
    definition = _instrument_or_404(instrument)
    form = InstrumentForm(definition, _wording(definition), request.POST)
    administration = _administration(request.POST.get("administration"))
    return render_page_or_fragment(
        request, "screening/form.html", "screening/partials/items.html", _form_context(record, form, administration)
    )


# -- 3. the result, the brief intervention, the recommendation -----------------------------------------


def assessment_or_404(
    request: HttpRequest, client_id: str, assessment_id: uuid.UUID
) -> tuple[ClientRecord, Assessment]:
    record = record_or_404(request, client_id)
    if not record.sees(InformationCategory.SCREENING):
        raise Http404("No such assessment.")
    assessment = assessment_for_record(record=record, assessment_id=assessment_id)
    if assessment is None:
        raise Http404("No such assessment.")
    return record, assessment


def _substance_rows(assessment: Assessment, wording: dict[str, Any]) -> list[dict[str, Any]]:
    names, bands, actions = (wording.get(key, {}) for key in ("substances", "bands", "interventions"))
    rows = []
    for letter, row in sorted(assessment.result.get("substances", {}).items()):
        rows.append(
            {
                **row,
                "letter": letter,
                "name": short_label(str(names.get(letter, letter))),
                "risk_label": bands.get(row.get("risk"), row.get("risk")),
                "intervention_label": actions.get(row.get("intervention"), row.get("intervention")),
            }
        )
    return rows


def _result_context(
    request: HttpRequest,
    record: ClientRecord,
    assessment: Assessment,
    *,
    intervention_form: BriefInterventionForm | None = None,
    recommendation_data: Any = None,
) -> dict[str, Any]:
    definition = available_instruments().get(assessment.instrument)
    wording = _wording(definition) if definition is not None else {}
    can_record = may_in_owner(request, record, Permission.SCREENING_PERFORM)
    if intervention_form is None and can_record:
        kind = BriefInterventionKind.ASSIST_LINKED if assessment.instrument == "assist" else ""
        intervention_form = BriefInterventionForm(initial={"kind": kind, "minutes": 10})
    rows = _substance_rows(assessment, wording)
    result = assessment.result
    injecting_action = (result.get("injecting") or {}).get("intervention")
    return {
        "record": record,
        "client": record.client,
        "scheme_name": scheme_name(record),
        "assessment": assessment,
        "result": assessment.result,
        "title": wording.get("title") or assessment.instrument,
        "band_label": wording.get("bands", {}).get(result.get("band"), result.get("band")),
        "intervention_label": wording.get("interventions", {}).get(
            result.get("intervention"), result.get("intervention")
        ),
        "injecting_label": wording.get("interventions", {}).get(injecting_action, injecting_action),
        "flags": [wording.get("flags", {}).get(flag, flag) for flag in assessment.result.get("flags", [])],
        "used_substances": [row for row in rows if row.get("ever_used")],
        "unused_substances": [row["name"] for row in rows if not row.get("ever_used")],
        "self_completion_note": "" if assessment.administration_validated else SELF_COMPLETION_NOTE,
        "can_record": can_record,
        "intervention_form": intervention_form,
        **recommendation_context(request, record, assessment, recommendation_data),
    }


def result_page(
    request: HttpRequest,
    record: ClientRecord,
    assessment: Assessment,
    *,
    intervention_form: BriefInterventionForm | None = None,
    recommendation_data: Any = None,
    status: int = 200,
) -> HttpResponse:
    context = _result_context(
        request, record, assessment, intervention_form=intervention_form, recommendation_data=recommendation_data
    )
    return render(request, "screening/result.html", context, status=status)


@requires(Permission.CLIENT_VIEW)
@require_GET
def assessment_result_view(request: HttpRequest, client_id: str, assessment_id: uuid.UUID) -> HttpResponse:
    record, assessment = assessment_or_404(request, client_id, assessment_id)
    return result_page(request, record, assessment)


@requires(Permission.CLIENT_VIEW)
@require_POST
def recommendation_view(request: HttpRequest, client_id: str, assessment_id: uuid.UUID) -> HttpResponse:
    """The recommendation again, with the context the counsellor ticked (htmx). Nothing is stored."""
    record, assessment = assessment_or_404(request, client_id, assessment_id)
    context = _result_context(request, record, assessment, recommendation_data=request.POST)
    return render_page_or_fragment(
        request,
        "screening/result.html",
        "screening/partials/recommendation.html",
        context,
        status=400 if context["context_form"].errors else 200,
    )


@requires(Permission.SCREENING_PERFORM)
@require_POST
def recommendation_save_view(request: HttpRequest, client_id: str, assessment_id: uuid.UUID) -> HttpResponse:
    """Save the recommendation as the server works it out from the results and the context posted."""
    record_or_404(request, client_id, for_action=Permission.SCREENING_PERFORM)  # 403 before anything is read
    record, assessment = assessment_or_404(request, client_id, assessment_id)
    form = ContextForm(request.POST, sites=[(str(site.pk), site.name) for site in client_sites(record)])
    if form.is_valid():
        try:
            saved = recommendation_record(
                actor=actor_of(request),
                client=record.client,
                organisation=record.client.organisation,
                assessment=assessment,
                context=form.matching_context(),
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Recommendation saved: level {saved.level}.")
            url = reverse("screening:result", kwargs={"client_id": record.client.pk, "assessment_id": assessment.pk})
            return redirect(f"{url}#recommendation")
    return result_page(request, record, assessment, recommendation_data=request.POST, status=400)


@requires(Permission.SCREENING_PERFORM)
@require_POST
def brief_intervention_view(request: HttpRequest, client_id: str, assessment_id: uuid.UUID) -> HttpResponse:
    record_or_404(request, client_id, for_action=Permission.SCREENING_PERFORM)  # 403 before anything is read
    record, assessment = assessment_or_404(request, client_id, assessment_id)
    form = BriefInterventionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            brief_intervention_record(
                actor=actor_of(request),
                client=record.client,
                organisation=record.client.organisation,
                kind=data["kind"],
                minutes=data["minutes"],
                assessment=assessment,
                take_home_material=data["take_home_material"],
                material_kind=data["material_kind"],
                follow_up_offered=data["follow_up_offered"],
                follow_up_on=data["follow_up_on"],
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Brief intervention recorded.")
            return redirect("screening:result", client_id=record.client.pk, assessment_id=assessment.pk)
    return result_page(request, record, assessment, intervention_form=form, status=400)


def assessment_headline(assessment: Assessment) -> str:
    """One line for a list of assessments, from the frozen result only (no file is read)."""
    result = assessment.result
    substances = result.get("substances")
    if isinstance(substances, dict):
        risks = {row.get("risk") for row in substances.values() if isinstance(row, dict)}
        highest = next((risk for risk in ("high", "moderate") if risk in risks), "lower")
        count = sum(1 for row in substances.values() if isinstance(row, dict) and row.get("risk") == highest)
        return f"highest risk: {highest}" + (f" ({count} substances)" if count > 1 and highest != "lower" else "")
    line = f"score {result.get('score')} of {result.get('max_score')}"
    if result.get("positive") is not None:
        line += ", positive screen" if result["positive"] else ", negative screen"
    return line
