"""The client pages through the browser's door: search, registration, the client page, corrections, merges.

Every page is checked for what it must not show as much as for what it shows: no codes, names or birth dates
in URLs, nothing of another organisation's record without a consent, 404 for outsiders.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from cbtc.audit.models import AuditEvent
from cbtc.clients.identity import Identity
from cbtc.clients.models import Client, ClientMerge, InformationCategory
from cbtc.clients.services import Demographics, client_register, timeline_add
from cbtc.clients.uic import active_scheme, build_uic, parse_uic
from cbtc.consent.models import Consent, ConsentKind, ConsentMethod, Disclosure, DisclosureChannel, Purpose
from cbtc.consent.services import ConsentInput, consent_record
from cbtc.network.models import Organisation, User
from cbtc.network.roles import Role
from cbtc.network.services.staff import staff_create
from tests.conftest import PASSWORD, Network, Personas, signed_in_client

pytestmark = pytest.mark.django_db

CODE = "MARE0101011990"
OTHER_CODE = "JOPE0203041985"
URL_ATTRIBUTE = re.compile(r'(?:href|action|hx-get|hx-post|formaction)="([^"]*)"')


def register(actor: User, organisation: Organisation, code: str = CODE, **details: Any) -> Client:
    return client_register(
        actor=actor,
        organisation=organisation,
        uic=parse_uic(active_scheme(), code),
        demographics=Demographics(
            birth_year=details.pop("birth_year", 1990), sex_at_birth=details.pop("sex_at_birth", "female")
        ),
        identity=Identity(**details),
        confirmed_new_person=True,
    )


def share(actor: User, client: Client, recipient: Organisation, categories: set[str]) -> Consent:
    return consent_record(
        actor=actor,
        client=client,
        organisation=client.organisation,
        data=ConsentInput(
            kind=ConsentKind.DISCLOSURE,
            method=ConsentMethod.VERBAL,
            given_at=timezone.now() - timedelta(minutes=1),
            witnessed_by=actor,
            recipients=[recipient],
            categories=frozenset(categories),
            purpose=Purpose.CARE_COORDINATION,
            expires_on=timezone.localdate() + timedelta(days=60),
        ),
    )


def urls_in(html: str) -> list[str]:
    return URL_ATTRIBUTE.findall(html)


def assert_no_identifiers_in_urls(html: str, *secrets: str) -> None:
    for url in urls_in(html):
        for secret in secrets:
            assert secret.lower() not in url.lower(), (secret, url)


@pytest.fixture
def worker(personas: Personas) -> User:
    return personas.by_role[Role.OUTREACH_WORKER]


@pytest.fixture
def browser(worker: User) -> HttpClient:
    return signed_in_client(worker)


@pytest.fixture
def bee(worker: User, network: Network) -> Client:
    return register(worker, network.org_a, nickname="Bee", given_name="Beatriz", family_name="Santos")


@pytest.fixture
def outreach_b(network: Network) -> User:
    user, _ = staff_create(
        actor=None, organisation=network.org_b, role=Role.OUTREACH_WORKER, username="b.outreach", password=PASSWORD
    )
    return user


# --- The list and search -------------------------------------------------------------------------------


def test_the_list_shows_our_clients_newest_first_with_a_register_button(browser, bee, worker, network):
    register(worker, network.org_a, OTHER_CODE, nickname="Jo")
    response = browser.get("/clients/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("JOPE0203041985") < html.index(CODE)
    assert "Bee" in html
    assert 'href="/clients/register/"' in html
    assert_no_identifiers_in_urls(html, CODE, "Bee", "Beatriz", "1990")


def test_a_role_that_cannot_register_sees_no_register_button(personas, bee):
    response = signed_in_client(personas.by_role[Role.DISPENSER]).get("/clients/")
    assert response.status_code == 200
    assert "/clients/register/" not in response.content.decode()


def test_search_terms_go_by_post_and_never_into_a_url(browser, bee, worker, network):
    register(worker, network.org_a, OTHER_CODE, nickname="Jo")
    page = browser.get("/clients/").content.decode()
    assert re.search(r'<form class="card search" method="post"', page)
    by_name = browser.post("/clients/", {"text": "beatriz", "uic": "", "shared": "False"})
    assert by_name.status_code == 200
    html = by_name.content.decode()
    assert "Bee" in html and "Jo<" not in html
    assert_no_identifiers_in_urls(html, "beatriz", CODE)
    by_code = browser.post("/clients/", {"uic": "jope-0203-041985"}).content.decode()
    assert OTHER_CODE in by_code and "Bee" not in by_code
    # A query string is not a search: it is ignored.
    assert "Bee" in browser.get("/clients/?text=nobody").content.decode()


def test_htmx_search_answers_with_the_results_fragment_only(browser, bee):
    response = browser.post("/clients/", {"text": "Bee"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "Bee" in html


def test_paging_goes_by_post_with_the_terms_in_the_form(browser, worker, network, settings):
    settings.CLIENT_PAGE_SIZE = 5
    for n in range(7):
        register(worker, network.org_a, f"MARE01{n + 1:02d}011990", nickname=f"Person{n}")
    first = browser.get("/clients/").content.decode()
    assert "Next →" in first and 'name="page" value="2"' in first
    second = browser.post("/clients/", {"page": "2", "shared": "False"}).content.decode()
    assert "Person0" in second and "Person6" not in second and "← Previous" in second


def test_the_list_costs_the_same_number_of_queries_for_3_or_30_clients(
    browser, worker, network, django_assert_max_num_queries
):
    for n in range(3):
        register(worker, network.org_a, f"MARE01{n + 1:02d}011990", nickname=f"P{n}")
    with django_assert_max_num_queries(20) as few:
        assert browser.get("/clients/").status_code == 200
    for n in range(3, 30):
        register(worker, network.org_a, f"MARE{n + 1:02d}01011990", nickname=f"P{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert browser.get("/clients/").status_code == 200


def test_shared_tab_lists_only_what_a_consent_shares_and_logs_it(personas, worker, network, bee):
    recipient = signed_in_client(personas.outsider_manager)
    assert CODE not in recipient.get("/clients/?shared=1").content.decode()
    share(worker, bee, network.org_b, {InformationCategory.DEMOGRAPHICS})
    html = recipient.get("/clients/?shared=1").content.decode()
    assert CODE in html
    assert "name not shared" in html and "Bee" not in html
    assert network.org_a.name in html
    assert Disclosure.objects.filter(client=bee, channel=DisclosureChannel.LIST).exists()
    # A name search cannot find a record whose consent does not cover names.
    assert CODE not in recipient.post("/clients/", {"text": "Bee", "shared": "True"}).content.decode()


# --- Registration --------------------------------------------------------------------------------------


def test_the_register_page_asks_the_schemes_questions_and_the_minimal_details(browser):
    html = browser.get("/clients/register/").content.decode()
    for question in active_scheme().questions:
        assert question.label.replace("'", "&#x27;") in html
    for label in ("Nickname or street name", "Year of birth", "Sex at birth", "Main substances"):
        assert label in html
    assert "Identifying details (optional, encrypted)" in html
    assert 'name="organisation"' in html and 'type="hidden" name="organisation"' in html


def test_registering_with_a_typed_code_goes_to_the_client_page_without_identifiers_in_the_url(browser, network):
    response = browser.post(
        "/clients/register/",
        {"organisation": str(network.org_a.pk), "uic": "mare 0101 011990", "nickname": "Bee", "sex_at_birth": "female"}
        | {"gender_identity": "woman", "birth_year": "1990", "substances": ["heroin"], "key_populations": ["kp_msm"]},
    )
    assert response.status_code == 302
    client = Client.objects.get()
    assert response["Location"] == f"/clients/{client.pk}/"
    assert client.uic == CODE and client.birth_year == 1990 and client.kp_msm
    page = browser.get(response["Location"]).content.decode()
    assert "Client registered." in page and CODE in page and "Bee" in page and "Heroin" in page


def test_a_code_made_from_answers_keeps_only_the_code(browser, network):
    answers = {"q_mother_first_name": "Mariela", "q_father_first_name": "Renato", "q_birth_order": "1"}
    answers["q_date_of_birth"] = "1990-01-01"
    response = browser.post(
        "/clients/register/",
        {"organisation": str(network.org_a.pk), "sex_at_birth": "not_stated", "gender_identity": "not_stated"}
        | answers,
    )
    assert response.status_code == 302
    expected = build_uic(active_scheme(), {key[2:]: value for key, value in answers.items()})
    assert Client.objects.get().uic == expected.code
    trail = json.dumps(list(AuditEvent.objects.values("details")))
    assert "Mariela" not in trail and "MARIELA" not in trail and "Renato" not in trail


def test_the_code_maker_fragment_returns_the_code_and_clears_the_answers(browser):
    response = browser.post(
        "/clients/register/code/",
        {"q_mother_first_name": "Mariela", "q_father_first_name": "Renato"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Code made" in html and "MARE9999999999" in html
    assert "Mariela" not in html and "Renato" not in html
    assert 'id="uic-field" hx-swap-oob="true"' in html and 'value="MARE9999999999"' in html
    assert "parts of this code are fillers" in html
    empty = browser.post("/clients/register/code/", {}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 400 and "Answer at least one question" in empty.content.decode()


def test_a_wrong_answer_is_reported_next_to_its_question(browser):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = browser.post("/clients/register/code/", {"q_date_of_birth": future}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_an_invalid_code_is_a_400_with_the_message_on_the_code(browser, network):
    response = browser.post("/clients/register/", {"organisation": str(network.org_a.pk), "uic": "MARE01"})
    assert response.status_code == 400
    assert "should have 14 characters" in response.content.decode()
    assert not Client.objects.exists()
    nothing = browser.post("/clients/register/", {"organisation": str(network.org_a.pk)})
    assert nothing.status_code == 400 and "Type the code from the client" in nothing.content.decode()


def test_possible_duplicates_stop_registration_until_the_worker_confirms(browser, bee, network):
    form = {"organisation": str(network.org_a.pk), "uic": CODE, "sex_at_birth": "female"}
    form |= {"gender_identity": "not_stated", "birth_year": "1990", "q_mother_first_name": "Secret"}
    response = browser.post("/clients/register/", form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "This person may already be registered" in html
    assert "same code" in html and f'href="/clients/{bee.pk}/" target="_blank"' in html
    assert "Bee" in html  # the worker's own organisation's record: its name may be shown
    assert "This is a different person — register anyway" in html
    assert "may also be known at another service" not in html
    assert Client.objects.count() == 1
    confirmed = browser.post("/clients/register/", form | {"confirmed_new_person": "1"})
    assert confirmed.status_code == 302
    assert Client.objects.count() == 2


def test_a_match_the_worker_may_not_see_is_only_mentioned(browser, outreach_b, network):
    hidden = register(outreach_b, network.org_b, nickname="Hidden")
    form = {"organisation": str(network.org_a.pk), "uic": CODE, "sex_at_birth": "female", "birth_year": "1990"}
    response = browser.post("/clients/register/", form | {"gender_identity": "not_stated"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "This person may also be known at another service." in html
    assert "Hidden" not in html and network.org_b.name not in html and str(hidden.pk) not in html
    assert 'target="_blank"' not in html


def test_a_code_with_unknown_parts_is_marked(browser, bee, network):
    form = {"organisation": str(network.org_a.pk), "uic": "XXXX9999999999", "sex_at_birth": "female"}
    response = browser.post("/clients/register/", form | {"gender_identity": "not_stated"})
    assert response.status_code == 302
    page = browser.get(response["Location"]).content.decode()
    assert "partly unknown" in page


def test_a_worker_of_several_organisations_chooses_one(worker, network):
    from cbtc.network.services.staff import membership_add  # noqa: PLC0415

    membership_add(actor=None, user=worker, organisation=network.org_b, role=Role.OUTREACH_WORKER)
    html = signed_in_client(worker).get("/clients/register/").content.decode()
    assert "Register for" in html and network.org_b.name in html


# --- The client page -----------------------------------------------------------------------------------


def test_the_owner_sees_the_whole_record_and_its_actions(browser, bee):
    response = browser.get(f"/clients/{bee.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (CODE, "Bee", "Beatriz", "Santos", "Registered", "Record consent", "Edit details"):
        assert text in html
    assert "Accounting of disclosures" in html and "Export record (JSON)" in html
    assert "Merge a duplicate" not in html  # outreach workers do not merge
    assert "Shared with your service" not in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert_no_identifiers_in_urls(html, CODE, "Bee", "Beatriz")


def test_an_outsider_gets_404_and_leaves_a_trace_of_nothing(personas, bee):
    outsider = signed_in_client(personas.outsider_manager)
    for url in (f"/clients/{bee.pk}/", f"/clients/{bee.pk}/export/", f"/clients/{bee.pk}/merge/"):
        assert outsider.get(url).status_code == 404, url
    assert not Disclosure.objects.exists()


def test_a_recipient_sees_the_sharing_banner_and_only_the_shared_categories(personas, worker, network, bee):
    share(worker, bee, network.org_b, {InformationCategory.DEMOGRAPHICS})
    html = signed_in_client(personas.outsider_manager).get(f"/clients/{bee.pk}/").content.decode()
    assert "Shared with your service by Alpha Treatment Centre" in html
    assert "care coordination and referral" in html
    assert "Only: Demographics (code, birth year and month, sex, gender, key populations, substances)." in html
    assert CODE in html
    assert "Beatriz" not in html and "Bee" not in html
    for owner_action in ("Record consent", "Edit details", "Accounting of disclosures"):
        assert owner_action not in html
    assert Disclosure.objects.filter(client=bee, channel=DisclosureChannel.VIEW).count() == 1


def test_a_recipient_without_demographics_does_not_see_the_code(personas, worker, network, bee):
    share(worker, bee, network.org_b, {InformationCategory.IDENTITY})
    html = signed_in_client(personas.outsider_manager).get(f"/clients/{bee.pk}/").content.decode()
    assert CODE not in html and "Code not shared with your service" in html
    assert "Beatriz" in html


def test_export_is_a_json_attachment_that_is_never_cached(browser, bee):
    response = browser.get(f"/clients/{bee.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="client-{bee.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["notice"].startswith("This information has been disclosed")
    assert data["demographics"]["uic"] == CODE
    assert data["identifying_details"]["given_name"] == "Beatriz"
    assert AuditEvent.objects.filter(action="client.view", details__channel="export").exists()


def test_a_recipients_export_carries_the_consent_and_is_logged(personas, worker, network, bee):
    share(worker, bee, network.org_b, {InformationCategory.DEMOGRAPHICS})
    response = signed_in_client(personas.outsider_manager).get(f"/clients/{bee.pk}/export/")
    data = json.loads(response.content)
    assert "identifying_details" not in data
    assert data["shared_under_consents"][0]["recipients"] == [network.org_b.name]
    assert Disclosure.objects.filter(client=bee, channel=DisclosureChannel.EXPORT).exists()


def test_the_timeline_shows_older_entries_on_request(browser, bee, worker):
    start = timezone.now() - timedelta(days=100)
    for n in range(55):
        timeline_add(
            client=bee,
            organisation_id=bee.organisation_id,
            kind="test.event",
            category=InformationCategory.DEMOGRAPHICS,
            summary=f"Entry {n:02d}",
            actor=worker,
            occurred_at=start + timedelta(days=n),
        )
    html = browser.get(f"/clients/{bee.pk}/").content.decode()
    assert "Registered anonymously" not in html or "Entry 54" in html
    match = re.search(r'hx-get="(/clients/[^"]+/timeline/\?[^"]+)"', html)
    assert match is not None
    assert "Entry 00" not in html
    older = browser.get(match.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
    assert older.status_code == 200
    assert "Entry 00" in older.content.decode() and "<html" not in older.content.decode()
    assert browser.get(f"/clients/{bee.pk}/timeline/?at=yesterday&id=1").status_code == 400


# --- Edit ----------------------------------------------------------------------------------------------


def test_the_owner_corrects_details(browser, bee):
    form = browser.get(f"/clients/{bee.pk}/edit/").content.decode()
    assert 'value="Beatriz"' in form and 'value="1990"' in form
    response = browser.post(
        f"/clients/{bee.pk}/edit/",
        {"nickname": "Bea", "birth_year": "1991", "sex_at_birth": "female", "gender_identity": "woman"},
    )
    assert response.status_code == 302
    bee.refresh_from_db()
    assert bee.birth_year == 1991
    assert "Bea" in browser.get(f"/clients/{bee.pk}/").content.decode()
    bad = browser.post(f"/clients/{bee.pk}/edit/", {"birth_month": "3", "sex_at_birth": "female"})
    assert bad.status_code == 400 and "Give the year of birth as well" in bad.content.decode()


def test_a_recipient_may_not_edit_a_shared_record(worker, network, bee, outreach_b):
    share(worker, bee, network.org_b, {InformationCategory.DEMOGRAPHICS})
    assert signed_in_client(outreach_b).get(f"/clients/{bee.pk}/edit/").status_code == 403


# --- Merge ---------------------------------------------------------------------------------------------


def test_a_case_manager_merges_a_duplicate_and_undoes_it(personas, worker, network, bee):
    twin = register(worker, network.org_a, "MARE0101011991", nickname="Beebee")
    manager = signed_in_client(personas.by_role[Role.CASE_MANAGER])
    page = manager.get(f"/clients/{bee.pk}/")
    assert "Merge a duplicate" in page.content.decode()
    found = manager.post(f"/clients/{bee.pk}/merge/", {"uic": "MARE0101011991"})
    assert found.status_code == 200
    html = found.content.decode()
    assert f"/clients/{bee.pk}/merge/{twin.pk}/" in html
    assert f"/clients/{bee.pk}/merge/{bee.pk}/" not in html
    confirm = manager.get(f"/clients/{bee.pk}/merge/{twin.pk}/")
    assert "Are these the same person?" in confirm.content.decode()
    assert manager.post(f"/clients/{bee.pk}/merge/{twin.pk}/", {"reason": ""}).status_code == 400
    merged = manager.post(f"/clients/{bee.pk}/merge/{twin.pk}/", {"reason": "same_code_confirmed"})
    assert merged.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into_id == bee.pk
    assert "This record was merged into another record" in manager.get(f"/clients/{twin.pk}/").content.decode()
    merge = ClientMerge.objects.get()
    undone = manager.post(f"/clients/merges/{merge.pk}/undo/")
    assert undone.status_code == 302 and undone["Location"] == f"/clients/{bee.pk}/"
    twin.refresh_from_db()
    assert twin.merged_into_id is None
    assert manager.get(f"/clients/merges/{merge.pk}/undo/").status_code == 405


def test_merge_pages_refuse_outsiders_and_other_organisations_records(personas, worker, network, bee, outreach_b):
    other = register(outreach_b, network.org_b, OTHER_CODE)
    manager = signed_in_client(personas.by_role[Role.CASE_MANAGER])
    assert manager.get(f"/clients/{bee.pk}/merge/{other.pk}/").status_code == 404
    outsider = signed_in_client(personas.outsider_manager)
    assert outsider.post(f"/clients/{bee.pk}/merge/", {"uic": CODE}).status_code == 404
