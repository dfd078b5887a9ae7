""" "Not a quirk" while a finding is written, across the reviews of tests/trends_support.py (Poppy
published in 2024, Daisy a draft of 2025, Oscar approved in 2026, each with its own cast) and a
catalogue of reviews published elsewhere: what is offered and why, only what the writer may see,
never the finding's own review, and taking one adds an evidence item "other reviews" with its
reference, audited, after which it is marked as added."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from findings.analysis.findings import FindingService
from findings.learning.catalogue import CatalogueService
from findings.learning.models import SearchEntry
from findings.learning.suggestions import NotAQuirk, words_of
from tests.support import Journey, People
from tests.trends_support import Portfolio, portfolio_fixture  # noqa: F401 (a fixture)
from workflow import audit
from workflow.errors import NotFound

CATALOGUE = (
    "title,partnership,year,themes,learning_summary,link\n"
    '"Child Q: dental neglect",Eastshire,2022,Dental neglect,'
    '"Children not brought to the dentist were not seen as neglected.",https://example.org/child-q\n'
    '"Baby R",Westshire,2023,Infants under one / pre-birth assessment,'
    '"Pre-birth assessments started again with each referral.",https://example.org/baby-r\n'
)


@pytest.fixture
def quirks(service) -> NotAQuirk:
    return NotAQuirk(service)


def _daisy_finding(portfolio: Portfolio) -> tuple[int, int, int]:
    daisy = portfolio.daisy
    return daisy.review_id, daisy.cast.lead, daisy.finding_ids[0]


def test_the_longer_words_of_a_finding_are_looked_for():
    assert words_of("Dental appointments missed", "When a child is not brought to the dentist.") == (
        "appointments",
        "brought",
        "dentist",
        "dental",
        "missed",
        "child",
    )


def test_a_published_finding_with_the_same_category_and_theme_comes_first(portfolio: Portfolio, quirks):
    review_id, lead, finding_id = _daisy_finding(portfolio)
    found = quirks.suggestions(review_id=review_id, actor=lead, finding_id=finding_id)
    first = found[0]
    assert first.title == "Finding 1: Children not brought to appointments"
    assert first.source == "Review of Poppy, 2024 (published)"
    assert first.reasons[0] == "The same category (Tools)"
    assert "Themes in common: Was not brought (missed appointments)" in first.reasons
    assert first.reference == "Review of Poppy (2024), Finding 1: Children not brought to appointments"
    assert first.summary.startswith("Appointment systems record a child who was not brought")
    assert first.href == f"/published/{portfolio.poppy.review_id}/full/html"
    assert {s.kind for s in found} == {"finding"}


def test_only_what_the_writer_may_see_and_never_their_own_review(portfolio: Portfolio, quirks):
    review_id, lead, finding_id = _daisy_finding(portfolio)
    found = quirks.suggestions(review_id=review_id, actor=lead, finding_id=finding_id)
    sources = {s.source.split(",")[0] for s in found}
    assert sources == {"Review of Poppy"}  # not Daisy's own findings, not Oscar's draft
    oscar = quirks.suggestions(
        review_id=portfolio.oscar.review_id,
        actor=portfolio.oscar.cast.lead,
        finding_id=portfolio.oscar.finding_ids[0],
    )
    assert "Review of Daisy" not in {s.source.split(",")[0] for s in oscar}
    with pytest.raises(NotFound):
        quirks.suggestions(review_id=review_id, actor=portfolio.reader, finding_id=finding_id)
    with pytest.raises(NotFound):  # a finding of another review, named under this one
        quirks.suggestions(review_id=review_id, actor=lead, finding_id=portfolio.poppy.finding_ids[0])


def test_a_member_of_two_reviews_is_offered_the_other_draft(
    portfolio: Portfolio, quirks, service, people: People
):
    # Oscar's lead writes a finding about dentists in Daisy's review too: a member of both.
    journey = Journey(service, people, portfolio.daisy.cast)
    journey.review_id = portfolio.daisy.review_id
    journey.add_member(people.email(portfolio.oscar.cast.lead), "lead_reviewer", None)
    found = quirks.suggestions(
        review_id=portfolio.oscar.review_id,
        actor=portfolio.oscar.cast.lead,
        finding_id=portfolio.oscar.finding_ids[0],
    )
    assert all(s.source != "Review of Oscar, 2026" for s in found)
    daisy = quirks.suggestions(
        review_id=portfolio.daisy.review_id,
        actor=portfolio.oscar.cast.lead,
        finding_id=portfolio.daisy.finding_ids[0],
    )
    assert all("Oscar" not in s.source for s in daisy)


def test_reviews_published_elsewhere_are_offered_by_theme_and_wording(portfolio: Portfolio, quirks, service):
    CatalogueService(service).import_csv(actor=portfolio.poppy.cast.coordinator, data=CATALOGUE.encode())
    review_id, lead, finding_id = _daisy_finding(portfolio)
    found = quirks.suggestions(review_id=review_id, actor=lead, finding_id=finding_id)
    external = [s for s in found if s.kind == "external"]
    assert [s.title for s in external] == ["Child Q: dental neglect"]
    (child_q,) = external
    assert child_q.reasons == ("Similar wording",)
    assert child_q.reference == "Child Q: dental neglect, Eastshire (2022): https://example.org/child-q"
    assert child_q.summary == "Children not brought to the dentist were not seen as neglected."


def test_taking_one_adds_evidence_from_other_reviews_audited_and_marks_it_added(
    portfolio: Portfolio, quirks, service
):
    review_id, lead, finding_id = _daisy_finding(portfolio)
    findings = FindingService(service)
    first = quirks.suggestions(review_id=review_id, actor=lead, finding_id=finding_id)[0]
    chosen = quirks.evidence(review_id=review_id, actor=lead, finding_id=finding_id, entry_id=first.entry_id)
    finding = findings.get(review_id=review_id, actor=lead, finding_id=finding_id)
    view = findings.add_evidence(
        review_id=review_id,
        actor=lead,
        finding_id=finding_id,
        expected_version=finding.version,
        command=chosen.evidence(),
        source=f"repository:{chosen.kind}:{chosen.entry_id}",
    )
    (item,) = view.finding.evidence
    assert (item.kind, item.summary, item.reference) == ("other_reviews", first.summary, first.reference)
    with service.session() as session:
        last = audit.entries_of(session, review_id)[-1]
    assert last.action == "add_finding_evidence"
    assert last.params == {
        "finding_id": finding_id,
        "kind": "other_reviews",
        "source": f"repository:finding:{first.entry_id}",
    }
    again = quirks.suggestions(review_id=review_id, actor=lead, finding_id=finding_id)
    assert next(s for s in again if s.entry_id == first.entry_id).added


def test_an_entry_the_writer_may_not_see_cannot_be_taken(portfolio: Portfolio, quirks, service):
    review_id, lead, finding_id = _daisy_finding(portfolio)
    with service.session() as session:
        hidden = session.scalar(
            select(SearchEntry.id).where(
                SearchEntry.review_id == portfolio.oscar.review_id, SearchEntry.kind == "finding"
            )
        )
        own = session.scalar(
            select(SearchEntry.id).where(SearchEntry.review_id == review_id, SearchEntry.kind == "finding")
        )
        question = session.scalar(
            select(SearchEntry.id).where(
                SearchEntry.review_id == portfolio.poppy.review_id, SearchEntry.kind == "question"
            )
        )
    for entry_id in (hidden, own, question, 10**6):
        with pytest.raises(NotFound):
            quirks.evidence(review_id=review_id, actor=lead, finding_id=finding_id, entry_id=entry_id)
