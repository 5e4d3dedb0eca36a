"""The demo network as plain data: the Republic of Demoland, a FICTIONAL country.

Every country, province, district, organisation, person, address, phone number and web address below is
invented. Any resemblance to a real organisation or person is a coincidence. The shape of the network
follows seed 001 chapter 5 (the seven service levels, 001_3c4b196b837750c7.txt L4569-L4666) and the
community-based programmes described in seed 002 (voluntary, free, peer-involved, referral-based); the
names and figures are made up for demonstration.

``cbtc.network.demo.load_demo`` turns this data into rows through the network services. Nothing here
touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, is_dataclass
from datetime import time
from decimal import Decimal

from cbtc.network.models.directory import (
    AdminAreaLevel,
    CostType,
    DeliveryMode,
    Gender,
    OrganisationType,
    PyramidLevel,
    ServiceType,
)
from cbtc.network.roles import Role

Hours = tuple[tuple[int, time, time], ...]


def _hours(days: Iterable[int], opens: str, closes: str) -> Hours:
    """Weekly hours: weekday numbers (0 = Monday) with one opening and closing time each."""
    return tuple((day, time.fromisoformat(opens), time.fromisoformat(closes)) for day in days)


MON_FRI = range(5)
MON_SAT = range(6)
EVERY_DAY = range(7)

OFFICE_HOURS = _hours(MON_FRI, "08:30", "16:30")
CLINIC_HOURS = _hours(MON_FRI, "08:00", "17:00") + _hours([5], "08:00", "12:00")
DROP_IN_HOURS = _hours(MON_SAT, "10:00", "19:00")
ALWAYS_OPEN = _hours(EVERY_DAY, "00:00", "23:59")
DOSING_HOURS = _hours(EVERY_DAY, "07:00", "12:00")
EVENING_OUTREACH = _hours(MON_FRI, "17:00", "22:00")

TIME_ZONE = "Asia/Bangkok"
# Every demo site lies inside this box (the fictional country's extent): (south, west, north, east).
COORDINATE_BOX = (Decimal("12.0"), Decimal("98.5"), Decimal("19.0"), Decimal("105.0"))

FICTIONAL_NOTICE = "All organisations, people and places in this network are fictional."


# --- Reference rows --------------------------------------------------------------------------------

POPULATIONS: tuple[tuple[str, str], ...] = (
    ("people_who_inject_drugs", "People who inject drugs"),
    ("young_people", "Young people"),
    ("women", "Women"),
    ("pregnant_women", "Pregnant women"),
    ("people_in_prison", "People in prison"),
    ("people_recently_released", "People recently released from prison"),
    ("lgbtq", "LGBTQ+ people"),
    ("sex_workers", "Sex workers"),
    ("migrants", "Migrants and mobile workers"),
    ("people_experiencing_homelessness", "People experiencing homelessness"),
    ("families", "Families and friends"),
)

LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("th", "Thai"),
    ("km", "Khmer"),
    ("lo", "Lao"),
    ("vi", "Vietnamese"),
    ("my", "Burmese"),
)

_MAIN_LANGUAGES = ("th", "en")


# --- Areas -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: AdminAreaLevel
    parent: str | None = None  # the parent's code


COUNTRY_CODE = "dl"

AREAS: tuple[AreaSpec, ...] = (
    AreaSpec("dl", "Republic of Demoland (fictional)", AdminAreaLevel.COUNTRY),
    AreaSpec("dl-north", "Northern Highlands Province", AdminAreaLevel.PROVINCE, "dl"),
    AreaSpec("dl-north-mountview", "Mountview District", AdminAreaLevel.DISTRICT, "dl-north"),
    AreaSpec("dl-north-pine-valley", "Pine Valley District", AdminAreaLevel.DISTRICT, "dl-north"),
    AreaSpec("dl-north-tea-hills", "Tea Hills District", AdminAreaLevel.DISTRICT, "dl-north"),
    AreaSpec("dl-central", "Central Plains Province", AdminAreaLevel.PROVINCE, "dl"),
    AreaSpec("dl-central-capital", "Capital City District", AdminAreaLevel.DISTRICT, "dl-central"),
    AreaSpec("dl-central-riverside", "Riverside District", AdminAreaLevel.DISTRICT, "dl-central"),
    AreaSpec("dl-central-lakeshore", "Lakeshore District", AdminAreaLevel.DISTRICT, "dl-central"),
    AreaSpec("dl-south", "Southern Coast Province", AdminAreaLevel.PROVINCE, "dl"),
    AreaSpec("dl-south-harbour", "Harbour District", AdminAreaLevel.DISTRICT, "dl-south"),
    AreaSpec("dl-south-palm-bay", "Palm Bay District", AdminAreaLevel.DISTRICT, "dl-south"),
    AreaSpec("dl-east", "Eastern Borderlands Province", AdminAreaLevel.PROVINCE, "dl"),
    AreaSpec("dl-east-gateway", "Gateway District", AdminAreaLevel.DISTRICT, "dl-east"),
    AreaSpec("dl-east-ricefield", "Ricefield District", AdminAreaLevel.DISTRICT, "dl-east"),
)


# --- Directory ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    type: ServiceType
    level: PyramidLevel
    description: str
    delivery_mode: DeliveryMode = DeliveryMode.ON_SITE
    capacity: int | None = None
    waiting_time_days: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    gender: Gender = Gender.ANY
    populations: tuple[str, ...] = ()
    eligibility_note: str = ""
    self_referral: bool = True
    languages: tuple[str, ...] = _MAIN_LANGUAGES
    cost: CostType = CostType.FREE
    cost_note: str = ""
    wheelchair_accessible: bool = False
    accessibility_note: str = ""
    hours: Hours = ()  # empty: the site's hours apply


@dataclass(frozen=True)
class SiteSpec:
    name: str
    district: str  # an AreaSpec code at district level
    address: str
    postal_code: str
    latitude: Decimal
    longitude: Decimal
    hours: Hours
    phone: str = ""
    directions: str = ""
    time_zone: str = TIME_ZONE
    services: tuple[ServiceSpec, ...] = ()


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    short_name: str
    type: OrganisationType
    area: str  # where it is registered: an AreaSpec code
    description: str
    sites: tuple[SiteSpec, ...]
    website: str = ""
    email: str = ""
    phone: str = ""


NATIONAL_PROGRAMME = "Demoland National Programme for Drug Treatment and Care"
RESOURCE_CENTRE = "Demoland Training and Resource Centre for Community-Based Care"
TREATMENT_CENTRE = "Riverside Community Treatment Centre"
PEER_NETWORK = "Hands Together Network of People Who Use Drugs"

ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    # --- Government ----------------------------------------------------------------------------------
    OrganisationSpec(
        name=NATIONAL_PROGRAMME,
        short_name="NPDTC",
        type=OrganisationType.GOVERNMENT_HEALTH,
        area="dl-central-capital",
        description="The health ministry's programme that plans, funds and monitors voluntary, "
        "community-based treatment and care across Demoland.",
        website="https://npdtc.demoland.example",
        email="info@npdtc.demoland.example",
        phone="02 555 0100",
        sites=(
            SiteSpec(
                name="National Programme Office",
                district="dl-central-capital",
                address="4 Unity Avenue, Capital City",
                postal_code="10100",
                latitude=Decimal("14.02410"),
                longitude=Decimal("100.51920"),
                hours=OFFICE_HOURS,
                phone="02 555 0101",
                directions="Ground floor of the Health Ministry annex, next to the bus terminal.",
                services=(
                    ServiceSpec(
                        name="Treatment and care information line",
                        type=ServiceType.SCREENING_BRIEF_INTERVENTION,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        delivery_mode=DeliveryMode.REMOTE,
                        description="Free, confidential phone and chat line. Trained counsellors answer "
                        "questions about drug use, give brief advice and help callers find a "
                        "service near them. Callers do not have to give their name.",
                        waiting_time_days=0,
                        languages=("th", "en", "km", "lo", "vi", "my"),
                        hours=_hours(EVERY_DAY, "08:00", "20:00"),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name=TREATMENT_CENTRE,
        short_name="RCTC",
        type=OrganisationType.GOVERNMENT_HEALTH,
        area="dl-central-riverside",
        description="A public specialised treatment centre offering opioid agonist treatment, counselling "
        "and case management. Treatment is voluntary; clients can leave at any time and "
        "continued drug use never leads to exclusion or a report to the police.",
        website="https://rctc.demoland.example",
        email="contact@rctc.demoland.example",
        phone="02 555 0200",
        sites=(
            SiteSpec(
                name="Riverside Centre - Main Clinic",
                district="dl-central-riverside",
                address="88 Ferry Road, Riverside",
                postal_code="10230",
                latitude=Decimal("13.88410"),
                longitude=Decimal("100.40270"),
                hours=CLINIC_HOURS,
                phone="02 555 0201",
                directions="Opposite the ferry pier; step-free entrance on the side street.",
                services=(
                    ServiceSpec(
                        name="Walk-in assessment and treatment planning",
                        type=ServiceType.SCREENING_BRIEF_INTERVENTION,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="A first conversation with a counsellor and a doctor about the person's "
                        "drug use, health and goals, ending with a treatment plan the client "
                        "agrees to. Reduced use and abstinence are both accepted goals.",
                        waiting_time_days=0,
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Methadone treatment",
                        type=ServiceType.METHADONE,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Daily methadone with flexible dosing, regular reviews with the "
                        "prescriber and take-home doses once the client is stable. Clients "
                        "who use other drugs stay in treatment.",
                        capacity=260,
                        waiting_time_days=3,
                        min_age=18,
                        populations=("people_who_inject_drugs",),
                        wheelchair_accessible=True,
                        hours=DOSING_HOURS,
                        eligibility_note="For adults with opioid dependence; no identity card needed.",
                    ),
                    ServiceSpec(
                        name="Buprenorphine treatment",
                        type=ServiceType.BUPRENORPHINE,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Buprenorphine-naloxone as an alternative to methadone, with weekly "
                        "collection once the dose is settled. Suits clients who work or study.",
                        capacity=80,
                        waiting_time_days=7,
                        min_age=16,
                        wheelchair_accessible=True,
                        eligibility_note="Clients aged 16-17 may start with a guardian's consent.",
                    ),
                    ServiceSpec(
                        name="Outpatient counselling and relapse prevention",
                        type=ServiceType.OUTPATIENT_PSYCHOSOCIAL,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Individual and group sessions using cognitive behavioural and "
                        "motivational approaches, including planning for difficult moments.",
                        capacity=120,
                        waiting_time_days=5,
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Case management for clients in treatment",
                        type=ServiceType.CASE_MANAGEMENT,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="A named case manager coordinates the client's care plan and referrals "
                        "to housing, legal aid, work and health care in the network.",
                        capacity=90,
                        waiting_time_days=7,
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Outpatient withdrawal support",
                        type=ServiceType.WITHDRAWAL_MANAGEMENT,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Medication and daily check-ins for clients who want to stop or cut down "
                        "while living at home, with a direct route to inpatient care if needed.",
                        capacity=20,
                        waiting_time_days=2,
                        min_age=18,
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Recovery check-ins and alumni group",
                        type=ServiceType.RECOVERY_SUPPORT,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Monthly check-ins and a Saturday group run with former clients, open to "
                        "anyone who has finished or paused treatment.",
                        capacity=40,
                        waiting_time_days=0,
                        wheelchair_accessible=True,
                        hours=_hours([5], "09:00", "12:00"),
                    ),
                ),
            ),
            SiteSpec(
                name="Riverside Centre - Market Street Satellite",
                district="dl-central-capital",
                address="17 Market Street, Capital City",
                postal_code="10110",
                latitude=Decimal("14.01880"),
                longitude=Decimal("100.52650"),
                hours=_hours(MON_SAT, "07:00", "15:00"),
                phone="02 555 0202",
                directions="Above the pharmacy in the covered market; lift at the back of the building.",
                services=(
                    ServiceSpec(
                        name="Methadone dosing point - Market Street",
                        type=ServiceType.METHADONE,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="A second dosing point close to the market for clients of the Riverside "
                        "Centre, so that daily doses fit around work.",
                        capacity=120,
                        waiting_time_days=0,
                        min_age=18,
                        self_referral=False,
                        eligibility_note="For clients already enrolled at the Riverside Centre.",
                        wheelchair_accessible=True,
                        hours=_hours(MON_SAT, "07:00", "11:00"),
                    ),
                    ServiceSpec(
                        name="Women's afternoon clinic",
                        type=ServiceType.OUTPATIENT_PSYCHOSOCIAL,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        gender=Gender.WOMEN,
                        description="Counselling, treatment reviews and sexual and reproductive health "
                        "care by women staff, with a supervised play corner for children.",
                        capacity=30,
                        waiting_time_days=3,
                        populations=("women", "pregnant_women"),
                        wheelchair_accessible=True,
                        accessibility_note="Children are welcome.",
                        hours=_hours([1, 3], "13:00", "17:00"),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name=RESOURCE_CENTRE,
        short_name="DTRC",
        type=OrganisationType.OTHER,
        area="dl-central-capital",
        description="Trains staff and peer workers, assesses services against the national standards and "
        "supports families.",
        website="https://dtrc.demoland.example",
        email="training@dtrc.demoland.example",
        phone="02 555 0300",
        sites=(
            SiteSpec(
                name="Resource Centre Campus",
                district="dl-central-capital",
                address="21 College Lane, Capital City",
                postal_code="10120",
                latitude=Decimal("14.03120"),
                longitude=Decimal("100.50880"),
                hours=OFFICE_HOURS,
                phone="02 555 0301",
                services=(
                    ServiceSpec(
                        name="Family skills course",
                        type=ServiceType.FAMILY_SUPPORT,
                        level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
                        description="Eight evening sessions for parents, partners and relatives: "
                        "understanding drug use and treatment, talking without blame, looking "
                        "after yourself.",
                        capacity=24,
                        waiting_time_days=14,
                        populations=("families",),
                        hours=_hours([2], "18:00", "20:30"),
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Peer-led self-help meetings",
                        type=ServiceType.RECOVERY_SUPPORT,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="Weekly mutual-help meetings hosted by people with lived experience. "
                        "Come as you are; no need to have stopped using.",
                        capacity=25,
                        waiting_time_days=0,
                        hours=_hours([3], "18:00", "20:00"),
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    # --- Community-led -----------------------------------------------------------------------------
    OrganisationSpec(
        name=PEER_NETWORK,
        short_name="Hands Together",
        type=OrganisationType.COMMUNITY_LED,
        area="dl-central-capital",
        description="A network run by and for people who use drugs: harm reduction, peer navigation and "
        "a voice in how services are planned.",
        website="https://handstogether.demoland.example",
        email="hello@handstogether.demoland.example",
        phone="02 555 0400",
        sites=(
            SiteSpec(
                name="Hands Together Drop-in Centre",
                district="dl-central-capital",
                address="3 Canal Lane, Old Town, Capital City",
                postal_code="10130",
                latitude=Decimal("14.01240"),
                longitude=Decimal("100.53310"),
                hours=DROP_IN_HOURS,
                phone="02 555 0401",
                directions="Green door behind the night market; ring the bell.",
                services=(
                    ServiceSpec(
                        name="Drop-in centre",
                        type=ServiceType.DROP_IN,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="A safe place to rest, shower, wash clothes, eat and talk to a peer "
                        "worker. No appointment, no questions asked.",
                        capacity=40,
                        waiting_time_days=0,
                        populations=("people_who_inject_drugs", "people_experiencing_homelessness"),
                    ),
                    ServiceSpec(
                        name="Needle-syringe programme",
                        type=ServiceType.NEEDLE_SYRINGE,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="Sterile needles, syringes and other safer-use supplies, safe disposal "
                        "and advice on vein care, given by peers.",
                        waiting_time_days=0,
                        populations=("people_who_inject_drugs",),
                    ),
                    ServiceSpec(
                        name="Street and hotspot outreach",
                        type=ServiceType.OUTREACH,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        delivery_mode=DeliveryMode.MOBILE,
                        description="Peer workers visit parks, riverbanks and rooming houses in the evening "
                        "with supplies, naloxone and information, and accompany people to "
                        "services when they ask.",
                        waiting_time_days=0,
                        hours=EVENING_OUTREACH,
                        populations=(
                            "people_who_inject_drugs",
                            "people_experiencing_homelessness",
                            "sex_workers",
                        ),
                    ),
                    ServiceSpec(
                        name="Peer naloxone training and distribution",
                        type=ServiceType.NALOXONE,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="Fifteen-minute training on recognising and responding to an opioid "
                        "overdose, and a take-home naloxone kit for clients, friends and family.",
                        waiting_time_days=0,
                        populations=("people_who_inject_drugs", "families"),
                    ),
                    ServiceSpec(
                        name="Peer navigation to health services",
                        type=ServiceType.PEER_SUPPORT,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="A peer navigator goes with the client to clinic appointments, helps "
                        "with forms and follows up when a referral stalls.",
                        capacity=60,
                        waiting_time_days=0,
                    ),
                ),
            ),
            SiteSpec(
                name="Hands Together Riverside Hub",
                district="dl-central-riverside",
                address="240 Boatyard Road, Riverside",
                postal_code="10230",
                latitude=Decimal("13.87920"),
                longitude=Decimal("100.41150"),
                hours=_hours(MON_FRI, "12:00", "20:00"),
                phone="02 555 0402",
                services=(
                    ServiceSpec(
                        name="Trans and non-binary peer circle",
                        type=ServiceType.PEER_SUPPORT,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        gender=Gender.TRANSGENDER_NONBINARY,
                        description="A weekly evening circle for trans and non-binary people who use drugs, "
                        "with peer support, hormone and health information and referrals.",
                        capacity=20,
                        waiting_time_days=0,
                        populations=("lgbtq",),
                        hours=_hours([3], "18:00", "21:00"),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Highland Peer Circle",
        short_name="HPC",
        type=OrganisationType.COMMUNITY_LED,
        area="dl-north-mountview",
        description="A community-led group of people who use drugs in the northern hill districts.",
        email="peers@highlandcircle.demoland.example",
        phone="053 555 0500",
        sites=(
            SiteSpec(
                name="Peer Circle House",
                district="dl-north-mountview",
                address="9 Temple Hill Road, Mountview",
                postal_code="50100",
                latitude=Decimal("18.41230"),
                longitude=Decimal("99.61410"),
                hours=_hours(MON_SAT, "09:00", "18:00"),
                phone="053 555 0501",
                services=(
                    ServiceSpec(
                        name="Mountain villages outreach",
                        type=ServiceType.OUTREACH,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        delivery_mode=DeliveryMode.MOBILE,
                        description="A peer team with a pick-up truck visits hill villages twice a week with "
                        "safer-use supplies, naloxone, condoms and rapid HIV tests.",
                        waiting_time_days=0,
                        languages=("th", "my", "en"),
                        populations=("people_who_inject_drugs", "migrants"),
                        hours=_hours([1, 4], "08:00", "17:00"),
                    ),
                    ServiceSpec(
                        name="Needle-syringe and naloxone point",
                        type=ServiceType.NEEDLE_SYRINGE,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="Sterile injecting equipment, naloxone kits and safe disposal at the "
                        "Peer Circle House.",
                        waiting_time_days=0,
                        populations=("people_who_inject_drugs",),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Sea Breeze Peer Network",
        short_name="Sea Breeze",
        type=OrganisationType.COMMUNITY_LED,
        area="dl-south-harbour",
        description="Peers working with people who use drugs, sex workers and seafarers in the harbour district.",
        phone="038 555 0600",
        sites=(
            SiteSpec(
                name="Sea Breeze Harbour Room",
                district="dl-south-harbour",
                address="Unit 5, Fish Market Row, Harbour Town",
                postal_code="20100",
                latitude=Decimal("12.61120"),
                longitude=Decimal("101.34730"),
                hours=_hours(MON_SAT, "14:00", "22:00"),
                phone="038 555 0601",
                services=(
                    ServiceSpec(
                        name="Harbour night outreach",
                        type=ServiceType.OUTREACH,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        delivery_mode=DeliveryMode.MOBILE,
                        description="Night-time outreach on the docks and in the entertainment streets: "
                        "supplies, condoms, naloxone and a friendly face.",
                        waiting_time_days=0,
                        languages=("th", "my", "km", "en"),
                        populations=("sex_workers", "migrants", "people_who_inject_drugs"),
                        hours=_hours([4, 5], "20:00", "23:59"),
                    ),
                    ServiceSpec(
                        name="Overdose response and naloxone",
                        type=ServiceType.NALOXONE,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="Naloxone kits and overdose-response training for anyone who may "
                        "witness an overdose, including boat crews and hostel staff.",
                        waiting_time_days=0,
                    ),
                ),
            ),
        ),
    ),
    # --- Hospitals ---------------------------------------------------------------------------------
    OrganisationSpec(
        name="Lotus Valley General Hospital",
        short_name="LVGH",
        type=OrganisationType.HOSPITAL,
        area="dl-central-capital",
        description="The capital's public general hospital, with specialist clinics for mental health, "
        "HIV and viral hepatitis.",
        website="https://lotusvalley-hospital.demoland.example",
        phone="02 555 0700",
        sites=(
            SiteSpec(
                name="Lotus Valley General Hospital",
                district="dl-central-capital",
                address="1 Hospital Road, Capital City",
                postal_code="10140",
                latitude=Decimal("14.04520"),
                longitude=Decimal("100.50130"),
                hours=ALWAYS_OPEN,
                phone="02 555 0701",
                directions="Outpatient clinics are in Building C, entrance from Lotus Lane.",
                services=(
                    ServiceSpec(
                        name="Inpatient withdrawal management ward",
                        type=ServiceType.WITHDRAWAL_MANAGEMENT,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Medically supervised withdrawal over 7 to 14 days for clients with "
                        "complex health needs, followed by a planned handover to outpatient "
                        "care.",
                        capacity=12,
                        waiting_time_days=5,
                        min_age=18,
                        self_referral=False,
                        eligibility_note="Referral from a treatment centre, health centre or doctor.",
                        cost=CostType.INSURANCE,
                        cost_note="Covered by national health insurance; free without it.",
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Mental health outpatient clinic",
                        type=ServiceType.MENTAL_HEALTH,
                        level=PyramidLevel.SPECIALISED_HEALTH_CARE,
                        description="Assessment and treatment of depression, anxiety, psychosis and trauma, "
                        "including for clients receiving drug treatment.",
                        capacity=150,
                        waiting_time_days=21,
                        self_referral=False,
                        eligibility_note="Referral from any service in the network.",
                        cost=CostType.INSURANCE,
                        wheelchair_accessible=True,
                        hours=_hours(MON_FRI, "08:00", "16:00"),
                    ),
                    ServiceSpec(
                        name="Hepatitis C testing and treatment clinic",
                        type=ServiceType.HCV_TESTING,
                        level=PyramidLevel.SPECIALISED_HEALTH_CARE,
                        description="Antibody and viral-load testing and direct-acting antiviral treatment, "
                        "usually finished in 12 weeks. Treatment is offered to people who "
                        "currently inject drugs.",
                        capacity=200,
                        waiting_time_days=10,
                        wheelchair_accessible=True,
                        populations=("people_who_inject_drugs",),
                        hours=_hours(MON_FRI, "08:00", "16:00"),
                    ),
                    ServiceSpec(
                        name="HIV care and treatment clinic",
                        type=ServiceType.HIV_TESTING,
                        level=PyramidLevel.SPECIALISED_HEALTH_CARE,
                        description="HIV testing with counselling, same-day start of antiretroviral "
                        "treatment and pre-exposure prophylaxis (PrEP).",
                        capacity=400,
                        waiting_time_days=0,
                        wheelchair_accessible=True,
                        hours=_hours(MON_FRI, "08:00", "16:00"),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Northern Highlands Provincial Hospital",
        short_name="NHPH",
        type=OrganisationType.HOSPITAL,
        area="dl-north-pine-valley",
        description="The northern province's referral hospital.",
        phone="054 555 0800",
        sites=(
            SiteSpec(
                name="Provincial Hospital Pine Valley",
                district="dl-north-pine-valley",
                address="100 Provincial Road, Pine Valley",
                postal_code="55000",
                latitude=Decimal("18.10540"),
                longitude=Decimal("100.21190"),
                hours=ALWAYS_OPEN,
                phone="054 555 0801",
                services=(
                    ServiceSpec(
                        name="Methadone clinic",
                        type=ServiceType.METHADONE,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Methadone treatment for the northern districts, with take-home doses "
                        "for clients who live far away.",
                        capacity=140,
                        waiting_time_days=5,
                        min_age=18,
                        hours=DOSING_HOURS,
                        languages=("th", "my"),
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Dual diagnosis clinic",
                        type=ServiceType.MENTAL_HEALTH,
                        level=PyramidLevel.SPECIALISED_HEALTH_CARE,
                        description="Joint care by a psychiatrist and a drug treatment counsellor for "
                        "clients with both mental health conditions and drug use concerns.",
                        capacity=60,
                        waiting_time_days=14,
                        self_referral=False,
                        cost=CostType.INSURANCE,
                        hours=_hours([0, 2], "08:00", "16:00"),
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Short-stay treatment ward",
                        type=ServiceType.SHORT_TERM_RESIDENTIAL,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="A voluntary 21-day stay combining withdrawal care, counselling and "
                        "planning for life afterwards. Clients may leave whenever they choose.",
                        capacity=16,
                        waiting_time_days=14,
                        min_age=18,
                        self_referral=False,
                        eligibility_note="Assessed first at a treatment centre or the dual diagnosis clinic.",
                        cost=CostType.INSURANCE,
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Harbour Provincial Hospital",
        short_name="HPH",
        type=OrganisationType.HOSPITAL,
        area="dl-south-harbour",
        description="The southern province's referral hospital.",
        phone="038 555 0900",
        sites=(
            SiteSpec(
                name="Harbour Provincial Hospital",
                district="dl-south-harbour",
                address="2 Lighthouse Road, Harbour Town",
                postal_code="20110",
                latitude=Decimal("12.62390"),
                longitude=Decimal("101.33510"),
                hours=ALWAYS_OPEN,
                phone="038 555 0901",
                services=(
                    ServiceSpec(
                        name="Buprenorphine clinic",
                        type=ServiceType.BUPRENORPHINE,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Buprenorphine treatment started in the outpatient department, with "
                        "weekly collection from the hospital pharmacy.",
                        capacity=90,
                        waiting_time_days=7,
                        min_age=18,
                        cost=CostType.INSURANCE,
                        hours=_hours(MON_FRI, "08:00", "15:00"),
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Psychiatric crisis care",
                        type=ServiceType.MENTAL_HEALTH,
                        level=PyramidLevel.SPECIALISED_HEALTH_CARE,
                        description="Round-the-clock assessment and short admission for people in a mental "
                        "health crisis, including drug-related psychosis.",
                        capacity=10,
                        waiting_time_days=0,
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    # --- Primary care ------------------------------------------------------------------------------
    OrganisationSpec(
        name="Mountview Health Centre",
        short_name="",
        type=OrganisationType.PRIMARY_CARE,
        area="dl-north-mountview",
        description="District health centre serving Mountview town and its villages.",
        phone="053 555 1000",
        sites=(
            SiteSpec(
                name="Mountview Health Centre",
                district="dl-north-mountview",
                address="12 Market Square, Mountview",
                postal_code="50100",
                latitude=Decimal("18.41870"),
                longitude=Decimal("99.60550"),
                hours=CLINIC_HOURS,
                phone="053 555 1001",
                services=(
                    ServiceSpec(
                        name="General clinic and wound care",
                        type=ServiceType.PRIMARY_CARE,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        description="Everyday health care, first aid, abscess and wound care, vaccinations "
                        "and continued care for clients in drug treatment.",
                        waiting_time_days=0,
                        languages=("th", "my"),
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Lakeshore Health Centre",
        short_name="",
        type=OrganisationType.PRIMARY_CARE,
        area="dl-central-lakeshore",
        description="District health centre on the lake road.",
        phone="035 555 1100",
        sites=(
            SiteSpec(
                name="Lakeshore Health Centre",
                district="dl-central-lakeshore",
                address="45 Lake Road, Lakeshore",
                postal_code="13000",
                latitude=Decimal("14.30230"),
                longitude=Decimal("100.81120"),
                hours=CLINIC_HOURS,
                phone="035 555 1101",
                services=(
                    ServiceSpec(
                        name="Hepatitis C rapid testing",
                        type=ServiceType.HCV_TESTING,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        description="Finger-prick hepatitis C test with results in 20 minutes and a direct "
                        "referral for treatment.",
                        waiting_time_days=0,
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Shared care for clients in treatment",
                        type=ServiceType.PRIMARY_CARE,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        description="Medical follow-up close to home for clients whose opioid agonist "
                        "treatment is managed by a specialised centre.",
                        capacity=50,
                        waiting_time_days=3,
                        self_referral=False,
                        eligibility_note="Arranged by the client's treatment centre.",
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Palm Bay Health Centre",
        short_name="",
        type=OrganisationType.PRIMARY_CARE,
        area="dl-south-palm-bay",
        description="District health centre for Palm Bay and the islands.",
        phone="039 555 1200",
        sites=(
            SiteSpec(
                name="Palm Bay Health Centre",
                district="dl-south-palm-bay",
                address="7 Coconut Grove, Palm Bay",
                postal_code="21000",
                latitude=Decimal("12.20810"),
                longitude=Decimal("101.90240"),
                hours=CLINIC_HOURS,
                phone="039 555 1201",
                services=(
                    ServiceSpec(
                        name="General clinic",
                        type=ServiceType.PRIMARY_CARE,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        description="Everyday health care and first aid, with screening and brief "
                        "interventions for drug and alcohol use.",
                        waiting_time_days=0,
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="TB screening",
                        type=ServiceType.TB_TESTING,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        description="Symptom check, chest X-ray referral and sputum testing for "
                        "tuberculosis, with treatment supported close to home.",
                        waiting_time_days=0,
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Antenatal care for women who use drugs",
                        type=ServiceType.PRIMARY_CARE,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        gender=Gender.WOMEN,
                        description="Pregnancy care by a midwife who works closely with the methadone and "
                        "buprenorphine services; partners are welcome at appointments.",
                        capacity=25,
                        waiting_time_days=2,
                        populations=("pregnant_women", "women"),
                        wheelchair_accessible=True,
                        hours=_hours([2], "08:00", "12:00"),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Gateway Border Health Post",
        short_name="",
        type=OrganisationType.PRIMARY_CARE,
        area="dl-east-gateway",
        description="A health post at the border crossing, serving residents and cross-border workers.",
        phone="045 555 1300",
        sites=(
            SiteSpec(
                name="Gateway Border Health Post",
                district="dl-east-gateway",
                address="Border Market Road, Gateway",
                postal_code="34000",
                latitude=Decimal("15.12030"),
                longitude=Decimal("104.34110"),
                hours=_hours(MON_SAT, "08:00", "18:00"),
                phone="045 555 1301",
                services=(
                    ServiceSpec(
                        name="Mobile clinic for migrant workers",
                        type=ServiceType.PRIMARY_CARE,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        delivery_mode=DeliveryMode.MOBILE,
                        description="A clinic van visits plantations and construction camps with basic "
                        "health care, screening and referrals. No documents needed.",
                        waiting_time_days=0,
                        populations=("migrants",),
                        languages=("th", "km", "lo", "my"),
                        hours=_hours([1, 3, 5], "09:00", "16:00"),
                    ),
                    ServiceSpec(
                        name="HIV testing and counselling",
                        type=ServiceType.HIV_TESTING,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        description="Rapid HIV testing with counselling before and after the test, and a "
                        "referral for treatment on the same day.",
                        waiting_time_days=0,
                        languages=("th", "km", "lo"),
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    # --- NGOs --------------------------------------------------------------------------------------
    OrganisationSpec(
        name="Bright Path Foundation",
        short_name="Bright Path",
        type=OrganisationType.NGO,
        area="dl-south-harbour",
        description="A harm reduction NGO on the southern coast.",
        website="https://brightpath.demoland.example",
        email="info@brightpath.demoland.example",
        phone="038 555 1400",
        sites=(
            SiteSpec(
                name="Bright Path Centre",
                district="dl-south-harbour",
                address="31 Salt Street, Harbour Town",
                postal_code="20100",
                latitude=Decimal("12.60540"),
                longitude=Decimal("101.35290"),
                hours=DROP_IN_HOURS,
                phone="038 555 1401",
                services=(
                    ServiceSpec(
                        name="Low-threshold drop-in",
                        type=ServiceType.DROP_IN,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="Meals, showers, a place to rest and staff who listen. Clients can "
                        "collect mail here if they have no fixed address.",
                        capacity=35,
                        waiting_time_days=0,
                        populations=("people_experiencing_homelessness",),
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Needle-syringe programme",
                        type=ServiceType.NEEDLE_SYRINGE,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="Sterile injecting equipment and safer-smoking kits, disposal bins and advice.",
                        waiting_time_days=0,
                        populations=("people_who_inject_drugs",),
                        wheelchair_accessible=True,
                    ),
                ),
            ),
            SiteSpec(
                name="Bright Path Palm Bay Outreach Base",
                district="dl-south-palm-bay",
                address="2 Jetty Lane, Palm Bay",
                postal_code="21000",
                latitude=Decimal("12.21520"),
                longitude=Decimal("101.89630"),
                hours=_hours(MON_FRI, "10:00", "18:00"),
                phone="039 555 1402",
                services=(
                    ServiceSpec(
                        name="Beach and market outreach",
                        type=ServiceType.OUTREACH,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        delivery_mode=DeliveryMode.MOBILE,
                        description="Outreach workers on scooters reach people in beach huts, markets and "
                        "guesthouses with supplies and HIV self-test kits.",
                        waiting_time_days=0,
                        languages=("th", "en", "my"),
                        populations=("people_who_inject_drugs", "sex_workers", "migrants"),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Safe Harbour Women's Project",
        short_name="Safe Harbour",
        type=OrganisationType.NGO,
        area="dl-central-capital",
        description="Services designed with and for women who use drugs and their children.",
        email="women@safeharbour.demoland.example",
        phone="02 555 1500",
        sites=(
            SiteSpec(
                name="Safe Harbour House",
                district="dl-central-capital",
                address="60 Jasmine Road, Capital City",
                postal_code="10150",
                latitude=Decimal("14.00870"),
                longitude=Decimal("100.54480"),
                hours=_hours(MON_SAT, "09:00", "18:00"),
                phone="02 555 1501",
                directions="Unmarked house with a blue gate; the address is shared with clients only.",
                services=(
                    ServiceSpec(
                        name="Women's drop-in",
                        type=ServiceType.DROP_IN,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        gender=Gender.WOMEN,
                        description="A women-only space with a nurse twice a week, safer-use supplies, "
                        "pregnancy tests and support after violence.",
                        capacity=25,
                        waiting_time_days=0,
                        populations=("women", "sex_workers"),
                    ),
                    ServiceSpec(
                        name="Women's emergency shelter",
                        type=ServiceType.HOUSING_SUPPORT,
                        level=PyramidLevel.GENERIC_SOCIAL_WELFARE,
                        gender=Gender.WOMEN,
                        description="Short-term beds for women and their children who have nowhere safe to "
                        "stay. Drug use does not bar anyone from a bed.",
                        capacity=14,
                        waiting_time_days=1,
                        populations=("women", "people_experiencing_homelessness"),
                        hours=ALWAYS_OPEN,
                    ),
                    ServiceSpec(
                        name="Mothers and babies support",
                        type=ServiceType.CASE_MANAGEMENT,
                        level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
                        gender=Gender.WOMEN,
                        description="A case worker supports pregnant women and new mothers with health "
                        "care, benefits, childcare and keeping their families together.",
                        capacity=30,
                        waiting_time_days=7,
                        populations=("pregnant_women", "families"),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Youth Compass Association",
        short_name="Youth Compass",
        type=OrganisationType.NGO,
        area="dl-central-lakeshore",
        description="Youth-friendly support for young people and their families.",
        website="https://youthcompass.demoland.example",
        phone="035 555 1600",
        sites=(
            SiteSpec(
                name="Youth Compass Hub",
                district="dl-central-lakeshore",
                address="8 Stadium Road, Lakeshore",
                postal_code="13000",
                latitude=Decimal("14.29640"),
                longitude=Decimal("100.81870"),
                hours=_hours(MON_FRI, "13:00", "20:00") + _hours([5], "10:00", "16:00"),
                phone="035 555 1601",
                services=(
                    ServiceSpec(
                        name="Youth early-help counselling",
                        type=ServiceType.OUTPATIENT_PSYCHOSOCIAL,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Confidential counselling for young people worried about their drug or "
                        "alcohol use, with sport and music activities alongside.",
                        capacity=45,
                        waiting_time_days=5,
                        min_age=12,
                        max_age=24,
                        populations=("young_people",),
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Youth street outreach",
                        type=ServiceType.OUTREACH,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        delivery_mode=DeliveryMode.MOBILE,
                        description="Young outreach workers meet young people at skate parks, game shops "
                        "and bus stations with information and a way in to support.",
                        waiting_time_days=0,
                        min_age=12,
                        max_age=24,
                        populations=("young_people",),
                        hours=_hours([3, 4, 5], "16:00", "22:00"),
                    ),
                    ServiceSpec(
                        name="Parents and carers group",
                        type=ServiceType.FAMILY_SUPPORT,
                        level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
                        description="An informal monthly group where parents and carers share experience "
                        "and support each other.",
                        capacity=20,
                        waiting_time_days=0,
                        populations=("families",),
                        hours=_hours([1], "18:00", "20:00"),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Working Futures Vocational Centre",
        short_name="Working Futures",
        type=OrganisationType.NGO,
        area="dl-east-gateway",
        description="Skills training, job placement and small-business support.",
        phone="045 555 1700",
        sites=(
            SiteSpec(
                name="Working Futures Training Hall",
                district="dl-east-gateway",
                address="22 Mill Street, Gateway",
                postal_code="34000",
                latitude=Decimal("15.11460"),
                longitude=Decimal("104.35020"),
                hours=OFFICE_HOURS,
                phone="045 555 1701",
                services=(
                    ServiceSpec(
                        name="Vocational training courses",
                        type=ServiceType.EMPLOYMENT_SUPPORT,
                        level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
                        description="Three-month courses in motorbike repair, cooking, sewing and computer "
                        "skills, with help finding work afterwards.",
                        capacity=40,
                        waiting_time_days=30,
                        min_age=16,
                        languages=("th", "lo", "km"),
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="New Dawn Recovery Village",
        short_name="New Dawn",
        type=OrganisationType.NGO,
        area="dl-north-tea-hills",
        description="A voluntary residential community in the tea hills for people rebuilding their lives.",
        website="https://newdawn.demoland.example",
        phone="053 555 1800",
        sites=(
            SiteSpec(
                name="New Dawn Village",
                district="dl-north-tea-hills",
                address="Km 14, Tea Estate Road, Tea Hills",
                postal_code="50200",
                latitude=Decimal("18.65040"),
                longitude=Decimal("100.05010"),
                hours=ALWAYS_OPEN,
                phone="053 555 1801",
                directions="A free shuttle leaves Mountview bus station on Mondays.",
                services=(
                    ServiceSpec(
                        name="Long-term residential programme",
                        type=ServiceType.LONG_TERM_RESIDENTIAL,
                        level=PyramidLevel.LONG_TERM_RESIDENTIAL,
                        description="Six to twelve months of supported community living with counselling, "
                        "life-skills training and farm work. Residents may continue opioid "
                        "agonist treatment and are free to leave.",
                        capacity=40,
                        waiting_time_days=42,
                        min_age=18,
                        self_referral=False,
                        eligibility_note="After an assessment by a treatment centre or case manager.",
                        cost=CostType.SUBSIDISED,
                        cost_note="Sliding scale; no one is turned away for lack of money.",
                    ),
                    ServiceSpec(
                        name="Tea estate work programme",
                        type=ServiceType.EMPLOYMENT_SUPPORT,
                        level=PyramidLevel.LONG_TERM_RESIDENTIAL,
                        description="Paid work and training on the village tea estate for residents and "
                        "former residents.",
                        capacity=25,
                        waiting_time_days=14,
                        min_age=18,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Green Hills Therapeutic Community",
        short_name="Green Hills",
        type=OrganisationType.NGO,
        area="dl-east-ricefield",
        description="Residential treatment and supported housing in the eastern rice country.",
        phone="045 555 1900",
        sites=(
            SiteSpec(
                name="Green Hills Farmhouse",
                district="dl-east-ricefield",
                address="Moo 6, Ricefield",
                postal_code="34100",
                latitude=Decimal("15.46220"),
                longitude=Decimal("103.91840"),
                hours=ALWAYS_OPEN,
                phone="045 555 1901",
                services=(
                    ServiceSpec(
                        name="28-day residential programme",
                        type=ServiceType.SHORT_TERM_RESIDENTIAL,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Four weeks away from everyday pressures with group and individual "
                        "counselling and a plan for returning home.",
                        capacity=20,
                        waiting_time_days=21,
                        min_age=18,
                        languages=("th", "lo"),
                        cost=CostType.SUBSIDISED,
                    ),
                    ServiceSpec(
                        name="Therapeutic community",
                        type=ServiceType.LONG_TERM_RESIDENTIAL,
                        level=PyramidLevel.LONG_TERM_RESIDENTIAL,
                        description="Up to nine months in a peer-run therapeutic community with ongoing "
                        "therapeutic support and education.",
                        capacity=30,
                        waiting_time_days=56,
                        min_age=18,
                        self_referral=False,
                        languages=("th", "lo"),
                        cost=CostType.SUBSIDISED,
                    ),
                ),
            ),
            SiteSpec(
                name="Green Hills Town Flats",
                district="dl-east-gateway",
                address="14 Station Road, Gateway",
                postal_code="34000",
                latitude=Decimal("15.12540"),
                longitude=Decimal("104.33280"),
                hours=OFFICE_HOURS,
                phone="045 555 1902",
                services=(
                    ServiceSpec(
                        name="Supported living flats",
                        type=ServiceType.HOUSING_SUPPORT,
                        level=PyramidLevel.LONG_TERM_RESIDENTIAL,
                        description="Self-contained flats with a support worker on call, for up to two years "
                        "while clients settle into work and community life.",
                        capacity=18,
                        waiting_time_days=60,
                        min_age=18,
                        self_referral=False,
                        populations=("people_experiencing_homelessness", "people_recently_released"),
                        cost=CostType.SUBSIDISED,
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Family Bridges Association",
        short_name="Family Bridges",
        type=OrganisationType.NGO,
        area="dl-south-palm-bay",
        description="Support for families affected by a relative's drug use.",
        phone="039 555 2000",
        sites=(
            SiteSpec(
                name="Family Bridges Office",
                district="dl-south-palm-bay",
                address="19 Harbour View, Palm Bay",
                postal_code="21000",
                latitude=Decimal("12.20290"),
                longitude=Decimal("101.91070"),
                hours=OFFICE_HOURS,
                phone="039 555 2001",
                services=(
                    ServiceSpec(
                        name="Family counselling and reintegration",
                        type=ServiceType.FAMILY_SUPPORT,
                        level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
                        description="Counselling for families and help with a relative's return home after "
                        "treatment or prison.",
                        capacity=30,
                        waiting_time_days=10,
                        populations=("families", "people_recently_released"),
                    ),
                ),
            ),
        ),
    ),
    # --- Social welfare ----------------------------------------------------------------------------
    OrganisationSpec(
        name="Central Plains Social Welfare Office",
        short_name="",
        type=OrganisationType.SOCIAL_WELFARE,
        area="dl-central-capital",
        description="The provincial social welfare office: shelter, benefits and social support.",
        phone="02 555 2100",
        sites=(
            SiteSpec(
                name="Social Welfare Office - Capital City",
                district="dl-central-capital",
                address="50 Civic Centre Road, Capital City",
                postal_code="10160",
                latitude=Decimal("14.02890"),
                longitude=Decimal("100.52770"),
                hours=OFFICE_HOURS,
                phone="02 555 2101",
                services=(
                    ServiceSpec(
                        name="Emergency shelter and housing referrals",
                        type=ServiceType.HOUSING_SUPPORT,
                        level=PyramidLevel.GENERIC_SOCIAL_WELFARE,
                        description="Same-week places in public shelters and help applying for social "
                        "housing. Shelter places have no conditions about drug use.",
                        capacity=60,
                        waiting_time_days=2,
                        populations=("people_experiencing_homelessness",),
                        wheelchair_accessible=True,
                    ),
                    ServiceSpec(
                        name="Social support and benefits desk",
                        type=ServiceType.CASE_MANAGEMENT,
                        level=PyramidLevel.GENERIC_SOCIAL_WELFARE,
                        description="Food vouchers, help replacing lost identity documents and applying for "
                        "benefits, and referrals to specialised services.",
                        waiting_time_days=0,
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Pine Valley Social Welfare Office",
        short_name="",
        type=OrganisationType.SOCIAL_WELFARE,
        area="dl-north-pine-valley",
        description="The district social welfare office for the northern hills.",
        phone="054 555 2200",
        sites=(
            SiteSpec(
                name="Pine Valley Welfare Office",
                district="dl-north-pine-valley",
                address="3 District Hall Road, Pine Valley",
                postal_code="55000",
                latitude=Decimal("18.09870"),
                longitude=Decimal("100.20520"),
                hours=OFFICE_HOURS,
                phone="054 555 2201",
                services=(
                    ServiceSpec(
                        name="Community shelter and food programme",
                        type=ServiceType.HOUSING_SUPPORT,
                        level=PyramidLevel.GENERIC_SOCIAL_WELFARE,
                        description="Beds, meals and a warm place in the cold season, with no questions "
                        "about drug use.",
                        capacity=30,
                        waiting_time_days=0,
                        languages=("th", "my"),
                        populations=("people_experiencing_homelessness", "migrants"),
                    ),
                ),
            ),
        ),
    ),
    # --- Legal aid ---------------------------------------------------------------------------------
    OrganisationSpec(
        name="Open Door Legal Aid Clinic",
        short_name="Open Door",
        type=OrganisationType.LEGAL_AID,
        area="dl-central-capital",
        description="Free legal advice and representation for people who use drugs and people in contact "
        "with the justice system.",
        email="advice@opendoorlegal.demoland.example",
        phone="02 555 2300",
        sites=(
            SiteSpec(
                name="Open Door Law Office",
                district="dl-central-capital",
                address="5 Courthouse Lane, Capital City",
                postal_code="10170",
                latitude=Decimal("14.02160"),
                longitude=Decimal("100.51440"),
                hours=OFFICE_HOURS,
                phone="02 555 2301",
                services=(
                    ServiceSpec(
                        name="Legal advice and representation",
                        type=ServiceType.LEGAL_AID,
                        level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
                        description="Lawyers and paralegals help with arrests, identity papers, housing, "
                        "work and family matters. Advice is confidential.",
                        capacity=80,
                        waiting_time_days=3,
                        wheelchair_accessible=True,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        name="Southern Coast Legal Aid Society",
        short_name="SCLAS",
        type=OrganisationType.LEGAL_AID,
        area="dl-south-harbour",
        description="Community paralegals on the southern coast.",
        phone="038 555 2400",
        sites=(
            SiteSpec(
                name="Legal Aid Society Harbour Office",
                district="dl-south-harbour",
                address="12 Anchor Street, Harbour Town",
                postal_code="20100",
                latitude=Decimal("12.61750"),
                longitude=Decimal("101.34120"),
                hours=OFFICE_HOURS,
                phone="038 555 2401",
                services=(
                    ServiceSpec(
                        name="Paralegal outreach clinic",
                        type=ServiceType.LEGAL_AID,
                        level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
                        delivery_mode=DeliveryMode.MOBILE,
                        description="Paralegals hold weekly sessions at drop-in centres and shelters to "
                        "answer legal questions and take on cases.",
                        waiting_time_days=0,
                        languages=("th", "my", "km"),
                        populations=("migrants", "sex_workers"),
                        hours=_hours([2], "10:00", "15:00"),
                    ),
                ),
            ),
        ),
    ),
    # --- Prison health -----------------------------------------------------------------------------
    OrganisationSpec(
        name="Demoland Prison Health Service",
        short_name="PHS",
        type=OrganisationType.PRISON_HEALTH,
        area="dl-central-capital",
        description="Health care inside prisons, run by the health ministry to the same standards as care "
        "outside. Care is voluntary and confidential.",
        phone="02 555 2500",
        sites=(
            SiteSpec(
                name="Central Correctional Facility Clinic",
                district="dl-central-capital",
                address="Prison Road, Capital City",
                postal_code="10180",
                latitude=Decimal("14.06210"),
                longitude=Decimal("100.48830"),
                hours=OFFICE_HOURS,
                phone="02 555 2501",
                services=(
                    ServiceSpec(
                        name="Opioid agonist treatment in custody",
                        type=ServiceType.METHADONE,
                        level=PyramidLevel.SPECIALISED_DRUG_TREATMENT,
                        description="Methadone started or continued in prison so that treatment is not "
                        "interrupted on arrival or on release.",
                        capacity=70,
                        waiting_time_days=1,
                        min_age=18,
                        populations=("people_in_prison",),
                        eligibility_note="For people held at the Central Correctional Facility.",
                        hours=DOSING_HOURS,
                    ),
                    ServiceSpec(
                        name="HIV, hepatitis C and TB testing in custody",
                        type=ServiceType.TB_TESTING,
                        level=PyramidLevel.PRIMARY_HEALTH_CARE,
                        description="Voluntary testing on arrival and at any time on request, with "
                        "treatment in the prison clinic.",
                        waiting_time_days=0,
                        populations=("people_in_prison",),
                    ),
                ),
            ),
            SiteSpec(
                name="Southern Correctional Facility Clinic",
                district="dl-south-harbour",
                address="Cape Road, Harbour Town",
                postal_code="20120",
                latitude=Decimal("12.59380"),
                longitude=Decimal("101.37140"),
                hours=OFFICE_HOURS,
                phone="038 555 2502",
                services=(
                    ServiceSpec(
                        name="Pre-release planning and linkage",
                        type=ServiceType.CASE_MANAGEMENT,
                        level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
                        description="In the last three months before release: appointments booked with a "
                        "treatment service, naloxone on release and a meeting with a peer worker "
                        "at the gate.",
                        capacity=40,
                        waiting_time_days=0,
                        min_age=18,
                        populations=("people_in_prison", "people_recently_released"),
                    ),
                ),
            ),
        ),
    ),
)


# --- Staff -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: Role
    first_name: str
    last_name: str
    organisation: str  # an OrganisationSpec name


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("demo.outreach", Role.OUTREACH_WORKER, "Dara", "Chanthavong", PEER_NETWORK),
    StaffSpec("demo.clinician", Role.CLINICIAN, "Ploy", "Sirikhun", TREATMENT_CENTRE),
    StaffSpec("demo.prescriber", Role.PRESCRIBER, "Arun", "Wattanakit", TREATMENT_CENTRE),
    StaffSpec("demo.dispenser", Role.DISPENSER, "Chanida", "Boonsri", TREATMENT_CENTRE),
    StaffSpec("demo.casemanager", Role.CASE_MANAGER, "Thida", "Myint", TREATMENT_CENTRE),
    StaffSpec("demo.servicemanager", Role.SERVICE_MANAGER, "Vichai", "Pongsathorn", TREATMENT_CENTRE),
    StaffSpec("demo.programme", Role.PROGRAMME_MANAGER, "Malee", "Thongsuk", NATIONAL_PROGRAMME),
    StaffSpec("demo.quality", Role.QUALITY_ASSESSOR, "Sophea", "Keomany", RESOURCE_CENTRE),
    StaffSpec("demo.admin", Role.SYSTEM_ADMINISTRATOR, "Kiet", "Tranh", NATIONAL_PROGRAMME),
    # Staff at more services, so demo clients are spread across the network and consents have somewhere to go.
    StaffSpec("demo.highland", Role.OUTREACH_WORKER, "Naw", "Paw", "Highland Peer Circle"),
    StaffSpec("demo.harbour", Role.CLINICIAN, "Somsak", "Rattana", "Harbour Provincial Hospital"),
)


def demo_email(username: str) -> str:
    return f"{username}@staff.demoland.example"


# --- Helpers over the data ---------------------------------------------------------------------------


def all_services() -> Iterator[tuple[OrganisationSpec, SiteSpec, ServiceSpec]]:
    for organisation in ORGANISATIONS:
        for site in organisation.sites:
            for service in site.services:
                yield organisation, site, service


def all_text() -> Iterator[str]:
    """Every string in the demo data, for checks such as the non-stigmatising-language test."""
    roots: tuple[object, ...] = (POPULATIONS, LANGUAGES, AREAS, ORGANISATIONS, STAFF, FICTIONAL_NOTICE)
    stack: list[object] = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, tuple | list):
            stack.extend(item)
        elif is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in fields(item))
