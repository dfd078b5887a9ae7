"""From a review's analysis to its briefings (`findings.publication.view_model`): the practitioner
briefing of one review, and the board briefing over several published reviews.

How the practitioner briefing is filled (docs/reports.md): each of its four sections is taken from the
briefing the coordinator writes (`ReportTexts.briefing`) when that section is written; a section not
written is derived from the analysis:

- Background: the case summary (`ReportTexts.case_summary`), else the referral's incident summary;
- Key Issues: each finding's statement, in finding order;
- Positive Factors: each good practice entry (what went well);
- Lessons Learned: each question for the board, in finding order.

Everything a derived section reads is fixed once the review is approved, so a published review's
briefing cannot drift from what was frozen. Every text keeps its `Source`, as in the full report
(`findings.publication.assemble`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from findings.publication.assemble import DEFAULT_PARTNERSHIP, ReviewContent, partnership_of, review_type
from findings.publication.sources import Source, SourceKind, Text, text
from findings.publication.view_model import BoardBriefing, BriefingData, BriefingItem, BriefingSection

# The four sections of a practitioner briefing, in order, with their default headings.
BRIEFING_SECTIONS: dict[str, str] = {
    "background": "Background",
    "key_issues": "Key Issues",
    "positive_factors": "Positive Factors",
    "lessons_learned": "Lessons Learned",
}


def _written_items(rid: int, key: str, items: Sequence[Any]) -> tuple[BriefingItem, ...]:
    out = []
    for n, item in enumerate(items, start=1):
        words, children = (
            (item, []) if isinstance(item, str) else (item.get("text", ""), item.get("children", []))
        )
        out.append(
            BriefingItem(
                text(str(words), SourceKind.BRIEFING, rid, key, n),
                tuple(
                    BriefingItem(text(str(child), SourceKind.BRIEFING, rid, key, f"{n}.{sub}"))
                    for sub, child in enumerate(children, start=1)
                ),
            )
        )
    return tuple(out)


def _written_section(rid: int, key: str, written: Mapping[str, Any]) -> BriefingSection:
    def paragraphs(part: str) -> tuple[Text, ...]:
        return tuple(
            text(str(p), SourceKind.BRIEFING, rid, f"{key}_{part}", n)
            for n, p in enumerate(written.get(part) or (), start=1)
        )

    return BriefingSection(
        heading=str(written.get("heading") or BRIEFING_SECTIONS[key]),
        heading_source=Source(SourceKind.BRIEFING, rid, f"{key}_heading"),
        intro=paragraphs("intro"),
        items=_written_items(rid, key, written.get("items") or ()),
        outro=paragraphs("outro"),
    )


def _derived_section(content: ReviewContent, key: str) -> BriefingSection:
    review = content.review
    heading = BRIEFING_SECTIONS[key]
    if key == "background":
        summary = content.texts.case_summary if content.texts else ""
        intro: tuple[Text, ...]
        if summary.strip():
            intro = (text(summary, SourceKind.REVIEW, review.id, "case_summary"),)
        elif review.incident_summary.strip():
            intro = (text(review.incident_summary, SourceKind.REVIEW, review.id, "incident_summary"),)
        else:
            intro = ()
        return BriefingSection(heading, intro=intro)
    findings = [f for f in content.findings if f.category is not None]
    if key == "key_issues":
        texts: Iterable[Text] = (
            text(f.statement, SourceKind.FINDING, f.id, "statement", f.number)
            for f in findings
            if f.statement
        )
    elif key == "positive_factors":
        texts = (
            text(g.what_went_well, SourceKind.GOOD_PRACTICE, g.id, "what_went_well", n)
            for n, g in enumerate(content.good_practice, start=1)
        )
    else:
        texts = (
            text(q.text, SourceKind.BOARD_QUESTION, q.id, "text", f"{f.number}.{q.number}")
            for f in findings
            for q in sorted(f.questions, key=lambda q: q.number)
        )
    return BriefingSection(heading, items=tuple(BriefingItem(t) for t in texts))


def briefing_data(
    content: ReviewContent, *, partnership: str = "", published_on: date | None = None
) -> BriefingData:
    """The practitioner briefing: each section as the coordinator wrote it, else derived."""
    review = content.review
    written = content.texts.briefing if content.texts else {}
    sections = {
        key: _written_section(review.id, key, written[key])
        if written.get(key)
        else _derived_section(content, key)
        for key in BRIEFING_SECTIONS
    }
    return BriefingData(
        review_id=review.id,
        child_pseudonym=text(review.child_pseudonym, SourceKind.REVIEW, review.id, "child_pseudonym"),
        review_type=review_type(review),
        background=sections["background"],
        key_issues=sections["key_issues"],
        positive_factors=sections["positive_factors"],
        lessons_learned=sections["lessons_learned"],
        partnership=partnership_of(content, partnership),
        published_on=published_on or content.published_on,
    )


# ---- the board briefing ------------------------------------------------------------------------

BOARD_TITLE = "Learning from case reviews"


def board_briefing(
    briefings: Sequence[BriefingData], *, partnership: str, published_on: date | None = None
) -> BoardBriefing:
    """Several published reviews' briefings in one document, with a short introduction, as the
    reference briefing gathers Alice, Andrew and Benjamin."""
    count = len(briefings)
    names = [str(b.child_pseudonym) for b in briefings]
    listed = names[0] if count == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    partnership = partnership or DEFAULT_PARTNERSHIP
    reviews = "the case review" if count == 1 else f"{count} case reviews"

    def fixed(words: Sequence[str], field: str) -> tuple[Text, ...]:
        return tuple(text(w, SourceKind.BOARD_BRIEFING, None, field, n) for n, w in enumerate(words, start=1))

    return BoardBriefing(
        title=BOARD_TITLE,
        partnership=partnership,
        introduction=fixed(
            [
                f"This briefing gathers the lessons of {reviews} recently published by {partnership}: "
                f"{listed}.",
                "Each review asked why practice went as it did, judging what professionals did by what "
                "could be seen at the time, and looked for what in the whole system makes good practice "
                "harder or easier. Please share these lessons with all staff and discuss them in teams and "
                "supervision.",
            ],
            "introduction",
        ),
        reviews_heading="Case reviews",
        reviews_intro=fixed(["The following is a summary of their findings."], "reviews_intro"),
        briefings=tuple(briefings),
        published_on=published_on,
    )


def briefing_sections(briefing: BriefingData) -> dict[str, Any]:
    """A briefing as the written sections `ReportTexts.briefing` holds (the inverse of
    `briefing_data` for written sections): to enter a briefing such as the reference's."""
    out: dict[str, Any] = {}
    for key, section in zip(BRIEFING_SECTIONS, briefing.sections, strict=True):
        out[key] = {
            "heading": section.heading,
            "intro": [t.value for t in section.intro],
            "items": [
                {"text": item.text.value, "children": [c.text.value for c in item.children]}
                if item.children
                else item.text.value
                for item in section.items
            ],
            "outro": [t.value for t in section.outro],
        }
    return out
