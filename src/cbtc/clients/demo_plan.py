"""The plan of the demo clients: who each fictional person is and what their record will hold, decided
from a fixed seed per client. cbtc.clients.demo loads the plan through the real services."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings

from cbtc.clients import demo_data as words
from cbtc.clients.identity import Identity
from cbtc.clients.models import GenderIdentity, InformationCategory, SexAtBirth
from cbtc.clients.services import Demographics
from cbtc.clients.uic import UicQuestion, UicResult, UicScheme, build_uic, uic_similarity
from cbtc.consent.models import (
    ConsentMethod,
    ExpiryEvent,
    GuardianRelationship,
    Purpose,
)
from cbtc.network import demo_data as network_data
from cbtc.network.access import user_organisation_ids_with
from cbtc.network.models import Membership, Organisation, OrganisationType, User
from cbtc.network.roles import Permission

ALLOWED_MODES = ("demo", "test")
DEFAULT_COUNT = 500
SEED = 20260014
NAMESPACE = uuid.UUID("6f1c0a52-4f0e-5b7a-9d43-3c2d1e0b8a71")  # fixed: the demo clients' ids never change

# Client i is a second registration of client i - DUPLICATE_GAP when i % DUPLICATE_EVERY == DUPLICATE_AT
# (7 pairs in 500; one in the first 20). Every third pair is registered at another organisation, so the
# duplicate check can show "possibly known at another service" too.
DUPLICATE_EVERY = 80
DUPLICATE_AT = 19
DUPLICATE_GAP = 11
# Clients who consent to share with the research study: i % RESEARCH_EVERY == RESEARCH_AT (two in 500).
RESEARCH_EVERY = 250
RESEARCH_AT = 37
# How many shared records a recipient organisation's demo account opens, to fill the accounting.
DISCLOSURE_VIEWS = 8

_COMMUNITY_TYPES = frozenset({OrganisationType.COMMUNITY_LED, OrganisationType.NGO})
_EARLIEST_BIRTH_YEAR = 1960
_MINOR_SHARE = 0.025

# Organisations of the demo network (cbtc.network.demo_data) a client may agree to share with, by purpose.
# Names that are not in the database are skipped, so a renamed organisation only narrows the choice.
CARE_COORDINATION_RECIPIENTS: tuple[str, ...] = (
    network_data.TREATMENT_CENTRE,
    network_data.PEER_NETWORK,
    "Lotus Valley General Hospital",
    "Safe Harbour Women's Project",
    "Youth Compass Association",
    "Central Plains Social Welfare Office",
    "Open Door Legal Aid Clinic",
    "Working Futures Vocational Centre",
    "Family Bridges Association",
    "New Dawn Recovery Village",
)
TREATMENT_RECIPIENTS: tuple[str, ...] = (
    network_data.TREATMENT_CENTRE,
    "Lotus Valley General Hospital",
    "Harbour Provincial Hospital",
    "Northern Highlands Provincial Hospital",
    "Green Hills Therapeutic Community",
)
RESEARCH_RECIPIENT = network_data.RESOURCE_CENTRE

_CARE_CATEGORIES = (
    frozenset({InformationCategory.IDENTITY, InformationCategory.DEMOGRAPHICS}),
    frozenset({InformationCategory.IDENTITY, InformationCategory.DEMOGRAPHICS, InformationCategory.CARE_PLANS}),
    frozenset({InformationCategory.DEMOGRAPHICS, InformationCategory.SCREENING, InformationCategory.CARE_PLANS}),
)
_TREATMENT_CATEGORIES = (
    frozenset(
        {
            InformationCategory.IDENTITY,
            InformationCategory.DEMOGRAPHICS,
            InformationCategory.SCREENING,
            InformationCategory.EPISODES,
            InformationCategory.MEDICATION,
        }
    ),
    frozenset({InformationCategory.DEMOGRAPHICS, InformationCategory.SCREENING, InformationCategory.HIV_HEPATITIS}),
)
_RESEARCH_CATEGORIES = frozenset(
    {InformationCategory.DEMOGRAPHICS, InformationCategory.SCREENING, InformationCategory.OUTCOMES}
)


def client_uuid(index: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"client-{index}")


def is_duplicate_index(index: int) -> bool:
    return index % DUPLICATE_EVERY == DUPLICATE_AT


# --- The plan: what each fictional person is and what the record will hold ----------------------------


@dataclass(frozen=True)
class Person:
    """The invented truth about one person; the record holds only what they chose to tell."""

    given_name: str
    family_name: str
    nickname: str
    mother: str | None  # None: the person does not know (the UIC part becomes unknown or falls back)
    father: str | None
    birth_order: int | None
    date_of_birth: date | None
    sex_at_birth: str
    gender_identity: str


@dataclass(frozen=True)
class SharePlan:
    purpose: str
    recipients: tuple[str, ...]  # organisation names
    categories: frozenset[str]
    expires_in_days: int | None
    expiry_event: str
    minutes_ago: int
    method: str
    withdrawn: bool
    ethics_reference: str = ""


@dataclass(frozen=True)
class ClientPlan:
    index: int
    id: uuid.UUID
    organisation: str  # name
    registrar: str  # demo user name
    witness: str
    person: Person
    answers: dict[str, object]
    uic: UicResult
    demographics: Demographics
    identity: Identity
    duplicate_of: int | None
    minutes_ago: int  # registration, before the moment of loading
    treatment_consent: bool
    treatment_method: str
    treatment_withdrawn: bool
    guardian: str
    share: SharePlan | None

    @property
    def anonymous(self) -> bool:
        return self.identity == Identity(nickname=self.identity.nickname)


@dataclass(frozen=True)
class _Registering:
    organisation: Organisation
    registrars: tuple[User, ...]  # demo accounts with CLIENT_REGISTER and CONSENT_MANAGE here
    witnesses: tuple[User, ...]  # every active demo account here
    region: str
    weight: int


@dataclass(frozen=True)
class Network:
    registering: tuple[_Registering, ...]
    organisations: dict[str, Organisation]  # every demo organisation, by name
    users: dict[str, User]  # demo accounts by user name
    viewers: dict[str, User]  # organisation id -> a demo account with CLIENT_VIEW there


def _region(organisation: Organisation) -> str:
    parts = organisation.admin_area.code.split("-") if organisation.admin_area else []
    return parts[1] if len(parts) > 1 and parts[1] in words.SUBSTANCES_BY_REGION else words.DEFAULT_REGION


def organisations_of_the_network() -> Network:
    usernames = [spec.username for spec in network_data.STAFF]
    users = {user.username: user for user in User.objects.filter(username__in=usernames, is_active=True)}
    organisations = {
        org.name: org
        for org in Organisation.objects.filter(name__in=[spec.name for spec in network_data.ORGANISATIONS])
        .select_related("admin_area")
        .order_by("name")
    }
    memberships = set(
        Membership.objects.filter(user__in=list(users.values())).values_list("organisation_id", "user__username")
    )
    registering: list[_Registering] = []
    viewers: dict[str, User] = {}
    for organisation in organisations.values():
        org_id = str(organisation.pk)
        members = [users[name] for name in usernames if name in users and (organisation.pk, name) in memberships]
        registrars = tuple(
            user
            for user in members
            if org_id in user_organisation_ids_with(user, Permission.CLIENT_REGISTER)
            and org_id in user_organisation_ids_with(user, Permission.CONSENT_MANAGE)
        )
        viewer = next((u for u in members if org_id in user_organisation_ids_with(u, Permission.CLIENT_VIEW)), None)
        if viewer is not None:
            viewers[org_id] = viewer
        if registrars:
            weight = 3 if organisation.type in _COMMUNITY_TYPES else 2  # more at outreach and community services
            registering.append(_Registering(organisation, registrars, tuple(members), _region(organisation), weight))
    return Network(tuple(registering), organisations, users, viewers)


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([code for code, _ in options], weights=[weight for _, weight in options])[0]


def _sex_and_gender(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    table: tuple[tuple[float, str, str], ...] = (
        (0.66, SexAtBirth.MALE, GenderIdentity.MAN),
        (0.88, SexAtBirth.FEMALE, GenderIdentity.WOMAN),
        (0.925, SexAtBirth.MALE, GenderIdentity.TRANSGENDER_WOMAN),
        (0.94, SexAtBirth.FEMALE, GenderIdentity.TRANSGENDER_MAN),
        (0.955, SexAtBirth.MALE, GenderIdentity.NON_BINARY),
        (0.97, SexAtBirth.FEMALE, GenderIdentity.NON_BINARY),
        (0.975, SexAtBirth.INTERSEX, GenderIdentity.ANOTHER),
        (0.99, SexAtBirth.NOT_STATED, GenderIdentity.NOT_STATED),
    )
    for limit, sex, gender in table:
        if roll < limit:
            return sex, gender
    return SexAtBirth.MALE, GenderIdentity.NOT_STATED


def _date_of_birth(rng: random.Random, today: date, *, minor: bool) -> date:
    if minor:  # 16 or 17 today
        earliest = date(today.year - 18, today.month, min(today.day, 28)) + timedelta(days=1)
        latest = date(today.year - 16, today.month, min(today.day, 28))
        return earliest + timedelta(days=rng.randrange((latest - earliest).days))
    year = round(rng.triangular(_EARLIEST_BIRTH_YEAR, today.year - 19, 1991))
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _person(rng: random.Random, today: date, *, well_known: bool) -> Person:
    group = rng.choices(words.NAME_GROUPS, weights=[g.weight for g in words.NAME_GROUPS])[0]
    sex, gender = _sex_and_gender(rng)
    feminine = gender in {GenderIdentity.WOMAN, GenderIdentity.TRANSGENDER_WOMAN} or (
        gender not in {GenderIdentity.MAN, GenderIdentity.TRANSGENDER_MAN} and sex == SexAtBirth.FEMALE
    )
    given = rng.choice(group.female if feminine else group.male)
    # Parents usually share the family's naming tradition.
    parents = group if rng.random() < 0.85 else rng.choice(words.NAME_GROUPS)  # noqa: PLR2004

    def knows(unknown_share: float) -> bool:
        return well_known or rng.random() >= unknown_share

    minor = rng.random() < _MINOR_SHARE
    return Person(
        given_name=given,
        family_name=rng.choice(group.family),
        nickname=rng.choice(words.NICKNAMES),
        mother=rng.choice(parents.female) if knows(0.04) else None,
        father=rng.choice(parents.male) if knows(0.09) else None,
        birth_order=rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6)) if knows(0.07) else None,
        date_of_birth=_date_of_birth(rng, today, minor=minor) if minor or knows(0.06) else None,
        sex_at_birth=sex,
        gender_identity=gender,
    )


_CHOICE_PREFERENCES: dict[str, tuple[str, ...]] = {
    GenderIdentity.WOMAN: ("female",),
    GenderIdentity.MAN: ("male",),
    GenderIdentity.TRANSGENDER_WOMAN: ("transgender", "female"),
    GenderIdentity.TRANSGENDER_MAN: ("transgender", "male"),
}


def _choice_answer(question: UicQuestion, person: Person) -> str | None:
    """How the person describes themselves among the question's choices (e.g. PASMO's male, female,
    transgender); None when no choice fits, which makes that part of the code unknown."""
    wanted = _CHOICE_PREFERENCES.get(person.gender_identity, (person.sex_at_birth,))
    choices = {choice.casefold(): choice for choice in question.choices}
    return next((choices[w] for w in wanted if w in choices), None)


def uic_answers(scheme: UicScheme, person: Person) -> dict[str, object]:
    """The person's answers to the scheme's questions, by question key (None: does not know or say)."""
    answers: dict[str, object] = {}
    for question in scheme.questions:
        key = question.key
        value: object
        if question.kind == "name":
            if "mother" in key:
                value = person.mother
            elif "father" in key:
                value = person.father
            elif any(word in key for word in ("surname", "last", "family")):
                value = person.family_name
            else:
                value = person.given_name
        elif question.kind == "number":
            value = person.birth_order
        elif question.kind == "date":
            value = person.date_of_birth
        else:
            value = _choice_answer(question, person)
        answers[key] = value
    return answers


def _demographics(rng: random.Random, person: Person, region: str, today: date) -> Demographics:
    dob = person.date_of_birth
    if dob is not None:
        birth_year: int | None = dob.year
        birth_month = dob.month if rng.random() < 0.6 else None  # noqa: PLR2004
    else:  # knows the year but not the date, or not even the year
        birth_year = round(rng.triangular(1965, today.year - 19, 1990)) if rng.random() < 0.4 else None  # noqa: PLR2004
        birth_month = None
    substances: set[str] = set()
    roll = rng.random()
    if roll > 0.03:  # noqa: PLR2004  # a few do not say
        substances.add(_weighted(rng, words.SUBSTANCES_BY_REGION[region]))
        if roll > 0.7:  # noqa: PLR2004
            substances.add(_weighted(rng, words.SUBSTANCES_BY_REGION[region]))
    opioids = bool(substances & words.OPIOIDS)
    gender = person.gender_identity
    kp: set[str] = set()
    if rng.random() < (0.6 if opioids else 0.15 if "methamphetamine" in substances else 0.02):
        kp.add("kp_injects_drugs")
    sex_work = {GenderIdentity.WOMAN: 0.15, GenderIdentity.TRANSGENDER_WOMAN: 0.3}.get(GenderIdentity(gender), 0.03)
    if rng.random() < sex_work:
        kp.add("kp_sex_worker")
    if gender == GenderIdentity.MAN and rng.random() < 0.07:  # noqa: PLR2004
        kp.add("kp_msm")
    if gender in {GenderIdentity.TRANSGENDER_WOMAN, GenderIdentity.TRANSGENDER_MAN}:
        kp.add("kp_transgender")
    if rng.random() < 0.07:  # noqa: PLR2004
        kp.add("kp_in_prison")
    return Demographics(
        birth_year=birth_year,
        birth_month=birth_month,
        sex_at_birth=person.sex_at_birth,
        gender_identity=gender,
        key_populations=frozenset(kp),
        substances=frozenset(substances),
    )


def _identity(rng: random.Random, person: Person, *, community: bool) -> Identity:
    roll = rng.random()
    if roll < 0.06:  # noqa: PLR2004  # a code and nothing else
        return Identity()
    if roll < (0.72 if community else 0.42):
        return Identity(nickname=person.nickname)
    street = f"{rng.randint(1, 240)} {rng.choice(words.STREETS)}, {rng.choice(words.TOWNS)}"
    return Identity(
        given_name=person.given_name,
        family_name=person.family_name,
        nickname=person.nickname if rng.random() < 0.5 else "",  # noqa: PLR2004
        phone=f"+00 8{rng.randint(1, 9)} 555 {rng.randint(0, 9999):04d}" if rng.random() < 0.7 else "",  # noqa: PLR2004
        address=street if rng.random() < 0.3 else "",  # noqa: PLR2004
        national_id=f"DEMO-{rng.randint(0, 99999):05d}-{rng.randint(0, 99):02d}" if rng.random() < 0.2 else "",  # noqa: PLR2004
    )


def _recipients(
    rng: random.Random, network: Network, names: Sequence[str], own: str, other: str | None
) -> tuple[str, ...]:
    pool = [name for name in names if name in network.organisations and name != own]
    wanted = 2 if rng.random() < 0.3 else 1  # noqa: PLR2004
    chosen: list[str] = []
    if other is not None and other in pool and rng.random() < 0.55:  # noqa: PLR2004  # often the other demo service
        chosen.append(other)
        pool.remove(other)
    while pool and len(chosen) < wanted:
        chosen.append(pool.pop(rng.randrange(len(pool))))
    return tuple(chosen)


def _share(rng: random.Random, network: Network, index: int, organisation: str, minutes_ago: int) -> SharePlan | None:
    research = index % RESEARCH_EVERY == RESEARCH_AT and RESEARCH_RECIPIENT in network.organisations
    if not research and rng.random() >= 0.33:  # noqa: PLR2004  # about a third share
        return None
    others = [r.organisation.name for r in network.registering if r.organisation.name != organisation]
    other = others[0] if others else None
    recipients: tuple[str, ...]
    if research:
        purpose, categories, recipients = Purpose.RESEARCH, _RESEARCH_CATEGORIES, (RESEARCH_RECIPIENT,)
    elif rng.random() < 0.72:  # noqa: PLR2004  # most sharing is for care coordination and referral
        purpose, categories = Purpose.CARE_COORDINATION, rng.choice(_CARE_CATEGORIES)
        recipients = _recipients(rng, network, CARE_COORDINATION_RECIPIENTS, organisation, other)
    else:
        purpose, categories = Purpose.TREATMENT, rng.choice(_TREATMENT_CATEGORIES)
        recipients = _recipients(rng, network, TREATMENT_RECIPIENTS, organisation, other)
    if not recipients:
        return None
    by_event = not research and rng.random() < 0.3  # noqa: PLR2004
    return SharePlan(
        purpose=purpose,
        recipients=recipients,
        categories=frozenset(str(c) for c in categories),
        expires_in_days=None if by_event else rng.randint(91, 365),
        expiry_event=rng.choice((ExpiryEvent.END_OF_TREATMENT, ExpiryEvent.REFERRAL_CLOSED)) if by_event else "",
        # At registration or at a later visit, never before the client was registered.
        minutes_ago=max(5, rng.randint(minutes_ago // 3, minutes_ago) - 30),
        method=rng.choice(
            (ConsentMethod.WRITTEN, ConsentMethod.WRITTEN, ConsentMethod.VERBAL, ConsentMethod.ELECTRONIC)
        ),
        withdrawn=rng.random() < 0.05,  # noqa: PLR2004
        ethics_reference=words.RESEARCH_ETHICS_REFERENCE if research else "",
    )


def _typo_variants(rng: random.Random, person: Person) -> list[Person]:
    """Slips a worker makes when typing a code again: a digit of the birth day, the birth order, a letter of
    a parent's name. Tried in random order; the first that still looks like the same person is used."""
    variants: list[Person] = []
    if person.date_of_birth is not None:
        dob = person.date_of_birth
        day = dob.day + 1 if dob.day < 28 else dob.day - 1  # noqa: PLR2004
        variants.append(replace(person, date_of_birth=dob.replace(day=day)))
    if person.birth_order is not None:
        variants.append(replace(person, birth_order=person.birth_order + 1))
    for parent in ("mother", "father"):
        name = getattr(person, parent)
        if name and len(name) > 1:
            letter = "E" if name[1].upper() != "E" else "A"
            variants.append(replace(person, **{parent: name[0] + letter.lower() + name[2:]}))
    rng.shuffle(variants)
    return variants


