"""A real server (uvicorn in a thread) on the test database, and Debian's chromium through Playwright."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from api.app import create_app
from channelops.settings import Settings
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.users import add_user

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "browser-test-pw"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The main scenarios run on SQLite and PostgreSQL; the others on SQLite only, to keep the suite fast
# (the service layer underneath is tested on both databases elsewhere).
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

expect.set_options(timeout=10_000)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_url(svc: Services, settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on a free port of 127.0.0.1, for this test's database."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings, svc), host="127.0.0.1", port=port, log_level="warning",
                            ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# Package scope, not session: Playwright's sync API keeps an event loop in the main thread while it
# runs, and Prefect's dual sync/async functions would then hand back coroutines to later tests.
@pytest.fixture(scope="package")
def playwright_session() -> Iterator[Playwright]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; scripts/test installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    found = playwright_session.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield found
    found.close()


PageFactory = Callable[..., Page]


def is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@pytest.fixture
def open_page(browser: Browser, live_url: str) -> Iterator[PageFactory]:
    """New browser contexts (a fresh cookie jar each) at a viewport size, on the live server.

    Every console message about a Content-Security-Policy violation, on any page a test visits,
    fails the test: the pages must work under the CSP (see `api/headers.py`)."""
    contexts = []
    violations: list[str] = []

    def make(viewport: dict[str, int] = DESKTOP) -> Page:
        context = browser.new_context(base_url=live_url, viewport=viewport)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                if is_csp_violation(message.text) else None)
        # Confirmations (starting an instance, firing a trigger, deciding on the instance page) are
        # accepted; each question asked is kept in `page.confirmations` for tests to read.
        # A test refuses the next one by appending True to `page.refusals`.
        questions: list[str] = []
        refusals: list[bool] = []
        page.confirmations = questions  # type: ignore[attr-defined]
        page.refusals = refusals  # type: ignore[attr-defined]
        page.on("dialog", lambda dialog: (questions.append(dialog.message),
                                          dialog.dismiss() if refusals and refusals.pop() else dialog.accept()))
        return page

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "pages broke the Content-Security-Policy"


@dataclass
class Person:
    login: str
    id: int


@pytest.fixture
def person(svc: Services) -> Callable[..., Person]:
    """A user; with `logs_in`, with a password for the login form (hashing it takes a moment)."""

    def make(login: str, *groups: str, roles: tuple[str, ...] = (), admin: bool = False,
             locale: str = "zh", logs_in: bool = True) -> Person:
        view = add_user(svc, actor=SYSTEM, login=login, groups=groups, roles=roles, is_admin=admin,
                        password=PASSWORD if logs_in else None, locale=locale)
        return Person(login=login, id=view.id)

    return make


def log_in(page: Page, login: str, *, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.locator("#username").fill(login)
    page.locator("#password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.locator("header .who")).to_have_attribute("data-login", login)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '_', name.lower())}.png"), full_page=True)
