"""Incident, pregnancy and release plan pages: each records through its service from the client's page, a legal-aid
or continuity referral included; a mistake or a refusal of a service is shown on the field it names (400, nothing
written); another organisation gets 404 (403 when the record is shared with it), roles without care.record 403;
the client's page lists incidents to the owning organisation only, the current pregnancy and the release plans to
whoever may see episodes, in the same queries however many there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cbtc.care.models import Incident, Pregnancy, ReleasePlan
from cbtc.care.services.incidents import incident_record
from cbtc.care.services.populations import release_plan_record
from cbtc.clients.models import Client
from cbtc.network.models import OrganisationType, PyramidLevel, Service, ServiceType, User
from cbtc.network.roles import Role
from cbtc.network.services.directory import organisation_create, service_create, site_create
from cbtc.network.services.staff import staff_create
from cbtc.referrals.models import Referral, ReferralReason
from tests.clients.test_registry import register, share
from tests.conftest import PASSWORD, Network, Personas, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(personas: Personas) -> User:
    return personas.by_role[Role.OUTREACH_WORKER]


@pytest.fixture
def client_a(network: Network, worker: User) -> Client:
    return register(worker, network.org_a, "MARE0101011970", sex_at_birth="female")


@pytest.fixture
def legal_aid_north(network: Network) -> Service:
    """A legal-aid service of another organisation in organisation A's province."""
    organisation = organisation_create(
        actor=None, name="Gamma Legal Aid", type=OrganisationType.LEGAL_AID, admin_area=network.north
    )
    site = site_create(actor=None, organisation=organisation, name="Gamma office", admin_area=network.north_district)
    return service_create(
        actor=None,
        site=site,
        name="Gamma legal advice",
        type=ServiceType.LEGAL_AID,
        pyramid_level=PyramidLevel.SPECIALISED_SOCIAL_WELFARE,
    )


@pytest.fixture
def recipient(network: Network) -> User:
    user, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CLINICIAN, username="b.clinician", password=PASSWORD
    )
    return user


def _url(client: Client, page: str) -> str:
    return f"/clients/{client.pk}/{page}/new/"


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# -- incidents ---------------------------------------------------------------------------------------------


def test_an_arrest_with_crisis_support_and_a_legal_aid_referral_is_recorded_from_the_client_page(
    network: Network, worker: User, client_a: Client, legal_aid_north: Service
) -> None:
    browser = signed_in_client(worker)
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f'href="{_url(client_a, "incidents")}"' in page and "Record an incident" in page
    form = browser.get(_url(client_a, "incidents"))
    assert form.status_code == 200
    text = form.content.decode()
    assert "Arrest or detention" in text and "Rights violation inside a service" in text
    assert '<optgroup label="Legal aid">' in text and f'value="{legal_aid_north.pk}"' in text
    assert f'value="{timezone.localdate().isoformat()}"' in text  # today, ready to change

    made = browser.post(
        _url(client_a, "incidents"),
        {
            "kind": "arrest",
            "occurred_on": _day(-2),
            "crisis_response": "on",
            "legal_aid_service": str(legal_aid_north.pk),
            "legal_aid_sending_service": str(network.methadone_a.pk),
        },
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    assert made["Location"] == f"/clients/{client_a.pk}/"
    incident = Incident.objects.get()
    referral = Referral.objects.get()
    assert (incident.client, incident.organisation, incident.kind) == (client_a, network.org_a, "arrest")
    assert incident.crisis_response and incident.legal_aid_referral == referral
    assert referral.receiving_service == legal_aid_north and referral.reason == ReferralReason.LEGAL_AID
    assert referral.anonymous  # nothing about the client is shared: they take the code

    shown = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f"Give the client its code: {referral.code}." in shown
    assert "Arrest or detention" in shown and "crisis support given" in shown
    assert f'href="/referrals/{referral.pk}/"' in shown and "Only your organisation sees these." in shown


@pytest.mark.parametrize(
    ("changes", "shown_on"),
    [
        ({"kind": ""}, "kind"),
        ({"occurred_on": ""}, "occurred_on"),
        ({"occurred_on": "yesterday"}, "occurred_on"),
        ({"occurred_on": "2001-01-01"}, "occurred_on"),  # the service: within the past year
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"legal_aid_service": "not-a-service"}, "legal_aid_service"),
        ({"legal_aid_sending_service": ""}, "legal_aid_sending_service"),
        ({"legal_aid_service": "methadone_a"}, "legal_aid_service"),  # referral_create: not to the sender itself
    ],
)
def test_incident_mistakes_are_shown_on_their_field_with_400_and_nothing_is_written(  # noqa: PLR0917 - fixtures
    network: Network,
    worker: User,
    client_a: Client,
    legal_aid_north: Service,
    changes: dict[str, str],
    shown_on: str,
) -> None:
    data = {
        "kind": "police_harassment",
        "occurred_on": _day(0),
        "legal_aid_service": str(legal_aid_north.pk),
        "legal_aid_sending_service": str(network.methadone_a.pk),
        **changes,
    }
    if data["legal_aid_service"] == "methadone_a":
        data["legal_aid_service"] = str(network.methadone_a.pk)
    answer = signed_in_client(worker).post(_url(client_a, "incidents"), data)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'class="form-error"' in page
    if shown_on == "kind":  # radios: the error under the choices
        assert "Choose what happened." in page
    else:
        assert f'id="id_{shown_on}_error"' in page
    if shown_on.startswith("legal_aid"):
        assert "<details open><summary>Refer to legal aid" in page
    assert not Incident.objects.exists() and not Referral.objects.exists()


