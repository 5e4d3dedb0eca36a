"""Word lists for the fictional demo clients (``cbtc.clients.demo``). Nothing here touches the database.

Every person made from these lists is INVENTED: names are drawn at random from common given and family names
of the region, so any resemblance to a real person is a coincidence. Phone numbers use the +00 prefix, which
no country has, and national ID numbers start with "DEMO", so neither can reach or name anyone.

The lists cover South-East Asia (Thai, Lao, Khmer, Vietnamese, Burmese, Malay, Indonesian, Filipino),
South Asia (Nepali, Bengali, Hindi, Tamil, Sinhala) and a few others (Chinese, Karen, Hmong, and names a
migrant worker or a visitor might have), because people who use drugs in border and port towns come from
everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class NameGroup:
    """Names of one language group: given names by sex at birth (a person may use another), family names."""

    key: str
    weight: int  # how often a demo client's names come from this group
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


NAME_GROUPS: tuple[NameGroup, ...] = (
    NameGroup(
        "thai",
        30,
        female=("Siriporn", "Malee", "Kanya", "Ratana", "Wilai", "Pensri", "Jintana", "Nattaya", "Orathai", "Suda"),
        male=("Somchai", "Prasert", "Anan", "Chaiwat", "Kittisak", "Narong", "Sombat", "Surasak", "Wichai", "Thawat"),
        family=(
            "Srisawang",
            "Boonmee",
            "Kaewmanee",
            "Thongdee",
            "Rattanakorn",
            "Saengchai",
            "Phromma",
            "Wongsuwan",
            "Chaiprasit",
            "Inthanon",
        ),
    ),
    NameGroup(
        "lao",
        10,
        female=("Bounmy", "Khamla", "Manivanh", "Phonsavanh", "Vilayvanh", "Souksavanh"),
        male=("Bounthavy", "Khampheng", "Sengdao", "Souliya", "Vongsa", "Phetsamone"),
        family=("Phommachanh", "Sisouphanh", "Keomanivong", "Vongphachanh", "Inthavong", "Xaysana"),
    ),
    NameGroup(
        "khmer",
        8,
        female=("Sreymom", "Channary", "Bopha", "Sokunthea", "Kunthea", "Raksmey"),
        male=("Sokha", "Vannak", "Dara", "Rithy", "Piseth", "Samnang"),
        family=("Chhim", "Sok", "Keo", "Prak", "Heng", "Mao"),
    ),
    NameGroup(
        "vietnamese",
        10,
        female=("Lan", "Huong", "Thu", "Mai", "Ngoc", "Phuong"),
        male=("Minh", "Tuan", "Hung", "Duc", "Quang", "Long"),
        family=("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"),
    ),
    NameGroup(
        "burmese",
        10,
        female=("Thandar", "Khin", "Nilar", "Ei Mon", "Hnin Wai", "Su Su"),
        male=("Aung Ko", "Min Thu", "Zaw Lin", "Kyaw Soe", "Htet Naing", "Thura"),
        family=("Aung", "Win", "Htun", "Oo", "Myint", "Naing"),
    ),
    NameGroup(
        "malay_indonesian",
        6,
        female=("Siti", "Nurul", "Aisyah", "Dewi", "Rina", "Wulan"),
        male=("Ahmad", "Budi", "Hafiz", "Rizal", "Agus", "Farid"),
        family=("Abdullah", "Rahman", "Santoso", "Hidayat", "Ismail", "Setiawan"),
    ),
    NameGroup(
        "filipino",
        5,
        female=("Maricel", "Jocelyn", "Rowena", "Liza", "Analyn", "Cristina"),
        male=("Rodel", "Jomar", "Arnel", "Ramil", "Dante", "Noel"),
        family=("Dela Cruz", "Santos", "Reyes", "Bautista", "Mendoza", "Villanueva"),
    ),
    NameGroup(
        "south_asian",
        8,
        female=("Sita", "Anjali", "Nasrin", "Priya", "Kamala", "Dilani", "Fatema", "Meena"),
        male=("Ramesh", "Bikash", "Arif", "Suresh", "Kumar", "Nuwan", "Rahim", "Prakash"),
        family=("Shrestha", "Gurung", "Hossain", "Das", "Perera", "Sharma", "Rai", "Begum"),
    ),
    NameGroup(
        "chinese",
        5,
        female=("Mei Ling", "Xiu Ying", "Li Na", "Hui Min"),
        male=("Wei", "Jian", "Hao", "Cheng"),
        family=("Li", "Wang", "Zhang", "Chen", "Lim", "Tan"),
    ),
    NameGroup(
        "hill_peoples",
        5,
        female=("Naw Paw", "Mee Lee", "Nou", "Pa Dee"),
        male=("Saw Htoo", "Chue Lee", "Tou", "Kong Meng"),
        family=("Vang", "Xiong", "Moua", "Yang", "Lor", "Thao"),
    ),
    NameGroup(
        "other",
        3,
        female=("Anna", "Grace", "Amina", "Sofia"),
        male=("Daniel", "Joseph", "Ibrahim", "Mateo"),
        family=("Miller", "Okafor", "Novak", "Silva", "Haddad"),
    ),
)

# Short everyday names, as people are known on the street and in drop-in centres (never a description of
# anyone's drug use or situation).
NICKNAMES: tuple[str, ...] = (
    "Nok",
    "Lek",
    "Noi",
    "Pim",
    "Ton",
    "Bee",
    "Jum",
    "Kai",
    "Mod",
    "Oat",
    "Golf",
    "Tum",
    "Ple",
    "Fah",
    "Nan",
    "Joy",
    "Boy",
    "Pond",
    "Bank",
    "Dao",
    "Som",
    "Kung",
    "Aom",
    "Ying",
    "Toon",
    "Mew",
    "Bo",
    "Tee",
    "Nut",
    "Jay",
    "Sunny",
    "Mango",
    "Tiger",
    "Pepper",
    "Captain",
    "Guitar",
    "Rainbow",
    "Lucky",
    "Moon",
    "Bird",
)

# Fictional places for the few clients who give an address: Demoland's demo towns and invented streets.
STREETS: tuple[str, ...] = (
    "Old Market Road",
    "Lotus Lane",
    "Harbour Walk",
    "Temple Street",
    "Rail Yard Soi 4",
    "River Bank Road",
    "Tamarind Alley",
    "Fishermen's Row",
    "Mango Grove Lane",
    "Station Road",
)
TOWNS: tuple[str, ...] = ("Capital City", "Riverside", "Lakeshore", "Harbour", "Pine Valley", "Gateway")

# Main substances by province of the registering organisation, as (substance code, weight). Plausible for the
# region (opium and heroin in the highlands, methamphetamine everywhere, kratom in the south); invented figures.
SUBSTANCES_BY_REGION: dict[str, tuple[tuple[str, int], ...]] = {
    "north": (
        ("heroin", 30),
        ("opium", 22),
        ("methamphetamine", 30),
        ("alcohol", 8),
        ("cannabis", 6),
        ("kratom", 2),
        ("sedatives", 2),
    ),
    "central": (
        ("methamphetamine", 42),
        ("heroin", 20),
        ("alcohol", 12),
        ("cannabis", 10),
        ("kratom", 6),
        ("other_opioids", 4),
        ("sedatives", 3),
        ("opium", 3),
    ),
    "south": (
        ("methamphetamine", 35),
        ("kratom", 25),
        ("heroin", 14),
        ("alcohol", 10),
        ("cannabis", 10),
        ("inhalants", 4),
        ("sedatives", 2),
    ),
    "east": (
        ("methamphetamine", 48),
        ("heroin", 16),
        ("alcohol", 14),
        ("cannabis", 10),
        ("kratom", 8),
        ("opium", 4),
    ),
}
DEFAULT_REGION = "central"
OPIOIDS = frozenset({"heroin", "opium", "other_opioids"})

# Ethics approval reference of the one demo research study that clients may consent to share data with.
RESEARCH_ETHICS_REFERENCE = "ERC-2026-014"


def all_text() -> Iterator[str]:
    """Every string in these lists, for the non-stigmatising-language test."""
    for group in NAME_GROUPS:
        yield from (group.key, *group.female, *group.male, *group.family)
    yield from NICKNAMES
    yield from STREETS
    yield from TOWNS
    yield RESEARCH_ETHICS_REFERENCE
