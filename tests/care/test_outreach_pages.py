"""Outreach contact pages: an anonymous tally and a named contact through the browser's door, with up to three
overdoses and accompaniment to a service; a refusal of the service is shown on the field it names (400, nothing
written); outsiders get 404, roles without the permission 403; the list costs the same queries however many
contacts it shows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbtc.audit.models import AuditEvent
from cbtc.care.models import OutreachContact, OverdoseEvent, SupplyGiven, TallyCount
from cbtc.care.services.outreach import ContactInput, OverdoseInput, SupplyLine, outreach_contact_record
from cbtc.clients.models import Client, ClientEvent
from cbtc.clients.services import client_merge
from cbtc.network.models import Membership, OrganisationType, PyramidLevel, Service, ServiceType, User
from cbtc.network.roles import ROLE_SPECS, Permission, Role
from cbtc.network.services.directory import organisation_create, service_create, site_create
from cbtc.network.services.staff import staff_create
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(personas: Personas) -> User:
    return personas.by_role[Role.OUTREACH_WORKER]


@pytest.fixture
def client_a(network: Network, worker: User) -> Client:
    return register(worker, network.org_a, "MARE0101011970")


def _tally(**changes: str) -> dict[str, str]:
    return {"place": "hotspot", "people_count": "6", **changes}


def test_an_anonymous_tally_is_recorded_through_the_page(network: Network, worker: User) -> None:
    browser = signed_in_client(worker)
    form = browser.get("/outreach/new/").content.decode()
    assert "Who they were (optional)" in form and 'name="tally_sex_female"' in form
    assert "Hilltown (North)" in form  # the district of the organisation's site, under its province
    assert "Testland" not in form  # never the country
    made = browser.post(
        "/outreach/new/",
        _tally(
            tally_sex_female="2",
            tally_sex_male="4",
            tally_key_population_injects="6",
            supplies_needles_syringes="40",
            supplies_naloxone_kits="1",
            supplies_hiv_rapid_test="2",
            supplies_hiv_rapid_test_pre="on",
            supplies_condoms="",
            brief_advice="on",
            area=str(network.north_district.pk),
            overdose_1_naloxone_given_by="peer",
            overdose_1_naloxone_doses="2",
            overdose_1_outcome="recovered",
        ),
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    assert made["Location"] == "/outreach/"
    contact = OutreachContact.objects.get()
    assert contact.anonymous and contact.people_count == 6 and contact.place == "hotspot" and contact.brief_advice
    assert contact.area == network.north_district and contact.organisation == network.org_a
    assert {(t.dimension, t.value): t.count for t in TallyCount.objects.all()} == {
        ("sex", "female"): 2,
        ("sex", "male"): 4,
        ("key_population", "injects"): 6,
    }
    supplies = {s.item: s for s in SupplyGiven.objects.all()}
    assert {item: s.quantity for item, s in supplies.items()} == {
        "needles_syringes": 40,
        "naloxone_kits": 1,
        "hiv_rapid_test": 2,
    }
    assert supplies["hiv_rapid_test"].pre_test_counselling and not supplies["hiv_rapid_test"].post_test_counselling
    assert OverdoseEvent.objects.get().naloxone_doses == 2
    listed = browser.get("/outreach/").content.decode()
    assert "Contact recorded: 6 people, hotspot, 1 overdose." in listed
    assert "6 people (tally)" in listed
    assert "HIV rapid test 2, naloxone kits 1, needles and syringes 40" in listed
    assert "overdose" in listed


def test_a_named_contact_is_recorded_from_the_client_page(network: Network, worker: User, client_a: Client) -> None:
    browser = signed_in_client(worker)
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f"/clients/{client_a.pk}/contacts/new/" in page and "Record an outreach contact" in page
    form = browser.get(f"/clients/{client_a.pk}/contacts/new/").content.decode()
    assert client_a.uic in form and 'name="people_count"' not in form and "tally_sex" not in form
    made = browser.post(
        f"/clients/{client_a.pk}/contacts/new/",
        {"place": "street", "supplies_condoms": "10", "service": str(network.methadone_a.pk)},
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    assert made["Location"] == f"/clients/{client_a.pk}/"
    contact = OutreachContact.objects.get()
    assert contact.client == client_a and contact.service == network.methadone_a
    assert ClientEvent.objects.filter(client=client_a, kind="care.outreach_contact").exists()
    listed = browser.get("/outreach/").content.decode()
    assert client_a.uic in listed and f'href="/clients/{client_a.pk}/"' in listed and "condoms 10" in listed


@pytest.mark.parametrize(
    ("post", "shown_on"),
    [
        ({}, "place"),  # nothing chosen
        ({"people_count": "0"}, "people_count"),
        ({"tally_sex_female": "4", "tally_sex_male": "4"}, "Sex: These add up to more people than were met."),
        ({"tally_key_population_injects": "7"}, "tally_key_population_injects"),
        ({"supplies_condoms": "0"}, "supplies_condoms"),
        ({"supplies_condoms": "lots"}, "supplies_condoms"),
        ({"supplies_condoms": "5", "supplies_hiv_rapid_test_post": "on"}, "supplies_hiv_rapid_test"),
        ({"overdose_1_naloxone_given_by": "peer", "overdose_1_outcome": "recovered"}, "overdose_1_naloxone_doses"),
        (
            {"overdose_1_naloxone_given_by": "nobody", "overdose_1_naloxone_doses": "1", "overdose_1_outcome": "died"},
            "overdose_1_naloxone_doses",
        ),
        ({"overdose_1_naloxone_given_by": "peer", "overdose_1_naloxone_doses": "1"}, "overdose_1_outcome"),
        (
            {"overdose_1_naloxone_given_by": "police", "overdose_1_naloxone_doses": "1", "overdose_1_outcome": "died"},
            "overdose_1_naloxone_given_by",
        ),
        # The second slot left blank: the service's second overdose is the form's third.
        (
            {
                **{"overdose_1_naloxone_given_by": "peer", "overdose_1_naloxone_doses": "1"},
                **{"overdose_1_outcome": "recovered", "overdose_3_naloxone_given_by": "peer"},
                "overdose_3_outcome": "recovered",
            },
            "overdose_3_naloxone_doses",
        ),
        ({"accompanied_to": "not-a-service"}, "accompanied_to"),
        ({"area": "not-an-area"}, "area"),
        ({"contact_at": "2001-01-01T10:00"}, "contact_at"),
        ({"contact_at": "2999-01-01T10:00"}, "contact_at"),
    ],
)
def test_mistakes_are_shown_on_their_field_with_400_and_nothing_is_written(
    network: Network, worker: User, post: dict[str, str], shown_on: str
) -> None:
    data = {**_tally(people_count="6"), **post}
    if not post:
        data = {}
    answer = signed_in_client(worker).post("/outreach/new/", data)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'class="form-error"' in page
    if " " in shown_on:  # a refusal of a whole group: above the form and on the group
        assert page.count(shown_on.split(": ", 1)[1]) == 2 and shown_on in page
    else:
        assert f'id="id_{shown_on}_error"' in page or (shown_on == "place" and "Choose where" in page)
    assert not OutreachContact.objects.exists() and not SupplyGiven.objects.exists()


@pytest.fixture
def drop_in_north(network: Network) -> Service:
    """A service of another organisation in organisation A's province: somewhere to go with a client."""
    organisation = organisation_create(
        actor=None, name="Gamma Harm Reduction", type=OrganisationType.COMMUNITY_LED, admin_area=network.north
    )
    site = site_create(actor=None, organisation=organisation, name="Gamma hub", admin_area=network.north_district)
    return service_create(
        actor=None,
        site=site,
        name="Gamma drop-in",
        type=ServiceType.DROP_IN,
        pyramid_level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
    )


