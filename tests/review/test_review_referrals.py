"""Review of the referrals work (issue 5) and level-of-care matching: one test per finding, each failing before
its fix.

Organisation A registers the client and refers; organisation B receives (``worker_b``, an outreach worker there,
who handles referrals and may view records shared with B).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from cbtc.clients.models import Client
from cbtc.errors import NotFound
from cbtc.network.models import Organisation, OrganisationType, PyramidLevel, Service, ServiceType, User
from cbtc.network.roles import Role
from cbtc.network.services.directory import organisation_create, service_create, site_create
from cbtc.network.services.staff import staff_create, staff_disable
from cbtc.referrals.models import Referral
from cbtc.referrals.selectors import referral_box, referral_by_code, referral_for_actor
from cbtc.referrals.services import referral_cancel, referral_send
from cbtc.screening.level_of_care import recommendation_record
from cbtc.screening.models import PlacementReview
from tests.clients.test_registry import register, share
from tests.conftest import PASSWORD, Network, Personas, bearer, signed_in_client
from tests.referrals.conftest import refer
from tests.screening.conftest import recorded_assist, treatment_consent
from tests.screening.instrument_helpers import assist_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_a(personas: Personas) -> User:
    return personas.by_role[Role.CLINICIAN]


@pytest.fixture
def worker_b(network: Network) -> User:
    user, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.outreach", password=PASSWORD
    )
    return user


@pytest.fixture
def org_c(network: Network) -> Organisation:
    return organisation_create(
        actor=None, name="Gamma Health Centre", type=OrganisationType.GOVERNMENT_HEALTH, admin_area=network.south
    )


@pytest.fixture
def client_a(network: Network, worker_a: User) -> Client:
    return register(worker_a, network.org_a, "MARE0101011970")


def api(user: User) -> HttpClient:
    return HttpClient(raise_request_exception=False, **bearer(user))


def browser(user: User) -> HttpClient:
    session = signed_in_client(user)
    session.raise_request_exception = False
    return session


def _residential(network: Network) -> Service:
    return service_create(
        actor=None,
        site=network.site_b,
        name="Beta residential",
        type=ServiceType.LONG_TERM_RESIDENTIAL,
        pyramid_level=PyramidLevel.LONG_TERM_RESIDENTIAL,
    )


def _recommend_level_1(network: Network, client: Client, worker: User) -> None:
    treatment_consent(worker, client)
    assessment = recorded_assist(client, worker, assist_answers({}))  # nothing used: level 1
    recommendation_record(actor=worker, client=client, organisation=network.org_a, assessment=assessment, context={})


def _api_body(network: Network, **changes: Any) -> dict[str, Any]:
    return {
        "sending_service_id": str(network.methadone_a.pk),
        "receiving_service_id": str(network.outreach_b.pk),
        "reason": "harm_reduction",
        **changes,
    }


# --- R1: a draft cancelled before it was sent reaches the receiving service -------------------------------


def test_a_draft_cancelled_before_sending_is_never_shown_to_the_receiving_service(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    draft = refer(worker_a, client_a, network.methadone_a, network.outreach_b, send=False, note="bring the dose card")
    referral_cancel(actor=worker_a, referral=draft)
    # It was never sent: B must not learn that A meant to refer this client to it.
    assert list(referral_box(actor=worker_b, box="inbox", show="all")) == []
    assert referral_by_code(actor=worker_b, code=draft.code) is None
    with pytest.raises(NotFound):
        referral_for_actor(actor=worker_b, referral_id=draft.pk)


# --- R2: placement reviews reach a recipient through the timeline ----------------------------------------


def test_a_recipient_with_a_screening_consent_does_not_see_placement_reviews_on_the_timeline(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    _recommend_level_1(network, client_a, worker_a)
    refer(worker_a, client_a, network.methadone_a, _residential(network), reason="residential")  # anonymous
    assert PlacementReview.objects.count() == 1
    share(worker_a, client_a, [network.org_b], {"screening"})  # screening, not referrals
    response = api(worker_b).get(f"/api/v1/clients/{client_a.pk}/timeline")
    assert response.status_code == 200
    kinds = [entry["kind"] for entry in response.json()["entries"]]
    assert "screening.recommended" in kinds  # what the consent covers is shown
    # Placement reviews are the owner's own business (screening/selectors.py), and this one names the service
    # the client was referred to, which a consent without "referrals" must not reveal (decision 012).
    assert not [kind for kind in kinds if kind.startswith("screening.placement_review")]


# --- R3: a draft sent later skips the placement review ------------------------------------------------------


def test_sending_a_draft_flags_a_placement_more_intensive_than_recommended(
    network: Network, client_a: Client, worker_a: User
) -> None:
    _recommend_level_1(network, client_a, worker_a)
    draft = refer(worker_a, client_a, network.methadone_a, _residential(network), send=False, reason="residential")
    referral_send(actor=worker_a, referral=draft)
    review = PlacementReview.objects.filter(placed_by_object_type="referral", placed_by_object_id=draft.pk)
    assert review.count() == 1


# --- R4: a NUL byte in the note -----------------------------------------------------------------------------


def test_the_referral_api_refuses_a_nul_byte_in_the_note_naming_the_field(
    network: Network, client_a: Client, worker_a: User
) -> None:
    response = api(worker_a).post(
        f"/api/v1/clients/{client_a.pk}/referrals",
        _api_body(network, note="bring the card\x00"),
        content_type="application/json",
    )
    assert response.status_code == 422, response.status_code
    assert "note" in response.content.decode()
    assert not Referral.objects.exists()


# --- R5: an appointment at the end of the calendar -----------------------------------------------------------


def test_accepting_with_an_appointment_at_the_end_of_the_calendar_is_refused_not_a_500_api(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    response = api(worker_b).post(
        f"/api/v1/referrals/{referral.pk}/state",
        {"state": "accepted", "appointment_at": "9999-12-31T23:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.status_code
    assert "appointment_at" in response.content.decode()


def test_accepting_with_an_appointment_at_the_end_of_the_calendar_is_refused_not_a_500_page(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    response = browser(worker_b).post(f"/referrals/{referral.pk}/accepted/", {"appointment_at": "9999-12-31T23:59"})
    assert response.status_code in (302, 400), response.status_code
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_a_referral_made_with_an_appointment_at_the_end_of_the_calendar_can_be_accepted_or_is_refused(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    made = api(worker_a).post(
        f"/api/v1/clients/{client_a.pk}/referrals",
        _api_body(network, appointment_at="9999-12-31T23:00:00Z"),
        content_type="application/json",
    )
    if made.status_code == 422:  # refused with the field: fine
        assert "appointment_at" in made.content.decode()
        return
    assert made.status_code == 201, made.status_code
    answer = api(worker_b).post(
        f"/api/v1/referrals/{made.json()['id']}/state", {"state": "accepted"}, content_type="application/json"
    )
    assert answer.status_code in (200, 422), answer.status_code


# --- R6: the referral list API reads each referral's organisations one by one ------------------------------


def test_the_referral_list_api_costs_the_same_queries_however_many_referrals(
    network: Network, client_a: Client, worker_a: User, worker_b: User
) -> None:
    receiver = api(worker_b)
    refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    receiver.get("/api/v1/referrals?box=inbox")  # warm up
    with CaptureQueriesContext(connection) as one:
        assert receiver.get("/api/v1/referrals?box=inbox").status_code == 200
    for _ in range(5):
        refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    with CaptureQueriesContext(connection) as six:
        listed = receiver.get("/api/v1/referrals?box=inbox")
    assert len(listed.json()["referrals"]) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


# --- R7: the API suggests a service of a closed organisation -----------------------------------------------


def test_declining_through_the_api_cannot_suggest_a_service_of_a_closed_organisation(
    network: Network, client_a: Client, worker_a: User, worker_b: User, org_c: Organisation
) -> None:
    referral = refer(worker_a, client_a, network.methadone_a, network.outreach_b)
    site_c = site_create(
        actor=None, organisation=org_c, name="Gamma clinic", admin_area=network.south_district, time_zone="Asia/Bangkok"
    )
    closed = service_create(
        actor=None,
        site=site_c,
        name="Gamma outreach",
        type=ServiceType.OUTREACH,
        pyramid_level=PyramidLevel.INFORMAL_COMMUNITY_CARE,
    )
    Organisation.objects.filter(pk=org_c.pk).update(is_active=False)  # closed in the directory
    response = api(worker_b).post(
        f"/api/v1/referrals/{referral.pk}/state",
        {"state": "declined", "decline_reason": "no_capacity", "suggested_service_id": str(closed.pk)},
        content_type="application/json",
    )
    assert response.status_code == 422, response.status_code
    assert "suggested_service" in response.content.decode()


# --- R8: the service search of the referral page and a NUL byte ---------------------------------------------


def test_the_referral_page_service_search_with_a_nul_byte_is_not_a_500(
    network: Network, client_a: Client, worker_a: User
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores NUL; PostgreSQL (production) refuses it with an error")
    response = browser(worker_a).get(f"/clients/{client_a.pk}/referrals/new/", {"q": "meth\x00adone"})
    assert response.status_code in (200, 400), response.status_code


# --- R9: the API names a disabled member of staff to go with the client --------------------------------------


def test_the_referral_api_does_not_name_a_disabled_member_of_staff_to_go_with_the_client(
    network: Network, client_a: Client, worker_a: User, personas: Personas
) -> None:
    gone = personas.by_role[Role.CASE_MANAGER]
    staff_disable(actor=personas.by_role[Role.SERVICE_MANAGER], user=gone)  # left the service; membership kept
    response = api(worker_a).post(
        f"/api/v1/clients/{client_a.pk}/referrals",
        _api_body(network, accompaniment_requested=True, accompanied_by_id=str(gone.pk)),
        content_type="application/json",
    )
    # The page offers active staff only (new_views._form); the API must refuse the same choice, naming the field.
    assert response.status_code == 422, response.status_code
    assert "accompanied_by" in response.content.decode()
