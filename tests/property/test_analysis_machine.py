"""A Hypothesis state machine over the analysis: random members add narrative entries, submit
narratives, record episodes and factors, write and reword findings, submit or waive panel analyses,
acknowledge warnings (a blocking one is refused), respond for the board and fire random triggers,
all through the real services with the real guard facts (`FindingsFacts`, not a double). After every step:

- the review is in a valid state, and a final state never changes again;
- the audit log has exactly one row per accepted change (refused changes leave nothing behind);
- the hash chain verifies;
- the review's version moved once per audit row (every change was serialised through it).

Each example starts from a review at the data-gathering stage (the lifecycle machine covers the
stages before it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from findings.analysis.board import AddAction, BoardService, RecordBoardResponse
from findings.analysis.episodes import AddEpisode
from findings.analysis.factors import AddFactor
from findings.analysis.findings import AddEvidence, AddFinding, AddQuestion, ChangeFinding, FindingService
from findings.analysis.narratives import AddEntry, ExemptNarrative
from findings.analysis.panel import SavePanelAnalysis, WaivePanelAnalysis
from findings.analysis.quality import Code
from findings.analysis.warnings import AcknowledgeWarning, WarningService
from tests.findings_support import Analysis, real_services
from tests.support import AGENCIES, examples
from workflow import audit
from workflow.commands import MAX_ID
from workflow.errors import DomainError
from workflow.models import Review
from workflow.notices import RecordNotice
from workflow.states import FINAL_STATES, State, Trigger

PANEL = {"Police": "police", "Health": "health", "Children's social care": "social"}
MEMBERS = ("coordinator", "chair", "lead", "police", "health", "social", "practitioner", "outsider")
# "right" is the member the action is meant for; the others are anyone else (often refused).
WHO = st.sampled_from(("right", "right", "right", "right", *MEMBERS))
# Forward triggers come up more often than the ones that end or interrupt a review.
FORWARD = (
    Trigger.BEGIN_ANALYSIS,
    Trigger.DRAFT_FINDINGS,
    Trigger.SUBMIT_FOR_SIGNOFF,
    Trigger.APPROVE,
    Trigger.PUBLISH,
    Trigger.CLOSE,
)
TRIGGERS = st.sampled_from((*FORWARD, *FORWARD, *FORWARD, *Trigger))
AGENCY = st.sampled_from(AGENCIES)
TRIGGER_PARAMS = {
    "route": "statutory",
    "rationale": "Recorded.",
    "comment": "Please revise.",
    "reason": "Noted.",
}


# The happy path as rule calls with the right members: begin_analysis, draft_findings,
# submit_for_signoff and approve each come after what their guards need.
PLAIN_STATEMENT = "Appointment systems treat a child not brought as the family's choice."

HAPPY_PATH: tuple[tuple[str, tuple[Any, ...]], ...] = (
    *(("add_entry", ("right", agency, True)) for agency in AGENCIES),
    *(("submit_narrative", ("right", agency)) for agency in AGENCIES),
    ("fire", ("right", Trigger.BEGIN_ANALYSIS)),
    ("add_episode", ("right", "problematic", True)),
    ("add_factor", ("right", 0, ("frontline", "conditions_of_work"))),
    *(("submit_panel_analysis", ("right", agency)) for agency in AGENCIES),
    ("fire", ("right", Trigger.DRAFT_FINDINGS)),
    ("add_finding", ("right", True, False)),
    ("fire", ("right", Trigger.SUBMIT_FOR_SIGNOFF)),
    ("fire", ("right", Trigger.APPROVE)),
)


def make_machine(sessions: Any, clock: Any, people: Any) -> type[RuleBasedStateMachine]:
    class AnalysisMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.reviews = real_services(sessions, clock, anonymisation_clean=True)
            self.analysis = Analysis(self.reviews, people).gathering()
            self.review_id = self.analysis.review_id
            self.accepted = 0
            self.base = self._audit_rows()
            self.final: str | None = None
            self.episodes: list[int] = []
            self.findings_made: list[int] = []
            self.statements = FindingService(self.reviews, today=clock)
            self.board = BoardService(self.reviews, today=clock)
            self.warnings = WarningService(self.reviews, today=clock)

        @initialize(steps=st.integers(min_value=0, max_value=len(HAPPY_PATH)))
        def start_somewhere(self, steps: int) -> None:
            """Walk part of the happy path first, so random steps also start from later stages."""
            for name, args in HAPPY_PATH[:steps]:
                getattr(self, name)(*args)

        # ---- helpers ---------------------------------------------------------------------------

        def _audit_rows(self) -> int:
            with sessions() as session:
                return len(audit.entries_of(session, self.review_id))

        def actor(self, who: str, right: str) -> int:
            cast = self.analysis.cast
            ids = {
                "coordinator": cast.coordinator,
                "chair": cast.chair,
                "lead": cast.lead,
                "police": cast.panel["Police"],
                "health": cast.panel["Health"],
                "social": cast.panel["Children's social care"],
                "practitioner": cast.practitioner,
                "outsider": cast.outsider,
            }
            return ids[right if who == "right" else who]

        def attempt(self, change: Callable[[], Any]) -> Any:
            """Run one change; count it when accepted. Domain refusals are expected; anything else
            is a bug and fails the test."""
            try:
                result = change()
            except DomainError:
                return None
            self.accepted += 1
            return result

        def version_of(self, read: Callable[[], Any]) -> int | None:
            try:
                return int(read().version)
            except DomainError:
                return None

        # ---- narratives ------------------------------------------------------------------------

        @rule(who=WHO, agency=AGENCY, significant=st.booleans())
        def add_entry(self, who: str, agency: str, significant: bool) -> None:
            self.attempt(
                lambda: self.analysis.narrative_service.add_entry(
                    review_id=self.review_id,
                    actor=self.actor(who, PANEL[agency]),
                    agency=agency,
                    command=AddEntry(
                        occurred_on=date(2025, 3, 4),
                        what_happened="Alice was not brought to the dental appointment.",
                        significant=significant,
                        aware={"Police": None},
                    ),
                )
            )

        @rule(who=WHO, agency=AGENCY)
        def submit_narrative(self, who: str, agency: str) -> None:
            coordinator = self.analysis.cast.coordinator
            version = self.version_of(
                lambda: self.analysis.narrative_service.get(
                    review_id=self.review_id, actor=coordinator, agency=agency
                )
            )
            self.attempt(
                lambda: self.analysis.narrative_service.submit(
                    review_id=self.review_id,
                    actor=self.actor(who, PANEL[agency]),
                    agency=agency,
                    expected_version=version,
                )
            )

        @rule(who=WHO, agency=AGENCY)
        def exempt_narrative(self, who: str, agency: str) -> None:
            self.attempt(
                lambda: self.analysis.narrative_service.record_exemption(
                    review_id=self.review_id,
                    actor=self.actor(who, "coordinator"),
                    agency=agency,
                    command=ExemptNarrative(reason="No involvement in the period."),
                )
            )

        # ---- episodes and factors --------------------------------------------------------------

        @rule(who=WHO, valence=st.sampled_from(("good", "problematic", "mixed")), appraised=st.booleans())
        def add_episode(self, who: str, valence: str, appraised: bool) -> None:
            episode = self.attempt(
                lambda: self.analysis.episodes.add(
                    review_id=self.review_id,
                    actor=self.actor(who, "lead"),
                    command=AddEpisode.model_validate(
                        {
                            "title": "Dental appointments missed",
                            "valence": valence,
                            "agencies": ["Health"],
                            "appraisal": "Expected practice links dental decay with neglect."
                            if appraised
                            else "",
                            "appraisal_reference": "RCPCH 2009" if appraised else "",
                            "explanation": "Appointment systems do not ask who brings the child.",
                        }
                    ),
                )
            )
            if episode is not None:
                self.episodes.append(episode.id)

        @rule(
            who=WHO,
            pick=st.integers(min_value=0, max_value=5),
            code=st.sampled_from((("frontline", "personal"), ("frontline", "conditions_of_work"))),
        )
        def add_factor(self, who: str, pick: int, code: tuple[str, str]) -> None:
            episode_ids = [self.episodes[pick % len(self.episodes)]] if self.episodes else []
            self.attempt(
                lambda: self.analysis.factors.add(
                    review_id=self.review_id,
                    actor=self.actor(who, "lead"),
                    command=AddFactor(
                        level=code[0],
                        category=code[1],
                        description="Dental practices have no route to share non-attendance.",
                        episode_ids=episode_ids,
                    ),
                )
            )

        # ---- panel analyses --------------------------------------------------------------------

        @rule(who=WHO, agency=AGENCY)
        def submit_panel_analysis(self, who: str, agency: str) -> None:
            actor = self.actor(who, PANEL[agency])
            draft = self.attempt(
                lambda: self.analysis.panel.save(
                    review_id=self.review_id,
                    actor=actor,
                    expected_version=None,
                    command=SavePanelAnalysis(appraisal="The pattern was hard to see."),
                )
            )
            if draft is not None:
                self.attempt(
                    lambda: self.analysis.panel.submit(
                        review_id=self.review_id, actor=actor, expected_version=draft.version
                    )
                )

        @rule(who=WHO, agency=AGENCY)
        def waive_panel_analysis(self, who: str, agency: str) -> None:
            review = self.reviews.get(self.review_id, self.analysis.cast.coordinator).review
            user = self.analysis.cast.panel[agency]
            # A membership that is not theirs (MAX_ID: none) is refused by the service.
            membership = next((m.id for m in review.memberships if m.user_id == user), MAX_ID)
            self.attempt(
                lambda: self.analysis.panel.waive(
                    review_id=self.review_id,
                    actor=self.actor(who, "coordinator"),
                    command=WaivePanelAnalysis(membership_id=membership, reason="On leave."),
                )
            )

        # ---- findings and warnings -------------------------------------------------------------

        @rule(who=WHO, complete=st.booleans(), names_a_person=st.booleans())
        def add_finding(self, who: str, complete: bool, names_a_person: bool) -> None:
            actor = self.actor(who, "lead")
            statement = PLAIN_STATEMENT
            if names_a_person:
                statement = "Lena Lead's team could not see it. " + statement
            command = AddFinding(
                title="Children not brought are not seen",
                category="tools" if complete else None,
                statement=statement,
                context="Dental and GP practices each hold part of the picture.",
                how_it_showed="Three appointments were missed.",
                why_it_matters="Children depend on adults to reach care.",
                themes=["was_not_brought"] if complete else [],
                episode_ids=self.episodes[:1],
            )
            added = self.attempt(
                lambda: self.statements.add(review_id=self.review_id, actor=actor, command=command)
            )
            if added is None:
                return
            self.findings_made.append(added.finding.id)
            if complete:
                evidenced = self.attempt(
                    lambda: self.statements.add_evidence(
                        review_id=self.review_id,
                        actor=actor,
                        finding_id=added.finding.id,
                        expected_version=added.finding.version,
                        command=AddEvidence(
                            kind="research",
                            summary="Dental decay is linked with neglect.",
                            reference="Harris et al. 2009",
                        ),
                    )
                )
                if evidenced is not None:
                    self.attempt(
                        lambda: self.statements.add_question(
                            review_id=self.review_id,
                            actor=actor,
                            finding_id=evidenced.finding.id,
                            expected_version=evidenced.finding.version,
                            command=AddQuestion(
                                text="How will the board know whether a child not brought is followed up?"
                            ),
                        )
                    )

        @rule(who=WHO)
        def reword_findings(self, who: str) -> None:
            """Fix a finding that names a person (a blocking warning is only fixed)."""
            actor = self.actor(who, "lead")
            for finding_id in self.findings_made:
                version = self.version_of(
                    lambda finding_id=finding_id: self.statements.get(
                        review_id=self.review_id, actor=actor, finding_id=finding_id
                    )
                )
                self.attempt(
                    lambda finding_id=finding_id, version=version: self.statements.update(
                        review_id=self.review_id,
                        actor=actor,
                        finding_id=finding_id,
                        expected_version=version,
                        command=ChangeFinding(statement=PLAIN_STATEMENT),
                    )
                )

        @rule(who=WHO, pick=st.integers(min_value=0, max_value=10), blocking_first=st.booleans())
        def acknowledge_warning(self, who: str, pick: int, blocking_first: bool) -> None:
            lead = self.analysis.cast.lead
            warnings = [
                w
                for w in self.warnings.list(review_id=self.review_id, actor=lead).items
                if not w.acknowledged and w.code != Code.INDIVIDUAL_ONLY
            ]
            if blocking_first:
                warnings.sort(key=lambda w: w.severity != "blocking")
            if not warnings:
                return
            warning = warnings[pick % len(warnings)]
            self.attempt(
                lambda: self.warnings.acknowledge(
                    review_id=self.review_id,
                    actor=self.actor(who, "lead"),
                    fingerprint=warning.fingerprint,
                    command=AcknowledgeWarning(reason="Weighed by the review team."),
                )
            )

        # ---- the board and the lifecycle -------------------------------------------------------

        @rule(who=WHO)
        def respond_for_the_board(self, who: str) -> None:
            actor = self.actor(who, "chair")
            for finding_id in self.findings_made:
                self.attempt(
                    lambda finding_id=finding_id: self.board.record_response(
                        review_id=self.review_id,
                        actor=actor,
                        finding_id=finding_id,
                        command=RecordBoardResponse(response="Agreed."),
                    )
                )
            self.attempt(
                lambda: self.board.add_action(
                    review_id=self.review_id,
                    actor=actor,
                    command=AddAction(
                        title="Flag children not brought", owner_agency="Health", due_on=date(2027, 3, 31)
                    ),
                )
            )

        @rule(who=WHO)
        def record_panel_notice(self, who: str) -> None:
            self.attempt(
                lambda: self.analysis.journey.lifecycle.notices.record(
                    review_id=self.review_id,
                    actor=self.actor(who, "chair"),
                    expected_version=self.reviews.get(
                        self.review_id, self.analysis.cast.coordinator
                    ).review.version,
                    command=RecordNotice(kind="panel_notice", on=date(2026, 11, 2)),
                )
            )
            for kind in ("secretary_of_state_notice", "ofsted_notice"):
                self.attempt(
                    lambda kind=kind: self.analysis.journey.lifecycle.notices.record(
                        review_id=self.review_id,
                        actor=self.actor(who, "chair"),
                        expected_version=self.reviews.get(
                            self.review_id, self.analysis.cast.coordinator
                        ).review.version,
                        command=RecordNotice(kind=kind, on=date(2026, 11, 2)),
                    )
                )

        @rule(who=WHO, trigger=TRIGGERS)
        def fire(self, who: str, trigger: Trigger) -> None:
            review = self.reviews.get(self.review_id, self.analysis.cast.coordinator).review
            right = {
                Trigger.BEGIN_ANALYSIS: "coordinator",
                Trigger.DRAFT_FINDINGS: "lead",
                Trigger.SUBMIT_FOR_SIGNOFF: "lead",
                Trigger.CLOSE: "coordinator",
                Trigger.PAUSE: "coordinator",
                Trigger.RESUME: "coordinator",
            }.get(trigger, "chair")
            self.attempt(
                lambda: self.reviews.fire(
                    self.review_id, trigger, self.actor(who, right), review.version, **TRIGGER_PARAMS
                )
            )

        # ---- invariants ------------------------------------------------------------------------

        @invariant()
        def the_review_stays_consistent(self) -> None:
            with sessions() as session:
                review = session.get(Review, self.review_id)
                assert review is not None
                state = State(review.state)
                entries = audit.entries_of(session, self.review_id)
                assert len(entries) == self.base + self.accepted
                assert audit.verify(session, self.review_id).intact
                assert review.version == len(entries) + 1
            if self.final is not None:
                assert state == self.final, f"final state {self.final} changed to {state}"
            elif state in FINAL_STATES:
                self.final = state

    return AnalysisMachine


def test_the_analysis_keeps_its_invariants_under_random_members_and_actions(sessions, clock, people):
    machine = make_machine(sessions, clock, people)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples(25),
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_a_guided_walk_reaches_the_later_stages(sessions, clock, people, seed):
    """The machine, driven along the happy path, gets past every analysis guard: proof that the
    random runs above are not only exercising refusals."""
    machine = make_machine(sessions, clock, people)()
    for agency in AGENCIES:
        machine.add_entry("right", agency, seed == 1)
        machine.submit_narrative("right", agency)
    machine.fire("right", Trigger.BEGIN_ANALYSIS)
    machine.add_episode("right", "problematic", True)
    machine.add_factor("right", 0, ("frontline", "conditions_of_work"))
    for agency in AGENCIES:
        machine.submit_panel_analysis("right", agency)
    machine.fire("right", Trigger.DRAFT_FINDINGS)
    machine.add_finding("right", True, seed == 2)
    machine.acknowledge_warning("right", 0, True)  # a person named: refused, it is only fixed
    machine.fire("right", Trigger.SUBMIT_FOR_SIGNOFF)
    if seed == 2:
        lead = machine.analysis.cast.lead
        assert machine.reviews.get(machine.review_id, lead).review.state == State.FINDINGS
        assert machine.warnings.list(review_id=machine.review_id, actor=lead).blocking == 1
        machine.reword_findings("right")
        machine.fire("right", Trigger.SUBMIT_FOR_SIGNOFF)
    machine.fire("right", Trigger.APPROVE)
    machine.respond_for_the_board("right")
    machine.record_panel_notice("right")
    machine.fire("right", Trigger.PUBLISH)
    machine.fire("right", Trigger.CLOSE)
    machine.the_review_stays_consistent()
    assert machine.final == State.CLOSED
    machine.fire("right", Trigger.RESUME)
    machine.the_review_stays_consistent()
    machine.teardown()
