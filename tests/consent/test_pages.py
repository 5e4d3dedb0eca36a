"""The consent pages: recording a consent as the client is told it, withdrawing one, and the client's
accounting of disclosures with its CSV and JSON exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.clients.identity import Identity
from cbtc.clients.models import Client, InformationCategory
from cbtc.clients.services import Demographics, client_register
from cbtc.clients.uic import get_scheme, parse_uic
from cbtc.consent.exports import REDISCLOSURE_NOTICE
from cbtc.consent.models import Consent, ConsentKind, ConsentMethod, Disclosure, ExpiryEvent, Purpose
from cbtc.consent.services import FORM_VERSION, ConsentInput, consent_record
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import membership_add, staff_create
from tests.clients.test_pages import register, share
from tests.conftest import PASSWORD, Network, Personas, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(personas: Personas) -> User:
    return personas.by_role[Role.OUTREACH_WORKER]


@pytest.fixture
def browser(worker: User) -> HttpClient:
    return signed_in_client(worker)


@pytest.fixture
def bee(worker: User, network: Network) -> Client:
    return register(worker, network.org_a, nickname="Bee", given_name="Beatriz")


def sharing_form(network: Network, worker: User, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": "disclosure",
        "recipients": [str(network.org_b.pk)],
        "categories": ["demographics", "screening"],
        "purpose": "care_coordination",
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "expiry_event": "",
        "method": "verbal",
        "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "witnessed_by": str(worker.pk),
        "explained": "on",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


@pytest.fixture
def consent_form(network: Network, worker: User) -> Callable[..., dict[str, Any]]:
    return lambda **changes: sharing_form(network, worker, **changes)


def test_the_consent_form_shows_the_wording_the_client_is_told(browser, bee, network, worker):
    response = browser.get(f"/clients/{bee.pk}/consents/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You can withdraw your consent at any time" in html
    assert "Withdrawing cannot undo what was already shared" in html
    assert f"Consent form version {FORM_VERSION}" in html
    assert network.org_b.name in html
    assert f'value="{network.org_a.pk}"' not in html  # the disclosing service is not a recipient
    assert f'<option value="{worker.pk}" selected>' in html  # the worker is the default witness
    # Every purpose is a service purpose: nothing for courts, police or prosecution.
    for word in ("police", "court order", "law enforcement"):
        assert word not in html.lower()


def test_recording_a_consent_to_share_shows_it_in_force_on_the_client_page(browser, bee, network, worker):
    response = browser.post(f"/clients/{bee.pk}/consents/new/", sharing_form(network, worker))
    assert response.status_code == 302 and response["Location"] == f"/clients/{bee.pk}/"
    consent = Consent.objects.get()
    assert consent.kind == ConsentKind.DISCLOSURE and consent.category_set == {"demographics", "screening"}
    html = browser.get(f"/clients/{bee.pk}/").content.decode()
    assert "Consent recorded." in html and "In force" in html and network.org_b.name in html
    assert f"/consents/{consent.pk}/withdraw/" in html


def test_a_consent_to_treatment_needs_no_recipients(browser, bee, network, worker):
    form = sharing_form(network, worker, kind="treatment", recipients=None, categories=None, purpose=None)
    assert browser.post(f"/clients/{bee.pk}/consents/new/", form).status_code == 302
    assert Consent.objects.get().kind == ConsentKind.TREATMENT


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"recipients": None}, "Name at least one organisation"),
        ({"purpose": "research"}, "ethics committee"),
        ({"expires_on": ""}, "never lasts for ever"),
        ({"explained": None}, "Explain the consent to the client"),
        ({"given_at": "2001-01-01T10:00"}, "more than 30 days ago"),
    ],
)
def test_a_consent_the_rules_refuse_is_a_400_with_the_reason(browser, bee, consent_form, changes, field_message):
    response = browser.post(f"/clients/{bee.pk}/consents/new/", consent_form(**changes))
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Consent.objects.exists()


def test_without_a_birth_year_the_client_says_they_are_an_adult(browser, worker, network):
    unknown_age = register(worker, network.org_a, "JOPE0203041985", birth_year=None)
    page = browser.get(f"/clients/{unknown_age.pk}/consents/new/").content.decode()
    assert "The client says they are 18 or older" in page
    refused = browser.post(f"/clients/{unknown_age.pk}/consents/new/", sharing_form(network, worker))
    assert refused.status_code == 400 and "birth year is not recorded" in refused.content.decode()
    accepted = browser.post(
        f"/clients/{unknown_age.pk}/consents/new/", sharing_form(network, worker, client_states_adult="on")
    )
    assert accepted.status_code == 302


def test_only_the_owning_service_records_consents(personas, bee, worker, network):
    share(worker, bee, network.org_b, {InformationCategory.DEMOGRAPHICS})
    b_worker, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.w", password=PASSWORD
    )
    assert signed_in_client(b_worker).get(f"/clients/{bee.pk}/consents/new/").status_code == 403
    assert signed_in_client(personas.by_role[Role.DISPENSER]).get(f"/clients/{bee.pk}/consents/new/").status_code == 403


def test_withdrawing_a_consent_stops_sharing_at_once(browser, personas, bee, network, worker):
    consent = share(worker, bee, network.org_b, {InformationCategory.DEMOGRAPHICS})
    recipient = signed_in_client(personas.outsider_manager)
    assert recipient.get(f"/clients/{bee.pk}/").status_code == 200
    confirm = browser.get(f"/consents/{consent.pk}/withdraw/")
    assert confirm.status_code == 200 and "Withdraw this consent?" in confirm.content.decode()
    assert browser.post(f"/consents/{consent.pk}/withdraw/", {}).status_code == 400
    response = browser.post(f"/consents/{consent.pk}/withdraw/", {"method": "verbal"})
    assert response.status_code == 302 and response["Location"] == f"/clients/{bee.pk}/"
    assert recipient.get(f"/clients/{bee.pk}/").status_code == 404
    page = browser.get(f"/clients/{bee.pk}/").content.decode()
    assert "Withdrawn" in page and f"/consents/{consent.pk}/withdraw/" not in page
    again = browser.post(f"/consents/{consent.pk}/withdraw/", {"method": "verbal"})
    assert again.status_code == 400
    assert "already withdrawn" in again.content.decode()


def test_outsiders_cannot_reach_a_consent(personas, bee, network, worker):
    consent = share(worker, bee, network.org_b, {InformationCategory.DEMOGRAPHICS})
    membership_add(actor=None, user=personas.outsider_manager, organisation=network.org_b, role=Role.CLINICIAN)
    outsider = signed_in_client(personas.outsider_manager)
    assert outsider.get(f"/consents/{consent.pk}/withdraw/").status_code == 404
    assert outsider.post(f"/consents/{consent.pk}/withdraw/", {"method": "verbal"}).status_code == 404


# --- The accounting of disclosures ----------------------------------------------------------------------


@pytest.fixture
def disclosed(personas: Personas, bee: Client, network: Network, worker: User) -> Client:
    share(worker, bee, network.org_b, {InformationCategory.DEMOGRAPHICS})
    signed_in_client(personas.outsider_manager).get(f"/clients/{bee.pk}/")
    return bee


def test_the_owner_sees_who_saw_what_under_which_consent(browser, disclosed, network, personas):
    response = browser.get(f"/clients/{disclosed.pk}/disclosures/")
    assert response.status_code == 200
    html = response.content.decode()
    assert network.org_b.name in html
    assert personas.outsider_manager.get_full_name() in html or personas.outsider_manager.username in html
    assert "Viewed the record" in html and "Care coordination and referral" in html
    assert "Demographics (code, birth year and month, sex, gender, key populations, substances)" in html
    assert "/disclosures/export.csv" in html and "/disclosures/export.json" in html


def test_a_recipient_does_not_see_the_accounting(personas, disclosed):
    recipient = signed_in_client(personas.outsider_manager)
    for suffix in ("", "export.csv", "export.json"):
        assert recipient.get(f"/clients/{disclosed.pk}/disclosures/{suffix}").status_code == 404


def test_the_csv_export_streams_with_the_notice_first(browser, disclosed, network):
    response = browser.get(f"/clients/{disclosed.pk}/disclosures/export.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="disclosures-{disclosed.pk}.csv"'
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0].startswith("# Accounting of disclosures")
    assert rows[1][0] == f"# {REDISCLOSURE_NOTICE}"
    assert rows[3][1] == network.org_b.name


def test_the_json_export_carries_the_notice(browser, disclosed):
    response = browser.get(f"/clients/{disclosed.pk}/disclosures/export.json")
    assert response["Content-Disposition"] == f'attachment; filename="disclosures-{disclosed.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["notice"] == REDISCLOSURE_NOTICE
    assert len(data["disclosures"]) == Disclosure.objects.filter(client=disclosed).count() == 1


def test_the_accounting_filters_by_date_and_pages_by_id(browser, disclosed, settings):
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    html = browser.get(f"/clients/{disclosed.pk}/disclosures/?since={later}").content.decode()
    assert "No other service has seen" in html
    assert browser.get(f"/clients/{disclosed.pk}/disclosures/?since=not-a-date").status_code == 400
    newest = Disclosure.objects.get()
    older = browser.get(f"/clients/{disclosed.pk}/disclosures/?before={newest.pk}").content.decode()
    assert "No other service has seen" in older


def test_staff_record_that_treatment_ended_and_the_consents_that_end_with_it_end(
    network: Network, personas: Personas
) -> None:
    worker = personas.by_role[Role.OUTREACH_WORKER]
    client = client_register(
        actor=worker,
        organisation=network.org_a,
        uic=parse_uic(get_scheme("ph-doh"), "MARE0101011970"),
        demographics=Demographics(birth_year=1990),
        identity=Identity(nickname="Ton"),
        confirmed_new_person=True,
    )
    consent = consent_record(
        actor=worker,
        client=client,
        organisation=network.org_a,
        data=ConsentInput(
            kind=ConsentKind.DISCLOSURE,
            method=ConsentMethod.WRITTEN,
            given_at=timezone.now() - timedelta(minutes=1),
            witnessed_by=worker,
            recipients=[network.org_b],
            categories=frozenset({"demographics"}),
            purpose=Purpose.CARE_COORDINATION,
            expiry_event=ExpiryEvent.END_OF_TREATMENT,
        ),
    )
    browser = signed_in_client(worker)
    page = browser.get(f"/clients/{client.pk}/")
    assert "Treatment here has ended" in page.content.decode()
    confirm = browser.get(f"/consents/{consent.pk}/end/")
    assert confirm.status_code == 200
    assert Consent.objects.get(pk=consent.pk).expiry_event_at is None  # looking changes nothing
    done = browser.post(f"/consents/{consent.pk}/end/")
    assert done.status_code == 302
    assert Consent.objects.get(pk=consent.pk).expiry_event_at is not None
    # The other organisation's staff cannot end it.
    outsider = signed_in_client(personas.outsider_manager)
    assert outsider.post(f"/consents/{consent.pk}/end/").status_code == 404
