"""Merging a duplicate record into the record that stays, and undoing a merge. Nothing is deleted."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cbtc.clients.forms import MergeConfirmForm, MergeSearchForm
from cbtc.clients.selectors import ClientRecord, ClientRow, client_merges, client_search_for_actor, merge_get_for_actor
from cbtc.clients.services import client_merge, client_merge_undo
from cbtc.clients.views.common import actor_of, record_or_404, scheme_name
from cbtc.errors import NotFound, NotPermitted, ServiceError
from cbtc.network.roles import Permission
from cbtc.web.policy import forbidden, requires

ALREADY_MERGED = "This record is itself merged into another record. Open that record to merge duplicates into it."


def _survivor(request: HttpRequest, client_id: str) -> ClientRecord | HttpResponse:
    return record_or_404(request, client_id, for_action=Permission.CLIENT_MERGE)


def _same_organisation(rows: list[ClientRow], survivor: ClientRecord) -> list[ClientRow]:
    client = survivor.client
    return [
        row
        for row in rows
        if row.owner and row.client.organisation_id == client.organisation_id and row.client.pk != client.pk
    ]


@requires(Permission.CLIENT_MERGE)
@require_http_methods(["GET", "POST"])
def client_merge_view(request: HttpRequest, client_id: str) -> HttpResponse:
    """Find the other record of the same person among this organisation's clients (search by POST)."""
    survivor = _survivor(request, client_id)
    if isinstance(survivor, HttpResponse):
        return survivor
    form = MergeSearchForm(request.POST if request.method == "POST" else None)
    found: list[ClientRow] | None = None
    if form.is_bound and form.is_valid() and survivor.client.merged_into_id is None:
        # Own records only: a shared record is never offered for a merge, so it must not be listed (and
        # written into its client's accounting of disclosures) either.
        page = client_search_for_actor(actor=actor_of(request), query=replace(form.query(), own_only=True))
        found = _same_organisation(page.rows, survivor)
    return render(
        request,
        "clients/merge.html",
        {
            "record": survivor,
            "client": survivor.client,
            "scheme_name": scheme_name(survivor),
            "form": form,
            "found": found,
            "merges": client_merges(record=survivor),
            "already_merged": survivor.client.merged_into_id is not None,
        },
        status=400 if form.errors else 200,
    )


@requires(Permission.CLIENT_MERGE)
@require_http_methods(["GET", "POST"])
def client_merge_confirm_view(request: HttpRequest, client_id: str, duplicate_id: str) -> HttpResponse:
    """Both records side by side, and the reason; saving points the duplicate at the record that stays."""
    survivor = _survivor(request, client_id)
    if isinstance(survivor, HttpResponse):
        return survivor
    duplicate = record_or_404(request, duplicate_id, for_action=Permission.CLIENT_MERGE)
    if not duplicate.access.owner or duplicate.client.organisation_id != survivor.client.organisation_id:
        raise Http404("No such client among your organisation's records.")
    form = MergeConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            client_merge(
                actor=actor_of(request),
                survivor=survivor.client,
                duplicate=duplicate.client,
                reason=form.cleaned_data["reason"],
            )
        except NotPermitted as exc:
            return forbidden(request, exc.message)
        except ServiceError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(request, "Records merged. You can undo this from the merge page.")
            return redirect("clients:detail", client_id=survivor.client.pk)
    return render(
        request,
        "clients/merge_confirm.html",
        {"record": survivor, "client": survivor.client, "duplicate": duplicate, "form": form},
        status=400 if form.errors else 200,
    )


@requires(Permission.CLIENT_MERGE)
@require_POST
def client_merge_undo_view(request: HttpRequest, merge_id: str) -> HttpResponse:
    actor = actor_of(request)
    try:
        merge = merge_get_for_actor(actor=actor, merge_id=merge_id)
    except NotFound as exc:
        raise Http404("No such merge.") from exc
    try:
        client_merge_undo(actor=actor, merge=merge)
    except NotPermitted as exc:
        return forbidden(request, exc.message)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Merge undone. The two records are separate again.")
    return redirect("clients:detail", client_id=merge.survivor_id)
