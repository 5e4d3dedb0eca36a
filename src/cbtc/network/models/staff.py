"""Staff accounts, their memberships of organisations, API tokens and tracked sessions."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from cbtc.network.models.directory import Organisation
from cbtc.network.roles import Role


class User(AbstractUser):
    """A member of staff. Clients are never users of this table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Set when an account is created or reset by a manager: the one-time password must be replaced.
    must_change_password = models.BooleanField(default=False)
    # Disabling is recorded with its moment so that reviews can see when access ended.
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["username"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user's role in one organisation. A user may hold several (e.g. peer worker at two NGOs)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]
        indexes = [models.Index(fields=["organisation", "role"], name="membership_org_role_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.organisation}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once when created."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    # First characters of the token, so a person can tell their tokens apart; not enough to use one.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user"], condition=Q(revoked_at__isnull=True), name="api_token_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class StaffSession(models.Model):
    """Which sessions belong to whom, so that disabling a user can end every one of them at once."""

    session_key = models.CharField(max_length=40, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_sessions")
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user"], name="staff_session_user_idx")]

    def __str__(self) -> str:
        return f"session of {self.user_id}"
