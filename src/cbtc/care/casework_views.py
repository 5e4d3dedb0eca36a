"""Casework pages: an outcome profile of an episode, a recovery check-in after an episode ended, putting an episode
on one's own caseload, and the worklists of an organisation (/care/worklists/). Every change calls a service of
services/outcomes.py or services/casework.py, and each list is a query of worklists.py: a refusal is shown on the
field it names (400, nothing written). Only opaque UUIDs appear in these URLs; every change goes by POST."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cbtc.care.casework_forms import CheckInForm, OutcomeProfileForm
from cbtc.care.episode_reads import with_worklist_date
from cbtc.care.episode_views import client_context, episode_context, episode_for_change
from cbtc.care.models import CheckInOutcome, Episode, EpisodeStatus, OutcomeProfile, Stage
from cbtc.care.models.outcomes import DAYS, SCALE
from cbtc.care.services.casework import episode_assign, recovery_check_in_record
from cbtc.care.services.outcomes import outcome_profile_record
from cbtc.care.worklists import NEEDS_CARE_AGAIN, caseload, worklist
from cbtc.clients.views.common import actor_of
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.models import Organisation
from cbtc.network.roles import Permission
from cbtc.web.policy import forbidden, requires


def _to_episode(request: HttpRequest, message: str, episode: Episode) -> HttpResponse:
    messages.success(request, message)
    return redirect("care:episode", client_id=episode.client_id, episode_id=episode.pk)


# -- an outcome profile ------------------------------------------------------------------------------------


def _usual_stage(episode: Episode) -> str:
    if episode.status == EpisodeStatus.FINISHED:
        return Stage.EXIT
    return Stage.REVIEW if OutcomeProfile.objects.filter(episode=episode).exists() else Stage.START


@requires(Permission.CARE_RECORD)
@require_http_methods(["GET", "POST"])
def outcome_profile_new_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    context = {**client_context(record), "episode": episode, "days": DAYS, "scale": SCALE}
    if request.method == "GET":
        form = OutcomeProfileForm(initial={"stage": _usual_stage(episode)})
        return render(request, "care/outcome_new.html", {**context, "form": form})
    form = OutcomeProfileForm(request.POST)
    if form.is_valid():
        try:
            profile = outcome_profile_record(
                actor=actor_of(request),
                episode=episode,
                stage=form.cleaned_data["stage"],
                use=form.use(),
                answers=form.answers(),
                interviewed_on=form.cleaned_data["interviewed_on"],
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            stage = Stage(profile.stage).label.lower()
            return _to_episode(request, f"Outcome profile recorded ({stage}).", episode)
    return render(request, "care/outcome_new.html", {**context, "form": form}, status=400)


# -- a recovery check-in and the caseload (forms on the episode page) ------------------------------------------


@requires(Permission.CARE_RECORD)
@require_POST
def check_in_new_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            check_in = recovery_check_in_record(
                actor=actor_of(request),
                episode=episode,
                method=form.cleaned_data["method"],
                outcome=form.cleaned_data["outcome"],
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            message = f"Check-in recorded: {CheckInOutcome(check_in.outcome).label.lower()}."
            if check_in.outcome in NEEDS_CARE_AGAIN:
                message += (
                    " Offer care now: open a new episode or refer the client. Until then the client is on the "
                    "Back into care worklist."
                )
            return _to_episode(request, message, episode)
    context = episode_context(request, record, episode, check_in_form=form)
    return render(request, "care/episode.html", context, status=400)


@requires(Permission.CARE_RECORD)
@require_POST
def episode_assign_view(request: HttpRequest, client_id: str, episode_id: str) -> HttpResponse:
    record, episode = episode_for_change(request, client_id, episode_id)
    try:
        episode_assign(actor=actor_of(request), episode=episode, worker=actor_of(request))
    except NotPermitted as exc:
        return forbidden(request, exc.message)
    except ServiceError as exc:
        context = episode_context(request, record, episode)
        context["assign_error"] = exc.message
        return render(request, "care/episode.html", context, status=400)
    return _to_episode(request, "The episode is on your caseload.", episode)


# -- worklists ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    kind: str
    title: str
    explanation: str
    date_label: str


TABS = (
    Tab("caseload", "My caseload", "Open episodes you are the key worker for, oldest first.", "Opened"),
    Tab(
        "reviews_due",
        "Reviews due",
        "Open episodes whose review date has come. A review is a reminder, never an end date.",
        "Review by",
    ),
    Tab(
        "outcomes_due",
        "Outcome profiles due",
        "Open episodes with no outcome profile yet, or none for some months.",
        "Last profile",
    ),
    Tab(
        "actions_overdue",
        "Plan actions overdue",
        "Open episodes with a care plan step past its date and not marked done.",
        "Oldest step due",
    ),
    Tab(
        "no_contact",
        "No contact lately",
        "Open episodes where nothing has been recorded about the client for a while. Perhaps reach out.",
        "Last recorded",
    ),
    Tab(
        "check_ins_due",
        "Recovery check-ins due",
        "Episodes that ended recently in a way that can carry risk, with no check-in since. A call can help.",
        "Ended",
    ),
    Tab(
        "back_into_care",
        "Back into care",
        "A check-in found the client struggling or wanting care again, and nothing has followed yet. "
        "Offer care now: open a new episode or refer.",
        "Check-in",
    ),
)
TAB_BY_KIND = {tab.kind: tab for tab in TABS}


def _row_date(episode: Any, kind: str) -> date | datetime | None:
    value = {
        "caseload": episode.opened_at,
        "reviews_due": episode.next_review_on,
        "outcomes_due": getattr(episode, "last_profile", None),
        "check_ins_due": episode.finished_at,
    }.get(kind, getattr(episode, "since", None))
    return value if isinstance(value, (date, datetime)) else None


@requires(Permission.CARE_RECORD)
@require_GET
def worklists_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    ids = user_organisation_ids_with(actor, Permission.CARE_RECORD)
    organisations = list(Organisation.objects.filter(pk__in=ids, is_active=True).order_by("name", "pk"))
    asked = request.GET.get("organisation")
    if asked:
        organisation = next((org for org in organisations if str(org.pk) == asked), None)
        if organisation is None:
            raise Http404("No such organisation.")  # another organisation's worklists are as good as unknown
    else:
        organisation = organisations[0] if organisations else None
    tab = TAB_BY_KIND.get(request.GET.get("list") or "caseload")
    if tab is None:
        raise Http404("No such worklist.")
    context: dict[str, Any] = {"organisations": organisations, "organisation": organisation, "tabs": TABS, "tab": tab}
    if organisation is None:
        return render(request, "care/worklists.html", {**context, "page": None, "rows": []})
    try:
        if tab.kind == "caseload":
            episodes = caseload(actor=actor, organisation_id=organisation.pk, worker_id=actor.pk)
        else:
            episodes = with_worklist_date(
                worklist(actor=actor, organisation_id=organisation.pk, kind=tab.kind), tab.kind
            )
    except NotFound as exc:
        raise Http404("No such worklist.") from exc
    page = Paginator(episodes, settings.CLIENT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(episode, _row_date(episode, tab.kind)) for episode in page.object_list]
    return render(request, "care/worklists.html", {**context, "page": page, "rows": rows})
