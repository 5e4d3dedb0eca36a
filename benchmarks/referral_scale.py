"""Referral figures at national scale. Prints timings; asserts nothing.

    .venv/bin/python benchmarks/referral_scale.py                     # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1/cbtc_bench_ref BENCH_REFERRALS=1000000 \
        .venv/bin/python benchmarks/referral_scale.py

Builds BENCH_ORGS organisations (default 300) with two services each, BENCH_CLIENTS minimal client rows (default
100,000) and BENCH_REFERRALS referrals (default 500,000, which builds in about 4 minutes on PostgreSQL; 1,000,000
takes about 7.5) over three years, their states as a live network has them: old referrals closed (completed,
declined, expired, ...), the last two months still moving. One busy organisation receives BENCH_BUSY of them
(default 20,000). Then times what a clinician there does all day: the inbox and outbox (first and deep pages,
overdue), one referral (audited), finding one by code, the figures per service, the pages as served, and the daily
expiry job on BENCH_STALE stale referrals (default 2,000).
"""

from __future__ import annotations

import os
import random
import string
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import bench_common

bench_common.setup_django()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.test import Client as WebClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cbtc.clients.models import Client  # noqa: E402
from cbtc.clients.uic import get_scheme  # noqa: E402
from cbtc.consent.models import AgeBasis, Consent, ConsentKind, ConsentMethod, Purpose, encode_categories  # noqa: E402
from cbtc.network.models import (  # noqa: E402
    AdminArea,
    AdminAreaLevel,
    Organisation,
    OrganisationType,
    PyramidLevel,
    Service,
    ServiceType,
    Site,
)
from cbtc.network.roles import Role  # noqa: E402
from cbtc.network.services.staff import staff_create  # noqa: E402
from cbtc.referrals.metrics import referral_metrics  # noqa: E402
from cbtc.referrals.models import (  # noqa: E402
    CompletionOutcome,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralReason,
    ReferralState,
    Urgency,
)
from cbtc.referrals.selectors import referral_box, referral_by_code, referral_for_actor  # noqa: E402
from cbtc.referrals.services import CODE_ALPHABET, referrals_expire  # noqa: E402

