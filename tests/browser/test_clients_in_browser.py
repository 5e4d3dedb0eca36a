"""Registering clients in a real browser: the code made from the client's answers, and the duplicate warning
before a second registration of the same person."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cbtc.audit.models import AuditEvent
from cbtc.clients.models import Client
from cbtc.network.roles import Role
from tests.browser.conftest import Staff, screenshot, sign_in

pytestmark = pytest.mark.browser


def fill_registration(page: Page, *, nickname: str, birth_year: str) -> None:
    page.get_by_label("Nickname or street name").fill(nickname)
    page.get_by_label("Year of birth").fill(birth_year)
    page.get_by_text("Male", exact=True).click()


def test_an_outreach_worker_registers_a_client_then_sees_the_duplicate_warning(page: Page, demo: Staff) -> None:
    worker = demo.by_role[Role.OUTREACH_WORKER]
    sign_in(page, worker.username, demo.password)
    page.get_by_role("link", name="Clients").first.click()
    page.get_by_role("link", name="Register a client").click()

    # The code, made from the client's answers; the answers leave the page once the code is made.
    page.get_by_text("No card? Ask the questions to make the code").click()
    page.get_by_label("What is your mother's first name?").fill("María")
    page.get_by_label("What is your father's first name?").fill("Renato")
    page.get_by_label("Counting all your mother's children", exact=False).fill("1")
    page.get_by_label("What is your date of birth?").fill("1970-01-01")
    page.get_by_role("button", name="Make the code").click()
    expect(page.get_by_role("status")).to_contain_text("MARE0101011970")
    expect(page.get_by_label("Code from the client's card")).to_have_value("MARE0101011970")
    expect(page.get_by_label("What is your mother's first name?")).to_have_value("")

    fill_registration(page, nickname="Ton", birth_year="1970")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_role("heading", name="MARE0101011970")).to_be_visible()
    expect(page.locator("p.name")).to_have_text("Ton")
    first = Client.objects.get(uic="MARE0101011970")
    assert page.url.endswith(f"/clients/{first.pk}/")

    # The same person again, one letter mistyped on the card: warned before anything is saved.
    page.goto("/clients/register/")
    page.get_by_label("Code from the client's card").fill("mari-0101-011970")
    fill_registration(page, nickname="Tony", birth_year="1970")
    page.get_by_role("button", name="Register", exact=True).click()
    warning = page.locator("#duplicates")
    expect(warning.get_by_role("heading", name="This person may already be registered")).to_be_visible()
    expect(warning.get_by_role("link", name="MARE0101011970")).to_be_visible()
    expect(warning).to_contain_text("Ton")
    screenshot(page, "clients-duplicate-warning")
    assert Client.objects.count() == 1

    # Confirming a different person registers the second record.
    warning.get_by_role("button", name="This is a different person — register anyway").click()
    expect(page.get_by_role("heading", name="MARI0101011970")).to_be_visible()
    assert Client.objects.count() == 2
    # Nothing the client said about their parents reached the audit trail.
    assert not AuditEvent.objects.filter(details__icontains="Renato").exists()
    assert "Renato" not in str(list(AuditEvent.objects.values_list("details", flat=True)))
