"""Findings about the system, their evidence, questions for the board and comments; the board's
response and actions; themes."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.analysis import WarningIndex, WarningOut
from api.schemas.common import Agency, AnyDate, Body, Id, Key, Name, Reason, Title
from api.schemas.narratives import CommentOut
from findings.analysis import quality
from findings.analysis.models import ACTION_STATUSES, FINDING_STATUSES, BoardResponse, Finding
from findings.analysis.service import ActionView
from findings.analysis.vocabulary import FINDING_CATEGORIES

MAX_ITEMS = 50
MAX_LINKS = 500

Category = Literal[tuple(FINDING_CATEGORIES)]  # type: ignore[valid-type]
FindingStatus = Literal[FINDING_STATUSES]  # type: ignore[valid-type]
EvidenceKind = Literal[tuple(quality.EVIDENCE_KINDS)]  # type: ignore[valid-type]
ActionStatus = Literal[ACTION_STATUSES]  # type: ignore[valid-type]


# ---- findings -------------------------------------------------------------------------------------


class FindingIn(Body):
    title: Title
    category: Category | None = Field(
        default=None, description="The Learning Together typology (DESIGN §5.4)."
    )
    statement: Reason = Field(default="", description="One sentence: the pattern, about the system.")
    context: Reason = ""
    how_it_showed: Reason = Field(default="", description="How it showed in this case.")
    why_it_matters: Reason = ""
    themes: list[Key] = Field(default_factory=list, max_length=MAX_ITEMS, description="Theme keys.")
    episode_ids: list[Id] = Field(default_factory=list, max_length=MAX_LINKS)


class FindingPatch(Body):
    """Only the fields sent change; `status` agrees a finding (or takes it back to draft)."""

    title: Title = None  # type: ignore[assignment]
    category: Category | None = None
    statement: Reason = None  # type: ignore[assignment]
    context: Reason = None  # type: ignore[assignment]
    how_it_showed: Reason = None  # type: ignore[assignment]
    why_it_matters: Reason = None  # type: ignore[assignment]
    themes: list[Key] = Field(default=None, max_length=MAX_ITEMS)  # type: ignore[assignment]
    episode_ids: list[Id] = Field(default=None, max_length=MAX_LINKS)  # type: ignore[assignment]
    status: FindingStatus = None  # type: ignore[assignment]


class MoveIn(Body):
    to_number: int = Field(ge=1, le=10_000, description="The finding's new number; the others renumber.")


class EvidenceIn(Body):
    kind: EvidenceKind = Field(description="typicality, audit, data, other_reviews or research.")
    summary: Reason
    reference: Reason


class QuestionIn(Body):
    text: Reason = Field(description="A question for the board.")


class EvidenceOut(BaseModel):
    id: int
    kind: str
    summary: str
    reference: str


class QuestionOut(BaseModel):
    id: int
    number: int
    text: str
    warnings: list[WarningOut]


class BoardResponseIn(Body):
    response: Reason = Field(description="The board's response to the finding.")


class BoardResponseOut(BaseModel):
    id: int
    finding_id: int
    response: str
    recorded_by: int
    version: int

    @classmethod
    def of(cls, r: BoardResponse) -> BoardResponseOut:
        return cls(
            id=r.id,
            finding_id=r.finding_id,
            response=r.response,
            recorded_by=r.recorded_by,
            version=r.version,
        )


class FindingOut(BaseModel):
    id: int
    number: int
    title: str
    category: str | None
    statement: str
    context: str
    how_it_showed: str
    why_it_matters: str
    themes: list[str]
    status: str = Field(description="draft or agreed.")
    episode_ids: list[int]
    evidence: list[EvidenceOut]
    questions: list[QuestionOut]
    comments: list[CommentOut]
    board_response: BoardResponseOut | None
    version: int = Field(description="Evidence and questions change through the finding's version.")
    warnings: list[WarningOut] = Field(description="The finding's own; each question carries its own.")

    @classmethod
    def of(cls, f: Finding, warnings: WarningIndex) -> FindingOut:
        return cls(
            id=f.id,
            number=f.number,
            title=f.title,
            category=f.category,
            statement=f.statement,
            context=f.context,
            how_it_showed=f.how_it_showed,
            why_it_matters=f.why_it_matters,
            themes=list(f.themes),
            status=f.status,
            episode_ids=f.episode_ids,
            evidence=[
                EvidenceOut(id=e.id, kind=e.kind, summary=e.summary, reference=e.reference)
                for e in f.evidence
            ],
            questions=[
                QuestionOut(
                    id=q.id, number=q.number, text=q.text, warnings=warnings.get(("question", q.id), [])
                )
                for q in f.questions
            ],
            comments=[CommentOut.of(c) for c in f.comments],
            board_response=BoardResponseOut.of(f.response) if f.response else None,
            version=f.version,
            warnings=warnings.get(("finding", f.id), []),
        )


class FindingList(BaseModel):
    items: list[FindingOut]
    total: int


# ---- actions --------------------------------------------------------------------------------------


class ActionIn(Body):
    title: Title
    description: Reason = ""
    owner_agency: Agency | None = None
    due_on: AnyDate | None = None
    status: ActionStatus = "planned"
    evidence_of_impact: Reason = ""
    finding_id: Id | None = Field(default=None, description="The finding it answers, if any.")


class ActionPatch(Body):
    title: Title = None  # type: ignore[assignment]
    description: Reason = None  # type: ignore[assignment]
    owner_agency: Agency | None = None
    due_on: AnyDate | None = None
    status: ActionStatus = None  # type: ignore[assignment]
    evidence_of_impact: Reason = None  # type: ignore[assignment]
    finding_id: Id | None = None


class ActionOut(BaseModel):
    id: int
    review_id: int
    finding_id: int | None
    title: str
    description: str
    owner_agency: str | None
    due_on: date | None
    status: str | None
    evidence_of_impact: str
    overdue: bool = Field(description="Past its due date and neither done nor verified.")
    version: int

    @classmethod
    def of(cls, view: ActionView) -> ActionOut:
        a = view.action
        return cls(
            id=a.id,
            review_id=a.review_id,
            finding_id=a.finding_id,
            title=a.title,
            description=a.description,
            owner_agency=a.owner_agency,
            due_on=a.due_on,
            status=a.status,
            evidence_of_impact=a.evidence_of_impact,
            overdue=view.overdue,
            version=a.version,
        )


class ActionList(BaseModel):
    items: list[ActionOut]
    total: int


# ---- themes ---------------------------------------------------------------------------------------


class ThemeIn(Body):
    label: Name = Field(description="The new theme's name; its key is made from it.")


class ThemeOut(BaseModel):
    key: str
    label: str
    built_in: bool = Field(description="From DESIGN §6 (false: added by the partnership).")


class ThemeList(BaseModel):
    items: list[ThemeOut]
    total: int


class ReviewThemesIn(Body):
    themes: list[Key] = Field(max_length=MAX_ITEMS, description="Theme keys; replaces the review's tags.")


class ReviewThemesOut(BaseModel):
    themes: list[str]
