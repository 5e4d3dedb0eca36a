"""Outreach contacts: named (a registered client) or an anonymous tally; what was given, overdoses and
accompaniment; every refusal names its field and writes nothing; tallies hold counts only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.care.models import OutreachContact, OverdoseEvent, SupplyGiven, TallyCount
from cbtc.care.services.outreach import ContactInput, OverdoseInput, SupplyLine, outreach_contact_record
from cbtc.clients.models import Client, ClientEvent
from cbtc.errors import NotPermitted, ServiceError
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(personas: Personas) -> User:
    return personas.by_role[Role.OUTREACH_WORKER]


@pytest.fixture
def client_a(network: Network, worker: User) -> Client:
    return register(worker, network.org_a, "MARE0101011970")


def record(worker: User, network: Network, **fields: Any) -> OutreachContact:
    return outreach_contact_record(actor=worker, organisation=network.org_a, data=ContactInput(**fields))


def test_a_named_contact_records_supplies_an_overdose_and_accompaniment_on_the_timeline(
    network: Network, worker: User, client_a: Client
) -> None:
    contact = record(
        worker,
        network,
        place="hotspot",
        client=client_a,
        area=network.north_district,
        supplies={
            "needles_syringes": SupplyLine(40),
            "naloxone_kits": SupplyLine(1),
            "hiv_rapid_test": SupplyLine(1, pre_test_counselling=True, post_test_counselling=True),
        },
        overdoses=[OverdoseInput("peer", "recovered", naloxone_doses=2)],
        brief_advice=True,
        accompanied_to=network.methadone_a,
    )
    assert not contact.anonymous and contact.people_count == 1
    assert {s.item: s.quantity for s in SupplyGiven.objects.filter(contact=contact)} == {
        "needles_syringes": 40,
        "naloxone_kits": 1,
        "hiv_rapid_test": 1,
    }
    assert SupplyGiven.objects.get(contact=contact, item="hiv_rapid_test").post_test_counselling
    assert OverdoseEvent.objects.get(contact=contact).naloxone_doses == 2
    entry = ClientEvent.objects.get(client=client_a, kind="care.outreach_contact")
    assert entry.category == "harm_reduction"
    assert entry.summary == (
        "Outreach contact (hotspot): hiv rapid test 1, naloxone kits 1, needles and syringes 40; overdose; "
        "went with them to Alpha methadone clinic"
    )
    audit = AuditEvent.objects.get(action="care.outreach_contact")
    assert audit.details == {"client": str(client_a.pk), "people": 1, "supplies": 3, "overdoses": 1}


def test_an_anonymous_tally_holds_counts_only_and_touches_no_timeline(network: Network, worker: User) -> None:
    contact = record(
        worker,
        network,
        place="street",
        people_count=6,
        tally={
            "sex": {"female": 2, "male": 4},
            "age_band": {"18_24": 1, "25_34": 5},
            "key_population": {"injects": 6, "sex_worker": 2},
        },
        supplies={"condoms": SupplyLine(30)},
    )
    assert contact.anonymous and contact.people_count == 6
    counts = {(t.dimension, t.value): t.count for t in TallyCount.objects.filter(contact=contact)}
    assert counts[("sex", "female")] == 2 and counts[("key_population", "injects")] == 6
    assert not ClientEvent.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"place": "police_station"}, "place"),
        ({"people_count": 0}, "people_count"),
        ({"people_count": 501}, "people_count"),
        ({"people_count": 3, "tally": {"sex": {"female": 2, "male": 2}}}, "tally.sex"),
        ({"people_count": 3, "tally": {"religion": {"x": 1}}}, "tally.religion"),
        ({"people_count": 3, "tally": {"age_band": {"12": 1}}}, "tally.age_band.12"),
        ({"supplies": {"heroin": SupplyLine(1)}}, "supplies.heroin"),
        ({"supplies": {"condoms": SupplyLine(0)}}, "supplies.condoms"),
        ({"supplies": {"condoms": SupplyLine(5, pre_test_counselling=True)}}, "supplies.condoms"),
        ({"overdoses": [OverdoseInput("peer", "recovered", naloxone_doses=0)]}, "overdoses.0.naloxone_doses"),
        ({"overdoses": [OverdoseInput("nobody", "recovered", naloxone_doses=1)]}, "overdoses.0.naloxone_doses"),
        ({"overdoses": [OverdoseInput("police", "recovered", naloxone_doses=1)]}, "overdoses.0.naloxone_given_by"),
        ({"contact_at": "future"}, "contact_at"),
        ({"contact_at": "long ago"}, "contact_at"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_is_written(
    network: Network, worker: User, fields: dict[str, Any], field: str
) -> None:
    moments = {"future": timezone.now() + timedelta(hours=1), "long ago": timezone.now() - timedelta(days=31)}
    if fields.get("contact_at") in moments:
        fields = {**fields, "contact_at": moments[fields["contact_at"]]}
    with pytest.raises(ServiceError) as refused:
        record(worker, network, **{"place": "street", **fields})
    assert refused.value.field == field
    assert (
        not OutreachContact.objects.exists() and not AuditEvent.objects.filter(action="care.outreach_contact").exists()
    )


def test_a_named_contact_is_one_person_of_this_organisation(
    network: Network, worker: User, client_a: Client, personas: Personas
) -> None:
    with pytest.raises(ServiceError) as refused:
        record(worker, network, place="street", client=client_a, people_count=3)
    assert refused.value.field == "people_count"
    worker_b, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.out", password=PASSWORD
    )
    with pytest.raises(ServiceError) as elsewhere:  # another organisation's client
        outreach_contact_record(
            actor=worker_b, organisation=network.org_b, data=ContactInput(place="street", client=client_a)
        )
    assert elsewhere.value.field == "client"
    assert not OutreachContact.objects.exists()


def test_only_roles_that_record_care_may_record_contacts(network: Network, personas: Personas) -> None:
    for role in (Role.DISPENSER, Role.SERVICE_MANAGER, Role.PROGRAMME_MANAGER):
        with pytest.raises(NotPermitted):
            record(personas.by_role[role], network, place="street")
    assert not OutreachContact.objects.exists()
