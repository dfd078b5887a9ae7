"""The safeguarding partners' yearly report (Working Together 2023, chapter 5: the partners report at
least once in every 12 months on the reviews they commissioned, what they found and what changed):
for a period, the reviews started, decided, completed and published, the themes of their findings,
and how their actions are progressing, as HTML, PDF and Word.

What a review did in the period is read from its audit (the `decide` and `approve` entries) and its
publication; a review counts in each part once, however often it was, say, reopened and approved again.
Only the reviews the reader may see are counted (`findings.learning.visibility`): the reviews they are
a member of and every published one; coordinators and chairs make it, as they make board briefings.
The report holds no words from a review but its pseudonym, the theme names and the counts, so it can
go to the partners as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from findings.analysis.board import is_overdue
from findings.analysis.models import Action
from findings.analysis.themes import vocabulary_of
from findings.learning.models import TrendCount
from findings.learning.visibility import author
from findings.publication.assemble import ACTION_STATUS_LABELS, review_type
from findings.publication.models import PublishedReport
from findings.publication.render import DocumentKind, Format, Rendered, environment, from_html
from workflow.commands import AnyDate, Command
from workflow.errors import InvalidInput
from workflow.models import AuditEntry, Review
from workflow.service import ReviewService
from workflow.states import Route, State, Trigger

TEMPLATE = "yearly.html"
FORMATS = (Format.HTML, Format.PDF, Format.DOCX)
LONGEST = timedelta(days=2 * 366)  # a yearly report's period; longer ones are two reports
ROUTE_WORDS = {
    Route.STATUTORY.value: "a statutory review",
    Route.LEARNING.value: "a learning review",
    Route.NONE.value: "no review",
}


class YearlyPeriod(Command):
    """The period a yearly report covers, both days included."""

    start: AnyDate = Field(description="The first day of the period.")
    end: AnyDate = Field(description="The last day of the period (the same day as the first, or after it).")

    def checked(self) -> YearlyPeriod:
        """The period, if its days are in order and it is not too long (InvalidInput, by field, if not)."""
        if self.end < self.start:
            raise InvalidInput({"end": "The last day must be the same as the first day or after it."})
        if self.end - self.start > LONGEST:
            raise InvalidInput({"end": "A yearly report covers at most two years; choose a shorter period."})
        return self


def last_financial_year(today: date) -> YearlyPeriod:
    """1 April to 31 March, the last such year to have ended: the period partners usually report on."""
    ends = date(today.year if today >= date(today.year, 4, 1) else today.year - 1, 3, 31)
    return YearlyPeriod(start=date(ends.year - 1, 4, 1), end=ends)


@dataclass(frozen=True)
class ReviewLine:
    """One review and what happened to it in the period (None: not in the period)."""

    review_id: int
    child_pseudonym: str
    review_type: str
    stage: str
    started_on: date | None
    decided_on: date | None
    decision: str | None
    completed_on: date | None
    published_on: date | None
    published_as: str | None  # "report" or "summary of improvements"


@dataclass(frozen=True)
class ActionProgress:
    """The actions of one review, by status, as the report is made."""

    review_id: int
    child_pseudonym: str
    by_status: tuple[tuple[str, int], ...]  # (status label, count) in the statuses' order
    overdue: int
    with_evidence: int  # done or verified with evidence of impact recorded

    @property
    def total(self) -> int:
        return sum(n for _, n in self.by_status)


@dataclass(frozen=True)
class YearlyReport:
    partnership: str
    period: YearlyPeriod
    made_on: date
    reviews: tuple[ReviewLine, ...]  # every review with something in the period, oldest first
    seen: int  # how many reviews the reader may see in all
    themes: tuple[tuple[str, int], ...]  # (theme, findings) of the reviews completed or published
    actions: tuple[ActionProgress, ...]
    statuses: tuple[str, ...]  # the status labels, in order, for the table's columns

    def count(self, part: str) -> int:
        return sum(1 for r in self.reviews if getattr(r, f"{part}_on") is not None)

    @property
    def decisions(self) -> tuple[tuple[str, int], ...]:
        counted = Counter(r.decision for r in self.reviews if r.decided_on is not None and r.decision)
        return tuple((words, counted[words]) for words in ROUTE_WORDS.values() if counted[words])

    @property
    def action_totals(self) -> tuple[tuple[str, int], ...]:
        totals: Counter[str] = Counter()
        for progress in self.actions:
            totals.update(dict(progress.by_status))
        return tuple((label, totals[label]) for label in self.statuses)

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.actions)


class YearlyReportService:
    """The partners' yearly report over the reviews the reader may see. Keyword-only."""

    def __init__(
        self, reviews: ReviewService, *, partnership: str, today: Callable[[], date] = date.today
    ) -> None:
        self._reviews = reviews
        self._partnership = partnership
        self._today = today

    def default_period(self) -> YearlyPeriod:
        return last_financial_year(self._today())

    def report(self, *, actor: int, period: YearlyPeriod) -> YearlyReport:
        period = period.checked()
        with self._reviews.session(read_only=True) as session:
            sees = author(session, actor, "the partners' yearly report").sees()
            lines = _review_lines(session, sees, period)
            finished = [r.review_id for r in lines if r.completed_on or r.published_on]
            return YearlyReport(
                partnership=self._partnership,
                period=period,
                made_on=self._today(),
                reviews=tuple(lines),
                seen=session.scalar(select(func.count(Review.id)).where(sees)) or 0,
                themes=_themes(session, finished),
                actions=_progress(session, [r for r in lines if r.review_id in set(finished)], self._today()),
                statuses=tuple(ACTION_STATUS_LABELS.values()),
            )

    def document(self, *, actor: int, period: YearlyPeriod, fmt: Format) -> Rendered:
        """The report as HTML, PDF or Word."""
        if fmt not in FORMATS:
            raise InvalidInput({"format": "The yearly report is made as html, pdf or docx."})
        data = self.report(actor=actor, period=period)
        html = environment(Format.HTML).get_template(TEMPLATE).render({"yearly": data})
        return Rendered(DocumentKind.BOARD, fmt, from_html(html, fmt))


