""" "Not a quirk" (DESIGN §5.4, §6): while a finding is written, the earlier findings of other reviews
and the reviews published elsewhere that say the same, offered as evidence that the pattern is not a
quirk of this case. Only what the writer may see across reviews (`findings.learning.repository`):
their own reviews' findings, drafts included, published reviews' and the catalogue's.

A candidate is one with the same category, a theme in common (the finding's own or its review's), or
similar wording (the longer words of the finding's title and statement that are not in everything,
any of which may match, ranked by the database's full-text search). The best few are offered, each
with why. Taking one adds an evidence item of the kind "other reviews" whose summary and reference
are built here from what was found, never from what a form sends, through
`FindingService.add_evidence` (audited with the entry).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from findings.analysis.findings import AddEvidence
from findings.analysis.models import Finding, ReviewTheme
from findings.analysis.themes import vocabulary_of
from findings.learning import fulltext
from findings.learning.models import ExternalReview, SearchEntry
from findings.learning.query import Terms
from findings.learning.repository import seen_by, seen_in_parts
from findings.learning.trends import category_name
from findings.learning.visibility import Reader, json_elements, published_reviews, reader
from findings.publication.models import PublishedReport
from workflow.errors import NotFound
from workflow.models import Review
from workflow.policy import READERS
from workflow.service import ReviewService

OFFERED = 5  # suggestions shown
CANDIDATES = 25  # read by wording and by category or theme, each, before the best are chosen
MAX_WORDS = 6  # words of the finding's title and statement looked for
COMMON_AT = 1_000  # a word found in more public entries than this tells little about a pattern
SUMMARY_CHARS = 600
_WORD = re.compile(r"[^\W\d_]{4,}")
_COMMON = frozenset(
    [
        "that",
        "this",
        "with",
        "from",
        "have",
        "were",
        "when",
        "what",
        "which",
        "their",
        "there",
        "they",
        "them",
        "than",
        "then",
        "into",
        "about",
        "been",
        "being",
        "does",
        "each",
        "more",
        "most",
        "other",
        "some",
        "such",
        "only",
        "also",
        "over",
        "very",
        "will",
        "would",
        "could",
        "should",
    ]
)


@dataclass(frozen=True)
class Suggestion:
    entry_id: int
    kind: str  # finding | external
    title: str
    source: str  # "Review of Poppy, 2024 (published)" or "Eastshire Partnership, 2022"
    summary: str
    reference: str
    reasons: tuple[str, ...]
    href: str
    added: bool  # already an evidence item of this finding (the same reference)
    score: float

    def evidence(self) -> AddEvidence:
        return AddEvidence(kind="other_reviews", summary=self.summary, reference=self.reference)


def words_of(*texts: str) -> tuple[str, ...]:
    """The longer words of texts, each once, longest first (the most telling), at most MAX_WORDS."""
    found = dict.fromkeys(w.lower() for t in texts for w in _WORD.findall(t or ""))
    words = [w for w in found if w not in _COMMON]
    return tuple(sorted(words, key=len, reverse=True)[:MAX_WORDS])


class NotAQuirk:
    """Evidence from other reviews offered while a finding is written. Keyword-only; `actor` is the
    writer's id."""

    def __init__(self, reviews: ReviewService) -> None:
        self._reviews = reviews

    def suggestions(
        self, *, review_id: int, actor: int, finding_id: int, limit: int = OFFERED
    ) -> list[Suggestion]:
        """The best few, best first (NotFound for a non-member, or a finding of another review)."""
        with self._reviews.session(read_only=True) as session:
            finding, who = self._finding(session, review_id, actor, finding_id)
            return self._suggestions(session, who, finding)[:limit]

    def evidence(self, *, review_id: int, actor: int, finding_id: int, entry_id: int) -> Suggestion:
        """The suggestion of this entry for this finding (NotFound unless the writer may see it and it
        is a finding of another review or a review published elsewhere)."""
        with self._reviews.session(read_only=True) as session:
            finding, who = self._finding(session, review_id, actor, finding_id)
            entry = session.scalar(
                select(SearchEntry).where(SearchEntry.id == entry_id, seen_by(who), _offerable(finding))
            )
            if entry is None:
                raise NotFound(
                    f"Entry {entry_id} of the repository is not one this finding can take as evidence."
                )
            (found,) = self._built(session, finding, [(entry, 0.0, ())])
            return found

    # ---- reading ------------------------------------------------------------------------------

    def _finding(
        self, session: Session, review_id: int, actor: int, finding_id: int
    ) -> tuple[Finding, Reader]:
        review, roles = self._reviews.load(session, review_id, actor)
        finding = session.get(Finding, finding_id)
        if finding is None or finding.review_id != review.id or not roles & READERS["analysis"]:
            raise NotFound(f"Finding {finding_id} was not found in this review.")
        return finding, reader(session, actor)

    @staticmethod
    def _themes(session: Session, finding: Finding) -> set[str]:
        of_review = session.scalars(
            select(ReviewTheme.theme).where(ReviewTheme.review_id == finding.review_id)
        )
        return {*finding.themes, *of_review}

    def _suggestions(self, session: Session, who: Reader, finding: Finding) -> list[Suggestion]:
        themes = self._themes(session, finding)
        scored: dict[int, tuple[SearchEntry, float, list[str]]] = {}
        full_text = fulltext.for_session(session)
        words = _telling(session, full_text, words_of(finding.title, finding.statement))
        alike = _alike(session, finding.category, themes)
        # Each part of what the reader sees is read on its own (an index serves each), best first.
        for part in seen_in_parts(who):
            base = select(SearchEntry).where(part, _offerable(finding))
            if words:
                query, rank = full_text.narrow(base, Terms((words,)))
                ranked_rows = session.execute(
                    query.add_columns(rank).order_by(rank.desc(), SearchEntry.id).limit(CANDIDATES)
                ).all()
                for entry, value in ranked_rows:
                    scored[entry.id] = (entry, float(value), ["Similar wording"])
            if alike is not None:
                newest = base.where(alike).order_by(SearchEntry.id.desc())  # the latest indexed first
                for entry in session.scalars(newest.limit(CANDIDATES)):
                    scored.setdefault(entry.id, (entry, 0.0, []))
        best = max((score for _, score, _ in scored.values()), default=0.0) or 1.0
        scored = {k: (e, 3.0 * score / best, reasons) for k, (e, score, reasons) in scored.items()}
        labels = vocabulary_of(session)
        ranked = []
        for entry, score, reasons in scored.values():
            shared = sorted(themes & set(entry.themes or ()), key=lambda t: labels.get(t, t))
            if finding.category and entry.finding_category == finding.category:
                score += 2.0
                reasons = [f"The same category ({category_name(finding.category)})", *reasons]
            if shared:
                score += len(shared)
                reasons = [*reasons, "Themes in common: " + ", ".join(labels.get(t, t) for t in shared)]
            ranked.append((entry, score, tuple(reasons)))
        ranked.sort(key=lambda item: (-item[1], -(item[0].year or 0), item[0].id))
        return self._built(session, finding, ranked)

    def _built(
        self,
        session: Session,
        finding: Finding,
        ranked: Sequence[tuple[SearchEntry, float, tuple[str, ...]]],
    ) -> list[Suggestion]:
        review_ids = {e.review_id for e, _, _ in ranked if e.review_id is not None}
        reviews = (
            {r.id: r for r in session.scalars(select(Review).where(Review.id.in_(review_ids)))}
            if review_ids
            else {}
        )
        published = (
            set(session.scalars(published_reviews().where(PublishedReport.review_id.in_(review_ids))))
            if review_ids
            else set()
        )
        statements = _statements(session, [e.source_id for e, _, _ in ranked if e.kind == "finding"])
        external = _external(session, [e.source_id for e, _, _ in ranked if e.kind == "external"])
        taken = {item.reference for item in finding.evidence}
        out = []
        for entry, score, reasons in ranked:
            if entry.kind == "external":
                elsewhere = external[entry.source_id]
                source = f"{elsewhere.partnership}, {elsewhere.year}"
                summary = elsewhere.learning_summary
                reference = f"{elsewhere.title}, {elsewhere.partnership} ({elsewhere.year}): {elsewhere.link}"
                href = elsewhere.link
            else:
                review = reviews[entry.review_id or 0]
                is_published = review.id in published
                source = f"Review of {review.child_pseudonym}, {entry.year}" + (
                    " (published)" if is_published else ""
                )
                summary = statements.get(entry.source_id) or entry.title
                reference = f"Review of {review.child_pseudonym} ({entry.year}), {entry.title}"
                href = (
                    f"/published/{review.id}/full/html"
                    if is_published
                    else f"/reviews/{review.id}/findings/{entry.source_id}"
                )
            out.append(
                Suggestion(
                    entry_id=entry.id,
                    kind=entry.kind,
                    title=entry.title,
                    source=source,
                    summary=summary[:SUMMARY_CHARS],
                    reference=reference[:2000],
                    reasons=reasons,
                    href=href,
                    added=reference[:2000] in taken,
                    score=score,
                )
            )
        return out


