"""Append-only, hash-chained audit events.

Each event stores the hash of the one before it and a hash over its own content, so editing, deleting or
inserting a row anywhere breaks the chain (``cbtc audit verify``). The single ``AuditChainHead`` row holds
the latest sequence number and hash: writers lock it, which serialises appends, and a deleted tail is
detected by comparing it with the last row.

Rows cannot be changed through the ORM (save of an existing row, delete, queryset update/delete raise
``AuditImmutableError``) nor through SQL: migration 0002 installs database triggers on SQLite and
PostgreSQL that refuse UPDATE and DELETE.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AuditImmutableError(Exception):
    """Raised on any attempt to change or remove audit history."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit events cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit events cannot be updated.")


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True, help_text="Position in the chain, from 1.")
    occurred_at = models.DateTimeField(db_index=True)
    # Opaque identifiers, not foreign keys: history must outlive the rows it talks about.
    actor_id = models.CharField(max_length=36, blank=True, db_index=True)
    organisation_id = models.CharField(max_length=36, blank=True, db_index=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=36, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """One row (id=1): the sequence number and hash of the newest event."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.last_seq}"
