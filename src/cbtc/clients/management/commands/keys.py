"""``cbtc keys``: create the key file, rotate keys, and retire old ones (docs/deploy.md, "Keys")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbtc.clients.keys import create_key_file, current_keyring, key_file_path, write_keyring
from cbtc.clients.rotation import rebuild_blind_index, reencrypt_all, rows_not_indexed, rows_not_under_primary

NOT_INDEXED = (
    "cannot be found by name: their search index is not under the current key (a `keys rotate --blind-index` "
    "stopped part-way). Run `cbtc keys rotate --blind-index`."
)


class Command(BaseCommand):
    help = (
        "Encryption keys of identifying client details. 'init' creates the key file; 'rotate' adds a new key and "
        "re-encrypts everything under it; 'rotate --blind-index' also replaces the search key and rebuilds the "
        "index; 'status' counts values not yet under the newest key; 'retire' drops old keys once none is needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init", help="Create the key file (CBTC_KEY_FILE) if it does not exist.")
        rotate = sub.add_parser("rotate", help="Add a new encryption key and re-encrypt every value under it.")
        rotate.add_argument("--blind-index", action="store_true", help="Also replace the blind-index key.")
        sub.add_parser("status", help="How many values are not yet under the newest key.")
        sub.add_parser("retire", help="Remove old keys, once every value is under the newest one.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = key_file_path()
        action = options["action"]
        if action == "init":
            created = create_key_file(path)
            self.stdout.write(
                f"Created {path}. Keep a copy in a safe place apart from database backups."
                if created
                else f"{path} already exists; nothing changed."
            )
            return
        old = current_keyring()
        if action == "status":
            stale = rows_not_under_primary(ring=old)
            self.stdout.write(f"{len(old.encryption_keys)} key(s) in {path}; {stale} value(s) not under the newest.")
            unindexed = rows_not_indexed(ring=old)
            if unindexed:
                self.stdout.write(f"{unindexed} client(s) {NOT_INDEXED}")
            return
        if action == "retire":
            stale = rows_not_under_primary(ring=old)
            if stale:
                raise CommandError(f"{stale} value(s) still need an old key. Run `cbtc keys rotate` again first.")
            write_keyring(old.only_primary(), path)
            self.stdout.write(
                f"Old keys removed from {path}. Backups made before the rotation need the old key file to be read."
            )
            return
        new = old.with_new_primary()
        if options["blind_index"]:
            new = new.with_new_blind_index_key()
        # The file is written first, so every process encrypts new values under the new key from now on.
        write_keyring(new, path)
        if options["blind_index"]:
            done = rebuild_blind_index(new=new)
            self.stdout.write(f"Re-encrypted and re-indexed {done} client(s).")
        else:
            changed = reencrypt_all(ring=new)
            self.stdout.write(f"Re-encrypted {changed} value(s) under the new key.")
        stale = rows_not_under_primary(ring=new)
        if stale:
            raise CommandError(f"{stale} value(s) were written under an old key meanwhile; run the rotation again.")
        unindexed = rows_not_indexed(ring=new)
        if unindexed:  # a `rotate --blind-index` stopped part-way before this run
            raise CommandError(f"{unindexed} client(s) {NOT_INDEXED}")
        self.stdout.write(
            "Every value is under the newest key. Old keys stay for older backups until `cbtc keys retire`."
        )
