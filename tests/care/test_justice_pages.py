"""Progress reports to a court through the pages and the API: the consent form records a consent to court
reports; the episode page offers a report only to the organisation holding it; a report is prepared, shown to
print and listed in the accounting of disclosures (page and CSV); mistakes are shown on their field (400,
nothing written); another organisation gets 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.care.models import CourtReport, Episode
from cbtc.care.services.episodes import EpisodeInput, episode_open
from cbtc.clients.models import Client
from cbtc.consent.models import Consent, ConsentKind, Disclosure
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.care.test_justice import COURT, court_consent
from tests.clients.test_registry import register
from tests.conftest import PASSWORD, Network, Personas, bearer, signed_in_client
from tests.screening.conftest import treatment_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_manager(personas: Personas) -> User:
    return personas.by_role[Role.CASE_MANAGER]


@pytest.fixture
def client_a(network: Network, case_manager: User) -> Client:
    client = register(case_manager, network.org_a, "MARE0101011970", given_name="Mara", family_name="Rees")
    treatment_consent(case_manager, client)
    return client


@pytest.fixture
def episode(network: Network, case_manager: User, client_a: Client) -> Episode:
    data = EpisodeInput(service=network.methadone_a, modality="oat", referral_source="court_diversion")
    return episode_open(actor=case_manager, client=client_a, data=data)


def _reports(client: Client, episode: Episode) -> str:
    return f"/clients/{client.pk}/episodes/{episode.pk}/court-reports/"


def _report_form(consent: Consent, **changes: str) -> dict[str, str]:
    today = timezone.localdate()
    values = {
        "consent": str(consent.pk),
        "period_from": (today - timedelta(days=14)).isoformat(),
        "period_to": today.isoformat(),
        "statement": "Comes every week.",
        "read_with_client": "on",
    }
    return values | changes


def test_the_consent_form_records_a_consent_to_court_reports(case_manager: User, client_a: Client) -> None:
    browser = signed_in_client(case_manager)
    page = browser.get(f"/clients/{client_a.pk}/consents/new/")
    assert page.status_code == 200 and b"Consent to progress reports to a court" in page.content
    form = {
        "kind": "court_report",
        "external_recipient": COURT,
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "method": "written",
        "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "witnessed_by": str(case_manager.pk),
        "explained": "on",
    }
    missing = browser.post(f"/clients/{client_a.pk}/consents/new/", form | {"external_recipient": ""})
    assert missing.status_code == 400 and b"Name the court or probation office" in missing.content
    assert not Consent.objects.filter(kind=ConsentKind.COURT_REPORT).exists()
    done = browser.post(f"/clients/{client_a.pk}/consents/new/", form)
    assert done.status_code == 302, done.content[:2000]
    assert Consent.objects.get(kind=ConsentKind.COURT_REPORT).external_recipient == COURT
    assert COURT.encode() in browser.get(f"/clients/{client_a.pk}/").content


def test_a_report_is_prepared_printed_and_in_the_accounting(
    case_manager: User, client_a: Client, episode: Episode
) -> None:
    browser = signed_in_client(case_manager)
    episode_page = browser.get(f"/clients/{client_a.pk}/episodes/{episode.pk}/")
    assert b"Progress reports to a court" in episode_page.content
    without = browser.get(_reports(client_a, episode) + "new/")
    assert without.status_code == 200 and b"no consent to progress reports" in without.content

    consent = court_consent(case_manager, client_a)
    unread = browser.post(_reports(client_a, episode) + "new/", _report_form(consent, read_with_client=""))
    assert unread.status_code == 400 and b"Go through the report with the client" in unread.content
    backwards = browser.post(
        _reports(client_a, episode) + "new/",
        _report_form(
            consent,
            period_to=timezone.localdate().isoformat(),
            period_from=(timezone.localdate() + timedelta(days=1)).isoformat(),
        ),
    )
    assert backwards.status_code == 400 and not CourtReport.objects.exists()

    done = browser.post(_reports(client_a, episode) + "new/", _report_form(consent))
    report = CourtReport.objects.get()
    assert done.status_code == 302 and done["Location"] == _reports(client_a, episode) + f"{report.pk}/"
    shown = browser.get(done["Location"]).content.decode()
    assert COURT in shown and "Mara Rees" in shown and "Comes every week." in shown
    assert "relapse" not in shown.lower().replace("lapses, relapses", "")
    accounting = browser.get(f"/clients/{client_a.pk}/disclosures/").content.decode()
    assert COURT in accounting and "Progress report handed to a court" in accounting
    csv = b"".join(browser.get(f"/clients/{client_a.pk}/disclosures/export.csv").streaming_content).decode()
    assert COURT in csv and "Progress report in a diversion programme" in csv
    assert case_manager.get_full_name() in csv.splitlines()[-1]  # handed over by (the accounting names them)
    assert Disclosure.objects.filter(external_recipient=COURT).count() == 1


def test_another_organisation_never_sees_court_reports(
    network: Network, case_manager: User, client_a: Client, episode: Episode, personas: Personas
) -> None:
    report = _report_form(court_consent(case_manager, client_a))
    assert signed_in_client(case_manager).post(_reports(client_a, episode) + "new/", report).status_code == 302
    # A case manager at another organisation: the role may prepare reports, the organisation may not.
    other, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CASE_MANAGER, username="b.case", password=PASSWORD
    )
    outsider = signed_in_client(other)
    assert outsider.get(_reports(client_a, episode) + "new/").status_code == 404
    saved = CourtReport.objects.get()
    assert outsider.get(_reports(client_a, episode) + f"{saved.pk}/").status_code == 404


def test_the_api_prepares_and_lists_reports(case_manager: User, client_a: Client, episode: Episode) -> None:
    api = HttpClient(raise_request_exception=False, **bearer(case_manager))
    url = f"/api/v1/clients/{client_a.pk}/episodes/{episode.pk}/court-reports"
    today = timezone.localdate()
    body = {
        "period_from": (today - timedelta(days=7)).isoformat(),
        "period_to": today.isoformat(),
        "statement": "",
        "read_with_client": True,
    }
    refused = api.post(url, {**body, "consent_id": str(episode.pk)}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["error"]["fields"][0]["field"] == "consent"
    consent = court_consent(case_manager, client_a)
    made = api.post(url, {**body, "consent_id": str(consent.pk)}, content_type="application/json")
    assert made.status_code == 201 and made.json()["court"] == COURT and made.json()["participation"] == "In care"
    listed = api.get(url)
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["reports"]] == [made.json()["id"]]
