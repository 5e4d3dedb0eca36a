"""Care pathway figures at national scale: pages stay fast with years of history. Prints timings; asserts nothing.

    .venv/bin/python benchmarks/care_scale.py                              # SQLite in a temp folder
    createdb -h 127.0.0.1 -U postgres cbtc_bench_care                      # a fresh database for each run
    DATABASE_URL=postgres://postgres@127.0.0.1/cbtc_bench_care .venv/bin/python benchmarks/care_scale.py
    DATABASE_URL=... BENCH_CLIENTS=100000 BENCH_EPISODES=200000 BENCH_SESSIONS=2000000 BENCH_CONTACTS=500000 \
        .venv/bin/python benchmarks/care_scale.py                          # twice the network, same busy organisation

Builds BENCH_ORGS organisations (default 200) with two services each, BENCH_CLIENTS minimal client rows (default
50,000) and BENCH_EPISODES episodes of care (default 100,000) opened over three years, each with its status history
and, once admitted, BENCH_SESSIONS sessions between them (default 1,000,000), outcome profiles (start, six-monthly
review, exit), care plans with goals and actions, lapses, relapses and drug tests, and recovery check-ins after an
ending; BENCH_CONTACTS outreach contacts (default 250,000: named or anonymous tallies, with supplies, the odd
overdose) and BENCH_INCIDENTS incidents (default 20,000); and the client timeline entry of each, as the services
write them. One busy organisation holds BENCH_BUSY of the episodes (default 20,000) and as large a share of the
clients, sessions and contacts; one of its clients has five years of history: BENCH_LONG_EPISODES episodes (default
10) and BENCH_LONG_SESSIONS sessions (default 2,000), most in the episode still open. Rows are made with bulk_create,
not the services (speed), so they have no audit trail. The defaults make about 4.5 million rows, in about 8
minutes on PostgreSQL (Python is the bottleneck: about 10,000 rows a second); twice the network (the second command
above, 9.7 million rows) takes about 16.

Then times, with the number of SQL queries of each, what a clinician of the busy organisation does all day: the
caseload and every worklist (first and last page), the worklists page, the long client's page and timeline, the
long episode's page (and an ordinary client's and episode's, to show the number of queries does not grow with
history), the outreach contacts list, and the network's incident figures (as a programme manager).
"""

from __future__ import annotations

import os
import random
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import bench_common

bench_common.setup_django()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.test import Client as WebClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cbtc.care.episode_reads import with_worklist_date  # noqa: E402
from cbtc.care.models import (  # noqa: E402
    Action,
    CarePlan,
    CheckInMethod,
    CheckInOutcome,
    ClinicalEvent,
    ClinicalEventKind,
    ContactPlace,
    DischargeReason,
    Domain,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Goal,
    GoalKind,
    GoalStatus,
    Incident,
    IncidentKind,
    Modality,
    NaloxoneGivenBy,
    OutcomeProfile,
    OutreachContact,
    OverdoseEvent,
    OverdoseOutcome,
    RecoveryCheckIn,
    ReferralSource,
    Responsible,
    Session,
    SessionKind,
    Stage,
    SubstanceDays,
    SupplyGiven,
    SupplyItem,
    TallyCount,
    TallyDimension,
    TestResult,
    UseSubstance,
)
from cbtc.care.models.outreach import AGE_BANDS, SEXES, TESTS  # noqa: E402
from cbtc.care.services.incidents import incident_figures  # noqa: E402
from cbtc.care.worklists import KINDS, OPEN, caseload, worklist  # noqa: E402
from cbtc.clients.models import Client, ClientEvent, InformationCategory  # noqa: E402
from cbtc.clients.uic import get_scheme  # noqa: E402
from cbtc.network.models import (  # noqa: E402
    AdminArea,
    AdminAreaLevel,
    Organisation,
    OrganisationType,
    PyramidLevel,
    Service,
    ServiceType,
    Site,
    User,
)
from cbtc.network.roles import Role  # noqa: E402
from cbtc.network.services.staff import staff_create  # noqa: E402

