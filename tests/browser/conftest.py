"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Chromium comes from the operating system (``apt-get install chromium``), never from ``playwright install``.
One browser is started per test session; each test gets a fresh context (cookies, storage) and page.
Pages are phone-sized by default; ``desktop_page`` is there for tests that need a wide screen.
"""

from __future__ import annotations

import importlib
import io
import os
import shutil
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from pytest_django.plugin import blocking_manager_key

from cbtc.network.demo import load_demo
from cbtc.network.models import User
from cbtc.network.roles import Role

# Playwright's sync API runs an asyncio event loop in the test's own thread. Django sees that loop and
# refuses ORM calls from the test thread with SynchronousOnlyOperation, although nothing here is async:
# the calls are plain blocking calls made between browser steps, never concurrently with the loop. The
# variable is process-wide, so it also holds for the other tests of the same run; they run no event loop,
# so it changes nothing for them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class SerialWSGIServer(WSGIServer):
    """The live server, one request at a time.

    The test database is SQLite in memory, and Django hands the live server the test's own connection. The
    default threaded server would use that one connection from several threads at once: a page's htmx request
    and a form submission then interleave their transactions ("cannot start a transaction within a
    transaction", a duplicate audit sequence number) and a test fails at random. Served one at a time, the
    requests queue as they would on a database that serialises writes. Django closes each connection after its
    response when the server is not threaded, so Chromium's keep-alive cannot hold the server.
    """

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the thread itself installs connections_override before serving


LiveServerThread.server_class = SerialWSGIServer

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The password every demo account gets in these tests.
DEMO_PASSWORD = "browser tests demo password 4711"

# Demo user names, one per role (cbtc.network.demo).
DEMO_USERNAMES: dict[Role, str] = {
    Role.OUTREACH_WORKER: "demo.outreach",
    Role.CLINICIAN: "demo.clinician",
    Role.PRESCRIBER: "demo.prescriber",
    Role.DISPENSER: "demo.dispenser",
    Role.CASE_MANAGER: "demo.casemanager",
    Role.SERVICE_MANAGER: "demo.servicemanager",
    Role.PROGRAMME_MANAGER: "demo.programme",
    Role.QUALITY_ASSESSOR: "demo.quality",
    Role.SYSTEM_ADMINISTRATOR: "demo.admin",
}


# --- The browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium was not found on PATH. The browser tests drive the operating system's Chromium; "
            "install Debian's chromium: apt-get install chromium (do not run `playwright install`).",
            pytrace=False,
        )
    browser = playwright_session.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: object) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (a viewport, other Playwright context options); closed after the test.

    Requesting ``live_server`` here gives every browser test the live server and, through it,
    pytest-django's transactional database (the server thread must see the test's data).
    """
    contexts: list[BrowserContext] = []

    def open_page(viewport: dict[str, int] = PHONE, **context_options: Any) -> Page:
        context = browser.new_context(viewport=viewport, base_url=str(live_server), locale="en-GB", **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A phone-sized page (390 x 844 CSS pixels, an ordinary modern phone)."""
    return new_page(PHONE)


@pytest.fixture
def desktop_page(new_page: Callable[..., Page]) -> Page:
    return new_page(DESKTOP)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- Who signs in ---------------------------------------------------------------------------------


@dataclass
class Staff:
    password: str
    by_role: dict[Role, User]


@pytest.fixture
def demo(live_server: object) -> Staff:
    """The fictional demo network (cbtc.network.demo), one account per role, all with DEMO_PASSWORD.

    Loaded afresh for each test (about 3 s): the live server's transactional database is emptied after
    every test.
    """
    load_demo(password=DEMO_PASSWORD, stdout=io.StringIO())
    users = {role: User.objects.get(username=username) for role, username in DEMO_USERNAMES.items()}
    return Staff(DEMO_PASSWORD, users)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the real login form, as a person would."""
    page.goto("/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# --- The audit trail's triggers and the transactional database ----------------------------------

# Live-server tests use a transactional database that Django empties after each test with DELETE (SQLite)
# or TRUNCATE (PostgreSQL). The audit trail's triggers (audit migration 0002) refuse both, as they should
# in production. For these tests only, the triggers are dropped just before the flush and put back right
# after it, from the migration's own SQL, so every test (and every test after the browser tests) runs
# against the real, append-only table.
_TRIGGERS = importlib.import_module("cbtc.audit.migrations.0002_refuse_update_and_delete")


def _audit_trigger_sql(kind: str) -> list[str]:
    vendor = {"sqlite": "SQLITE", "postgresql": "POSTGRES"}.get(connection.vendor)
    return list(getattr(_TRIGGERS, f"{vendor}_{kind}")) if vendor else []


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _lift_audit_triggers_for_flush(transactional_db: None) -> Generator[None]:
    yield
    _execute(_audit_trigger_sql("DROP"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    result = yield  # every fixture of the test is finalised in here, the database flush included
    if nextitem is not None:  # after the last test the test database is destroyed: nothing to restore
        with item.config.stash[blocking_manager_key].unblock():
            _execute(_audit_trigger_sql("DROP") + _audit_trigger_sql("CREATE"))
    return result


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.path)).is_relative_to(Path(__file__).parent) and not item.get_closest_marker("browser"):
            raise pytest.UsageError(f"{item.nodeid}: browser tests must be marked with pytest.mark.browser")
