"""A review driven from referral to closure through the service, with every step audited."""

from __future__ import annotations

from tests.support import Journey
from workflow import audit
from workflow.states import State


def test_a_review_goes_from_referral_to_closed_and_every_step_is_audited(service, people, sessions):
    journey = Journey(service, people).to(State.CLOSED)

    detail = service.get(journey.review_id, journey.cast.coordinator)
    assert detail.review.state == State.CLOSED
    assert detail.review_type == "Local child safeguarding practice review"
    with sessions() as session:
        entries = audit.entries_of(session, journey.review_id)
        actions = [e.action for e in entries]
        assert audit.verify(session, journey.review_id).intact
    for trigger in (
        "open_screening",
        "decide",
        "confirm_scope",
        "convene",
        "begin_analysis",
        "draft_findings",
        "submit_for_signoff",
        "approve",
        "publish",
        "close",
    ):
        assert actions.count(trigger) == 1
    others = {"log_referral", "record_criteria", "add_member", "set_scope", "record_panel_notice"}
    assert others <= set(actions)