ORGS = int(os.environ.get("BENCH_ORGS", "200"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50000"))
EPISODES = int(os.environ.get("BENCH_EPISODES", "100000"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "1000000"))
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "250000"))
INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "20000"))
BUSY = int(os.environ.get("BENCH_BUSY", str(min(20000, EPISODES // 5))))
LONG_EPISODES = max(2, int(os.environ.get("BENCH_LONG_EPISODES", "10")))
LONG_SESSIONS = int(os.environ.get("BENCH_LONG_SESSIONS", "2000"))
LONG_CONTACTS = 300  # the long client's outreach contacts over the five years
BUSY_STAFF = 8  # the clinician who signs in and seven colleagues share the busy organisation's caseloads
BATCH = 5000  # rows per INSERT
FLUSH = 60_000  # rows held in memory before they are written, in one transaction
PASSWORD = "benchmark horse battery staple"  # noqa: S105  # a throwaway account in a throwaway database
HISTORY_DAYS, LONG_DAYS, INCIDENT_DAYS = 3 * 365, 5 * 365, 2 * 365
DAY = timedelta(days=1)
rng = random.Random(20261123)  # noqa: S311  # reproducible test data, not security
SCHEME = get_scheme("ph-doh")

M = Modality
# modality: (weight, mean length in days); lengths are exponential, so some of each run for years
MODALITIES = {
    M.OUTREACH_LOW_THRESHOLD: (10, 60),
    M.SCREENING_BRIEF_INTERVENTION: (8, 14),
    M.OUTPATIENT_LOW: (15, 90),
    M.OUTPATIENT_MID: (12, 120),
    M.OUTPATIENT_HIGH: (8, 90),
    M.OPIOID_AGONIST_TREATMENT: (18, 500),
    M.WITHDRAWAL_OUTPATIENT: (6, 21),
    M.WITHDRAWAL_INPATIENT: (6, 10),
    M.SHORT_TERM_RESIDENTIAL: (6, 30),
    M.LONG_TERM_RESIDENTIAL: (4, 180),
    M.RECOVERY_MANAGEMENT: (7, 365),
}
R = DischargeReason
ENDINGS = {
    R.COMPLETED: 35,
    R.TRANSFERRED: 10,
    R.CLIENT_CHOSE_TO_LEAVE: 20,
    R.LOST_TO_FOLLOW_UP: 20,
    R.MOVED: 6,
    R.IN_PRISON: 5,
    R.DIED: 1,
    R.INVOLUNTARY_FOR_SAFETY: 3,
}
RISKY = {M.OPIOID_AGONIST_TREATMENT, M.WITHDRAWAL_INPATIENT, M.SHORT_TERM_RESIDENTIAL, M.LONG_TERM_RESIDENTIAL}
RISKY_ENDINGS = {R.CLIENT_CHOSE_TO_LEAVE, R.LOST_TO_FOLLOW_UP, R.INVOLUNTARY_FOR_SAFETY, R.IN_PRISON}
CHECK_IN_OUTCOMES = {
    CheckInOutcome.DOING_WELL: 50,
    CheckInOutcome.STRUGGLING: 20,
    CheckInOutcome.WANTS_CARE_AGAIN: 10,
    CheckInOutcome.NOT_REACHED: 20,
}
SESSION_KINDS = list(SessionKind)
SESSION_SUMMARY = {kind: f"{kind.label}, {{}} min" for kind in SessionKind}
SESSION_RATES = (0.15, 0.4, 0.7, 1.0, 1.0, 1.5, 2.0)  # how busy an episode is, relative to the others
NOTES = ("", "", "Talked about the week; plan unchanged.", "Reviewed goals together; next steps agreed.")
DOMAINS, USE_SUBSTANCES, SUPPLY_ITEMS = list(Domain), list(UseSubstance), list(SupplyItem)
SOURCES, GOAL_KINDS, PLACES = list(ReferralSource), list(GoalKind), list(ContactPlace)
INCIDENT_KINDS, CHECK_IN_METHODS = list(IncidentKind), list(CheckInMethod)
EPISODES_CATEGORY, OUTCOMES_CATEGORY = InformationCategory.EPISODES, InformationCategory.OUTCOMES
S = EpisodeStatus


def chance(share: float) -> bool:
    return rng.random() < share


def _pick(weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def random_uic() -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
    return f"{letters}{rng.randint(1, 9):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1960, 2008)}"


def _between(start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


class Sink:
    """Rows waiting to be written, per model, flushed in one transaction in an order that satisfies every foreign
    key (goals before their actions: bulk_create gives a goal its id, and the action takes it when it is written).
    (Writing from a second thread while the next rows are made was tried: slower, Python is the bottleneck.)"""

    ORDER = (
        Client,
        Episode,
        EpisodeStatusChange,
        Session,
        OutcomeProfile,
        SubstanceDays,
        CarePlan,
        Goal,
        Action,
        RecoveryCheckIn,
        ClinicalEvent,
        OutreachContact,
        SupplyGiven,
        TallyCount,
        OverdoseEvent,
        Incident,
        ClientEvent,
    )

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[models.Model]] = {model: [] for model in self.ORDER}
        self.pending = 0
        self.written: dict[type[models.Model], int] = dict.fromkeys(self.ORDER, 0)

    def add(self, row: models.Model) -> None:
        self.rows[type(row)].append(row)
        self.pending += 1
        if self.pending >= FLUSH:
            self.flush()

    def event(self, **fields: Any) -> None:
        self.add(ClientEvent(**fields))

    def entry(self, row: Any, who: tuple[dict[str, Any], datetime, Any], what: tuple[str, str, str, str]) -> None:
        """The timeline entry of ``row``: who (client and organisation, when, by whom) and what (kind, category,
        summary, object type), as the services write them."""
        base, at, author = who
        kind, category, summary, object_type = what
        fields = {"kind": kind, "category": category, "summary": summary, "object_type": object_type}
        self.event(**base, occurred_at=at, recorded_by_id=author, object_id=str(row.pk), **fields)

    def flush(self) -> None:
        with transaction.atomic():
            for model in self.ORDER:
                rows = self.rows[model]
                if rows:
                    model.objects.bulk_create(rows, batch_size=BATCH)
                    self.written[model] += len(rows)
                    self.rows[model] = []
        self.pending = 0


# -- the network, its staff and clients ------------------------------------------------------------------------


def build_network() -> tuple[list[Organisation], dict[Any, list[Service]], AdminArea]:
    area = AdminArea.objects.create(name="Benchland", code="bl", level=AdminAreaLevel.COUNTRY, path="/bl/")
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {i:04d}", type=OrganisationType.COMMUNITY_LED, admin_area=area)
        for i in range(ORGS)
    )
    sites = Site.objects.bulk_create(
        Site(organisation=org, name=f"Site {i}", admin_area=area, time_zone="Asia/Bangkok")
        for i, org in enumerate(orgs)
    )
    services = Service.objects.bulk_create(
        Service(
            organisation_id=site.organisation_id,
            site=site,
            name=f"Service {i:04d}-{j}",
            type=rng.choice(list(ServiceType)),
            pyramid_level=rng.choice(list(PyramidLevel)),
        )
        for i, site in enumerate(sites)
        for j in range(2)
    )
    by_org: dict[Any, list[Service]] = {}
    for service in services:
        by_org.setdefault(service.organisation_id, []).append(service)
    return orgs, by_org, area


def build_staff(orgs: list[Organisation]) -> tuple[User, User, dict[Any, list[Any]]]:
    """The clinician who signs in and seven colleagues at the busy organisation, one clinician at every other,
    and a programme manager for the network figures. Returns staff ids per organisation."""
    busy = orgs[0]
    clinician, _ = staff_create(
        actor=None, organisation=busy, role=Role.CLINICIAN, username="bench.clinician", password=PASSWORD
    )
    staff: dict[Any, list[Any]] = {busy.pk: [clinician.pk]}
    for i in range(1, BUSY_STAFF):
        user, _ = staff_create(actor=None, organisation=busy, role=Role.CASE_MANAGER, username=f"bench.busy.{i}")
        staff[busy.pk].append(user.pk)
    for org in orgs[1:]:
        user, _ = staff_create(actor=None, organisation=org, role=Role.CLINICIAN, username=f"bench.{org.name[-4:]}")
        staff[org.pk] = [user.pk]
    manager, _ = staff_create(
        actor=None, organisation=orgs[1], role=Role.PROGRAMME_MANAGER, username="bench.manager", password=PASSWORD
    )
    return clinician, manager, staff


def _client(org_id: Any, registered_at: datetime) -> Client:
    code = random_uic()
    block_a, block_b = SCHEME.block_keys(code)
    return Client(
        id=uuid.uuid4(),
        organisation_id=org_id,
        uic=code,
        uic_scheme=SCHEME.code,
        uic_scheme_version=SCHEME.version,
        uic_block_a=block_a,
        uic_block_b=block_b,
        birth_year=int(code[-4:]),
        registered_at=registered_at,
    )


def build_clients(sink: Sink, orgs: list[Organisation], now: datetime) -> dict[Any, list[Any]]:
    """Minimal client rows (no identity: nothing here decrypts one). The busy organisation registered as many of
    them as its share of the episodes. Returns client ids per organisation."""
    busy_share = BUSY / max(EPISODES, 1)
    others = [org.pk for org in orgs[1:]]
    by_org: dict[Any, list[Any]] = {org.pk: [] for org in orgs}
    for _ in range(CLIENTS):
        org_id = orgs[0].pk if chance(busy_share) else rng.choice(others)
        client = _client(org_id, now - (HISTORY_DAYS + 30) * DAY * rng.random())
        sink.add(client)
        by_org[org_id].append(client.pk)
    sink.flush()
    return by_org


# -- episodes and all that hangs from them ----------------------------------------------------------------------


@dataclass(slots=True)
class Spec:
    """One episode as planned before any row is made: enough to spread the sessions over all of them."""

    client_id: Any
    org_id: Any
    service_id: Any
    modality: str
    status: str
    opened_at: datetime
    admitted_at: datetime | None
    finished_at: datetime | None
    reason: str
    held_since: datetime | None
    key_worker_id: Any
    rate: float
    rich: bool = False  # every review, a plan each quarter, a clinical event a month: the long client's episode

    def stop(self, now: datetime) -> datetime:
        """The end of the time sessions happen in."""
        return self.finished_at or self.held_since or now

    def weight(self, now: datetime) -> float:
        if self.admitted_at is None:
            return 0.0
        return max((self.stop(now) - self.admitted_at).total_seconds(), 0.0) / 86400 * self.rate


def plan_episode(
    org_id: Any, client_id: Any, services: list[Service], staff: list[Any], *, now: datetime, opened_at: datetime
) -> Spec:
    modality = _pick({m: w for m, (w, _) in MODALITIES.items()})
    length = timedelta(days=1 + rng.expovariate(1 / MODALITIES[modality][1]))
    # Most are admitted as they are opened; some wait up to three days.
    admitted = opened_at + timedelta(hours=72 * rng.random()) if chance(0.4) else opened_at
    admitted_at: datetime | None = min(admitted, now)
    finished_at, reason, held_since, status = None, "", None, S.ACTIVE
    if opened_at + length < now:
        status, finished_at, reason = S.FINISHED, opened_at + length, _pick(ENDINGS)
        admitted_at = min(admitted, finished_at)
    elif now - opened_at < 14 * DAY and chance(0.3):
        status, admitted_at = rng.choice((S.PLANNED, S.WAITING)), None
    elif chance(0.15):
        status = S.ON_HOLD
        held_since = max(min(admitted, now), now - timedelta(days=rng.uniform(3, 150)))
    open_now = status in OPEN
    return Spec(
        client_id=client_id,
        org_id=org_id,
        service_id=rng.choice(services).pk,
        modality=modality,
        status=status,
        opened_at=opened_at,
        admitted_at=admitted_at,
        finished_at=finished_at,
        reason=reason,
        held_since=held_since,
        key_worker_id=rng.choice(staff) if open_now or chance(0.5) else None,
        rate=rng.choice(SESSION_RATES),
    )


def write_episode(sink: Sink, spec: Spec, sessions: int, staff: list[Any], now: datetime) -> Episode:
    """The episode and its history: status changes, sessions, profiles, plans, clinical events, check-ins, and a
    timeline entry for each, as the services would have written them."""
    today = now.date()
    author = spec.key_worker_id or staff[0]
    episode = Episode(
        id=uuid.uuid4(),
        client_id=spec.client_id,
        organisation_id=spec.org_id,
        service_id=spec.service_id,
        modality=spec.modality,
        referral_source=rng.choice(SOURCES),
        status=spec.status,
        opened_by_id=author,
        key_worker_id=spec.key_worker_id,
        opened_at=spec.opened_at,
        admitted_at=spec.admitted_at,
        finished_at=spec.finished_at,
        next_review_on=today + timedelta(days=rng.randint(-60, 90)) if spec.status in OPEN else None,
        discharge_reason=spec.reason,
    )
    if spec.reason == R.INVOLUNTARY_FOR_SAFETY:
        episode.safety_reason = "Threatened staff with a knife."
        episode.measures_tried = "De-escalation; a change of key worker; a safety plan agreed with the client."
        episode.reviewed_by_id = rng.choice(staff)
    sink.add(episode)
    base = {"client_id": spec.client_id, "organisation_id": spec.org_id}
    about = {**base, "object_type": "episode", "object_id": str(episode.pk)}

    def status_change(status: str, at: datetime, kind: str, summary: str) -> None:
        sink.add(EpisodeStatusChange(episode_id=episode.pk, status=status, changed_at=at, changed_by_id=author))
        sink.event(
            **about, occurred_at=at, recorded_by_id=author, kind=kind, category=EPISODES_CATEGORY, summary=summary
        )

    first = spec.status if spec.admitted_at is None else S.ACTIVE
    if spec.admitted_at is not None and spec.admitted_at > spec.opened_at:
        first = S.WAITING
    label = Modality(spec.modality).label
    status_change(first, spec.opened_at, "care.episode_opened", f"Episode opened: {label}")
    if first == S.WAITING and spec.admitted_at is not None:
        status_change(S.ACTIVE, spec.admitted_at, "care.episode_status", "Episode active")
    if spec.held_since is not None:
        status_change(S.ON_HOLD, spec.held_since, "care.episode_status", "Episode on hold")
    if spec.finished_at is not None:
        status_change(S.FINISHED, spec.finished_at, "care.episode_ended", f"Episode ended: {R(spec.reason).label}")
    if spec.admitted_at is None:
        return episode
    start, stop = spec.admitted_at, spec.stop(now)
    for _ in range(sessions):
        write_session(sink, episode, base, _between(start, stop), rng.choice(staff))
    write_profiles(sink, episode, spec, base, author=author, now=now)
    write_plans(sink, episode, spec, base, staff=staff, now=now)
    for _ in range((stop - start).days // 30 if spec.rich else rng.choice((0, 0, 0, 1, 1, 2, 3))):
        write_clinical_event(sink, episode, base, _between(start, stop), author)
    if spec.finished_at is not None and spec.reason != R.DIED:
        risky = spec.modality in RISKY or spec.reason in RISKY_ENDINGS
        if chance(0.5 if risky else 0.1):
            for _ in range(rng.choice((1, 1, 2))):
                at = spec.finished_at + timedelta(days=rng.uniform(3, 120))
                if at < now:
                    write_check_in(sink, episode, base, at, author)
    return episode


def write_session(sink: Sink, episode: Episode, base: dict[str, Any], at: datetime, staff_id: Any) -> None:
    kind = rng.choice(SESSION_KINDS)
    minutes = rng.choice((15, 30, 45, 60, 90))
    session = Session(
        id=uuid.uuid4(),
        episode_id=episode.pk,
        kind=kind,
        occurred_at=at,
        minutes=minutes,
        staff_id=staff_id,
        note=rng.choice(NOTES),
        recorded_at=at,
        **base,
    )
    sink.add(session)
    sink.entry(
        session,
        (base, at, staff_id),
        ("care.session", EPISODES_CATEGORY, SESSION_SUMMARY[kind].format(minutes), "session"),
    )


def write_profiles(
    sink: Sink, episode: Episode, spec: Spec, base: dict[str, Any], *, author: Any, now: datetime
) -> None:
    """At the start (most), every six months while in care (often), at the exit (sometimes)."""
    assert spec.admitted_at is not None  # noqa: S101  # only admitted episodes have profiles
    moments: list[tuple[str, datetime]] = []
    if spec.rich or chance(0.8):
        moments.append((Stage.START, spec.admitted_at))
    review = spec.admitted_at + settings.OUTCOME_REVIEW_DAYS * DAY
    while review < spec.stop(now):
        if spec.rich or chance(0.7):
            moments.append((Stage.REVIEW, review))
        review += settings.OUTCOME_REVIEW_DAYS * DAY
    if spec.finished_at is not None and chance(0.4):
        moments.append((Stage.EXIT, spec.finished_at))
    for stage, at in moments:
        profile = OutcomeProfile(
            id=uuid.uuid4(),
            episode_id=episode.pk,
            stage=stage,
            interviewed_on=at.date(),
            recorded_by_id=author,
            recorded_at=at,
            injecting_days=rng.randint(0, 28),
            psychological_health=rng.randint(0, 20),
            physical_health=rng.randint(0, 20),
            quality_of_life=rng.randint(0, 20),
            acute_housing_problem=chance(0.3),
            **base,
        )
        sink.add(profile)
        for substance in rng.sample(USE_SUBSTANCES, rng.choice((1, 1, 2))):
            sink.add(SubstanceDays(profile_id=profile.pk, substance=substance, days=rng.randint(0, 28)))
        sink.entry(
            profile,
            (base, at, author),
            (
                "care.outcome_profile",
                OUTCOMES_CATEGORY,
                f"Outcome profile ({Stage(stage).label.lower()})",
                "outcome_profile",
            ),
        )


def write_plans(
    sink: Sink, episode: Episode, spec: Spec, base: dict[str, Any], *, staff: list[Any], now: datetime
) -> None:
    """A plan soon after admission (most episodes), and a new one about every six months (half the time)."""
    assert spec.admitted_at is not None  # noqa: S101  # only admitted episodes have plans
    if not (spec.rich or chance(0.6)):
        return
    at = spec.admitted_at + timedelta(days=rng.uniform(0, 14))
    while at < spec.stop(now):
        author = spec.key_worker_id or staff[0]
        plan = CarePlan(
            id=uuid.uuid4(),
            episode_id=episode.pk,
            created_by_id=author,
            created_at=at,
            next_review_on=at.date() + 90 * DAY,
            **base,
        )
        sink.add(plan)
        domains = rng.sample(DOMAINS, rng.randint(1, 3))
        for domain in domains:
            goal = Goal(
                plan_id=plan.pk,
                domain=domain,
                kind=rng.choice(GOAL_KINDS) if domain == Domain.SUBSTANCE_USE else GoalKind.OTHER,
                text="In the client's words: feel better and keep my room.",
                status=GoalStatus.ACHIEVED if chance(0.2) else GoalStatus.WORKING_ON,
            )
            sink.add(goal)
            by_staff = chance(0.5)
            due = at.date() + timedelta(days=rng.randint(14, 120))
            done = at + timedelta(days=rng.uniform(7, 120)) if chance(0.75) else None
            sink.add(
                Action(
                    goal=goal,
                    text="Call the housing office together.",
                    responsible=Responsible.STAFF if by_staff else Responsible.CLIENT,
                    staff_id=author if by_staff else None,
                    due_on=due,
                    done_at=done if done is not None and done < now else None,
                )
            )
        sink.entry(
            plan,
            (base, at, author),
            (
                "care.plan_made",
                InformationCategory.CARE_PLANS,
                f"Care plan: {len(domains)} goal{'s' if len(domains) != 1 else ''}",
                "care_plan",
            ),
        )
        if not spec.rich and chance(0.5):
            return
        at += timedelta(days=rng.uniform(80, 100) if spec.rich else rng.uniform(150, 210))


def write_clinical_event(sink: Sink, episode: Episode, base: dict[str, Any], at: datetime, author: Any) -> None:
    kind = rng.choice(list(ClinicalEventKind))
    result = rng.choice(list(TestResult)) if kind == ClinicalEventKind.DRUG_TEST else ""
    event = ClinicalEvent(
        id=uuid.uuid4(),
        episode_id=episode.pk,
        kind=kind,
        test_result=result,
        occurred_at=at,
        recorded_by_id=author,
        recorded_at=at,
        **base,
    )
    sink.add(event)
    sink.entry(
        event,
        (base, at, author),
        (
            "care.clinical_event",
            EPISODES_CATEGORY,
            ClinicalEventKind(kind).label + (f": {result}" if result else ""),
            "clinical_event",
        ),
    )


def write_check_in(sink: Sink, episode: Episode, base: dict[str, Any], at: datetime, author: Any) -> None:
    outcome = _pick(CHECK_IN_OUTCOMES)
    check_in = RecoveryCheckIn(
        id=uuid.uuid4(),
        episode_id=episode.pk,
        method=rng.choice(CHECK_IN_METHODS),
        outcome=outcome,
        occurred_at=at,
        staff_id=author,
        **base,
    )
    sink.add(check_in)
    sink.entry(
        check_in,
        (base, at, author),
        ("care.check_in", EPISODES_CATEGORY, f"Recovery check-in: {CheckInOutcome(outcome).label.lower()}", "check_in"),
    )


@dataclass(frozen=True)
class World:
    """What the builders draw on: where rows go, the moment taken as now, the organisations (the busy one
    first), and their services, staff ids and client ids."""

    sink: Sink
    now: datetime
    orgs: list[Organisation]
    services: dict[Any, list[Service]]
    staff: dict[Any, list[Any]]
    clients: dict[Any, list[Any]]

    @property
    def busy_share(self) -> float:
        return BUSY / max(EPISODES, 1)

    @property
    def others(self) -> list[Any]:
        """The organisations other than the busy one that have clients."""
        return [org.pk for org in self.orgs[1:] if self.clients[org.pk]]


def build_episodes(world: World) -> None:
    """EPISODES episodes opened over HISTORY_DAYS, BUSY of them at the busy organisation, then SESSIONS sessions
    spread over them by the time each has been in care and how busy it is."""
    sink, now, services, staff, clients = world.sink, world.now, world.services, world.staff, world.clients
    busy_share, others = world.busy_share, world.others
    specs = []
    for _ in range(EPISODES):
        org_id = world.orgs[0].pk if chance(busy_share) else rng.choice(others)
        opened_at = now - HISTORY_DAYS * DAY * rng.random()
        client_id = rng.choice(clients[org_id])
        specs.append(plan_episode(org_id, client_id, services[org_id], staff[org_id], now=now, opened_at=opened_at))
    per_weight = SESSIONS / max(sum(spec.weight(now) for spec in specs), 1.0)
    for spec in specs:
        sessions = int(spec.weight(now) * per_weight + rng.random())
        write_episode(sink, spec, sessions, staff[spec.org_id], now)
    sink.flush()


def build_long_client(world: World, clinician: User) -> tuple[Client, Episode]:
    """A client of the busy organisation for five years: LONG_EPISODES episodes one after the other, the last
    (opioid agonist treatment, the last 30% of the time) still open on the clinician's caseload and holding most
    of the LONG_SESSIONS sessions; outreach contacts and incidents between."""
    sink, now, busy = world.sink, world.now, world.orgs[0]
    services, staff = world.services[busy.pk], world.staff[busy.pk]
    start = now - LONG_DAYS * DAY
    client = _client(busy.pk, start - 10 * DAY)
    sink.add(client)
    sink.flush()
    last_opened = now - 0.3 * LONG_DAYS * DAY
    step = (last_opened - start) / (LONG_EPISODES - 1)
    specs = []
    for i in range(LONG_EPISODES - 1):
        opened = start + step * i
        spec = plan_episode(busy.pk, client.pk, services, staff, now=now, opened_at=opened)
        spec.status, spec.admitted_at, spec.held_since = S.FINISHED, opened, None
        spec.finished_at, spec.reason = opened + step * 0.7, rng.choice((R.COMPLETED, R.CLIENT_CHOSE_TO_LEAVE))
        specs.append(spec)
    long = plan_episode(busy.pk, client.pk, services, staff, now=now, opened_at=last_opened)
    long.modality, long.status, long.admitted_at = M.OPIOID_AGONIST_TREATMENT, S.ACTIVE, last_opened
    long.finished_at, long.reason, long.held_since = None, "", None
    long.key_worker_id, long.rate, long.rich = clinician.pk, 3.0, True
    specs.append(long)
    per_weight = LONG_SESSIONS / sum(spec.weight(now) for spec in specs)
    episodes = [write_episode(sink, spec, round(spec.weight(now) * per_weight), staff, now) for spec in specs]
    for _ in range(LONG_CONTACTS):
        write_contact(sink, busy.pk, client.pk, services=services, staff=staff, at=_between(start, now))
    for _ in range(12):
        write_incident(sink, busy.pk, client.pk, staff, now - INCIDENT_DAYS * DAY * rng.random())
    sink.flush()
    return client, episodes[-1]


# -- outreach contacts and incidents -------------------------------------------------------------------------


def write_contact(
    sink: Sink, org_id: Any, client_id: Any, *, services: list[Service], staff: list[Any], at: datetime
) -> None:
    people = 1 if client_id is not None else rng.choice((1, 2, 3, 5, 8, 12, 20))
    author = rng.choice(staff)
    contact = OutreachContact(
        id=uuid.uuid4(),
        organisation_id=org_id,
        service_id=rng.choice(services).pk,
        recorded_by_id=author,
        contact_at=at,
        recorded_at=at,
        place=rng.choice(PLACES),
        client_id=client_id,
        people_count=people,
        brief_advice=chance(0.3),
    )
    sink.add(contact)
    for item in rng.sample(SUPPLY_ITEMS, rng.choice((1, 2, 2, 3))):
        test = item in TESTS
        quantity = rng.randint(10, 200) if item == SupplyItem.NEEDLES_SYRINGES else rng.randint(1, 10)
        sink.add(
            SupplyGiven(
                contact_id=contact.pk,
                item=item,
                quantity=quantity,
                pre_test_counselling=test,
                post_test_counselling=test,
            )
        )
    if client_id is None:
        sink.add(
            TallyCount(contact_id=contact.pk, dimension=TallyDimension.SEX, value=rng.choice(list(SEXES)), count=people)
        )
        band = rng.choice(list(AGE_BANDS))
        sink.add(TallyCount(contact_id=contact.pk, dimension=TallyDimension.AGE_BAND, value=band, count=people))
    if chance(0.01):
        given = rng.choice(list(NaloxoneGivenBy))
        doses = 0 if given == NaloxoneGivenBy.NOBODY else rng.randint(1, 3)
        outcome = rng.choice(list(OverdoseOutcome))
        sink.add(OverdoseEvent(contact_id=contact.pk, naloxone_given_by=given, naloxone_doses=doses, outcome=outcome))
    if client_id is not None:
        sink.entry(
            contact,
            ({"client_id": client_id, "organisation_id": org_id}, at, author),
            (
                "care.outreach_contact",
                InformationCategory.HARM_REDUCTION,
                "Outreach contact: supplies given",
                "outreach_contact",
            ),
        )


def write_incident(sink: Sink, org_id: Any, client_id: Any, staff: list[Any], at: datetime) -> None:
    kind = rng.choice(INCIDENT_KINDS)
    author = rng.choice(staff)
    incident = Incident(
        id=uuid.uuid4(),
        organisation_id=org_id,
        client_id=client_id,
        kind=kind,
        occurred_on=at.date(),
        crisis_response=chance(0.5),
        recorded_by_id=author,
        recorded_at=at,
    )
    sink.add(incident)
    if client_id is not None:
        sink.entry(
            incident,
            ({"client_id": client_id, "organisation_id": org_id}, at, author),
            ("care.incident", EPISODES_CATEGORY, f"Incident: {IncidentKind(kind).label.lower()}", "incident"),
        )


def build_contacts_and_incidents(world: World) -> None:
    """CONTACTS outreach contacts over HISTORY_DAYS (60% named, with a client of the organisation; the rest
    anonymous tallies) and INCIDENTS incidents over INCIDENT_DAYS (half about a client), the busy organisation
    holding its share of each."""
    sink, now, services, staff, clients = world.sink, world.now, world.services, world.staff, world.clients
    busy_share, others = world.busy_share, world.others

    def organisation() -> Any:
        return world.orgs[0].pk if chance(busy_share) else rng.choice(others)

    for _ in range(CONTACTS):
        org_id = organisation()
        client_id = rng.choice(clients[org_id]) if chance(0.6) else None
        at = now - HISTORY_DAYS * DAY * rng.random()
        write_contact(sink, org_id, client_id, services=services[org_id], staff=staff[org_id], at=at)
    for _ in range(INCIDENTS):
        org_id = organisation()
        client_id = rng.choice(clients[org_id]) if chance(0.5) else None
        write_incident(sink, org_id, client_id, staff[org_id], now - INCIDENT_DAYS * DAY * rng.random())
    sink.flush()


# -- measuring -------------------------------------------------------------------------------------------------

LABEL_WIDTH = 66


def queries_of(func: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def row(label: str, func: Callable[[], object], repeat: int = 15, note: str = "") -> None:
    """One line of the table: what, how many SQL queries it takes (counted on a warm run), median and p95."""
    func()  # the first run may fill caches (the actor's memberships, the session): counted is the steady state
    count = queries_of(func)
    bench_common.timed(f"{label + note:<{LABEL_WIDTH}}{count:>4} queries", func, repeat, width=LABEL_WIDTH + 12)


def header(title: str) -> None:
    print(f"\n{title}")


def page_of(episodes: QuerySet[Any], number: int = 1) -> None:
    """As the worklists page paginates: the count, then one page of rows."""
    page = Paginator(episodes, settings.CLIENT_PAGE_SIZE).get_page(number)
    list(page.object_list)


def last_page(episodes: QuerySet[Any]) -> int:
    return Paginator(episodes, settings.CLIENT_PAGE_SIZE).num_pages


def get(web: WebClient, label: str, url: str, repeat: int = 10) -> None:
    """A page as served; the label names it (the URLs carry long ids)."""
    status = web.get(url).status_code
    note = "" if status == 200 else f" (HTTP {status}!)"  # noqa: PLR2004
    row(f"GET {label}", lambda: web.get(url), repeat, note)


def signed_in(username: str) -> WebClient:
    web = WebClient()
    web.post("/login/", {"username": username, "password": PASSWORD})
    return web


@dataclass(frozen=True)
class Subjects:
    busy: Organisation
    clinician: User
    manager: User
    long_client: Client
    long_episode: Episode


def measure(s: Subjects) -> None:
    actor, org = s.clinician, s.busy.pk
    lists: dict[str, Callable[[], QuerySet[Any]]] = {
        "caseload": lambda: caseload(actor=actor, organisation_id=org, worker_id=actor.pk)
    }
    for kind in KINDS:
        lists[kind] = lambda kind=kind: with_worklist_date(worklist(actor=actor, organisation_id=org, kind=kind), kind)
    sizes = {kind: make().count() for kind, make in lists.items()}
    open_count = Episode.objects.filter(organisation_id=org, status__in=OPEN).count()
    print(
        f"\nThe busy organisation: {Episode.objects.filter(organisation_id=org).count():,} episodes "
        f"({open_count:,} open); on the worklists: " + ", ".join(f"{k} {n:,}" for k, n in sizes.items())
    )
    header("Worklists of the busy organisation, as casework_views reads them (count + a page of 25):")
    for kind, make in lists.items():
        row(f"{kind}, first page", lambda make=make: page_of(make()))
        deep = last_page(make())
        row(f"{kind}, last page ({deep})", lambda make=make, deep=deep: page_of(make(), deep))
    print("  (the worklist alone, without the date column the page adds:)")
    for kind in ("outcomes_due", "actions_overdue", "no_contact"):
        row(
            f"{kind}, first page, worklist() only",
            lambda kind=kind: page_of(worklist(actor=actor, organisation_id=org, kind=kind)),
        )

    web = signed_in("bench.clinician")
    header("Pages as served (Django test client, full middleware, signed in as the clinician):")
    for kind, make in lists.items():
        get(web, f"/care/worklists/?list={kind}", f"/care/worklists/?list={kind}")
        deep = last_page(make())
        if deep > 1:
            get(web, f"/care/worklists/?list={kind}&page={deep}", f"/care/worklists/?list={kind}&page={deep}")

    client, episode = s.long_client, s.long_episode
    ordinary = (
        Episode.objects.filter(organisation_id=org, status=S.ACTIVE).exclude(client=client).order_by("pk").first()
    )
    events = list(
        ClientEvent.objects.filter(client=client).order_by("-occurred_at", "-id").values_list("occurred_at", "id")
    )
    print(
        f"\nThe long-history client: {len(events):,} timeline entries, "
        f"{Episode.objects.filter(client=client).count()} episodes, "
        f"{Session.objects.filter(client=client).count():,} sessions, "
        f"{OutreachContact.objects.filter(client=client).count()} outreach contacts; the long episode: "
        f"{Session.objects.filter(episode=episode).count():,} sessions, "
        f"{OutcomeProfile.objects.filter(episode=episode).count()} outcome profiles, "
        f"{CarePlan.objects.filter(episode=episode).count()} care plans, "
        f"{ClinicalEvent.objects.filter(episode=episode).count()} clinical events"
    )
    header("Client and episode pages (an ordinary client and episode of the organisation to compare):")
    get(web, "/clients/<id>/, long history", f"/clients/{client.pk}/")
    second, middle = events[min(49, len(events) - 1)], events[len(events) // 2]
    for label, (at, event_id) in (("2nd page", second), (f"entry {len(events) // 2:,}", middle)):
        query = urlencode({"at": at.isoformat(), "id": event_id})
        get(web, f"/clients/<id>/timeline/, long history, {label}", f"/clients/{client.pk}/timeline/?{query}")
    get(web, "/clients/<id>/episodes/<id>/, the long episode", f"/clients/{client.pk}/episodes/{episode.pk}/")
    if ordinary is not None:
        history = Session.objects.filter(episode=ordinary).count()
        get(web, "/clients/<id>/, ordinary client", f"/clients/{ordinary.client_id}/")
        get(
            web,
            f"/clients/<id>/episodes/<id>/, ordinary ({history} sessions)",
            f"/clients/{ordinary.client_id}/episodes/{ordinary.pk}/",
        )

    contacts = OutreachContact.objects.filter(organisation_id=org).count()
    header(f"Outreach contacts of the busy organisation ({contacts:,}; 25 a page):")
    deepest = max(1, -(-contacts // settings.CLIENT_PAGE_SIZE))
    for number in sorted({1, min(200, deepest), deepest}):
        url = "/outreach/" if number == 1 else f"/outreach/?page={number}"
        get(web, url, url)

    header(f"Incidents in the network ({Incident.objects.count():,}), as a programme manager:")
    for months in (12, 24):
        row(
            f"incident_figures, {months} months", lambda months=months: incident_figures(actor=s.manager, months=months)
        )
    get(signed_in("bench.manager"), "/figures/incidents/?months=24", "/figures/incidents/?months=24")


def main() -> None:
    print(
        f"database: {connection.vendor}; building {ORGS:,} organisations, {CLIENTS:,} clients, {EPISODES:,} episodes "
        f"({BUSY:,} at one organisation), {SESSIONS:,} sessions, {CONTACTS:,} outreach contacts, "
        f"{INCIDENTS:,} incidents, one client with {LONG_EPISODES} episodes and {LONG_SESSIONS:,} sessions ..."
    )
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")  # a throwaway database: no need to wait for the disk
    now = timezone.now()
    orgs, services, _ = build_network()
    busy = orgs[0]
    clinician, manager, staff = build_staff(orgs)
    sink = Sink()
    clients = build_clients(sink, orgs, now)
    step = time.perf_counter()
    print(f"  network, staff and clients built in {step - started:.1f} s")
    world = World(sink=sink, now=now, orgs=orgs, services=services, staff=staff, clients=clients)
    build_episodes(world)
    long_client, long_episode = build_long_client(world, clinician)
    print(f"  episodes and their history built in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    build_contacts_and_incidents(world)
    built = time.perf_counter()
    print(f"  outreach contacts and incidents built in {built - step:.1f} s")
    # Planner statistics and, on PostgreSQL, the visibility map, as autovacuum keeps them in production.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"  built in {built - started:.1f} s (VACUUM/ANALYZE {time.perf_counter() - built:.1f} s): "
        + ", ".join(f"{model.__name__} {count:,}" for model, count in sink.written.items())
    )
    measure(Subjects(busy, clinician, manager, long_client, long_episode))


if __name__ == "__main__":
    main()
