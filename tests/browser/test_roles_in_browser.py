"""Every role of the demo network signs in through the real form in Chromium and finds what it may do.

Pages are phone-sized (390 x 844) unless a test says otherwise: outreach and peer workers work from phones.
Each test loads the demo network afresh (the live server's database is emptied after every test), so
checks that share a starting point share a test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from cbtc.network.models import AdminArea, ServiceType, User
from cbtc.network.roles import Role
from cbtc.network.selectors import DirectoryFilters, service_search
from tests.browser.conftest import PHONE, Staff, screenshot, sign_in

pytestmark = pytest.mark.browser

MANAGES_STAFF = {Role.SERVICE_MANAGER, Role.SYSTEM_ADMINISTRATOR}
METHADONE = ServiceType.METHADONE


def results_meta(count: int) -> re.Pattern[str]:
    return re.compile(rf"^{count} services? found\b")


def result_names(page: Page) -> list[str]:
    return page.locator("#results article.result h3").all_inner_texts()


def type_filter(page: Page) -> Locator:
    return page.get_by_label("Type", exact=True)  # the directory's "type of service" select


def region_filter(page: Page) -> Locator:
    return page.get_by_label("Region", exact=True)


def type_badges(page: Page) -> list[str]:
    return page.locator("#results article.result .badges li:first-child").all_inner_texts()


def assert_no_sideways_scrolling(page: Page) -> None:
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{page.url} is {scroll_width}px wide on a {inner_width}px wide screen"


def count(user: User, **filters: object) -> int:
    return service_search(actor=user, filters=DirectoryFilters(**filters)).count()  # type: ignore[arg-type]


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_each_role_signs_in_and_sees_its_home_page(page: Page, demo: Staff, role: Role) -> None:
    user = demo.by_role[role]
    sign_in(page, user.username, demo.password)

    assert urlsplit(page.url).path == "/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {user.first_name}")
    expect(page.locator(".card > strong").filter(has_text=re.compile(rf"^{re.escape(role.label)}$"))).to_have_count(1)
    actions = page.locator("a.card.action strong").all_inner_texts()
    assert "Find a service" in actions
    assert ("Manage staff" in actions) == (role in MANAGES_STAFF), actions
    # A phone-sized home page must not scroll sideways (checked for every role: the content differs).
    assert page.viewport_size == PHONE
    assert_no_sideways_scrolling(page)
    screenshot(page, f"home-{role.value}")


def test_directory_filters_by_type_then_region(new_page: Callable[..., Page], page: Page, demo: Staff) -> None:
    user = demo.by_role[Role.OUTREACH_WORKER]
    everything, of_type = count(user), count(user, service_type=METHADONE)
    assert 0 < of_type < everything, "the demo needs methadone services and other services"

    sign_in(page, user.username, demo.password)
    page.goto("/directory/")
    meta = page.locator("#results .results-meta")
    expect(meta).to_have_text(results_meta(everything))
    assert_no_sideways_scrolling(page)
    page.evaluate("window.cbtcSameDocument = true")  # lost if the browser loads a new page

    # Choosing a type updates the results in place (htmx swaps #results) and pushes the filtered URL.
    type_filter(page).select_option(label=METHADONE.label)
    expect(page).to_have_url(re.compile(rf"[?&]type={METHADONE.value}(&|$)"))
    expect(meta).to_have_text(results_meta(of_type))
    assert page.evaluate("window.cbtcSameDocument === true"), "the results should be swapped, not the page reloaded"
    badges = type_badges(page)
    assert badges and set(badges) == {METHADONE.label}, badges
    screenshot(page, "directory-methadone")

    # Choosing a region as well narrows them: the first region offered that keeps some but not all.
    offered = region_filter(page).locator("option").evaluate_all("options => options.map(o => o.value)")
    in_region = {
        area: count(user, service_type=METHADONE, region=area) for area in AdminArea.objects.filter(code__in=offered)
    }
    narrower = sorted((a for a, n in in_region.items() if n < of_type), key=lambda a: (in_region[a] == 0, a.path))
    assert narrower, f"the demo needs methadone services in more than one of the regions offered: {offered}"
    region = narrower[0]
    filters = DirectoryFilters(service_type=METHADONE, region=region)
    expected = [service.name for service in service_search(actor=user, filters=filters)[:25]]

    region_filter(page).select_option(value=region.code)
    expect(page).to_have_url(re.compile(rf"[?&]region={re.escape(region.code)}(&|$)"))
    expect(meta).to_have_text(results_meta(in_region[region]))
    assert result_names(page) == expected
    assert page.evaluate("window.cbtcSameDocument === true")
    query = parse_qs(urlsplit(page.url).query)
    assert query["type"] == [METHADONE.value] and query["region"] == [region.code]
    expect(type_filter(page)).to_have_value(METHADONE.value)
    expect(region_filter(page)).to_have_value(region.code)
    assert_no_sideways_scrolling(page)
    screenshot(page, "directory-methadone-region")

    # The pushed URL is a page of its own: loaded directly, it shows the same results and filters.
    response = page.goto(f"/directory/?type={METHADONE.value}&region={region.code}")
    assert response is not None and response.status == 200
    expect(meta).to_have_text(results_meta(in_region[region]))
    assert result_names(page) == expected
    expect(type_filter(page)).to_have_value(METHADONE.value)
    expect(region_filter(page)).to_have_value(region.code)

    # Without JavaScript the same form works through its Search button.
    no_js = new_page(PHONE, java_script_enabled=False)
    sign_in(no_js, user.username, demo.password)
    no_js.goto("/directory/")
    type_filter(no_js).select_option(label=METHADONE.label)
    no_js.get_by_role("button", name="Search").click()
    expect(no_js).to_have_url(re.compile(rf"[?&]type={METHADONE.value}(&|$)"))
    expect(no_js.locator("#results .results-meta")).to_have_text(results_meta(of_type))
    assert set(type_badges(no_js)) == {METHADONE.label}


def test_forbidden_pages_are_refused(new_page: Callable[..., Page], demo: Staff) -> None:
    outreach = new_page()
    sign_in(outreach, demo.by_role[Role.OUTREACH_WORKER].username, demo.password)
    response = outreach.goto("/staff/")  # needs staff.manage
    assert response is not None and response.status == 403
    expect(outreach.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(outreach.get_by_role("link", name="Back to your home page")).to_be_visible()
    assert_no_sideways_scrolling(outreach)
    screenshot(outreach, "forbidden-staff-outreach-worker")

    programme = new_page()
    sign_in(programme, demo.by_role[Role.PROGRAMME_MANAGER].username, demo.password)
    response = programme.goto("/audit/")  # needs audit.review
    assert response is not None and response.status == 403
    expect(programme.get_by_role("heading", level=1)).to_have_text("Not allowed")


def test_anonymous_visitor_is_sent_to_sign_in_and_then_back(page: Page, demo: Staff) -> None:
    response = page.goto("/directory/")
    assert response is not None and response.status == 200
    assert urlsplit(page.url).path == "/login/"
    assert parse_qs(urlsplit(page.url).query)["next"] == ["/directory/"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    user = demo.by_role[Role.OUTREACH_WORKER]
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service directory")
    assert urlsplit(page.url).path == "/directory/"


def test_wrong_password_shows_the_error_and_does_not_sign_in(page: Page, demo: Staff) -> None:
    user = demo.by_role[Role.OUTREACH_WORKER]
    page.goto("/login/")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password").fill(demo.password + " but wrong")
    with page.expect_response(lambda r: r.request.method == "POST" and urlsplit(r.url).path == "/login/") as info:
        page.get_by_role("button", name="Sign in").click()
    assert info.value.status == 400

    error = page.locator("form .form-error[role=alert]")
    expect(error).to_have_text("That user name and password do not match. Check both and try again.")
    expect(error).to_be_in_viewport()
    expect(page.get_by_label("User name")).to_have_value(user.username)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_no_sideways_scrolling(page)
    screenshot(page, "login-wrong-password")

    page.goto("/")
    assert urlsplit(page.url).path == "/login/"
