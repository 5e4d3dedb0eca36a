"""Finding a client. Search terms travel by POST only: a name or code must never be in a URL or a log line."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from cbtc.clients.forms import ClientSearchForm
from cbtc.clients.selectors import ClientQuery, client_search_for_actor
from cbtc.clients.views.common import actor_of
from cbtc.network.access import user_has_permission
from cbtc.network.roles import Permission
from cbtc.web.policy import requires
from cbtc.web.rendering import render_page_or_fragment


@requires(Permission.CLIENT_VIEW)
@require_http_methods(["GET", "POST"])
def client_list_view(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if request.method == "POST":
        form = ClientSearchForm(request.POST)
    else:
        # Which tab is open is not identifying, so it may be a query parameter; search terms may not.
        form = ClientSearchForm(initial={"shared": request.GET.get("shared") == "1"})
    page = None
    shared = form.initial.get("shared", False)
    if not form.is_bound:
        page = client_search_for_actor(actor=actor, query=ClientQuery(shared_only=shared, own_only=not shared))
    elif form.is_valid():
        query = form.query()
        shared = query.shared_only
        page = client_search_for_actor(actor=actor, query=query, page=form.page_number())
    searched = form.is_bound and form.is_valid() and bool(form.query().text or form.query().uic)
    context = {
        "form": form,
        "page": page,
        "shared": shared,
        "searched": searched,
        "can_register": user_has_permission(actor, Permission.CLIENT_REGISTER),
    }
    return render_page_or_fragment(
        request,
        "clients/list.html",
        "clients/partials/results.html",
        context,
        status=400 if form.errors else 200,
    )
