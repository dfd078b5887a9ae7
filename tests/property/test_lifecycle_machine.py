"""Random triggers fired by random members with random guard facts; invariants after every step."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tests.support import (
    AGENCIES,
    ORDER,
    SATISFIED,
    WT2023_STATUTORY,
    FakeAnalysis,
    Journey,
    People,
    examples,
    record_report_notices,
)
from workflow import audit, policy
from workflow.errors import DomainError
from workflow.ports import AnalysisSnapshot
from workflow.referrals import RecordCriteria, SetScope
from workflow.service import ReviewService
from workflow.states import FINAL_STATES, ReviewRole, State, Trigger, triggers_from

ROLES = list(ReviewRole)
PARAM_SETS = [
    {},
    {"route": "statutory", "rationale": "Criteria met."},
    {"route": "learning", "rationale": "Lessons.", "departure_rationale": "Panel view."},
    {"route": "none", "rationale": "No lessons.", "departure_rationale": "Panel view."},
    {"comment": "Please revise finding 2.", "reason": "Inquest opened.", "rationale": "Trial pending."},
]
SNAPSHOTS = [SATISFIED, None, AnalysisSnapshot()]
ADVANCE_PARAMS = [
    {"route": "statutory", "rationale": "Criteria met.", "comment": "Revise.", "reason": "Inquest."},
    {
        "route": "learning",
        "rationale": "Lessons.",
        "departure_rationale": "Panel view.",
        "comment": "Revise.",
        "reason": "Trial.",
    },
]
REACHED: set[str] = set()


def make_machine(service: ReviewService, people: People, analysis: FakeAnalysis, sessions):
    class Lifecycle(RuleBasedStateMachine):
        # PAUSED first: with the safeguarding partners' decision (WT2023 v2) the derandomised run drew
        # no paused review from the end of the list.
        @initialize(start=st.sampled_from([State.PAUSED, *ORDER[:-1]]))
        def referral(self, start) -> None:
            """Start from a review already driven (through the service) to a random stage."""
            analysis.snapshot_value = SATISFIED
            self.journey = Journey(service, people).to(State.ANALYSIS if start == State.PAUSED else start)
            if start == State.PAUSED:
                self.journey.fire("pause", self.journey.cast.chair, reason="Inquest opened.")
            cast = self.journey.cast
            self.actors = {
                ReviewRole.COORDINATOR: cast.coordinator,
                ReviewRole.CHAIR: cast.chair,
                ReviewRole.LEAD_REVIEWER: cast.lead,
                ReviewRole.PANEL_MEMBER: cast.panel["Police"],
                ReviewRole.CASE_GROUP: cast.practitioner,
                ReviewRole.SAFEGUARDING_PARTNER: cast.partner,
            }
            rid = self.journey.review_id
            members = service.get(rid, cast.coordinator).review.memberships
            for role, user in self.actors.items():
                if not any(m.user_id == user and m.role == role for m in members):
                    self.journey.add_member(people.email(user), role, "Police")
            record_report_notices(self.journey.lifecycle.notices, rid, cast.coordinator, self.journey.version)
            with sessions() as session:
                self.accepted = len(audit.entries_of(session, rid))
            self.final_state: str | None = None

        def _change(self, call) -> None:
            try:
                call()
            except DomainError:
                return
            self.accepted += 1

        # Mostly with the analysis facts: `approve` and the triggers after it need them.
        @rule(data=st.data(), snapshot=st.sampled_from([SATISFIED, SATISFIED, SATISFIED, None]))
        def advance(self, data, snapshot) -> None:
            """Fire a trigger that leaves the current state, as a role allowed to fire it."""
            analysis.snapshot_value = snapshot
            state = State(service.get(self.journey.review_id, self.journey.cast.coordinator).review.state)
            onward = [t for t in triggers_from(state) if t not in (Trigger.WITHDRAW, Trigger.PAUSE)]
            # Mostly onward, sometimes a pause or a withdrawal.
            triggers = onward * 6 + [t for t in triggers_from(state) if t not in onward]
            if not triggers:
                return
            trigger = data.draw(st.sampled_from(triggers))
            role = data.draw(st.sampled_from(sorted(policy.roles_allowed(trigger, self.journey.regime))))
            params = data.draw(st.sampled_from(ADVANCE_PARAMS))
            self._change(
                lambda: service.fire(
                    self.journey.review_id, trigger, self.actors[role], self.journey.version, **params
                )
            )

        @rule(
            trigger=st.sampled_from(list(Trigger)),
            role=st.sampled_from(ROLES),
            params=st.sampled_from(PARAM_SETS),
            snapshot=st.sampled_from(SNAPSHOTS),
            stale=st.booleans(),
        )
        def fire(self, trigger, role, params, snapshot, stale) -> None:
            analysis.snapshot_value = snapshot
            version = self.journey.version - (1 if stale else 0)
            self._change(
                lambda: service.fire(self.journey.review_id, trigger, self.actors[role], version, **params)
            )

        @rule(action=st.sampled_from(["statutory_answers", "no_incident_answers", "scope"]))
        def edit(self, action) -> None:
            """A change that is not a trigger (audited and version-checked all the same)."""
            rid, coordinator = self.journey.review_id, self.journey.cast.coordinator
            if action == "scope":
                self._change(
                    lambda: self.journey.lifecycle.referrals.set_scope(
                        review_id=rid,
                        actor=coordinator,
                        expected_version=self.journey.version,
                        command=SetScope(
                            research_questions=["How is neglect recognised?"],
                            agencies_in_scope=list(AGENCIES),
                        ),
                    )
                )
                return
            answers = (
                WT2023_STATUTORY if action == "statutory_answers" else {"abuse_death_or_serious_harm": "no"}
            )
            self._change(
                lambda: self.journey.lifecycle.referrals.record_criteria(
                    review_id=rid,
                    actor=coordinator,
                    expected_version=self.journey.version,
                    command=RecordCriteria(answers=answers),
                )
            )

        @invariant()
        def state_is_valid_and_final_states_stay_final(self) -> None:
            state = service.get(self.journey.review_id, self.journey.cast.coordinator).review.state
            assert state in {s.value for s in State}
            REACHED.add(state)
            if self.final_state is not None:
                assert state == self.final_state
            elif state in FINAL_STATES:
                self.final_state = state

        @invariant()
        def the_log_has_one_row_per_accepted_change_and_its_chain_verifies(self) -> None:
            with sessions() as session:
                entries = audit.entries_of(session, self.journey.review_id)
                assert len(entries) == self.accepted
                assert audit.verify_entries(entries).intact
                self._published_only_after_a_chairs_approval(entries)

        def _published_only_after_a_chairs_approval(self, entries) -> None:
            approved_by_chair = False
            for entry in entries:
                if entry.action == Trigger.APPROVE:
                    approved_by_chair = entry.actor_id == self.journey.cast.chair
                elif entry.action in (Trigger.RETURN_FOR_REVISION, Trigger.REOPEN_FOR_CORRECTION):
                    approved_by_chair = False  # what is published next, the chair approves again
                if entry.to_state == State.PUBLISHED:
                    assert entry.action == Trigger.PUBLISH and entry.from_state == State.APPROVED
                    assert approved_by_chair

    return Lifecycle


def test_random_triggers_by_random_members_keep_every_invariant(service, people, analysis, sessions):
    REACHED.clear()
    machine = make_machine(service, people, analysis, sessions)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=examples(50),
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # The run is derandomised, so this is stable: the invariants were checked all the way through.
    # (Its seed is a digest of the machine's source, so editing a rule draws other runs: 50 examples
    # reach every final state with the rules as they are.)
    assert {State.PUBLISHED, State.CLOSED, State.WITHDRAWN, State.PAUSED} <= REACHED, " ".join(
        sorted(REACHED)
    )
