"""Two organisations refer a client between them in Chromium: a clinician at the treatment centre refers a
client to the peer network's navigation service with the client's consent to share, a peer worker there finds it
in the inbox, accepts it with an appointment and records that the client came, and the clinician follows it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cbtc.clients.identity import Identity
from cbtc.clients.services import Demographics, client_register
from cbtc.clients.uic import get_scheme, parse_uic
from cbtc.consent.models import ConsentKind, ConsentMethod, Purpose
from cbtc.consent.services import ConsentInput, consent_record
from cbtc.network.models import Organisation
from cbtc.network.roles import Role
from cbtc.referrals.models import Referral, ReferralState
from tests.browser.conftest import DESKTOP, Staff, screenshot, sign_in

pytestmark = pytest.mark.browser

PEER_NETWORK = "Hands Together Network of People Who Use Drugs"


def test_a_clinician_refers_and_a_peer_worker_at_another_organisation_accepts_and_records_attendance(
    new_page: Callable[..., Page], demo: Staff
) -> None:
    clinician, peer = demo.by_role[Role.CLINICIAN], demo.by_role[Role.OUTREACH_WORKER]
    centre = clinician.memberships.get().organisation
    peers = Organisation.objects.get(name=PEER_NETWORK)
    client = client_register(
        actor=clinician,
        organisation=centre,
        uic=parse_uic(get_scheme("ph-doh"), "JODA0202021988"),
        demographics=Demographics(birth_year=1988, sex_at_birth="female"),
        identity=Identity(nickname="Dao"),
        confirmed_new_person=True,
    )
    consent_record(
        actor=clinician,
        client=client,
        organisation=centre,
        data=ConsentInput(
            kind=ConsentKind.DISCLOSURE,
            method=ConsentMethod.WRITTEN,
            given_at=timezone.now() - timedelta(minutes=1),
            witnessed_by=clinician,
            recipients=[peers],
            categories=frozenset({"demographics"}),
            purpose=Purpose.CARE_COORDINATION,
            expires_on=timezone.localdate() + timedelta(days=90),
        ),
    )

    # The clinician refers from the client's page, sharing what the consent covers.
    sender = new_page()
    sign_in(sender, clinician.username, demo.password)
    sender.goto(f"/clients/{client.pk}/")
    sender.get_by_role("link", name="Refer", exact=True).click()
    sender.get_by_label("Name of the service or organisation").fill("navigation")
    sender.get_by_role("button", name="Search").click()
    sender.get_by_role("link", name="Refer here").first.click()
    expect(sender.get_by_role("heading", name="Refer to Peer navigation to health services")).to_be_visible()
    sender.get_by_label("From (your service)").select_option(label="Outpatient counselling and relapse prevention")
    sender.get_by_label("Reason for the referral").select_option("primary_health")
    sender.check("input[name=urgency][value=soon]", force=True)
    sender.check("input[name=share][value=demographics]", force=True)
    sender.get_by_label("Under the consent").select_option(index=1)
    sender.get_by_label("Someone will go with the client").check()
    screenshot(sender, "referral-new")
    sender.get_by_role("button", name="Send the referral").click()
    expect(sender.get_by_text(re.compile(r"Referral sent\. Its code is R-"))).to_be_visible()
    referral = Referral.objects.get(client=client)
    assert referral.state == ReferralState.SENT and referral.category_set == {"demographics"}

    # A peer worker at the other organisation answers it.
    receiver = new_page(DESKTOP)
    sign_in(receiver, peer.username, demo.password)
    receiver.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    receiver.get_by_role("link", name=referral.code).click()
    expect(receiver.get_by_text("Shared under the client's consent: Demographics")).to_be_visible()
    when = (timezone.localtime() + timedelta(days=1)).replace(hour=10, minute=0)
    receiver.get_by_label("Appointment (optional)").fill(when.strftime("%Y-%m-%dT%H:%M"))
    receiver.get_by_role("button", name="Accept").click()
    expect(receiver.get_by_text("Referral accepted.")).to_be_visible()
    receiver.get_by_role("button", name="The client came").click()
    expect(receiver.get_by_text("Referral attended.")).to_be_visible()
    screenshot(receiver, "referral-received")

    # The clinician sees each step in the outbox and on the referral.
    sender.goto("/referrals/?box=outbox")
    expect(sender.get_by_text("Attended").first).to_be_visible()
    sender.get_by_role("link", name=referral.code).click()
    history = sender.locator("ol.history")
    for state in ("Sent", "Accepted", "Attended"):
        expect(history.get_by_text(state, exact=True)).to_be_visible()
    referral.refresh_from_db()
    assert referral.state == ReferralState.ATTENDED and referral.appointment_at is not None
