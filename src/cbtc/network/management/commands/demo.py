"""``cbtc demo``: load the fictional demo network and print the demo accounts' password once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbtc.care.demo import load_demo_care
from cbtc.care.demo_justice import load_demo_incidents, load_demo_justice
from cbtc.clients.demo import load_demo_clients
from cbtc.errors import ServiceError
from cbtc.network.demo import DemoResult, DemoUser, load_demo
from cbtc.network.demo_data import FICTIONAL_NOTICE
from cbtc.referrals.demo import load_demo_referrals


class Command(BaseCommand):
    help = (
        "Load the fictional demo network (regions, organisations, services and one account per role). "
        "Safe to run again: only missing parts are added. Only allowed when CBTC_MODE is 'demo' or 'test'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give every demo account a new shared password and print it once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo(reset_passwords=options["reset_passwords"], stdout=self.stdout)
            clients = load_demo_clients()
            referrals = load_demo_referrals()
            care = load_demo_care()
            court_reports = load_demo_justice()
            incidents = load_demo_incidents()
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self._summary(result)
        self.stdout.write(clients.summary)
        self.stdout.write(referrals.summary)
        self.stdout.write(care.summary)
        if court_reports:
            self.stdout.write(f"Demo diversion: {court_reports} clients with a consent to court reports and a report")
        if incidents:
            self.stdout.write(f"Demo incidents: {incidents} recorded by outreach teams over six months")
        users = result.created_users + result.reset_users
        if users and result.password is not None:
            self._accounts(users, result.password, reset=bool(result.reset_users))
        if not result.changed:
            self.stdout.write("Demo network already loaded; nothing changed.")

    def _summary(self, result: DemoResult) -> None:
        totals = result.totals
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo network"))
        regions = f"{totals['provinces']} provinces, {totals['districts']} districts"
        self.stdout.write(f"  Regions:        {regions}")
        self.stdout.write(f"  Organisations:  {totals['organisations']} ({totals['sites']} sites)")
        self.stdout.write(f"  Services:       {totals['services']}")
        self.stdout.write(f"  Staff accounts: {totals['staff']}")
        if any(result.created.values()):
            added = ", ".join(f"{count} {kind}" for kind, count in sorted(result.created.items()) if count)
            self.stdout.write(f"  Added this run: {added}")
        self.stdout.write(FICTIONAL_NOTICE)

    def _accounts(self, users: tuple[DemoUser, ...], password: str, *, reset: bool) -> None:
        width = max(len(user.username) for user in users) + 2
        role_width = max(len(user.role.label) for user in users) + 2
        self.stdout.write("")
        heading = "Demo accounts (new password)" if reset else "Demo accounts"
        self.stdout.write(self.style.MIGRATE_HEADING(heading))
        self.stdout.write(f"  {'User name':<{width}}{'Role':<{role_width}}Organisation")
        for user in users:
            self.stdout.write(f"  {user.username:<{width}}{user.role.label:<{role_width}}{user.organisation}")
        self.stdout.write("")
        self.stdout.write(f"  Password for all of these accounts: {self.style.SUCCESS(password)}")
        self.stdout.write(
            "  This password will not be shown again. Note it now; `cbtc demo --reset-passwords` prints a new one."
        )
