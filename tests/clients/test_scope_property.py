"""The central guarantee, as a property: a user sees a client's record if and only if their organisation owns it
or a consent in force shares it with them, and then only the categories that consent covers.

Each example builds a random small network (organisations, staff with random roles and memberships, including
network-wide roles, inactive accounts and people with no role), registers clients, merges some records,
records consents to treatment and to share (random recipients, categories and purposes) and ends some of them
(withdrawn, past their end date, ended by an event). Then every (user, client) pair is checked against an
oracle written below from the plain data the example drew: it never calls the decision in
cbtc.consent.disclosure. The world is built inside a savepoint that is rolled back after each example.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cbtc.clients.identity import Identity
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.selectors import (
    ClientQuery,
    ClientRecord,
    client_get_for_actor,
    client_search_for_actor,
    client_timeline,
)
from cbtc.clients.services import Demographics, client_merge, client_merge_undo, client_register
from cbtc.clients.uic import get_scheme, parse_uic
from cbtc.consent.exports import client_record_export
from cbtc.consent.models import Consent, ConsentKind, ConsentMethod, Disclosure, ExpiryEvent, Purpose
from cbtc.consent.selectors import consents_for_record, disclosure_accounting, disclosure_accounting_all
from cbtc.consent.services import ConsentInput, consent_expiry_event_occurred, consent_record, consent_revoke
from cbtc.errors import NotFound, NotPermitted
from cbtc.network.models import Organisation, OrganisationType, User
from cbtc.network.roles import ROLE_SPECS, Permission, Role
from cbtc.network.services.directory import organisation_create
from cbtc.network.services.staff import membership_add

# ---- the policy, written out by hand (not read from the code under test) --------------------------------

# Roles that see client records in the organisation where they are held (docs/architecture.md §6).
# Network-wide roles never do.
VIEWING_ROLES = frozenset(
    {
        Role.OUTREACH_WORKER,
        Role.CLINICIAN,
        Role.PRESCRIBER,
        Role.DISPENSER,
        Role.CASE_MANAGER,
        Role.SERVICE_MANAGER,
    }
)
ALL_CATEGORIES = frozenset(c.value for c in InformationCategory)
SHAREABLE = sorted(ALL_CATEGORIES - {InformationCategory.CONSENTS.value})
IDENTITY = InformationCategory.IDENTITY.value
DEMOGRAPHICS = InformationCategory.DEMOGRAPHICS.value

GIVEN_NAMES = ["Ondrel", "Vashti", "Quillon"]
FAMILY_NAMES = ["Brennaway", "Taveo"]
NICKNAMES = ["Kitoy", "Bebot"]
ALIASES = ["Ondrel", "Marisoll"]  # one alias doubles as a given name: searching it finds both
UIC_POOL = ["MARE0101011970", "MARE0201011970", "JOPA9912251985"]
SUBSTANCES = ["heroin", "methamphetamine", "cannabis"]


def test_the_hand_written_policy_matches_the_declared_roles():
    declared = {role for role, spec in ROLE_SPECS.items() if Permission.CLIENT_VIEW in spec.permissions}
    assert declared == VIEWING_ROLES
    assert not any(ROLE_SPECS[role].network_wide for role in VIEWING_ROLES)


# ---- plain data drawn for one example -------------------------------------------------------------------


@dataclass
class PlainUser:
    user: User
    memberships: list[tuple[str, Role]]
    active: bool

    @property
    def viewing_orgs(self) -> frozenset[str]:
        if not self.active:
            return frozenset()
        return frozenset(org for org, role in self.memberships if role in VIEWING_ROLES)


@dataclass
class PlainClient:
    obj: Client
    org: str
    uic: str
    identity: Identity
    substances: frozenset[str]
    merged_into: str | None = None

    @property
    def id(self) -> str:
        return str(self.obj.pk)

    def name_words(self) -> set[str]:
        i = self.identity
        return {w for text in (i.given_name, i.family_name, i.nickname, i.alias) for w in text.upper().split()}


@dataclass
class PlainConsent:
    id: str
    kind: str
    client: str
    org: str
    recipients: frozenset[str]
    categories: frozenset[str]
    purpose: str
    given_at: datetime
    expires_on: date | None
    expiry_event: str
    revoked: bool = False
    ended_by_event: bool = False

    def in_force(self, now: datetime, today: date) -> bool:
        if self.kind != ConsentKind.DISCLOSURE or self.revoked or self.ended_by_event:
            return False
        if self.given_at > now:
            return False
        return self.expires_on is None or self.expires_on >= today


@dataclass
class World:
    orgs: list[Organisation]
    setup: dict[str, User]  # organisation id -> a case manager who registers, merges and records consents
    users: list[PlainUser]
    clients: list[PlainClient]
    consents: list[PlainConsent] = field(default_factory=list)

    def client(self, client_id: str) -> PlainClient:
        return next(c for c in self.clients if c.id == client_id)

    def group(self, client: PlainClient) -> set[str]:
        return {client.id} | {c.id for c in self.clients if c.merged_into == client.id}


@dataclass(frozen=True)
class Expected:
    owner: bool
    categories: frozenset[str]
    used: dict[str, frozenset[str]]  # consent id -> the categories it is the basis for


def oracle(world: World, user: PlainUser, client: PlainClient, now: datetime, today: date) -> Expected | None:
    orgs = user.viewing_orgs
    if not orgs:
        return None
    if client.org in orgs:
        return Expected(owner=True, categories=ALL_CATEGORIES, used={})
    group = world.group(client)
    usable = [c for c in world.consents if c.client in group and c.recipients & orgs and c.in_force(now, today)]
    categories = frozenset().union(*(c.categories for c in usable)) & frozenset(SHAREABLE)
    if not categories:
        return None
    used: dict[str, set[str]] = {}
    for category in categories:
        basis = min((c for c in usable if category in c.categories), key=lambda c: (c.given_at, c.id))
        used.setdefault(basis.id, set()).add(category)
    return Expected(owner=False, categories=categories, used={k: frozenset(v) for k, v in used.items()})


def used_for(expected: Expected, shown: frozenset[str]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for consent_id, categories in expected.used.items():
        if categories & shown:
            out[consent_id] = categories & shown
    return out


# ---- building the world ---------------------------------------------------------------------------------


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# Full identities first: hypothesis leans towards the first choice, and names are what searches look for.
IDENTITIES = st.one_of(
    st.builds(
        lambda g, f, n, a: Identity(given_name=g, family_name=f, nickname=n, alias=a),
        st.sampled_from(GIVEN_NAMES),
        st.sampled_from(["", *FAMILY_NAMES]),
        st.sampled_from(["", *NICKNAMES]),
        st.sampled_from(["", *ALIASES]),
    ),
    st.builds(lambda n: Identity(nickname=n), st.sampled_from(NICKNAMES)),
    st.just(Identity()),
)
GIVEN_OFFSETS = [
    timedelta(days=-20),
    timedelta(days=-3),
    timedelta(minutes=-10),
    timedelta(days=-1),
    timedelta(hours=-1),
    timedelta(seconds=-1),
    timedelta(minutes=4),  # recorded now, given "in four minutes": not yet in force
]
FATES = ["none"] * 5 + ["revoked", "expired_by_date", "ends_today", "event"]


Draw = Any  # st.DataObject.draw


def _organisations(draw: Draw, base_orgs: list[Organisation]) -> list[Organisation]:
    n_orgs = draw(st.sampled_from([3, 2, 3, 4]), label="organisations")
    orgs = list(base_orgs)
    for i in range(len(orgs), n_orgs):
        orgs.append(
            organisation_create(
                actor=None,
                name=f"Property organisation {i}",
                type=OrganisationType.NGO,
                admin_area=base_orgs[0].admin_area,
            )
        )
    return orgs[:n_orgs]


def _staff(draw: Draw, orgs: list[Organisation]) -> tuple[dict[str, User], list[PlainUser]]:
    n_orgs, org_ids = len(orgs), [str(org.pk) for org in orgs]
    users: list[PlainUser] = []
    setup: dict[str, User] = {}
    for i, org in enumerate(orgs):
        user = User.objects.create_user(username=f"setup-{org.pk}")
        membership_add(actor=None, user=user, organisation=org, role=Role.CASE_MANAGER)
        setup[org_ids[i]] = user
        held = [(org_ids[i], Role.CASE_MANAGER)]
        # Some also work at another service (a peer worker at two NGOs).
        also = draw(st.sampled_from([None, *range(n_orgs)]), label="also works at")
        if also is not None and also != i:
            membership_add(actor=None, user=user, organisation=orgs[also], role=Role.OUTREACH_WORKER)
            held.append((org_ids[also], Role.OUTREACH_WORKER))
        users.append(PlainUser(user, held, active=True))
    # Staff who see records in one or several organisations, often with a network-wide role as well, and
    # people with no role at all.
    viewing = st.lists(
        st.tuples(st.sampled_from(range(n_orgs)), st.sampled_from(sorted(VIEWING_ROLES))), max_size=3, unique=True
    )
    other = st.lists(
        st.tuples(st.sampled_from(range(n_orgs)), st.sampled_from(sorted(set(Role) - VIEWING_ROLES))), max_size=1
    )
    memberships = st.builds(lambda a, b: sorted(set(a) | set(b)), viewing, other)
    for i, (member_of, active) in enumerate(
        draw(st.lists(st.tuples(memberships, st.sampled_from([True, True, True, False])), min_size=1, max_size=3))
    ):
        user = User.objects.create_user(username=f"user-{i}", is_active=active)
        for org_index, role in member_of:
            membership_add(actor=None, user=user, organisation=orgs[org_index], role=role)
        users.append(PlainUser(user, [(org_ids[o], role) for o, role in member_of], active=active))
    return setup, users


def _with_contact_details(identity: Identity, i: int) -> Identity:
    """Full identities carry contact details and a national ID as well."""
    if not identity.given_name:
        return identity
    extra = {"phone": f"+00 555 {i:04}", "address": f"{i} Xylo Lane", "national_id": f"NQ-{i}-XV"}
    return Identity(**{**vars(identity), **extra})


def _clients(draw: Draw, orgs: list[Organisation], setup: dict[str, User]) -> list[PlainClient]:
    scheme = get_scheme("ph-doh")
    clients: list[PlainClient] = []
    for org_index, code, drawn, year, substances in draw(
        st.lists(
            st.tuples(
                st.sampled_from(range(len(orgs))),
                st.sampled_from(UIC_POOL),
                IDENTITIES,
                st.one_of(st.none(), st.integers(1950, 2000)),
                st.frozensets(st.sampled_from(SUBSTANCES), max_size=2),
            ),
            min_size=2,
            max_size=5,
        ),
        label="clients",
    ):
        identity = _with_contact_details(drawn, len(clients))
        org = orgs[org_index]
        client = client_register(
            actor=setup[str(org.pk)],
            organisation=org,
            uic=parse_uic(scheme, code),
            demographics=Demographics(birth_year=year, substances=substances),
            identity=identity,
            confirmed_new_person=True,
        )
        clients.append(PlainClient(client, str(org.pk), code, identity, substances))
    return clients


def _merges(draw: Draw, world: World) -> None:
    """Merges (and some undone): only records of one organisation, never chains, as client_merge requires."""
    clients = world.clients
    for i, duplicate in enumerate(clients):
        target = draw(st.sampled_from([None, *range(i), None]), label="merge into")
        if target is None:
            continue
        survivor = clients[target]
        if (
            survivor.org != duplicate.org
            or survivor.merged_into
            or duplicate.merged_into
            or any(c.merged_into == duplicate.id for c in clients)
        ):
            continue
        actor = world.setup[survivor.org]
        merge = client_merge(actor=actor, survivor=survivor.obj, duplicate=duplicate.obj, reason="client_confirmed")
        duplicate.merged_into = survivor.id
        if draw(st.sampled_from([False, False, True]), label="undo merge"):
            client_merge_undo(actor=actor, merge=merge)
            duplicate.merged_into = None


CONSENT_SPECS = st.fixed_dictionaries(
    {
        "client": st.integers(0, 2),
        "kind": st.sampled_from([ConsentKind.DISCLOSURE] * 4 + [ConsentKind.TREATMENT]),
        "recipients": st.sets(st.integers(0, 3), min_size=1, max_size=3),
        "categories": st.sets(st.sampled_from(SHAREABLE), min_size=1, max_size=3),
        "purpose": st.sampled_from(list(Purpose)),
        "end": st.sampled_from(["date", "event", "both"]),
        "days": st.integers(0, 400),
        "event": st.sampled_from(list(ExpiryEvent)),
        "given": st.sampled_from(GIVEN_OFFSETS),
        "smuggle": st.booleans(),  # a treatment consent given recipients behind the service's back
    }
)


def _consents(draw: Draw, world: World) -> None:
    now, today = timezone.now(), timezone.localdate()
    orgs = world.orgs
    for spec in draw(st.lists(CONSENT_SPECS, min_size=1, max_size=6), label="consents"):
        client = world.clients[spec["client"] % len(world.clients)]
        org = next(o for o in orgs if str(o.pk) == client.org)
        recipients = [orgs[i % len(orgs)] for i in spec["recipients"] if orgs[i % len(orgs)].pk != org.pk]
        disclosure = spec["kind"] == ConsentKind.DISCLOSURE
        if disclosure and not recipients:
            continue
        expires_on = today + timedelta(days=spec["days"]) if spec["end"] in {"date", "both"} else None
        ending = spec["event"] if spec["end"] in {"event", "both"} else ""
        consent = consent_record(
            actor=world.setup[client.org],
            client=client.obj,
            organisation=org,
            data=ConsentInput(
                kind=spec["kind"],
                method=ConsentMethod.VERBAL,
                given_at=now + spec["given"],
                witnessed_by=world.setup[client.org],
                recipients=recipients,
                categories=frozenset(spec["categories"]),
                purpose=spec["purpose"],
                ethics_approval_reference="ERC-2026-017" if spec["purpose"] == Purpose.RESEARCH else "",
                expires_on=expires_on,
                expiry_event=ending,
                client_states_adult=True,
            ),
        )
        if not disclosure and spec["smuggle"] and recipients:
            consent.recipients.set(recipients)
            Consent.objects.filter(pk=consent.pk).update(categories="," + ",".join(sorted(spec["categories"])) + ",")
        consent.refresh_from_db()
        world.consents.append(
            PlainConsent(
                id=str(consent.pk),
                kind=spec["kind"],
                client=client.id,
                org=client.org,
                recipients=frozenset(str(o.pk) for o in recipients),
                categories=frozenset(spec["categories"]),
                purpose=spec["purpose"] if disclosure else "",
                given_at=consent.given_at,
                expires_on=expires_on if disclosure else None,
                expiry_event=ending if disclosure else "",
            )
        )


def _end_by_event(world: World, plain: PlainConsent) -> None:
    """The ending event happened: every consent of the record from that organisation waiting for it ends."""
    owner = world.client(plain.client)
    org = next(o for o in world.orgs if str(o.pk) == plain.org)
    ended = consent_expiry_event_occurred(
        actor=world.setup[plain.org], client=owner.obj, organisation=org, event=plain.expiry_event
    )
    group = world.group(owner)
    matching = [
        c
        for c in world.consents
        if c.client in group
        and c.org == plain.org
        and c.kind == ConsentKind.DISCLOSURE
        and c.expiry_event == plain.expiry_event
        and not c.ended_by_event
        and not c.revoked
    ]
    assert ended == len(matching)
    for c in matching:
        c.ended_by_event = True


def _endings(draw: Draw, world: World) -> None:
    """Withdrawn, past the end date, ending today, or ended by an event — after all consents exist."""
    today = timezone.localdate()
    for plain in world.consents:
        fate = draw(st.sampled_from(FATES), label="fate")
        disclosure = plain.kind == ConsentKind.DISCLOSURE
        if fate == "revoked" and not plain.revoked:
            consent_revoke(actor=world.setup[plain.org], consent=Consent(pk=plain.id), method=ConsentMethod.WRITTEN)
            plain.revoked = True
        elif fate in {"expired_by_date", "ends_today"} and disclosure:
            days_ago = draw(st.integers(1, 30), label="days ago") if fate == "expired_by_date" else 0
            plain.expires_on = today - timedelta(days=days_ago)
            Consent.objects.filter(pk=plain.id).update(expires_on=plain.expires_on)
        elif fate == "event" and plain.expiry_event:
            _end_by_event(world, plain)


def build_world(data: st.DataObject, base_orgs: list[Organisation]) -> World:
    orgs = _organisations(data.draw, base_orgs)
    setup, users = _staff(data.draw, orgs)
    world = World(orgs, setup, users, _clients(data.draw, orgs, setup))
    _merges(data.draw, world)
    _consents(data.draw, world)
    _endings(data.draw, world)
    return world


# ---- the checks -----------------------------------------------------------------------------------------


def _last_disclosure_id() -> int:
    return Disclosure.objects.aggregate(last=Max("id"))["last"] or 0


def _identity_values(identity: Identity) -> list[str]:
    return [value for value in vars(identity).values() if value]


def _note_interesting(world: World, user: PlainUser, client: PlainClient, expected: Expected) -> None:
    """Hypothesis statistics (--hypothesis-show-statistics): how often the hard cases came up."""
    if expected.owner:
        return
    event("shared read")
    if len(expected.used) > 1:
        event("shared read under several consents")
    if any(c.client != client.id for c in world.consents if c.id in expected.used):
        event("shared read through a merged record's consent")
    if len(user.viewing_orgs & frozenset().union(*(c.recipients for c in world.consents))) > 1:
        event("shared read by someone in several recipient organisations")


def _check_disclosure_rows(world: World, user: PlainUser, client: PlainClient, expected: Expected, before: int) -> None:
    """Nothing for the owner; otherwise one row per consent used, naming what that consent allowed."""
    rows = list(Disclosure.objects.filter(id__gt=before))
    if expected.owner:
        assert rows == []
        return
    assert {str(r.consent_id): frozenset(r.categories) for r in rows} == expected.used
    assert len(rows) == len(expected.used)
    by_id = {c.id: c for c in world.consents}
    for row in rows:
        consent = by_id[str(row.consent_id)]
        assert row.recipient_user_id == user.user.pk
        assert str(row.client_id) == client.id
        assert str(row.disclosing_organisation_id) == client.org
        # The accounting must name an organisation that this consent lets receive the record.
        assert str(row.recipient_organisation_id) in consent.recipients & user.viewing_orgs
        assert row.purpose == consent.purpose
        assert row.channel == "view"


def _check_what_travels(world: World, record: ClientRecord, client: PlainClient, expected: Expected) -> None:
    """The consents shown with the record, its timeline, and its export hold nothing the access leaves out."""
    consents = consents_for_record(record=record)
    if expected.owner:
        group = world.group(client)
        assert {str(c.pk) for c in consents} == {c.id for c in world.consents if c.client in group}
    else:
        assert {str(c.pk) for c in consents} == set(expected.used)
    events, _ = client_timeline(record=record)
    assert {e.category for e in events} <= expected.categories

    export = client_record_export(record, consents)
    dumped = json.dumps(export, default=str).casefold()
    assert set(export["information_included"]) == expected.categories
    if IDENTITY in expected.categories:
        assert export.get("identifying_details", {}) == {k: v for k, v in vars(client.identity).items() if v}
    else:
        assert "identifying_details" not in export
        for value in _identity_values(client.identity):
            assert value.casefold() not in dumped, (value, export)
    if DEMOGRAPHICS not in expected.categories:
        assert "demographics" not in export
        assert client.uic.casefold() not in dumped


def check_read(world: World, user: PlainUser, client: PlainClient, expected: Expected | None) -> None:
    before = _last_disclosure_id()
    if not user.viewing_orgs or expected is None:
        # Nobody without CLIENT_VIEW gets further than "not permitted"; anybody else learns nothing.
        with pytest.raises(NotPermitted if not user.viewing_orgs else NotFound):
            client_get_for_actor(actor=user.user, client_id=client.obj.pk)
        assert _last_disclosure_id() == before
        return

    record = client_get_for_actor(actor=user.user, client_id=client.obj.pk)
    _note_interesting(world, user, client, expected)
    assert record.access.owner == expected.owner
    assert record.access.categories == expected.categories
    if IDENTITY in expected.categories:
        assert record.identity == client.identity
    else:
        assert record.identity is None
        assert record.display_name == ""
    expected_substances = client.substances if DEMOGRAPHICS in expected.categories else frozenset()
    assert {s.code for s in record.substances} == expected_substances
    _check_disclosure_rows(world, user, client, expected, before)
    _check_what_travels(world, record, client, expected)

    # The accounting of disclosures is the owner's alone.
    if expected.owner:
        found, _ = disclosure_accounting(actor=user.user, record=record)
        assert {str(d.client_id) for d in found} <= world.group(client)
    else:
        with pytest.raises(NotFound):
            disclosure_accounting(actor=user.user, record=record)
        with pytest.raises(NotFound):
            disclosure_accounting_all(actor=user.user, record=record)


def _words_in_order(text: str) -> list[str]:
    return re.findall(r"[A-Z0-9]+", text.upper())


def _words(text: str) -> set[str]:
    return set(_words_in_order(text))


def check_search(world: World, user: PlainUser, expectations: dict[str, Expected | None], query: ClientQuery) -> None:
    if not user.viewing_orgs:
        with pytest.raises(NotPermitted):
            client_search_for_actor(actor=user.user, query=query)
        return
    by_name = bool(query.text.strip())
    # A search may only reach a shared record whose consents cover what it searched on: names for a name,
    # demographics for a code (both, when both are given; else a hit would confirm a withheld code).
    needed = ({IDENTITY} if by_name else set()) | ({DEMOGRAPHICS} if query.uic.strip() or not by_name else set())
    wanted: dict[str, PlainClient] = {}
    for client in world.clients:
        expected = expectations[client.id]
        if client.merged_into or expected is None:
            continue
        if (query.shared_only and expected.owner) or (query.own_only and not expected.owner):
            continue
        if query.uic and client.uic != query.uic:
            continue
        if by_name:
            national = "".join(_words_in_order(client.identity.national_id))
            query_national = "".join(_words_in_order(query.text))
            if not (_words(query.text) <= client.name_words() or (national and national == query_national)):
                continue
        if not needed <= expected.categories:
            event(f"search must not find a shared record whose consent leaves out {sorted(needed)}")
            continue
        wanted[client.id] = client

    before = _last_disclosure_id()
    page = client_search_for_actor(actor=user.user, query=query)
    assert not page.has_next
    found = {str(row.client.pk): row for row in page.rows}
    assert set(found) == set(wanted), (query, user.memberships)

    expected_log: set[tuple[str, str, frozenset[str]]] = set()
    for client_id, row in found.items():
        client, expected = wanted[client_id], expectations[client_id]
        assert expected is not None
        assert row.owner == expected.owner
        sees_name = IDENTITY in expected.categories
        assert row.display_name == (client.identity.display_name if sees_name else "")
        assert row.categories == (expected.categories & {IDENTITY, DEMOGRAPHICS})
        if not expected.owner:
            event("search found a shared record by " + ("name" if by_name else "code or list"))
            shown = expected.categories & {IDENTITY, DEMOGRAPHICS}
            for consent_id, categories in used_for(expected, frozenset(shown)).items():
                expected_log.add((client_id, consent_id, categories))
    rows = list(Disclosure.objects.filter(id__gt=before))
    assert {(str(r.client_id), str(r.consent_id), frozenset(r.categories)) for r in rows} == expected_log
    assert len(rows) == len(expected_log)
    assert {r.channel for r in rows} <= {"list"}
    assert all(r.recipient_user_id == user.user.pk for r in rows)


def check_world(world: World, data: st.DataObject) -> None:
    now, today = timezone.now(), timezone.localdate()
    codes = [*sorted({c.uic for c in world.clients}), "ZZZZ9999999999"]
    present = sorted({w.title() for c in world.clients for w in c.name_words()})
    names = [*present, *present, "Ondrel Brennaway", "Nobodyhere"]
    # A national ID is searched for as written, and typed in one piece (the separators dropped).
    national_ids = [c.identity.national_id for c in world.clients if c.identity.national_id][:1]
    names += [*national_ids, *("".join(_words_in_order(n)) for n in national_ids)]
    # Every search shape is possible; each example tries a few of them for every user.
    shapes = st.builds(
        ClientQuery,
        text=st.sampled_from([*names, ""]),
        uic=st.sampled_from(["", *codes]),
        shared_only=st.booleans(),
        own_only=st.booleans(),
    )
    queries = data.draw(st.lists(shapes, min_size=2, max_size=4), label="searches")

    for user in world.users:
        expectations = {c.id: oracle(world, user, c, now, today) for c in world.clients}
        for client in world.clients:
            check_read(world, user, client, expectations[client.id])
        for query in queries:
            check_search(world, user, expectations, query)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_read_and_search_stays_within_scope(network, data):
    # The two organisations of the fixture are made once per test; everything an example adds is rolled back.
    with rolled_back():
        world = build_world(data, [network.org_a, network.org_b])
        check_world(world, data)


# ---- a deterministic case: withdrawal acts at once ------------------------------------------------------


@pytest.mark.django_db
def test_a_withdrawn_consent_stops_every_read_at_once(network):
    owner = User.objects.create_user(username="owner")
    membership_add(actor=None, user=owner, organisation=network.org_a, role=Role.CASE_MANAGER)
    reader = User.objects.create_user(username="reader")
    membership_add(actor=None, user=reader, organisation=network.org_b, role=Role.CLINICIAN)
    identity = Identity(given_name="Vashti", family_name="Taveo")
    client = client_register(
        actor=owner,
        organisation=network.org_a,
        uic=parse_uic(get_scheme("ph-doh"), UIC_POOL[0]),
        demographics=Demographics(birth_year=1980),
        identity=identity,
        confirmed_new_person=True,
    )
    consent = consent_record(
        actor=owner,
        client=client,
        organisation=network.org_a,
        data=ConsentInput(
            kind=ConsentKind.DISCLOSURE,
            method=ConsentMethod.WRITTEN,
            given_at=timezone.now() - timedelta(hours=1),
            witnessed_by=owner,
            recipients=[network.org_b],
            categories=frozenset({IDENTITY, DEMOGRAPHICS}),
            purpose=Purpose.CARE_COORDINATION,
            expires_on=timezone.localdate() + timedelta(days=90),
        ),
    )
    record = client_get_for_actor(actor=reader, client_id=client.pk)
    assert record.identity == identity
    assert Disclosure.objects.filter(consent=consent).count() == 1
    name_search = ClientQuery(text="Vashti")
    assert [r.client.pk for r in client_search_for_actor(actor=reader, query=name_search).rows] == [client.pk]

    consent_revoke(actor=owner, consent=consent, method=ConsentMethod.VERBAL)
    disclosed = Disclosure.objects.count()
    with pytest.raises(NotFound):
        client_get_for_actor(actor=reader, client_id=client.pk)
    assert client_search_for_actor(actor=reader, query=name_search).rows == []
    assert client_search_for_actor(actor=reader, query=ClientQuery(uic=UIC_POOL[0])).rows == []
    assert Disclosure.objects.count() == disclosed  # nothing more was disclosed
    # The owner still reads it, and the earlier disclosure stays in the accounting.
    own = client_get_for_actor(actor=owner, client_id=client.pk)
    found, _ = disclosure_accounting(actor=owner, record=own)
    assert sorted((str(d.consent_id), d.channel) for d in found) == [
        (str(consent.pk), "list"),
        (str(consent.pk), "view"),
    ]


@pytest.mark.django_db
def test_the_accounting_names_a_recipient_each_consent_allows(network):
    """Found by the property: someone working at two recipient organisations reads a record shared with each
    under a different consent. Every Disclosure row must name an organisation its own consent names."""
    gamma = organisation_create(actor=None, name="Gamma Outreach", type=OrganisationType.NGO, admin_area=network.north)
    owner = User.objects.create_user(username="owner")
    membership_add(actor=None, user=owner, organisation=network.org_a, role=Role.CASE_MANAGER)
    reader = User.objects.create_user(username="reader")
    membership_add(actor=None, user=reader, organisation=network.org_b, role=Role.CLINICIAN)
    membership_add(actor=None, user=reader, organisation=gamma, role=Role.OUTREACH_WORKER)
    client = client_register(
        actor=owner,
        organisation=network.org_a,
        uic=parse_uic(get_scheme("ph-doh"), UIC_POOL[1]),
        demographics=Demographics(),
        identity=Identity(),
        confirmed_new_person=True,
    )

    def share(recipient: Organisation, category: str, hours_ago: int) -> Consent:
        return consent_record(
            actor=owner,
            client=client,
            organisation=network.org_a,
            data=ConsentInput(
                kind=ConsentKind.DISCLOSURE,
                method=ConsentMethod.WRITTEN,
                given_at=timezone.now() - timedelta(hours=hours_ago),
                witnessed_by=owner,
                recipients=[recipient],
                categories=frozenset({category}),
                purpose=Purpose.TREATMENT,
                expires_on=timezone.localdate() + timedelta(days=30),
                client_states_adult=True,
            ),
        )

    to_beta = share(network.org_b, DEMOGRAPHICS, hours_ago=2)
    to_gamma = share(gamma, InformationCategory.SCREENING.value, hours_ago=1)
    client_get_for_actor(actor=reader, client_id=client.pk)
    recipients = dict(Disclosure.objects.values_list("consent_id", "recipient_organisation_id"))
    assert recipients == {to_beta.pk: network.org_b.pk, to_gamma.pk: gamma.pk}


@pytest.mark.django_db
def test_a_network_role_does_not_carry_a_clinical_role_into_other_organisations(network):
    """Found while writing the property: a system administrator who is also a clinician at A could record a
    consent for B's client naming A (and then read B's client), or register clients for B. Only what a
    network-wide role itself grants reaches every organisation."""
    b_worker = User.objects.create_user(username="b-worker")
    membership_add(actor=None, user=b_worker, organisation=network.org_b, role=Role.CLINICIAN)
    admin = User.objects.create_user(username="admin")
    membership_add(actor=None, user=admin, organisation=network.org_a, role=Role.SYSTEM_ADMINISTRATOR)
    membership_add(actor=None, user=admin, organisation=network.org_a, role=Role.CLINICIAN)
    code = parse_uic(get_scheme("ph-doh"), UIC_POOL[2])
    client = client_register(
        actor=b_worker,
        organisation=network.org_b,
        uic=code,
        demographics=Demographics(),
        identity=Identity(given_name="Vashti"),
        confirmed_new_person=True,
    )
    with pytest.raises(NotPermitted):
        consent_record(
            actor=admin,
            client=client,
            organisation=network.org_b,
            data=ConsentInput(
                kind=ConsentKind.DISCLOSURE,
                method=ConsentMethod.WRITTEN,
                given_at=timezone.now() - timedelta(hours=1),
                witnessed_by=b_worker,
                recipients=[network.org_a],
                categories=frozenset({IDENTITY}),
                purpose=Purpose.TREATMENT,
                expires_on=timezone.localdate() + timedelta(days=3),
            ),
        )
    with pytest.raises(NotPermitted):
        client_register(
            actor=admin,
            organisation=network.org_b,
            uic=code,
            demographics=Demographics(),
            identity=Identity(),
            confirmed_new_person=True,
        )
    with pytest.raises(NotFound):
        client_get_for_actor(actor=admin, client_id=client.pk)


def _share(owner: User, client: Client, recipient: Organisation, categories: set[str]) -> Consent:
    return consent_record(
        actor=owner,
        client=client,
        organisation=client.organisation,
        data=ConsentInput(
            kind=ConsentKind.DISCLOSURE,
            method=ConsentMethod.WRITTEN,
            given_at=timezone.now() - timedelta(hours=1),
            witnessed_by=owner,
            recipients=[recipient],
            categories=frozenset(categories),
            purpose=Purpose.CARE_COORDINATION,
            expires_on=timezone.localdate() + timedelta(days=30),
            client_states_adult=True,
        ),
    )


@pytest.mark.django_db
def test_a_name_search_never_reaches_a_record_shared_without_names(network):
    owner = User.objects.create_user(username="owner")
    membership_add(actor=None, user=owner, organisation=network.org_a, role=Role.CASE_MANAGER)
    reader = User.objects.create_user(username="reader")
    membership_add(actor=None, user=reader, organisation=network.org_b, role=Role.DISPENSER)
    client = client_register(
        actor=owner,
        organisation=network.org_a,
        uic=parse_uic(get_scheme("ph-doh"), UIC_POOL[0]),
        demographics=Demographics(),
        identity=Identity(given_name="Quillon", national_id="NQ-77-XV"),
        confirmed_new_person=True,
    )
    _share(owner, client, network.org_b, {DEMOGRAPHICS, InformationCategory.SCREENING.value})
    for text in ("Quillon", "NQ-77-XV", "NQ77XV"):
        assert client_search_for_actor(actor=reader, query=ClientQuery(text=text)).rows == [], text
    [row] = client_search_for_actor(actor=reader, query=ClientQuery(uic=UIC_POOL[0])).rows
    assert row.client.pk == client.pk and row.display_name == ""
    _share(owner, client, network.org_b, {IDENTITY})
    [row] = client_search_for_actor(actor=reader, query=ClientQuery(text="quillon")).rows
    assert row.display_name == "Quillon"


@pytest.mark.django_db
def test_a_consent_given_on_a_merged_record_shares_the_surviving_record_until_the_merge_is_undone(network):
    owner = User.objects.create_user(username="owner")
    membership_add(actor=None, user=owner, organisation=network.org_a, role=Role.CASE_MANAGER)
    reader = User.objects.create_user(username="reader")
    membership_add(actor=None, user=reader, organisation=network.org_b, role=Role.CLINICIAN)
    survivor, duplicate = (
        client_register(
            actor=owner,
            organisation=network.org_a,
            uic=parse_uic(get_scheme("ph-doh"), code),
            demographics=Demographics(),
            identity=Identity(given_name="Ondrel"),
            confirmed_new_person=True,
        )
        for code in UIC_POOL[:2]
    )
    consent = _share(owner, duplicate, network.org_b, {DEMOGRAPHICS})
    merge = client_merge(actor=owner, survivor=survivor, duplicate=duplicate, reason="same_code_confirmed")
    record = client_get_for_actor(actor=reader, client_id=survivor.pk)
    assert record.access.categories == {DEMOGRAPHICS}
    assert [str(c.pk) for c in consents_for_record(record=record)] == [str(consent.pk)]
    rows = client_search_for_actor(actor=reader, query=ClientQuery(shared_only=True)).rows
    assert [row.client.pk for row in rows] == [survivor.pk]  # the merged-away record is not listed

    client_merge_undo(actor=owner, merge=merge)
    with pytest.raises(NotFound):
        client_get_for_actor(actor=reader, client_id=survivor.pk)
    assert client_get_for_actor(actor=reader, client_id=duplicate.pk).access.categories == {DEMOGRAPHICS}
