"""Every guard of DESIGN §4, one unmet fact at a time: the trigger is refused with that reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from tests.support import SATISFIED, WT2023_STATUTORY
from workflow import regimes
from workflow.guards import ANALYSIS_UNAVAILABLE, MemberFacts, ReviewFacts, evaluate
from workflow.ports import AcknowledgedWarning, ActionFacts, EpisodeFacts, FactorFacts, FindingFacts
from workflow.regimes.base import Recipient
from workflow.states import ReviewRole, Trigger

AGENCIES = ("Police", "Health", "Children's social care")

BASE = ReviewFacts(
    regime=regimes.current("wt2023"),
    date_of_awareness=date(2026, 11, 2),
    incident_outcome="serious_harm",
    agencies_involved=AGENCIES,
    criteria_answers=WT2023_STATUTORY,
    research_questions=("How do agencies recognise neglect?",),
    agencies_in_scope=AGENCIES,
    panel_exemptions={},
    members=(
        MemberFacts(1, "Cara", ReviewRole.COORDINATOR, None),
        MemberFacts(2, "Lena", ReviewRole.LEAD_REVIEWER, None),
        MemberFacts(3, "Leo", ReviewRole.LEAD_REVIEWER, None),
        MemberFacts(4, "Pat", ReviewRole.PANEL_MEMBER, "Police"),
        MemberFacts(5, "Hari", ReviewRole.PANEL_MEMBER, "Health"),
        MemberFacts(6, "Sam", ReviewRole.PANEL_MEMBER, "Children's social care"),
        MemberFacts(7, "Polly", ReviewRole.CASE_GROUP, "Health"),
    ),
    publication_hold=False,
    report_notices=dict.fromkeys(Recipient, date(2026, 11, 2)),
    analysis=replace(SATISFIED, panel_submitted=frozenset({4, 5, 6})),
    today=date(2026, 11, 26),
    paused_from="analysis",
    panel_response="agrees",
)

PARAMS = {
    Trigger.DECIDE: {"route": "statutory", "rationale": "Criteria (a) and (c) are met."},
    Trigger.RETURN_FOR_REVISION: {"comment": "Finding 2 needs evidence."},
    Trigger.DECLINE_PUBLICATION: {"rationale": "Criminal trial pending."},
    Trigger.REOPEN_FOR_CORRECTION: {"reason": "Finding 2 names the dentist."},
    Trigger.PAUSE: {"reason": "Police investigation."},
    Trigger.WITHDRAW: {"reason": "Referral made in error."},
}


def _analysis(**changes):
    return replace(BASE.analysis, **changes)


@pytest.mark.parametrize("trigger", list(Trigger))
def test_every_trigger_is_allowed_when_every_fact_holds(trigger):
    verdict = evaluate(trigger, BASE, PARAMS.get(trigger, {}))
    assert verdict.reasons == ()


CASES = [
    (Trigger.OPEN_SCREENING, {"date_of_awareness": None}, None, "no date of awareness"),
    (Trigger.OPEN_SCREENING, {"incident_outcome": None}, None, "what type of incident"),
    (Trigger.OPEN_SCREENING, {"agencies_involved": ()}, None, "no agencies involved"),
    (Trigger.DECIDE, {"criteria_answers": {}}, None, "12 criteria question(s) are not answered"),
    (
        Trigger.DECIDE,
        {"panel_response": None},
        None,
        "The national panel's response to the rapid review is not recorded",
    ),
    (Trigger.DECIDE, {}, {"route": "statutory"}, "Record the rationale"),
    (Trigger.DECIDE, {}, {"rationale": "x"}, "Choose the route"),
    (
        Trigger.DECIDE,
        {},
        {"route": "learning", "rationale": "x"},
        "departs from the recommended route (Local child safeguarding practice review): record why",
    ),
    (Trigger.CONFIRM_SCOPE, {"research_questions": ()}, None, "at least one research question"),
    (Trigger.CONFIRM_SCOPE, {"agencies_in_scope": ("Police",)}, None, "At least two agencies"),
    (Trigger.CONFIRM_SCOPE, {"members": BASE.members[:1]}, None, "Appoint at least one lead reviewer"),
    (
        Trigger.CONVENE,
        {"members": BASE.members[:4] + BASE.members[5:]},
        None,
        "Health has no panel member and no recorded reason why not",
    ),
    (Trigger.CONVENE, {"members": BASE.members[:6]}, None, "The case group has no practitioner"),
    (Trigger.BEGIN_ANALYSIS, {"analysis": None}, None, ANALYSIS_UNAVAILABLE),
    (
        Trigger.BEGIN_ANALYSIS,
        {"analysis": _analysis(narratives_submitted=frozenset({"Police"}))},
        None,
        "Health has not submitted its narrative and has no exemption",
    ),
    (Trigger.DRAFT_FINDINGS, {"analysis": None}, None, ANALYSIS_UNAVAILABLE),
    (Trigger.DRAFT_FINDINGS, {"analysis": _analysis(episodes=())}, None, "at least one key practice episode"),
    (
        Trigger.DRAFT_FINDINGS,
        {
            "analysis": _analysis(
                episodes=(
                    EpisodeFacts(
                        3,
                        "Dental appointments missed",
                        "problematic",
                        True,
                        True,
                        (FactorFacts("personal (staff)", True),),
                    ),
                )
            )
        },
        None,
        "Episode 3 'Dental appointments missed' is problematic but explained only by "
        "individual-level factors",
    ),
    (
        Trigger.DRAFT_FINDINGS,
        {
            "analysis": _analysis(
                episodes=(EpisodeFacts(2, "Home visit", "good", False, True, (FactorFacts("team", False),)),)
            )
        },
        None,
        "Episode 2 'Home visit' has no appraisal",
    ),
    (
        Trigger.DRAFT_FINDINGS,
        {"analysis": _analysis(episodes=(EpisodeFacts(2, "Home visit", "mixed", True, False, ()),))},
        None,
        "Episode 2 'Home visit' has no explanation with a contributory factor",
    ),
    (
        Trigger.DRAFT_FINDINGS,
        {"analysis": _analysis(panel_submitted=frozenset({4, 6}))},
        None,
        "Panel member Hari (Health) has not submitted their analysis",
    ),
    (Trigger.SUBMIT_FOR_SIGNOFF, {"analysis": None}, None, ANALYSIS_UNAVAILABLE),
    (Trigger.SUBMIT_FOR_SIGNOFF, {"analysis": _analysis(findings=())}, None, "Write at least one finding"),
    (
        Trigger.SUBMIT_FOR_SIGNOFF,
        {"analysis": _analysis(findings=(FindingFacts(2, "Thresholds", ("evidence beyond this case",), 1),))},
        None,
        "Finding 2 'Thresholds' is incomplete: missing evidence beyond this case",
    ),
    (
        Trigger.SUBMIT_FOR_SIGNOFF,
        {"analysis": _analysis(findings=(FindingFacts(1, "X", (), 0),))},
        None,
        "Finding 1 'X' is not linked to any key practice episode",
    ),
    (
        Trigger.SUBMIT_FOR_SIGNOFF,
        {"analysis": _analysis(blocking_warnings=("Fix this blocking warning: a person is named",))},
        None,
        "Fix this blocking warning: a person is named",
    ),
    (
        Trigger.APPROVE,
        {"analysis": _analysis(blocking_warnings=("Fix this blocking warning: a person is named",))},
        None,
        "Fix this blocking warning: a person is named",
    ),
    (Trigger.APPROVE, {"analysis": None}, None, ANALYSIS_UNAVAILABLE),
    (Trigger.RETURN_FOR_REVISION, {}, {"comment": "  "}, "comments are required"),
    (Trigger.REOPEN_FOR_CORRECTION, {}, {"reason": " "}, "Say what needs correcting"),
    (Trigger.PUBLISH, {"publication_hold": True}, None, "A publication hold is in force"),
    (Trigger.PUBLISH, {"report_notices": {}}, None, "The report has not been sent to the national panel"),
    (
        Trigger.PUBLISH,
        {"report_notices": {Recipient.PANEL: date(2026, 11, 2), Recipient.OFSTED: date(2026, 11, 2)}},
        None,
        "The report has not been sent to the Secretary of State: record the notice "
        "(at least 7 working days before publication).",
    ),
    (
        Trigger.PUBLISH,
        {
            "report_notices": dict.fromkeys(Recipient, date(2026, 11, 2))
            | {Recipient.OFSTED: date(2026, 11, 24)}
        },
        None,
        "The notice to Ofsted was given on 24 November 2026, less than 7 working days ago: "
        "publication is possible from Thursday 3 December 2026.",
    ),
    (
        Trigger.DECLINE_PUBLICATION,
        {"report_notices": {Recipient.PANEL: date(2026, 11, 2)}},
        None,
        "The summary of improvements has not been sent to Ofsted",
    ),
    (
        Trigger.PUBLISH,
        {"analysis": _analysis(board_response_recorded=False)},
        None,
        "board's response has not been recorded",
    ),
    (
        Trigger.PUBLISH,
        {
            "analysis": _analysis(
                board_response_recorded=False,
                findings_without_response=("Finding 2 'Supervision'", "Finding 3 'Thresholds'"),
            )
        },
        None,
        "board's response has not been recorded for Finding 2 'Supervision', Finding 3 'Thresholds'.",
    ),
    (
        Trigger.PUBLISH,
        {"analysis": _analysis(anonymisation_hits=None)},
        None,
        "anonymisation check could not be run",
    ),
    (
        Trigger.PUBLISH,
        {"analysis": _analysis(anonymisation_hits=("'Smith' in finding 1, statement",))},
        None,
        "Anonymisation check: 'Smith' in finding 1, statement",
    ),
    (Trigger.PUBLISH, {"analysis": None}, None, ANALYSIS_UNAVAILABLE),
    (Trigger.DECLINE_PUBLICATION, {}, {}, "Record why the report will not be published"),
    (
        Trigger.CLOSE,
        {"analysis": _analysis(actions=(ActionFacts("Audit", False, True, False),))},
        None,
        "Action 'Audit' is missing an owner agency and a status",
    ),
    (Trigger.CLOSE, {"analysis": None}, None, ANALYSIS_UNAVAILABLE),
    (Trigger.PAUSE, {}, {}, "Record why the review is paused"),
    (Trigger.WITHDRAW, {}, {"reason": ""}, "Record why the review is withdrawn"),
    (Trigger.RESUME, {"paused_from": None}, None, "does not record the stage it was paused in"),
]


@pytest.mark.parametrize(("trigger", "changes", "params", "reason"), CASES)
def test_each_unmet_guard_refuses_with_its_reason(trigger, changes, params, reason):
    facts = replace(BASE, **changes)
    verdict = evaluate(trigger, facts, params if params is not None else PARAMS.get(trigger, {}))
    assert not verdict.allowed
    assert any(reason in r for r in verdict.reasons), verdict.reasons


def test_a_refusal_lists_every_unmet_guard_at_once():
    facts = replace(BASE, date_of_awareness=None, incident_outcome=None, agencies_involved=())
    assert len(evaluate(Trigger.OPEN_SCREENING, facts, {}).reasons) == 3


def test_one_lead_reviewer_is_a_warning_not_a_refusal():
    facts = replace(BASE, members=BASE.members[:2])
    verdict = evaluate(Trigger.CONFIRM_SCOPE, facts, {})
    assert verdict.allowed
    assert verdict.warnings == ("Only one lead reviewer is appointed; two are recommended.",)


def test_a_recorded_reason_stands_in_for_a_missing_panel_member():
    facts = replace(
        BASE,
        members=BASE.members[:4] + BASE.members[5:],
        panel_exemptions={"Health": "The GP practice has closed."},
    )
    assert evaluate(Trigger.CONVENE, facts, {}).allowed


def test_without_parameters_only_the_facts_are_checked():
    assert evaluate(Trigger.DECIDE, BASE, None).allowed
    assert evaluate(Trigger.PAUSE, BASE, None).allowed


def test_approving_records_the_acknowledged_warnings_it_accepts():
    accepted = AcknowledgedWarning(
        "Finding 1 'Thresholds', statement: uses blame or hindsight language ('failed to').",
        "The practitioners' own words, quoted.",
        "Lena Lead",
        datetime(2026, 11, 20, 10, 30),
        "f" * 64,
    )
    verdict = evaluate(
        Trigger.APPROVE, replace(BASE, analysis=_analysis(acknowledged_warnings=(accepted,))), {}
    )
    assert verdict.allowed
    assert verdict.recorded == {
        "acknowledged_warnings": [
            {
                "warning": accepted.warning,
                "reason": "The practitioners' own words, quoted.",
                "by": "Lena Lead",
                "at": "2026-11-20T10:30:00",
                "fingerprint": "f" * 64,
            }
        ]
    }
    assert verdict.warnings == (
        "Approving accepts 1 acknowledged quality warning, listed on the sign-off page and recorded in "
        "the audit log.",
    )
    # none acknowledged: the row says so too
    assert evaluate(Trigger.APPROVE, BASE, {}).recorded == {"acknowledged_warnings": []}


def test_wt2023_asks_for_the_report_to_go_to_the_panel_the_secretary_of_state_and_ofsted():
    verdict = evaluate(Trigger.PUBLISH, replace(BASE, report_notices={}), None)
    assert [r for r in verdict.reasons if "has not been sent" in r] == [
        f"The report has not been sent to {who}: record the notice "
        "(at least 7 working days before publication)."
        for who in ("the national panel", "the Secretary of State", "Ofsted")
    ]


def test_wt2010_asks_only_for_the_panel_notice_and_none_before_declining_publication():
    wt2010 = replace(
        BASE, regime=regimes.current("wt2010"), report_notices={Recipient.PANEL: date(2026, 11, 2)}
    )
    assert evaluate(Trigger.PUBLISH, wt2010, None).allowed
    assert evaluate(
        Trigger.DECLINE_PUBLICATION, replace(wt2010, report_notices={}), PARAMS[Trigger.DECLINE_PUBLICATION]
    ).allowed
    refused = evaluate(Trigger.PUBLISH, replace(wt2010, report_notices={}), None)
    assert (
        "The report has not been sent to the national panel: record the notice "
        "(at least 5 working days before publication)." in refused.reasons
    )


def test_a_wt2023_review_begun_under_version_1_keeps_its_one_notice_to_the_panel():
    v1 = replace(BASE, regime=regimes.get("wt2023", 1), report_notices={Recipient.PANEL: date(2026, 11, 2)})
    assert evaluate(Trigger.PUBLISH, v1, None).allowed  # version 2 would ask for the other two as well
    assert evaluate(
        Trigger.DECLINE_PUBLICATION, replace(v1, report_notices={}), PARAMS[Trigger.DECLINE_PUBLICATION]
    ).allowed
    v2 = replace(v1, regime=regimes.get("wt2023", 2))
    refused = evaluate(Trigger.PUBLISH, v2, None).reasons
    assert [r for r in refused if "has not been sent" in r] == [
        f"The report has not been sent to {who}: record the notice "
        "(at least 7 working days before publication)."
        for who in ("the Secretary of State", "Ofsted")
    ]