def _near_duplicate(
    rng: random.Random, scheme: UicScheme, original: ClientPlan, today: date
) -> tuple[Person, UicResult]:
    threshold = settings.DUPLICATE_THRESHOLD / 100
    blocks = {key for key in scheme.block_keys(original.uic.code) if key}
    for variant in _typo_variants(rng, original.person):
        uic = build_uic(scheme, uic_answers(scheme, variant), today=today)
        shares_block = bool(blocks & set(scheme.block_keys(uic.code))) or uic.code == original.uic.code
        if (
            uic.code != original.uic.code
            and shares_block
            and uic_similarity(scheme, uic.code, original.uic.code) >= threshold
        ):
            return variant, uic
    return original.person, original.uic  # no slip fits this scheme: the very same code, an exact duplicate


def plan_clients(network: Network, scheme: UicScheme, count: int, today: date) -> list[ClientPlan]:
    plans: list[ClientPlan] = []
    registering = network.registering
    for index in range(count):
        rng = random.Random(f"{SEED}:{index}")  # noqa: S311  # demo data, not security
        place = rng.choices(registering, weights=[r.weight for r in registering])[0]
        original = plans[index - DUPLICATE_GAP] if is_duplicate_index(index) and index >= DUPLICATE_GAP else None
        if original is not None:
            person, uic = _near_duplicate(rng, scheme, original, today)
            same_place = next(r for r in registering if r.organisation.name == original.organisation)
            elsewhere = [r for r in registering if r is not same_place]
            place = elsewhere[0] if elsewhere and (index // DUPLICATE_EVERY) % 3 == 1 else same_place
            demographics = original.demographics
            identity = _identity(rng, person, community=place.organisation.type in _COMMUNITY_TYPES)
            minutes_ago = max(90, int(original.minutes_ago * rng.uniform(0.1, 0.8)))
        else:
            # The first registration of a near-duplicate knows every answer, so a slip can be made in any part.
            person = _person(rng, today, well_known=is_duplicate_index(index + DUPLICATE_GAP))
            uic = build_uic(scheme, uic_answers(scheme, person), today=today)
            demographics = _demographics(rng, person, place.region, today)
            identity = _identity(rng, person, community=place.organisation.type in _COMMUNITY_TYPES)
            minutes_ago = rng.randint(90, 29 * 24 * 60)
        registrar = rng.choice(place.registrars)
        witnesses = [w for w in place.witnesses if w != registrar] or [registrar]
        community = place.organisation.type in _COMMUNITY_TYPES
        plans.append(
            ClientPlan(
                index=index,
                id=client_uuid(index),
                organisation=place.organisation.name,
                registrar=registrar.username,
                witness=rng.choice(witnesses).username,
                person=person,
                answers=uic_answers(scheme, person),
                uic=uic,
                demographics=demographics,
                identity=identity,
                duplicate_of=original.index if original is not None else None,
                minutes_ago=minutes_ago,
                treatment_consent=rng.random() < 0.94,  # noqa: PLR2004
                treatment_method=rng.choice(
                    (ConsentMethod.VERBAL, ConsentMethod.VERBAL, ConsentMethod.WRITTEN)
                    if community
                    else (ConsentMethod.WRITTEN, ConsentMethod.WRITTEN, ConsentMethod.ELECTRONIC)
                ),
                treatment_withdrawn=rng.random() < 0.015,  # noqa: PLR2004
                guardian=rng.choice(
                    (GuardianRelationship.PARENT, GuardianRelationship.PARENT, GuardianRelationship.LEGAL_GUARDIAN)
                ),
                share=_share(rng, network, index, place.organisation.name, minutes_ago),
            )
        )
    return plans
