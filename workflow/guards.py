"""Guards: pure functions from a review's facts (and a trigger's parameters) to unmet reasons.

Every guard of a trigger is evaluated, so a refusal lists every reason at once. Reasons are written
for a coordinator, not a developer. Warnings do not refuse; they are shown beside the action. Each guard
declares the facts it reads (`Guard.needs`), and the service gathers only those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from workflow.clocks import add_working_days
from workflow.ports import AnalysisNeed, AnalysisSnapshot
from workflow.regimes import Regime
from workflow.regimes.base import Recipient
from workflow.states import ReviewRole, Route, Trigger

ANALYSIS_UNAVAILABLE = (
    "The analysis facts for this review are not available (no analysis module is connected), "
    "so this step cannot be checked."
)


ANONYMISATION_NOT_KNOWN = (
    "The anonymisation check has not been run on the report as it stands: it runs on the publication "
    "page, and again when the report is published."
)


class ReviewNeed(StrEnum):
    """A fact about the review itself that is not on its row."""

    MEMBERS = "members"
    REPORT_NOTICES = "report_notices"  # read from the audit log
    PANEL_RESPONSE = "panel_response"  # the national panel's response to the rapid review


Need = ReviewNeed | AnalysisNeed


@dataclass(frozen=True)
class MemberFacts:
    membership_id: int
    name: str
    role: ReviewRole
    agency: str | None


@dataclass(frozen=True)
class ReviewFacts:
    """Everything a guard may look at, as plain data (the parts no guard of the trigger needs are
    left empty: `members`, `report_notices` and the parts of `analysis`)."""

    regime: Regime
    date_of_awareness: date | None
    incident_outcome: str | None
    agencies_involved: tuple[str, ...]
    criteria_answers: Mapping[str, str]
    research_questions: tuple[str, ...]
    agencies_in_scope: tuple[str, ...]
    panel_exemptions: Mapping[str, str]
    members: tuple[MemberFacts, ...]
    publication_hold: bool
    # The day the final report (or the summary of improvements) was sent to each recipient.
    report_notices: Mapping[Recipient, date]
    analysis: AnalysisSnapshot | None
    today: date
    paused_from: str | None = None
    # The national panel's response to the rapid review (agrees, disagrees, national_review), or None.
    panel_response: str | None = None

    def with_role(self, role: ReviewRole) -> tuple[MemberFacts, ...]:
        return tuple(m for m in self.members if m.role == role)


@dataclass(frozen=True)
class Verdict:
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # What the trigger's audit row records besides its parameters: what the person accepted by firing
    # it (`approve`: the acknowledged quality warnings).
    recorded: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return not self.reasons


@dataclass
class _Findings:
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    recorded: dict[str, Any] = field(default_factory=dict)


Params = Mapping[str, Any] | None
_Guard = Callable[[ReviewFacts, Params, _Findings], None]


def _text(params: Params, key: str) -> str:
    value = (params or {}).get(key)
    return value.strip() if isinstance(value, str) else ""


def _referral_complete(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    if facts.date_of_awareness is None:
        out.reasons.append("The referral has no date of awareness.")
    if not facts.incident_outcome:
        out.reasons.append("The referral does not say what type of incident it was.")
    if not facts.agencies_involved:
        out.reasons.append("The referral lists no agencies involved.")


def _decision_recorded(facts: ReviewFacts, params: Params, out: _Findings) -> None:
    unanswered = facts.regime.unanswered(facts.criteria_answers)
    if unanswered:
        out.reasons.append(
            f"{len(unanswered)} criteria question(s) are not answered: "
            + "; ".join(q.text for q in unanswered)
        )
    if params is None:
        return
    route = params.get("route")
    if route not in {r.value for r in Route}:
        out.reasons.append("Choose the route: statutory review, learning review or no review.")
    if not _text(params, "rationale"):
        out.reasons.append("Record the rationale for the decision.")
    recommendation = None if unanswered else facts.regime.recommend(facts.criteria_answers)
    if (
        recommendation
        and route
        and route != recommendation.route
        and not _text(params, "departure_rationale")
    ):
        out.reasons.append(
            f"The decision departs from the recommended route "
            f"({facts.regime.route_name(recommendation.route)}): record why."
        )


def _panel_responded(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    """Under WT2023 (from version 2) the partners decide informed by the national panel's response to
    the rapid review, so `decide` waits for it whenever a rapid review follows the incident."""
    regime = facts.regime
    if not regime.panel_response_before_decision or facts.panel_response is not None:
        return
    if regime.what_follows(facts.criteria_answers).rapid_review:
        out.reasons.append(
            "The national panel's response to the rapid review is not recorded: the safeguarding "
            "partners decide once the rapid review has been sent and the panel has responded."
        )


def _scope_confirmed(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    if not facts.research_questions:
        out.reasons.append("Add at least one research question to the terms of reference.")
    if len(facts.agencies_in_scope) < 2:
        out.reasons.append("At least two agencies must be in scope of a multi-agency review.")
    leads = facts.with_role(ReviewRole.LEAD_REVIEWER)
    if not leads:
        out.reasons.append("Appoint at least one lead reviewer.")
    elif len(leads) == 1:
        out.warnings.append("Only one lead reviewer is appointed; two are recommended.")


def _team_convened(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    panel_agencies = {m.agency for m in facts.with_role(ReviewRole.PANEL_MEMBER)}
    for agency in facts.agencies_in_scope:
        if agency not in panel_agencies and agency not in facts.panel_exemptions:
            out.reasons.append(f"{agency} has no panel member and no recorded reason why not.")
    if not facts.with_role(ReviewRole.CASE_GROUP):
        out.reasons.append("The case group has no practitioner yet.")


def _narratives_in(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    analysis = facts.analysis
    if analysis is None:
        out.reasons.append(ANALYSIS_UNAVAILABLE)
        return
    for agency in facts.agencies_in_scope:
        if agency not in analysis.narratives_submitted and agency not in analysis.narrative_exemptions:
            out.reasons.append(f"{agency} has not submitted its narrative and has no exemption.")


def _analysis_complete(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    analysis = facts.analysis
    if analysis is None:
        out.reasons.append(ANALYSIS_UNAVAILABLE)
        return
    if not analysis.episodes:
        out.reasons.append("Record at least one key practice episode.")
    for episode in analysis.episodes:
        name = f"Episode {episode.number} '{episode.title}'"
        if not episode.has_appraisal:
            out.reasons.append(f"{name} has no appraisal against expected practice.")
        if not episode.has_explanation or not episode.factors:
            out.reasons.append(f"{name} has no explanation with a contributory factor.")
        elif episode.valence == "problematic" and all(f.individual_level for f in episode.factors):
            out.reasons.append(f"{name} is problematic but explained only by individual-level factors.")
    for member in facts.with_role(ReviewRole.PANEL_MEMBER):
        done = analysis.panel_submitted | analysis.panel_waived
        if member.membership_id not in done:
            agency = f" ({member.agency})" if member.agency else ""
            out.reasons.append(
                f"Panel member {member.name}{agency} has not submitted their analysis "
                "and it has not been waived."
            )


def _findings_ready(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    analysis = facts.analysis
    if analysis is None:
        out.reasons.append(ANALYSIS_UNAVAILABLE)
        return
    if not analysis.findings:
        out.reasons.append("Write at least one finding.")
    for finding in analysis.findings:
        name = f"Finding {finding.number} '{finding.title}'"
        if finding.missing:
            out.reasons.append(f"{name} is incomplete: missing {', '.join(finding.missing)}.")
        if finding.linked_episodes < 1:
            out.reasons.append(f"{name} is not linked to any key practice episode.")
    out.reasons.extend(analysis.blocking_warnings)


def _approved_as_seen(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    """The chair approves what the sign-off page shows: no blocking warning stands (a name added to the
    register since submission makes one), and the audit row names every acknowledged warning."""
    analysis = facts.analysis
    if analysis is None:
        out.reasons.append(ANALYSIS_UNAVAILABLE)
        return
    out.reasons.extend(analysis.blocking_warnings)
    acknowledged = analysis.acknowledged_warnings
    out.recorded["acknowledged_warnings"] = [
        {
            "warning": a.warning,
            "reason": a.reason,
            "by": a.by,
            "at": a.at.isoformat() if a.at else None,
            "fingerprint": a.fingerprint,
        }
        for a in acknowledged
    ]
    if acknowledged:
        count = f"{len(acknowledged)} acknowledged quality warning" + ("" if len(acknowledged) == 1 else "s")
        out.warnings.append(
            f"Approving accepts {count}, listed on the sign-off page and recorded in the audit log."
        )


def _nothing_blocking(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    """Nothing is published while a blocking warning stands in any text the reports print: the board's
    response and actions are written after approval, so `approve` cannot have seen theirs."""
    if facts.analysis is None:
        out.reasons.append(ANALYSIS_UNAVAILABLE)
        return
    out.reasons.extend(facts.analysis.blocking_unworded)


def _comment_required(key: str, what: str) -> _Guard:
    def guard(_facts: ReviewFacts, params: Params, out: _Findings) -> None:
        if params is not None and not _text(params, key):
            out.reasons.append(what)

    return guard


def _ready_to_publish(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    if facts.publication_hold:
        out.reasons.append("A publication hold is in force.")
    _notices_given(facts, out, "report")
    analysis = facts.analysis
    if analysis is None:
        out.reasons.append(ANALYSIS_UNAVAILABLE)
        return
    if not analysis.board_response_recorded:
        lacking = ", ".join(analysis.findings_without_response)
        out.reasons.append(
            "The board's response has not been recorded" + (f" for {lacking}." if lacking else ".")
        )
    if not analysis.anonymisation_known:
        out.warnings.append(ANONYMISATION_NOT_KNOWN)
    elif analysis.anonymisation_hits is None:
        out.reasons.append("The anonymisation check could not be run on the report.")
    else:
        out.reasons.extend(f"Anonymisation check: {hit}" for hit in analysis.anonymisation_hits)


def _notices_given(facts: ReviewFacts, out: _Findings, document: str) -> None:
    """Each recipient the regime names was sent the document at least the notice period before today:
    one reason per recipient missing or too recent."""
    days = facts.regime.publication_notice_working_days
    for recipient in facts.regime.report_notice_to:
        sent = facts.report_notices.get(recipient)
        if sent is None:
            out.reasons.append(
                f"The {document} has not been sent to {recipient.label}: record the notice "
                f"(at least {days} working days before publication)."
            )
            continue
        earliest = add_working_days(sent, days)
        if facts.today < earliest:
            out.reasons.append(
                f"The notice to {recipient.label} was given on {sent:%-d %B %Y}, less than {days} working "
                f"days ago: publication is possible from {earliest:%A %-d %B %Y}."
            )


def _summary_notices_given(facts: ReviewFacts, params: Params, out: _Findings) -> None:
    """Declining publication publishes the summary of improvements instead, with the same notice
    where the regime asks for it."""
    if facts.regime.summary_notice:
        _notices_given(facts, out, "summary of improvements")


def _register_readable(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    """Fail closed: the "person named" warning and the anonymisation check need the sealed register's
    real names, so a register that cannot be read refuses the steps that rely on them."""
    if facts.analysis is not None and facts.analysis.register_problem:
        out.reasons.append(facts.analysis.register_problem + ".")


def _actions_tracked(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    analysis = facts.analysis
    if analysis is None:
        out.reasons.append(ANALYSIS_UNAVAILABLE)
        return
    for action in analysis.actions:
        missing = [
            word
            for word, present in (
                ("an owner agency", action.has_owner),
                ("a due date", action.has_due_date),
                ("a status", action.has_status),
            )
            if not present
        ]
        if missing:
            out.reasons.append(f"Action '{action.title}' is missing {' and '.join(missing)}.")


def _resumable(facts: ReviewFacts, _params: Params, out: _Findings) -> None:
    if not facts.paused_from:
        out.reasons.append("The review does not record the stage it was paused in.")


@dataclass(frozen=True)
class Guard:
    check: _Guard
    needs: frozenset[Need] = frozenset()


def _guard(check: _Guard, *needs: Need) -> Guard:
    return Guard(check, frozenset(needs))


A = AnalysisNeed
GUARDS: dict[Trigger, tuple[Guard, ...]] = {
    Trigger.OPEN_SCREENING: (_guard(_referral_complete),),
    Trigger.DECIDE: (_guard(_decision_recorded), _guard(_panel_responded, ReviewNeed.PANEL_RESPONSE)),
    Trigger.CONFIRM_SCOPE: (_guard(_scope_confirmed, ReviewNeed.MEMBERS),),
    Trigger.CONVENE: (_guard(_team_convened, ReviewNeed.MEMBERS),),
    Trigger.BEGIN_ANALYSIS: (_guard(_narratives_in, A.NARRATIVES),),
    Trigger.DRAFT_FINDINGS: (_guard(_analysis_complete, ReviewNeed.MEMBERS, A.EPISODES, A.PANEL),),
    Trigger.SUBMIT_FOR_SIGNOFF: (
        _guard(_findings_ready, A.FINDINGS),
        _guard(_register_readable, A.REGISTER),
    ),
    Trigger.APPROVE: (_guard(_approved_as_seen, A.FINDINGS), _guard(_register_readable, A.REGISTER)),
    Trigger.RETURN_FOR_REVISION: (
        _guard(_comment_required("comment", "Say what needs revising (comments are required).")),
    ),
    Trigger.PUBLISH: (
        _guard(_ready_to_publish, ReviewNeed.REPORT_NOTICES, A.BOARD_RESPONSE, A.ANONYMISATION),
        _guard(_nothing_blocking, A.FINDINGS),
        _guard(_register_readable, A.REGISTER),
    ),
    Trigger.DECLINE_PUBLICATION: (
        _guard(_comment_required("rationale", "Record why the report will not be published.")),
        _guard(_summary_notices_given, ReviewNeed.REPORT_NOTICES),
    ),
    Trigger.REOPEN_FOR_CORRECTION: (
        _guard(_comment_required("reason", "Say what needs correcting (a reason is required).")),
    ),
    Trigger.CLOSE: (_guard(_actions_tracked, A.ACTIONS),),
    Trigger.PAUSE: (_guard(_comment_required("reason", "Record why the review is paused.")),),
    Trigger.RESUME: (_guard(_resumable),),
    Trigger.WITHDRAW: (_guard(_comment_required("reason", "Record why the review is withdrawn.")),),
}

# Which parameter of each trigger carries the words kept in the audit row.
REASON_PARAM: dict[Trigger, str] = {
    Trigger.DECIDE: "rationale",
    Trigger.RETURN_FOR_REVISION: "comment",
    Trigger.DECLINE_PUBLICATION: "rationale",
    Trigger.REOPEN_FOR_CORRECTION: "reason",
    Trigger.PAUSE: "reason",
    Trigger.WITHDRAW: "reason",
}


def needs_of(triggers: Iterable[Trigger]) -> frozenset[Need]:
    """Every fact the guards of these triggers read."""
    return frozenset(need for trigger in triggers for guard in GUARDS[trigger] for need in guard.needs)


def analysis_needs(needs: Iterable[Need]) -> frozenset[AnalysisNeed]:
    return frozenset(need for need in needs if isinstance(need, AnalysisNeed))


def evaluate(trigger: Trigger, facts: ReviewFacts, params: Params) -> Verdict:
    """Every guard of `trigger`. With `params=None` the checks of the trigger's own input are
    skipped (used to tell a page which actions it can offer before the person types anything)."""
    out = _Findings()
    for guard in GUARDS[trigger]:
        guard.check(facts, params, out)
    return Verdict(tuple(out.reasons), tuple(out.warnings), out.recorded)