ORGS = int(os.environ.get("BENCH_ORGS", "300"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
REFERRALS = int(os.environ.get("BENCH_REFERRALS", "500000"))
BUSY = int(os.environ.get("BENCH_BUSY", str(min(20000, REFERRALS // 10))))
STALE = int(os.environ.get("BENCH_STALE", "2000"))
BATCH = 5000
PASSWORD = "benchmark horse battery staple"  # noqa: S105  # a throwaway account in a throwaway database
HISTORY_DAYS, RECENT_DAYS = 3 * 365, 60  # three years of referrals; those of the last two months still move
DAY = timedelta(days=1)
S = ReferralState
# Older referrals are closed, bar those attended and never closed with an outcome; recent ones are still moving.
OLD_STATES = {S.COMPLETED: 45, S.DECLINED: 17, S.EXPIRED: 15, S.NO_SHOW: 9, S.CANCELLED: 7, S.ATTENDED: 7}
RECENT_STATES = {
    S.SENT: 22,
    S.ACCEPTED: 22,
    S.ATTENDED: 14,
    S.COMPLETED: 16,
    S.DECLINED: 12,
    S.NO_SHOW: 5,
    S.CANCELLED: 5,
    S.DRAFT: 2,
    S.EXPIRED: 2,
}
URGENCIES = {Urgency.ROUTINE: 60, Urgency.SOON: 25, Urgency.URGENT: 12, Urgency.EMERGENCY: 3}
rng = random.Random(20261122)  # noqa: S311  # reproducible test data, not security
SCHEME = get_scheme("ph-doh")
codes_taken: set[str] = set()


def random_code() -> str:
    """A unique referral code in the format of services.new_code."""
    while True:
        raw = "".join(rng.choices(CODE_ALPHABET, k=8))
        code = f"R-{raw[:4]}-{raw[4:]}"
        if code not in codes_taken:
            codes_taken.add(code)
            return code


def random_uic() -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
    return f"{letters}{rng.randint(1, 9):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1960, 2008)}"


def _pick(weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _part(span: timedelta, most: timedelta, share: float) -> timedelta:
    """A random delay of at most ``most``, and at most ``share`` of the time left before now."""
    return min(most * rng.random(), span * share)


def lifecycle(state: str, urgency: str, created: datetime, now: datetime) -> dict[str, object]:
    """Timestamps consistent with the state, as the services would have set them. An open referral whose
    next step fell due more than REFERRAL_EXPIRE_DAYS ago is expired, as the daily job would have done."""
    fields: dict[str, object] = {"state": state, "urgency": urgency, "created_at": created}
    if state == S.DRAFT:
        return fields
    sent = created + _part(now - created, timedelta(minutes=10), 0.1)
    due = sent + timedelta(hours=settings.REFERRAL_DUE_HOURS[urgency])
    fields["sent_at"] = sent
    answered = sent + _part(now - sent, 5 * DAY, 0.2)
    appointment = answered + _part(now - answered, 14 * DAY, 0.4)
    attended = appointment + _part(now - appointment, timedelta(hours=2), 0.1)
    grace = timedelta(hours=settings.REFERRAL_ATTEND_GRACE_HOURS)
    stale_before = now - timedelta(days=settings.REFERRAL_EXPIRE_DAYS)
    if state == S.ACCEPTED:
        due = appointment + grace
    if state in (S.SENT, S.ACCEPTED) and due < stale_before:
        state = S.EXPIRED
        fields["state"] = state
    if state == S.EXPIRED:
        fields["closed_at"] = min(due + timedelta(days=settings.REFERRAL_EXPIRE_DAYS), now)
        return fields
    if state == S.SENT:
        fields["due_at"] = due
    elif state == S.CANCELLED:
        fields["closed_at"] = answered
    elif state == S.DECLINED:
        fields.update(answered_at=answered, closed_at=answered, decline_reason=rng.choice(DeclineReason.values))
    else:  # accepted, attended, completed, no_show: answered with an appointment
        fields.update(answered_at=answered, appointment_at=appointment)
        if state == S.ACCEPTED:
            fields["due_at"] = due
        elif state == S.NO_SHOW:
            fields["closed_at"] = min(appointment + grace, now)
        else:
            fields["attended_at"] = attended
            if state == S.COMPLETED:
                fields["closed_at"] = attended + _part(now - attended, 30 * DAY, 0.5)
                fields["completion_outcome"] = rng.choice(CompletionOutcome.values)
    return fields


def build_network() -> tuple[list[Organisation], dict[object, list[Service]]]:
    area = AdminArea.objects.create(name="Benchland", code="bl", level=AdminAreaLevel.COUNTRY, path="/bl/")
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {i:04d}", type=OrganisationType.COMMUNITY_LED, admin_area=area)
        for i in range(ORGS)
    )
    sites = Site.objects.bulk_create(
        Site(organisation=org, name=f"Site {i}", admin_area=area, time_zone="Asia/Bangkok")
        for i, org in enumerate(orgs)
    )
    types, levels = list(ServiceType), list(PyramidLevel)
    services = Service.objects.bulk_create(
        Service(
            organisation_id=site.organisation_id,
            site=site,
            name=f"Service {i:04d}-{j}",
            type=rng.choice(types),
            pyramid_level=rng.choice(levels),
        )
        for i, site in enumerate(sites)
        for j in range(2)
    )
    by_org: dict[object, list[Service]] = {}
    for service in services:
        by_org.setdefault(service.organisation_id, []).append(service)
    return orgs, by_org


def build_clients(orgs: list[Organisation]) -> list[tuple[object, object]]:
    """Minimal client rows (no identity: the referral pages never decrypt one). Returns (pk, organisation pk)."""
    now = timezone.now()
    rows: list[tuple[object, object]] = []
    for start in range(0, CLIENTS, BATCH):
        clients = []
        for _ in range(min(BATCH, CLIENTS - start)):
            code = random_uic()
            block_a, block_b = SCHEME.block_keys(code)
            clients.append(
                Client(
                    id=uuid.uuid4(),
                    organisation=rng.choice(orgs),
                    uic=code,
                    uic_scheme=SCHEME.code,
                    uic_scheme_version=SCHEME.version,
                    uic_block_a=block_a,
                    uic_block_b=block_b,
                    birth_year=int(code[-4:]),
                    registered_at=now - timedelta(minutes=rng.randint(0, 2_000_000)),
                )
            )
        Client.objects.bulk_create(clients)
        rows += [(c.pk, c.organisation_id) for c in clients]
    return rows


def build_referrals(
    orgs: list[Organisation],
    services: dict[object, list[Service]],
    clients: list[tuple[object, object]],
    busy: Organisation,
    author: object,
) -> None:
    """REFERRALS referrals spread over HISTORY_DAYS, BUSY of them to the busy organisation; then STALE open
    referrals the expiry job has yet to see (elsewhere, so the busy inbox stays as it was)."""
    now = timezone.now()
    busy_share = BUSY / max(REFERRALS, 1)
    recent_share = RECENT_DAYS / HISTORY_DAYS
    others = [org for org in orgs if org.pk != busy.pk]
    reasons = ReferralReason.values
    for start in range(0, REFERRALS + STALE, BATCH):
        referrals = []
        for n in range(start, min(start + BATCH, REFERRALS + STALE)):
            client_id, sender_id = rng.choice(clients)
            receiver_id = busy.pk if rng.random() < busy_share else rng.choice(others).pk
            sending = rng.choice(services[sender_id])
            receiving = rng.choice([s for s in services[receiver_id] if s.pk != sending.pk])
            urgency = _pick(URGENCIES)
            if n >= REFERRALS:  # stale: sent, and fell due 31 to 60 days ago
                due = now - timedelta(days=settings.REFERRAL_EXPIRE_DAYS + 1) - 29 * DAY * rng.random()
                sent = due - timedelta(hours=settings.REFERRAL_DUE_HOURS[urgency])
                fields = {"state": S.SENT, "urgency": urgency, "created_at": sent, "sent_at": sent, "due_at": due}
                if receiver_id == busy.pk:
                    receiver_id = others[0].pk
                    receiving = rng.choice([s for s in services[receiver_id] if s.pk != sending.pk])
            elif rng.random() < recent_share:
                created = now - RECENT_DAYS * DAY * rng.random() - timedelta(minutes=1)
                fields = lifecycle(_pick(RECENT_STATES), urgency, created, now)
            else:
                created = now - RECENT_DAYS * DAY - (HISTORY_DAYS - RECENT_DAYS) * DAY * rng.random()
                fields = lifecycle(_pick(OLD_STATES), urgency, created, now)
            referrals.append(
                Referral(
                    client_id=client_id,
                    sending_organisation_id=sender_id,
                    sending_service=sending,
                    receiving_organisation_id=receiver_id,
                    receiving_service=receiving,
                    reason=rng.choice(reasons),
                    code=random_code(),
                    created_by=author,
                    **fields,
                )
            )
        with transaction.atomic():
            Referral.objects.bulk_create(referrals)


def timed_referral(busy: Organisation, services: dict[object, list[Service]], author: object) -> Referral:
    """The referral opened on the detail page: sent to the busy organisation yesterday, sharing the client's
    demographics under their consent, with its history."""
    client = Client.objects.exclude(organisation=busy).order_by("pk").first()
    assert client is not None  # noqa: S101  # the build made clients
    now = timezone.now()
    consent = Consent.objects.create(
        kind=ConsentKind.DISCLOSURE,
        client=client,
        organisation_id=client.organisation_id,
        categories=encode_categories({"demographics", "identity"}),
        purpose=Purpose.CARE_COORDINATION,
        expires_on=timezone.localdate() + timedelta(days=90),
        method=ConsentMethod.WRITTEN,
        given_at=now - 2 * DAY,
        witnessed_by=author,
        recorded_by=author,
        form_version="bench",
        age_basis=AgeBasis.ADULT,
    )
    consent.recipients.add(busy)
    sent = now - DAY
    referral = Referral.objects.create(
        client=client,
        sending_organisation_id=client.organisation_id,
        sending_service=services[client.organisation_id][0],
        receiving_organisation=busy,
        receiving_service=services[busy.pk][0],
        reason=ReferralReason.OPIOID_AGONIST_TREATMENT,
        urgency=Urgency.SOON,
        shared_categories=encode_categories({"demographics"}),
        consent=consent,
        code=random_code(),
        state=S.SENT,
        created_by=author,
        created_at=sent,
        sent_at=sent,
        due_at=sent + timedelta(hours=settings.REFERRAL_DUE_HOURS[Urgency.SOON]),
    )
    ReferralEvent.objects.bulk_create(
        [
            ReferralEvent(referral=referral, state=S.DRAFT, organisation_id=client.organisation_id, occurred_at=sent),
            ReferralEvent(referral=referral, state=S.SENT, organisation_id=client.organisation_id, occurred_at=sent),
        ]
    )
    return referral


def timed(label: str, func: Callable[[], object], repeat: int = 15) -> None:
    bench_common.timed(label, func, repeat, width=60)


def queries_of(func: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def page_of(referrals: QuerySet[Referral], number: int = 1) -> None:
    """As the box page paginates: the count, then one page of rows."""
    page = Paginator(referrals, settings.CLIENT_PAGE_SIZE).get_page(number)
    list(page.object_list)


def main() -> None:
    print(
        f"database: {connection.vendor}; building {ORGS:,} organisations, {CLIENTS:,} clients, "
        f"{REFERRALS:,} referrals ({BUSY:,} to one organisation) ..."
    )
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    orgs, services = build_network()
    busy = orgs[0]
    clinician, _ = staff_create(
        actor=None, organisation=busy, role=Role.CLINICIAN, username="bench.clinician", password=PASSWORD
    )
    author, _ = staff_create(
        actor=None, organisation=orgs[1], role=Role.CASE_MANAGER, username="bench.author", password=PASSWORD
    )
    clients = build_clients(orgs)
    clients_built = time.perf_counter()
    print(f"  organisations, services and clients built in {clients_built - started:.1f} s")
    build_referrals(orgs, services, clients, busy, author)
    referral = timed_referral(busy, services, author)
    built = time.perf_counter()
    # Planner statistics and, on PostgreSQL, the visibility map, as autovacuum keeps them in production: without
    # VACUUM after a bulk load no index-only scan is possible and each count reads every heap page of the inbox.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"  referrals built in {built - clients_built:.1f} s (VACUUM/ANALYZE {time.perf_counter() - built:.1f} s); "
        f"{Referral.objects.filter(receiving_organisation=busy).count():,} to the busy organisation, "
        f"{Referral.objects.filter(receiving_organisation=busy, state__in=[S.SENT, S.ACCEPTED, S.ATTENDED]).count():,}"
        " of them open"
    )
    measure(clinician, busy, referral)


def measure(clinician: object, busy: Organisation, referral: Referral) -> None:

    print("\nInbox and outbox of the busy organisation, as a clinician there (count + one page of 25):")
    cases = {
        "inbox, open, first page": ("inbox", "open", 1),
        "inbox, overdue, first page": ("inbox", "overdue", 1),
        "inbox, closed, first page": ("inbox", "closed", 1),
        "inbox, closed, deep page (page 200)": ("inbox", "closed", 200),
        "inbox, all, first page": ("inbox", "all", 1),
        "outbox, open, first page": ("outbox", "open", 1),
    }
    for label, (box, show, number) in cases.items():
        timed(
            label,
            lambda box=box, show=show, number=number: page_of(
                referral_box(actor=clinician, box=box, show=show), number
            ),
        )

    print("\nOne referral:")
    timed(
        "open one (referral_for_actor, audited)", lambda: referral_for_actor(actor=clinician, referral_id=referral.pk)
    )
    timed(
        "find by code (as typed: lower case, no dashes)",
        lambda: referral_by_code(actor=clinician, code="r" + referral.code[2:].replace("-", "").lower()),
    )
    print(
        f"  queries: box page {queries_of(lambda: page_of(referral_box(actor=clinician, box='inbox')))}, "
        f"open one {queries_of(lambda: referral_for_actor(actor=clinician, referral_id=referral.pk))}, "
        f"by code {queries_of(lambda: referral_by_code(actor=clinician, code=referral.code))}"
    )

    print("\nFigures per service of the busy organisation:")
    for days in (90, 365):
        timed(
            f"referral_metrics, last {days} days",
            lambda days=days: referral_metrics(
                actor=clinician, organisation_id=busy.pk, since=timezone.now() - days * DAY, until=timezone.now()
            ),
        )

    web = WebClient()
    web.post("/login/", {"username": "bench.clinician", "password": PASSWORD})
    print("\nPages as served (Django test client, full middleware, logged in as the clinician):")
    for url in (
        "/referrals/",
        "/referrals/?show=overdue",
        "/referrals/?show=closed&page=200",
        "/referrals/?box=outbox",
        f"/referrals/{referral.pk}/",
        "/referrals/figures/?days=365",
    ):
        with CaptureQueriesContext(connection) as queries:
            status = web.get(url).status_code
        note = "" if status == 200 else f", HTTP {status}!"  # noqa: PLR2004
        timed(f"GET {url} ({len(queries)} queries{note})", lambda url=url: web.get(url), repeat=10)

    stale = Referral.objects.filter(
        state__in=[S.SENT, S.ACCEPTED],
        due_at__lt=timezone.now() - timedelta(days=settings.REFERRAL_EXPIRE_DAYS),
    ).count()
    print(f"\nDaily expiry job ({stale:,} open referrals fell due more than {settings.REFERRAL_EXPIRE_DAYS} days ago):")
    counted = [0]

    def count(execute: Callable[..., object], *args: object) -> object:
        counted[0] += 1
        return execute(*args)

    started = time.perf_counter()
    try:
        with connection.execute_wrapper(count):  # a counter, not CaptureQueriesContext: it keeps only 9,000 queries
            expired = referrals_expire()
    except DatabaseError as error:  # a figure that cannot be taken is reported, not hidden
        print(f"  referrals_expire FAILED after {counted[0]} queries: {type(error).__name__}: {error}")
        return
    elapsed = time.perf_counter() - started
    print(
        f"  referrals_expire: {expired:,} expired in {elapsed:.1f} s "
        f"({elapsed * 1000 / max(expired, 1):.1f} ms and {counted[0] / max(expired, 1):.1f} queries each)"
    )


if __name__ == "__main__":
    main()
