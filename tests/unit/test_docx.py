"""Word documents made from a report's HTML: every word in order, Word's own headings, lists and tables,
the PDF's page, and the anonymisation check reading the DOCX itself."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from api.demo.reference_cases import ALICE
from findings.publication.briefings import board_briefing
from findings.publication.docx import INLINE, Element, docx_text, html_to_docx, parse
from findings.publication.freeze import check_document
from findings.publication.identifiers import Identifier, IdentifierKind, build_rules
from findings.publication.render import DocumentKind, Format, ViewModel, render, render_html
from tests.report_factory import PLANTERS, sample_report

REPORT = sample_report(findings=3, entries=6, episodes=1)
DOCUMENTS: dict[DocumentKind, ViewModel] = {
    DocumentKind.FULL: REPORT,
    DocumentKind.SUMMARY: REPORT,
    DocumentKind.PRACTITIONER: ALICE,
    DocumentKind.BOARD: board_briefing(
        [ALICE], partnership=ALICE.partnership, published_on=date(2026, 11, 26)
    ),
}
MARKERS = re.compile(r"^(\d+\.|\u2713)$")  # numbers and ticks: CSS draws them in HTML, Word has them as text


def _words(text: str) -> list[str]:
    return [w for w in text.split() if not MARKERS.match(w)]


def _html_words(html: str) -> list[str]:
    root, _ = parse(html)

    def visible(element: Element) -> str:
        if element.tag in {"head", "style", "script", "svg"}:
            return ""
        inner = "".join(c if isinstance(c, str) else visible(c) for c in element.children)
        return inner if element.tag in INLINE else f" {inner} "

    return _words(visible(root))


def _word(content: bytes) -> object:
    return Document(io.BytesIO(content))


def _body_words(content: bytes) -> list[str]:
    body = _word(content).element.body  # type: ignore[attr-defined]
    paragraphs = ("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))
    return _words(" ".join(paragraphs))


@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_every_word_of_each_document_reaches_word_in_the_same_order(kind: DocumentKind) -> None:
    html = render_html(kind, DOCUMENTS[kind])
    rendered = render(kind, DOCUMENTS[kind], Format.DOCX)
    assert rendered.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert rendered.content.startswith(b"PK")  # a zip, as every .docx is
    assert _body_words(rendered.content) == _html_words(html)


def test_the_report_s_headings_are_word_s_headings() -> None:
    document = _word(render(DocumentKind.FULL, REPORT, Format.DOCX).content)
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Title", "Heading"))
    ]  # type: ignore[attr-defined]
    assert headings[0] == ("Title", "Local child safeguarding practice review: Alice")
    assert ("Heading 1", "1. Introduction and research questions") in headings
    assert ("Heading 2", "Research questions") in headings
    assert any(style == "Heading 1" and words.endswith(". Findings") for style, words in headings)


def test_numbered_lists_start_at_one_each_time_and_the_contents_keeps_its_own_numbers() -> None:
    document = _word(render(DocumentKind.FULL, REPORT, Format.DOCX).content)
    texts = [p.text for p in document.paragraphs]  # type: ignore[attr-defined]
    assert "1. Introduction and research questions" in texts  # the contents, numbered by the report itself
    assert not any(t.startswith("1. 1.") for t in texts)
    questions = texts.index("Research questions")
    assert texts[questions + 1].startswith("1. How do agencies")
    assert texts[questions + 2].startswith("2. How is information")


def test_tables_keep_their_rows_and_columns_repeat_their_header_and_fit_their_words() -> None:
    document = _word(render(DocumentKind.FULL, REPORT, Format.DOCX).content)
    narrative = next(t for t in document.tables if t.cell(0, 0).text == "When")  # type: ignore[attr-defined]
    assert [c.text for c in narrative.rows[0].cells] == [
        "When",
        "Agency",
        "What happened",
        "Known at the time to",
    ]
    assert len(narrative.rows) == 1 + 6
    assert narrative.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    widths = [c.width for c in narrative.columns]
    assert widths.index(max(widths)) == 2  # "what happened" is the widest
    assert sum(widths) <= Cm(17.01)  # Word keeps widths in twentieths of a point
    assert all(run.bold for run in narrative.rows[0].cells[0].paragraphs[0].runs)


def test_the_page_is_the_pdf_s_a4_page_with_the_title_above_and_page_numbers_below() -> None:
    document = _word(render(DocumentKind.FULL, REPORT, Format.DOCX).content)
    section = document.sections[0]  # type: ignore[attr-defined]
    assert [round(length.cm, 2) for length in (section.page_width, section.page_height)] == [21, 29.7]
    assert [round(length.cm, 2) for length in (section.top_margin, section.left_margin)] == [2.2, 2]
    assert section.different_first_page_header_footer  # the cover has neither
    assert section.header.paragraphs[0].text == "Local child safeguarding practice review: Alice"
    fields = [t.text for t in section.footer._element.iter(qn("w:instrText"))]
    assert [f.strip() for f in fields] == ["PAGE", "NUMPAGES"]
    assert document.core_properties.title and document.core_properties.author == "Tunnelview"  # type: ignore[attr-defined]
    assert document.styles["Normal"].font.name == "Arial"  # type: ignore[attr-defined]


def test_any_html_becomes_words_charts_are_left_out_and_links_out_keep_their_address() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body><main><h1>Title</h1>"
        "<figure><svg><title>Chart</title><text>99</text></svg>"
        "<figcaption>Findings by year</figcaption></figure>"
        "<p>Plain <strong>bold <em>both</em></strong> and <a href='https://example.org/r'>the report</a>."
        "<custom-tag>Unknown markup</custom-tag><p>An unclosed paragraph<div>In a div</div>"
        "<ul class='ticks'><li>Done</li></ul><ol start='3'><li>Third</li></ol></main></body></html>"
    )
    document = _word(html_to_docx(html))
    texts = [p.text for p in document.paragraphs]  # type: ignore[attr-defined]
    assert "99" not in " ".join(texts) and "Chart" not in " ".join(texts)
    assert "Findings by year" in texts
    assert "Plain bold both and the report (https://example.org/r)." in texts
    assert {"Unknown markup", "An unclosed paragraph", "In a div", "\u2713 Done", "3. Third"} <= set(texts)
    runs = {r.text: (bool(r.bold), bool(r.italic)) for p in document.paragraphs for r in p.runs}  # type: ignore[attr-defined]
    assert runs["bold "] == (True, False) and runs["both"] == (True, True)


REGISTER = (Identifier(1, IdentifierKind.CHILD, "Jane Smith", "Alice"),)


@pytest.mark.parametrize("field_kind", ["finding text", "narrative entry"])
def test_the_anonymisation_check_reads_the_word_document_and_names_the_source(field_kind: str) -> None:
    leaky, source = PLANTERS[field_kind](REPORT, "Jane Smith")
    documents, check = check_document(DocumentKind.FULL, leaky, build_rules(REGISTER), [Format.DOCX])
    assert [d.format for d in documents] == [Format.DOCX]
    assert check.outputs == ("docx",)
    assert check.hits and all(h.output == "docx" and h.source == source for h in check.hits)
    assert "Jane Smith" in docx_text(documents[0].content)
    _, clean_check = check_document(DocumentKind.FULL, REPORT, build_rules(REGISTER), [Format.DOCX])
    assert clean_check.passed
