"""Fictional demo clients with consents (``cbtc demo``, after the demo network and its accounts are loaded).

About 500 invented people, registered through the real services (which check permissions, encrypt the
identifying details, build the blind index and audit every write) by the demo accounts that hold
CLIENT_REGISTER (and CONSENT_MANAGE) in an organisation: today four services (two community-led peer
networks, the treatment centre and a provincial hospital), community-led ones weighted more. Organisations
without such an account register nobody; they appear as recipients of consents to share. The plan of who
each person is lives in cbtc.clients.demo_plan.

The mix is meant to exercise the system: most people registered anonymously (a nickname and a UIC), some
with full details; a few minors (guardian's consent) and people who do not know their birth year (they
state that they are adults); codes with unknown parts (low confidence); a handful of deliberate
near-duplicates, the same person registered twice with a slip in the code, so the duplicate check and merge
can be tried; consents to treatment, consents to share with one or two other organisations, a few
withdrawn; and a few views by a recipient organisation, so the accounting of disclosures is not empty.

Deterministic: client ``i`` is made from ``random.Random(f"{SEED}:{i}")`` and gets the id
``uuid5(NAMESPACE, f"client-{i}")``, whatever ``count`` is. Idempotent: clients already present are
skipped, with everything that belongs to them (consents, views), so a second run writes nothing.
Times are relative to the moment of loading (consents may only be entered up to 30 days after they were
given), so the calendar dates move with the day the demo is loaded; nothing else does.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cbtc.clients.demo_plan import (
    ALLOWED_MODES,
    DEFAULT_COUNT,
    DISCLOSURE_VIEWS,
    ClientPlan,
    Network,
    organisations_of_the_network,
    plan_clients,
)
from cbtc.clients.models import Client, ClientEvent
from cbtc.clients.selectors import client_get_for_actor
from cbtc.clients.services import client_register
from cbtc.clients.uic import active_scheme
from cbtc.consent.models import (
    Consent,
    ConsentKind,
    ConsentMethod,
    Disclosure,
)
from cbtc.consent.rules import AgeStatus, age_status
from cbtc.consent.services import ConsentInput, consent_record, consent_revoke
from cbtc.errors import ServiceError

# --- Loading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoClientsResult:
    created: int  # clients registered by this run
    clients: int  # demo clients now in the database
    anonymous: int
    near_duplicates: int
    consents: int
    withdrawn: int
    shared: int  # clients with a consent to share
    disclosures: int  # disclosures logged for demo clients

    @property
    def summary(self) -> str:
        line = (
            f"Demo clients: {self.clients} ({self.anonymous} anonymous, {self.near_duplicates} near-duplicates), "
            f"{self.consents} consents ({self.withdrawn} withdrawn), {self.shared} shared, "
            f"{self.disclosures} disclosures"
        )
        return line + (f"; {self.created} added this run" if self.created else "")


def _minor_rule(client: Client, plan: ClientPlan) -> tuple[str, bool]:
    """(guardian relationship, client states adult) as the minor rule asks for this client."""
    status = age_status(
        birth_year=client.birth_year,
        birth_month=client.birth_month,
        today=timezone.localdate(),
        minor_age=settings.MINOR_AGE,
    )
    if status is AgeStatus.MINOR:
        return plan.guardian, False
    return "", status is AgeStatus.UNKNOWN


def _record_consents(
    plan: ClientPlan, client: Client, network: Network, now: datetime
) -> tuple[Consent | None, Consent | None]:
    organisation = network.organisations[plan.organisation]
    actor, witness = network.users[plan.registrar], network.users[plan.witness]
    guardian, states_adult = _minor_rule(client, plan)
    treatment = share = None
    if plan.treatment_consent:
        treatment = consent_record(
            actor=actor,
            client=client,
            organisation=organisation,
            data=ConsentInput(
                kind=ConsentKind.TREATMENT,
                method=plan.treatment_method,
                given_at=now - timedelta(minutes=plan.minutes_ago - 10),
                witnessed_by=witness,
                guardian_relationship=guardian,
                client_states_adult=states_adult,
            ),
        )
    if plan.share is not None:
        terms = plan.share
        share = consent_record(
            actor=actor,
            client=client,
            organisation=organisation,
            data=ConsentInput(
                kind=ConsentKind.DISCLOSURE,
                method=terms.method,
                given_at=now - timedelta(minutes=terms.minutes_ago),
                witnessed_by=witness,
                recipients=[network.organisations[name] for name in terms.recipients],
                categories=terms.categories,
                purpose=terms.purpose,
                ethics_approval_reference=terms.ethics_reference,
                expires_on=timezone.localdate() + timedelta(days=terms.expires_in_days)
                if terms.expires_in_days is not None
                else None,
                expiry_event=terms.expiry_event,
                guardian_relationship=guardian,
                client_states_adult=states_adult,
            ),
        )
    return treatment, share


def _backdate(clients: Mapping[uuid.UUID, Client], plans: Mapping[uuid.UUID, ClientPlan], now: datetime) -> None:
    """Spread registrations over the last month. The services stamp 'now'; the registration time and its
    timeline entry are moved back so a record's timeline reads in order (registered, then consents). The
    audit trail keeps the true time of loading."""
    rows = []
    for client_id, client in clients.items():
        client.registered_at = now - timedelta(minutes=plans[client_id].minutes_ago)
        rows.append(client)
    Client.objects.bulk_update(rows, ["registered_at"], batch_size=250)
    registered_at = Client.objects.filter(pk=OuterRef("client_id")).values("registered_at")[:1]
    ClientEvent.objects.filter(client_id__in=list(clients), kind="client.registered").update(
        occurred_at=Subquery(registered_at)
    )


def _totals(plans: Sequence[ClientPlan], created: int) -> DemoClientsResult:
    ids = [plan.id for plan in plans]
    present = set(Client.objects.filter(pk__in=ids).values_list("pk", flat=True))
    consents = Consent.objects.filter(client_id__in=ids)
    return DemoClientsResult(
        created=created,
        clients=len(present),
        anonymous=sum(1 for plan in plans if plan.id in present and plan.anonymous),
        near_duplicates=sum(1 for plan in plans if plan.id in present and plan.duplicate_of is not None),
        consents=consents.count(),
        withdrawn=consents.filter(revoked_at__isnull=False).count(),
        shared=consents.filter(kind=ConsentKind.DISCLOSURE).values("client_id").distinct().count(),
        disclosures=Disclosure.objects.filter(client_id__in=ids).count(),
    )


def load_demo_clients(*, count: int = DEFAULT_COUNT) -> DemoClientsResult:
    """Register whatever demo clients are missing (with their consents), in one transaction. Needs the demo
    network and its accounts (cbtc.network.demo.load_demo) first; without them it registers nobody."""
    if settings.MODE not in ALLOWED_MODES:
        raise ServiceError(
            f"Demo clients can only be loaded when CBTC_MODE is 'demo' or 'test' (it is '{settings.MODE}')."
        )
    with transaction.atomic():
        network = organisations_of_the_network()
        if not network.registering:
            return DemoClientsResult(0, 0, 0, 0, 0, 0, 0, 0)
        today, now = timezone.localdate(), timezone.now()
        plans = plan_clients(network, active_scheme(), count, today)
        existing = set(Client.objects.filter(pk__in=[p.id for p in plans]).values_list("pk", flat=True))
        new = [plan for plan in plans if plan.id not in existing]
        clients: dict[uuid.UUID, Client] = {}
        for plan in new:
            clients[plan.id] = client_register(
                actor=network.users[plan.registrar],
                organisation=network.organisations[plan.organisation],
                uic=plan.uic,
                demographics=plan.demographics,
                identity=plan.identity,
                confirmed_new_person=True,  # the near-duplicates are deliberate
                client_id=plan.id,
            )
        by_id = {plan.id: plan for plan in new}
        _backdate(clients, by_id, now)
        recorded: list[tuple[ClientPlan, Consent | None, Consent | None]] = []
        for plan in new:
            treatment, share = _record_consents(plan, clients[plan.id], network, now)
            recorded.append((plan, treatment, share))
        _view_some_shared(recorded, clients, network)
        for plan, treatment, share in recorded:
            actor = network.users[plan.registrar]
            if treatment is not None and plan.treatment_withdrawn:
                consent_revoke(actor=actor, consent=treatment, method=ConsentMethod.VERBAL)
            if share is not None and plan.share is not None and plan.share.withdrawn:
                consent_revoke(actor=actor, consent=share, method=ConsentMethod.WRITTEN)
        return _totals(plans, len(new))


def _view_some_shared(
    recorded: Sequence[tuple[ClientPlan, Consent | None, Consent | None]],
    clients: Mapping[uuid.UUID, Client],
    network: Network,
) -> None:
    """A recipient organisation's demo account opens a few shared records. The read goes through the one
    decision function, which writes the disclosures to the client's accounting and the audit trail."""
    viewed = 0
    for plan, _, share in recorded:
        if viewed >= DISCLOSURE_VIEWS or share is None or plan.share is None:
            continue
        recipient_ids = [str(network.organisations[name].pk) for name in plan.share.recipients]
        viewer = next((network.viewers[org_id] for org_id in recipient_ids if org_id in network.viewers), None)
        if viewer is not None:
            client_get_for_actor(actor=viewer, client_id=clients[plan.id].pk)
            viewed += 1
