"""The PDF renderer chosen by `TUNNELVIEW_PDF_RENDERER=chromium`: a warm Chromium makes the full report
as a PDF a reader (and the anonymisation check) can read page by page, with the footers, the running
title and the contents' page numbers WeasyPrint gives it; a name planted in the report is found in
its text; two threads rendering at once both get their document; and WeasyPrint stays the default."""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from api.wiring import build_services
from findings.publication import chromium
from findings.publication.anonymise import scan_pdf
from findings.publication.freeze import prepare
from findings.publication.identifiers import Identifier, IdentifierKind, build_rules
from findings.publication.render import (
    DocumentKind,
    Format,
    PdfEngine,
    html_to_pdf,
    pdf_engine,
    render_html,
    render_traced,
    use_pdf_renderer,
    weasyprint_pdf,
)
from findings.publication.view_model import ReportData
from tests.browser.conftest import require_chromium
from tests.report_factory import plant_narrative_entry, sample_report
from workflow.settings import Settings, UnsafeSettings

pytestmark = pytest.mark.browser

REGISTER = (Identifier(1, IdentifierKind.CHILD, "Jane Smith", "Alice"),)
RULES = build_rules(REGISTER)


@pytest.fixture(scope="module")
def executable() -> str:
    return require_chromium()


@pytest.fixture(scope="module")
def report() -> ReportData:
    return sample_report(findings=6, entries=40, episodes=2)


@pytest.fixture
def chromium_chosen(executable: str) -> Iterator[None]:
    before = pdf_engine()
    use_pdf_renderer(PdfEngine("chromium", executable))
    yield
    use_pdf_renderer(before)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _footers(pages: list[str]) -> list[bool]:
    return [f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1)]


@pytest.mark.pdf
def test_the_full_report_is_a_pdf_whose_every_page_has_text_and_the_footers_weasyprint_gives(
    report: ReportData, chromium_chosen: None
) -> None:
    html = render_html(DocumentKind.FULL, report)
    pages = _pages(html_to_pdf(html))
    assert pages and all(text.strip() for text in pages)
    weasyprint_pages = _pages(weasyprint_pdf(html))
    for each in (pages, weasyprint_pages):  # "Page N of M" on every page but the cover
        assert _footers(each) == [False] + [True] * (len(each) - 1)
    root = PdfReader(io.BytesIO(html_to_pdf(html))).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root and root["/Lang"] == "en-GB"


def _contents(pdf: bytes) -> list[str]:
    """The contents' lines as a reader sees them: the section, then its page ("2. Methodology 2")."""
    text = _pages(pdf)[0].partition("\nContents\n")[2]
    lines = [" ".join(line.replace(".", " ").split()) for line in text.splitlines()]
    return [line for line in lines if line[-1:].isdigit() and not line.startswith("Page ")]


@pytest.mark.pdf
def test_the_contents_give_each_sections_page_as_weasyprint_does(
    report: ReportData, chromium_chosen: None
) -> None:
    html = render_html(DocumentKind.FULL, report)
    pdf = html_to_pdf(html)
    contents = _contents(pdf)
    assert contents == _contents(weasyprint_pdf(html))
    assert len(contents) == html.count('<li><a href="#')
    pages = _pages(pdf)
    first_finding = next(n for n, text in enumerate(pages, start=1) if "\n7. Findings\n" in f"\n{text}\n")
    assert any(line.startswith("7 Findings") and line.endswith(f" {first_finding}") for line in contents)


@pytest.mark.pdf
def test_every_page_but_the_cover_is_headed_with_the_reports_title(
    report: ReportData, chromium_chosen: None
) -> None:
    pages = _pages(html_to_pdf(render_html(DocumentKind.FULL, report)))
    title = "Local child safeguarding practice review: Alice"  # the <h1>, the report's type and pseudonym
    assert [title in text.splitlines() for text in pages[1:]] == [True] * (len(pages) - 1)
    assert " ".join(pages[0].split()).count(title) == 1  # the cover's heading, no running title above it


def test_a_title_with_quotes_and_backslashes_is_the_running_title_as_written(executable: str) -> None:
    title = 'The "Acacia" review \\ part 2'
    html = (
        f'<html lang="en-GB"><head><title>t</title></head><body><h1>{title}</h1>'
        '<p style="break-before: page">second page</p></body></html>'
    )
    second = _pages(chromium.html_to_pdf(html, executable))[1]
    assert title in second


def test_a_target_whose_page_numbers_move_it_is_printed_until_the_contents_are_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed = iter([{"a": 2, "b": 9}, {"a": 2, "b": 10}, {"a": 2, "b": 10}])
    shown: list[dict[str, int]] = []

    class Page:
        def pdf(self, **options: Any) -> bytes:
            return b"tagged" if options["tagged"] else b"draft"

        def evaluate(self, script: str, numbers: dict[str, int]) -> None:
            shown.append(dict(numbers))

    monkeypatch.setattr(chromium, "target_pages", lambda pdf, targets: next(printed))
    assert chromium._print_numbered(Page(), ["a", "b"]) == b"tagged"
    assert shown == [{"a": 2, "b": 9}, {"a": 2, "b": 10}]  # the second print showed what it found


