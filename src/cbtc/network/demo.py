"""Load the fictional demo network (``cbtc demo``) through the network services.

Idempotent: rows are recognised by their natural keys (area code, organisation name, site and service name
within their organisation, user name) and existing rows are left exactly as they are. Refused outside the
demo and test modes, because demo accounts with printed passwords must never reach a production database.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.errors import ServiceError
from cbtc.network import demo_data as data
from cbtc.network.models import (
    AdminArea,
    AdminAreaLevel,
    Language,
    Organisation,
    Population,
    Service,
    Site,
    User,
)
from cbtc.network.roles import Role
from cbtc.network.services.directory import (
    admin_area_create,
    organisation_create,
    service_create,
    site_create,
)
from cbtc.network.services.staff import staff_create

ALLOWED_MODES = ("demo", "test")
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz"  # noqa: S105  # lower case without the look-alikes i, l, o
_PASSWORD_GROUPS = 3
_PASSWORD_GROUP_LENGTH = 5


class Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    organisation: str


@dataclass(frozen=True)
class DemoResult:
    created: dict[str, int]  # rows created by this run, by kind
    totals: dict[str, int]  # rows of the demo network now in the database, by kind
    created_users: tuple[DemoUser, ...] = ()
    reset_users: tuple[DemoUser, ...] = ()
    # The shared password of created_users and reset_users; None when no password was set.
    password: str | None = field(default=None, repr=False)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or bool(self.reset_users)


def generate_password() -> str:
    """Three groups of lower-case letters joined by '-', e.g. 'kqzvt-mbrwe-hnpax' (17 characters)."""
    return "-".join(
        "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_GROUP_LENGTH))
        for _ in range(_PASSWORD_GROUPS)
    )


def _password_problems(password: str, users: list[User]) -> list[str]:
    problems: list[str] = []
    for user in users:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            problems.extend(exc.messages)
    return problems


def _shared_password(requested: str | None, users: list[User]) -> str:
    """The given password if it passes the password rules for every demo user, else a generated one."""
    if requested is not None:
        problems = _password_problems(requested, users)
        if problems:
            raise ServiceError("The demo password is not acceptable: " + " ".join(dict.fromkeys(problems)))
        return requested
    for _ in range(20):
        candidate = generate_password()
        if not _password_problems(candidate, users):
            return candidate
    raise ServiceError("Could not generate a demo password that passes the password rules.")


def _ensure_reference(created: Counter[str]) -> tuple[dict[str, Population], dict[str, Language]]:
    # There is no service for these reference rows (nothing audits them); plain get_or_create keeps them.
    populations: dict[str, Population] = {}
    for code, name in data.POPULATIONS:
        populations[code], new = Population.objects.get_or_create(code=code, defaults={"name": name})
        created["populations"] += new
    languages: dict[str, Language] = {}
    for code, name in data.LANGUAGES:
        languages[code], new = Language.objects.get_or_create(code=code, defaults={"name": name})
        created["languages"] += new
    return populations, languages


def _ensure_areas(created: Counter[str]) -> dict[str, AdminArea]:
    areas = {area.code: area for area in AdminArea.objects.filter(code__in=[a.code for a in data.AREAS])}
    for spec in data.AREAS:  # parents come before their children in the data
        if spec.code not in areas:
            parent = areas[spec.parent] if spec.parent else None
            areas[spec.code] = admin_area_create(
                actor=None, name=spec.name, code=spec.code, level=spec.level, parent=parent
            )
            created["areas"] += 1
    return areas


def _ensure_directory(areas: dict[str, AdminArea], created: Counter[str], out: Writer | None) -> None:
    populations, languages = _ensure_reference(created)
    for org_spec in data.ORGANISATIONS:
        organisation = Organisation.objects.filter(name=org_spec.name).first()
        if organisation is None:
            organisation = organisation_create(
                actor=None,
                name=org_spec.name,
                short_name=org_spec.short_name,
                type=org_spec.type,
                description=org_spec.description,
                website=org_spec.website,
                email=org_spec.email,
                phone=org_spec.phone,
                admin_area=areas[org_spec.area],
            )
            created["organisations"] += 1
            if out is not None:
                out.write(f"Created organisation: {organisation.name}\n")
        for site_spec in org_spec.sites:
            site = Site.objects.filter(organisation=organisation, name=site_spec.name).first()
            if site is None:
                site = site_create(
                    actor=None,
                    organisation=organisation,
                    opening_hours=site_spec.hours,
                    name=site_spec.name,
                    address=site_spec.address,
                    postal_code=site_spec.postal_code,
                    admin_area=areas[site_spec.district],
                    latitude=site_spec.latitude,
                    longitude=site_spec.longitude,
                    time_zone=site_spec.time_zone,
                    phone=site_spec.phone,
                    directions=site_spec.directions,
                )
                created["sites"] += 1
            existing = set(Service.objects.filter(organisation=organisation).values_list("name", flat=True))
            for spec in site_spec.services:
                if spec.name in existing:
                    continue
                service_create(
                    actor=None,
                    site=site,
                    name=spec.name,
                    type=spec.type,
                    pyramid_level=spec.level,
                    description=spec.description,
                    delivery_mode=spec.delivery_mode,
                    capacity=spec.capacity,
                    waiting_time_days=spec.waiting_time_days,
                    waiting_time_updated_at=timezone.now() if spec.waiting_time_days is not None else None,
                    min_age=spec.min_age,
                    max_age=spec.max_age,
                    gender=spec.gender,
                    populations=[populations[code] for code in spec.populations],
                    languages=[languages[code] for code in spec.languages],
                    eligibility_note=spec.eligibility_note,
                    self_referral=spec.self_referral,
                    cost=spec.cost,
                    cost_note=spec.cost_note,
                    wheelchair_accessible=spec.wheelchair_accessible,
                    accessibility_note=spec.accessibility_note,
                    opening_hours=spec.hours,
                )
                created["services"] += 1


def _ensure_staff(
    *,
    password: str | None,
    reset_passwords: bool,
    created: Counter[str],
    out: Writer | None,
) -> tuple[tuple[DemoUser, ...], tuple[DemoUser, ...], str | None]:
    existing = {u.username: u for u in User.objects.filter(username__in=[s.username for s in data.STAFF])}
    missing = [spec for spec in data.STAFF if spec.username not in existing]
    to_reset = [spec for spec in data.STAFF if spec.username in existing] if reset_passwords else []
    if not missing and not to_reset:
        return (), (), None
    # Check the password against every demo account it will open, including the similarity rule.
    candidates = [existing[s.username] for s in to_reset] + [
        User(username=s.username, first_name=s.first_name, last_name=s.last_name, email=data.demo_email(s.username))
        for s in missing
    ]
    shared = _shared_password(password, candidates)
    org_names = {spec.organisation for spec in data.STAFF}
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=org_names)}

    def described(spec: data.StaffSpec) -> DemoUser:
        return DemoUser(username=spec.username, role=spec.role, organisation=spec.organisation)

    for spec in missing:
        staff_create(
            actor=None,
            organisation=organisations[spec.organisation],
            role=spec.role,
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=data.demo_email(spec.username),
            password=shared,
        )
        created["users"] += 1
        if out is not None:
            out.write(f"Created demo account: {spec.username}\n")
    for spec in to_reset:
        user = existing[spec.username]
        user.set_password(shared)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit_record(actor=None, action="demo.password_reset", object_type="user", object_id=user.pk)
    return tuple(described(s) for s in missing), tuple(described(s) for s in to_reset), shared


def demo_totals() -> dict[str, int]:
    """How much of the demo network is in the database."""
    org_names = [o.name for o in data.ORGANISATIONS]
    areas = AdminArea.objects.filter(path__startswith=f"/{data.COUNTRY_CODE}/")
    return {
        "provinces": areas.filter(level=AdminAreaLevel.PROVINCE).count(),
        "districts": areas.filter(level=AdminAreaLevel.DISTRICT).count(),
        "organisations": Organisation.objects.filter(name__in=org_names).count(),
        "sites": Site.objects.filter(organisation__name__in=org_names).count(),
        "services": Service.objects.filter(organisation__name__in=org_names).count(),
        "staff": User.objects.filter(username__in=[s.username for s in data.STAFF]).count(),
    }


def load_demo(
    *,
    password: str | None = None,
    stdout: Writer | None = None,
    reset_passwords: bool = False,
) -> DemoResult:
    """Create whatever part of the demo network is missing, in one transaction.

    Accounts created by this run (and, with ``reset_passwords``, every existing demo account) get one
    shared password: ``password`` if given, else a generated one. It is returned once and never stored.
    """
    if settings.MODE not in ALLOWED_MODES:
        raise ServiceError(
            f"The demo network can only be loaded when CBTC_MODE is 'demo' or 'test' "
            f"(it is '{settings.MODE}'). "
            "Demo accounts with printed passwords must never reach a production database."
        )
    created: Counter[str] = Counter()
    with transaction.atomic():
        areas = _ensure_areas(created)
        _ensure_directory(areas, created, stdout)
        created_users, reset_users, shared = _ensure_staff(
            password=password, reset_passwords=reset_passwords, created=created, out=stdout
        )
        totals = demo_totals()
    return DemoResult(
        created=dict(created),
        totals=totals,
        created_users=created_users,
        reset_users=reset_users,
        password=shared,
    )
