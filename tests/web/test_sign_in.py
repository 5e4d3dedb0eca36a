"""Signing in: passwords, lockout, the second factor, session lifetime."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbtc import settings as product_settings
from cbtc.audit.models import AuditEvent
from cbtc.network.models import StaffSession
from cbtc.network.roles import Role
from cbtc.web.policy import SESSION_STARTED_KEY
from tests.conftest import PASSWORD, signed_in_client

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_passwords_are_hashed_with_argon2_outside_tests(settings):
    assert product_settings.PASSWORD_HASHERS[-2].endswith("Argon2PasswordHasher")
    assert "MD5" not in "".join(product_settings.PASSWORD_HASHERS[-2:])


def test_signing_in_is_audited_and_lands_on_the_home_page(personas):
    client = Client()
    user = personas.by_role[Role.CASE_MANAGER]
    response = client.post("/login/", {"username": user.username.upper(), "password": PASSWORD})
    assert response.url == "/"
    assert AuditEvent.objects.filter(action="auth.login", actor_id=str(user.pk)).exists()


def test_a_wrong_password_says_so_and_is_audited_without_the_password(personas):
    response = Client().post("/login/", {"username": "a.clinician", "password": "not-it"})
    assert response.status_code == 400
    assert b"do not match" in response.content
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert "not-it" not in str(event.details)


def test_the_next_parameter_cannot_send_people_off_site(personas):
    client = Client()
    response = client.post(
        "/login/?next=https://evil.example/",
        {"username": "a.clinician", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == "/"


def test_an_account_is_locked_after_repeated_failures_even_with_the_right_password(personas, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "a.prescriber", "password": "wrong"})
    locked = client.post("/login/", {"username": "a.prescriber", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"locked" in locked.content
    assert AuditEvent.objects.filter(action="auth.lockout").exists()
    # Another person's account is unaffected.
    assert Client().post("/login/", {"username": "a.dispenser", "password": PASSWORD}).status_code == 302


@pytest.fixture
def mfa_required(settings):
    settings.REQUIRE_MFA = True


def test_roles_that_see_client_data_must_enrol_a_second_factor(personas, mfa_required, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the guessing slow-down has its own test below
    clinician = personas.by_role[Role.CLINICIAN]
    client = signed_in_client(clinician)
    assert client.get("/directory/").url == "/account/verify/"
    setup = client.get("/account/verify/")
    assert b"<svg" in setup.content  # QR code rendered inline, no external service
    device = TOTPDevice.objects.get(user=clinician, confirmed=False)
    wrong = client.post("/account/verify/", {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert client.post("/account/verify/", {"token": code_for(device)}).url == "/"
    assert client.get("/directory/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_enrol", actor_id=str(clinician.pk)).exists()


def test_an_enrolled_user_is_asked_for_a_code_at_every_sign_in(personas, mfa_required):
    prescriber = personas.by_role[Role.PRESCRIBER]
    device = TOTPDevice.objects.create(user=prescriber, name="phone", confirmed=True)
    client = signed_in_client(prescriber)
    assert client.get("/").url == "/account/verify/"
    response = client.get("/account/verify/")
    assert b"Enter your code" in response.content
    assert client.post("/account/verify/", {"token": code_for(device)}).url == "/"
    assert client.get("/").status_code == 200


def test_aggregate_only_roles_do_not_need_a_second_factor(personas, mfa_required):
    client = signed_in_client(personas.by_role[Role.PROGRAMME_MANAGER])
    assert client.get("/").status_code == 200


def test_sessions_end_after_the_absolute_lifetime(personas, settings):
    client = signed_in_client(personas.by_role[Role.OUTREACH_WORKER])
    session = client.session
    session[SESSION_STARTED_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    assert client.get("/directory/").url == "/login/?expired=1"
    assert client.get("/directory/").url.startswith("/login/?next=")
    assert AuditEvent.objects.get(action="auth.logout").details == {"reason": "expired"}
    assert not StaffSession.objects.exists()


def test_htmx_requests_are_sent_to_sign_in_with_a_full_page_redirect(personas):
    response = Client().get("/directory/?type=methadone", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/login/?next=")


def test_signing_out_ends_the_session(personas):
    client = signed_in_client(personas.by_role[Role.OUTREACH_WORKER])
    assert client.post("/logout/").url == "/login/"
    assert client.get("/").url.startswith("/login/")
    assert AuditEvent.objects.filter(action="auth.logout").exists()


def test_pages_carry_security_headers(personas):
    response = Client().get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert b"https://" not in response.content  # nothing loaded from elsewhere


def test_wrong_codes_slow_down_guessing(personas, mfa_required):
    prescriber = personas.by_role[Role.PRESCRIBER]
    device = TOTPDevice.objects.create(user=prescriber, name="phone", confirmed=True)
    client = signed_in_client(prescriber)
    right = code_for(device)
    client.post("/account/verify/", {"token": "000000" if right != "000000" else "111111"})
    throttled = client.post("/account/verify/", {"token": right})
    assert throttled.status_code == 400
    assert b"Too many wrong codes" in throttled.content


def test_a_stolen_password_alone_cannot_change_the_password(personas, mfa_required):
    prescriber = personas.by_role[Role.PRESCRIBER]
    TOTPDevice.objects.create(user=prescriber, name="phone", confirmed=True)
    thief = signed_in_client(prescriber)
    response = thief.post(
        "/account/password/",
        {"new_password1": "river lantern copper mango", "new_password2": "river lantern copper mango"},
    )
    assert response.url == "/account/verify/"
    assert Client().post("/login/", {"username": prescriber.username, "password": PASSWORD}).status_code == 302


def test_the_session_gets_a_new_key_once_the_second_factor_is_given(personas, mfa_required):
    prescriber = personas.by_role[Role.PRESCRIBER]
    device = TOTPDevice.objects.create(user=prescriber, name="phone", confirmed=True)
    client = signed_in_client(prescriber)
    before = client.session.session_key
    client.post("/account/verify/", {"token": code_for(device)})
    after = client.session.session_key
    assert after != before
    assert StaffSession.objects.filter(user=prescriber, session_key=after).exists()


def test_two_pending_enrolments_do_not_break_the_setup_page(personas, mfa_required):
    clinician = personas.by_role[Role.CLINICIAN]
    TOTPDevice.objects.create(user=clinician, name="a", confirmed=False)
    TOTPDevice.objects.create(user=clinician, name="b", confirmed=False)
    assert signed_in_client(clinician).get("/account/verify/").status_code == 200


def test_failed_sign_ins_cannot_flood_the_audit_trail(personas, settings):
    client = Client()
    for _ in range(20):
        client.post("/login/", {"username": "no.such.person", "password": "x"})
    for _ in range(20):
        client.post("/login/", {"username": "a.dispenser", "password": "wrong"})
    # The attempt that reaches the limit is recorded as the lockout itself.
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == settings.AXES_FAILURE_LIMIT - 1
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 1