def _telling(session: Session, full_text: fulltext.FullText, words: Sequence[str]) -> tuple[str, ...]:
    """The words that are not in everything: those found in at most COMMON_AT public entries (each
    counted no further than that)."""
    public = select(SearchEntry.id).where(SearchEntry.public.expression)
    out = []
    for word in words:
        query, _ = full_text.narrow(public, Terms(((word,),)))
        if len(session.execute(query.limit(COMMON_AT + 1)).all()) <= COMMON_AT:
            out.append(word)
    return tuple(out)


def _offerable(finding: Finding) -> ColumnElement[bool]:
    """Findings of other reviews, and reviews published elsewhere."""
    other_finding = (SearchEntry.kind == "finding") & (SearchEntry.review_id != finding.review_id)
    return other_finding | (SearchEntry.kind == "external")


def _alike(session: Session, category: str | None, themes: set[str]) -> ColumnElement[bool] | None:
    conditions: list[ColumnElement[bool]] = []
    if category:
        conditions.append(SearchEntry.finding_category == category)
    if themes:
        each = json_elements(session, SearchEntry.themes)
        conditions.append(select(each.c.value).where(each.c.value.in_(sorted(themes))).exists())
    return or_(*conditions) if conditions else None


def _statements(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Finding.id, Finding.statement, Finding.title).where(Finding.id.in_(ids)))
    return {fid: (statement or title) for fid, statement, title in rows}


def _external(session: Session, ids: list[int]) -> dict[int, ExternalReview]:
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(ExternalReview).where(ExternalReview.id.in_(ids)))}