def filename(period: YearlyPeriod, fmt: Format) -> str:
    return f"yearly-report-{period.start.isoformat()}-to-{period.end.isoformat()}.{fmt.value}"


# ---- what it reads -------------------------------------------------------------------------------


def _bounds(period: YearlyPeriod) -> tuple[datetime, datetime]:
    return datetime.combine(period.start, time.min), datetime.combine(
        period.end + timedelta(days=1), time.min
    )


def _first_audit(
    session: Session, action: str, sees: ColumnElement[bool], period: YearlyPeriod
) -> dict[int, date]:
    """The first day in the period each review had an audit entry `action` (a trigger's name)."""
    start, end = _bounds(period)
    query = (
        select(AuditEntry.review_id, func.min(AuditEntry.at))
        .join(Review, Review.id == AuditEntry.review_id)
        .where(sees, AuditEntry.action == action, AuditEntry.at >= start, AuditEntry.at < end)
        .group_by(AuditEntry.review_id)
    )
    return {review_id: at.date() for review_id, at in session.execute(query)}


def _review_lines(session: Session, sees: ColumnElement[bool], period: YearlyPeriod) -> list[ReviewLine]:
    start, end = _bounds(period)
    in_period = (Review.created_at >= start, Review.created_at < end)
    logged = select(Review.id, Review.created_at).where(sees, *in_period)
    started = {review_id: at for review_id, at in session.execute(logged)}
    decided = _first_audit(session, Trigger.DECIDE.value, sees, period)
    completed = _first_audit(session, Trigger.APPROVE.value, sees, period)
    published = {
        row.review_id: row
        for row in session.scalars(
            select(PublishedReport)
            .join(Review, Review.id == PublishedReport.review_id)
            .where(sees, PublishedReport.published_at >= start, PublishedReport.published_at < end)
        )
    }
    ids = set(started) | set(decided) | set(completed) | set(published)
    if not ids:
        return []
    reviews = session.scalars(select(Review).where(Review.id.in_(ids)).order_by(Review.created_at, Review.id))
    return [
        ReviewLine(
            review_id=r.id,
            child_pseudonym=r.child_pseudonym,
            review_type=review_type(r),
            stage=State(r.state).value.replace("_", " "),
            started_on=started[r.id].date() if r.id in started else None,
            decided_on=decided.get(r.id),
            decision=ROUTE_WORDS.get(r.route or "") if r.id in decided else None,
            completed_on=completed.get(r.id),
            published_on=published[r.id].published_at.date() if r.id in published else None,
            published_as=_published_as(published[r.id]) if r.id in published else None,
        )
        for r in reviews
    ]


def _published_as(row: PublishedReport) -> str:
    return "report" if row.variant == DocumentKind.FULL.value else "summary of improvements"


def _themes(session: Session, review_ids: Sequence[int]) -> tuple[tuple[str, int], ...]:
    """Each theme the findings of these reviews carry (their own or their review's), most found first."""
    if not review_ids:
        return ()
    query = (
        select(TrendCount.theme, func.sum(TrendCount.count))
        .where(TrendCount.kind == "theme", TrendCount.review_id.in_(review_ids))
        .group_by(TrendCount.theme)
    )
    vocabulary = vocabulary_of(session)
    counted = [(vocabulary.get(theme, theme), n) for theme, n in session.execute(query) if theme is not None]
    return tuple(sorted(counted, key=lambda item: (-item[1], item[0].casefold())))


def _done_with_evidence(action: Action) -> bool:
    return action.status in ("done", "verified") and bool((action.evidence_of_impact or "").strip())


def _progress(session: Session, lines: Sequence[ReviewLine], today: date) -> tuple[ActionProgress, ...]:
    if not lines:
        return ()
    actions = session.scalars(select(Action).where(Action.review_id.in_([r.review_id for r in lines])))
    by_review: dict[int, list[Action]] = {}
    for action in actions:
        by_review.setdefault(action.review_id, []).append(action)
    out = []
    for line in lines:
        mine = by_review.get(line.review_id, [])
        statuses = Counter(action.status for action in mine)
        out.append(
            ActionProgress(
                review_id=line.review_id,
                child_pseudonym=line.child_pseudonym,
                by_status=tuple((label, statuses[key]) for key, label in ACTION_STATUS_LABELS.items()),
                overdue=sum(is_overdue(due_on=a.due_on, status=a.status, today=today) for a in mine),
                with_evidence=sum(1 for a in mine if _done_with_evidence(a)),
            )
        )
    return tuple(out)
