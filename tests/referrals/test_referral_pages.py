"""Referrals through the browser's door and the API: make one from the client's page, answer it from the other
organisation's inbox, follow it from the outbox; outsiders get 404; bad input gets its field, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.clients.models import Client
from cbtc.consent.models import Disclosure
from cbtc.network.models import User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from cbtc.referrals.models import Referral, ReferralState
from tests.clients.test_registry import share
from tests.conftest import PASSWORD, Network, bearer, signed_in_client
from tests.referrals.conftest import refer

pytestmark = pytest.mark.django_db


def _form(network: Network, **changes: str) -> dict[str, Any]:
    return {
        "receiving_service": str(network.outreach_b.pk),
        "sending_service": str(network.methadone_a.pk),
        "reason": "harm_reduction",
        "urgency": "soon",
        "note": "Bring the dose card",
        **changes,
    }


def test_the_client_page_offers_a_referral_and_the_service_is_found_by_name(
    network: Network, client_a: Client, worker_a: User
) -> None:
    browser = signed_in_client(worker_a)
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f"/clients/{client_a.pk}/referrals/new/" in page
    choose = browser.get(f"/clients/{client_a.pk}/referrals/new/?q=street").content.decode()
    assert "Beta street outreach" in choose and "Refer here" in choose
    form = browser.get(f"/clients/{client_a.pk}/referrals/new/?service={network.outreach_b.pk}").content.decode()
    assert "Refer to Beta street outreach" in form
    assert "this referral will be anonymous" in form  # no consent to share with Beta is in force
    assert 'value="harm_reduction" selected' in form  # the usual reason for outreach, filled in


def test_an_anonymous_referral_made_in_the_page_is_answered_in_the_other_inbox(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    sender = signed_in_client(worker_a)
    made = sender.post(f"/clients/{client_a.pk}/referrals/new/?service={network.outreach_b.pk}", _form(network))
    assert made.status_code == 302, made.content.decode()[:2000]
    referral = Referral.objects.get()
    assert referral.state == ReferralState.SENT and referral.anonymous and referral.urgency == "soon"

    receiver = signed_in_client(worker_b)
    inbox = receiver.get("/referrals/").content.decode()
    assert referral.code in inbox
    detail = receiver.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Nothing shared (anonymous referral)" in detail and "Open the client's record" not in detail
    assert client_a.uic not in detail
    found = receiver.post("/referrals/find/", {"code": referral.code.replace("-", " ").lower()})
    assert found["Location"] == f"/referrals/{referral.pk}/"
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert receiver.post(f"/referrals/{referral.pk}/accepted/", {"appointment_at": when}).status_code == 302
    assert receiver.post(f"/referrals/{referral.pk}/attended/").status_code == 302
    assert receiver.post(f"/referrals/{referral.pk}/completed/", {"completion_outcome": ""}).status_code == 400
    assert receiver.post(f"/referrals/{referral.pk}/completed/", {"completion_outcome": "enrolled"}).status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.COMPLETED

    outbox = sender.get("/referrals/?box=outbox&show=closed").content.decode()
    assert referral.code in outbox and "Completed" in outbox
    followed = sender.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Started care here" in followed and "Beta Community Network" in followed


def test_a_shared_referral_opens_the_record_under_the_consent_and_logs_the_disclosure(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    consent = share(worker_a, client_a, [network.org_b], {"demographics"})
    sender = signed_in_client(worker_a)
    form = sender.get(f"/clients/{client_a.pk}/referrals/new/?service={network.outreach_b.pk}").content.decode()
    assert "Under the consent" in form
    data = _form(network, share="demographics", consent=str(consent.pk))
    assert (
        sender.post(f"/clients/{client_a.pk}/referrals/new/?service={network.outreach_b.pk}", data).status_code == 302
    )
    refused = sender.post(
        f"/clients/{client_a.pk}/referrals/new/?service={network.outreach_b.pk}", _form(network, share="screening")
    )
    assert refused.status_code == 400 and "needs their consent" in refused.content.decode()
    referral = Referral.objects.get()
    receiver = signed_in_client(worker_b)
    detail = receiver.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Shared under the client's consent: Demographics" in detail and "Open the client's record" in detail
    before = Disclosure.objects.count()
    assert receiver.get(f"/clients/{client_a.pk}/").status_code == 200
    assert Disclosure.objects.count() == before + 1


def test_outsiders_get_404_and_the_wrong_side_cannot_take_a_step(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    stranger, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.clin2", password=PASSWORD
    )
    assert signed_in_client(stranger).get(f"/referrals/{referral.pk}/").status_code == 200  # same organisation as B
    sender = signed_in_client(worker_a)
    assert sender.post(f"/referrals/{referral.pk}/accepted/").status_code == 403
    assert sender.post(f"/referrals/{referral.pk}/teleport/").status_code == 404
    assert sender.get(f"/referrals/{Referral().pk}/").status_code == 404
    receiver = signed_in_client(worker_b)
    assert receiver.post(f"/referrals/{referral.pk}/cancelled/").status_code == 403
    assert receiver.get(f"/clients/{client_a.pk}/referrals/new/").status_code in (403, 404)


def test_the_api_makes_answers_and_lists_referrals(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    sender, receiver = HttpClient(**bearer(worker_a)), HttpClient(**bearer(worker_b))
    body = {
        "sending_service_id": str(network.methadone_a.pk),
        "receiving_service_id": str(network.outreach_b.pk),
        "reason": "harm_reduction",
        "urgency": "urgent",
    }
    made = sender.post(f"/api/v1/clients/{client_a.pk}/referrals", body, content_type="application/json")
    assert made.status_code == 201, made.content
    out = made.json()
    assert out["anonymous"] and out["state"] == "sent" and out["client_id"] == str(client_a.pk)
    refused = sender.post(
        f"/api/v1/clients/{client_a.pk}/referrals",
        {**body, "shared_categories": ["demographics"]},
        content_type="application/json",
    )
    assert refused.status_code == 422 and refused.json()["error"]["fields"][0]["field"] == "consent"
    bad = sender.post(
        f"/api/v1/clients/{client_a.pk}/referrals", {**body, "reason": "arrest"}, content_type="application/json"
    )
    assert bad.status_code == 422

    inbox = receiver.get("/api/v1/referrals?box=inbox").json()
    assert [r["id"] for r in inbox["referrals"]] == [out["id"]] and inbox["referrals"][0]["client_id"] is None
    step = receiver.post(
        f"/api/v1/referrals/{out['id']}/state",
        {"state": "declined", "decline_reason": "no_capacity"},
        content_type="application/json",
    )
    assert step.status_code == 200 and step.json()["state"] == "declined"
    again = receiver.post(
        f"/api/v1/referrals/{out['id']}/state", {"state": "accepted"}, content_type="application/json"
    )
    assert again.status_code == 422
    history = sender.get(f"/api/v1/referrals/{out['id']}").json()["history"]
    assert [event["state"] for event in history] == ["draft", "sent", "declined"]
    figures = sender.get(f"/api/v1/organisations/{network.org_a.pk}/referral-figures?days=30").json()
    assert figures["services"][0]["sent"]["total"] == 1 and figures["services"][0]["sent"]["declined"] == 1
    assert receiver.get(f"/api/v1/organisations/{network.org_a.pk}/referral-figures").status_code == 404
    assert receiver.get("/api/v1/referrals?box=sideways").status_code == 422


def test_the_figures_page_shows_counts_per_service(network: Network, client_a: Client, worker_a: User) -> None:
    refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    page = signed_in_client(worker_a).get("/referrals/figures/?days=30").content.decode()
    assert "Alpha methadone clinic" in page and "<td>1</td>" in page
