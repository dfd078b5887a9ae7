"""The answers about findings, their evidence, questions for the board and comments; the board's
response and actions; themes. (The request bodies are the commands of `findings.analysis`.)"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.analysis import WarningOut, index_warnings
from api.schemas.narratives import CommentOut
from findings.analysis.board import ActionView
from findings.analysis.findings import FindingView
from findings.analysis.models import BoardResponse

# ---- findings -------------------------------------------------------------------------------------


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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "number": 1,
                    "title": "Handover between health visiting and school nursing",
                    "category": "longer_term_work",
                    "statement": "When a child moves from health visiting to school nursing, concerns "
                    "recorded as low level are not passed on, so the new service starts without them.",
                    "context": "Two services, two record systems, no shared handover form.",
                    "how_it_showed": "The school nurse did not know of three earlier contacts.",
                    "why_it_matters": "Patterns of low-level concern are how neglect is usually recognised.",
                    "themes": ["information_sharing"],
                    "status": "draft",
                    "episode_ids": [4, 5],
                    "evidence": [
                        {
                            "id": 2,
                            "kind": "audit",
                            "summary": "8 of 20 handovers audited omitted concerns.",
                            "reference": "Audit 2026/3",
                        }
                    ],
                    "questions": [
                        {
                            "id": 5,
                            "number": 1,
                            "text": "How will the board know handovers include concerns?",
                            "warnings": [],
                        }
                    ],
                    "comments": [],
                    "board_response": None,
                    "version": 3,
                    "warnings": [],
                }
            ]
        }
    )

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
    def of(cls, view: FindingView) -> FindingOut:
        f, warnings = view.finding, index_warnings(view.warnings)
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


class ThemeOut(BaseModel):
    key: str
    label: str
    built_in: bool = Field(description="From DESIGN §6 (false: added by the partnership).")


class ThemeList(BaseModel):
    items: list[ThemeOut]
    total: int


class ReviewThemesOut(BaseModel):
    themes: list[str]
