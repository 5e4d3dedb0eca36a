"""Directory and audit figures at national scale. Prints timings; asserts nothing.

    make bench                                   # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1/cbtc_bench .venv/bin/python benchmarks/directory_scale.py

Builds a network of BENCH_ORGS organisations (default 3,000) with sites in 1,000 districts and
BENCH_SERVICES services (default 30,000), then times the directory queries staff run all day (each filter,
first and deep pages, the page as rendered) and the audit trail (appending events, verifying the chain).
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime
from datetime import time as clock
from decimal import Decimal

import bench_common
from bench_common import timed

bench_common.setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cbtc.audit.services import audit_record, audit_verify  # noqa: E402
from cbtc.network.models import (  # noqa: E402
    AdminArea,
    AdminAreaLevel,
    CostType,
    Gender,
    Language,
    OpeningHours,
    Organisation,
    OrganisationType,
    Population,
    PyramidLevel,
    Service,
    ServiceType,
    Site,
)
from cbtc.network.nearby import services_near  # noqa: E402
from cbtc.network.roles import Role  # noqa: E402
from cbtc.network.selectors import DirectoryFilters, service_search  # noqa: E402
from cbtc.network.services.staff import staff_create  # noqa: E402

ORGS = int(os.environ.get("BENCH_ORGS", "3000"))
SERVICES = int(os.environ.get("BENCH_SERVICES", "30000"))
AUDIT_EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "20000"))
PASSWORD = "benchmark horse battery staple"  # noqa: S105  # a throwaway account in a throwaway database
UNMAPPED_SHARE, CAPITAL_SHARE = 0.1, 0.33
POPULATION_SHARE = 0.3  # services designed for one group; the rest serve everyone
rng = random.Random(20261122)  # noqa: S311  # reproducible test data, not security


def _coordinates() -> dict[str, Decimal]:
    """Most sites on a map of a country about 1,500 km by 900 km, a third of them in one capital city
    (about 30 km across), one in ten without coordinates."""
    if rng.random() < UNMAPPED_SHARE:
        return {}
    if rng.random() < CAPITAL_SHARE:
        lat, lon = 13.75 + rng.uniform(-0.15, 0.15), 100.5 + rng.uniform(-0.15, 0.15)
    else:
        lat, lon = rng.uniform(6, 20), rng.uniform(97, 105)
    return {"latitude": Decimal(f"{lat:.5f}"), "longitude": Decimal(f"{lon:.5f}")}


def build() -> AdminArea:
    country = AdminArea.objects.create(name="Benchland", code="bl", level=AdminAreaLevel.COUNTRY, path="/bl/")
    provinces = AdminArea.objects.bulk_create(
        AdminArea(
            name=f"Province {p}", code=f"bl-{p}", level=AdminAreaLevel.PROVINCE, parent=country, path=f"/bl/bl-{p}/"
        )
        for p in range(40)
    )
    districts = AdminArea.objects.bulk_create(
        AdminArea(
            name=f"District {p}-{d}",
            code=f"bl-{p}-{d}",
            level=AdminAreaLevel.DISTRICT,
            parent=province,
            path=f"{province.path}bl-{p}-{d}/",
        )
        for p, province in enumerate(provinces)
        for d in range(25)
    )
    org_types = list(OrganisationType)
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {i:05d}", type=rng.choice(org_types), admin_area=rng.choice(provinces))
        for i in range(ORGS)
    )
    sites = Site.objects.bulk_create(
        Site(
            organisation=org,
            name=f"Site {i}-{j}",
            admin_area=rng.choice(districts),
            time_zone="Asia/Bangkok",
            **_coordinates(),
        )
        for i, org in enumerate(orgs)
        for j in range(2)
    )
    types, levels = list(ServiceType), list(PyramidLevel)
    Service.objects.bulk_create(
        (
            Service(
                organisation=site.organisation,
                site=site,
                name=f"Service {n:06d}",
                type=rng.choice(types),
                pyramid_level=rng.choice(levels),
                waiting_time_days=rng.randint(0, 60),
            )
            for n, site in ((n, rng.choice(sites)) for n in range(SERVICES))
        ),
        batch_size=2000,
    )
    return provinces[7]


def add_search_details() -> None:
    """What the directory search filters read (issue 5): groups, languages, ages, gender, cost, two time zones,
    weekday hours for every site and own hours for one service in five."""
    populations = Population.objects.bulk_create(
        Population(code=code, name=code) for code in ("women", "young_people", "pwid", "families", "homeless", "lgbtq")
    )
    languages = Language.objects.bulk_create(Language(code=code, name=code) for code in ("km", "th", "en", "lo", "my"))
    service_ids = list(Service.objects.values_list("pk", flat=True))
    Service.populations.through.objects.bulk_create(
        (
            Service.populations.through(service_id=pk, population_id=rng.choice(populations).pk)
            for pk in service_ids
            if rng.random() < POPULATION_SHARE
        ),
        batch_size=5000,
    )
    Service.languages.through.objects.bulk_create(
        (
            Service.languages.through(service_id=pk, language_id=language.pk)
            for pk in service_ids
            for language in rng.sample(languages, rng.randint(0, 2))
        ),
        batch_size=5000,
    )
    Service.objects.filter(name__endswith="1").update(min_age=18)
    Service.objects.filter(name__endswith="2").update(min_age=12, max_age=24)
    Service.objects.filter(name__endswith="5").update(gender=Gender.WOMEN)
    Service.objects.filter(name__endswith="6").update(cost=CostType.FEE)
    Service.objects.filter(name__endswith="7").update(cost=CostType.SUBSIDISED)
    Site.objects.filter(name__endswith="1").update(time_zone="Asia/Jakarta")
    site_rows = list(Site.objects.values_list("pk", flat=True))
    OpeningHours.objects.bulk_create(
        (
            OpeningHours(site_id=pk, weekday=day, opens_at=clock(8), closes_at=clock(17))
            for pk in site_rows
            for day in range(5)
        ),
        batch_size=5000,
    )
    own = Service.objects.filter(name__endswith=("3")).values_list("pk", "site_id")
    own_more = Service.objects.filter(name__endswith=("4")).values_list("pk", "site_id")
    OpeningHours.objects.bulk_create(
        (
            OpeningHours(site_id=site_id, service_id=pk, weekday=day, opens_at=clock(18), closes_at=clock(22))
            for pk, site_id in [*own, *own_more]
            for day in (0, 2, 4, 5)
        ),
        batch_size=5000,
    )


def main() -> None:
    print(f"database: {connection.vendor}; building {ORGS:,} organisations, {SERVICES:,} services ...")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    province = build()
    add_search_details()
    # Planner statistics, as autovacuum keeps them in production: without them PostgreSQL guesses a few rows per
    # table after a bulk load and picks nested loops that no live database would (seconds instead of ms).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.1f} s")
    worker, _ = staff_create(
        actor=None,
        organisation=Organisation.objects.first(),
        role=Role.OUTREACH_WORKER,
        username="bench.worker",
        password=PASSWORD,
    )

    capital = Site.objects.filter(latitude__range=(13.7, 13.8), longitude__range=(100.45, 100.55)).first()
    rural = Site.objects.filter(latitude__lt=8).first()
    monday_10_bangkok = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    print("\nDirectory queries (one page of 25, with count):")
    cases = {
        "no filter": DirectoryFilters(),
        "type = methadone": DirectoryFilters(service_type=ServiceType.METHADONE),
        "level = 7": DirectoryFilters(pyramid_level=7),
        "region = one province (25 districts)": DirectoryFilters(region=province),
        "type + level + region": DirectoryFilters(service_type=ServiceType.OUTREACH, pyramid_level=1, region=province),
        "name contains '0123'": DirectoryFilters(text="0123"),
        # Directory search (issue 5)
        "near capital site, 5 km": DirectoryFilters(near=capital, radius_km=5),
        "near capital site, 25 km (most of the capital)": DirectoryFilters(near=capital, radius_km=25),
        "near capital site, 100 km, type = methadone": DirectoryFilters(
            near=capital, radius_km=100, service_type=ServiceType.METHADONE
        ),
        "near rural site, 50 km": DirectoryFilters(near=rural, radius_km=50),
        "open now (Monday 10:00, two time zones)": DirectoryFilters(open_at=monday_10_bangkok),
        "open now + type = methadone": DirectoryFilters(open_at=monday_10_bangkok, service_type=ServiceType.METHADONE),
        "age 16 + gender women": DirectoryFilters(age=16, gender=Gender.WOMEN),
        "population = women (or serves everyone)": DirectoryFilters(population="women"),
        "language = km": DirectoryFilters(language="km"),
        "cost = fee": DirectoryFilters(cost=CostType.FEE),
        "wait at most 3 days": DirectoryFilters(max_wait_days=3),
        "every new filter, near capital 25 km": DirectoryFilters(
            near=capital,
            radius_km=25,
            open_at=monday_10_bangkok,
            age=30,
            gender=Gender.WOMEN,
            population="women",
            language="km",
            cost=CostType.FREE,
            max_wait_days=30,
        ),
    }
    for label, filters in cases.items():

        def query(filters: DirectoryFilters = filters) -> None:
            found = service_search(actor=worker, filters=filters)
            found.count()
            list(found[:25])

        timed(label, query)
    timed(
        "deep page (offset 20,000)", lambda: list(service_search(actor=worker, filters=DirectoryFilters())[20000:20025])
    )
    timed(
        "near capital 25 km, deep page (offset 5,000)",
        lambda: list(service_search(actor=worker, filters=DirectoryFilters(near=capital, radius_km=25))[5000:5025]),
    )

    print("\nServices near a site (screening recommendation, 8 nearest):")
    unmapped = Site.objects.filter(latitude__isnull=True).first()
    oat = [ServiceType.METHADONE, ServiceType.BUPRENORPHINE, ServiceType.OUTPATIENT_PSYCHOSOCIAL]
    for label, origin in (("capital city", capital), ("far south", rural), ("site without coordinates", unmapped)):
        if origin is None:
            continue
        for types in (oat, [ServiceType.LONG_TERM_RESIDENTIAL]):
            timed(
                f"{label}, {len(types)} type(s)",
                lambda origin=origin, types=types: services_near(actor=worker, origin=origin, service_types=types),
            )

    client = Client()
    client.post("/login/", {"username": "bench.worker", "password": PASSWORD})
    print("\nPages as served (Django test client, full middleware):")
    for url in (
        "/directory/",
        "/directory/?type=methadone",
        f"/directory/?region={province.code}&level=4",
        f"/directory/?near={capital.pk if capital else ''}&distance=25&open_now=on",
        "/find/?language=km&age=30&max_wait=7",
    ):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        timed(f"GET {url} ({len(queries)} queries)", lambda url=url: client.get(url), repeat=10)

    print(f"\nAudit trail ({AUDIT_EVENTS:,} events):")
    started = time.perf_counter()
    for i in range(AUDIT_EVENTS):
        audit_record(actor=worker, action="bench.event", object_type="thing", object_id=str(i))
    elapsed = time.perf_counter() - started
    print(f"  append: {AUDIT_EVENTS / elapsed:,.0f} events/s ({elapsed * 1000 / AUDIT_EVENTS:.2f} ms each)")
    started = time.perf_counter()
    result = audit_verify()
    elapsed = time.perf_counter() - started
    print(
        f"  verify: {result.checked:,} events in {elapsed:.1f} s ({result.checked / elapsed:,.0f} events/s), "
        f"intact={result.ok}"
    )


if __name__ == "__main__":
    main()
