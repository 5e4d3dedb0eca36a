"""Reads of referrals. A referral is seen by staff who manage referrals at the sending or the receiving
organisation, and by no one else (404, so its existence does not leak). Lists are per organisation, by state,
newest first and paginated; every filter has its index (models.Referral.Meta).

What the receiving service sees of the client is decided elsewhere: the referral itself carries no client data,
only a link to the record, which opens under the consent (cbtc.consent.disclosure) and is logged there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.errors import NotFound, NotPermitted
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.models import Service
from cbtc.network.roles import Permission
from cbtc.referrals.models import CODE_LENGTH, Referral, ReferralEvent, ReferralState
from cbtc.referrals.states import FINAL, OPEN, Side, next_steps

Box = Literal["inbox", "outbox"]
SHOW_CHOICES = ("open", "overdue", "closed", "all")
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class ReferralFor:
    """One referral as one member of staff sees it: from which side(s), and what they may do next."""

    referral: Referral
    is_sender: bool
    is_receiver: bool
    history: list[ReferralEvent]

    @property
    def steps(self) -> list[tuple[Side, str]]:
        sides: list[Side] = []
        if self.is_sender:
            sides.append("sender")
        if self.is_receiver:
            sides.append("receiver")
        return [(side, step) for side in sides for step in next_steps(self.referral.state, side)]

    @property
    def overdue(self) -> bool:
        return is_overdue(self.referral)


def is_overdue(referral: Referral) -> bool:
    return referral.state in OPEN and referral.due_at is not None and referral.due_at < timezone.now()


def referral_organisations(actor: Any) -> frozenset[str]:
    return user_organisation_ids_with(actor, Permission.REFERRAL_MANAGE)


def box_services(*, actor: Any, limit: int = 100) -> list[Service]:
    """The services whose inbox and outbox the actor may open, for the choice of one service's box."""
    organisations = referral_organisations(actor)
    return list(
        Service.objects.filter(organisation_id__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name", "name")[:limit]
    )


def _require_any(actor: Any) -> frozenset[str]:
    organisations = referral_organisations(actor)
    if not organisations:
        raise NotPermitted("Your role does not include referrals.")
    return organisations


def referral_box(
    *, actor: Any, box: Box, show: str = "open", organisation_id: str | None = None, service_id: Any = None
) -> QuerySet[Referral]:
    """The inbox (referrals to the actor's organisations) or outbox (from them); callers paginate.

    show: open (a step is still to come), overdue (waiting for an answer or attendance past its due time),
    closed (final states), all.
    """
    organisations = _require_any(actor)
    if organisation_id is not None:
        organisations = organisations & {organisation_id}
    side = "receiving_organisation_id__in" if box == "inbox" else "sending_organisation_id__in"
    referrals = Referral.objects.filter(**{side: list(organisations)})
    if service_id is not None:  # one service's own box
        referrals = referrals.filter(**{"receiving_service_id" if box == "inbox" else "sending_service_id": service_id})
    draft = [ReferralState.DRAFT] if box == "outbox" else []
    if box == "inbox":  # the receiving service knows of a referral once it was sent (even if cancelled since)
        referrals = referrals.filter(sent_at__isnull=False)
    # Positive lists of states, so that the (organisation, state, created_at) indexes answer them as ranges.
    if show == "open":  # still needing a step: drafts (outbox only), sent, accepted, attended
        referrals = referrals.filter(state__in=[*OPEN, ReferralState.ATTENDED, *draft])
    elif show == "overdue":
        referrals = referrals.filter(state__in=list(OPEN), due_at__lt=timezone.now())
    elif show == "closed":
        referrals = referrals.filter(state__in=list(FINAL))
    return referrals.select_related(
        "sending_service__organisation",
        "sending_organisation",
        "receiving_service__organisation",
        "receiving_organisation",
    ).order_by("-created_at", "-pk")


def referral_for_actor(*, actor: Any, referral_id: Any, audit: bool = True) -> ReferralFor:
    """One referral for someone at either end of it; NotFound for everyone else. Opening it is audited."""
    organisations = _require_any(actor)
    try:
        pk = referral_id if isinstance(referral_id, uuid.UUID) else uuid.UUID(str(referral_id))
    except ValueError as exc:
        raise NotFound from exc
    referral = (
        Referral.objects.filter(pk=pk)
        .filter(
            Q(sending_organisation_id__in=list(organisations)) | Q(receiving_organisation_id__in=list(organisations))
        )
        .select_related(
            "client",
            "sending_service",
            "sending_organisation",
            "receiving_service__site",
            "receiving_organisation",
            "suggested_service__organisation",
            "accompanied_by",
            "consent",
        )
        .first()
    )
    if referral is None:
        raise NotFound
    is_sender = str(referral.sending_organisation_id) in organisations
    # A referral never sent (a draft, or a draft cancelled) is the sender's own.
    is_receiver = str(referral.receiving_organisation_id) in organisations and referral.sent_at is not None
    if not (is_sender or is_receiver):
        raise NotFound
    history = list(referral.events.select_related("organisation").order_by("occurred_at", "pk")[:HISTORY_LIMIT])
    if audit:
        audit_record(
            actor=actor,
            action="referral.view",
            object_type="referral",
            object_id=referral.pk,
            organisation_id=referral.sending_organisation_id if is_sender else referral.receiving_organisation_id,
            details={"side": "sender" if is_sender else "receiver"},
        )
    return ReferralFor(referral, is_sender, is_receiver, history)


def referral_by_code(*, actor: Any, code: str) -> Referral | None:
    """A referral to one of the actor's organisations, by the code the client brings (any spacing or case)."""
    organisations = _require_any(actor)
    raw = "".join(ch for ch in code.upper() if ch.isalnum()).removeprefix("R")
    if len(raw) != CODE_LENGTH:  # a wrong length cannot be a code
        return None
    return Referral.objects.filter(
        code=f"R-{raw[:4]}-{raw[4:]}", receiving_organisation_id__in=list(organisations), sent_at__isnull=False
    ).first()


def referrals_of_client(*, actor: Any, client_ids: list[Any], limit: int = 20) -> list[Referral]:
    """The referrals made for a client record by the actor's organisations, newest first (the client page)."""
    organisations = referral_organisations(actor)
    if not organisations:
        return []
    return list(
        Referral.objects.filter(client_id__in=client_ids, sending_organisation_id__in=list(organisations))
        .select_related("receiving_service", "receiving_organisation")
        .order_by("-created_at")[:limit]
    )
