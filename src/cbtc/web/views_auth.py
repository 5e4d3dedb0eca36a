"""Signing in and out, the second factor, and replacing a one-time password."""

from __future__ import annotations

import base64
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbtc.audit.services import audit_record
from cbtc.errors import ServiceError
from cbtc.network.models import User
from cbtc.network.services.staff import (
    login_failure_record,
    password_change,
    session_ended,
    session_renewed,
    session_started,
)
from cbtc.web.forms import LoginForm, OtpForm, PasswordChangeForm
from cbtc.web.policy import SESSION_STARTED_KEY, account_step, mfa_pending, public


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


@public
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("web:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"].strip().lower(), password=form.cleaned_data["password"]
        )
        if isinstance(user, User):
            login(request, user)
            request.session[SESSION_STARTED_KEY] = time.time()
            session_started(user=user, session_key=request.session.session_key or "")
            return redirect(_safe_next(request))
        login_failure_record(
            username=form.cleaned_data["username"], locked_out=bool(getattr(request, "axes_locked_out", False))
        )
        form.add_error(None, "That user name and password do not match. Check both and try again.")
    context = {"form": form, "next": request.GET.get("next", ""), "expired": request.GET.get("expired") == "1"}
    return render(request, "web/login.html", context, status=400 if form.errors else 200)


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """What django-axes shows after too many failed attempts for one user name."""
    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    return render(request, "web/locked.html", {"minutes": minutes}, status=429)


@account_step
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        session_ended(user=request.user, session_key=request.session.session_key)
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("web:login")


def _second_factor_given(request: HttpRequest, user: User, device: TOTPDevice) -> None:
    """Mark the session verified under a new key: the stronger session must not reuse the weaker one's key."""
    old_key = request.session.session_key
    request.session.cycle_key()
    session_renewed(user=user, old_key=old_key, new_key=request.session.session_key)
    otp_login(request, device)


def _wrong_code_message(device: TOTPDevice) -> str:
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        # django-otp slows down guessing after each wrong code; say so rather than reject a right one silently.
        return "Too many wrong codes in a row. Wait half a minute, then enter the newest code."
    return "That code is not right, or it has expired. Check the phone's clock and try the newest code."


def _qr_svg(device: TOTPDevice) -> str:
    return str(segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111", light="#fff"))


@account_step
@require_http_methods(["GET", "POST"])
def mfa_view(request: HttpRequest) -> HttpResponse:
    """Verify the second factor, or enrol an authenticator app the first time."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # account_step guarantees a signed-in user
    if not mfa_pending(request):
        return redirect("web:home")
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = OtpForm(request.POST or None)
    if confirmed is not None:
        if request.method == "POST" and form.is_valid():
            device = match_token(user, form.cleaned_data["token"])
            if device is not None:
                _second_factor_given(request, user, device)
                audit_record(actor=user, action="auth.mfa_verify", object_type="user", object_id=user.pk)
                return redirect("web:home")
            audit_record(actor=user, action="auth.mfa_failed", object_type="user", object_id=user.pk)
            form.add_error("token", _wrong_code_message(confirmed))
        return render(request, "web/mfa_verify.html", {"form": form}, status=400 if form.errors else 200)

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name="Authenticator app")
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _second_factor_given(request, user, device)
            audit_record(actor=user, action="auth.mfa_enrol", object_type="user", object_id=user.pk)
            messages.success(request, "Your authenticator app is set up. You will need it each time you sign in.")
            return redirect("web:home")
        form.add_error("token", _wrong_code_message(device))
    context = {"form": form, "qr_svg": _qr_svg(device), "secret": _base32(device)}
    return render(request, "web/mfa_setup.html", context, status=400 if form.errors else 200)


def _base32(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@account_step
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  # account_step guarantees a signed-in user
    if mfa_pending(request) and (
        not user.must_change_password or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    ):
        # Only a first, forced change may come before the second factor (there is no device yet). Anything
        # else would let a stolen password lock the owner out.
        return redirect("web:mfa")
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(user=user, new_password=form.cleaned_data["new_password1"])
        except ServiceError as exc:
            form.add_error(exc.field, exc.message)
        else:
            old_key = request.session.session_key
            update_session_auth_hash(request, user)
            session_renewed(user=user, old_key=old_key, new_key=request.session.session_key)
            messages.success(request, "Your password is changed.")
            return redirect("web:home")
    return render(
        request,
        "web/password_change.html",
        {"form": form, "forced": user.must_change_password},
        status=400 if form.errors else 200,
    )
