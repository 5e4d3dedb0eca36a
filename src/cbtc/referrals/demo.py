"""Demo referrals: a few dozen referrals between the demo organisations, made and answered through the real
services (consent gate, state machine, timeline, audit), so the inboxes, outboxes and figures have something to
show. Shared when the demo client's consent to share allows it, anonymous otherwise. Loaded once."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cbtc.clients.demo_plan import organisations_of_the_network
from cbtc.clients.models import Client
from cbtc.consent.models import Consent, ConsentKind
from cbtc.errors import ServiceError
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.models import Service, User
from cbtc.network.roles import Permission
from cbtc.referrals.models import REASON_FOR_SERVICE_TYPE, Referral, ReferralReason, Urgency
from cbtc.referrals.services import (
    SHARING_PURPOSES,
    ReferralInput,
    referral_accept,
    referral_attended,
    referral_complete,
    referral_create,
    referral_decline,
    referral_no_show,
)

DEMO_REFERRALS = 40
SHAREABLE = frozenset({"demographics", "screening", "referrals"})
ALLOWED_MODES = ("demo", "test")
# What happens next, drawn per referral: (weight, steps taken by the receiving service).
PATHS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (6, ()),  # still waiting for an answer
    (5, ("accept",)),
    (3, ("accept", "attend")),
    (6, ("accept", "attend", "complete")),
    (2, ("accept", "no_show")),
    (3, ("decline",)),
)


@dataclass(frozen=True)
class DemoReferralsResult:
    created: int
    referrals: int

    @property
    def summary(self) -> str:
        return f"Demo referrals: {self.referrals}" + (f"; {self.created} added this run" if self.created else "")


def _referrer(users: dict[str, User], organisation_id: str) -> User | None:
    return next(
        (u for u in users.values() if organisation_id in user_organisation_ids_with(u, Permission.REFERRAL_MANAGE)),
        None,
    )


def _consent_for(client: Client) -> Consent | None:
    """The client's consent to share for care, if one is in force (the demo gives some clients one)."""
    now, today = timezone.now(), timezone.localdate()
    return (
        Consent.objects.filter(
            client=client,
            organisation_id=client.organisation_id,
            kind=ConsentKind.DISCLOSURE,
            purpose__in=SHARING_PURPOSES,
            given_at__lte=now,
            revoked_at__isnull=True,
            expiry_event_at__isnull=True,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .prefetch_related("recipients")
        .order_by("-given_at")
        .first()
    )


def _answer(steps: tuple[str, ...], referral: Referral, answerer: User) -> None:
    for step in steps:
        if step == "accept":
            referral = referral_accept(actor=answerer, referral=referral)
        elif step == "attend":
            referral = referral_attended(actor=answerer, referral=referral)
        elif step == "complete":
            referral = referral_complete(actor=answerer, referral=referral, outcome="enrolled")
        elif step == "no_show":
            referral = referral_no_show(actor=answerer, referral=referral)
        else:
            referral = referral_decline(actor=answerer, referral=referral, reason="no_capacity")


def load_demo_referrals(*, count: int = DEMO_REFERRALS) -> DemoReferralsResult:
    """Make the demo referrals unless some exist already. Needs the demo network and clients first."""
    if settings.MODE not in ALLOWED_MODES:
        raise ServiceError(f"Demo referrals can only be loaded in demo or test mode (it is '{settings.MODE}').")
    existing = Referral.objects.filter(source_type="demo").count()
    if existing:
        return DemoReferralsResult(0, existing)
    rng = random.Random(20261122)  # noqa: S311 - reproducible demo data, not security
    network = organisations_of_the_network()
    organisation_ids = [str(org.pk) for org in network.organisations.values()]
    services = list(
        Service.objects.filter(organisation_id__in=organisation_ids, is_active=True)
        .select_related("organisation")
        .order_by("name", "pk")
    )
    created = 0
    with transaction.atomic():
        clients = list(
            Client.objects.filter(organisation_id__in=organisation_ids, merged_into__isnull=True).order_by("pk")[:400]
        )
        weights = [weight for weight, _ in PATHS]
        answerers = {org_id: _referrer(network.users, org_id) for org_id in organisation_ids}
        for client in rng.sample(clients, min(count, len(clients))):
            sender = answerers[str(client.organisation_id)]
            own = [s for s in services if s.organisation_id == client.organisation_id]
            others = [
                s for s in services if s.organisation_id != client.organisation_id and answerers[str(s.organisation_id)]
            ]
            if sender is None or not own or not others:
                continue
            # With a consent to share for care, refer to one of the organisations it names, sharing what it covers.
            consent = _consent_for(client)
            named = {org.pk for org in consent.recipients.all()} if consent is not None else set()
            to_named = [s for s in others if s.organisation_id in named]
            receiving = rng.choice(to_named or others)
            shared = consent.category_set & SHAREABLE if consent is not None and to_named else frozenset()
            answerer = answerers[str(receiving.organisation_id)]
            referral = referral_create(
                actor=sender,
                client=client,
                data=ReferralInput(
                    sending_service=rng.choice(own),
                    receiving_service=receiving,
                    reason=REASON_FOR_SERVICE_TYPE.get(receiving.type, ReferralReason.OTHER),
                    urgency=rng.choice([Urgency.ROUTINE, Urgency.ROUTINE, Urgency.SOON, Urgency.URGENT]),
                    shared_categories=shared,
                    consent=consent if shared else None,
                    source_type="demo",
                ),
            )
            # Spread over the past weeks, so figures and overdue flags have something to show.
            sent = timezone.now() - timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 12))
            Referral.objects.filter(pk=referral.pk).update(
                created_at=sent, sent_at=sent, due_at=sent + timedelta(days=7)
            )
            referral.refresh_from_db()
            if answerer is not None:
                _answer(rng.choices(PATHS, weights=weights)[0][1], referral, answerer)
            created += 1
    return DemoReferralsResult(created, created)
