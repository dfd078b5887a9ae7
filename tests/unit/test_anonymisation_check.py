"""The anonymisation check on rendered documents: a leak planted in each kind of field is found in the
HTML, the Markdown and the PDF text, and reported at the object and field it came from."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from api.demo.reference_cases import ALICE
from findings.publication.anonymise import html_text, scan_pdf, scan_plain, scan_traced, strip_marks
from findings.publication.freeze import ALL_FORMATS, prepare, summary_of_improvements
from findings.publication.identifiers import Identifier, IdentifierKind, build_rules
from findings.publication.render import DocumentKind, Format, html_to_pdf
from findings.publication.sources import Source, SourceKind, text
from findings.publication.view_model import ReportData
from tests.report_factory import (
    PLANTERS,
    plant_board_question,
    plant_narrative_entry,
    sample_report,
    with_words,
)

REGISTER = (
    Identifier(1, IdentifierKind.CHILD, "Jane Smith", "Alice"),
    Identifier(2, IdentifierKind.PARENT_CARER, "Mary Smith", "her mother"),
    Identifier(3, IdentifierKind.SCHOOL, "Hill Top Primary School", "the school", variants=("Hill Top",)),
    Identifier(4, IdentifierKind.DATE_OF_BIRTH, "2015-03-12", "her date of birth"),
    Identifier(5, IdentifierKind.PRACTITIONER, "Rupert Greenwood", "the GP"),
)
LEAK = "Jane Smith"


@pytest.fixture(scope="module")
def clean() -> ReportData:
    return sample_report(findings=3, entries=6, episodes=1)


@pytest.mark.pdf
def test_a_clean_report_passes_in_every_format(clean: ReportData) -> None:
    prepared = prepare(clean, REGISTER, briefing=ALICE)
    assert prepared.passed, prepared.check.reasons()
    assert prepared.check.outputs == ("html", "markdown", "pdf")
    assert {(d.kind, d.format) for d in prepared.documents} == {
        (kind, fmt) for kind in (DocumentKind.FULL, DocumentKind.PRACTITIONER) for fmt in ALL_FORMATS
    }


@pytest.mark.pdf
@pytest.mark.parametrize("field_kind", list(PLANTERS))
def test_a_leak_is_reported_where_it_was_planted_in_every_format(clean: ReportData, field_kind: str) -> None:
    leaky, source = PLANTERS[field_kind](clean, LEAK)
    prepared = prepare(leaky, REGISTER)
    assert not prepared.passed
    by_output = {hit.output: hit for hit in prepared.check.hits}
    assert set(by_output) == {"html", "markdown", "pdf"}, [str(h) for h in prepared.check.hits]
    for hit in prepared.check.hits:
        assert hit.kind == "child" and hit.entry_id == 1
        assert hit.source == source, (hit.output, hit.where)
    (reason,) = prepared.check.reasons()
    assert source.describe() in reason
    assert "seen in html, pdf, markdown" in reason or "seen in html, markdown, pdf" in reason
    assert "Jane" not in reason and "Smith" not in reason
    fixed, _ = PLANTERS[field_kind](clean, "Alice")
    assert prepare(fixed, REGISTER).passed


def test_a_school_variant_in_a_participation_row_is_found(clean: ReportData) -> None:
    row = clean.participation[0]
    changed = dataclasses.replace(row, agency=text("Hill Top", SourceKind.PARTICIPATION, 1, "agency"))
    leaky = dataclasses.replace(clean, participation=(changed, *clean.participation[1:]))
    hits = prepare(leaky, REGISTER, formats=[Format.HTML]).check.hits
    assert [(h.kind, h.source) for h in hits] == [("school", changed.agency.source)]


def test_a_date_of_birth_and_a_postcode_are_flagged(clean: ReportData) -> None:
    words = "She was born on 12 March 2015 and lived in TS18 1AB."
    summary = text(words, SourceKind.REVIEW, 7, "case_summary")
    leaky = dataclasses.replace(clean, meta=dataclasses.replace(clean.meta, case_summary=summary))
    hits = prepare(leaky, REGISTER, formats=[Format.MARKDOWN]).check.hits
    assert sorted((h.kind, h.source) for h in hits) == [
        ("date_of_birth", summary.source),
        ("postcode", summary.source),
    ]


@pytest.mark.pdf
def test_the_practitioner_briefing_is_checked_too(clean: ReportData) -> None:
    item = ALICE.positive_factors.items[2]
    changed_item = dataclasses.replace(item, text=with_words(item.text, "Rupert Greenwood"))
    section = dataclasses.replace(
        ALICE.positive_factors,
        items=(*ALICE.positive_factors.items[:2], changed_item, *ALICE.positive_factors.items[3:]),
    )
    briefing = dataclasses.replace(ALICE, positive_factors=section)
    hits = prepare(clean, REGISTER, briefing=briefing).check.hits
    assert {h.output for h in hits} == {"html", "markdown", "pdf"}
    assert {h.source for h in hits} == {changed_item.text.source}
    assert all(h.kind == "practitioner" for h in hits)


@pytest.mark.pdf
def test_the_summary_of_improvements_is_checked(clean: ReportData) -> None:
    leaky, source = plant_board_question(clean, "Mary Smith")
    prepared = summary_of_improvements(leaky, REGISTER)
    assert prepared.variant == DocumentKind.SUMMARY
    assert {h.source for h in prepared.check.hits} == {source}
    # a narrative entry is not part of the summary, so a leak there does not block it
    leaky, _ = plant_narrative_entry(clean, "Mary Smith")
    assert summary_of_improvements(leaky, REGISTER).passed


# ---- the PDF is checked as a reader gets it, not only the HTML -------------------------------------


RULES = build_rules(REGISTER)


@pytest.mark.pdf
def test_a_name_broken_across_lines_in_the_pdf_is_found() -> None:
    html = (
        '<html lang="en"><body><p style="width: 2.2em; font-size: 12pt">Jane Smith</p>'
        '<p style="width: 3em; hyphens: auto">Greenwood</p></body></html>'
    )
    pdf = html_to_pdf(html)
    hits = scan_pdf(pdf, RULES)
    assert (hits[0].kind, hits[0].matched.replace("\n", "/")) == ("child", "Jane/Smith")
    assert [h.kind for h in hits] == ["child", "practitioner"], [h.matched for h in hits]
    assert "\n" in hits[1].matched  # "Green-\nwood": hyphenated at the end of a line
    assert all(h.page == 1 and h.output == "pdf" for h in hits)


@pytest.mark.pdf
def test_text_only_the_pdf_shows_is_found_and_reported_as_the_rendered_report() -> None:
    html = (
        '<html><head><style>p::after { content: " Jane Smith" }</style></head>'
        "<body><p>Hello</p></body></html>"
    )
    assert scan_plain(html_text(html), RULES) == ()  # the HTML text has no identifier
    (hit,) = scan_pdf(html_to_pdf(html), RULES)
    assert hit.source is None and hit.where == "rendered report (pdf, page 1)"


@pytest.mark.pdf
def test_pdf_metadata_is_checked() -> None:
    pdf = html_to_pdf("<html><head><title>Review of Jane Smith</title></head><body><p>x</p></body></html>")
    outputs = {h.output for h in scan_pdf(pdf, RULES)}
    assert "pdf metadata" in outputs


def test_a_hit_straddling_two_items_stays_with_the_item_it_starts_in() -> None:
    sources = [Source(SourceKind.FINDING, 1, "statement", 1), Source(SourceKind.FINDING, 1, "context", 1)]
    marked = "\ue0000\ue001Seen by Jane\ue002 \ue0001\ue001Smith later\ue002"
    (hit,) = scan_traced(strip_marks(marked, sources), RULES, output="html")
    assert hit.source == sources[0]


# ---- printed dates and names are placed on the record they come from ------------------------------


def _dated(report: ReportData, entry_id: int, on: date, words: str | None = None) -> ReportData:
    """The report with one narrative entry dated `on` (and its words changed, and no agency that knew)."""

    def changed(entry):  # type: ignore[no-untyped-def]
        if entry.id != entry_id:
            return entry
        text_ = dataclasses.replace(entry.text, value=words) if words else entry.text
        return dataclasses.replace(entry, on=on, text=text_, known_to=())

    narratives = tuple(
        dataclasses.replace(n, entries=tuple(changed(e) for e in n.entries)) for n in report.narratives
    )
    return dataclasses.replace(report, narratives=narratives)


def test_a_registered_date_of_birth_printed_as_a_record_date_names_that_record(clean: ReportData) -> None:
    born = date(2015, 3, 12)  # REGISTER's date of birth
    leaky = _dated(clean, 3, born)
    action = clean.board_response.actions[0]
    board = dataclasses.replace(
        clean.board_response,
        actions=(dataclasses.replace(action, due=born), *clean.board_response.actions[1:]),
    )
    leaky = dataclasses.replace(
        leaky, meta=dataclasses.replace(clean.meta, period_start=born), board_response=board
    )
    hits = prepare(leaky, REGISTER, formats=[Format.HTML, Format.MARKDOWN]).check.hits
    assert {(h.kind, h.source) for h in hits} == {
        ("date_of_birth", Source(SourceKind.NARRATIVE_ENTRY, 3, "occurred_on")),
        ("date_of_birth", Source(SourceKind.REVIEW, 7, "period_start")),
        ("date_of_birth", Source(SourceKind.ACTION, action.id, "due_on")),
    }
    assert all(h.parts == (h.source,) and h.part_words == (h.matched,) for h in hits)
    reasons = prepare(leaky, REGISTER, formats=[Format.MARKDOWN]).check.reasons()
    assert "Narrative entry (id 3), field 'date'" in " ".join(reasons)


def test_a_postcode_in_the_partnerships_name_names_the_review_texts(clean: ReportData) -> None:
    leaky = dataclasses.replace(
        clean, meta=dataclasses.replace(clean.meta, partnership="Northshire TS18 1AB")
    )
    hits = prepare(leaky, REGISTER, formats=[Format.MARKDOWN]).check.hits
    assert {(h.kind, h.source) for h in hits} == {("postcode", Source(SourceKind.REVIEW, 7, "partnership"))}


def test_a_date_printed_after_another_entrys_born_names_both(clean: ReportData) -> None:
    """The merged narrative prints an entry's date right after the entry before it: "... was born",
    then "8 January 2024", read together as a date of birth."""
    first, second = sorted((e for n in clean.narratives for e in n.entries), key=lambda e: e.sort_key)[:2]
    leaky = _dated(clean, first.id, first.on, "The midwife visited; her brother was born")
    hits = prepare(leaky, REGISTER, formats=[Format.HTML]).check.hits
    # Each entry is printed once, in the merged narrative, where the next entry is `second` (its number
    # is printed after its date, so it does not stand between "born" and the date).
    assert {h.kind for h in hits} == {"unregistered_date_of_birth"} and len(hits) == 1
    (hit,) = hits
    assert hit.parts == (first.text.source, Source(SourceKind.NARRATIVE_ENTRY, second.id, "occurred_on"))
    assert hit.part_words == ("born", f"{second.on.day} {second.on:%B %Y}")
    assert hit.where == (
        f"Narrative entry (id {first.id}), field 'text' running into "
        f"Narrative entry (id {second.id}), field 'date'"
    )


@pytest.mark.pdf
def test_a_pdf_hit_across_two_items_is_placed_on_both(clean: ReportData) -> None:
    first = min((e for n in clean.narratives for e in n.entries), key=lambda e: e.sort_key)
    leaky = _dated(clean, first.id, first.on, "The midwife visited; her brother was born")
    hits = prepare(leaky, REGISTER, formats=[Format.HTML, Format.PDF]).check.hits
    pdf = [h for h in hits if h.output == "pdf"]
    # Placed on the items of the same match in the traced text, as the HTML's hits are.
    assert pdf and all(h.parts[0] == first.text.source and len(h.parts) == 2 for h in pdf)
    assert {h.parts[1] for h in pdf} <= {h.parts[1] for h in hits if h.output == "html"}
