"""PDF from HTML through a warm headless Chromium (`TUNNELVIEW_PDF_RENDERER=chromium`; docs/reports.md).

Launching Chromium costs seconds, more than a long report's render, so each process keeps one browser,
launched on its first PDF. Playwright's sync API may only be used from the thread that started it, so
one dedicated thread owns Playwright and the browser: callers from any thread put their HTML on its
queue and wait for the bytes. Renders run one at a time. A browser that died is launched again.

Each render has a fresh browser context with JavaScript off and every network request aborted: the
report's HTML inlines its stylesheet and links only to its own headings, so nothing needs fetching.

Chromium lacks two things of CSS Paged Media that the reports' stylesheet asks of WeasyPrint, so this
module does them itself, in the page's DOM (through Playwright, which the page's disabled JavaScript does
not stop): the running title (`string()`: the one `<h1>`'s text is written into an `@page` rule) and the
contents' page numbers (`target-counter()`: a quick untagged print tells on which page each contents
link's target starts, read from the PDF's named destinations; the numbers are written into the contents
and the tagged PDF printed; printed again if writing them moved a target, which its destinations tell).
Playwright is imported here only, when the first PDF is made, so a worker that never renders one with
Chromium does not load it.
"""

from __future__ import annotations

import atexit
import io
import os
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from workflow.settings import chromium_problems

LAUNCH_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
PDF_OPTIONS: dict[str, Any] = {
    "format": "A4",
    "tagged": True,
    "outline": True,
    "prefer_css_page_size": True,
    "print_background": True,
}
DRAFT_OPTIONS: dict[str, Any] = {**PDF_OPTIONS, "tagged": False, "outline": False}  # 2-3x quicker
RENDER_TIMEOUT_SECONDS = 120.0
MOST_PRINTS = 3  # of the tagged PDF, should each print of the numbers move a target again

# What the stylesheet's string() and target-counter() give in WeasyPrint. The numbers are spans of
# their own in each contents link, so they are read as part of the link, as WeasyPrint's are.
PRINT_CSS = """
@media print {
  nav.contents a[href^="#"] { display: flex; align-items: baseline; }
  nav.contents a .leader { flex: 1; margin: 0 0.3em; border-bottom: 1px dotted #505a5f; }
}
"""
PREPARE_SCRIPT = r"""(css) => {
  const h1 = document.querySelector("h1");
  const title = h1 ? h1.textContent.replace(/[\s\u0000-\u001f]+/g, " ").trim() : "";
  const quoted = '"' + title.replace(/[\\"]/g, "\\$&") + '"';
  const style = document.createElement("style");
  const running = `@page { @top-left { content: ${quoted}; } } @page :first { @top-left { content: none; } }`;
  style.textContent = css + (title ? running : "");
  document.head.appendChild(style);
  const links = [...document.querySelectorAll('nav.contents a[href^="#"]')];
  for (const link of links) {
    const leader = document.createElement("span");
    leader.className = "leader";
    leader.setAttribute("aria-hidden", "true");
    const page = document.createElement("span");
    page.className = "page";
    page.textContent = "000";
    link.append(leader, page);
  }
  return links.map((link) => decodeURIComponent(link.getAttribute("href").slice(1)));
}"""
NUMBER_SCRIPT = """(pages) => {
  for (const link of document.querySelectorAll('nav.contents a[href^="#"]')) {
    const target = decodeURIComponent(link.getAttribute("href").slice(1));
    link.querySelector(".page").textContent = pages[target] ?? "";
  }
}"""


class ChromiumUnavailable(RuntimeError):
    """Chromium cannot render: the executable or the playwright package is missing."""


@dataclass
class _Job:
    html: str
    result: Future[bytes] = field(default_factory=Future)


