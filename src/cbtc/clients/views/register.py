"""Registering a client: the code first (typed from a card, or made from the client's answers), then the few
details the worker knows. Possible duplicates are shown before anything is saved."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cbtc.clients.duplicates import Candidate
from cbtc.clients.forms import RegisterForm, TypedCodeForm, UicQuestionsForm
from cbtc.clients.selectors import registering_organisations
from cbtc.clients.services import PossibleDuplicates, client_register
from cbtc.clients.uic import active_scheme
from cbtc.clients.views.common import actor_of
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.roles import Permission
from cbtc.web.policy import forbidden, requires


@requires(Permission.CLIENT_REGISTER)
@require_http_methods(["GET", "POST"])
def client_register_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    organisations = registering_organisations(actor=actor)
    if not organisations:
        return forbidden(request, "You cannot register clients for any organisation.")
    form = RegisterForm(
        request.POST if request.method == "POST" else None, organisations=organisations, scheme=active_scheme()
    )
    candidates: list[Candidate] | None = None
    known_elsewhere = False
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and form.uic_result is not None:
            try:
                client = client_register(
                    actor=actor,
                    organisation=form.chosen_organisation(),
                    uic=form.uic_result,
                    demographics=form.demographics(),
                    identity=form.identity(),
                    confirmed_new_person=form.cleaned_data["confirmed_new_person"],
                )
            except PossibleDuplicates as exc:
                candidates = exc.report.candidates
                known_elsewhere = exc.report.known_elsewhere
                status = 409
            except NotPermitted as exc:
                return forbidden(request, exc.message)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                # The message names nothing: messages travel in a cookie.
                messages.success(request, "Client registered.")
                return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "clients/register.html",
        {
            "form": form,
            "scheme": form.scheme,
            "candidates": candidates,
            "known_elsewhere": known_elsewhere,
            "uic_result": form.uic_result,
        },
        status=status,
    )


@requires(Permission.CLIENT_REGISTER)
@require_POST
def register_code_view(request: HttpRequest) -> HttpResponse:
    """Make the code from the answers (htmx). The answers are read, used and dropped: the fragment sent back
    holds the code and empty questions, so nothing the client said stays in the page."""
    form = UicQuestionsForm(request.POST, scheme=active_scheme())
    result = None
    if form.is_valid():
        if form.any_answer():
            result = form.build()
        else:
            form.add_error(None, "Answer at least one question, or type the code from the client's card.")
    if result is not None:
        form.forget_answers()
    return render(
        request,
        "clients/partials/code_maker.html",
        {"questions": form, "made": result, "code_form": TypedCodeForm(initial={"uic": result.code if result else ""})},
        status=200 if result is not None else 400,
    )
