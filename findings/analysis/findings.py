"""Findings about the system (DESIGN §5.4): their fields and order, evidence that they are not a quirk
of this case, questions for the board, and the case group's comments on a draft.

Evidence and questions change through their finding (its version). An answer that shows a finding
carries its warnings (`FindingView`), computed for that finding only, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select

from findings.analysis import quality
from findings.analysis.base import AnalysisService, Context, Page, check_version, page_of
from findings.analysis.facts import FindingsFacts, findings_of
from findings.analysis.models import (
    FINDING_STATUSES,
    BoardQuestion,
    Episode,
    Finding,
    FindingComment,
    FindingEvidence,
)
from findings.analysis.themes import chosen_themes
from findings.analysis.warnings import WarningCounts, counts_key, finding_warnings
from workflow.commands import MAX_ITEMS, MAX_LINKS, Command, Id, Key, Text, Title, required
from workflow.errors import InvalidInput, NotAtThisStage, NotFound
from workflow.models import utcnow
from workflow.policy import READERS
from workflow.recent import RecentResults
from workflow.service import ReviewDetail, ReviewService

# The keys of `FINDING_CATEGORIES` and `quality.EVIDENCE_KINDS`, spelt out for the type checker (a
# unit test holds them equal).
Category = Literal[
    "innate_human_biases",
    "family_professional_interaction",
    "responses_to_incidents",
    "longer_term_work",
    "tools",
    "management_systems",
]
EvidenceKind = Literal["typicality", "audit", "data", "other_reviews", "research"]


def _chosen(message: str) -> BeforeValidator:
    """Refuse an empty choice with `message` (a page's select left at "Choose ...")."""

    def check(value: object) -> object:
        if value in ("", None):
            raise PydanticCustomError("required", message)
        return value

    return BeforeValidator(check)


FindingStatus = Literal[FINDING_STATUSES]  # type: ignore[valid-type]

FindingTitle = Annotated[Title, required("Give the finding a short title.")]
QuestionText = Annotated[Text, required("Write the question for the board.")]
TEXTS = ("statement", "context", "how_it_showed", "why_it_matters")


class AddFinding(Command):
    title: FindingTitle
    category: Category | None = Field(
        default=None, description="The Learning Together typology (DESIGN §5.4)."
    )
    statement: Text = Field(default="", description="One sentence: the pattern, about the system.")
    context: Text = ""
    how_it_showed: Text = Field(default="", description="How it showed in this case.")
    why_it_matters: Text = ""
    themes: list[Key] = Field(default_factory=list, max_length=MAX_ITEMS, description="Theme keys.")
    episode_ids: list[Id] = Field(default_factory=list, max_length=MAX_LINKS)


class ChangeFinding(Command):
    """The fields sent are changed; `status` agrees a finding (or takes it back to draft)."""

    title: FindingTitle | None = None
    category: Category | None = None
    statement: Text | None = None
    context: Text | None = None
    how_it_showed: Text | None = None
    why_it_matters: Text | None = None
    themes: list[Key] | None = Field(default=None, max_length=MAX_ITEMS)
    episode_ids: list[Id] | None = Field(default=None, max_length=MAX_LINKS)
    status: FindingStatus | None = None


class MoveFinding(Command):
    to_number: int = Field(ge=1, le=10_000, description="The finding's new number; the others renumber.")


class AddEvidence(Command):
    kind: Annotated[EvidenceKind, _chosen("Choose the kind of evidence.")] = Field(
        description="typicality, audit, data, other_reviews or research."
    )
    summary: Annotated[Text, required("Say what the evidence shows.")]
    reference: Annotated[Text, required("Give its reference, so a reader can find it.")]


class AddQuestion(Command):
    text: QuestionText = Field(description="A question for the board.")


class ChangeQuestion(Command):
    text: QuestionText = Field(description="A question for the board.")


class CommentOnFinding(Command):
    text: Annotated[Text, required("Write your comment.")]


@dataclass(frozen=True)
class FindingView:
    """A finding and its warnings (its own and its questions'), read in one transaction."""

    finding: Finding
    warnings: list[quality.QualityWarning]


@dataclass(frozen=True)
class FindingSummary:
    """A finding as the list of findings shows it: without its texts, evidence and episodes, with the
    number of its comments and of its warnings."""

    id: int
    number: int
    title: str
    category: str | None
    status: str
    comments: int
    warnings: WarningCounts


class FindingService(AnalysisService):
    def __init__(
        self,
        reviews: ReviewService,
        *,
        facts: FindingsFacts | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(reviews, today=today)
        self._facts = facts or FindingsFacts()
        # a few integers a finding, for the reviews read lately (warnings.counts_key)
        self._counts: RecentResults[Hashable, dict[int, WarningCounts]] = RecentResults(256)

    def _views(self, ctx: Context, findings: Sequence[Finding]) -> list[FindingView]:
        if not findings:
            return []
        names = self._facts.names(ctx.session, ctx.review.id)
        by_finding = finding_warnings(ctx.session, ctx.review, findings, names)
        return [FindingView(f, by_finding[f.id]) for f in findings]

    def _view(self, ctx: Context, finding: Finding) -> FindingView:
        ctx.session.flush()  # the version the answer names is the write's
        return self._views(ctx, [finding])[0]

    # ---- the finding -------------------------------------------------------------------------

    def add(self, *, review_id: int, actor: int, command: AddFinding) -> FindingView:
        """Draft a finding (lead reviewer), numbered after the last one."""
        with self.change(review_id, actor, "write_finding") as ctx:
            last = ctx.session.scalar(
                select(func.max(Finding.number)).where(Finding.review_id == ctx.review.id)
            )
            finding = Finding(review_id=ctx.review.id, number=(last or 0) + 1, title="", status="draft")
            _apply(ctx, finding, command.model_dump())
            ctx.session.add(finding)
            ctx.session.flush()
            ctx.session.refresh(finding)  # its (empty) collections loaded, for the answer
            ctx.audit("add_finding", finding_id=finding.id, number=finding.number)
            return self._view(ctx, finding)

    def update(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        command: ChangeFinding,
    ) -> FindingView:
        """Change a finding's fields, its linked episodes or its status (draft / agreed)."""
        with self.change(review_id, actor, "write_finding") as ctx:
            finding = ctx.get(Finding, finding_id, "finding")
            check_version(finding, expected_version, "finding")
            _apply(ctx, finding, command.sent())
            ctx.audit("update_finding", finding_id=finding.id, fields=sorted(command.model_fields_set))
            return self._view(ctx, finding)

    def move(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        command: MoveFinding,
    ) -> list[FindingView]:
        """Move a finding to another place in the order; the others renumber around it. Every
        finding, in its new order."""
        with self.change(review_id, actor, "write_finding") as ctx:
            finding = ctx.get(Finding, finding_id, "finding")
            check_version(finding, expected_version, "finding")
            ordered = findings_of(ctx.session, ctx.review.id)
            if command.to_number > len(ordered):
                raise InvalidInput({"to_number": f"Choose a number from 1 to {len(ordered)}."})
            ordered.remove(finding)
            ordered.insert(command.to_number - 1, finding)
            for number, item in enumerate(ordered, start=1):
                if item.number != number:
                    item.number = number
                    item.updated_at = utcnow()
            ctx.audit("move_finding", finding_id=finding.id, to_number=command.to_number)
            ctx.session.flush()
            return self._views(ctx, ordered)

    def delete(self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None) -> None:
        """Delete a finding; the ones after it move up a number."""
        with self.change(review_id, actor, "write_finding") as ctx:
            finding = ctx.get(Finding, finding_id, "finding")
            check_version(finding, expected_version, "finding")
            number = finding.number
            ctx.session.delete(finding)
            ctx.session.flush()
            for later in findings_of(ctx.session, ctx.review.id):
                if later.number > number:
                    later.number -= 1
            ctx.audit("delete_finding", finding_id=finding_id, number=number)

    def list(self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0) -> Page[Finding]:
        """The review's findings in number order (every member)."""
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            query = select(Finding).where(Finding.review_id == ctx.review.id).order_by(Finding.number)
            return page_of(ctx.session, query, limit=limit, offset=offset)

    def get(self, *, review_id: int, actor: int, finding_id: int) -> Finding:
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            return ctx.get(Finding, finding_id, "finding")

    def views(
        self, *, review_id: int, actor: int, limit: int | None = None, offset: int = 0
    ) -> Page[FindingView]:
        """A page of the findings with their warnings, computed once for the page."""
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            query = select(Finding).where(Finding.review_id == ctx.review.id).order_by(Finding.number)
            found = page_of(ctx.session, query, limit=limit, offset=offset)
            return Page(self._views(ctx, found.items), found.total)

    def summaries(self, *, review_id: int, actor: int) -> tuple[ReviewDetail, tuple[FindingSummary, ...]]:
        """The review (as its pages show it) and every finding in number order, as the list shows it.
        The warnings are counted from the whole of each finding (its evidence, questions, episodes and
        what they rest on), once for each version of the review (`warnings.counts_key`), so a list
        read again loads only the findings' own rows."""
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            comments = (
                select(func.count(FindingComment.id))
                .where(FindingComment.finding_id == Finding.id)
                .scalar_subquery()
            )
            rows = ctx.session.execute(
                select(Finding.id, Finding.number, Finding.title, Finding.category, Finding.status, comments)
                .where(Finding.review_id == ctx.review.id)
                .order_by(Finding.number)
            ).all()
            detail = self.detail(ctx)
            if not rows:
                return detail, ()
            names = self._facts.names(ctx.session, ctx.review.id)

            def count() -> dict[int, WarningCounts]:
                every = findings_of(ctx.session, ctx.review.id)
                found = finding_warnings(ctx.session, ctx.review, every, names)
                return {finding_id: WarningCounts.of(warnings) for finding_id, warnings in found.items()}

            counts = self._counts.get(counts_key(ctx.review, names), count)
            none = WarningCounts(0, 0)
            return detail, tuple(
                FindingSummary(id_, number, title, category, status, comments, counts.get(id_, none))
                for id_, number, title, category, status, comments in rows
            )

    def view(self, *, review_id: int, actor: int, finding_id: int) -> FindingView:
        """One finding with its warnings (only this finding's are computed)."""
        with self.read(review_id, actor, READERS["analysis"]) as ctx:
            return self._views(ctx, [ctx.get(Finding, finding_id, "finding")])[0]

    # ---- evidence, questions, comments -------------------------------------------------------

    def add_evidence(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        command: AddEvidence,
        source: str | None = None,
    ) -> FindingView:
        """Add evidence that the finding is not a quirk of this case, with its reference. `source`
        says where it was taken from (an entry of the learning repository), for the audit log."""
        with self.change(review_id, actor, "write_finding") as ctx:
            finding = ctx.get(Finding, finding_id, "finding")
            check_version(finding, expected_version, "finding")
            finding.evidence.append(
                FindingEvidence(kind=command.kind, summary=command.summary, reference=command.reference)
            )
            ctx.session.flush()
            origin = {"source": source} if source else {}
            ctx.audit("add_finding_evidence", finding_id=finding.id, kind=command.kind, **origin)
            return self._view(ctx, finding)

    def remove_evidence(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, evidence_id: int
    ) -> FindingView:
        with self.change(review_id, actor, "write_finding") as ctx:
            finding = ctx.get(Finding, finding_id, "finding")
            check_version(finding, expected_version, "finding")
            item = next((e for e in finding.evidence if e.id == evidence_id), None)
            if item is None:
                raise NotFound(f"Evidence {evidence_id} is not part of this finding.")
            finding.evidence.remove(item)
            ctx.session.flush()
            ctx.audit("remove_finding_evidence", finding_id=finding.id, evidence_id=evidence_id)
            return self._view(ctx, finding)

    def add_question(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        command: AddQuestion,
    ) -> FindingView:
        """Add a question for the board to a finding (lead reviewer, coordinator, chair)."""
        with self.change(review_id, actor, "write_question") as ctx:
            finding = ctx.get(Finding, finding_id, "finding")
            check_version(finding, expected_version, "finding")
            number = max((q.number for q in finding.questions), default=0) + 1
            finding.questions.append(BoardQuestion(number=number, text=command.text))
            ctx.session.flush()
            ctx.audit("add_board_question", finding_id=finding.id, number=number)
            return self._view(ctx, finding)

    def update_question(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        question_id: int,
        command: ChangeQuestion,
    ) -> FindingView:
        with self.change(review_id, actor, "write_question") as ctx:
            finding, question = self._question(ctx, finding_id, expected_version, question_id)
            question.text = command.text
            ctx.session.flush()
            ctx.audit("update_board_question", finding_id=finding.id, question_id=question_id)
            return self._view(ctx, finding)

    def remove_question(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, question_id: int
    ) -> FindingView:
        """Remove a question for the board; the others renumber."""
        with self.change(review_id, actor, "write_question") as ctx:
            finding, question = self._question(ctx, finding_id, expected_version, question_id)
            finding.questions.remove(question)
            for number, q in enumerate(sorted(finding.questions, key=lambda q: q.number), start=1):
                q.number = number
            ctx.session.flush()
            ctx.audit("remove_board_question", finding_id=finding.id, question_id=question_id)
            return self._view(ctx, finding)

    @staticmethod
    def _question(
        ctx: Context, finding_id: int, expected_version: int | None, question_id: int
    ) -> tuple[Finding, BoardQuestion]:
        finding = ctx.get(Finding, finding_id, "finding")
        check_version(finding, expected_version, "finding")
        question = next((q for q in finding.questions if q.id == question_id), None)
        if question is None:
            raise NotFound(f"Question {question_id} is not part of this finding.")
        return finding, question

    def comment(
        self, *, review_id: int, actor: int, finding_id: int, command: CommentOnFinding
    ) -> FindingComment:
        """A case group member (or panel member, or lead reviewer) comments on a draft finding."""
        with self.change(review_id, actor, "comment_on_finding") as ctx:
            finding = ctx.get(Finding, finding_id, "finding")
            if finding.status != "draft":
                raise NotAtThisStage("comment_on_finding", "Only draft findings take comments.")
            comment = FindingComment(finding_id=finding.id, author_id=actor, text=command.text)
            finding.comments.append(comment)
            ctx.session.flush()
            ctx.audit("comment_on_finding", finding_id=finding.id, comment_id=comment.id)
            return comment


NOT_NULL = {
    "title": "Give the finding a short title.",
    "status": "Status must be draft or agreed.",
    **{name: "Send text, or leave the field out." for name in TEXTS},
    "themes": "Send a list of theme keys, or leave the field out.",
    "episode_ids": "Send a list of episode ids, or leave the field out.",
}


def _apply(ctx: Context, finding: Finding, sent: dict[str, Any]) -> None:
    """Set the fields sent; every problem (a field that may not be null, an unknown theme, an
    episode of another review) is raised at once."""
    errors = {name: message for name, message in NOT_NULL.items() if name in sent and sent[name] is None}
    for name in ("title", "status", *TEXTS):
        if sent.get(name) is not None:
            setattr(finding, name, sent[name])
    if "category" in sent:
        finding.category = sent["category"]
    if sent.get("themes") is not None:
        try:
            finding.themes = chosen_themes(ctx.session, sent["themes"], "themes")
        except InvalidInput as error:
            errors |= error.errors
    if sent.get("episode_ids") is not None:
        try:
            finding.episodes = ctx.in_review(Episode, sent["episode_ids"], "episode_ids")
        except InvalidInput as error:
            errors |= error.errors
    if errors:
        raise InvalidInput(errors)
