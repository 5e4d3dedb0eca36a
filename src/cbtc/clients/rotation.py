"""Key rotation: re-encrypt every identifying value under the newest key, and rebuild the blind index.

Rows are processed in batches by primary key, each batch in its own short transaction with the rows locked,
so a rotation can run while staff keep working. A value written during the rotation by a process that still
held the old key is caught by ``rows_not_under_primary`` and fixed by running the rotation again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction

from cbtc.audit.services import audit_record
from cbtc.clients.identity import decrypt_identity, encrypted_under_primary, identity_digests, reencrypt
from cbtc.clients.keys import KeyRing
from cbtc.clients.models import Client, ClientSearchDigest
from cbtc.clients.services import store_identity

BATCH = 500


def _batches() -> Iterator[list[Any]]:
    after = None
    while True:
        ids = Client.objects.order_by("pk")
        if after is not None:
            ids = ids.filter(pk__gt=after)
        batch = list(ids.values_list("pk", flat=True)[:BATCH])
        if not batch:
            return
        yield batch
        after = batch[-1]


def reencrypt_all(*, ring: KeyRing) -> int:
    """Re-encrypt every client's identifying details under ``ring``'s primary key. Returns rows changed."""
    changed = 0
    for ids in _batches():
        with transaction.atomic():
            for client in Client.objects.select_for_update().filter(pk__in=ids).only("id", "identity_ciphertext"):
                if client.identity_ciphertext and not encrypted_under_primary(client.identity_ciphertext, ring=ring):
                    client.identity_ciphertext = reencrypt(client.identity_ciphertext, ring=ring)
                    client.save(update_fields=["identity_ciphertext"])
                    changed += 1
    audit_record(actor=None, action="keys.reencrypt", details={"rows": changed})
    return changed


def rows_not_under_primary(*, ring: KeyRing) -> int:
    stale = 0
    for ids in _batches():
        for token in Client.objects.filter(pk__in=ids).values_list("identity_ciphertext", flat=True):
            if token and not encrypted_under_primary(token, ring=ring):
                stale += 1
    return stale


def rows_not_indexed(*, ring: KeyRing) -> int:
    """Clients whose search digests were not made with ``ring``'s blind-index key (a `rotate --blind-index`
    that stopped part-way): a search by name cannot find them until the index is rebuilt."""
    stale = 0
    for ids in _batches():
        stored: dict[Any, set[str]] = {client_id: set() for client_id in ids}
        for client_id, digest in ClientSearchDigest.objects.filter(client_id__in=ids).values_list(
            "client_id", "digest"
        ):
            stored[client_id].add(digest)
        for client_id, token in Client.objects.filter(pk__in=ids).values_list("pk", "identity_ciphertext"):
            if stored[client_id] != identity_digests(decrypt_identity(token, ring=ring), ring=ring):
                stale += 1
    return stale


def rebuild_blind_index(*, new: KeyRing) -> int:
    """Recompute every client's search digests under ``new``'s blind-index key, and re-encrypt the details
    under ``new``'s primary key (``new`` still holds the older keys, so every value decrypts). Returns clients
    processed."""
    done = 0
    for ids in _batches():
        with transaction.atomic():
            for client in Client.objects.select_for_update().filter(pk__in=ids).only("id", "identity_ciphertext"):
                identity = decrypt_identity(client.identity_ciphertext, ring=new)  # new holds every key
                store_identity(client, identity, ring=new)
                client.save(update_fields=["identity_ciphertext"])
                done += 1
    audit_record(actor=None, action="keys.rebuild_blind_index", details={"rows": done})
    return done
