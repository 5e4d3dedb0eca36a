"""Staff accounts: create, give and take roles, disable, enable, reset a password, sign-in bookkeeping."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbtc.audit.models import AuditEvent
from cbtc.audit.services import audit_record
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import forget_cached_access, user_has_permission, user_has_permission_in
from cbtc.network.models import ApiToken, Membership, Organisation, StaffSession, User
from cbtc.network.roles import ROLES_GRANTABLE_BY_SERVICE_MANAGER, Permission, Role

_ONE_TIME_PASSWORD_WORDS = 4
logger = logging.getLogger(__name__)


def one_time_password() -> str:
    """A password to read out or write down once: four groups of letters and digits, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(_ONE_TIME_PASSWORD_WORDS))


def _check_can_manage(actor: User, organisation: Organisation, role: Role | None = None) -> None:
    if not user_has_permission_in(actor, Permission.STAFF_MANAGE, organisation):
        raise NotPermitted("You do not manage the staff of this organisation.")
    if (
        role is not None
        and role not in ROLES_GRANTABLE_BY_SERVICE_MANAGER
        and not user_has_permission(actor, Permission.NETWORK_ADMINISTER)
    ):
        raise NotPermitted(f"Only a system administrator can give the role '{role.label}'.", field="role")


def _check_can_manage_user(actor: User, user: User) -> None:
    """Account-wide actions (disable, enable, password or second-factor reset) affect every role a person
    holds, so a service manager may take them only when they manage *all* of those roles: every membership
    is in an organisation they manage and none is a network-wide role. Otherwise a manager could take over
    a system administrator's account, or lock a colleague out of another organisation's work."""
    if user_has_permission(actor, Permission.NETWORK_ADMINISTER):
        return
    memberships = list(user.memberships.select_related("organisation"))
    if not memberships or not all(
        Role(m.role) in ROLES_GRANTABLE_BY_SERVICE_MANAGER
        and user_has_permission_in(actor, Permission.STAFF_MANAGE, m.organisation)
        for m in memberships
    ):
        raise NotPermitted(
            "This person also holds roles you do not manage. Ask a system administrator to change their account."
        )


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    organisation: Organisation,
    role: Role,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account with one role. Returns the user and the one-time password to hand over.

    ``actor`` is None only for set-up from the command line (the demo loader, the first administrator).
    """
    if actor is not None:
        _check_can_manage(actor, organisation, role)
    username = username.strip().lower()
    if not username:
        raise ServiceError("Enter a user name.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError("This user name is already taken.", field="username")
    initial_password = password or one_time_password()
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        must_change_password=password is None,
    )
    if password is not None:
        # Set-up from the command line chooses the password; it must still meet the password rules.
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), field="password") from exc
    user.set_password(initial_password)
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    audit_record(
        actor=actor,
        action="staff.create",
        object_type="user",
        object_id=user.pk,
        organisation_id=organisation.pk,
        details={"role": role.value},
    )
    return user, initial_password


@transaction.atomic
def membership_add(*, actor: User | None, user: User, organisation: Organisation, role: Role) -> Membership:
    if actor is not None:
        _check_can_manage(actor, organisation, role)
        if user.pk == actor.pk and not user_has_permission(actor, Permission.NETWORK_ADMINISTER):
            # Taking on clinical roles yourself would bypass the second pair of eyes a grant should have.
            raise NotPermitted("Ask another manager to give you a role.", field="role")
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit_record(
            actor=actor,
            action="staff.role_add",
            object_type="user",
            object_id=user.pk,
            organisation_id=organisation.pk,
            details={"role": role.value},
        )
        forget_cached_access(user)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    _check_can_manage(actor, membership.organisation, Role(membership.role))
    if membership.user_id == actor.pk and membership.role in {Role.SERVICE_MANAGER, Role.SYSTEM_ADMINISTRATOR}:
        raise ServiceError("You cannot remove your own management role; ask another manager.", field="role")
    user = membership.user
    if not Membership.objects.filter(user=user).exclude(pk=membership.pk).exists():
        raise ServiceError("This is the person's only role. Disable the account instead.", field="role")
    audit_record(
        actor=actor,
        action="staff.role_remove",
        object_type="user",
        object_id=user.pk,
        organisation_id=membership.organisation_id,
        details={"role": membership.role},
    )
    membership.delete()
    forget_cached_access(user)


def _end_sessions_and_tokens(user: User) -> tuple[int, int]:
    keys = list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    StaffSession.objects.filter(user=user).delete()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return len(keys), revoked


@transaction.atomic
def staff_disable(*, actor: User, user: User) -> None:
    """Disable an account: every session ends and every API token is revoked in the same transaction."""
    _check_can_manage_user(actor, user)
    if user.pk == actor.pk:
        raise ServiceError("You cannot disable your own account.")
    user.is_active = False
    user.disabled_at = timezone.now()
    user.save(update_fields=["is_active", "disabled_at"])
    sessions, tokens = _end_sessions_and_tokens(user)
    audit_record(
        actor=actor,
        action="staff.disable",
        object_type="user",
        object_id=user.pk,
        details={"sessions_ended": sessions, "tokens_revoked": tokens},
    )


@transaction.atomic
def staff_enable(*, actor: User, user: User) -> None:
    _check_can_manage_user(actor, user)
    user.is_active = True
    user.disabled_at = None
    user.save(update_fields=["is_active", "disabled_at"])
    audit_record(actor=actor, action="staff.enable", object_type="user", object_id=user.pk)


@transaction.atomic
def staff_password_reset(*, actor: User, user: User) -> str:
    """A new one-time password; the person must choose their own at next sign-in. Ends their sessions."""
    _check_can_manage_user(actor, user)
    if user.pk == actor.pk:
        raise ServiceError("Change your own password from your home page instead.")
    new_password = one_time_password()
    user.set_password(new_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    sessions, tokens = _end_sessions_and_tokens(user)
    audit_record(
        actor=actor,
        action="staff.password_reset",
        object_type="user",
        object_id=user.pk,
        details={"sessions_ended": sessions, "tokens_revoked": tokens},
    )
    return new_password


@transaction.atomic
def staff_mfa_reset(*, actor: User, user: User) -> None:
    """For a lost or replaced phone: remove the person's authenticator so they enrol anew at next sign-in.

    Their sessions end too, so nobody stays signed in on the strength of the old device.
    """
    _check_can_manage_user(actor, user)
    if user.pk == actor.pk:
        raise ServiceError("Ask another manager or a system administrator to reset your own second factor.")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    # Tokens were created behind the old second factor; they go with it.
    sessions, tokens = _end_sessions_and_tokens(user)
    audit_record(
        actor=actor,
        action="staff.mfa_reset",
        object_type="user",
        object_id=user.pk,
        details={"devices_removed": removed, "sessions_ended": sessions, "tokens_revoked": tokens},
    )


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    """A person replaces their own password (checked against the password rules)."""
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="new_password1") from exc
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=user, action="auth.password_change", object_type="user", object_id=user.pk)


@transaction.atomic
def session_started(*, user: User, session_key: str, details: dict[str, Any] | None = None) -> None:
    """Bookkeeping after a successful sign-in, so that disabling can end this session."""
    StaffSession.objects.update_or_create(session_key=session_key, defaults={"user": user})
    audit_record(actor=user, action="auth.login", object_type="user", object_id=user.pk, details=details)


def login_failure_record(*, username: str, locked_out: bool) -> None:
    """A failed sign-in. Only attempts on real accounts reach the audit trail, and a lockout is recorded once
    per cool-off period: anonymous callers must not be able to flood the trail (every event takes the chain
    lock)."""
    user = User.objects.filter(username__iexact=username.strip()).only("pk").first()
    if user is None:
        logger.info("failed sign-in for an unknown user name")
        return
    if not locked_out:
        audit_record(actor=None, action="auth.login_failed", object_type="user", object_id=user.pk)
        return
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    already = AuditEvent.objects.filter(
        object_type="user", object_id=str(user.pk), action="auth.lockout", occurred_at__gte=since
    ).exists()
    if not already:
        audit_record(actor=None, action="auth.lockout", object_type="user", object_id=user.pk)


def session_renewed(*, user: User, old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (after a password change); keep tracking it so disabling still ends it."""
    if old_key and new_key and old_key != new_key:
        StaffSession.objects.filter(session_key=old_key, user=user).update(session_key=new_key)


@transaction.atomic
def session_ended(*, user: User, session_key: str | None, reason: str = "signed_out") -> None:
    if session_key:
        StaffSession.objects.filter(session_key=session_key).delete()
    audit_record(actor=user, action="auth.logout", object_type="user", object_id=user.pk, details={"reason": reason})
