"""Client registry figures at national scale. Prints timings; asserts nothing.

    .venv/bin/python benchmarks/client_scale.py                       # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1/cbtc_bench BENCH_CLIENTS=1000000 \
        .venv/bin/python benchmarks/client_scale.py

Builds BENCH_ORGS organisations (default 500) and BENCH_CLIENTS clients (default 200,000) with encrypted
identities, blind-index digests and timeline entries, a tenth of them shared with another organisation by
consent; then times what staff do all day: search by code and by name, list, open a record (own and
shared), the duplicate check at registration, and the timeline.
"""

from __future__ import annotations

import os
import random
import string
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import bench_common
from bench_common import timed

bench_common.setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cbtc.clients.duplicates import find_duplicates  # noqa: E402
from cbtc.clients.identity import Identity, encrypt_identity, identity_digests  # noqa: E402
from cbtc.clients.keys import current_keyring  # noqa: E402
from cbtc.clients.models import Client, ClientEvent, ClientSearchDigest, InformationCategory  # noqa: E402
from cbtc.clients.selectors import (  # noqa: E402
    ClientQuery,
    client_get_for_actor,
    client_search_for_actor,
    client_timeline,
)
from cbtc.clients.uic import get_scheme, parse_uic  # noqa: E402
from cbtc.consent.models import AgeBasis, Consent, ConsentKind, ConsentMethod, Purpose, encode_categories  # noqa: E402
from cbtc.network.models import AdminArea, AdminAreaLevel, Organisation, OrganisationType  # noqa: E402
from cbtc.network.roles import Role  # noqa: E402
from cbtc.network.services.staff import staff_create  # noqa: E402

ORGS = int(os.environ.get("BENCH_ORGS", "500"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "200000"))
BATCH = 5000
ANONYMOUS_SHARE = 0.6  # most outreach registrations carry a nickname only
PASSWORD = "benchmark horse battery staple"  # noqa: S105  # a throwaway account in a throwaway database
NAMES = ["Maria", "Somchai", "Nguyen", "Ahmad", "Dewi", "Rahul", "Aung", "Siti", "Tran", "Budi", "Lina", "Kiet"]
rng = random.Random(20261122)  # noqa: S311  # reproducible test data, not security
SCHEME = get_scheme("ph-doh")


def random_code() -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
    return f"{letters}{rng.randint(1, 9):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1960, 2008)}"


def build(orgs: list[Organisation], staff_org: Organisation) -> tuple[Client, Client]:
    """Bulk rows, built as the services would (same encryption, digests and blocking keys), without the
    per-row audit trail that would only slow the build."""
    ring = current_keyring()
    now = timezone.now()
    user_org_clients: list[Client] = []
    for start in range(0, CLIENTS, BATCH):
        clients, digests, events = [], [], []
        for _ in range(min(BATCH, CLIENTS - start)):
            code = random_code()
            block_a, block_b = SCHEME.block_keys(code)
            identity = (
                Identity(nickname=rng.choice(NAMES))
                if rng.random() < ANONYMOUS_SHARE
                else Identity(given_name=rng.choice(NAMES), family_name=rng.choice(NAMES), phone="+00 555 0100")
            )
            org = staff_org if rng.random() < 0.02 else rng.choice(orgs)  # noqa: PLR2004  # a large service
            client = Client(
                id=uuid.uuid4(),
                organisation=org,
                uic=code,
                uic_scheme=SCHEME.code,
                uic_scheme_version=SCHEME.version,
                uic_block_a=block_a,
                uic_block_b=block_b,
                birth_year=int(code[-4:]),
                sex_at_birth=rng.choice(["male", "female"]),
                identity_ciphertext=encrypt_identity(identity, ring=ring),
                registered_at=now - timedelta(minutes=rng.randint(0, 500_000)),
            )
            clients.append(client)
            digests += [ClientSearchDigest(client=client, digest=d) for d in identity_digests(identity, ring=ring)]
            events.append(
                ClientEvent(
                    client=client,
                    organisation=org,
                    kind="client.registered",
                    category=InformationCategory.DEMOGRAPHICS,
                    summary="Registered",
                    occurred_at=client.registered_at,
                )
            )
        with transaction.atomic():
            Client.objects.bulk_create(clients)
            ClientSearchDigest.objects.bulk_create(digests)
            ClientEvent.objects.bulk_create(events)
        user_org_clients += [c for c in clients if c.organisation_id == staff_org.pk][:50]
    own = user_org_clients[0]
    return own, Client.objects.exclude(organisation=staff_org).order_by("?").first() or own


