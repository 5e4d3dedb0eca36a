"""Writes to the service directory. The demo loader and (later) the directory editor call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cbtc.audit.services import audit_record
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import (
    AdminArea,
    AdminAreaLevel,
    Language,
    OpeningHours,
    Organisation,
    Population,
    Service,
    Site,
    User,
)
from cbtc.network.roles import Permission


def _validated(instance: Any) -> None:
    """Run model validation and turn Django's error into our one-field error."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(" ".join(messages), field=None if field == "__all__" else field) from exc


def _check_can_edit(actor: User | None, organisation: Organisation | None) -> None:
    # actor None: command-line set-up (demo loader, imports), which runs with the operator's authority.
    if actor is None:
        return
    if organisation is None or not user_has_permission_in(actor, Permission.DIRECTORY_EDIT, organisation):
        raise NotPermitted("You do not edit this organisation's directory entries.")


def _opening_hours_create(
    *, site: Site, service: Service | None, opening_hours: Iterable[tuple[int, time, time]]
) -> None:
    hours = [
        OpeningHours(site=site, service=service, weekday=day, opens_at=opens, closes_at=closes)
        for day, opens, closes in opening_hours
    ]
    for row in hours:
        _validated(row)
    OpeningHours.objects.bulk_create(hours)


@transaction.atomic
def admin_area_create(
    *, actor: User | None, name: str, code: str, level: AdminAreaLevel, parent: AdminArea | None = None
) -> AdminArea:
    if actor is not None:
        raise NotPermitted("Administrative areas are set up from the command line.")
    area = AdminArea(name=name, code=code, level=level, parent=parent, path=f"{parent.path if parent else '/'}{code}/")
    _validated(area)
    area.save()
    audit_record(actor=actor, action="directory.area_create", object_type="admin_area", object_id=area.pk)
    return area


@transaction.atomic
def organisation_create(*, actor: User | None, **fields: Any) -> Organisation:
    if actor is not None:
        raise NotPermitted("Organisations are added by a system administrator from the command line.")
    organisation = Organisation(**fields)
    _validated(organisation)
    organisation.save()
    audit_record(
        actor=actor,
        action="directory.organisation_create",
        object_type="organisation",
        object_id=organisation.pk,
        organisation_id=organisation.pk,
    )
    return organisation


@transaction.atomic
def site_create(
    *,
    actor: User | None,
    organisation: Organisation,
    opening_hours: Iterable[tuple[int, time, time]] = (),
    **fields: Any,
) -> Site:
    _check_can_edit(actor, organisation)
    site = Site(organisation=organisation, **fields)
    _validated(site)
    site.save()
    _opening_hours_create(site=site, service=None, opening_hours=opening_hours)
    audit_record(
        actor=actor,
        action="directory.site_create",
        object_type="site",
        object_id=site.pk,
        organisation_id=organisation.pk,
    )
    return site


@transaction.atomic
def service_create(
    *,
    actor: User | None,
    site: Site,
    populations: Iterable[Population] = (),
    languages: Iterable[Language] = (),
    opening_hours: Iterable[tuple[int, time, time]] = (),
    **fields: Any,
) -> Service:
    organisation = site.organisation
    _check_can_edit(actor, organisation)
    service = Service(organisation=organisation, site=site, **fields)
    _validated(service)
    service.save()
    service.populations.set(list(populations))
    service.languages.set(list(languages))
    _opening_hours_create(site=site, service=service, opening_hours=opening_hours)
    audit_record(
        actor=actor,
        action="directory.service_create",
        object_type="service",
        object_id=service.pk,
        organisation_id=organisation.pk,
    )
    return service
