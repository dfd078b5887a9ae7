"""What makes a finding complete (DESIGN §5.4), as a pure function over its parts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from findings.analysis.quality import EvidenceItem, usable_evidence
from findings.analysis.vocabulary import FINDING_CATEGORIES


@dataclass(frozen=True)
class FindingParts:
    category: str | None
    statement: str
    context: str
    how_it_showed: str
    why_it_matters: str
    evidence: Sequence[EvidenceItem]
    questions: Sequence[str]
    themes: Sequence[str]


def missing_parts(parts: FindingParts) -> tuple[str, ...]:
    """The parts of a complete finding still missing, in words, in the order DESIGN §5.4 lists them.
    (The link to at least one key practice episode is checked by the guard on its own.)"""
    missing = []
    if parts.category not in FINDING_CATEGORIES:
        missing.append("a category")
    if not parts.statement.strip():
        missing.append("a statement of the pattern")
    if not parts.context.strip():
        missing.append("the context")
    if not parts.how_it_showed.strip():
        missing.append("how it showed in this case")
    if not usable_evidence(parts.evidence):
        missing.append("evidence that it is not a quirk of this case (with a reference)")
    if not parts.why_it_matters.strip():
        missing.append("why it matters")
    if not any(q.strip() for q in parts.questions):
        missing.append("a question for the board")
    if not parts.themes:
        missing.append("a theme")
    return tuple(missing)
