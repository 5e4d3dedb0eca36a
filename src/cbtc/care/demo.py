"""Demo care history (``cbtc demo``, after the demo network, clients and referrals): about six months of plausible
care for a subset of the demo clients, so the care pages, worklists and figures have something to show.

Made through the real services (permissions, consent to treatment, timeline, audit), by the demo accounts that
record care (CARE_RECORD) in their organisation: outreach contacts, named and anonymous tallies, with what was given
and the odd overdose reversed with naloxone; episodes of care, most still open, some ended (completed, the client
chose to leave, transferred, moved away), a few clients coming back for a second one; sessions with short neutral
notes, care plans whose substance use goals include using less and using more safely, outcome profiles at the start
and at a review (better for many, not for all), a few lapses and relapses (nothing follows from them), recovery
check-ins after some risky endings, and key workers.

The services stamp "now" and refuse dates far in the past, so each record is moved back to its place in the history
right after it is made: its own time fields and its timeline entry. A client's registration and consents are moved
back too, to just before their first contact, so the timeline reads in order. The audit trail keeps the true time
of loading.

Deterministic: a client's history comes from ``random.Random(f"{SEED}:{client id}")`` (the demo clients' ids are
fixed). Idempotent: a client with any episode or outreach contact is skipped, and an organisation's anonymous tallies
are added only if it has none older than the services accept, so a second run adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cbtc.care.models import (
    Action,
    CarePlan,
    CheckInMethod,
    CheckInOutcome,
    ClinicalEvent,
    ContactPlace,
    DischargeReason,
    Domain,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    GoalKind,
    Modality,
    NaloxoneGivenBy,
    OutcomeProfile,
    OutreachContact,
    OverdoseOutcome,
    RecoveryCheckIn,
    ReferralSource,
    Responsible,
    Session,
    Stage,
    SupplyItem,
    TallyDimension,
    UseSubstance,
)
from cbtc.care.models.clinical import ClinicalEventKind
from cbtc.care.models.sessions import SessionKind
from cbtc.care.services.casework import episode_assign, recovery_check_in_record
from cbtc.care.services.clinical import clinical_event_record
from cbtc.care.services.episodes import EpisodeInput, episode_discharge, episode_open, episode_set_status
from cbtc.care.services.outcomes import Answer, outcome_profile_record
from cbtc.care.services.outreach import ContactInput, OverdoseInput, SupplyLine, outreach_contact_record
from cbtc.care.services.plans import ActionInput, GoalInput, care_plan_create
from cbtc.care.services.sessions import session_record
from cbtc.clients.demo_plan import organisations_of_the_network
from cbtc.clients.models import Client, ClientEvent
from cbtc.consent.models import Consent
from cbtc.consent.services import treatment_consent_in_force
from cbtc.errors import ServiceError
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.models import AdminArea, Membership, Organisation, OrganisationType, Service, User
from cbtc.network.roles import Permission, Role

ALLOWED_MODES = ("demo", "test")
SEED = 20260612
DEMO_CARE_CLIENTS = 120  # shared evenly between the organisations whose demo staff record care
HISTORY_DAYS = 178
ENTRY_LIMIT = timedelta(days=31)  # the services accept nothing older: older records were put there by this loader
TALLY_EVERY_DAYS = (5, 9)
MAX_SESSIONS = 6
ADULT_AGE = 18  # by birth year only: one more year, to be sure
MIN_ENDED_DAYS = 45
PLAN_AFTER_DAYS = 3
LAPSE_AFTER_DAYS = 20  # an episode that ended is at least this old

_COMMUNITY_TYPES = frozenset({OrganisationType.COMMUNITY_LED, OrganisationType.NGO})
_OUTREACH_TYPES = frozenset({"outreach", "needle_syringe", "drop_in"})
MODALITIES: dict[str, tuple[str, ...]] = {
    "methadone": (Modality.OPIOID_AGONIST_TREATMENT,),
    "buprenorphine": (Modality.OPIOID_AGONIST_TREATMENT,),
    "outpatient_psychosocial": (Modality.OUTPATIENT_LOW, Modality.OUTPATIENT_MID, Modality.OUTPATIENT_HIGH),
    "withdrawal_management": (Modality.WITHDRAWAL_OUTPATIENT,),
    "sbi": (Modality.SCREENING_BRIEF_INTERVENTION,),
    "recovery_support": (Modality.RECOVERY_MANAGEMENT,),
    "outreach": (Modality.OUTREACH_LOW_THRESHOLD,),
    "drop_in": (Modality.OUTREACH_LOW_THRESHOLD,),
    "needle_syringe": (Modality.OUTREACH_LOW_THRESHOLD,),
    "peer_support": (Modality.RECOVERY_MANAGEMENT, Modality.OUTREACH_LOW_THRESHOLD),
}
_LOW_THRESHOLD = (Modality.OUTREACH_LOW_THRESHOLD, Modality.RECOVERY_MANAGEMENT)
SESSION_KINDS: dict[str, tuple[str, ...]] = {
    Modality.OPIOID_AGONIST_TREATMENT: (
        SessionKind.MEDICAL_REVIEW,
        SessionKind.INDIVIDUAL_COUNSELLING,
        SessionKind.PHONE_CHECK_IN,
    ),
    Modality.WITHDRAWAL_OUTPATIENT: (SessionKind.MEDICAL_REVIEW, SessionKind.INDIVIDUAL_COUNSELLING),
    Modality.SCREENING_BRIEF_INTERVENTION: (SessionKind.MOTIVATIONAL_INTERVIEWING,),
    Modality.RECOVERY_MANAGEMENT: (SessionKind.GROUP, SessionKind.PHONE_CHECK_IN, SessionKind.HOME_VISIT),
    Modality.OUTREACH_LOW_THRESHOLD: (SessionKind.HOME_VISIT, SessionKind.PHONE_CHECK_IN, SessionKind.GROUP),
}
_OUTPATIENT_SESSIONS = (
    SessionKind.INDIVIDUAL_COUNSELLING,
    SessionKind.MOTIVATIONAL_INTERVIEWING,
    SessionKind.CBT,
    SessionKind.GROUP,
    SessionKind.FAMILY,
    SessionKind.CONTINGENCY_MANAGEMENT,
)
NOTES: dict[str, tuple[str, ...]] = {
    SessionKind.MEDICAL_REVIEW: (
        "Dose reviewed with the client; no change needed.",
        "Client reports sleeping better. Dose kept the same.",
        "Talked about side effects; agreed to review again in two weeks.",
    ),
    SessionKind.HOME_VISIT: (
        "Visited at home. Brought supplies and talked about the week.",
        "Client was well and showed the new room.",
    ),
    SessionKind.PHONE_CHECK_IN: (
        "Short call; client is keeping to the plan.",
        "Call to confirm the next appointment.",
    ),
    SessionKind.GROUP: ("Took part in the group and shared about a good week.", "Attended the group."),
}
_GENERAL_NOTES = (
    "Talked through the past week; the client chose a small goal for the next one.",
    "Went over what helped on the hard days. Next session booked.",
    "Client wanted to talk about family; agreed to invite a relative next time.",
    "Reviewed the care plan together; the client is happy with progress.",
    "Client was tired today; a shorter session by agreement.",
    "",
)
SUBSTANCE_GOALS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (35, GoalKind.REDUCED_USE, ("Use on fewer days each week", "Cut down to weekends only", "Drink less on workdays")),
    (30, GoalKind.SAFER_USE, ("Never use alone and carry naloxone", "Use new equipment every time")),
    (25, GoalKind.ABSTINENCE, ("Stop using, one day at a time", "Stay off heroin while on treatment")),
    (10, GoalKind.OTHER, ("Understand what sets off my cravings",)),
)
OTHER_GOALS: dict[str, tuple[str, ...]] = {
    Domain.PHYSICAL_HEALTH: ("Get my teeth looked at", "Sleep through the night"),
    Domain.MENTAL_HEALTH: ("Feel less anxious in the mornings", "Talk to someone when I feel low"),
    Domain.HIV_HEPATITIS_TB: ("Get tested for hepatitis C and know my result", "Keep taking my HIV medicine"),
    Domain.HOUSING: ("Find a stable room to rent", "Keep my place"),
    Domain.EMPLOYMENT_EDUCATION: ("Go back to part-time work", "Finish the cooking course"),
    Domain.LEGAL: ("Get a new identity card",),
    Domain.FAMILY_SOCIAL: ("See my children every weekend", "Spend more time with friends who support me"),
    Domain.HARM_REDUCTION: ("Keep a naloxone kit at home",),
}
CLIENT_ACTIONS = ("Book the appointment", "Call on Monday to ask", "Bring the papers next time")
STAFF_ACTIONS = ("Help fill in the form", "Find the opening hours and phone number", "Go along to the first visit")
USE_FOR_SUBSTANCE = {
    "heroin": UseSubstance.OPIOIDS,
    "opium": UseSubstance.OPIOIDS,
    "other_opioids": UseSubstance.OPIOIDS,
    "kratom": UseSubstance.OPIOIDS,
    "methamphetamine": UseSubstance.AMPHETAMINES,
    "other_stimulants": UseSubstance.AMPHETAMINES,
    "cocaine": UseSubstance.COCAINE,
    "cannabis": UseSubstance.CANNABIS,
    "alcohol": UseSubstance.ALCOHOL,
}
# How a consenting client's care goes, drawn per client: (weight, path).
PATHS: tuple[tuple[int, str], ...] = (
    (45, "ongoing"),
    (17, DischargeReason.COMPLETED),
    (14, DischargeReason.CLIENT_CHOSE_TO_LEAVE),
    (9, DischargeReason.TRANSFERRED),
    (4, DischargeReason.MOVED),
    (11, "comeback"),
)
RISKY = frozenset({DischargeReason.CLIENT_CHOSE_TO_LEAVE})
CHECK_IN_OUTCOMES = (
    CheckInOutcome.DOING_WELL,
    CheckInOutcome.DOING_WELL,
    CheckInOutcome.STRUGGLING,
    CheckInOutcome.NOT_REACHED,
)


@dataclass(frozen=True)
class DemoCareResult:
    created: int  # clients given a history by this run
    tallies_added: int
    clients: int  # clients of the care organisations with an episode or a named contact
    contacts: int
    tallies: int
    episodes: int
    open: int
    ended: int
    sessions: int
    plans: int
    outcomes: int
    clinical_events: int
    check_ins: int

    @property
    def summary(self) -> str:
        line = (
            f"Demo care: {self.clients} clients with a history; {self.contacts} outreach contacts "
            f"({self.tallies} anonymous tallies), {self.episodes} episodes ({self.open} open, {self.ended} ended), "
            f"{self.sessions} sessions, {self.plans} care plans, {self.outcomes} outcome profiles, "
            f"{self.clinical_events} lapses or relapses, {self.check_ins} recovery check-ins"
        )
        if self.created or self.tallies_added:
            line += f"; added this run for {self.created} clients and {self.tallies_added} tallies"
        return line


@dataclass(frozen=True)
class _Team:
    """An organisation whose demo staff record care, with who does what there."""

    organisation: Organisation
    community: bool
    workers: dict[str, User]  # role -> a demo account with CARE_RECORD here
    services: tuple[Service, ...]  # open services in which an episode can be held
    outreach: tuple[Service, ...]
    area: AdminArea | None

    def worker(self, *roles: str) -> User:
        return next((self.workers[r] for r in roles if r in self.workers), next(iter(self.workers.values())))


class _Loader:
    def __init__(self, now: datetime, others: Sequence[Service]) -> None:
        self.now = now  # when loading began: every record the services make is stamped after it
        self.today = timezone.localdate(now)
        self.others = others  # services a worker may go along with a client to

    # --- Time ---------------------------------------------------------------------------------------------------

    def at(self, days_ago: float, rng: random.Random, hours: tuple[int, int] = (9, 17)) -> datetime:
        day = self.today - timedelta(days=int(days_ago))
        moment = timezone.make_aware(datetime.combine(day, time(rng.randint(*hours), rng.choice((0, 15, 30, 45)))))
        return min(moment, self.now - timedelta(minutes=rng.randint(20, 120)))

    def review_on(self, admitted: datetime) -> date:
        """The reminder as regular reviews would have left it: a few are a little overdue."""
        step = timedelta(days=settings.EPISODE_REVIEW_DAYS)
        review = timezone.localdate(admitted) + step
        while review < self.today - timedelta(days=14):
            review += step
        return review

    def restamp(self, record: Any, object_type: str, at: datetime) -> None:
        """Move the record's timeline entry (if it has one) to when it happened."""
        if record.client_id is not None:
            ClientEvent.objects.filter(
                client_id=record.client_id, object_type=object_type, object_id=str(record.pk), occurred_at__gte=self.now
            ).update(occurred_at=at)

    def restamp_episode(self, episode: Episode, at: datetime) -> None:
        EpisodeStatusChange.objects.filter(episode=episode, changed_at__gte=self.now).update(changed_at=at)
        self.restamp(episode, "episode", at)

    def register_before(self, client: Client, first: datetime, rng: random.Random, team: _Team) -> None:
        """Move the registration and the consents back to just before the first thing recorded."""
        before = timedelta(minutes=rng.randint(10, 60)) if team.community else timedelta(days=rng.randint(1, 4))
        registered = first - before
        if registered >= client.registered_at:
            return
        shift = client.registered_at - registered
        Client.objects.filter(pk=client.pk).update(registered_at=registered)
        ClientEvent.objects.filter(client=client, kind="client.registered").update(occurred_at=registered)
        Consent.objects.filter(client=client).update(
            given_at=F("given_at") - shift, recorded_at=F("recorded_at") - shift
        )
        ClientEvent.objects.filter(client=client, kind="consent.given").update(occurred_at=F("occurred_at") - shift)
        client.registered_at = registered

    # --- Outreach -----------------------------------------------------------------------------------------------

    def supplies(self, rng: random.Random, people: int, injects: bool) -> dict[str, SupplyLine]:
        given: dict[str, SupplyLine] = {}
        if injects:
            given[SupplyItem.NEEDLES_SYRINGES] = SupplyLine(people * rng.choice((10, 20, 30, 50)))
            if _chance(rng, 0.3):
                given[SupplyItem.INJECTING_KITS] = SupplyLine(people * rng.randint(1, 5))
            if _chance(rng, 0.1):
                given[SupplyItem.WOUND_CARE] = SupplyLine(rng.randint(1, 3))
        if _chance(rng, 0.55):
            given[SupplyItem.CONDOMS] = SupplyLine(people * rng.choice((5, 10, 20)))
        if _chance(rng, 0.25):
            given[SupplyItem.NALOXONE_KITS] = SupplyLine(rng.randint(1, max(1, people // 3)))
        if _chance(rng, 0.2):
            given[SupplyItem.INFORMATION] = SupplyLine(people)
        for test, chance in ((SupplyItem.HIV_RAPID_TEST, 0.12), (SupplyItem.HCV_RAPID_TEST, 0.08)):
            if rng.random() < chance:
                given[test] = SupplyLine(rng.randint(1, max(1, people // 4)), True, True)
        return given

    def overdoses(self, rng: random.Random, chance: float) -> list[OverdoseInput]:
        if rng.random() >= chance:
            return []
        by = rng.choice((NaloxoneGivenBy.PEER, NaloxoneGivenBy.PEER, NaloxoneGivenBy.OUTREACH_WORKER))
        outcome = rng.choice(
            (OverdoseOutcome.RECOVERED, OverdoseOutcome.REFUSED_TRANSPORT, OverdoseOutcome.TO_HOSPITAL)
        )
        return [OverdoseInput(naloxone_given_by=by, outcome=outcome, naloxone_doses=rng.randint(1, 2))]

    def contact(self, team: _Team, rng: random.Random, at: datetime, client: Client | None = None) -> None:
        people = 1 if client is not None else rng.randint(3, 25)
        tally: dict[str, dict[str, int]] = {}
        if client is None:
            women = rng.randint(0, people // 3)
            other = rng.randint(0, 1) if people - women > 1 else 0
            tally[TallyDimension.SEX] = {"female": women, "male": people - women - other, "other": other}
            bands = {"18_24": 0, "25_34": 0, "35_49": 0, "50_plus": 0}
            for _ in range(people):
                band = rng.choices(list(bands), weights=(2, 5, 4, 1))[0]
                bands[band] += 1
            tally[TallyDimension.AGE_BAND] = bands
            tally[TallyDimension.KEY_POPULATION] = {
                "injects": rng.randint(people // 3, people),
                "sex_worker": rng.randint(0, people // 5),
            }
            injects = True
        else:
            injects = client.kp_injects_drugs or _chance(rng, 0.3)
        accompanied = rng.choice(self.others) if client is not None and self.others and _chance(rng, 0.05) else None
        contact = outreach_contact_record(
            actor=team.worker(Role.OUTREACH_WORKER),
            organisation=team.organisation,
            data=ContactInput(
                place=rng.choice(
                    (ContactPlace.STREET, ContactPlace.HOTSPOT, ContactPlace.HOTSPOT, ContactPlace.DROP_IN)
                    if client is None
                    else (ContactPlace.STREET, ContactPlace.HOTSPOT, ContactPlace.DROP_IN, ContactPlace.HOME_VISIT)
                ),
                service=rng.choice(team.outreach) if team.outreach else None,
                area=team.area,
                client=client,
                people_count=people,
                tally=tally,
                supplies=self.supplies(rng, people, injects),
                overdoses=self.overdoses(rng, 0.03 if client is not None else 0.1),
                brief_advice=_chance(rng, 0.3),
                accompanied_to=accompanied,
            ),
        )
        OutreachContact.objects.filter(pk=contact.pk).update(contact_at=at, recorded_at=at)
        self.restamp(contact, "outreach_contact", at)

    def tallies(self, team: _Team) -> int:
        rng = random.Random(f"{SEED}:tallies:{team.organisation.name}")  # noqa: S311 - reproducible demo data
        days_ago, made = HISTORY_DAYS, 0
        while days_ago > 1:
            self.contact(team, rng, self.at(days_ago, rng, (16, 22)))
            made += 1
            days_ago -= rng.randint(*TALLY_EVERY_DAYS)
        return made

    # --- Episodes -----------------------------------------------------------------------------------------------

    def profile(
        self, episode: Episode, actor: User, stage: str, at: datetime, answers: tuple[dict[str, int], dict[str, Answer]]
    ) -> None:
        use, items = answers
        at = min(at, self.now - timedelta(minutes=1))
        profile = outcome_profile_record(
            actor=actor, episode=episode, stage=stage, use=use, answers=items, interviewed_on=timezone.localdate(at)
        )
        OutcomeProfile.objects.filter(pk=profile.pk).update(recorded_at=at)
        self.restamp(profile, "outcome_profile", at)

    def plan(self, episode: Episode, team: _Team, rng: random.Random, at: datetime) -> None:
        weights = [w for w, _, _ in SUBSTANCE_GOALS]
        _, kind, texts = rng.choices(SUBSTANCE_GOALS, weights=weights)[0]
        staff = team.worker(Role.CASE_MANAGER, Role.CLINICIAN, Role.OUTREACH_WORKER)
        goals = [GoalInput(domain=Domain.SUBSTANCE_USE, kind=kind, text=rng.choice(texts))]
        for domain in rng.sample(sorted(OTHER_GOALS), rng.randint(1, 2)):
            actions = []
            if _chance(rng, 0.7):
                mine = _chance(rng, 0.5)
                actions.append(
                    ActionInput(
                        text=rng.choice(CLIENT_ACTIONS if mine else STAFF_ACTIONS),
                        responsible=Responsible.CLIENT if mine else Responsible.STAFF,
                        staff=None if mine else staff,
                        due_on=self.today + timedelta(days=rng.randint(14, 60)),
                    )
                )
            goals.append(GoalInput(domain=domain, text=rng.choice(OTHER_GOALS[domain]), actions=actions))
        plan = care_plan_create(actor=staff, episode=episode, goals=goals)
        CarePlan.objects.filter(pk=plan.pk).update(created_at=at, next_review_on=self.review_on(at))
        moved = timezone.localdate(at) - self.today  # the due dates keep their distance from the day of the plan
        rows = list(Action.objects.filter(goal__plan=plan, due_on__isnull=False))
        for row in rows:
            row.due_on = (row.due_on or self.today) + moved
        Action.objects.bulk_update(rows, ["due_on"])
        self.restamp(plan, "care_plan", at)

    def session(self, episode: Episode, team: _Team, rng: random.Random, at: datetime) -> None:
        kind = rng.choice(SESSION_KINDS.get(episode.modality, _OUTPATIENT_SESSIONS))
        if kind == SessionKind.MEDICAL_REVIEW:
            actor = team.worker(Role.PRESCRIBER, Role.CLINICIAN)
        elif kind in (SessionKind.HOME_VISIT, SessionKind.PHONE_CHECK_IN):
            actor = team.worker(Role.CASE_MANAGER, Role.OUTREACH_WORKER, Role.CLINICIAN)
        else:
            actor = team.worker(Role.CLINICIAN, Role.OUTREACH_WORKER)
        minutes = 10 if kind == SessionKind.PHONE_CHECK_IN else rng.choice((20, 30, 45, 50, 60, 90))
        made = session_record(
            actor=actor, episode=episode, kind=kind, minutes=minutes, note=rng.choice(NOTES.get(kind, _GENERAL_NOTES))
        )
        Session.objects.filter(pk=made.pk).update(occurred_at=at, recorded_at=at)
        self.restamp(made, "session", at)

    def episode(
        self,
        client: Client,
        team: _Team,
        rng: random.Random,
        *,
        service: Service,
        opened_ago: int,
        ended: tuple[int, str] | None = None,
    ) -> Episode:
        """One episode from its opening to its end (or to now, still open), with what happens in it."""
        lead = team.worker(Role.CASE_MANAGER, Role.CLINICIAN, Role.OUTREACH_WORKER)
        modality = rng.choice(MODALITIES[service.type])
        waited = rng.randint(3, 14) if _chance(rng, 0.12) and opened_ago > LAPSE_AFTER_DAYS else 0
        source = rng.choice(
            [ReferralSource.PEER_OUTREACH, ReferralSource.SELF]
            if team.community
            else [
                ReferralSource.SELF,
                ReferralSource.PEER_OUTREACH,
                ReferralSource.HEALTH_SERVICE,
                ReferralSource.FAMILY,
            ]
        )
        opened_at = self.at(opened_ago, rng)
        episode = episode_open(
            actor=lead,
            client=client,
            data=EpisodeInput(
                service=service,
                modality=modality,
                referral_source=source,
                status=EpisodeStatus.WAITING if waited else EpisodeStatus.ACTIVE,
            ),
        )
        fields: dict[str, Any] = {"opened_at": opened_at}
        if not waited:
            fields |= {"admitted_at": opened_at, "next_review_on": self.review_on(opened_at)}
        Episode.objects.filter(pk=episode.pk).update(**fields)
        self.restamp_episode(episode, opened_at)
        start_ago = opened_ago - waited
        admitted = self.at(start_ago, rng)
        if waited:
            episode = episode_set_status(actor=lead, episode=episode, status=EpisodeStatus.ACTIVE)
            Episode.objects.filter(pk=episode.pk).update(admitted_at=admitted, next_review_on=self.review_on(admitted))
            self.restamp_episode(episode, admitted)
        if _chance(rng, 0.7):
            episode_assign(actor=lead, episode=episode, worker=lead)
        end_ago = ended[0] if ended else 0
        baseline = _baseline(client, rng)
        if _chance(rng, 0.85):
            self.profile(episode, lead, Stage.START, admitted + timedelta(minutes=30), baseline)
        if _chance(rng, 0.5 if team.community else 0.85) and start_ago - end_ago > PLAN_AFTER_DAYS:
            self.plan(episode, team, rng, self.at(start_ago - rng.randint(1, min(10, start_ago - end_ago - 1)), rng))
        day = start_ago - rng.randint(1, 7)
        for _ in range(MAX_SESSIONS):
            if day <= end_ago:
                break
            self.session(episode, team, rng, self.at(day, rng))
            day -= rng.randint(6, 18)
        review_ago = start_ago - rng.randint(75, 110)
        if review_ago > end_ago and _chance(rng, 0.65):
            self.profile(episode, lead, Stage.REVIEW, self.at(review_ago, rng), _later(baseline, rng))
        if start_ago - end_ago > LAPSE_AFTER_DAYS and _chance(rng, 0.18):
            self.clinical(client, episode, team, rng, self.at(rng.randint(end_ago + 1, start_ago - 10), rng))
        if ended is not None:
            self.end(episode, lead, rng, ended, baseline)
        return episode

    def clinical(self, client: Client, episode: Episode, team: _Team, rng: random.Random, at: datetime) -> None:
        substances = list(client.main_substances.all())
        event = clinical_event_record(
            actor=team.worker(Role.CLINICIAN, Role.CASE_MANAGER, Role.OUTREACH_WORKER),
            client=client,
            kind=ClinicalEventKind.LAPSE if _chance(rng, 0.65) else ClinicalEventKind.RELAPSE,
            occurred_at=at,
            episode=episode,
            substance=rng.choice(substances) if substances else None,
        )
        ClinicalEvent.objects.filter(pk=event.pk).update(recorded_at=at + timedelta(hours=rng.randint(1, 48)))

    def end(
        self,
        episode: Episode,
        lead: User,
        rng: random.Random,
        ended: tuple[int, str],
        baseline: tuple[dict[str, int], dict[str, Answer]],
    ) -> None:
        end_ago, reason = ended
        at = self.at(end_ago, rng)
        episode = episode_discharge(actor=lead, episode=episode, reason=reason)
        Episode.objects.filter(pk=episode.pk).update(finished_at=at)
        self.restamp_episode(episode, at)
        if reason == DischargeReason.COMPLETED and _chance(rng, 0.7):
            self.profile(episode, lead, Stage.EXIT, at + timedelta(minutes=20), _later(baseline, rng, better=0.9))

    def check_in(self, episode: Episode, team: _Team, rng: random.Random, at: datetime, outcome: str) -> None:
        made = recovery_check_in_record(
            actor=team.worker(Role.CASE_MANAGER, Role.OUTREACH_WORKER, Role.CLINICIAN),
            episode=episode,
            method=rng.choice(
                (CheckInMethod.PHONE, CheckInMethod.PHONE, CheckInMethod.IN_PERSON, CheckInMethod.MESSAGE)
            ),
            outcome=outcome,
        )
        RecoveryCheckIn.objects.filter(pk=made.pk).update(occurred_at=at)
        self.restamp(made, "check_in", at)

    # --- One client ---------------------------------------------------------------------------------------------

    def history(self, client: Client, team: _Team) -> None:
        rng = random.Random(f"{SEED}:{client.pk}")  # noqa: S311 - reproducible demo data, not security
        consent = treatment_consent_in_force(client=client, organisation_id=team.organisation.pk)
        adult = _adult(client, self.today)  # young people are offered low-threshold care, not medication
        services = [s for s in team.services if adult or MODALITIES[s.type][0] in _LOW_THRESHOLD]
        first_ago = rng.randint(25, HISTORY_DAYS)
        path = rng.choices([p for _, p in PATHS], weights=[w for w, _ in PATHS])[0]
        in_care = bool(services) and (not team.community or _chance(rng, 0.35))
        waits = not consent and _chance(rng, 0.7)  # without a consent to treatment, an episode can only wait
        if not team.community and not (in_care and (consent or waits)):
            return  # nothing recorded for this client yet
        first = self.at(first_ago, rng, (10, 21) if team.community else (9, 12))
        self.register_before(client, first, rng, team)
        if team.community:
            self.contact(team, rng, first, client)
            for days_ago in sorted(rng.sample(range(1, first_ago), rng.randint(1, 6)), reverse=True):
                self.contact(team, rng, self.at(days_ago, rng, (10, 21)), client)
        if not in_care:
            return
        service = rng.choice(services)
        opened_ago = first_ago - (rng.randint(1, 20) if team.community else 0)
        if not consent:  # no consent to treatment in force: the episode waits for it
            if waits:
                episode = episode_open(
                    actor=team.worker(Role.CASE_MANAGER, Role.CLINICIAN, Role.OUTREACH_WORKER),
                    client=client,
                    data=EpisodeInput(
                        service=service,
                        modality=MODALITIES[service.type][0],
                        referral_source=ReferralSource.SELF,
                        status=rng.choice((EpisodeStatus.PLANNED, EpisodeStatus.WAITING)),
                    ),
                )
                at = self.at(opened_ago, rng)
                Episode.objects.filter(pk=episode.pk).update(opened_at=at)
                self.restamp_episode(episode, at)
            return
        if path == "ongoing" or opened_ago < MIN_ENDED_DAYS:
            self.episode(client, team, rng, service=service, opened_ago=opened_ago)
            return
        if path != "comeback":
            end_ago = rng.randint(3, opened_ago - 30)
            episode = self.episode(client, team, rng, service=service, opened_ago=opened_ago, ended=(end_ago, path))
            if (path in RISKY or episode.modality == Modality.OPIOID_AGONIST_TREATMENT) and _chance(rng, 0.6):
                check_ago = end_ago - rng.randint(7, 30)
                if check_ago > 0:
                    self.check_in(episode, team, rng, self.at(check_ago, rng), rng.choice(CHECK_IN_OUTCOMES))
            return
        # Coming back: the client left, the service kept in touch, and the client chose to come back.
        end_ago = rng.randint(max(25, opened_ago - 90), opened_ago - 20)
        reason = rng.choice((DischargeReason.CLIENT_CHOSE_TO_LEAVE, DischargeReason.MOVED))
        left = self.episode(client, team, rng, service=service, opened_ago=opened_ago, ended=(end_ago, reason))
        check_ago = end_ago - rng.randint(5, 12)
        self.check_in(left, team, rng, self.at(check_ago, rng), CheckInOutcome.WANTS_CARE_AGAIN)
        self.episode(client, team, rng, service=rng.choice(services), opened_ago=check_ago - rng.randint(1, 7))


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def _adult(client: Client, today: date) -> bool:
    return client.birth_year is None or today.year - client.birth_year > ADULT_AGE


def _baseline(client: Client, rng: random.Random) -> tuple[dict[str, int], dict[str, Answer]]:
    """The start profile: the client's own account of the past 28 days. Some items are left unanswered."""
    codes = [s.code for s in client.main_substances.all()]
    substances = {USE_FOR_SUBSTANCE.get(code, UseSubstance.OTHER) for code in codes} or {UseSubstance.OPIOIDS}
    use = {str(s): rng.randint(8, 28) for s in sorted(substances)}
    injecting = rng.randint(4, 28) if client.kp_injects_drugs else 0
    answers: dict[str, Answer] = {
        "injecting_days": injecting,
        "shared_injecting_equipment": injecting > 0 and _chance(rng, 0.3),
        "shoplifting_days": rng.choice((0, 0, 0, 1, 3)),
        "drug_selling_days": rng.choice((0, 0, 0, 0, 2)),
        "vehicle_theft": False,
        "property_theft": _chance(rng, 0.1),
        "fraud": False,
        "violence": _chance(rng, 0.1),
        "psychological_health": rng.randint(4, 11),
        "physical_health": rng.randint(5, 12),
        "quality_of_life": rng.randint(3, 10),
        "paid_work_days": rng.choice((0, 0, 0, 4, 10, 20)),
        "education_days": 0,
        "acute_housing_problem": _chance(rng, 0.3),
        "eviction_risk": _chance(rng, 0.2),
    }
    for item in ("shoplifting_days", "drug_selling_days", "vehicle_theft", "property_theft", "fraud", "violence"):
        if _chance(rng, 0.1):  # the client would rather not say
            answers[item] = None
    return use, answers


def _later(
    baseline: tuple[dict[str, int], dict[str, Answer]], rng: random.Random, better: float = 0.7
) -> tuple[dict[str, int], dict[str, Answer]]:
    """A later profile: better for most clients, about the same or a little worse for some."""
    use, answers = baseline
    improved = rng.random() < better

    def days(value: int) -> int:
        factor = rng.uniform(0.0, 0.6) if improved else rng.uniform(0.8, 1.2)
        return max(0, min(28, round(value * factor)))

    def rating(value: int) -> int:
        return max(0, min(20, value + (rng.randint(2, 7) if improved else rng.randint(-3, 1))))

    later: dict[str, Answer] = dict(answers)
    injecting = answers["injecting_days"]
    if isinstance(injecting, int) and not isinstance(injecting, bool):
        later["injecting_days"] = days(injecting)
        later["shared_injecting_equipment"] = later["injecting_days"] != 0 and not improved and _chance(rng, 0.3)
    for item in ("psychological_health", "physical_health", "quality_of_life"):
        value = answers[item]
        if isinstance(value, int) and not isinstance(value, bool):
            later[item] = rating(value)
    if improved and _chance(rng, 0.4):
        later["paid_work_days"] = rng.choice((4, 8, 12, 20))
        later["acute_housing_problem"] = False
    return {s: days(d) for s, d in use.items()}, later


def _teams() -> list[_Team]:
    network = organisations_of_the_network()
    roles = {
        (m.organisation_id, m.user_id): m.role for m in Membership.objects.filter(user__in=list(network.users.values()))
    }
    teams = []
    for organisation in network.organisations.values():
        workers: dict[str, User] = {}
        for user in network.users.values():
            role = roles.get((organisation.pk, user.pk))
            if (
                role
                and role not in workers
                and str(organisation.pk) in user_organisation_ids_with(user, Permission.CARE_RECORD)
            ):
                workers[role] = user
        if not workers:
            continue
        open_services = list(Service.objects.filter(organisation=organisation, is_active=True).order_by("name", "pk"))
        area = organisation.admin_area
        teams.append(
            _Team(
                organisation=organisation,
                community=organisation.type in _COMMUNITY_TYPES,
                workers=dict(sorted(workers.items())),
                services=tuple(s for s in open_services if s.type in MODALITIES and s.gender == "any"),
                outreach=tuple(s for s in open_services if s.type in _OUTREACH_TYPES),
                area=area if area is not None and area.level != "country" else None,
            )
        )
    return teams


def _chosen(teams: Sequence[_Team], count: int) -> list[tuple[Client, _Team]]:
    quota = count // max(1, len(teams))
    chosen: list[tuple[Client, _Team]] = []
    for team in teams:
        clients = list(
            Client.objects.filter(organisation=team.organisation, merged_into__isnull=True)
            .select_related("organisation")
            .prefetch_related("main_substances")
            .order_by("pk")
        )
        rng = random.Random(f"{SEED}:{team.organisation.name}")  # noqa: S311 - reproducible demo data
        chosen += [(client, team) for client in rng.sample(clients, min(quota, len(clients)))]
    return chosen


def _with_history(client_ids: Sequence[Any]) -> set[Any]:
    return set(Episode.objects.filter(client_id__in=client_ids).values_list("client_id", flat=True)) | set(
        OutreachContact.objects.filter(client_id__in=client_ids).values_list("client_id", flat=True)
    )


def _totals(teams: Sequence[_Team], created: int, tallies_added: int) -> DemoCareResult:
    ids = [team.organisation.pk for team in teams]
    contacts = OutreachContact.objects.filter(organisation_id__in=ids)
    episodes = Episode.objects.filter(organisation_id__in=ids)
    with_history = set(episodes.values_list("client_id", flat=True)) | set(
        contacts.filter(client__isnull=False).values_list("client_id", flat=True)
    )
    return DemoCareResult(
        created=created,
        tallies_added=tallies_added,
        clients=len(with_history),
        contacts=contacts.count(),
        tallies=contacts.filter(client__isnull=True).count(),
        episodes=episodes.count(),
        open=episodes.filter(status__in=(EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD)).count(),
        ended=episodes.filter(status=EpisodeStatus.FINISHED).count(),
        sessions=Session.objects.filter(organisation_id__in=ids).count(),
        plans=CarePlan.objects.filter(organisation_id__in=ids).count(),
        outcomes=OutcomeProfile.objects.filter(organisation_id__in=ids).count(),
        clinical_events=ClinicalEvent.objects.filter(
            organisation_id__in=ids, kind__in=(ClinicalEventKind.LAPSE, ClinicalEventKind.RELAPSE)
        ).count(),
        check_ins=RecoveryCheckIn.objects.filter(organisation_id__in=ids).count(),
    )


def load_demo_care(*, count: int = DEMO_CARE_CLIENTS) -> DemoCareResult:
    """Give the chosen demo clients their care history, and the outreach organisations their anonymous tallies,
    where none exists yet, in one transaction. Needs the demo network and clients first."""
    if settings.MODE not in ALLOWED_MODES:
        raise ServiceError(f"Demo care can only be loaded in demo or test mode (it is '{settings.MODE}').")
    now = timezone.now()
    with transaction.atomic():
        teams = _teams()
        others = [s for team in teams if not team.community for s in team.services]
        loader = _Loader(now, others)
        chosen = _chosen(teams, count)
        ids = [client.pk for client, _ in chosen]
        known = _with_history(ids)
        for client, team in chosen:
            if client.pk not in known:
                loader.history(client, team)
        created = len(_with_history(ids)) - len(known)
        tallies_added = 0
        for team in teams:
            old = OutreachContact.objects.filter(
                organisation=team.organisation, client__isnull=True, contact_at__lt=now - ENTRY_LIMIT
            )
            if team.community and team.outreach and not old.exists():
                tallies_added += loader.tallies(team)
        return _totals(teams, created, tallies_added)
