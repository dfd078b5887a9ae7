"""The answers of the learning repository: the entries found, each with its title and snippet as
segments (the words found marked), and where to open it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from findings.learning.models import ExternalReview
from findings.learning.repository import Hit
from findings.learning.suggestions import Suggestion
from workflow.commands import Command, Id


class Segment(BaseModel):
    text: str
    match: bool = Field(description="The words the search found.")


class HitOut(BaseModel):
    entry_id: int
    kind: str = Field(description="finding, question, board_response, episode, factor, report or external.")
    kind_label: str
    title: list[Segment]
    snippet: list[Segment]
    review_id: int | None = Field(
        description="The review it belongs to (none for a review published elsewhere)."
    )
    review_label: str | None
    member: bool = Field(description="You are a member of its review (else it was published).")
    finding_id: int | None
    finding_category: str | None
    themes: list[str]
    year: int | None
    href: str = Field(
        description="Where to open it: a page of the review, the published report, or the link."
    )
    rank: float | None = Field(description="How well it matches (higher is better); none without words.")

    @classmethod
    def of(cls, hit: Hit) -> HitOut:
        return cls(
            entry_id=hit.entry_id,
            kind=hit.kind,
            kind_label=hit.kind_label,
            title=[Segment(text=t, match=m) for t, m in hit.title_segments],
            snippet=[Segment(text=t, match=m) for t, m in hit.snippet_segments],
            review_id=hit.review_id,
            review_label=hit.review_label,
            member=hit.member,
            finding_id=hit.finding_id,
            finding_category=hit.finding_category,
            themes=list(hit.themes),
            year=hit.year,
            href=hit.href,
            rank=hit.rank,
        )


class SearchResults(BaseModel):
    items: list[HitOut]
    total: int


class ExternalReviewOut(BaseModel):
    id: int
    title: str
    partnership: str
    year: int
    themes: list[str]
    learning_summary: str
    link: str
    imported_at: datetime
    imported_by: int | None

    @classmethod
    def of(cls, review: ExternalReview) -> ExternalReviewOut:
        return cls(
            id=review.id,
            title=review.title,
            partnership=review.partnership,
            year=review.year,
            themes=list(review.themes),
            learning_summary=review.learning_summary,
            link=review.link,
            imported_at=review.imported_at,
            imported_by=review.imported_by,
        )


class ExternalReviewList(BaseModel):
    items: list[ExternalReviewOut]
    total: int


class CatalogueImportOut(BaseModel):
    added: int = Field(description="Reviews new to the catalogue.")
    updated: int = Field(description="Reviews already there (the same link) whose details changed.")


class SuggestionOut(BaseModel):
    entry_id: int = Field(description="Send it to .../evidence/suggested to add it as evidence.")
    kind: str = Field(description="finding (of another review) or external (published elsewhere).")
    title: str
    source: str = Field(description="Whose it is: the review and year, or the partnership and year.")
    summary: str = Field(description="What the evidence item would say it shows.")
    reference: str = Field(description="The evidence item's reference.")
    reasons: list[str] = Field(description="Why it is offered: the same category, themes, similar wording.")
    href: str
    added: bool = Field(description="It is already an evidence item of this finding.")

    @classmethod
    def of(cls, s: Suggestion) -> SuggestionOut:
        return cls(
            entry_id=s.entry_id,
            kind=s.kind,
            title=s.title,
            source=s.source,
            summary=s.summary,
            reference=s.reference,
            reasons=list(s.reasons),
            href=s.href,
            added=s.added,
        )


class SuggestionList(BaseModel):
    items: list[SuggestionOut]


class TakeSuggestion(Command):
    entry_id: Id = Field(description="The suggestion's entry_id.")
