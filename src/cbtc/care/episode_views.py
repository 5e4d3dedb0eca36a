"""Episode of care pages: open an episode from the client's page; the episode page with its facts, status history,
sessions, care plans and lapses, relapses and test results; and the forms that change it. Every change goes
through a service of services/ (episodes, sessions, plans, clinical): a refusal is shown on the field it names
(400, nothing written). Only opaque UUIDs appear in these URLs; every change goes by POST."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cbtc.care.casework_forms import CheckInForm, item_label
from cbtc.care.episode_forms import (
    STATUS_CHOICES,
    CarePlanForm,
    ClinicalEventForm,
    DischargeForm,
    EpisodeOpenForm,
    ReviewForm,
    SessionForm,
    StatusForm,
)
from cbtc.care.episode_reads import (
    colleagues,
    episode_check_ins,
    episode_clinical_events,
    episode_court_reports,
    episode_history,
    episode_outcome_profiles,
    episode_plans,
    own_services,
    services_nearby,
    substances,
)
from cbtc.care.models import (
    DischargeReason,
    Episode,
    EpisodeStatus,
    Modality,
)
from cbtc.care.models.clinical import ClinicalEventKind
from cbtc.care.selectors import episode_for_record, sessions_of_record
from cbtc.care.services.clinical import clinical_event_record
from cbtc.care.services.episodes import (
    EpisodeInput,
    InvoluntaryDischarge,
    episode_discharge,
    episode_open,
    episode_review,
    episode_set_status,
)
from cbtc.care.services.outcomes import change_from_baseline
from cbtc.care.services.plans import ActionInput, GoalInput, care_plan_create
from cbtc.care.services.sessions import session_record
from cbtc.care.worklists import needs_care_again
from cbtc.care.young_people import is_young_person
from cbtc.clients.models import Substance
from cbtc.clients.selectors import ClientRecord
from cbtc.clients.views.common import actor_of, may_in_owner, record_or_404, scheme_name
from cbtc.consent.services import treatment_consent_in_force
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import Service, User
from cbtc.network.roles import Permission
from cbtc.web.policy import forbidden, requires

SERVICES_LIMIT = 100
NEARBY_SERVICES_LIMIT = 200
STAFF_LIMIT = 200
LIST_LIMIT = 50
PROVINCE_DEPTH = 2  # "/country/province/" in an area's path
OPEN_STATUSES = (EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD)


# -- choices for the forms and reads: episode_reads.py -----------------------------------------------------


def _by_id(model: Any, value: str | None, **scope: Any) -> Any:
    return model.objects.filter(pk=value, **scope).first() if value else None


# -- reading -----------------------------------------------------------------------------------------------


def _episode_or_404(record: ClientRecord, episode_id: Any) -> Episode:
    episode = episode_for_record(record=record, episode_id=episode_id)
    if episode is None:
        raise Http404("No such episode.")
    return episode


def episode_for_change(request: HttpRequest, client_id: Any, episode_id: Any) -> tuple[ClientRecord, Episode]:
    record = record_or_404(request, client_id, for_action=Permission.CARE_RECORD)
    return record, _episode_or_404(record, episode_id)


def client_context(record: ClientRecord) -> dict[str, Any]:
    return {"record": record, "client": record.client, "scheme_name": scheme_name(record)}


def _outcome_changes(profiles: list[Any] | None) -> list[dict[str, Any]]:
    """The change from the first profile to the latest, item by item, with our wording (services/outcomes.py)."""
    if not profiles or len(profiles) < 2:  # noqa: PLR2004 - a change needs two profiles
        return []
    return [
        {"label": item_label(row.item), "baseline": row.baseline, "latest": row.latest, "change": row.change}
        for row in change_from_baseline(profiles[0], profiles[-1])
    ]


def episode_context(request: HttpRequest, record: ClientRecord, episode: Episode, **forms: Any) -> dict[str, Any]:
    actor = actor_of(request)
    can_record = may_in_owner(request, record, Permission.CARE_RECORD) and record.client.merged_into_id is None
    sessions = sessions_of_record(actor=actor, record=record, episode=episode)
    finished = episode.status == EpisodeStatus.FINISHED
    profiles = episode_outcome_profiles(record, episode)
    return {
        **client_context(record),
        "episode": episode,
        "today": timezone.localdate(),
        "finished": finished,
        "history": episode_history(episode),
        "sessions": sessions,
        "notes_hidden": any(view.note is None for view in sessions),
        "plans": episode_plans(record, episode),
        "events": episode_clinical_events(record, episode),
        "can_record": can_record and not finished,
        "can_reopen": can_record and finished,
        "can_record_session": can_record and episode.status in OPEN_STATUSES,
        "involuntary": episode.discharge_reason == DischargeReason.INVOLUNTARY_FOR_SAFETY,
        "other_statuses": [(value, label) for value, label in STATUS_CHOICES if value != episode.status],
        "status_form": forms.get("status_form") or StatusForm(),
        "review_form": forms.get("review_form") or ReviewForm(),
        "profiles": profiles,
        "outcome_changes": _outcome_changes(profiles),
        "check_ins": episode_check_ins(record, episode) if finished else [],
        "offer_care_again": can_record and finished and needs_care_again(episode),
        "check_in_form": forms.get("check_in_form") or CheckInForm(),
        "can_assign": can_record and episode.status in OPEN_STATUSES,
        "court_reports": episode_court_reports(record, episode),
        "can_report_to_court": can_record or (finished and may_in_owner(request, record, Permission.CARE_RECORD)),
        "on_my_caseload": episode.key_worker_id == actor.pk,
    }


@requires(Permission.CLIENT_VIEW)
@require_GET
def episode_detail_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record = record_or_404(request, client_id)
    episode = _episode_or_404(record, episode_id)
    return render(request, "care/episode.html", episode_context(request, record, episode))


# -- opening an episode ------------------------------------------------------------------------------------


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def episode_new_view(request: HttpRequest, client_id: str) -> HttpResponse:
    record = record_or_404(request, client_id, for_action=Permission.CARE_RECORD)
    client = record.client
    services = own_services(client.organisation)
    consented = treatment_consent_in_force(client=client, organisation_id=client.organisation_id)
    young = is_young_person(
        birth_year=client.birth_year,
        birth_month=client.birth_month,
        today=timezone.localdate(),
        minor_age=settings.MINOR_AGE,
    )
    context = {**client_context(record), "consented": consented, "young_person": young, "minor_age": settings.MINOR_AGE}
    if request.method == "GET":
        initial = {"status": EpisodeStatus.ACTIVE if consented else EpisodeStatus.WAITING}
        form = EpisodeOpenForm(initial=initial, services=services)
        return render(request, "care/episode_new.html", {**context, "form": form})
    form = EpisodeOpenForm(request.POST, services=services)
    if form.is_valid():
        data = form.cleaned_data
        service = _by_id(Service, data["service"], organisation_id=client.organisation_id)
        try:
            if service is None:
                raise ServiceError("Choose one of your organisation's open services.", field="service")
            episode = episode_open(
                actor=actor_of(request),
                client=client,
                data=EpisodeInput(
                    service=service,
                    modality=data["modality"],
                    referral_source=data["referral_source"],
                    status=data["status"],
                    adult_setting_reason=data["adult_setting_reason"],
                ),
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            label = Modality(episode.modality).label
            messages.success(request, f"Episode opened: {label} ({episode.get_status_display().lower()}).")
            return redirect("care:episode", client_id=client.pk, episode_id=episode.pk)
    return render(request, "care/episode_new.html", {**context, "form": form}, status=400)


# -- status and review (forms on the episode page) ---------------------------------------------------------


def _done(message: str, request: HttpRequest, episode: Episode) -> HttpResponse:
    messages.success(request, message)
    return redirect("care:episode", client_id=episode.client_id, episode_id=episode.pk)


@requires(Permission.CARE_RECORD)
@require_POST
def episode_status_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            changed = episode_set_status(actor=actor_of(request), episode=episode, status=form.cleaned_data["status"])
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            return _done(f"The episode is now {changed.get_status_display().lower()}.", request, changed)
    context = episode_context(request, record, episode, status_form=form)
    return render(request, "care/episode.html", context, status=400)


@requires(Permission.CARE_RECORD)
@require_POST
def episode_review_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            reviewed = episode_review(
                actor=actor_of(request), episode=episode, next_review_on=form.cleaned_data["next_review_on"]
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            assert reviewed.next_review_on is not None  # noqa: S101 - a review always sets the next one
            return _done(f"Review recorded. Next review by {reviewed.next_review_on:%d %b %Y}.", request, reviewed)
    context = episode_context(request, record, episode, review_form=form)
    return render(request, "care/episode.html", context, status=400)


# -- ending an episode -------------------------------------------------------------------------------------


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def episode_end_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    actor = actor_of(request)
    choices = {
        "colleagues": colleagues(episode.organisation_id, leave_out=actor),
        "services": services_nearby(episode),
    }
    context = {**client_context(record), "episode": episode}
    if request.method == "GET":
        form = DischargeForm(**choices)
        return render(request, "care/episode_end.html", {**context, "form": form})
    form = DischargeForm(request.POST, **choices)
    if form.is_valid():
        data = form.cleaned_data
        involuntary = None
        if data["discharge_reason"] == DischargeReason.INVOLUNTARY_FOR_SAFETY:
            involuntary = InvoluntaryDischarge(
                safety_reason=data["safety_reason"],
                measures_tried=data["measures_tried"],
                reviewed_by=_by_id(User, data["reviewed_by"]),
                contingency_service=_by_id(Service, data["contingency_service"]),
            )
        try:
            if involuntary is not None and (involuntary.reviewed_by is None or involuntary.contingency_service is None):
                raise ServiceError("Choose from the lists.", field="reviewed_by")
            ended = episode_discharge(
                actor=actor, episode=episode, reason=data["discharge_reason"], involuntary=involuntary
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            message = f"Episode ended: {ended.get_discharge_reason_display().lower()}."
            if ended.contingency_referral_id:
                message += " An urgent referral was sent so the client's care goes on."
            return _done(message, request, ended)
    return render(request, "care/episode_end.html", {**context, "form": form}, status=400)


# -- a session ---------------------------------------------------------------------------------------------


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def session_new_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    context = {**client_context(record), "episode": episode}
    if request.method == "GET":
        return render(request, "care/episode_session.html", {**context, "form": SessionForm()})
    form = SessionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = session_record(
                actor=actor_of(request),
                episode=episode,
                kind=data["kind"],
                minutes=data["minutes"],
                note=data["note"],
                occurred_at=data["occurred_at"],
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            return _done(f"Session recorded: {session.get_kind_display()}, {session.minutes} min.", request, episode)
    return render(request, "care/episode_session.html", {**context, "form": form}, status=400)


# -- a care plan -------------------------------------------------------------------------------------------


def _goal_inputs(form: CarePlanForm, episode: Episode) -> list[GoalInput]:
    goals = []
    for goal in form.goals():
        actions: tuple[ActionInput, ...] = ()
        action = goal["action"]
        if action is not None:
            actions = (
                ActionInput(
                    text=action["text"],
                    responsible=action["responsible"],
                    staff=_by_id(User, action["staff"]) if action["responsible"] == "staff" else None,
                    refer_to=_by_id(Service, action["refer_to"]) if action["responsible"] == "other_service" else None,
                    due_on=action["due_on"],
                ),
            )
        goals.append(GoalInput(domain=goal["domain"], text=goal["text"], kind=goal["kind"], actions=actions))
    return goals


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def care_plan_new_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    services = services_nearby(episode)
    choices = {"staff": colleagues(episode.organisation_id), "services": services}
    context = {**client_context(record), "episode": episode}
    if request.method == "GET":
        return render(request, "care/episode_plan.html", {**context, "form": CarePlanForm(**choices)})
    form = CarePlanForm(request.POST, **choices)
    if form.is_valid():
        goals = _goal_inputs(form, episode)
        data = form.cleaned_data
        if goals:
            try:
                plan = care_plan_create(
                    actor=actor_of(request),
                    episode=episode,
                    goals=goals,
                    next_review_on=data["next_review_on"],
                    contingency_service=_by_id(Service, data["contingency_service"]),
                    contingency_note=data["contingency_note"],
                )
            except NotPermitted as exc:
                return forbidden(request, exc.message)
            except ServiceError as exc:
                form.add_service_error(exc.field, exc.message)
            else:
                count = plan.goals.count()
                return _done(f"Care plan made: {count} goal{'s' if count != 1 else ''}.", request, episode)
    return render(request, "care/episode_plan.html", {**context, "form": form}, status=400)


# -- a lapse, relapse or test result -----------------------------------------------------------------------


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def clinical_event_new_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    context = {**client_context(record), "episode": episode}
    choices = substances()
    if request.method == "GET":
        form = ClinicalEventForm(substances=choices)
        return render(request, "care/episode_event.html", {**context, "form": form})
    form = ClinicalEventForm(request.POST, substances=choices)
    if form.is_valid():
        data = form.cleaned_data
        # A result belongs to a drug test only: one left chosen after switching to a lapse is not sent.
        result = data["test_result"] if data["kind"] == ClinicalEventKind.DRUG_TEST else ""
        try:
            event = clinical_event_record(
                actor=actor_of(request),
                client=record.client,
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                episode=episode,
                substance=_by_id(Substance, data["substance"]),
                test_result=result,
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            what = ClinicalEventKind(event.kind).label.split(" (")[0]
            return _done(f"{what} recorded. Nothing else changes: care goes on as planned.", request, episode)
    return render(request, "care/episode_event.html", {**context, "form": form}, status=400)
