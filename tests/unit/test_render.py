"""Rendering: the environments are sandboxed and strict, the documents follow the Learning Together
structure, and the PDF has page numbers, contents, bookmarks and tags."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date
from html import unescape

import pytest
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from pypdf import PdfReader

from api.demo import reference_cases
from findings.publication.anonymise import html_text
from findings.publication.narrative_view import number_ranges
from findings.publication.render import (
    REPORT_TEMPLATES,
    TEMPLATES,
    DocumentKind,
    Format,
    environment,
    filename,
    markdown_escape,
    render,
    render_html,
    render_markdown,
    render_pdf,
    render_traced,
)
from findings.publication.sources import SourceKind, text, texts
from findings.publication.view_model import ANONYMITY_SENTENCE, CATEGORY_LABELS, Category, ReportData
from tests.report_factory import sample_report


@pytest.fixture(scope="module")
def report() -> ReportData:
    return sample_report(findings=8, entries=12, episodes=2)


@pytest.fixture(scope="module")
def pdf(report: ReportData) -> bytes:
    return render_pdf(DocumentKind.FULL, report)


def test_templates_are_found_from_the_package() -> None:
    assert TEMPLATES.name == "templates"
    for name in ("full", "summary", "practitioner", "board"):
        assert (REPORT_TEMPLATES / f"{name}.html").is_file()
        assert (REPORT_TEMPLATES / f"{name}.md").is_file()


@pytest.mark.parametrize("fmt", [Format.HTML, Format.MARKDOWN])
def test_environments_are_sandboxed_strict_and_built_once(fmt: Format) -> None:
    env = environment(fmt)
    assert env is environment(fmt)
    assert isinstance(env, SandboxedEnvironment)
    assert env.undefined is StrictUndefined
    assert {"paragraphs", "join_texts", "date", "capfirst", "plural"} <= set(env.filters)
    with pytest.raises(UndefinedError):
        env.from_string("{{ nothing }}").render()
    with pytest.raises(TypeError, match="not set"):
        env.from_string("{{ value }}").render(value=None)
    with pytest.raises(SecurityError):
        env.from_string("{{ value.__class__.__subclasses__() }}").render(value=1)


def test_html_autoescapes_and_markdown_escapes_a_person_words(report: ReportData) -> None:
    nasty = "<script>alert('x')</script> *bold* | pipe"
    finding = dataclasses.replace(
        report.findings[0], statement=text(nasty, SourceKind.FINDING, 1001, "statement", 1)
    )
    changed = dataclasses.replace(report, findings=(finding, *report.findings[1:]))
    html = render_html(DocumentKind.FULL, changed)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    markdown = render_markdown(DocumentKind.FULL, changed)
    assert r"\<script\>alert('x')\</script\> \*bold\* \| pipe" in markdown


@pytest.mark.parametrize("kind", [DocumentKind.FULL, DocumentKind.SUMMARY])
def test_markdown_escapes_plain_fields_too_such_as_the_partnership(
    report: ReportData, kind: DocumentKind
) -> None:
    meta = dataclasses.replace(report.meta, partnership="# North *shire* <b>LSCB</b>")
    markdown = render_markdown(kind, dataclasses.replace(report, meta=meta))
    assert r"\# North \*shire\* \<b\>LSCB\</b\>" in markdown
    assert "# North *shire*" not in markdown


def test_the_briefings_escape_the_partnership_and_keep_their_headings() -> None:
    board = dataclasses.replace(
        reference_cases.board_briefing(published_on=date(2011, 6, 1)), partnership="Board | *North*"
    )
    markdown = render_markdown(DocumentKind.BOARD, board)
    assert r"Board \| \*North\*" in markdown
    assert markdown.count("#### Lessons Learned") == 3
    briefing = dataclasses.replace(reference_cases.ALICE, partnership="_North_ [LSCB]")
    practitioner = render_markdown(DocumentKind.PRACTITIONER, briefing)
    assert r"\_North\_ \[LSCB\]" in practitioner
    assert "## Lessons Learned" in practitioner


def test_markdown_escape_keeps_words_and_neutralises_markup() -> None:
    words = "Alice's mother (not those in Education)"
    assert markdown_escape(words) == words
    assert markdown_escape("# heading") == r"\# heading"
    assert markdown_escape("1. first") == r"1\. first"
    assert markdown_escape("a_b [c](d)") == r"a\_b \[c\](d)"


def _headings(html: str, level: int) -> list[str]:
    found = re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html)
    return [unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in found]


def test_the_full_report_follows_the_learning_together_structure(report: ReportData) -> None:
    html = render_html(DocumentKind.FULL, report)
    assert _headings(html, 2) == [
        "Contents",
        "1. Introduction and research questions",
        "2. Methodology",
        "3. The family's involvement",
        "4. The case in brief",
        "5. The multi-agency narrative",
        "6. Appraisal of key practice episodes",
        "7. Findings",
        "8. Good practice",
        "9. The board's response and actions",
        "Appendix: quality self-assessment",
        "Appendix: each agency's account",
    ]
    categories = [h for h in _headings(html, 3) if h in CATEGORY_LABELS.values()]
    assert categories == [CATEGORY_LABELS[c] for c in Category]  # the typology's order
    assert _headings(html, 4).count("Finding 1") == 1
    for needed in (
        "How it showed in this case",
        "Evidence that this is not a quirk of this case",
        "Why it matters",
        "Questions for the board",
    ):
        assert _headings(html, 5).count(needed) == len(report.findings)
    assert ANONYMITY_SENTENCE in html
    assert '<html lang="en-GB">' in html


def test_every_text_of_the_view_model_is_in_the_report(report: ReportData) -> None:
    readable = " ".join(html_text(render_html(DocumentKind.FULL, report)).split())
    for item in texts(report):
        for paragraph in item.paragraphs:
            assert paragraph in readable, item.source.describe()


def test_categories_without_findings_are_left_out() -> None:
    report = sample_report(findings=2)
    html = render_html(DocumentKind.FULL, report)
    assert [h for h in _headings(html, 3) if h in CATEGORY_LABELS.values()] == [
        CATEGORY_LABELS[Category.INNATE_HUMAN_BIASES],
        CATEGORY_LABELS[Category.FAMILY_PROFESSIONAL_INTERACTION],
    ]


def test_the_merged_narrative_interleaves_agencies_by_date(report: ReportData) -> None:
    merged = report.merged_narrative
    assert [e.on for e in merged] == sorted(e.on for e in merged)
    assert len({e.agency.value for e in merged}) > 1
    markdown = render_markdown(DocumentKind.FULL, report)
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "Entry " in line]
    assert len(rows) == report.narrative_entry_count  # each entry printed once, in the merged narrative
    numbers = [int(row.split("|")[1]) for row in rows]
    assert numbers == list(range(1, report.narrative_entry_count + 1))


def test_each_agency_account_lists_its_entries_in_the_merged_narrative(report: ReportData) -> None:
    merged = report.merged_narrative
    for narrative, account in zip(report.narratives, report.agency_accounts, strict=True):
        assert account.agency == narrative.agency and account.entry_count == len(narrative.entries)
        listed = [merged[n - 1] for n in _numbers(account.numbers)]
        assert listed == list(narrative.entries)  # every entry, in the agency's own order
    markdown = render_markdown(DocumentKind.FULL, report)
    appendix = markdown.split("## Appendix: each agency's account", 1)[1]
    for account in report.agency_accounts:
        assert f"entries {account.numbers} of the merged narrative" in appendix


def _numbers(listed: str) -> list[int]:
    numbers: list[int] = []
    for part in listed.split(", "):
        first, _, last = part.partition("\N{EN DASH}")
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def test_number_ranges_shortens_ascending_runs_only() -> None:
    assert number_ranges([1, 2, 3, 5, 4, 7, 8]) == "1\N{EN DASH}3, 5, 4, 7, 8"
    assert number_ranges([9]) == "9"


def test_participation_is_by_agency_and_role_never_by_name(report: ReportData) -> None:
    html = render_html(DocumentKind.FULL, report)
    assert "<td>Police</td><td>panel member</td><td>1</td>" in html


def test_markdown_report_has_the_same_outline(report: ReportData) -> None:
    markdown = render_markdown(DocumentKind.FULL, report)
    outline = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert outline[0] == "## 1. Introduction and research questions"
    assert outline[-1] == "## Appendix: each agency's account"
    assert "\n\n\n" not in markdown and markdown.endswith("\n") and not markdown.endswith("\n\n")


def test_traced_rendering_is_the_delivered_document(report: ReportData) -> None:
    for fmt in (Format.HTML, Format.MARKDOWN):
        traced = render_traced(DocumentKind.FULL, report, fmt)
        assert traced.content.encode() == render(DocumentKind.FULL, report, fmt).content
        assert "\ue000" not in traced.content and "\ue000" not in traced.traced.text
        assert traced.traced.spans


@pytest.mark.pdf
def test_the_pdf_has_page_numbers_contents_bookmarks_and_tags(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert total > 3
    assert f"Page 2 of {total}" in pages[1]
    assert "Page 1 of" not in pages[0]  # the cover carries no number
    contents = pages[0]
    assert re.search(r"7\. Findings\s*\.*\s*\d+", contents), contents
    findings_page = int(re.search(r"7\. Findings\s*\.*\s*(\d+)", contents).group(1))
    assert "7. Findings" in pages[findings_page - 1]
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "7. Findings" in titles
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged PDF
    assert root["/MarkInfo"]["/Marked"]
    assert root.get("/Lang") in ("en-GB", "en-gb")
    assert reader.metadata is not None and reader.metadata.title.startswith("Local child safeguarding")


@pytest.mark.pdf
def test_headings_do_not_end_a_page(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if not line.startswith("Page ")]
        stranded = r"Finding \d+|Episode \d+:.*|Why it matters|Questions for the board"
        assert not re.fullmatch(stranded, body[-1])


def test_the_summary_of_improvements_leaves_out_the_case(report: ReportData) -> None:
    html = render_html(DocumentKind.SUMMARY, report)
    assert "Summary of improvements" in html
    assert "Findings and questions for the board" in html
    assert report.findings[0].questions[0].text.value in html
    assert "multi-agency narrative" not in html and "Entry 1:" not in html
    assert report.meta.case_summary is not None and report.meta.case_summary.paragraphs[0] not in html
    assert "Summary of improvements" in render_markdown(DocumentKind.SUMMARY, report)


@pytest.mark.pdf
def test_the_board_briefing_gathers_several_reviews() -> None:
    board = reference_cases.board_briefing(published_on=date(2011, 6, 1))
    html = render_html(DocumentKind.BOARD, board)
    assert _headings(html, 1) == ["Learning Lessons from Serious Case Reviews & Management Case Reviews"]
    assert _headings(html, 3) == ["Alice", "Andrew", "Benjamin"]
    assert _headings(html, 4).count("Lessons Learned") == 3
    assert html.count(ANONYMITY_SENTENCE) == 1
    markdown = render_markdown(DocumentKind.BOARD, board)
    assert [line for line in markdown.splitlines() if line.startswith("### ")] == [
        "### Alice",
        "### Andrew",
        "### Benjamin",
    ]
    reader = PdfReader(io.BytesIO(render_pdf(DocumentKind.BOARD, board)))
    assert len(reader.pages) >= 3


def test_a_view_model_of_the_wrong_kind_is_refused(report: ReportData) -> None:
    with pytest.raises(TypeError, match="BriefingData"):
        render_html(DocumentKind.PRACTITIONER, report)


def test_file_names() -> None:
    assert filename(DocumentKind.FULL, Format.PDF, 7) == "review-report-7.pdf"
    assert filename(DocumentKind.PRACTITIONER, Format.MARKDOWN) == "practitioner-briefing.md"
