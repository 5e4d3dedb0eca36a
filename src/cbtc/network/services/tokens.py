"""Personal API tokens: shown once, stored as a digest, revocable at any time."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from cbtc.audit.services import audit_record
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import ApiToken, User

TOKEN_PREFIX = "cbtc_"  # noqa: S105  # a marker that makes leaked tokens easy to scan for, not a secret
_MAX_ACTIVE_TOKENS = 10
_MAX_TOKEN_LENGTH = 100
# Writing last_used_at on every call would turn each API read into a write; once a minute is enough.
_LAST_USED_RESOLUTION_SECONDS = 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Returns the stored token and its secret value, which is never shown again."""
    name = name.strip()
    if not name:
        raise ServiceError("Give the token a name, e.g. the device or script that will use it.", field="name")
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ServiceError("Use a name of at most 80 characters.", field="name")
    if ApiToken.objects.filter(user=actor, revoked_at__isnull=True).count() >= _MAX_ACTIVE_TOKENS:
        raise ServiceError(f"You already have {_MAX_ACTIVE_TOKENS} active tokens; revoke one first.", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name, prefix=secret[:12], digest=_digest(secret))
    audit_record(actor=actor, action="token.create", object_type="api_token", object_id=token.pk)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise NotPermitted("This is not your token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", object_type="api_token", object_id=token.pk)


def api_token_authenticate(secret: str) -> User | None:
    """The active user owning this active token, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > _MAX_TOKEN_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