class ChromiumRenderer:
    """One browser, owned by one thread, rendering the HTML it is given one document at a time."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def render(self, html: str) -> bytes:
        """The PDF of `html`, made on the browser's thread; this thread waits for it."""
        check_available(self.executable)
        job = _Job(html)
        self._ensure_thread()
        self._jobs.put(job)
        return job.result.result(timeout=RENDER_TIMEOUT_SECONDS)

    def close(self) -> None:
        """Stop the thread and close the browser (after the renders already asked for)."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._jobs.put(None)
        thread.join(timeout=10)

    def _ensure_thread(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="chromium-pdf", daemon=True)
                self._thread.start()

    def _serve(self) -> None:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser: Any = None
        try:
            while (job := self._jobs.get()) is not None:
                browser = self._run(playwright, browser, job)
        finally:
            if browser is not None and browser.is_connected():
                browser.close()
            playwright.stop()

    def _run(self, playwright: Any, browser: Any, job: _Job) -> Any:
        """Render one job, launching the browser first when there is none or it died; returns the
        browser to keep."""
        if not job.result.set_running_or_notify_cancel():
            return browser
        try:
            browser = self._connected(playwright, browser)
            try:
                pdf = _print(browser, job.html)
            except Exception:
                if browser.is_connected():
                    raise
                browser = self._connected(playwright, browser)  # it died while printing: once more
                pdf = _print(browser, job.html)
            job.result.set_result(pdf)
        except Exception as error:  # the caller gets it; the thread lives on for the next job
            job.result.set_exception(error)
        return browser

    def _connected(self, playwright: Any, browser: Any) -> Any:
        """The browser, launched (again) when there is none or it died."""
        if browser is not None and browser.is_connected():
            return browser
        return playwright.chromium.launch(executable_path=self.executable, args=list(LAUNCH_ARGS))


def _print(browser: Any, html: str) -> bytes:
    """The PDF of `html` in a context of its own: no JavaScript, no network."""
    context = browser.new_context(java_script_enabled=False)
    try:
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(html, wait_until="load")
        targets: list[str] = page.evaluate(PREPARE_SCRIPT, PRINT_CSS)
        if not targets:
            pdf: bytes = page.pdf(**PDF_OPTIONS)
            return pdf
        return _print_numbered(page, targets)
    finally:
        context.close()


def _print_numbered(page: Any, targets: list[str]) -> bytes:
    """The tagged PDF with each contents link's page number, printed until the numbers it shows are
    the pages its targets are on (once, unless writing the numbers moved a target)."""
    numbers = target_pages(page.pdf(**DRAFT_OPTIONS), targets)
    for _ in range(MOST_PRINTS):
        page.evaluate(NUMBER_SCRIPT, numbers)
        pdf: bytes = page.pdf(**PDF_OPTIONS)
        printed = target_pages(pdf, targets)
        if printed == numbers:
            break
        numbers = printed
    return pdf


def target_pages(pdf: bytes, targets: list[str]) -> dict[str, int]:
    """The page (counted from 1, as `counter(page)`) each of `targets` starts on, from the PDF's named
    destinations; a target with none (or none on a page) is left out."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    # Chromium names each destination as a PDF name, so pypdf gives "/introduction" for #introduction
    destinations = {name.removeprefix("/"): each for name, each in reader.named_destinations.items()}
    pages = {
        each: reader.get_destination_page_number(destinations[each])
        for each in targets
        if each in destinations
    }
    return {target: page + 1 for target, page in pages.items() if page is not None}


def check_available(executable: str) -> None:
    """Refuse, saying what to install, when Chromium or playwright is missing."""
    problems = chromium_problems(executable)
    if problems:
        raise ChromiumUnavailable(" ".join([*problems, "Or set TUNNELVIEW_PDF_RENDERER=weasyprint."]))


_renderers: dict[tuple[int, str], ChromiumRenderer] = {}
_renderers_lock = threading.Lock()


def renderer(executable: str) -> ChromiumRenderer:
    """This process's renderer for `executable` (a forked worker gets its own: threads do not fork)."""
    key = (os.getpid(), executable)
    with _renderers_lock:
        if key not in _renderers:
            _renderers[key] = ChromiumRenderer(executable)
        return _renderers[key]


def html_to_pdf(html: str, executable: str) -> bytes:
    """The PDF of `html`, made by this process's warm Chromium."""
    return renderer(executable).render(html)


@atexit.register
def _close_all() -> None:
    for (pid, _), each in list(_renderers.items()):
        if pid == os.getpid():
            each.close()
