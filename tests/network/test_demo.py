"""The demo network (``cbtc demo``): complete, fictional, idempotent, and never in production."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from cbtc.audit.models import AuditEvent
from cbtc.audit.services import audit_verify
from cbtc.errors import ServiceError
from cbtc.network import demo_data
from cbtc.network.demo import generate_password, load_demo
from cbtc.network.models import (
    AdminArea,
    AdminAreaLevel,
    Language,
    Membership,
    OpeningHours,
    Organisation,
    OrganisationType,
    Population,
    PyramidLevel,
    Service,
    ServiceType,
    Site,
    User,
)
from cbtc.network.roles import Role

DEMO_USERNAMES = [spec.username for spec in demo_data.STAFF]
STIGMATISING = ("addict", "abuser", "junkie", "drug abuse", "substance abuse")


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def can_sign_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/login/")
    return authenticate(request, username=username, password=password) is not None


def snapshot() -> dict[str, object]:
    """Everything a second run could add or change."""
    return {
        "counts": [
            model.objects.count()
            for model in (
                AdminArea,
                Organisation,
                Site,
                Service,
                OpeningHours,
                Population,
                Language,
                User,
                Membership,
                AuditEvent,
            )
        ],
        "organisations": sorted((str(o.pk), o.updated_at) for o in Organisation.objects.all()),
        "services": sorted((str(s.pk), s.updated_at) for s in Service.objects.all()),
        "passwords": sorted(User.objects.values_list("username", "password")),
    }


# --- The data itself (no database) -----------------------------------------------------------------


def test_demo_data_uses_no_stigmatising_words():
    texts = list(demo_data.all_text())
    assert len(texts) > 500  # the walk really reached the descriptions
    offending = [(word, text) for text in texts for word in STIGMATISING if word in text.lower()]
    assert offending == []


def test_the_country_says_it_is_fictional():
    country = next(a for a in demo_data.AREAS if a.level == AdminAreaLevel.COUNTRY)
    assert "fictional" in country.name.lower()


def test_sites_lie_in_districts_inside_the_country_box():
    districts = {a.code for a in demo_data.AREAS if a.level == AdminAreaLevel.DISTRICT}
    south, west, north, east = demo_data.COORDINATE_BOX
    for organisation in demo_data.ORGANISATIONS:
        assert 1 <= len(organisation.sites) <= 2, organisation.name
        for site in organisation.sites:
            assert site.district in districts, site.name
            assert south <= site.latitude <= north and west <= site.longitude <= east, site.name
            assert site.hours, site.name


def test_generated_passwords_are_long_lowercase_groups():
    password = generate_password()
    assert re.fullmatch(r"[a-z]{5}-[a-z]{5}-[a-z]{5}", password)
    assert password != generate_password()


# --- Loading ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_loaded_network_covers_the_whole_pyramid():
    load_demo()
    provinces = AdminArea.objects.filter(level=AdminAreaLevel.PROVINCE)
    assert provinces.count() >= 3
    for province in provinces:
        assert AdminArea.objects.filter(parent=province).count() in {2, 3}
        assert Organisation.objects.filter(admin_area__path__startswith=province.path).exists(), province.name
    assert Organisation.objects.count() >= 20
    assert set(Organisation.objects.values_list("type", flat=True)) == set(OrganisationType.values)
    services = Service.objects.all()
    assert 55 <= services.count() <= 70
    assert set(services.values_list("type", flat=True)) == set(ServiceType.values)
    for level in PyramidLevel:
        assert services.filter(pyramid_level=level).count() >= 2, level.label
    assert services.filter(delivery_mode="mobile", type=ServiceType.OUTREACH).exists()
    assert services.filter(gender="women").exists()
    assert services.filter(min_age=12, max_age=24).exists()
    assert Population.objects.count() == len(demo_data.POPULATIONS)
    assert Service.objects.filter(populations__code="people_who_inject_drugs").exists()
    assert Site.objects.filter(opening_hours__isnull=True).count() == 0
    assert audit_verify().first_break is None


@pytest.mark.django_db
def test_every_role_has_a_demo_user_each_with_exactly_one_role():
    load_demo()
    users = User.objects.filter(username__in=DEMO_USERNAMES)
    assert users.count() == len(DEMO_USERNAMES) >= len(Role)
    roles = {}
    for user in users.exclude(username__in=["demo.highland", "demo.harbour"]):
        memberships = list(user.memberships.all())
        assert len(memberships) == 1, user.username
        assert not user.must_change_password
        roles[memberships[0].role] = memberships[0].organisation.name
    assert set(roles) == set(Role.values)
    treatment_roles = {
        Role.SERVICE_MANAGER,
        Role.CLINICIAN,
        Role.PRESCRIBER,
        Role.DISPENSER,
        Role.CASE_MANAGER,
    }
    assert {roles[role] for role in treatment_roles} == {demo_data.TREATMENT_CENTRE}
    assert roles[Role.OUTREACH_WORKER] == demo_data.PEER_NETWORK
    assert Organisation.objects.get(name=roles[Role.OUTREACH_WORKER]).type == OrganisationType.COMMUNITY_LED


@pytest.mark.django_db
def test_a_second_load_creates_and_changes_nothing():
    first = load_demo()
    assert first.password is not None
    assert len(first.created_users) == len(demo_data.STAFF)
    before = snapshot()
    second = load_demo()
    assert snapshot() == before
    assert second.password is None
    assert second.created_users == () and second.reset_users == ()
    assert not second.changed
    assert second.totals == first.totals


@pytest.mark.django_db
def test_every_demo_user_can_sign_in_with_the_returned_password():
    password = load_demo().password
    assert password is not None and len(password) >= 12
    for username in DEMO_USERNAMES:
        assert can_sign_in(username, password), username
    assert not can_sign_in(DEMO_USERNAMES[0], password + "x")


@pytest.mark.django_db
def test_a_given_password_must_pass_the_password_rules():
    with pytest.raises(ServiceError, match="password"):
        load_demo(password="short")
    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    result = load_demo(password="lantern-orchid-tugboat")
    assert result.password == "lantern-orchid-tugboat"
    assert can_sign_in("demo.admin", "lantern-orchid-tugboat")


@pytest.mark.django_db
def test_refused_in_production(settings):
    settings.MODE = "production"
    with pytest.raises(ServiceError, match="production"):
        load_demo()
    with pytest.raises(CommandError, match="CBTC_MODE"):
        run_demo()
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


# --- The command -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_prints_each_account_and_the_password_once():
    output = run_demo()
    users = User.objects.filter(username__in=DEMO_USERNAMES)
    assert users.count() == len(DEMO_USERNAMES)
    for username in DEMO_USERNAMES:
        assert username in output
    match = re.search(r"Password for all of these accounts: (\S+)", output)
    assert match is not None
    password = match.group(1)
    assert output.count(password) == 1
    assert can_sign_in("demo.quality", password)
    assert demo_data.FICTIONAL_NOTICE in output
    assert "will not be shown again" in output
    assert "--reset-passwords" in output


@pytest.mark.django_db
def test_a_rerun_says_nothing_changed_and_shows_no_password():
    run_demo()
    output = run_demo()
    assert "Demo network already loaded; nothing changed." in output
    assert "Password" not in output
    assert demo_data.FICTIONAL_NOTICE in output


@pytest.mark.django_db
def test_reset_passwords_gives_every_demo_user_a_new_password():
    old = load_demo().password
    assert old is not None
    before = AuditEvent.objects.filter(action="demo.password_reset").count()
    output = run_demo("--reset-passwords")
    match = re.search(r"Password for all of these accounts: (\S+)", output)
    assert match is not None
    new = match.group(1)
    assert new != old
    assert output.count(new) == 1
    for username in DEMO_USERNAMES:
        assert username in output
        assert can_sign_in(username, new)
        assert not can_sign_in(username, old)
    assert AuditEvent.objects.filter(action="demo.password_reset").count() == before + len(DEMO_USERNAMES)
    assert not User.objects.filter(username__in=DEMO_USERNAMES, must_change_password=True).exists()
    assert audit_verify().first_break is None
