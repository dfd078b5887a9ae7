"""Reports, the anonymisation check, the sealed register, exports and published documents."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from api.schemas.common import Body, Id, Reason, UtcDateTime
from findings.learning.yearly import YearlyReport
from findings.publication.register import EntryView, RegisterView
from findings.publication.service import CheckView, HitPlace, HitView, PublishedView, TextsView

Words = Reason  # up to 20,000 characters, nothing that cannot be stored


# ---- the words written for the reports -----------------------------------------------------------


class BriefingItemIn(Body):
    text: Words
    children: list[Words] = Field(default_factory=list, max_length=50)


class BriefingSectionIn(Body):
    heading: str | None = Field(default=None, max_length=200, description="Default: the section's name.")
    intro: list[Words] = Field(
        default_factory=list, max_length=50, description="Paragraphs before the bullets."
    )
    items: list[Words | BriefingItemIn] = Field(default_factory=list, max_length=100)
    outro: list[Words] = Field(
        default_factory=list, max_length=50, description="Paragraphs after the bullets."
    )


class BriefingIn(Body):
    """The practitioner briefing as the coordinator writes it; a section left out is derived from the
    analysis (docs/reports.md)."""

    background: BriefingSectionIn | None = None
    key_issues: BriefingSectionIn | None = None
    positive_factors: BriefingSectionIn | None = None
    lessons_learned: BriefingSectionIn | None = None


class TextsIn(Body):
    """Only the fields sent change."""

    partnership: str | None = Field(default=None, max_length=200)
    case_summary: Words | None = None
    methodology_note: Words | None = None
    board_response: Words | None = None
    briefing: BriefingIn | None = None

    def fields(self) -> dict[str, Any]:
        values = self.model_dump(exclude_unset=True, exclude_none=True)
        if "briefing" in values:
            values["briefing"] = {k: v for k, v in values["briefing"].items() if v is not None}
        return values


class TextsOut(BaseModel):
    review_id: int
    version: int
    partnership: str
    case_summary: str
    methodology_note: str
    board_response: str
    briefing: dict[str, Any]

    @classmethod
    def of(cls, view: TextsView) -> TextsOut:
        return cls(
            review_id=view.review_id,
            version=view.version,
            partnership=view.partnership,
            case_summary=view.case_summary,
            methodology_note=view.methodology_note,
            board_response=view.board_response,
            briefing=dict(view.briefing),
        )


# ---- the anonymisation check ---------------------------------------------------------------------


class HitPlaceOut(BaseModel):
    kind: str = Field(description="The object's kind, e.g. finding, narrative_entry, review.")
    object_id: int | str | None
    field: str = Field(description="The field, as the model names it, e.g. how_it_showed, occurred_on.")
    where: str = Field(description="The object and field in words.")
    words: str = Field(description="The real words of the hit in this place (coordinator and chair only).")
    owner: int | str | None = Field(
        description="The finding of evidence, a question or a board response; a narrative entry's agency."
    )
    correctable: bool = Field(description="Whether POST .../anonymisation/corrections takes it.")

    @classmethod
    def of(cls, place: HitPlace) -> HitPlaceOut:
        return cls(
            kind=place.kind,
            object_id=place.object_id,
            field=place.field,
            where=place.where,
            words=place.words,
            owner=place.owner,
            correctable=place.correctable,
        )


class HitOut(BaseModel):
    what: str = Field(description="What was found, e.g. 'a practitioner's name'.")
    register_entry: int | str | None
    pseudonym: str | None = Field(description="What the register says to use instead.")
    where: str = Field(
        description="Where it stands, in words, e.g. \"Finding 3 (id 17), field 'how it showed'\"."
    )
    kind: str | None = Field(description="The object's kind (null: the template's own words).")
    object_id: int | str | None
    field: str | None
    outputs: list[str] = Field(description="The formats it was seen in: html, markdown, pdf.")
    count: int
    context: str = Field(description="The words around it, every identifier masked.")
    matched: str = Field(description="The real words found (coordinator and chair only).")
    page: int | None
    correctable: bool = Field(description="Whether POST .../anonymisation/corrections can fix it in place.")
    places: list[HitPlaceOut] = Field(
        description="Every record and field it stands in: one, or each item a hit runs across (a date "
        "printed after another entry's 'born'), or none (the report's own words)."
    )

    @classmethod
    def of(cls, hit: HitView) -> HitOut:
        return cls(
            what=hit.what,
            register_entry=hit.entry_id,
            pseudonym=hit.pseudonym,
            where=hit.where,
            kind=hit.kind,
            object_id=hit.object_id,
            field=hit.field,
            outputs=list(hit.outputs),
            count=hit.count,
            context=hit.context,
            matched=hit.matched,
            page=hit.page,
            correctable=hit.correctable,
            places=[HitPlaceOut.of(place) for place in hit.places],
        )


class CheckOut(BaseModel):
    review_id: int
    ran: bool = Field(description="False when the check could not run; publishing is then refused.")
    passed: bool
    outputs: list[str]
    hits: list[HitOut]
    problem: str | None

    @classmethod
    def of(cls, view: CheckView) -> CheckOut:
        return cls(
            review_id=view.review_id,
            ran=view.ran,
            passed=view.passed,
            outputs=list(view.outputs),
            hits=[HitOut.of(h) for h in view.hits],
            problem=view.problem,
        )


class CorrectionIn(Body):
    kind: str = Field(max_length=40, description="A hit's `kind`, e.g. finding, episode, narrative_entry.")
    object_id: Id
    field: str = Field(max_length=60, description="A hit's `field`, e.g. how_it_showed.")
    value: Words = Field(description="The corrected words (pseudonyms only).")


# ---- the sealed register ---------------------------------------------------------------------------
# What it takes are the commands of `findings.publication.register`.


class EntryOut(BaseModel):
    id: int
    kind: str
    value: str
    pseudonym: str
    variants: list[str]
    match_parts: bool
    note: str
    created_at: UtcDateTime | None
    updated_at: UtcDateTime | None

    @classmethod
    def of(cls, entry: EntryView) -> EntryOut:
        return cls(
            id=entry.id,
            kind=entry.kind.value,
            value=entry.value,
            pseudonym=entry.pseudonym,
            variants=list(entry.variants),
            match_parts=entry.match_parts,
            note=entry.note,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
        )


class RegisterOut(BaseModel):
    review_id: int
    version: int
    items: list[EntryOut]
    total: int

    @classmethod
    def of(cls, view: RegisterView) -> RegisterOut:
        return cls(
            review_id=view.review_id,
            version=view.version,
            items=[EntryOut.of(e) for e in view.entries],
            total=view.total,
        )


class EntryChangedOut(BaseModel):
    entry_id: int
    version: int = Field(description="The review's new version (also the ETag).")


# ---- published documents ---------------------------------------------------------------------------


class PublishedDocumentOut(BaseModel):
    kind: str
    format: str
    media_type: str
    size: int
    sha256: str
    href: str


class PublishedOut(BaseModel):
    review_id: int
    child_pseudonym: str
    review_type: str
    variant: Literal["full", "summary"]
    published_at: UtcDateTime
    digest: str
    documents: list[PublishedDocumentOut]

    @classmethod
    def of(cls, view: PublishedView) -> PublishedOut:
        return cls(
            review_id=view.review_id,
            child_pseudonym=view.child_pseudonym,
            review_type=view.review_type,
            variant=view.variant,  # type: ignore[arg-type]
            published_at=view.published_at,
            digest=view.digest,
            documents=[
                PublishedDocumentOut(
                    kind=d.kind,
                    format=d.format,
                    media_type=d.media_type,
                    size=d.size,
                    sha256=d.sha256,
                    href=f"/api/v1/published/{view.review_id}/{d.kind}?format={d.format}",
                )
                for d in view.documents
            ],
        )


class PublishedList(BaseModel):
    items: list[PublishedOut]
    total: int


# ---- the partners' yearly report ---------------------------------------------------------------


class YearlyReviewOut(BaseModel):
    review_id: int
    child_pseudonym: str
    review_type: str
    stage: str
    started_on: date | None = Field(description="When the referral was logged, if in the period.")
    decided_on: date | None = Field(description="When the route was decided, if in the period.")
    decision: str | None
    completed_on: date | None = Field(description="When the chair approved the report, if in the period.")
    published_on: date | None
    published_as: str | None = Field(description="report, or summary of improvements.")


class YearlyActionsOut(BaseModel):
    review_id: int
    child_pseudonym: str
    by_status: dict[str, int]
    overdue: int
    done_with_evidence_of_impact: int


class YearlyReportOut(BaseModel):
    partnership: str
    start: date
    end: date
    made_on: date
    reviews_seen: int = Field(description="How many reviews the caller may see (what it counts from).")
    started: int
    decided: int
    completed: int
    published: int
    reviews: list[YearlyReviewOut]
    themes: dict[str, int] = Field(description="Findings by theme, of the reviews completed or published.")
    actions: list[YearlyActionsOut]

    @classmethod
    def of(cls, report: YearlyReport) -> YearlyReportOut:
        return cls(
            partnership=report.partnership,
            start=report.period.start,
            end=report.period.end,
            made_on=report.made_on,
            reviews_seen=report.seen,
            started=report.count("started"),
            decided=report.count("decided"),
            completed=report.count("completed"),
            published=report.count("published"),
            reviews=[YearlyReviewOut(**vars(r)) for r in report.reviews],
            themes=dict(report.themes),
            actions=[
                YearlyActionsOut(
                    review_id=p.review_id,
                    child_pseudonym=p.child_pseudonym,
                    by_status=dict(p.by_status),
                    overdue=p.overdue,
                    done_with_evidence_of_impact=p.with_evidence,
                )
                for p in report.actions
            ],
        )