@pytest.mark.pdf
def test_a_name_planted_in_the_report_is_found_in_the_chromium_pdf_as_in_weasyprints(
    report: ReportData, chromium_chosen: None
) -> None:
    leaky, source = plant_narrative_entry(report, "Jane Smith")
    traced = render_traced(DocumentKind.FULL, leaky, Format.HTML)
    for pdf in (html_to_pdf(traced.content), weasyprint_pdf(traced.content)):
        hits = scan_pdf(pdf, RULES, candidates=traced.traced)  # as freeze.prepare checks a PDF
        assert [(h.kind, h.output, h.source) for h in hits] == [("child", "pdf", source)]


@pytest.mark.pdf
def test_publishing_with_chromium_freezes_its_pdf_and_the_check_finds_the_name_in_it(
    report: ReportData, chromium_chosen: None
) -> None:
    leaky, source = plant_narrative_entry(report, "Jane Smith")
    prepared = prepare(leaky, REGISTER, formats=(Format.PDF,))
    (pdf,) = [d for d in prepared.documents if d.kind == DocumentKind.FULL]
    assert b"Skia/PDF" in pdf.content
    hits = [h for h in prepared.check.hits if h.output == "pdf" and h.kind == "child"]
    assert hits and all(h.source == source for h in hits)


def test_nothing_is_fetched_from_the_network(executable: str) -> None:
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        html = (
            f'<html><head><link rel="stylesheet" href="{url}/style.css"></head>'
            f'<body><p>here</p><img src="{url}/image.png" alt="">'
            f'<iframe src="{url}/frame"></iframe></body></html>'
        )
        assert _pages(chromium.html_to_pdf(html, executable))[0].strip().startswith("here")
    finally:
        server.shutdown()
    assert asked == []


def test_two_threads_rendering_at_once_both_get_their_pdf(executable: str) -> None:
    documents = {
        name: f'<html lang="en-GB"><head><title>{name}</title></head><body><p>{name}</p></body></html>'
        for name in ("one", "two")
    }
    made: dict[str, bytes] = {}

    def render(name: str) -> None:
        made[name] = chromium.html_to_pdf(documents[name], executable)

    threads = [threading.Thread(target=render, args=(name,)) for name in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert {name: _pages(pdf)[0].strip() for name, pdf in made.items()} == {"one": "one", "two": "two"}


def test_a_browser_that_died_is_launched_again(executable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    printed = chromium._print
    deaths = []

    def dying(browser: Any, html: str) -> bytes:
        if not deaths:  # the first print: the browser dies under it
            deaths.append(browser)
            browser.close()
            raise RuntimeError("Target closed")
        return printed(browser, html)

    monkeypatch.setattr(chromium, "_print", dying)
    renderer = chromium.ChromiumRenderer(executable)
    try:
        assert _pages(renderer.render("<p>after</p>"))[0].strip() == "after"
        assert _pages(renderer.render("<p>again</p>"))[0].strip() == "again"
    finally:
        renderer.close()
    assert len(deaths) == 1 and not deaths[0].is_connected()
    assert renderer._thread is not None and not renderer._thread.is_alive()  # closed: as at exit


def test_the_setting_chooses_the_renderer_and_weasyprint_is_the_default(executable: str) -> None:
    before = pdf_engine()
    try:
        assert Settings().pdf_renderer == "weasyprint"
        build_services(Settings())
        assert pdf_engine() == PdfEngine("weasyprint", "/usr/bin/chromium")
        build_services(Settings(pdf_renderer="chromium", chromium=executable))
        assert pdf_engine() == PdfEngine("chromium", executable)
        assert html_to_pdf("<p>x</p>").startswith(b"%PDF") and b"Skia/PDF" in html_to_pdf("<p>x</p>")
    finally:
        use_pdf_renderer(before)


def test_a_missing_playwright_is_refused_saying_what_to_install(
    executable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "playwright", None)  # import playwright now raises ImportError
    with pytest.raises(chromium.ChromiumUnavailable, match="install `playwright`"):
        chromium.ChromiumRenderer(executable).render("<p>x</p>")


def test_a_missing_chromium_is_refused_at_start_and_at_first_use(tmp_path: Path) -> None:
    missing = str(tmp_path / "chromium")
    settings = Settings(dev_mode=True, pdf_renderer="chromium", chromium=missing)
    with pytest.raises(UnsafeSettings, match="TUNNELVIEW_CHROMIUM"):
        settings.check_safe_to_serve()
    with pytest.raises(chromium.ChromiumUnavailable, match="install the chromium package"):
        chromium.html_to_pdf("<p>x</p>", missing)