def test_two_overdoses_and_accompaniment_are_recorded_in_one_contact(
    network: Network, worker: User, client_a: Client, drop_in_north: Service
) -> None:
    browser = signed_in_client(worker)
    form = browser.get(f"/clients/{client_a.pk}/contacts/new/").content.decode()
    assert 'name="overdose_1_outcome"' in form and 'name="overdose_3_outcome"' in form
    assert "Second overdose on this contact?" in form
    assert f'value="{drop_in_north.pk}"' in form and f'value="{network.outreach_b.pk}"' not in form  # in reach only
    made = browser.post(
        f"/clients/{client_a.pk}/contacts/new/",
        {
            "place": "hotspot",
            "supplies_naloxone_kits": "2",
            "overdose_1_naloxone_given_by": "peer",
            "overdose_1_naloxone_doses": "2",
            "overdose_1_outcome": "recovered",
            "overdose_2_naloxone_given_by": "nobody",
            "overdose_2_naloxone_doses": "",
            "overdose_2_outcome": "to_hospital",
            "accompanied_to": str(drop_in_north.pk),
        },
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    contact = OutreachContact.objects.get()
    assert contact.client == client_a and contact.accompanied_to == drop_in_north
    assert sorted((o.naloxone_given_by, o.naloxone_doses, o.outcome) for o in contact.overdoses.all()) == [
        ("nobody", 0, "to_hospital"),
        ("peer", 2, "recovered"),
    ]
    event = ClientEvent.objects.get(client=client_a, kind="care.outreach_contact")
    assert "2 overdoses" in event.summary and "went with them to Gamma drop-in" in event.summary
    listed = browser.get("/outreach/").content.decode()
    assert "Contact recorded (hotspot, 2 overdoses)." in listed
    assert "2 overdoses" in listed and "went with them to Gamma drop-in" in listed


def test_an_anonymous_tally_takes_three_overdoses_and_a_refused_one_writes_nothing(
    network: Network, worker: User
) -> None:
    browser = signed_in_client(worker)
    overdoses = {
        f"overdose_{n}_{name}": value
        for n in (1, 2, 3)
        for name, value in (
            ("naloxone_given_by", "outreach_worker"),
            ("naloxone_doses", str(n)),
            ("outcome", "recovered"),
        )
    }
    refused = browser.post("/outreach/new/", _tally(**{**overdoses, "overdose_2_naloxone_doses": "0"}))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'id="id_overdose_2_naloxone_doses_error"' in page
    assert '<details class="overdose" open><summary>Second overdose' in page  # the refused one is shown
    assert not OutreachContact.objects.exists() and not OverdoseEvent.objects.exists()
    made = browser.post("/outreach/new/", _tally(**overdoses))
    assert made.status_code == 302
    assert sorted(OverdoseEvent.objects.values_list("naloxone_doses", flat=True)) == [1, 2, 3]
    assert "3 overdoses" in browser.get("/outreach/").content.decode()


def test_a_refusal_for_the_client_is_shown_above_the_form(
    network: Network, personas: Personas, worker: User, client_a: Client
) -> None:
    survivor = register(worker, network.org_a, "MARE0101011971")
    client_merge(
        actor=personas.by_role[Role.CASE_MANAGER], survivor=survivor, duplicate=client_a, reason="client_confirmed"
    )
    assert "Record an outreach contact" not in signed_in_client(worker).get(f"/clients/{client_a.pk}/").content.decode()
    answer = signed_in_client(worker).post(f"/clients/{client_a.pk}/contacts/new/", {"place": "street"})
    assert answer.status_code == 400
    assert "This record was merged into another" in answer.content.decode()
    assert not OutreachContact.objects.exists()


def test_another_organisations_client_is_not_found(network: Network, client_a: Client) -> None:
    outsider, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.outreach", password=PASSWORD
    )
    browser = signed_in_client(outsider)
    assert browser.get(f"/clients/{client_a.pk}/contacts/new/").status_code == 404
    assert browser.post(f"/clients/{client_a.pk}/contacts/new/", {"place": "street"}).status_code == 404
    assert client_a.uic not in browser.get("/outreach/").content.decode()
    assert not OutreachContact.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role if Permission.CARE_RECORD not in ROLE_SPECS[r].permissions])
