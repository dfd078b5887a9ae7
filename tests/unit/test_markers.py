"""The quality markers' suggestions from a review's data: each in words, met / partly / not met, and
none where the data cannot say."""

from __future__ import annotations

from dataclasses import replace

import pytest

from findings.analysis.markers import BY_KEY, MARKERS, MarkerFacts, MarkerKey, suggestion

FULL = MarkerFacts(
    decided=True,
    research_questions=2,
    lead_reviewers=2,
    leads_declared=2,
    agencies_in_scope=3,
    accounts_given=3,
    case_group=2,
    conversations=2,
    family_members=2,
    family_invited=2,
    family_heard=1,
    family_declined=1,
    family_taking_part=1,
    family_draft_shared=1,
    findings=3,
    findings_with_wider_evidence=3,
    good_practice=1,
    notices_due=3,
    notices_sent=3,
    completion_overdue=False,
)


def _rating(key: MarkerKey, facts: MarkerFacts) -> tuple[str, str] | None:
    found = suggestion(BY_KEY[key], facts)
    return (found.rating, found.evidence) if found else None


def test_a_review_that_did_everything_meets_every_marker_the_data_can_judge():
    judged = {m.key: suggestion(m, FULL) for m in MARKERS}
    assert {k for k, s in judged.items() if s is None} == {"learning_disseminated"}
    assert {s.rating for s in judged.values() if s} == {"met"}


@pytest.mark.parametrize(
    ("key", "changes", "rating", "evidence"),
    [
        (
            "two_lead_reviewers",
            {"lead_reviewers": 1},
            "partly",
            "1 lead reviewer(s) appointed; two are recommended.",
        ),
        (
            "two_lead_reviewers",
            {"lead_reviewers": 0},
            "not_met",
            "0 lead reviewer(s) appointed; two are recommended.",
        ),
        (
            "independence",
            {"leads_declared": 1},
            "partly",
            "1 of 2 lead reviewers declared their independence.",
        ),
        (
            "independence",
            {"lead_reviewers": 0, "leads_declared": 0},
            "not_met",
            "No lead reviewer is appointed.",
        ),
        (
            "case_group",
            {"conversations": 0},
            "partly",
            "2 practitioner(s) in the case group; no conversation recorded.",
        ),
        (
            "family",
            {"family_members": 0, "family_invited": 0, "family_heard": 0, "family_declined": 0},
            "not_met",
            "No family member is recorded as invited to take part.",
        ),
        (
            "family",
            {"family_heard": 0},
            "partly",
            "2 of 2 family member(s) invited; 0 with their views heard; 1 declined.",
        ),
        (
            "systems_findings",
            {"findings_with_wider_evidence": 2},
            "partly",
            "2 of 3 findings have evidence that they are not a quirk of this case.",
        ),
        (
            "notices",
            {"notices_sent": 0},
            "not_met",
            "0 of 3 final report notices the regime asks for were sent.",
        ),
        (
            "agency_accounts",
            {"accounts_given": 2},
            "partly",
            "2 of 3 agencies in scope gave their account (or were exempted).",
        ),
        (
            "timely",
            {"completion_overdue": True},
            "not_met",
            "The review was not completed within the regime's timescale.",
        ),
        ("decision", {"decided": False}, "not_met", "No decision on the route is recorded yet."),
    ],
)
def test_each_gap_in_the_data_lowers_its_marker_and_says_why(key, changes, rating, evidence):
    assert _rating(key, replace(FULL, **changes)) == (rating, evidence)


def test_the_data_says_nothing_about_a_draft_no_one_was_taking_part_to_see_nor_an_unfinished_clock():
    assert _rating("draft_shared", replace(FULL, family_taking_part=0, family_draft_shared=0)) is None
    assert _rating("timely", replace(FULL, completion_overdue=None)) is None
