"""``cbtc createadmin``: the first system administrator of a new installation.

Creates (or reuses) the country and the coordinating organisation, then an administrator account with a
one-time password, printed once. The administrator chooses their own password and enrols a second factor
at first sign-in. Running it again with the same user name changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cbtc.errors import ServiceError
from cbtc.network.models import AdminArea, AdminAreaLevel, Organisation, OrganisationType, User
from cbtc.network.roles import Role
from cbtc.network.services.directory import admin_area_create, organisation_create
from cbtc.network.services.staff import staff_create


class Command(BaseCommand):
    help = "Create the first system administrator, with the country and coordinating organisation if needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--organisation", required=True, help="Name of the coordinating organisation.")
        parser.add_argument("--country-code", help="Code of the country admin area, e.g. an ISO 3166 code.")
        parser.add_argument("--country-name", help="Name of the country, when it does not exist yet.")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username__iexact=options["username"]).exists():
            self.stdout.write(f"User {options['username']} already exists; nothing changed.")
            return
        try:
            with transaction.atomic():
                organisation = self._organisation(options)
                user, one_time = staff_create(
                    actor=None,
                    organisation=organisation,
                    role=Role.SYSTEM_ADMINISTRATOR,
                    username=options["username"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                )
        except ServiceError as exc:
            raise CommandError(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from exc
        self.stdout.write(f"System administrator {user.username} created at {organisation.name}.")
        self.stdout.write(f"One-time password (shown once, must be changed at first sign-in): {one_time}")

    def _organisation(self, options: dict[str, Any]) -> Organisation:
        existing = Organisation.objects.filter(name=options["organisation"]).first()
        if existing is not None:
            return existing
        code = options["country_code"]
        if not code:
            raise CommandError("--country-code is needed to create the organisation.")
        country = AdminArea.objects.filter(code=code).first()
        if country is None:
            if not options["country_name"]:
                raise CommandError(f"No area has the code {code!r}; give --country-name to create it.")
            country = admin_area_create(
                actor=None, name=options["country_name"], code=code, level=AdminAreaLevel.COUNTRY
            )
        return organisation_create(
            actor=None, name=options["organisation"], type=OrganisationType.GOVERNMENT_HEALTH, admin_area=country
        )