def test_incidents_are_listed_to_the_owning_organisation_only(
    network: Network, worker: User, client_a: Client, recipient: User
) -> None:
    incident_record(
        actor=worker, organisation=network.org_a, kind="violence", occurred_on=timezone.localdate(), client=client_a
    )
    assert "Violence" in signed_in_client(worker).get(f"/clients/{client_a.pk}/").content.decode()
    share(worker, client_a, [network.org_b], {"episodes", "referrals", "demographics"})
    browser = signed_in_client(recipient)
    shared = browser.get(f"/clients/{client_a.pk}/")
    assert shared.status_code == 200
    text = shared.content.decode()
    assert "Episodes of care" in text  # the consent covers episodes...
    assert "Violence" not in text and "Incidents" not in text  # ...but never incidents
    assert "Record an incident" not in text
    # A recipient does not record for the owner: refused before anything is shown.
    assert browser.get(_url(client_a, "incidents")).status_code == 403
    assert browser.post(_url(client_a, "incidents"), {"kind": "arrest", "occurred_on": _day(0)}).status_code == 403
    assert Incident.objects.count() == 1


# -- pregnancy ---------------------------------------------------------------------------------------------


def test_a_pregnancy_is_recorded_and_shown_to_whoever_may_see_episodes(
    network: Network, worker: User, client_a: Client, recipient: User
) -> None:
    browser = signed_in_client(worker)
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f'href="{_url(client_a, "pregnancies")}"' in page
    form = browser.get(_url(client_a, "pregnancies"))
    assert form.status_code == 200 and "never a reason to end or refuse care" in form.content.decode()

    blank = browser.post(_url(client_a, "pregnancies"), {"expected_on": ""})
    assert blank.status_code == 400 and 'id="id_expected_on_error"' in blank.content.decode()
    too_far = browser.post(_url(client_a, "pregnancies"), {"expected_on": _day(400)})
    assert too_far.status_code == 400
    assert 'id="id_expected_on_error"' in too_far.content.decode()
    assert "within the next 10 months" in too_far.content.decode()
    long_plan = browser.post(_url(client_a, "pregnancies"), {"expected_on": _day(100), "delivery_plan": "x" * 501})
    assert long_plan.status_code == 400 and 'id="id_delivery_plan_error"' in long_plan.content.decode()
    assert not Pregnancy.objects.exists()

    expected = timezone.localdate() + timedelta(days=120)
    made = browser.post(
        _url(client_a, "pregnancies"),
        {"expected_on": expected.isoformat(), "delivery_plan": "Harbour hospital; methadone dose through labour"},
    )
    assert made.status_code == 302, made.content.decode()[:3000]
    pregnancy = Pregnancy.objects.get()
    assert (pregnancy.client, pregnancy.expected_on) == (client_a, expected)
    when = f"{expected.day} {expected:%b %Y}"
    shown = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert f"Expected {when}" in shown and "methadone dose through labour" in shown
    again = browser.get(_url(client_a, "pregnancies")).content.decode()
    assert f"Already recorded: expected {when}" in again
    assert f'value="{expected.isoformat()}"' in again and "through labour</textarea>" in again  # starts from it

    share(worker, client_a, [network.org_b], {"demographics"})
    assert when not in signed_in_client(recipient).get(f"/clients/{client_a.pk}/").content.decode()
    share(worker, client_a, [network.org_b], {"episodes", "demographics"})
    assert f"Expected {when}" in signed_in_client(recipient).get(f"/clients/{client_a.pk}/").content.decode()


def test_the_pregnancy_link_is_not_offered_for_a_client_male_at_birth(
    network: Network, worker: User, client_a: Client
) -> None:
    male = register(worker, network.org_a, "JOSE0202021985", sex_at_birth="male")
    browser = signed_in_client(worker)
    assert "Record a pregnancy" not in browser.get(f"/clients/{male.pk}/").content.decode()
    assert "Record a pregnancy" in browser.get(f"/clients/{client_a.pk}/").content.decode()


# -- release plans -----------------------------------------------------------------------------------------


