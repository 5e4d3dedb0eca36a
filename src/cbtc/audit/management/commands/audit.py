"""``cbtc audit verify``: walk the hash chain and name the first broken event."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbtc.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks every event's hash and link; exits 1 at the first break."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Verify the whole hash chain.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.first_break is not None:
            where = f"event #{result.first_break.seq}" if result.first_break.seq is not None else "the chain's end"
            raise CommandError(
                f"Audit chain BROKEN at {where}: {result.first_break.reason}. "
                f"{result.checked} events before it are intact."
            )
        self.stdout.write(f"Audit chain intact: {result.checked} events. Newest hash: {result.last_hash}")
