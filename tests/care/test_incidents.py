"""Incidents: recorded with crisis support and a legal-aid referral; kept off every shared timeline; counted
outside the organisation only as de-identified figures with small counts hidden."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from cbtc.care.models import Incident
from cbtc.care.services.incidents import incident_counts, incident_record
from cbtc.clients.models import ClientEvent
from cbtc.clients.selectors import client_get_for_actor, client_timeline
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import PyramidLevel, ServiceType
from cbtc.network.roles import Role
from cbtc.network.services.directory import service_create
from cbtc.network.services.staff import staff_create
from cbtc.referrals.models import Referral
from tests.clients.test_registry import register, share
from tests.conftest import PASSWORD, Network, Personas

pytestmark = pytest.mark.django_db


def test_an_arrest_with_a_legal_aid_referral_stays_inside_the_organisation(
    network: Network, personas: Personas
) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = register(worker, network.org_a, "MARE0101011970")
    legal = service_create(
        actor=None,
        site=network.site_b,
        name="Beta legal aid",
        type=ServiceType.LEGAL_AID,
        pyramid_level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
    )
    incident = incident_record(
        actor=worker,
        organisation=network.org_a,
        kind="arrest",
        occurred_on=timezone.localdate(),
        client=client,
        crisis_response=True,
        legal_aid=(network.methadone_a, legal),
    )
    referral = Referral.objects.get()
    assert incident.legal_aid_referral == referral and referral.reason == "legal_aid" and referral.anonymous

    owner_record = client_get_for_actor(actor=worker, client_id=client.pk)
    assert "care.incident" in {e.kind for e in client_timeline(record=owner_record)[0]}
    recipient, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.c", password=PASSWORD
    )
    share(worker, client, [network.org_b], {"episodes", "referrals", "demographics"})
    shared = client_get_for_actor(actor=recipient, client_id=client.pk)
    assert shared.sees("episodes")  # the consent covers the category the entry is filed under
    shared_kinds = {e.kind for e in client_timeline(record=shared)[0]}
    assert "care.incident" not in shared_kinds
    # The legal-aid referral would tell the same story: the owner sees it, a consent covering referrals does not.
    assert "referral.legal_aid.sent" in {e.kind for e in client_timeline(record=owner_record)[0]}
    assert not any(kind.startswith("referral.") for kind in shared_kinds)


def test_counts_hide_small_numbers_and_name_no_one(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    today = timezone.localdate()
    for _ in range(6):
        incident_record(actor=worker, organisation=network.org_a, kind="police_harassment", occurred_on=today)
    incident_record(actor=worker, organisation=network.org_a, kind="violence", occurred_on=today)
    counts = incident_counts(since=today - timedelta(days=31), until=today + timedelta(days=1))
    by_kind = {row["kind"]: row["count"] for row in counts}
    assert by_kind == {"police_harassment": 6, "violence": "<5"}
    assert all(set(row) == {"month", "kind", "count"} for row in counts)


def test_refusals(network: Network, personas: Personas) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    with pytest.raises(ServiceError) as bad:
        incident_record(actor=worker, organisation=network.org_a, kind="informing", occurred_on=timezone.localdate())
    assert bad.value.field == "kind"
    with pytest.raises(NotPermitted):
        incident_record(
            actor=personas.by_role[Role.DISPENSER],
            organisation=network.org_a,
            kind="violence",
            occurred_on=timezone.localdate(),
        )
    assert not Incident.objects.exists()


def test_legal_aid_entries_written_before_they_were_owner_only_are_made_owner_only(
    network: Network, personas: Personas
) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = register(worker, network.org_a, "MARE0101011970")
    legal = service_create(
        actor=None,
        site=network.site_b,
        name="Beta legal aid",
        type=ServiceType.LEGAL_AID,
        pyramid_level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
    )
    incident_record(
        actor=worker,
        organisation=network.org_a,
        kind="arrest",
        occurred_on=timezone.localdate(),
        client=client,
        legal_aid=(network.methadone_a, legal),
    )
    entries = ClientEvent.objects.filter(object_type="referral")
    entries.update(kind="referral.sent")  # as the earlier release wrote it
    migration = importlib.import_module("cbtc.referrals.migrations.0004_legal_aid_timeline_entries_owner_only")
    migration.make_owner_only(django_apps, None)
    assert list(entries.values_list("kind", flat=True)) == ["referral.legal_aid.sent"]
    migration.make_owner_only(django_apps, None)  # twice is once
    assert list(entries.values_list("kind", flat=True)) == ["referral.legal_aid.sent"]
    migration.make_plain(django_apps, None)
    assert list(entries.values_list("kind", flat=True)) == ["referral.sent"]
