"""The service through which the analysis of a review is read and changed.

Every change follows one path (`FindingsService._change`): load the review through
`ReviewService.load` (need-to-know: a non-member gets NotFound), check the actor's review role and
the review's stage, check the edited object's own version (StaleObject on a stale one), change it,
append one audit row (which also raises the review's version, so concurrent audited writes are
serialised), commit once. A refused change leaves nothing behind.

Who may do what, and at which stages, is declared once, in `workflow.policy`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from findings.analysis import quality
from findings.analysis.facts import FindingsFacts, findings_of, review_warnings
from findings.analysis.models import (
    ACTION_STATUSES,
    FINDING_STATUSES,
    Action,
    BoardQuestion,
    BoardResponse,
    Episode,
    Finding,
    FindingComment,
    FindingEvidence,
    PartnershipTheme,
    ReviewTheme,
    WarningAcknowledgement,
)
from findings.analysis.vocabulary import BUILT_IN_THEMES, FINDING_CATEGORIES, theme_key
from findings.errors import StaleObject
from workflow import audit, policy
from workflow.errors import InvalidInput, NotAtThisStage, NotFound, NotPermitted, StaleReview
from workflow.models import Membership, Review, utcnow
from workflow.policy import EVERYONE, READERS
from workflow.service import ReviewService
from workflow.states import ReviewRole

_C, _L, _P, _G, _CH = (
    ReviewRole.COORDINATOR,
    ReviewRole.LEAD_REVIEWER,
    ReviewRole.PANEL_MEMBER,
    ReviewRole.CASE_GROUP,
    ReviewRole.CHAIR,
)

FINDING_FIELDS = frozenset(
    {
        "title",
        "category",
        "statement",
        "context",
        "how_it_showed",
        "why_it_matters",
        "themes",
        "status",
        "episode_ids",
    }
)
ACTION_FIELDS = frozenset(
    {"title", "description", "owner_agency", "due_on", "status", "evidence_of_impact", "finding_id"}
)

T = TypeVar("T")


@dataclass
class _Ctx:
    session: Session
    review: Review
    roles: frozenset[ReviewRole]
    actor: int


@dataclass(frozen=True)
class ActionView:
    action: Action
    overdue: bool


def is_overdue(*, due_on: date | None, status: str | None, today: date) -> bool:
    """An action is overdue when its due date has passed and it is neither done nor verified."""
    return due_on is not None and due_on < today and status not in ("done", "verified")


def _text(
    value: Any, field: str, errors: dict[str, str], *, required: bool = False, limit: int = 20_000
) -> str:
    if value is not None and not isinstance(value, str):
        errors[field] = "Must be text."
        return ""
    text = (value or "").strip()
    if required and not text:
        errors[field] = "This cannot be empty."
    elif len(text) > limit:
        errors[field] = f"Keep this under {limit} characters."
    return text


def _agencies(values: Iterable[str] | None) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))


def _unknown(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput({name: "This field cannot be changed here." for name in sorted(unknown)})


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput(errors)


class FindingsService:
    """Reads and changes the analysis of reviews. Every method is keyword-only and owns its
    transaction; `actor` is the id of the user acting."""

    def __init__(
        self,
        reviews: ReviewService,
        *,
        facts: FindingsFacts | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._reviews = reviews
        self._facts = facts or FindingsFacts()
        self._today = today

    # ---- the one path for changes and reads -------------------------------------------------

    @contextmanager
    def _read(self, review_id: int, actor: int, readers: frozenset[ReviewRole]) -> Iterator[_Ctx]:
        with self._reviews.session() as session:
            review, roles = self._reviews.load(session, review_id, actor)
            if not roles & readers:
                raise NotPermitted("Your role in this review does not let you see this.")
            yield _Ctx(session, review, roles, actor)

    @contextmanager
    def _change(self, review_id: int, actor: int, action: str) -> Iterator[_Ctx]:
        with self._reviews.session() as session:
            try:
                review, roles = self._reviews.load(session, review_id, actor)
                policy.check(roles, review.state, action)
                yield _Ctx(session, review, roles, actor)
                session.commit()
            except StaleDataError as error:
                session.rollback()
                raise StaleReview(None, None) from error
            except IntegrityError as error:
                # A unique key taken by a concurrent writer (one panel analysis per member, one
                # board response per finding) is a lost race; anything else is a bug and surfaces.
                session.rollback()
                if "unique" not in str(error.orig).lower():
                    raise
                raise StaleReview(None, None) from error

    @staticmethod
    def _audit(ctx: _Ctx, action: str, reason: str | None = None, **params: Any) -> None:
        audit.append(ctx.session, ctx.review, actor_id=ctx.actor, action=action, reason=reason, params=params)

    @staticmethod
    def _get(ctx: _Ctx, model: type[T], object_id: int, kind: str) -> T:
        obj = ctx.session.get(model, object_id)
        if obj is None or getattr(obj, "review_id", None) != ctx.review.id:
            raise NotFound(f"{kind.capitalize()} {object_id} was not found in this review.")
        return obj

    @staticmethod
    def _check_version(obj: Any, expected: int | None, kind: str) -> None:
        if expected is None or expected != obj.version:
            raise StaleObject(kind, expected, obj.version)
        obj.updated_at = utcnow()

    def _ids_in_review(self, ctx: _Ctx, model: Any, ids: Iterable[int], field: str) -> list[Any]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        found = {
            o.id: o
            for o in ctx.session.scalars(
                select(model).where(model.id.in_(wanted), model.review_id == ctx.review.id)
            )
        }
        missing = [i for i in wanted if i not in found]
        if missing:
            raise InvalidInput({field: f"Not part of this review: {', '.join(map(str, missing))}."})
        return [found[i] for i in wanted]

    # ---- findings ------------------------------------------------------------------------------

    def _vocabulary(self, session: Session) -> dict[str, str]:
        added = {
            t.key: t.label for t in session.scalars(select(PartnershipTheme).order_by(PartnershipTheme.key))
        }
        return BUILT_IN_THEMES | added

    def _themes(self, session: Session, themes: Iterable[str], field: str) -> list[str]:
        vocabulary = self._vocabulary(session)
        chosen = list(dict.fromkeys(t.strip() for t in themes if t and t.strip()))
        unknown = [t for t in chosen if t not in vocabulary]
        if unknown:
            raise InvalidInput(
                {field: f"Unknown theme(s): {', '.join(unknown)}. Add them to the vocabulary first."}
            )
        return chosen

    def _finding_values(self, ctx: _Ctx, finding: Finding, fields: Mapping[str, Any]) -> None:
        errors: dict[str, str] = {}
        if "title" in fields:
            finding.title = _text(fields["title"], "title", errors, required=True, limit=300)
        for name in ("statement", "context", "how_it_showed", "why_it_matters"):
            if name in fields:
                setattr(finding, name, _text(fields[name], name, errors))
        if "category" in fields:
            if fields["category"] not in (None, "", *FINDING_CATEGORIES):
                errors["category"] = "Category must be one of: " + ", ".join(FINDING_CATEGORIES) + "."
            finding.category = fields["category"] or None
        if "status" in fields:
            if fields["status"] not in FINDING_STATUSES:
                errors["status"] = "Status must be draft or agreed."
            finding.status = fields["status"]
        _raise(errors)
        if "themes" in fields:
            finding.themes = self._themes(ctx.session, fields["themes"], "themes")
        if "episode_ids" in fields:
            finding.episodes = self._ids_in_review(ctx, Episode, fields["episode_ids"], "episode_ids")

    def add_finding(self, *, review_id: int, actor: int, title: str, **fields: Any) -> Finding:
        """Draft a finding, numbered after the last one. Fields: category, statement, context,
        how_it_showed, why_it_matters, themes, episode_ids."""
        _unknown(fields, FINDING_FIELDS - {"status", "title"})
        with self._change(review_id, actor, "write_finding") as ctx:
            number = ctx.session.scalar(
                select(func.max(Finding.number)).where(Finding.review_id == ctx.review.id)
            )
            finding = Finding(review_id=ctx.review.id, number=(number or 0) + 1, title="", status="draft")
            self._finding_values(ctx, finding, {**fields, "title": title})
            ctx.session.add(finding)
            ctx.session.flush()
            self._audit(ctx, "add_finding", finding_id=finding.id, number=finding.number)
            return finding

    def update_finding(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, **fields: Any
    ) -> Finding:
        """Change a finding's fields, its linked episodes or its status (draft / agreed)."""
        _unknown(fields, FINDING_FIELDS)
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            self._finding_values(ctx, finding, fields)
            self._audit(ctx, "update_finding", finding_id=finding.id, fields=sorted(fields))
            return finding

    def move_finding(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, to_number: int
    ) -> list[Finding]:
        """Move a finding to another place in the order; the others renumber around it."""
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            ordered = findings_of(ctx.session, ctx.review.id)
            if not 1 <= to_number <= len(ordered):
                raise InvalidInput({"to_number": f"Choose a number from 1 to {len(ordered)}."})
            ordered.remove(finding)
            ordered.insert(to_number - 1, finding)
            for number, item in enumerate(ordered, start=1):
                if item.number != number:
                    item.number = number
                    item.updated_at = utcnow()
            self._audit(ctx, "move_finding", finding_id=finding.id, to_number=to_number)
            return ordered

    def delete_finding(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None
    ) -> None:
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            number = finding.number
            ctx.session.delete(finding)
            ctx.session.flush()
            for later in findings_of(ctx.session, ctx.review.id):
                if later.number > number:
                    later.number -= 1
            self._audit(ctx, "delete_finding", finding_id=finding_id, number=number)

    def add_evidence(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        kind: str,
        summary: str,
        reference: str,
    ) -> Finding:
        """Add evidence that the finding is not a quirk of this case (kind: typicality, audit, data,
        other_reviews, research), with its reference."""
        errors: dict[str, str] = {}
        if kind not in quality.EVIDENCE_KINDS:
            errors["kind"] = "Kind must be one of: " + ", ".join(quality.EVIDENCE_KINDS) + "."
        summary = _text(summary, "summary", errors, required=True)
        reference = _text(reference, "reference", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            finding.evidence.append(FindingEvidence(kind=kind, summary=summary, reference=reference))
            ctx.session.flush()
            self._audit(ctx, "add_finding_evidence", finding_id=finding.id, kind=kind)
            return finding

    def remove_evidence(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, evidence_id: int
    ) -> Finding:
        with self._change(review_id, actor, "write_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            item = next((e for e in finding.evidence if e.id == evidence_id), None)
            if item is None:
                raise NotFound(f"Evidence {evidence_id} is not part of this finding.")
            finding.evidence.remove(item)
            ctx.session.flush()
            self._audit(ctx, "remove_finding_evidence", finding_id=finding.id, evidence_id=evidence_id)
            return finding

    def add_question(
        self, *, review_id: int, actor: int, finding_id: int, expected_version: int | None, text: str
    ) -> Finding:
        """Add a question for the board to a finding."""
        errors: dict[str, str] = {}
        text = _text(text, "text", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "write_question") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            number = max((q.number for q in finding.questions), default=0) + 1
            finding.questions.append(BoardQuestion(number=number, text=text))
            ctx.session.flush()
            self._audit(ctx, "add_board_question", finding_id=finding.id, number=number)
            return finding

    def update_question(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        expected_version: int | None,
        question_id: int,
        text: str | None,
    ) -> Finding:
        """Change a question for the board; `text=None` removes it (the others renumber)."""
        with self._change(review_id, actor, "write_question") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            self._check_version(finding, expected_version, "finding")
            question = next((q for q in finding.questions if q.id == question_id), None)
            if question is None:
                raise NotFound(f"Question {question_id} is not part of this finding.")
            if text is None:
                finding.questions.remove(question)
                for number, q in enumerate(sorted(finding.questions, key=lambda q: q.number), start=1):
                    q.number = number
            else:
                errors: dict[str, str] = {}
                question.text = _text(text, "text", errors, required=True)
                _raise(errors)
            ctx.session.flush()
            self._audit(
                ctx,
                "remove_board_question" if text is None else "update_board_question",
                finding_id=finding.id,
                question_id=question_id,
            )
            return finding

    def comment_on_finding(self, *, review_id: int, actor: int, finding_id: int, text: str) -> FindingComment:
        """A case group member (or panel member, or lead reviewer) comments on a draft finding."""
        errors: dict[str, str] = {}
        text = _text(text, "text", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "comment_on_finding") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            if finding.status != "draft":
                raise NotAtThisStage("comment_on_finding", "Only draft findings take comments.")
            comment = FindingComment(finding_id=finding.id, author_id=actor, text=text)
            finding.comments.append(comment)
            ctx.session.flush()
            self._audit(ctx, "comment_on_finding", finding_id=finding.id, comment_id=comment.id)
            return comment

    def findings(self, *, review_id: int, actor: int) -> list[Finding]:
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            return findings_of(ctx.session, ctx.review.id)

    def finding(self, *, review_id: int, actor: int, finding_id: int) -> Finding:
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            return self._get(ctx, Finding, finding_id, "finding")

    # ---- board response and actions ---------------------------------------------------------

    def record_board_response(
        self,
        *,
        review_id: int,
        actor: int,
        finding_id: int,
        response: str,
        expected_version: int | None = None,
    ) -> BoardResponse:
        """Record (or, naming its version, change) the board's response to a finding."""
        errors: dict[str, str] = {}
        response = _text(response, "response", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "record_board_response") as ctx:
            finding = self._get(ctx, Finding, finding_id, "finding")
            existing = finding.response
            if existing is None:
                existing = BoardResponse(
                    review_id=ctx.review.id, finding_id=finding.id, response=response, recorded_by=actor
                )
                finding.response = existing
            else:
                self._check_version(existing, expected_version, "board response")
                existing.response, existing.recorded_by = response, actor
            ctx.session.flush()
            self._audit(ctx, "record_board_response", finding_id=finding.id)
            return existing

    def _action_values(self, ctx: _Ctx, action: Action, fields: Mapping[str, Any]) -> None:
        errors: dict[str, str] = {}
        if "title" in fields:
            action.title = _text(fields["title"], "title", errors, required=True, limit=300)
        for name in ("description", "evidence_of_impact"):
            if name in fields:
                setattr(action, name, _text(fields[name], name, errors))
        if "owner_agency" in fields:
            action.owner_agency = _text(fields["owner_agency"], "owner_agency", errors, limit=200) or None
        if "due_on" in fields:
            action.due_on = fields["due_on"]
        if "status" in fields:
            if fields["status"] not in ACTION_STATUSES:
                errors["status"] = "Status must be one of: " + ", ".join(ACTION_STATUSES) + "."
            action.status = fields["status"]
        if "finding_id" in fields:
            if fields["finding_id"] is not None:
                self._ids_in_review(ctx, Finding, [fields["finding_id"]], "finding_id")
            action.finding_id = fields["finding_id"]
        _raise(errors)

    def add_action(self, *, review_id: int, actor: int, title: str, **fields: Any) -> Action:
        """Record an action of the board's response. Fields: description, owner_agency, due_on,
        status (planned, in_progress, done, verified; default planned), evidence_of_impact, finding_id."""
        _unknown(fields, ACTION_FIELDS - {"title"})
        with self._change(review_id, actor, "write_action") as ctx:
            action = Action(review_id=ctx.review.id, title="", status="planned")
            self._action_values(ctx, action, {**fields, "title": title})
            ctx.session.add(action)
            ctx.session.flush()
            self._audit(ctx, "add_action", action_id=action.id)
            return action

    def update_action(
        self, *, review_id: int, actor: int, action_id: int, expected_version: int | None, **fields: Any
    ) -> Action:
        _unknown(fields, ACTION_FIELDS)
        with self._change(review_id, actor, "write_action") as ctx:
            action = self._get(ctx, Action, action_id, "action")
            self._check_version(action, expected_version, "action")
            self._action_values(ctx, action, fields)
            self._audit(ctx, "update_action", action_id=action.id, fields=sorted(fields))
            return action

    def actions(self, *, review_id: int, actor: int) -> list[ActionView]:
        with self._read(review_id, actor, READERS["board"]) as ctx:
            today = self._today()
            rows = ctx.session.scalars(
                select(Action).where(Action.review_id == ctx.review.id).order_by(Action.id)
            )
            return [ActionView(a, is_overdue(due_on=a.due_on, status=a.status, today=today)) for a in rows]

    def actions_across_reviews(self, *, actor: int, overdue_only: bool = False) -> list[ActionView]:
        """Actions of every review the actor is a member of (need-to-know), overdue derived."""
        with self._reviews.session() as session:
            self._reviews.active_user(session, actor)
            member_of = select(Membership.review_id).where(Membership.user_id == actor)
            rows = session.scalars(
                select(Action).where(Action.review_id.in_(member_of)).order_by(Action.due_on, Action.id)
            )
            today = self._today()
            views = [ActionView(a, is_overdue(due_on=a.due_on, status=a.status, today=today)) for a in rows]
            return [v for v in views if v.overdue] if overdue_only else views

    # ---- themes --------------------------------------------------------------------------------

    def vocabulary(self, *, actor: int) -> dict[str, str]:
        """The themes a review or finding can carry: DESIGN §6's and the partnership's own."""
        with self._reviews.session() as session:
            self._reviews.active_user(session, actor)
            return self._vocabulary(session)

    def add_theme(self, *, actor: int, label: str) -> PartnershipTheme:
        """Add a theme to the partnership's vocabulary (a coordinator or chair of the partnership)."""
        with self._reviews.session() as session:
            user = self._reviews.active_user(session, actor)
            if user.global_role not in ("coordinator", "chair"):
                raise NotPermitted("Only a review coordinator or chair may add a theme.")
            errors: dict[str, str] = {}
            label = _text(label, "label", errors, required=True, limit=200)
            key = theme_key(label)
            if not errors and not key:
                errors["label"] = "A theme needs at least one letter or digit."
            if not errors and key in self._vocabulary(session):
                errors["label"] = f"The theme '{key}' already exists."
            _raise(errors)
            theme = PartnershipTheme(key=key[:80], label=label, added_by=actor)
            session.add(theme)
            try:
                session.commit()
            except IntegrityError as error:
                session.rollback()
                raise InvalidInput({"label": f"The theme '{key}' already exists."}) from error
            return theme

    def set_review_themes(self, *, review_id: int, actor: int, themes: Sequence[str]) -> list[str]:
        """Tag the review as a whole with themes (replaces the previous tags)."""
        with self._change(review_id, actor, "set_review_themes") as ctx:
            chosen = self._themes(ctx.session, themes, "themes")
            ctx.session.execute(delete(ReviewTheme).where(ReviewTheme.review_id == ctx.review.id))
            ctx.session.add_all(ReviewTheme(review_id=ctx.review.id, theme=t) for t in chosen)
            self._audit(ctx, "set_review_themes", themes=chosen)
            return chosen

    def review_themes(self, *, review_id: int, actor: int) -> list[str]:
        with self._read(review_id, actor, EVERYONE) as ctx:
            return [
                t.theme
                for t in ctx.session.scalars(
                    select(ReviewTheme)
                    .where(ReviewTheme.review_id == ctx.review.id)
                    .order_by(ReviewTheme.theme)
                )
            ]

    # ---- quality warnings ----------------------------------------------------------------------

    def warnings(
        self, *, review_id: int, actor: int, kind: str | None = None, object_id: int | None = None
    ) -> list[quality.QualityWarning]:
        """The review's quality warnings (acknowledged ones marked), optionally for one object."""
        with self._read(review_id, actor, READERS["analysis"]) as ctx:
            found = review_warnings(ctx.session, ctx.review, self._facts.names(ctx.session, ctx.review.id))
            return [
                w
                for w in found
                if (kind is None or w.where.kind == kind) and (object_id is None or w.where.id == object_id)
            ]

    def acknowledge_warning(
        self, *, review_id: int, actor: int, fingerprint: str, reason: str
    ) -> quality.QualityWarning:
        """A lead reviewer acknowledges a warning with a reason (audited); an acknowledged blocking
        warning no longer blocks `submit_for_signoff`."""
        errors: dict[str, str] = {}
        reason = _text(reason, "reason", errors, required=True)
        _raise(errors)
        with self._change(review_id, actor, "acknowledge_warning") as ctx:
            found = review_warnings(ctx.session, ctx.review, self._facts.names(ctx.session, ctx.review.id))
            warning = next((w for w in found if w.fingerprint == fingerprint), None)
            if warning is None:
                raise NotFound("This warning no longer applies (the text may have changed).")
            if warning.code in quality.NOT_ACKNOWLEDGEABLE:
                raise InvalidInput(
                    {
                        "fingerprint": "This warning is a rule of the lifecycle and cannot be "
                        "acknowledged: fix it."
                    }
                )
            if warning.acknowledged:
                raise InvalidInput({"fingerprint": "This warning is already acknowledged."})
            ctx.session.add(
                WarningAcknowledgement(
                    review_id=ctx.review.id,
                    fingerprint=fingerprint,
                    code=warning.code.value,
                    warning=warning.in_words(),
                    reason=reason,
                    by=actor,
                )
            )
            self._audit(
                ctx,
                "acknowledge_warning",
                reason=reason,
                code=warning.code.value,
                severity=warning.severity.value,
                object=f"{warning.where.kind} {warning.where.id}",
                field=warning.where.field,
                matched=list(warning.matched),
            )
            return quality.acknowledge([warning], {fingerprint: reason})[0]
