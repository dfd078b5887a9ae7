"""Reviews and everything hung on them: criteria, scope, members, triggers, holds, notices, audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import (
    Body,
    Reason,
    UtcDateTime,
)
from findings.exchange.service import Provenance
from workflow.audit import ChainReport
from workflow.clocks import Clock
from workflow.models import AuditEntry, Membership
from workflow.regimes.base import Recipient
from workflow.service import ReportNotice, ReviewDetail, TriggerOption
from workflow.states import STATE_LABELS, ReviewRole, Route, State, Trigger

# ---- the review ---------------------------------------------------------------------------------


class IncidentOut(BaseModel):
    outcome: str | None
    abuse_or_neglect: str | None
    date_of_awareness: date | None
    summary: str


class RegimeOut(BaseModel):
    key: str
    version: int
    title: str


class OptionOut(BaseModel):
    code: str
    label: str


class QuestionOut(BaseModel):
    key: str
    text: str
    hint: str
    options: list[OptionOut]


class RecommendationOut(BaseModel):
    route: Route
    name: str
    reasons: list[str]


class FollowsOut(BaseModel):
    """What the incidents answered yes require (WT2023 from version 2; empty under other regimes)."""

    incidents: list[str] = Field(description="The notifiable incidents answered yes, in words.")
    notified: list[str] = Field(description="Who must be notified: panel, secretary_of_state, ofsted.")
    rapid_review: bool = Field(description="Whether a rapid review follows.")
    decided_by: list[ReviewRole] = Field(description="The review roles that record the route decision.")
    weighed: list[str] = Field(description="Matters the deciders weigh in deciding on a statutory review.")


class CriteriaOut(BaseModel):
    questions: list[QuestionOut]
    answers: dict[str, str]
    recommendation: RecommendationOut | None = Field(
        description="The route the regime recommends; null until every question is answered."
    )
    follows: FollowsOut


class ScopeOut(BaseModel):
    research_questions: list[str]
    period_start: date | None
    period_end: date | None
    agencies_in_scope: list[str]
    panel_exemptions: dict[str, str]


class DecisionOut(BaseModel):
    route: Route | None
    review_type: str | None
    rationale: str | None
    departure_rationale: str | None


class HoldOut(BaseModel):
    held: bool
    reason: str | None


class ClockOut(BaseModel):
    key: str
    label: str
    due: date
    unit: str
    days_remaining: int
    overdue: bool
    met_on: date | None
    earliest: bool = Field(description="An 'earliest' clock says when something may happen; never overdue.")

    @classmethod
    def of(cls, clock: Clock) -> ClockOut:
        return cls(
            key=clock.key,
            label=clock.label,
            due=clock.due,
            unit=clock.unit.value,
            days_remaining=clock.days_remaining,
            overdue=clock.overdue,
            met_on=clock.met_on,
            earliest=clock.earliest,
        )


class ReportNoticeOut(BaseModel):
    recipient: Recipient
    label: str = Field(description="Who: 'the national panel', 'the Secretary of State', 'Ofsted'.")
    sent_on: date | None = Field(description="The day the final report was sent to them; null: not yet.")
    publishable_from: date | None = Field(
        description="The first day publication is possible as far as this notice goes."
    )

    @classmethod
    def of(cls, notice: ReportNotice) -> ReportNoticeOut:
        return cls(
            recipient=notice.recipient,
            label=notice.recipient.label,
            sent_on=notice.sent_on,
            publishable_from=notice.publishable_from,
        )


class ReviewOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "version": 7,
                    "state": "scoping",
                    "state_label": "Scoping",
                    "paused_from": None,
                    "regime": {"key": "wt2023", "version": 2, "title": "Working Together 2023"},
                    "review_type": "Local child safeguarding practice review",
                    "child_pseudonym": "Alice",
                    "incident": {
                        "outcome": "serious_harm",
                        "abuse_or_neglect": "suspected",
                        "date_of_awareness": "2026-10-05",
                        "summary": "Admitted to hospital with injuries inconsistent with the account given.",
                    },
                    "agencies_involved": ["Police", "Health", "Children's social care", "Education"],
                    "criteria": {
                        "questions": [
                            {
                                "key": "abuse_or_neglect",
                                "text": "Is abuse or neglect known or suspected?",
                                "hint": "",
                                "options": [
                                    {"code": "known", "label": "Known"},
                                    {"code": "suspected", "label": "Suspected"},
                                ],
                            }
                        ],
                        "answers": {"abuse_or_neglect": "suspected"},
                        "recommendation": {
                            "route": "statutory",
                            "name": "Local child safeguarding practice review",
                            "reasons": ["Serious harm, and abuse or neglect is suspected."],
                        },
                        "follows": {
                            "incidents": [
                                "Abuse or neglect known or suspected, and the child died or was "
                                "seriously harmed in England"
                            ],
                            "notified": ["panel"],
                            "rapid_review": True,
                            "decided_by": ["safeguarding_partner"],
                            "weighed": ["concerns about a single agency"],
                        },
                    },
                    "decision": {
                        "route": "statutory",
                        "review_type": "Local child safeguarding practice review",
                        "rationale": "The criteria are met.",
                        "departure_rationale": None,
                    },
                    "scope": {
                        "research_questions": ["How did agencies share what they knew about the home?"],
                        "period_start": "2025-09-01",
                        "period_end": "2026-10-05",
                        "agencies_in_scope": ["Police", "Health", "Children's social care", "Education"],
                        "panel_exemptions": {},
                    },
                    "publication_hold": {"held": False, "reason": None},
                    "clocks": [
                        {
                            "key": "rapid_review",
                            "label": "Rapid review to the national panel",
                            "due": "2026-10-20",
                            "unit": "working_days",
                            "days_remaining": 0,
                            "overdue": False,
                            "met_on": "2026-10-16",
                            "earliest": False,
                        }
                    ],
                    "your_roles": ["coordinator"],
                    "created_at": "2026-10-06T08:30:00Z",
                    "updated_at": "2026-11-20T14:02:11Z",
                    "warnings": [],
                }
            ]
        }
    )

    id: int
    version: int = Field(description='Send it back as If-Match: "<version>" with a change.')
    state: State
    state_label: str
    paused_from: State | None
    regime: RegimeOut
    review_type: str | None = Field(description="The regime's name of the decided route.")
    child_pseudonym: str
    incident: IncidentOut
    agencies_involved: list[str]
    criteria: CriteriaOut
    decision: DecisionOut
    scope: ScopeOut
    publication_hold: HoldOut
    clocks: list[ClockOut]
    report_notices: list[ReportNoticeOut] = Field(
        default_factory=list,
        description="The final report notices the regime asks for before publication, each with its day.",
    )
    your_roles: list[ReviewRole]
    created_at: UtcDateTime
    updated_at: UtcDateTime
    warnings: list[str] = Field(
        default_factory=list,
        description="Only in the answer that logged the referral: what to check, e.g. a second referral "
        "for the same child and date of awareness (a warning, not a refusal).",
    )

    @classmethod
    def of(cls, detail: ReviewDetail, warnings: Sequence[str] = ()) -> ReviewOut:
        review, regime = detail.review, detail.regime
        recommendation = detail.recommendation
        follows = regime.what_follows(review.criteria_answers)
        return cls(
            id=review.id,
            version=review.version,
            state=State(review.state),
            state_label=STATE_LABELS[State(review.state)],
            paused_from=State(review.paused_from) if review.paused_from else None,
            regime=RegimeOut(key=regime.key, version=regime.version, title=regime.title),
            review_type=detail.review_type,
            child_pseudonym=review.child_pseudonym,
            incident=IncidentOut(
                outcome=review.incident_outcome,
                abuse_or_neglect=review.abuse_or_neglect,
                date_of_awareness=review.date_of_awareness,
                summary=review.incident_summary,
            ),
            agencies_involved=list(review.agencies_involved),
            criteria=CriteriaOut(
                questions=[
                    QuestionOut(
                        key=q.key,
                        text=q.text,
                        hint=q.hint,
                        options=[OptionOut(code=code, label=label) for code, label in q.options],
                    )
                    for q in regime.questions
                ],
                answers=dict(review.criteria_answers),
                follows=FollowsOut(
                    incidents=[i.label for i in follows.incidents],
                    notified=[r.value for r in follows.notified],
                    rapid_review=follows.rapid_review,
                    decided_by=sorted(regime.deciders),
                    weighed=list(regime.weighed),
                ),
                recommendation=RecommendationOut(
                    route=recommendation.route,
                    name=regime.route_name(recommendation.route),
                    reasons=list(recommendation.reasons),
                )
                if recommendation
                else None,
            ),
            decision=DecisionOut(
                route=Route(review.route) if review.route else None,
                review_type=detail.review_type,
                rationale=review.decision_rationale,
                departure_rationale=review.departure_rationale,
            ),
            scope=ScopeOut(
                research_questions=list(review.research_questions),
                period_start=review.period_start,
                period_end=review.period_end,
                agencies_in_scope=list(review.agencies_in_scope),
                panel_exemptions=dict(review.panel_exemptions),
            ),
            publication_hold=HoldOut(held=review.publication_hold, reason=review.publication_hold_reason),
            clocks=[ClockOut.of(clock) for clock in detail.clocks],
            report_notices=[ReportNoticeOut.of(notice) for notice in detail.report_notices_due],
            your_roles=sorted(detail.roles),
            created_at=review.created_at,
            updated_at=review.updated_at,
            warnings=list(warnings),
        )


class ReviewList(BaseModel):
    items: list[ReviewOut]
    total: int


# ---- changes ------------------------------------------------------------------------------------


class TriggerParams(Body):
    """The parameters a trigger may need; each trigger reads the ones it needs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "route": "learning",
                    "rationale": "No statutory criteria met; the learning is about the handover between "
                    "health visiting and school nursing.",
                }
            ]
        }
    )

    route: Route | None = Field(default=None, description="decide: the route chosen.")
    rationale: Reason | None = Field(
        default=None, description="decide, decline_publication: the reasons for the decision."
    )
    departure_rationale: Reason | None = Field(
        default=None, description="decide: why the decision departs from the recommended route."
    )
    comment: Reason | None = Field(default=None, description="return_for_revision: what needs revising.")
    reason: Reason | None = Field(
        default=None, description="pause, withdraw: why; reopen_for_correction: what needs correcting."
    )