def test_a_release_plan_sends_the_continuity_referral_and_is_listed_with_it(
    network: Network, worker: User, client_a: Client, legal_aid_north: Service
) -> None:
    continuity = service_create(
        actor=None,
        site=network.site_a,
        name="Alpha counselling",
        type=ServiceType.OUTPATIENT_PSYCHOSOCIAL,
        pyramid_level=PyramidLevel.PRIMARY_HEALTH_CARE,
    )
    browser = signed_in_client(worker)
    assert f'href="{_url(client_a, "release-plans")}"' in browser.get(f"/clients/{client_a.pk}/").content.decode()
    form = browser.get(_url(client_a, "release-plans"))
    assert form.status_code == 200
    text = form.content.decode()
    assert f'value="{continuity.pk}"' in text and f'value="{legal_aid_north.pk}"' in text
    assert f'value="{network.outreach_b.pk}"' not in text  # another province: not in reach
    full = {
        "release_on": _day(14),
        "sending_service": str(network.methadone_a.pk),
        "continuity_service": str(continuity.pk),
        "naloxone_given": "on",
        "naloxone_training": "on",
    }
    for changes, shown_on in [
        ({"release_on": ""}, "release_on"),
        ({"release_on": _day(-1)}, "release_on"),  # the service: today or within the next year
        ({"continuity_service": ""}, "continuity_service"),
        ({"continuity_service": str(network.outreach_b.pk)}, "continuity_service"),
        ({"continuity_service": str(network.methadone_a.pk)}, "continuity_service"),  # referral_create refuses
    ]:
        refused = browser.post(_url(client_a, "release-plans"), {**full, **changes})
        assert refused.status_code == 400, changes
        assert f'id="id_{shown_on}_error"' in refused.content.decode(), changes
    assert not ReleasePlan.objects.exists() and not Referral.objects.exists()

    made = browser.post(_url(client_a, "release-plans"), full)
    assert made.status_code == 302, made.content.decode()[:3000]
    plan = ReleasePlan.objects.get()
    referral = Referral.objects.get()
    assert plan.continuity_referral == referral and referral.receiving_service == continuity
    assert plan.naloxone_given and plan.naloxone_training and not plan.family_trained
    assert referral.reason == ReferralReason.CONTINUITY
    shown = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert "Release from prison" in shown and "Care continues at Alpha counselling" in shown
    assert f'href="/referrals/{referral.pk}/"' in shown and "naloxone given, client shown how to use it" in shown
    assert f"code {referral.code}" in shown  # the message after recording


# -- who may ----------------------------------------------------------------------------------------------


PAGES = ("incidents", "pregnancies", "release-plans")


def test_another_organisations_client_is_404(network: Network, client_a: Client) -> None:
    outsider, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.CASE_MANAGER, username="b.case", password=PASSWORD
    )
    browser = signed_in_client(outsider)
    for page in PAGES:
        assert browser.get(_url(client_a, page)).status_code == 404, page
        assert browser.post(_url(client_a, page), {"kind": "arrest", "occurred_on": _day(0)}).status_code == 404
    assert not Incident.objects.exists() and not Pregnancy.objects.exists() and not ReleasePlan.objects.exists()


@pytest.mark.parametrize("role", [Role.DISPENSER, Role.SERVICE_MANAGER])
def test_roles_without_care_record_get_403_and_no_links(personas: Personas, client_a: Client, role: Role) -> None:
    browser = signed_in_client(personas.by_role[role])
    page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert "Record an incident" not in page and "Record a pregnancy" not in page and "Plan release" not in page
    for name in PAGES:
        assert browser.get(_url(client_a, name)).status_code == 403, name
        assert browser.post(_url(client_a, name), {"expected_on": _day(100)}).status_code == 403, name
    assert not Pregnancy.objects.exists()


def test_the_client_page_costs_the_same_queries_for_1_or_3_incidents_and_release_plans(
    network: Network, worker: User, client_a: Client, legal_aid_north: Service
) -> None:
    browser = signed_in_client(worker)

    def record_both() -> None:
        incident_record(
            actor=worker,
            organisation=network.org_a,
            kind="discrimination",
            occurred_on=timezone.localdate(),
            client=client_a,
            legal_aid=(network.methadone_a, legal_aid_north),
        )
        release_plan_record(
            actor=worker,
            client=client_a,
            release_on=timezone.localdate() + timedelta(days=7),
            sending_service=network.methadone_a,
            continuity_service=legal_aid_north,
            naloxone_given=True,
            naloxone_training=False,
        )

    record_both()
    browser.get(f"/clients/{client_a.pk}/")  # warm up
    with CaptureQueriesContext(connection) as one:
        assert browser.get(f"/clients/{client_a.pk}/").status_code == 200
    record_both()
    record_both()
    with CaptureQueriesContext(connection) as three:
        page = browser.get(f"/clients/{client_a.pk}/").content.decode()
    assert page.count("Discrimination") == 3 and page.count("Care continues at Gamma legal advice") == 3
    assert len(three.captured_queries) == len(one.captured_queries)
