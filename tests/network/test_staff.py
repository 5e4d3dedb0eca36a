"""Staff management by service managers, through the pages they use, and the rules underneath."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbtc.audit.models import AuditEvent
from cbtc.audit.services import audit_verify
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import ApiToken, Membership, User
from cbtc.network.roles import Role
from cbtc.network.services.staff import (
    membership_add,
    membership_remove,
    staff_create,
    staff_disable,
    staff_password_reset,
)
from tests.conftest import PASSWORD, bearer, signed_in_client

pytestmark = pytest.mark.django_db


def staff_url(org, user=None, action=""):
    base = f"/staff/{org.pk}/"
    return f"{base}people/{user.pk}/{action}" if user else base


def test_a_service_manager_sees_the_staff_of_their_organisation(network, personas):
    manager = personas.by_role[Role.SERVICE_MANAGER]
    client = signed_in_client(manager)
    assert client.get("/staff/").url == staff_url(network.org_a)
    page = client.get(staff_url(network.org_a))
    assert page.status_code == 200
    assert b"a.outreach_worker" in page.content
    assert b"b.manager" not in page.content


def test_the_staff_list_costs_a_fixed_number_of_queries(network, personas, django_assert_max_num_queries):
    client = signed_in_client(personas.by_role[Role.SERVICE_MANAGER])
    for i in range(15):
        staff_create(actor=None, organisation=network.org_a, role=Role.CLINICIAN, username=f"extra{i}")
    with django_assert_max_num_queries(14):
        assert client.get(staff_url(network.org_a)).status_code == 200


def test_another_organisations_manager_gets_404_not_a_hint(network, personas):
    outsider = signed_in_client(personas.outsider_manager)
    target = personas.by_role[Role.CLINICIAN]
    assert outsider.get(staff_url(network.org_a)).status_code == 404
    assert outsider.get(staff_url(network.org_a, target)).status_code == 404
    assert outsider.post(staff_url(network.org_a, target, "disable/")).status_code == 404
    # Even through their own organisation's URL, a person of another organisation is not found.
    assert outsider.get(staff_url(network.org_b, target)).status_code == 404
    target.refresh_from_db()
    assert target.is_active


def test_creating_a_member_of_staff_shows_a_one_time_password_that_must_be_replaced(network, personas):
    client = signed_in_client(personas.by_role[Role.SERVICE_MANAGER])
    response = client.post(
        f"{staff_url(network.org_a)}new/",
        {
            "first_name": "Dara",
            "last_name": "Sok",
            "username": "dara.sok",
            "email": "",
            "role": Role.OUTREACH_WORKER,
        },
    )
    assert response.status_code == 200
    one_time = re.search(rb'aria-label="One-time password">([a-z0-9-]+)<', response.content).group(1).decode()
    newcomer = User.objects.get(username="dara.sok")
    assert newcomer.must_change_password
    assert Membership.objects.filter(user=newcomer, organisation=network.org_a, role=Role.OUTREACH_WORKER).exists()
    assert AuditEvent.objects.filter(action="staff.create", object_id=str(newcomer.pk)).exists()
    assert one_time.encode() not in b"".join(e.hash.encode() for e in AuditEvent.objects.all())

    first_visit = Client()
    first_visit.post("/login/", {"username": "dara.sok", "password": one_time})
    assert first_visit.get("/directory/").url == "/account/password/"
    weak = first_visit.post("/account/password/", {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 400
    assert b"too short" in weak.content
    done = first_visit.post(
        "/account/password/",
        {"new_password1": "river lantern copper mango", "new_password2": "river lantern copper mango"},
    )
    assert done.status_code == 302
    assert first_visit.get("/directory/").status_code == 200
    # The session renewed by the password change is still the one disabling would end.
    manager = personas.by_role[Role.SERVICE_MANAGER]
    staff_disable(actor=manager, user=newcomer)
    assert first_visit.get("/directory/").url.startswith("/login/")
    assert AuditEvent.objects.get(action="staff.disable").details["sessions_ended"] == 1


def test_bad_input_is_reported_next_to_the_field(network, personas):
    client = signed_in_client(personas.by_role[Role.SERVICE_MANAGER])
    response = client.post(
        f"{staff_url(network.org_a)}new/",
        {
            "first_name": "",
            "username": "a.clinician",
            "role": Role.CLINICIAN,
        },
    )
    assert response.status_code == 400
    assert b'id="id_first_name_error"' in response.content
    taken = client.post(
        f"{staff_url(network.org_a)}new/",
        {
            "first_name": "X",
            "username": "a.clinician",
            "role": Role.CLINICIAN,
        },
    )
    assert b"already taken" in taken.content
    assert User.objects.filter(username="a.clinician").count() == 1


def test_a_service_manager_cannot_create_a_system_administrator(network, personas):
    manager = personas.by_role[Role.SERVICE_MANAGER]
    with pytest.raises(NotPermitted):
        staff_create(actor=manager, organisation=network.org_a, role=Role.SYSTEM_ADMINISTRATOR, username="sneaky")
    client = signed_in_client(manager)
    response = client.post(
        f"{staff_url(network.org_a)}new/",
        {
            "first_name": "S",
            "username": "sneaky",
            "role": Role.SYSTEM_ADMINISTRATOR,
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="sneaky").exists()


def test_a_system_administrator_manages_any_organisation(network, personas):
    admin = personas.by_role[Role.SYSTEM_ADMINISTRATOR]
    client = signed_in_client(admin)
    assert client.get(staff_url(network.org_b)).status_code == 200
    membership_add(actor=admin, user=personas.outsider_manager, organisation=network.org_b, role=Role.QUALITY_ASSESSOR)


def test_disabling_ends_every_session_and_revokes_every_token_at_once(network, personas):
    clinician = personas.by_role[Role.CLINICIAN]
    phone, laptop = signed_in_client(clinician), signed_in_client(clinician)
    token_headers = bearer(clinician)
    assert Client(**token_headers).get("/api/v1/me").status_code == 200

    manager = signed_in_client(personas.by_role[Role.SERVICE_MANAGER])
    assert manager.post(staff_url(network.org_a, clinician, "disable/")).status_code == 302

    for session in (phone, laptop):
        assert session.get("/directory/").url.startswith("/login/")
    assert Client(**token_headers).get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=clinician, revoked_at__isnull=True).exists()
    assert Session.objects.count() == 1  # only the manager's own session is left
    assert Client().post("/login/", {"username": clinician.username, "password": PASSWORD}).status_code == 400
    event = AuditEvent.objects.get(action="staff.disable")
    assert event.details == {"sessions_ended": 2, "tokens_revoked": 1}
    assert audit_verify().ok


def test_you_cannot_disable_yourself_or_drop_your_own_manager_role(network, personas):
    manager = personas.by_role[Role.SERVICE_MANAGER]
    with pytest.raises(ServiceError):
        staff_disable(actor=manager, user=manager)
    own = Membership.objects.get(user=manager, role=Role.SERVICE_MANAGER)
    with pytest.raises(ServiceError):
        membership_remove(actor=manager, membership=own)


def test_roles_can_be_added_and_removed_but_never_the_last_one(network, personas):
    manager = personas.by_role[Role.SERVICE_MANAGER]
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = signed_in_client(manager)
    client.post(staff_url(network.org_a, worker, "roles/"), {"role": Role.CASE_MANAGER})
    assert set(worker.memberships.values_list("role", flat=True)) == {Role.OUTREACH_WORKER, Role.CASE_MANAGER}
    first, _second = worker.memberships.order_by("role")
    client.post(staff_url(network.org_a, worker, f"roles/{first.pk}/remove/"))
    last = worker.memberships.get()
    response = client.post(staff_url(network.org_a, worker, f"roles/{last.pk}/remove/"), follow=True)
    assert b"only role" in response.content
    assert worker.memberships.count() == 1


def test_a_password_reset_signs_the_person_out_and_forces_a_new_password(network, personas):
    dispenser = personas.by_role[Role.DISPENSER]
    session = signed_in_client(dispenser)
    manager = signed_in_client(personas.by_role[Role.SERVICE_MANAGER])
    response = manager.post(staff_url(network.org_a, dispenser, "password-reset/"))
    assert b"One-time password" in response.content
    assert session.get("/").url.startswith("/login/")
    dispenser.refresh_from_db()
    assert dispenser.must_change_password


def test_enable_restores_access(network, personas):
    worker = personas.by_role[Role.OUTREACH_WORKER]
    manager = signed_in_client(personas.by_role[Role.SERVICE_MANAGER])
    manager.post(staff_url(network.org_a, worker, "disable/"))
    manager.post(staff_url(network.org_a, worker, "enable/"))
    assert signed_in_client(worker).get("/").status_code == 200


def test_a_lost_phone_is_handled_by_resetting_the_second_factor(network, personas, settings):
    settings.REQUIRE_MFA = True
    clinician = personas.by_role[Role.CLINICIAN]
    TOTPDevice.objects.create(user=clinician, name="old phone", confirmed=True)
    manager = personas.by_role[Role.SERVICE_MANAGER]
    TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    client = signed_in_client(manager)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=manager).persistent_id
    session.save()
    assert client.post(staff_url(network.org_a, clinician, "mfa-reset/")).status_code == 302
    assert not TOTPDevice.objects.filter(user=clinician).exists()
    assert AuditEvent.objects.filter(action="staff.mfa_reset", object_id=str(clinician.pk)).exists()
    setup = signed_in_client(clinician).get("/account/verify/")
    assert b"Protect your account" in setup.content


def test_a_service_manager_cannot_take_over_an_account_with_roles_they_do_not_manage(network, personas):
    manager = personas.by_role[Role.SERVICE_MANAGER]
    admin = personas.by_role[Role.SYSTEM_ADMINISTRATOR]  # holds a network-wide role at the manager's organisation
    client = signed_in_client(manager)
    for action in ("password-reset/", "mfa-reset/", "disable/"):
        response = client.post(staff_url(network.org_a, admin, action), follow=True)
        assert b"One-time password" not in response.content
        assert b"do not manage" in response.content
    admin.refresh_from_db()
    assert admin.is_active
    assert not admin.must_change_password
    with pytest.raises(NotPermitted):
        staff_password_reset(actor=manager, user=admin)
    # Someone who also works for another organisation is out of reach too.
    clinician = personas.by_role[Role.CLINICIAN]
    membership_add(actor=None, user=clinician, organisation=network.org_b, role=Role.CASE_MANAGER)
    with pytest.raises(NotPermitted):
        staff_disable(actor=manager, user=clinician)


def test_managers_cannot_give_themselves_roles_or_reset_their_own_password(network, personas):
    manager = personas.by_role[Role.SERVICE_MANAGER]
    client = signed_in_client(manager)
    response = client.post(staff_url(network.org_a, manager, "roles/"), {"role": Role.PRESCRIBER})
    assert response.status_code == 400
    assert b'id="id_role_error"' in response.content
    assert not manager.memberships.filter(role=Role.PRESCRIBER).exists()
    with pytest.raises(ServiceError):
        staff_password_reset(actor=manager, user=manager)


def test_resetting_the_second_factor_also_revokes_api_tokens(network, personas):
    clinician = personas.by_role[Role.CLINICIAN]
    headers = bearer(clinician)
    signed_in_client(personas.by_role[Role.SERVICE_MANAGER]).post(staff_url(network.org_a, clinician, "mfa-reset/"))
    assert Client(**headers).get("/api/v1/me").status_code == 401