# ---- members ------------------------------------------------------------------------------------


class MemberOut(BaseModel):
    id: int
    user_id: int
    name: str
    email: str
    role: ReviewRole
    agency: str | None
    declared_interest: str | None

    @classmethod
    def of(cls, membership: Membership) -> MemberOut:
        return cls(
            id=membership.id,
            user_id=membership.user_id,
            name=membership.user.name,
            email=membership.user.email,
            role=ReviewRole(membership.role),
            agency=membership.agency,
            declared_interest=membership.declared_interest,
        )


class MemberList(BaseModel):
    items: list[MemberOut]
    total: int


# ---- triggers -----------------------------------------------------------------------------------


class TriggerOptionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "trigger": "convene",
                    "label": "Convene the review panel",
                    "allowed": False,
                    "reasons": ["Police has no panel member and no recorded reason why not."],
                    "warnings": [],
                }
            ]
        }
    )

    trigger: Trigger
    label: str
    allowed: bool = Field(description="Whether the caller may fire it now.")
    reasons: list[str] = Field(description="Why not, in words; empty when allowed.")
    warnings: list[str]

    @classmethod
    def of(cls, option: TriggerOption) -> TriggerOptionOut:
        return cls(
            trigger=option.trigger,
            label=option.label,
            allowed=option.allowed,
            reasons=list(option.reasons),
            warnings=list(option.warnings),
        )


