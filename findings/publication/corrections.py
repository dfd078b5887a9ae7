"""Corrections for publication: which text (or printed date) of which record a hit of the
anonymisation check may be corrected in, under which policy action, and the corrected value checked.
`ReportService.correct` and `.correction` own the transaction; this module decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from findings.analysis import models as m
from findings.publication.assemble import report_texts
from findings.publication.models import ReportTexts
from findings.publication.sources import Source, SourceKind
from findings.publication.texts import TEXT_LIMIT, checked_text
from workflow.errors import InvalidInput, NotFound
from workflow.models import Review

# What a correction may change: the source kind of a hit -> the model and its correctable fields.
CORRECTABLE: dict[SourceKind, tuple[type[Any], frozenset[str]]] = {
    SourceKind.FINDING: (
        m.Finding,
        frozenset({"title", "statement", "context", "how_it_showed", "why_it_matters"}),
    ),
    SourceKind.EPISODE: (
        m.Episode,
        frozenset(
            {"title", "what_happened", "view_from_tunnel", "appraisal", "appraisal_reference", "explanation"}
        ),
    ),
    SourceKind.NARRATIVE_ENTRY: (m.NarrativeEntry, frozenset({"what_happened", "occurred_on"})),
    SourceKind.FACTOR: (m.Factor, frozenset({"description"})),
    SourceKind.EVIDENCE: (m.FindingEvidence, frozenset({"summary", "reference"})),
    SourceKind.BOARD_QUESTION: (m.BoardQuestion, frozenset({"text"})),
    SourceKind.GOOD_PRACTICE: (m.GoodPractice, frozenset({"what_went_well", "what_enabled_it"})),
    SourceKind.BOARD_RESPONSE: (m.BoardResponse, frozenset({"response"})),
    SourceKind.ACTION: (m.Action, frozenset({"title", "owner_agency", "evidence_of_impact", "due_on"})),
    SourceKind.FAMILY_MEMBER: (m.FamilyMember, frozenset({"views"})),
    SourceKind.INDEPENDENCE: (m.IndependenceDeclaration, frozenset({"statement"})),
    SourceKind.QUALITY_MARKER: (m.MarkerAssessment, frozenset({"comment"})),
    SourceKind.REVIEW: (
        ReportTexts,
        frozenset({"case_summary", "methodology_note", "board_response", "period_start", "period_end"}),
    ),
}
# Dates a person entered that the reports print (a registered date of birth can stand in one).
DATE_FIELDS = frozenset({"occurred_on", "period_start", "period_end", "due_on"})
# The board's words: written after the chair's approval, so corrected at `approved` too
# (`correct_board_words`); every other text only before it (`correct_for_publication`).
BOARD_WORDS = frozenset({SourceKind.ACTION, SourceKind.BOARD_RESPONSE})


def correction_action(kind: SourceKind | str, field: str) -> str:
    """The policy action (`workflow.policy`) a correction of this kind of text is checked against."""
    board = SourceKind(kind) in BOARD_WORDS or (kind == SourceKind.REVIEW and field == "board_response")
    return "correct_board_words" if board else "correct_for_publication"


# Fields of the review row itself rather than of its report texts.
REVIEW_FIELDS = frozenset({"period_start", "period_end"})
SHORT_FIELDS = frozenset({"title", "owner_agency"})
# Fields the analysis itself never leaves empty.
REQUIRED_FIELDS = frozenset(
    {
        "title",
        "statement",
        "what_happened",
        "text",
        "summary",
        "reference",
        "response",
        "description",
        "what_went_well",
    }
)


@dataclass(frozen=True)
class CorrectionView:
    """The text (or date) a correction changes, as it stands."""

    review_id: int
    version: int  # the review's
    kind: str
    object_id: int
    field: str
    where: str
    value: str  # a date as YYYY-MM-DD
    is_date: bool
    owner: int | str | None


def correctable(kind: SourceKind, field: str) -> bool:
    return kind in CORRECTABLE and field in CORRECTABLE[kind][1]


def correctable_kind(kind: str) -> SourceKind:
    try:
        source_kind = SourceKind(kind)
    except ValueError:
        source_kind = None
    if source_kind not in CORRECTABLE:
        raise InvalidInput({"kind": "Kind must be one of: " + ", ".join(k.value for k in CORRECTABLE) + "."})
    return source_kind


def correctable_model(kind: SourceKind, field: str) -> type[Any]:
    model, fields = CORRECTABLE[kind]
    if field not in fields:
        raise InvalidInput(
            {"field": f"A {kind.value} can be corrected in: " + ", ".join(sorted(fields)) + "."}
        )
    return model


def corrected_value(field: str, value: str) -> str | date:
    errors: dict[str, str] = {}
    if field in DATE_FIELDS:
        try:
            return date.fromisoformat(value.strip() if isinstance(value, str) else "")
        except ValueError:
            raise InvalidInput({"value": "Enter a real date, for example 2019-03-12."}) from None
    words = checked_text(value, "value", errors, 300 if field in SHORT_FIELDS else TEXT_LIMIT)
    if field in REQUIRED_FIELDS and not words:
        errors["value"] = "This cannot be empty."
    if errors:
        raise InvalidInput(errors)
    return words


def owner_of(session: Session, source: Source) -> int | str | None:
    """What a page needs besides the object's id to show it: the finding that evidence, a question or
    the board's response to a finding belongs to; the agency of a narrative entry."""
    if not isinstance(source.id, int):
        return None
    row: m.FindingEvidence | m.BoardQuestion | m.BoardResponse | None = None
    if source.kind == SourceKind.EVIDENCE:
        row = session.get(m.FindingEvidence, source.id)
    elif source.kind == SourceKind.BOARD_QUESTION:
        row = session.get(m.BoardQuestion, source.id)
    elif source.kind == SourceKind.BOARD_RESPONSE:
        row = session.get(m.BoardResponse, source.id)
    if row is not None:
        return row.finding_id
    if source.kind == SourceKind.NARRATIVE_ENTRY:
        entry = session.get(m.NarrativeEntry, source.id)
        return entry.narrative.agency if entry is not None else None
    return None


def target(
    session: Session, review: Review, kind: SourceKind, model: type[Any], object_id: int, field: str
) -> Any:
    if kind == SourceKind.REVIEW:
        if object_id != review.id:
            raise NotFound(f"Review {object_id} is not this review.")
        if field in REVIEW_FIELDS:
            return review
        texts = report_texts(session, review.id)
        if texts is None:
            raise NotFound("This review has no report texts yet.")
        return texts
    target = session.get(model, object_id)
    owner = target
    if isinstance(target, m.FindingEvidence | m.BoardQuestion):
        owner = session.get(m.Finding, target.finding_id)
    if target is None or owner is None or owner.review_id != review.id:
        raise NotFound(
            f"{kind.value.replace('_', ' ').capitalize()} {object_id} was not found in this review."
        )
    return target
