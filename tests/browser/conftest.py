"""Browser tests: Debian's Chromium driven by Playwright against the app served by uvicorn on a loopback
port, on a fresh SQLite database of their own. They run once per test session, whatever backends the
other tests use (the database here is always SQLite; the pages call the same services either way).

Every page a person reaches is checked with axe (no violation of impact serious or critical) and must
log no error to the console (a Content-Security-Policy violation would). Screenshots of the main
pages go to artifacts/screenshots/ (not compared pixel by pixel).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import axe_playwright_python.sync_playwright as axe_api  # dev dependencies: `make test` installs them
import playwright.sync_api as playwright_api
import pytest
import uvicorn
from cryptography.fernet import Fernet

from api.main import create_app
from api.passwords import hash_password
from api.wiring import Services, build_services
from tests.databases import fresh_database
from workflow import migrate, people
from workflow.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SECRET = "browser-test-secret-key-0123456789abcdef"
PASSWORD = "correct horse battery"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SERIOUS = {"serious", "critical"}

CAST = {
    "coordinator": ("Cara Coordinator", "coordinator"),
    "chair": ("Charles Chair", "chair"),
    "lead": ("Lena Lead", "member"),
    "police": ("Pat Police", "member"),
    "health": ("Hana Health", "member"),
    "practitioner": ("Polly Practitioner", "member"),
    "admin": ("Ada Admin", "admin"),
    "outsider": ("Oscar Outsider", "member"),
    "partner": ("Priya Partner", "member"),  # the local authority's safeguarding partner (WT2023)
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist (`--dist loadgroup`) every browser test runs on one worker, in file order: they
    share one server, one database and the accounts made through the pages."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with fresh_database("sqlite", tmp_path_factory.mktemp("browser")) as url:
        migrate.upgrade(url)
        register_key = Fernet.generate_key().decode("ascii")  # the sealed register's key: the check can run
        services = build_services(Settings(database_url=url, secret_key=SECRET, register_key=register_key))
        yield services
        services.engine.dispose()


@pytest.fixture(scope="session")
def emails(browser_services: Services) -> dict[str, str]:
    """The accounts of the cast (the lead reviewer's is created by the admin, through the pages)."""
    out = {}
    with browser_services.sessions() as session:
        for key, (name, role) in CAST.items():
            email = f"{key}@browser.example.org"
            out[key] = email
            if key != "lead":
                people.create_user(
                    session, email=email, name=name, role=role, password_hash=hash_password(PASSWORD)
                )
        session.commit()
    return out


@contextmanager
def serve(services: Services) -> Iterator[str]:
    """The app on `services`, served by uvicorn on a loopback port of its own: its base URL."""
    app = create_app(services)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def base_url(browser_services: Services) -> Iterator[str]:
    with serve(browser_services) as url:
        yield url


def require_chromium() -> str:
    """Chromium's path; the test is skipped without it (said in the summary), and fails in CI."""
    if not Path(CHROMIUM).exists():
        message = (
            "Chromium is not installed: `make test` installs it from Debian (scripts/system-packages.sh)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing browser is a broken set-up, never a quiet skip
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Accessibility:
    """Runs axe once per distinct page (path and title) and keeps every serious or critical violation."""

    axe: Any = field(default_factory=lambda: axe_api.Axe())
    seen: set[tuple[str, str]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    pages: int = 0

    def check(self, page: Any) -> None:
        key = (re.sub(r"/\d+", "/N", page.url.split("?")[0].split("#")[0]), page.title())
        if key in self.seen:
            return
        self.seen.add(key)
        self.pages += 1
        results = self.axe.run(page)
        for violation in results.response["violations"]:
            if violation.get("impact") in SERIOUS:
                targets = [node.get("target") for node in violation.get("nodes", [])][:3]
                self.problems.append(
                    f"{page.url} '{page.title()}': {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} at {targets}"
                )


@pytest.fixture(scope="session")
def accessibility() -> Accessibility:
    return Accessibility()


def new_context(browser: Any, **options: Any) -> Any:
    """A browser context of its own (its own cookies): the size the screenshots are taken at."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", **options)
    # 30 s: under xdist another worker shares the cores, and a page that renders the review's PDF (the
    # anonymisation check) took over 10 s on a loaded two-core machine.
    context.set_default_timeout(30_000)
    return context


class Person:
    """One person in their own browser context (their own cookies), with helpers that check every
    page they reach."""

    def __init__(self, key: str, context: Any, base_url: str, email: str, a11y: Accessibility | None) -> None:
        self.key = key
        self.context = context
        self.page = context.new_page()
        self.base_url = base_url
        self.email = email
        self.a11y = a11y
        self.console_errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.console_errors.append(f"{self.page.url}: {e}"))

    def _console(self, message: Any) -> None:
        # An error page (403, 404, 409, 412, 422) is logged as a failed load: that is not a fault.
        if message.type == "error" and "the server responded with a status of 4" not in message.text:
            self.console_errors.append(f"{self.page.url}: {message.text}")

    # ---- moving around -------------------------------------------------------------------------------

    def checked(self) -> Person:
        self.page.wait_for_load_state("load")
        if self.a11y is not None:  # axe needs JavaScript: a person browsing without it is not checked
            self.a11y.check(self.page)
        return self

    def open(self, path: str) -> Person:
        self.page.goto(self.base_url + path)
        return self.checked()

    def sign_in(self, password: str = PASSWORD) -> Person:
        self.open("/sign-in")
        self.page.get_by_label("Email address").fill(self.email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        return self.checked()

    def click(self, name: str, *, exact: bool = True) -> Person:
        """Click the button or link called `name` and wait for the page it leads to."""
        target = self.page.get_by_role("button", name=name, exact=exact)
        if target.count() == 0:
            target = self.page.get_by_role("link", name=name, exact=exact)
        target.first.click()
        return self.checked()

    def fill(self, label: str, value: str, *, exact: bool = False) -> Person:
        self.page.get_by_label(label, exact=exact).fill(value)
        return self

    def tick(self, label: str, *, exact: bool = True) -> Person:
        choices = self.page.locator("input[type=radio], input[type=checkbox]")
        self.page.get_by_label(label, exact=exact).and_(choices).check()
        return self

    def select(self, label: str, option: str) -> Person:
        self.page.get_by_label(label, exact=True).select_option(label=option)
        return self

    def date(self, name: str, day: Any) -> Person:
        self.page.locator(f"#{name}-day").fill(str(day.day))
        self.page.locator(f"#{name}-month").fill(str(day.month))
        self.page.locator(f"#{name}-year").fill(str(day.year))
        return self

    def shot(self, name: str, *, at: str | None = None) -> Person:
        """The page as a person sees it (1280 by 900, from the top or from the element `at`), and the
        whole page."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if at:
            self.page.locator(at).evaluate("e => { e.scrollIntoView(); window.scrollBy(0, -140); }")
        else:
            self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-full.png"), full_page=True)
        return self

    # ---- reading ---------------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.page.locator("main").inner_text()

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text()


@pytest.fixture
def cast(
    browser: Any, base_url: str, emails: dict[str, str], accessibility: Accessibility
) -> Iterator[dict[str, Person]]:
    """A Person per member of the cast, each in their own browser context (not signed in)."""
    contexts = []
    persons: dict[str, Person] = {}
    for key in CAST:
        context = new_context(browser)
        contexts.append(context)
        persons[key] = Person(key, context, base_url, emails[key], accessibility)
    yield persons
    errors = [e for p in persons.values() for e in p.console_errors]
    for context in contexts:
        context.close()
    assert errors == [], "errors in the browser console (a CSP violation?)"
