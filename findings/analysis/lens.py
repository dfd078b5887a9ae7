"""The systems lens for any text (docs/quality-warnings.md): a team checks a draft written elsewhere
(a finding's statement, a question for the board, a narrative) before it is pasted in. The wording
checks of `quality.lens`: blame and hindsight, a training or procedure reminder for a question, and,
on a review, a person named (its members and its sealed register).

Need-to-know: on a review, only its members may check (anyone else gets NotFound). The register's
names are used for members who write the review's texts; the case group, who may not read what the
register seals, is checked against the members' names only, so the lens cannot tell them whether a
name is sealed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from findings.analysis import quality
from findings.analysis.base import AnalysisService
from findings.analysis.facts import FindingsFacts, review_names
from workflow.commands import Command, Id, Text, required
from workflow.policy import READERS
from workflow.service import ReviewService
from workflow.states import ReviewRole

LensKind = Literal["statement", "question", "narrative"]


class CheckText(Command):
    kind: LensKind
    text: Annotated[Text, required("Give the text to check.")]
    review_id: Id | None = None


@dataclass(frozen=True)
class Lensed:
    """What the lens found in one text."""

    kind: str
    warnings: list[quality.QualityWarning]
    review_id: int | None = None
    register_problem: str | None = None  # why the register's names could not be used

    @property
    def names_checked(self) -> bool:
        """Whether a person named was looked for (only on a review)."""
        return self.review_id is not None


class LensService(AnalysisService):
    def __init__(
        self,
        reviews: ReviewService,
        *,
        facts: FindingsFacts | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(reviews, today=today)
        self._facts = facts or FindingsFacts()

    def check(self, *, actor: int, command: CheckText) -> Lensed:
        """The wording warnings of `command.text`; with a review, a person named too (members only).
        Nothing is saved or audited: the text is the caller's own."""
        if command.review_id is None:
            return Lensed(command.kind, quality.lens(command.kind, command.text))
        with self.read(command.review_id, actor, READERS["analysis"]) as ctx:
            sealed: list[str] = []
            problem: str | None = None
            if ctx.roles - {ReviewRole.CASE_GROUP}:
                sealed, problem = self._facts.sealed_names(ctx.session, ctx.review.id)
            names = review_names(ctx.review, sealed)
            return Lensed(
                command.kind, quality.lens(command.kind, command.text, names), ctx.review.id, problem
            )
