"""Every page of the app is accessible, on a desktop and on a phone, for every kind of person.

The pages are not listed by hand: they are found. The demo (api/demo: reviews at referral, analysis,
sign-off and published), Alice's review taken to each of the other stages and Andrew's approved with its
planted leak give every page content and, at some stage, its forms. Each kind of person (coordinator,
lead reviewer, panel member, case group practitioner, chair, admin, and someone signed out) crawls the
site over HTTP from a few starting pages, following every link and GET form once per route, review and
kind of page (`?edit=`, `?check=`, a trigger, an agency). Every GET page route in the app's route table
must be reached, so a new page is checked as soon as a page links to it, and a route no page links to
fails until it is listed in NOT_LINKED with a reason.

On every page reached (about 1,000): no server error, no duplicate id, no label for a missing field.
In Chromium, on every distinct page (its route and the kinds of element on it: tag, class, type, role and
aria attributes; about 150): axe, with no violation of any impact (WCAG 2.2's target size included), at
1280 px and at 375 px wide, and at 375 px no scrolling sideways (a wide table scrolls inside its own box).
The reports' HTML downloads are checked as a file opened from the disk is shown.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, deque
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import axe_playwright_python.sync_playwright as axe_api
import httpx
import pytest
from cryptography.fernet import Fernet
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from api.auth import SESSION_COOKIE
from api.demo import _ensure_users, _Loader, load_demo  # the demo's own loader: Alice at more stages
from api.demo.reviews import DEMO_REVIEWS
from api.main import create_app
from api.pages.common import PageRoute
from api.wiring import Services, build_services
from findings.publication.render import Format
from tests.browser.conftest import SCREENSHOTS, new_context, serve
from tests.databases import fresh_database
from workflow import migrate
from workflow.models import Review
from workflow.settings import Settings
from workflow.states import State

pytestmark = pytest.mark.browser

# The demo holds reviews at referred, analysis, sign_off and published; Alice is copied to the other
# stages, and Andrew, whose finding names a person the register holds, is approved with that leak.
MORE_STAGES = (
    ("Alice", State.SCREENING),
    ("Alice", State.SCOPING),
    ("Alice", State.CASE_GROUP),
    ("Alice", State.DATA_GATHERING),
    ("Alice", State.FINDINGS),
    ("Alice", State.APPROVED),
    ("Andrew", State.APPROVED),
)
PEOPLE: dict[str, str | None] = {
    "coordinator": "coordinator@demo.example.org",
    "lead reviewer": "lead1@demo.example.org",
    "panel member": "police@demo.example.org",
    "case group": "practitioner@demo.example.org",
    "chair": "chair@demo.example.org",
    "admin": "admin@demo.example.org",
    "signed out": None,
}
# Where the crawl starts, the error pages among them (a review that does not exist; /users for a non-admin).
STARTS = ("/", "/reviews", "/reviews/new", "/published", "/workflow", "/users", "/reviews/999999")
NOT_LINKED = {
    "/reviews/{review_id}/criteria/recommendation": "a fragment of the criteria page that its script fetches",
    "/sign-in/sso": "single sign-on is not set up here; tests/browser/test_sign_on.py checks it with axe",
    "/sign-in/sso/callback": "where the identity provider sends the browser back (tests/api/test_sign_on.py)",
    "/reviews/{review_id}/statutory/{document}": "the notification and rapid review documents of a WT2023 "
    "review (the demo's are WT2010); tests/api/test_statutory_pages.py downloads them",
}
WIDTHS = (1280, 375)


# ---- the route table ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Route:
    path: str
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, path: str) -> Route:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
        return cls(path, re.compile(f"^{regex}$"))


def page_routes(services: Services) -> list[Route]:
    """The GET page routes, the most literal first (`/episodes/new` before `/episodes/{episode_id}`)."""
    paths = {
        context.path
        for context in iter_route_contexts(create_app(services).routes)
        if isinstance(context.original_route, PageRoute) and "GET" in context.methods
    }
    return [Route.of(path) for path in sorted(paths, key=lambda p: (p.count("{"), p))]


def route_of(routes: list[Route], path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        if match := route.pattern.match(path):
            return route, match.groupdict()
    return None


# ---- reading a page ----------------------------------------------------------------------------------------


class PageParts(HTMLParser):
    """What the crawl needs from a page: links, GET forms with their values, ids, labels, and the kinds
    of element on it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.kinds: set[tuple[str, ...]] = set()
        self._form: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        aria = sorted(name for name in a if name.startswith("aria-"))
        self.kinds.add((tag, a.get("class", ""), a.get("type", ""), a.get("role", ""), *aria))
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "label" and a.get("for"):
            self.label_targets.append(a["for"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "get":
            self._form = []
            self.forms.append((a.get("action", ""), self._form))
        elif self._form is not None and "name" in a:
            self._field(tag, a)
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))

    def _field(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None
        if tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "input" and (a.get("type") not in ("checkbox", "radio", "submit") or "checked" in a):
            self._form.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._form is not None and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            self._form += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "form":
            self._form = None


@dataclasses.dataclass(frozen=True)
class Visit:
    who: str
    asked: str  # the route asked for (`/` answers with a redirect)
    url: str  # the page's path and query
    route: str
    status: int
    html: str | None  # None: not an HTML page
    attachment: bool  # a download (a review's documents): checked in the browser from its text
    parts: PageParts = dataclasses.field(compare=False, repr=False)

    @property
    def structure(self) -> tuple[str, frozenset[tuple[str, ...]]]:
        return self.route, frozenset(self.parts.kinds)


def _not_a_page(path: str, query: list[list[str]]) -> bool:
    """PDF and Markdown downloads: not pages (and a PDF takes seconds; only tests marked `pdf` make one)."""
    return path.rsplit("/", 1)[-1] in ("pdf", "md") or ["format", "pdf"] in query or ["format", "md"] in query


@dataclasses.dataclass
class Crawl:
    """Follows every link and GET form once per route, review and kind of page, as one person."""

    base_url: str
    routes: list[Route]
    downloads: set[str]  # fetched once for everyone: a download is the same whoever asks
    visits: list[Visit] = dataclasses.field(default_factory=list)

    def run(self, who: str, token: str | None) -> None:
        cookies = {SESSION_COOKIE: token} if token else {}
        queue, reached, done = deque(STARTS), set(), set()
        client = httpx.Client(base_url=self.base_url, cookies=cookies, follow_redirects=True, timeout=120)
        with client:
            while queue:
                asked = queue.popleft()
                if asked in self.downloads:
                    continue
                visit = self.visit(client, who, asked)
                if visit is None or visit.url in done:
                    continue
                done.add(visit.url)
                self.visits.append(visit)
                if visit.attachment:
                    self.downloads.add(asked)
                    continue
                for url, key in self.targets(visit):
                    if key not in reached:
                        reached.add(key)
                        queue.append(url)

    def visit(self, client: httpx.Client, who: str, asked: str) -> Visit | None:
        response = client.get(asked)
        url = response.url.raw_path.decode()
        found, wanted = route_of(self.routes, url.split("?")[0]), route_of(self.routes, asked.split("?")[0])
        if found is None or wanted is None:
            return None
        parts = PageParts()
        is_html = response.headers.get("content-type", "").startswith("text/html")
        if is_html:
            parts.feed(response.text)
        return Visit(
            who=who,
            asked=wanted[0].path,
            url=url,
            route=found[0].path,
            status=response.status_code,
            html=response.text if is_html else None,
            attachment="attachment" in response.headers.get("content-disposition", ""),
            parts=parts,
        )

    def targets(self, visit: Visit) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The pages `visit` links to, each with what makes it a different page."""
        here = self.base_url + visit.url
        forms = [f"{action.split('#')[0]}?{urlencode(fields)}" for action, fields in visit.parts.forms]
        for href in visit.parts.links + forms:
            split = urlsplit(urljoin(here, href))
            query = [pair.split("=", 1) for pair in split.query.split("&") if pair]
            found = route_of(self.routes, split.path)
            if split.netloc != urlsplit(here).netloc or found is None or _not_a_page(split.path, query):
                continue  # elsewhere, /static, /docs, the JSON API, a PDF
            route, params = found
            objects = tuple(v for k, v in sorted(params.items()) if k == "review_id" or not k.endswith("_id"))
            url = split.path + (f"?{split.query}" if split.query else "")
            yield url, (route.path, objects, tuple(sorted({pair[0] for pair in query})))


# ---- the site ----------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Site:
    base_url: str
    tokens: dict[str, str | None]
    routes: list[Route]
    visits: list[Visit]
    review_ids: dict[str, int]


def _load(services: Services) -> dict[str, int]:
    today = date.today()
    load_demo(services, today=today)
    users = _ensure_users(services)
    specs = {spec.pseudonym: spec for spec in DEMO_REVIEWS}
    for name, stage in MORE_STAGES:
        pseudonym = name + stage.value.title().replace("_", "")
        spec = dataclasses.replace(specs[name], target=stage, pseudonym=pseudonym)
        _Loader(services, users, spec, today).load()
    with services.sessions() as session:
        return {review.child_pseudonym: review.id for review in session.scalars(select(Review))}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with fresh_database("sqlite", tmp_path_factory.mktemp("a11y")) as url:
        migrate.upgrade(url)
        settings = Settings(
            database_url=url,
            secret_key="accessibility-test-secret-key-0123456789",
            register_key=Fernet.generate_key().decode(),
        )
        services = build_services(settings, formats=(Format.HTML, Format.MARKDOWN))
        review_ids = _load(services)
        users = _ensure_users(services)
        tokens = {
            who: services.auth.issue(users[email], kind="session").token if email else None
            for who, email in PEOPLE.items()
        }
        with serve(services) as base_url:
            crawl = Crawl(base_url, page_routes(services), downloads=set())
            for who, token in tokens.items():
                crawl.run(who, token)
            yield Site(base_url, tokens, crawl.routes, crawl.visits, review_ids)
        services.engine.dispose()


# ---- what every page reached must be -----------------------------------------------------------------------


def test_the_crawl_reaches_every_page_of_the_app_without_a_server_error(site: Site) -> None:
    reached = {visit.route for visit in site.visits} | {visit.asked for visit in site.visits}
    routes = {route.path for route in site.routes}
    assert set(NOT_LINKED) <= routes, "NOT_LINKED names a route that is gone"
    assert routes - reached - set(NOT_LINKED) == set(), "no page links to these: link them or list them"
    assert [v.url for v in site.visits if v.status >= 500] == []
    per_person = Counter(visit.who for visit in site.visits)
    assert per_person["coordinator"] > 150 and per_person["case group"] > 50, per_person
    assert {v.route for v in site.visits if v.who == "signed out"} >= {"/sign-in", "/workflow"}


def test_no_page_has_duplicate_ids_or_a_label_for_a_missing_field(site: Site) -> None:
    problems = []
    for visit in site.visits:
        twice = sorted(i for i, n in Counter(visit.parts.ids).items() if n > 1)
        missing = sorted(set(visit.parts.label_targets) - set(visit.parts.ids))
        if twice or missing:
            problems.append(f"{visit.who} {visit.url}: ids twice {twice}, labels for nothing {missing}")
    assert problems == []


# ---- axe in Chromium, on a desktop and on a phone ----------------------------------------------------------


# The look of each piece of text: what its contrast depends on. Contrast is most of axe's time, so a page
# whose every look was checked before, at this width, is checked without it.
TEXT_LOOKS = """() => {
  const ground = (e) => {
    for (; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") return colour;
    }
    return "none";
  };
  const texts = [...document.body.querySelectorAll("*")].filter((e) =>
    e.matches("input, select, textarea, button") ||
    [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()));
  return [...new Set(texts.map((e) => {
    const s = getComputedStyle(e);
    return [s.color, ground(e), s.fontSize, s.fontWeight, s.opacity].join(" ");
  }))];
}"""
# axe's rules as they come, and WCAG 2.2's target size (2.5.8, AA), which axe leaves off by default.
AXE = (
    "axe.run({resultTypes: ['violations'], rules: {"
    "'color-contrast': {enabled: %s}, 'target-size': {enabled: true}}}).then(r => r.violations)"
)


def _problems(page: Any, width: int, looks_seen: set[str]) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    looks = set(page.evaluate(TEXT_LOOKS))
    contrast = not looks <= looks_seen
    looks_seen |= looks
    found = page.evaluate(AXE % ("true" if contrast else "false"))
    out = [
        f"{width}px {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
    ]
    if width < 600:
        wider = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wider > 0:
            out.append(f"{width}px: the page scrolls sideways by {wider}px")
    return out


def test_every_page_passes_axe_on_a_desktop_and_on_a_phone(browser: Any, site: Site) -> None:
    distinct: dict[Any, Visit] = {}
    for visit in site.visits:
        if visit.html is not None:
            distinct.setdefault(visit.structure, visit)
    axe_script = axe_api.Axe().axe_script
    looks_seen: dict[int, set[str]] = {width: set() for width in WIDTHS}
    problems: list[str] = []
    console: list[str] = []
    for who, token in site.tokens.items():
        context = new_context(browser)
        if token:
            context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": site.base_url}])
        app_page, download_page = context.new_page(), context.new_page()
        app_page.on("console", lambda message: console.extend(_console_error(message)))
        for visit in (v for v in distinct.values() if v.who == who):
            if visit.attachment:  # opened from the disk: on a blank page, not under the app's CSP
                page = download_page
                page.set_content(visit.html)
            else:
                page = app_page
                page.goto(site.base_url + visit.url)
            page.evaluate(axe_script)
            for width in WIDTHS:
                problems += [f"{who} {visit.url}: {p}" for p in _problems(page, width, looks_seen[width])]
        context.close()
    assert len(distinct) > 80
    assert problems == [], "\n".join(problems)
    assert console == [], "errors in the browser console (a CSP violation?)"


def _console_error(message: Any) -> list[str]:
    # An error page (403, 404) is logged as a failed load: the crawl goes to some on purpose.
    if message.type == "error" and "the server responded with a status of 4" not in message.text:
        return [message.text]
    return []


# ---- the parts of a review on a phone ----------------------------------------------------------------------


def test_the_parts_of_a_review_fold_away_on_a_phone_without_javascript(browser: Any, site: Site) -> None:
    """At 375 px the 16 links to the parts of a review fold into one line above the page's heading;
    opening it shows them. On a desktop they stand in their column, as before."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False)
    context.add_cookies([{"name": SESSION_COOKIE, "value": site.tokens["coordinator"], "url": site.base_url}])
    page = context.new_page()
    page.goto(f"{site.base_url}/reviews/{site.review_ids['AliceFindings']}/findings")
    parts = page.get_by_role("navigation", name="Parts of this review")
    fold = page.locator("summary", has_text="Parts of this review")
    assert fold.is_visible() and parts.get_by_role("link", name="Audit log").is_visible() is False
    heading = page.locator("h1").bounding_box()
    assert heading is not None and heading["y"] + heading["height"] < 740  # on the first screen
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-findings.png"))
    fold.click()
    assert parts.get_by_role("link", name="Audit log").is_visible()
    assert parts.get_by_role("link", name="Findings").get_attribute("aria-current") == "page"
    page.screenshot(path=str(SCREENSHOTS / "phone-findings-parts.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not fold.is_visible() and parts.get_by_role("link", name="Audit log").is_visible()
    context.close()
