"""The analysis: key practice episodes, contributory factors (and their frameworks), panel
analyses, good practice, and the quality warnings shown beside each of them."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import UtcDateTime
from findings.analysis import frameworks, quality
from findings.analysis.models import Episode, Factor, GoodPractice, PanelSubmission

# ---- quality warnings -----------------------------------------------------------------------------


class WarningOut(BaseModel):
    fingerprint: str = Field(description="Names the warning to acknowledge it.")
    code: quality.Code
    severity: quality.Severity = Field(
        description="blocking warnings stop submit_for_signoff and approve until fixed; they cannot be "
        "acknowledged. advisory ones stop nothing."
    )
    state: quality.State = Field(description="acknowledged: an advisory one, with a reason.")
    kind: str = Field(
        description="The record the text is in: episode, factor, finding, question, evidence, "
        "research_question, referral, narrative_entry, good_practice, board_response, action, "
        "report_text (the case summary, methodology note, board's overall response) or briefing."
    )
    object_id: int
    label: str = Field(description="Where, in words: e.g. \"Finding 2 'Neglect is hard to see'\".")
    field: str
    within: int | str | None = Field(
        description="The record that holds it: a question's, evidence item's or board response's "
        "finding id; a narrative entry's agency. Null otherwise."
    )
    number: str | None = Field(description="Which text of the field: a research question, a briefing item.")
    matched: list[str] = Field(description="The words found.")
    message: str
    suggestion: str = Field(description="A systems-phrased alternative.")
    acknowledged: bool
    acknowledgement: str | None = Field(description="The lead reviewer's reason, once acknowledged.")
    acknowledged_by: str | None = Field(description="Who acknowledged it (their name).")
    acknowledged_at: UtcDateTime | None = Field(description="When it was acknowledged.")
    blocks: bool = Field(description="Blocking: it stops the review until the text is fixed.")
    acknowledgeable: bool = Field(description=f"False for a blocking warning: it {quality.ONLY_FIXED}.")

    @classmethod
    def of(cls, w: quality.QualityWarning) -> WarningOut:
        return cls(
            fingerprint=w.fingerprint,
            code=w.code,
            severity=w.severity,
            state=w.state,
            kind=w.where.kind,
            object_id=w.where.id,
            label=w.where.label,
            field=w.where.field,
            within=w.where.within,
            number=w.where.number,
            matched=list(w.matched),
            message=w.message,
            suggestion=w.suggestion,
            acknowledged=w.acknowledged,
            acknowledgement=w.acknowledgement,
            acknowledged_by=w.acknowledged_by,
            acknowledged_at=w.acknowledged_at,
            blocks=w.blocks,
            acknowledgeable=w.acknowledgeable,
        )


class WarningList(BaseModel):
    items: list[WarningOut]
    total: int
    blocking: int = Field(description="How many are blocking (to be fixed).")


class LensWarningOut(BaseModel):
    code: quality.Code = Field(description="person_named, blame_language or training_reminder.")
    severity: quality.Severity = Field(description="blocking: a person named; the others are advisory.")
    matched: list[str] = Field(description="The words found.")
    message: str
    suggestion: str = Field(description="A systems-phrased alternative.")
    in_words: str = Field(description="The warning on one line, as `tunnelview lens` prints it.")

    @classmethod
    def of(cls, w: quality.QualityWarning) -> LensWarningOut:
        return cls(
            code=w.code,
            severity=w.severity,
            matched=list(w.matched),
            message=w.message,
            suggestion=w.suggestion,
            in_words=w.in_words(),
        )


class LensOut(BaseModel):
    kind: str
    review_id: int | None = Field(description="The review whose names were looked for, if one was given.")
    names_checked: bool = Field(description="Whether a person named was looked for (only on a review).")
    register_problem: str | None = Field(
        description="Why the sealed register's names could not be used (then only members' names were)."
    )
    warnings: list[LensWarningOut]


WarningIndex = dict[tuple[str, int], list[WarningOut]]


def index_warnings(warnings: list[quality.QualityWarning]) -> WarningIndex:
    """The warnings of a review by (kind, object id)."""
    out: WarningIndex = {}
    for w in warnings:
        out.setdefault((w.where.kind, w.where.id), []).append(WarningOut.of(w))
    return out


# ---- key practice episodes ------------------------------------------------------------------------


class EpisodeOut(BaseModel):
    id: int
    number: int
    title: str
    valence: str
    period_start: date | None
    period_end: date | None
    agencies: list[str]
    what_happened: str
    view_from_tunnel: str
    appraisal: str
    appraisal_reference: str
    explanation: str
    entry_ids: list[int]
    conversation_ids: list[int]
    factor_ids: list[int]
    version: int
    warnings: list[WarningOut]

    @classmethod
    def of(cls, e: Episode, warnings: WarningIndex) -> EpisodeOut:
        return cls(
            id=e.id,
            number=e.number,
            title=e.title,
            valence=e.valence,
            period_start=e.period_start,
            period_end=e.period_end,
            agencies=list(e.agencies),
            what_happened=e.what_happened,
            view_from_tunnel=e.view_from_tunnel,
            appraisal=e.appraisal,
            appraisal_reference=e.appraisal_reference,
            explanation=e.explanation,
            entry_ids=e.entry_ids,
            conversation_ids=e.conversation_ids,
            factor_ids=[f.id for f in e.factors],
            version=e.version,
            warnings=warnings.get(("episode", e.id), []),
        )


class EpisodeList(BaseModel):
    items: list[EpisodeOut]
    total: int


# ---- contributory factors -------------------------------------------------------------------------


class FactorOut(BaseModel):
    id: int
    framework: str
    level: str
    category: str
    category_label: str
    individual_level: bool = Field(description="At the level of the individual practitioner.")
    description: str
    evidence: str
    episode_ids: list[int]
    proposed_by: int | None = Field(description="The panel member who proposed it, when adopted.")
    version: int
    warnings: list[WarningOut]

    @classmethod
    def of(cls, f: Factor, warnings: WarningIndex) -> FactorOut:
        return cls(
            id=f.id,
            framework=f.framework,
            level=f.level,
            category=f.category,
            category_label=frameworks.category_label(f.framework, f.level, f.category),
            individual_level=frameworks.is_individual_level(f.framework, f.level, f.category),
            description=f.description,
            evidence=f.evidence,
            episode_ids=f.episode_ids,
            proposed_by=f.proposed_by,
            version=f.version,
            warnings=warnings.get(("factor", f.id), []),
        )


class FactorList(BaseModel):
    items: list[FactorOut]
    total: int


class CategoryOut(BaseModel):
    key: str
    label: str
    individual_level: bool


class LevelOut(BaseModel):
    key: str
    label: str
    categories: list[CategoryOut]


class FrameworkOut(BaseModel):
    key: str
    label: str
    default: bool
    levels: list[LevelOut]

    @classmethod
    def of(cls, f: frameworks.Framework) -> FrameworkOut:
        return cls(
            key=f.key,
            label=f.label,
            default=f.key == frameworks.DEFAULT_FRAMEWORK,
            levels=[
                LevelOut(
                    key=level.key,
                    label=level.label,
                    categories=[
                        CategoryOut(key=c.key, label=c.label, individual_level=c.individual_level)
                        for c in level.categories
                    ],
                )
                for level in f.levels
            ],
        )


class FrameworkList(BaseModel):
    items: list[FrameworkOut]
    total: int


# ---- panel analyses -------------------------------------------------------------------------------


class ProposedFactorOut(BaseModel):
    framework: str
    level: str
    category: str
    description: str
    evidence: str
    episode_ids: list[int]


class PanelSubmissionOut(BaseModel):
    id: int
    membership_id: int
    author_id: int
    status: str = Field(
        description="draft (private to its author and the lead reviewers), submitted, waived."
    )
    appraisal: str
    episode_notes: dict[str, str]
    proposed_factors: list[ProposedFactorOut]
    submitted_at: UtcDateTime | None
    waiver_reason: str | None
    version: int

    @classmethod
    def of(cls, s: PanelSubmission) -> PanelSubmissionOut:
        return cls(
            id=s.id,
            membership_id=s.membership_id,
            author_id=s.author_id,
            status=s.status,
            appraisal=s.appraisal or "",
            episode_notes={str(k): str(v) for k, v in (s.episode_notes or {}).items()},
            proposed_factors=[_proposal(p) for p in s.proposed_factors or []],
            submitted_at=s.submitted_at,
            waiver_reason=s.waiver_reason,
            version=s.version,
        )


def _proposal(p: dict[str, Any]) -> ProposedFactorOut:
    return ProposedFactorOut(
        framework=str(p.get("framework", "")),
        level=str(p.get("level", "")),
        category=str(p.get("category", "")),
        description=str(p.get("description", "")),
        evidence=str(p.get("evidence", "")),
        episode_ids=[int(x) for x in p.get("episode_ids") or []],
    )


class PanelSubmissionList(BaseModel):
    items: list[PanelSubmissionOut]
    total: int


# ---- good practice --------------------------------------------------------------------------------


class GoodPracticeOut(BaseModel):
    id: int
    what_went_well: str
    what_enabled_it: str
    agencies: list[str]
    episode_id: int | None
    author_id: int
    version: int

    @classmethod
    def of(cls, g: GoodPractice) -> GoodPracticeOut:
        return cls(
            id=g.id,
            what_went_well=g.what_went_well,
            what_enabled_it=g.what_enabled_it,
            agencies=list(g.agencies),
            episode_id=g.episode_id,
            author_id=g.author_id,
            version=g.version,
        )


class GoodPracticeList(BaseModel):
    items: list[GoodPracticeOut]
    total: int
