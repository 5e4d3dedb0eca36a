"""Serve cbtc with gunicorn (the production server), after migrating and collecting static files."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from cbtc.config import env_int


class Command(BaseCommand):
    help = "Apply migrations, collect static files and serve the site with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("CBTC_BIND", "127.0.0.1:8000"),
            help="Address and port to listen on (default 127.0.0.1:8000, or CBTC_BIND).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("CBTC_WORKERS", 3, minimum=1),
            help="Worker processes (default 3, or CBTC_WORKERS).",
        )
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"cbtc ({settings.MODE} mode) on http://{options['bind']}/ - press Ctrl+C to stop.")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "cbtc.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("CBTC_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            # Access logs carry paths only; no client identifiers are ever in a path (docs/architecture.md).
            "--access-logformat",
            '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        ]
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606  # replaces this process with gunicorn; fixed argv
