"""Reads of the care pathway. Outreach contacts are seen by the organisation that recorded them; a named one also
appears on its client's timeline, under the consent rules of the client registry. Lists are paginated."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from cbtc.care.models import OutreachContact, OverdoseEvent, SupplyGiven, TallyCount
from cbtc.errors import NotPermitted
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.roles import Permission


def contact_organisations(actor: Any) -> frozenset[str]:
    return user_organisation_ids_with(actor, Permission.CARE_RECORD)


def outreach_contacts(*, actor: Any, organisation_id: str | None = None) -> QuerySet[OutreachContact]:
    """The contacts recorded by the actor's organisations (or one of them), newest first; callers paginate.
    Supplies, tallies and overdoses come in three more queries for a whole page."""
    organisations = contact_organisations(actor)
    if not organisations:
        raise NotPermitted("Your role does not include outreach contacts.")
    if organisation_id is not None:
        organisations = organisations & {str(organisation_id)}
    return (
        OutreachContact.objects.filter(organisation_id__in=list(organisations))
        .select_related("client", "service", "area", "accompanied_to", "recorded_by")
        .prefetch_related(
            Prefetch("supplies", queryset=SupplyGiven.objects.order_by("item")),
            Prefetch("tally", queryset=TallyCount.objects.order_by("dimension", "value")),
            Prefetch("overdoses", queryset=OverdoseEvent.objects.order_by("pk")),
        )
        .order_by("-contact_at", "-pk")
    )