def test_roles_without_care_record_are_refused(personas: Personas, client_a: Client, role: Role) -> None:
    browser = signed_in_client(personas.by_role[role])
    for path in ("/outreach/", "/outreach/new/", f"/clients/{client_a.pk}/contacts/new/"):
        assert browser.get(path).status_code == 403, path
    assert browser.post("/outreach/new/", _tally()).status_code == 403
    assert not OutreachContact.objects.exists()
    if Permission.CLIENT_VIEW in ROLE_SPECS[role].permissions:
        assert "Record an outreach contact" not in browser.get(f"/clients/{client_a.pk}/").content.decode()


def test_a_worker_in_two_organisations_says_which_one(network: Network, worker: User) -> None:
    Membership.objects.create(user=worker, organisation=network.org_b, role=Role.OUTREACH_WORKER)
    browser = signed_in_client(worker)
    choose = browser.get("/outreach/new/").content.decode()
    assert f"/outreach/new/?organisation={network.org_b.pk}" in choose
    assert browser.post("/outreach/new/", _tally()).status_code == 400  # not said: nothing written
    made = browser.post("/outreach/new/", {**_tally(), "organisation": str(network.org_b.pk)})
    assert made.status_code == 302
    assert OutreachContact.objects.get().organisation == network.org_b
    listed = browser.get(f"/outreach/?organisation={network.org_a.pk}").content.decode()
    assert "No contacts recorded yet." in listed


def _record(worker: User, network: Network, client: Client | None = None, **fields: Any) -> None:
    data = ContactInput(
        place="street",
        client=client,
        people_count=1 if client else 3,
        tally={} if client else {"sex": {"female": 1}},
        supplies={"condoms": SupplyLine(5), "naloxone_kits": SupplyLine(1)},
        overdoses=[OverdoseInput("peer", "recovered", 1)],
        area=network.north_district,
        service=network.methadone_a,
        **fields,
    )
    outreach_contact_record(actor=worker, organisation=network.org_a, data=data)


def test_the_list_costs_the_same_queries_however_many_contacts(
    network: Network, worker: User, client_a: Client, settings: Any
) -> None:
    settings.CLIENT_PAGE_SIZE = 5
    browser = signed_in_client(worker)
    _record(worker, network)
    _record(worker, network, client=client_a)
    browser.get("/outreach/")  # warm up
    with CaptureQueriesContext(connection) as two:
        assert browser.get("/outreach/").status_code == 200
    for index in range(10):
        _record(worker, network, client=client_a if index % 2 else None)
    with CaptureQueriesContext(connection) as twelve:
        page = browser.get("/outreach/")
    assert len(twelve.captured_queries) == len(two.captured_queries)
    text = page.content.decode()
    assert "Page 1 of 3" in text and text.count("<tr>") == 1 + 5
    assert browser.get("/outreach/?page=3").content.decode().count("<tr>") == 1 + 2
    assert AuditEvent.objects.filter(action="care.outreach_contact").count() == 12


def test_home_and_navigation_offer_outreach(worker: User, network: Network) -> None:
    home = signed_in_client(worker).get("/").content.decode()
    assert 'href="/outreach/"' in home and ">Outreach<" in home
