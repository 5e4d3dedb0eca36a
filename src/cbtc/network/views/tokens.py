"""Personal API tokens: every member of staff manages their own."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cbtc.errors import NotFound, ServiceError
from cbtc.network.forms import TokenCreateForm
from cbtc.network.models import User
from cbtc.network.roles import Permission
from cbtc.network.selectors import own_api_token_get, own_api_tokens
from cbtc.network.services.tokens import api_token_create, api_token_revoke
from cbtc.web.policy import requires


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101  # the policy middleware let only staff through
    return request.user


@requires(Permission.OWN_TOKENS_MANAGE)
@require_http_methods(["GET", "POST"])
def tokens_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = TokenCreateForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = api_token_create(actor=actor, name=form.cleaned_data["name"])
            form = TokenCreateForm()
        except ServiceError as exc:
            form.add_error(exc.field, exc.message)
    return render(
        request,
        "network/tokens.html",
        {"form": form, "tokens": own_api_tokens(actor=actor), "new_secret": new_secret},
        status=400 if form.errors else 200,
    )


@requires(Permission.OWN_TOKENS_MANAGE)
@require_POST
def token_revoke_view(request: HttpRequest, token_id: str) -> HttpResponse:
    actor = _actor(request)
    try:
        token = own_api_token_get(actor=actor, token_id=token_id)
    except NotFound as exc:
        raise Http404("No such token.") from exc
    api_token_revoke(actor=actor, token=token)
    messages.success(request, f"Token “{token.name}” is revoked. Anything using it stops working now.")
    return redirect("network:tokens")