class TriggerList(BaseModel):
    items: list[TriggerOptionOut]
    total: int


# ---- audit --------------------------------------------------------------------------------------


class AuditEntryOut(BaseModel):
    seq: int
    at: UtcDateTime
    actor_id: int | None
    actor_name: str | None
    via: str | None  # set when the change came through the command line: its OS user and account
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    params: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=entry.actor.name if entry.actor else None,
            via=entry.via,
            action=entry.action,
            from_state=entry.from_state,
            to_state=entry.to_state,
            reason=entry.reason,
            params=dict(entry.params),
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class AuditList(BaseModel):
    items: list[AuditEntryOut]
    total: int

    @classmethod
    def page(cls, entries: Sequence[AuditEntry], limit: int, offset: int) -> AuditList:
        return cls(items=[AuditEntryOut.of(e) for e in entries[offset : offset + limit]], total=len(entries))


class ChainOut(BaseModel):
    intact: bool
    entries: int = Field(description="How many entries are present.")
    recorded: int | None = Field(
        description="How many entries the chain's anchor records (the review's row; for the accounts "
        "log, its own); more than `entries` when entries were removed."
    )
    broken_at: int | None = Field(description="The first entry a problem concerns.")
    problem: str | None = Field(description="The first problem, in words.")
    problems: list[str] = Field(description="Every problem, in words (at most ten, then how many more).")

    @classmethod
    def of(cls, report: ChainReport) -> ChainOut:
        return cls(
            intact=report.intact,
            entries=report.entries,
            recorded=report.recorded,
            broken_at=report.broken_at,
            problem=report.problem,
            problems=list(report.problems),
        )


class ProvenanceOut(BaseModel):
    """The check of an imported review's provenance: what its file said of its past elsewhere, kept
    apart from this review's own log and never published here."""

    intact: bool
    source_review_id: int = Field(description="The review's id in the Tunnelview it was exported from.")
    file_sha256: str = Field(
        description="The SHA-256 of the imported file, as the `imported` entry names it."
    )
    state_there: str = Field(description="The review's state there, as the file said (never its state here).")
    entries: int = Field(description="How many entries of the imported log are present.")
    recorded: int = Field(description="How many the import kept.")
    hashed: bool = Field(description="Whether the file carried the exporting system's hashes, checked here.")
    documents: int = Field(description="How many frozen documents of its publication there were kept.")
    problems: list[str]

    @classmethod
    def of(cls, kept: Provenance) -> ProvenanceOut:
        r = kept.report
        return cls(
            intact=r.intact,
            source_review_id=r.source_review_id,
            file_sha256=kept.record.file_sha256,
            state_there=r.state_there,
            entries=r.entries,
            recorded=r.recorded,
            hashed=r.hashed,
            documents=r.documents,
            problems=list(r.problems),
        )


class ReviewChainOut(ChainOut):
    provenance: ProvenanceOut | None = Field(
        description="For a review imported from another Tunnelview, the check of its provenance; else null."
    )

    @classmethod
    def of_review(cls, report: ChainReport, kept: Provenance | None) -> ReviewChainOut:
        return cls(
            **ChainOut.of(report).model_dump(),
            provenance=ProvenanceOut.of(kept) if kept is not None else None,
        )
