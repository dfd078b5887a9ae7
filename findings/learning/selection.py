"""The board briefing built from a selection (DESIGN §6, §7): a coordinator or chair picks a filter
(a theme, years, a route, published reviews only) and gets one briefing of the matching reviews'
findings, questions for the board, board responses and actions, as HTML or PDF.

What it prints of each review, and from where:

- a review the reader is **not a member of** (they see it because it was published), and every review
  when the selection asks for published reviews only: the findings and the board's response exactly
  as they stand in the report frozen at publication (anonymised and checked then), quoted from its
  HTML (`findings.learning.excerpts`). Nothing of the review's live rows is printed, so a response
  or an action recorded after publication never reaches a reader who was not on the review;
- a review the reader **is a member of**, when drafts are not ruled out: its report as it stands
  today (drafts included, like the draft report its members download), marked as such, with the
  warning on the cover that the briefing holds unpublished drafts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup
from pydantic import Field
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from findings.analysis.models import Finding, ReviewTheme
from findings.analysis.themes import vocabulary_of
from findings.learning import excerpts
from findings.learning.visibility import (
    ROUTE_LABELS,
    Reader,
    ReviewFilters,
    author,
    json_elements,
    member_of,
    published_reviews,
    review_year,
    years_seen,
)
from findings.publication.assemble import DEFAULT_PARTNERSHIP, load, report_data, review_type
from findings.publication.freeze import published_document
from findings.publication.models import PublishedReport
from findings.publication.render import DocumentKind, Format, Rendered, environment, from_html, render_html
from workflow.commands import Key
from workflow.errors import InvalidInput
from workflow.models import Membership, Review
from workflow.service import ReviewService

MAX_REVIEWS = 30  # one briefing; more asks for a narrower selection
TEMPLATE = "selection.html"


class Selection(ReviewFilters):
    theme: Key | None = Field(default=None, description="Reviews whose findings or whose case carry it.")
    published_only: bool = Field(default=False, description="Only published reviews, as published.")


@dataclass(frozen=True)
class SelectedReview:
    review_id: int
    child_pseudonym: str
    review_type: str
    year: int | None
    state: str
    published_on: date | None
    member: bool
    findings: int
    as_published: bool  # printed from the frozen report (else as it stands today, drafts included)


@dataclass(frozen=True)
class SelectionChoices:
    themes: Mapping[str, str]
    years: tuple[int, ...]


@dataclass(frozen=True)
class BriefedReview:
    anchor: str
    review: SelectedReview
    findings: Markup | None
    board: Markup | None


@dataclass(frozen=True)
class SelectionBriefing:
    title: str
    partnership: str
    made_on: date
    selection: str  # the selection in words
    reviews: tuple[BriefedReview, ...]

    @property
    def drafts(self) -> bool:
        return any(not r.review.as_published for r in self.reviews)


def describe(selection: Selection, themes: Mapping[str, str]) -> str:
    """The selection in words: "published reviews with the theme Neglect, 2026"."""
    words = "published reviews" if selection.published_only else "reviews"
    if selection.route:
        words = f"{ROUTE_LABELS[selection.route].split(' (')[0].lower()}s" + (
            ", published" if selection.published_only else ""
        )
    if selection.theme:
        words += f" with the theme {themes.get(selection.theme, selection.theme)}"
    first, last = selection.year_from, selection.year_to
    if first and last:
        words += f", {first}" if first == last else f", {first} to {last}"
    elif first:
        words += f", from {first}"
    elif last:
        words += f", up to {last}"
    return words[:1].upper() + words[1:]


class SelectionService:
    """Keyword-only; `actor` is the reader's id."""

    def __init__(
        self, reviews: ReviewService, *, partnership: str = "", today: Callable[[], date] = date.today
    ) -> None:
        self._reviews = reviews
        self._partnership = partnership or DEFAULT_PARTNERSHIP
        self._today = today

    def reviews(self, *, actor: int, selection: Selection) -> list[SelectedReview]:
        """The reviews the selection picks, of those the reader may see, newest first."""
        with self._reviews.session(read_only=True) as session:
            return self._selected(session, self._author(session, actor), selection)

    def choices(self, *, actor: int) -> SelectionChoices:
        """What the selection offers: the theme vocabulary and the years of the reviews the reader sees."""
        with self._reviews.session(read_only=True) as session:
            who = self._author(session, actor)
            return SelectionChoices(vocabulary_of(session), tuple(years_seen(session, who)))

    def briefing(self, *, actor: int, selection: Selection, fmt: Format) -> Rendered:
        """The briefing of the selected reviews as HTML, PDF or Word (DOCX)."""
        if fmt not in (Format.HTML, Format.PDF, Format.DOCX):
            raise InvalidInput({"format": "A briefing from a selection is made as html, pdf or docx."})
        with self._reviews.session(read_only=True) as session:
            who = self._author(session, actor)
            selected = self._selected(session, who, selection)
            if not selected:
                raise InvalidInput({"form": "No review you may see matches this selection."})
            if len(selected) > MAX_REVIEWS:
                raise InvalidInput(
                    {
                        "form": f"{len(selected)} reviews match; a briefing gathers at most {MAX_REVIEWS}. "
                        "Narrow the selection."
                    }
                )
            briefed = tuple(self._briefed(session, r) for r in selected)
            data = SelectionBriefing(
                title="Board briefing",
                partnership=self._partnership,
                made_on=self._today(),
                selection=describe(selection, vocabulary_of(session)),
                reviews=briefed,
            )
        html = environment(Format.HTML).get_template(TEMPLATE).render({"briefing": data})
        return Rendered(DocumentKind.BOARD, fmt, from_html(html, fmt))

    # ---- what it reads ----------------------------------------------------------------------------

    @staticmethod
    def _author(session: Session, actor: int) -> Reader:
        # the partnership's coordinators and chairs (a global role, like the keepers of the theme
        # vocabulary); what each sees of a review is their need-to-know
        return author(session, actor, "a board briefing")

    def _selected(self, session: Session, who: Reader, selection: Selection) -> list[SelectedReview]:
        where = [who.sees(), *selection.conditions(), Review.id.in_(select(Finding.review_id))]
        if selection.theme:
            where.append(_carries(session, selection.theme))
        if selection.published_only:
            where.append(Review.id.in_(published_reviews()))
        year = review_year()
        rows = session.execute(
            select(Review, year).where(*where).order_by(year.desc(), Review.id.desc())
        ).all()
        ids = [review.id for review, _ in rows]
        mine = set(session.scalars(member_of(who.id).where(Membership.review_id.in_(ids)))) if ids else set()
        published: dict[int, datetime] = dict(
            session.execute(
                select(PublishedReport.review_id, PublishedReport.published_at).where(
                    PublishedReport.review_id.in_(ids), PublishedReport.variant == "full"
                )
            ).all()
        )
        counts = _finding_counts(session, ids)
        out = []
        for review, review_year_ in rows:
            frozen = review.id in published
            out.append(
                SelectedReview(
                    review_id=review.id,
                    child_pseudonym=review.child_pseudonym,
                    review_type=review_type(review),
                    year=review_year_,
                    state=review.state,
                    published_on=published[review.id].date() if frozen else None,
                    member=review.id in mine,
                    findings=counts.get(review.id, 0),
                    as_published=frozen and (selection.published_only or review.id not in mine),
                )
            )
        return out

    def _briefed(self, session: Session, selected: SelectedReview) -> BriefedReview:
        anchor = f"review-{selected.review_id}"
        html = self._report_html(session, selected)
        if html is None:
            return BriefedReview(anchor, selected, None, None)
        return BriefedReview(
            anchor,
            selected,
            excerpts.section(html, "findings", shift=1, prefix=anchor, lead_in=False),
            excerpts.section(html, "board-response", shift=1, prefix=anchor),
        )

    def _report_html(self, session: Session, selected: SelectedReview) -> str | None:
        """The report it quotes: the frozen HTML, or (a member's review, drafts allowed) the report
        as it stands today."""
        if selected.as_published:
            frozen = published_document(session, selected.review_id, DocumentKind.FULL, Format.HTML)
            return bytes(frozen.content).decode("utf-8") if frozen is not None else None
        review = session.get(Review, selected.review_id)
        assert review is not None and selected.member  # a review not published is seen by members only
        data = report_data(load(session, review), partnership=self._partnership)
        return render_html(DocumentKind.FULL, data)


def _carries(session: Session, theme: str) -> ColumnElement[bool]:
    """The review, or one of its findings, carries `theme`."""
    element = json_elements(session, Finding.themes)
    by_finding = select(Finding.review_id).join(element, true()).where(element.c.value == theme)
    by_review = select(ReviewTheme.review_id).where(ReviewTheme.theme == theme)
    return Review.id.in_(by_finding) | Review.id.in_(by_review)


def _finding_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Finding.review_id, func.count(Finding.id))
        .where(Finding.review_id.in_(ids))
        .group_by(Finding.review_id)
    )
    return {rid: count for rid, count in rows}