def share(clients: list[Client], recipient: Organisation, witness: object) -> None:
    now = timezone.now()
    consents = [
        Consent(
            kind=ConsentKind.DISCLOSURE,
            client=client,
            organisation_id=client.organisation_id,
            categories=encode_categories({"demographics", "identity"}),
            purpose=Purpose.CARE_COORDINATION,
            expires_on=timezone.localdate() + timedelta(days=90),
            method=ConsentMethod.WRITTEN,
            given_at=now - timedelta(days=1),
            witnessed_by=witness,
            recorded_by=witness,
            form_version="bench",
            age_basis=AgeBasis.ADULT,
        )
        for client in clients
    ]
    with transaction.atomic():
        Consent.objects.bulk_create(consents, batch_size=BATCH)
        through = Consent.recipients.through
        through.objects.bulk_create(
            [through(consent_id=c.pk, organisation_id=recipient.pk) for c in consents], batch_size=BATCH
        )


def queries_of(func: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def main() -> None:
    print(f"database: {connection.vendor}; building {ORGS:,} organisations and {CLIENTS:,} clients ...")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    area = AdminArea.objects.create(name="Benchland", code="bl", level=AdminAreaLevel.COUNTRY, path="/bl/")
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {i:04d}", type=OrganisationType.COMMUNITY_LED, admin_area=area)
        for i in range(ORGS)
    )
    home, recipient = orgs[0], orgs[1]
    worker, _ = staff_create(
        actor=None, organisation=home, role=Role.CASE_MANAGER, username="bench.worker", password=PASSWORD
    )
    reader, _ = staff_create(
        actor=None, organisation=recipient, role=Role.CLINICIAN, username="bench.reader", password=PASSWORD
    )
    own, other = build(orgs[2:], home)
    shared = list(Client.objects.exclude(organisation__in=[home, recipient]).order_by("pk")[: CLIENTS // 10])
    share(shared, recipient, worker)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.1f} s; {len(shared):,} clients shared with one organisation")

    print("\nSearch (one page of 25), as a case manager of a service with ~2% of all clients:")
    timed("list own clients, newest first", lambda: client_search_for_actor(actor=worker, query=ClientQuery()))
    timed("by code (exact)", lambda: client_search_for_actor(actor=worker, query=ClientQuery(uic=own.uic)))
    timed("by name word (blind index)", lambda: client_search_for_actor(actor=worker, query=ClientQuery(text="Maria")))
    timed("by two name words", lambda: client_search_for_actor(actor=worker, query=ClientQuery(text="Maria Aung")))
    timed("deep page (page 40)", lambda: client_search_for_actor(actor=worker, query=ClientQuery(), page=40), repeat=5)
    print(f"\nAs a clinician of an organisation {len(shared):,} clients are shared with (each listed row is logged):")
    timed(
        "shared with us, first page",
        lambda: client_search_for_actor(actor=reader, query=ClientQuery(shared_only=True)),
        repeat=5,
    )
    timed("shared, by name word", lambda: client_search_for_actor(actor=reader, query=ClientQuery(text="Siti")))
    shared_one = shared[0]
    print(
        f"  queries: own list {queries_of(lambda: client_search_for_actor(actor=worker, query=ClientQuery()))}, "
        f"shared list {queries_of(lambda: client_search_for_actor(actor=reader, query=ClientQuery(shared_only=True)))}"
    )

    print("\nOne record:")
    timed("open own client (audited)", lambda: client_get_for_actor(actor=worker, client_id=own.pk))
    timed(
        "open shared client (decision + disclosure log)",
        lambda: client_get_for_actor(actor=reader, client_id=shared_one.pk),
    )
    timed("refused: another service's client", lambda: _refused(worker, other))
    record = client_get_for_actor(actor=worker, client_id=own.pk)
    timed("timeline page", lambda: client_timeline(record=record))

    print("\nDuplicate check at registration (blocking keys, then rapidfuzz):")
    exact = parse_uic(SCHEME, own.uic)
    typo = parse_uic(SCHEME, ("A" if own.uic[0] != "A" else "B") + own.uic[1:])
    for label, uic in (
        ("same code", exact),
        ("one letter different", typo),
        ("new code", parse_uic(SCHEME, random_code())),
    ):
        timed(
            label,
            lambda uic=uic: find_duplicates(actor=worker, uic=uic, birth_year=own.birth_year, sex_at_birth="male"),
        )


def _refused(actor: object, client: Client) -> None:
    from cbtc.errors import NotFound  # noqa: PLC0415  # only this probe needs it

    try:
        client_get_for_actor(actor=actor, client_id=client.pk)
    except NotFound:
        return


if __name__ == "__main__":
    main()
