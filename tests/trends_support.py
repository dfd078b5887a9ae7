"""Test support for what crosses reviews (trends, actions, the briefing from a selection): a portfolio
of three reviews built through the real services once per database and clock, then copied in.

- Poppy (2024, statutory): published, its report frozen (HTML and Markdown). The review carries the
  theme neglect; two findings: tools (was not brought, neglect) and longer-term work (neglect); two
  factors (frontline conditions of work, local strategic resources and commissioning); the board's
  response to each finding; two actions, one overdue and titled like a spreadsheet formula. After
  publication the board changed its response to finding 1 (`CHANGED_AFTER`): the live rows now
  differ from what was frozen.
- Daisy (2025, learning route): at the findings stage, a draft; one finding: tools (was not brought),
  and one factor (frontline conditions of work).
- Oscar (2026, statutory): approved, not published; one finding: responses to incidents (domestic
  abuse); two actions, one overdue, one titled with an `@`.

Each review has its own cast. `reader` is a member of the partnership in no review; `admin` an
admin in none. Today is 26 November 2026.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import Engine, update

from findings.analysis.board import AddAction, BoardService, RecordBoardResponse
from findings.analysis.episodes import AddEpisode, EpisodeService
from findings.analysis.factors import AddFactor, FactorService
from findings.analysis.findings import AddFinding, AddQuestion, FindingService
from findings.analysis.themes import SetReviewThemes, ThemeService
from findings.publication.assemble import load, report_data
from findings.publication.briefings import briefing_data
from findings.publication.freeze import freeze, prepare
from findings.publication.render import Format
from tests.databases import Snapshot
from tests.support import Cast, Clock, Journey, People
from workflow.models import Review
from workflow.service import ReviewService
from workflow.states import Route, State

FORMULA_TITLE = '=HYPERLINK("https://example.org/x","Audit of was-not-brought flags")'
AT_TITLE = "@SUM(1+1) notifications reach schools the next day"
PUBLISHED_RESPONSE = "The board will ask every dental and GP practice to flag a child who is not brought."
CHANGED_AFTER = "After publication the board decided to commission its own audit instead."


@dataclass
class Case:
    review_id: int
    cast: Cast
    finding_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)


@dataclass
class Portfolio:
    poppy: Case
    daisy: Case
    oscar: Case
    reader: int
    admin: int


def _finding(service: ReviewService, case: Case, **fields: object) -> int:
    findings = FindingService(service)
    finding = findings.add(
        review_id=case.review_id, actor=case.cast.lead, command=AddFinding.model_validate(fields)
    ).finding
    findings.add_question(
        review_id=case.review_id,
        actor=case.cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=AddQuestion(text=f"How will the board know that {fields['title']} is changing?"),
    )
    case.finding_ids.append(finding.id)
    return finding.id


def _factors(service: ReviewService, case: Case, codes: list[tuple[str, str]]) -> None:
    episode = EpisodeService(service).add(
        review_id=case.review_id,
        actor=case.cast.lead,
        command=AddEpisode(title="Appointments missed", valence="problematic", agencies=["Health"]),
    )
    for level, category in codes:
        FactorService(service).add(
            review_id=case.review_id,
            actor=case.cast.lead,
            command=AddFactor(
                level=level,
                category=category,
                description=f"A condition of the system ({category}).",
                episode_ids=[episode.id],
            ),
        )


def _case(service: ReviewService, people: People, pseudonym: str, awareness: date, route: Route) -> Case:
    journey = Journey(service, people).to(State.FINDINGS)
    with service.session() as session:
        session.execute(
            update(Review)
            .where(Review.id == journey.review_id)
            .values(child_pseudonym=pseudonym, date_of_awareness=awareness, route=route.value)
        )
        session.commit()
    return Case(journey.review_id, journey.cast)


def _journey(service: ReviewService, people: People, case: Case) -> Journey:
    journey = Journey(service, people, case.cast)
    journey.review_id = case.review_id
    return journey


def _action(service: ReviewService, case: Case, **fields: object) -> None:
    view = BoardService(service).add_action(
        review_id=case.review_id, actor=case.cast.coordinator, command=AddAction.model_validate(fields)
    )
    case.action_ids.append(view.action.id)


def _approve(service: ReviewService, people: People, case: Case) -> Journey:
    journey = _journey(service, people, case)
    journey.fire("submit_for_signoff", case.cast.lead)
    journey._approved()
    return journey


def publish(service: ReviewService, people: People, case: Case) -> None:
    """Publish an approved review, its report frozen as HTML and Markdown."""
    _journey(service, people, case).fire("publish", case.cast.chair)
    with service.session() as session:  # what the publisher freezes (the test double freezes nothing)
        review = session.get(Review, case.review_id)
        assert review is not None
        content = load(session, review)
        prepared = prepare(
            report_data(content), (), briefing=briefing_data(content), formats=[Format.HTML, Format.MARKDOWN]
        )
        freeze(session, review, prepared, actor_id=case.cast.chair)
        session.commit()


def build_portfolio(service: ReviewService, people: People) -> Portfolio:
    poppy = _case(service, people, "Poppy", date(2024, 5, 1), Route.STATUTORY)
    ThemeService(service).set_for_review(
        review_id=poppy.review_id, actor=poppy.cast.coordinator, command=SetReviewThemes(themes=["neglect"])
    )
    _finding(
        service,
        poppy,
        title="Children not brought to appointments",
        category="tools",
        statement="Appointment systems record a child who was not brought as the family's choice.",
        themes=["was_not_brought", "neglect"],
    )
    _finding(
        service,
        poppy,
        title="Long-term neglect is assessed afresh each time",
        category="longer_term_work",
        statement="Each referral about neglect is assessed on its own, so the history is lost.",
        themes=["neglect"],
    )
    _factors(
        service,
        poppy,
        [("frontline", "conditions_of_work"), ("local_strategic", "resources_and_commissioning")],
    )
    _approve(service, people, poppy)
    board = BoardService(service)
    for finding_id in poppy.finding_ids:
        board.record_response(
            review_id=poppy.review_id,
            actor=poppy.cast.chair,
            finding_id=finding_id,
            command=RecordBoardResponse(response=PUBLISHED_RESPONSE),
        )
    _action(
        service,
        poppy,
        title=FORMULA_TITLE,
        owner_agency="Health",
        due_on=date(2026, 9, 30),
        status="in_progress",
        evidence_of_impact="-40% missed appointments in the audit of March",
        finding_id=poppy.finding_ids[0],
    )
    _action(
        service,
        poppy,
        title="Dental practices share non-attendance with the health visitor",
        owner_agency="Children's social care",
        due_on=date(2027, 3, 31),
    )
    publish(service, people, poppy)
    response = (
        FindingService(service)
        .get(review_id=poppy.review_id, actor=poppy.cast.chair, finding_id=poppy.finding_ids[0])
        .response
    )
    assert response is not None
    board.record_response(
        review_id=poppy.review_id,
        actor=poppy.cast.chair,
        finding_id=poppy.finding_ids[0],
        expected_version=response.version,
        command=RecordBoardResponse(response=CHANGED_AFTER),
    )

    daisy = _case(service, people, "Daisy", date(2025, 3, 1), Route.LEARNING)
    _finding(
        service,
        daisy,
        title="Dental appointments missed",
        category="tools",
        statement="When a child is not brought to the dentist, the pattern is not linked to neglect.",
        themes=["was_not_brought"],
    )
    _factors(service, daisy, [("frontline", "conditions_of_work")])

    oscar = _case(service, people, "Oscar", date(2026, 11, 2), Route.STATUTORY)
    _finding(
        service,
        oscar,
        title="Domestic abuse notifications arrive late",
        category="responses_to_incidents",
        statement="Police notifications of domestic abuse reach schools too late to act on.",
        themes=["domestic_abuse"],
    )
    _approve(service, people, oscar)
    _action(
        service,
        oscar,
        title="Police notify schools before the school day",
        owner_agency="Police",
        due_on=date(2026, 10, 1),
    )
    _action(service, oscar, title=AT_TITLE, owner_agency="Education", due_on=date(2027, 1, 15))

    return Portfolio(
        poppy, daisy, oscar, people.user("member", "Rita Reader"), people.user("admin", "Ann Admin")
    )


# Built once per database and clock, then copied in: (database url, today) -> (snapshot, portfolio).
_BUILT: dict[Hashable, tuple[Snapshot, Portfolio]] = {}


def portfolio_in(
    engine: Engine, migrated: Snapshot, service: ReviewService, people: People, today: date
) -> Portfolio:
    """Replaces everything in the database with the portfolio."""
    key = (str(engine.url), today)
    if key in _BUILT:
        snapshot, built = _BUILT[key]
        snapshot.restore(engine)
    else:
        migrated.restore(engine)
        built = build_portfolio(service, people)
        _BUILT[key] = (Snapshot.take(engine), built)
    return copy.deepcopy(built)


@pytest.fixture(name="portfolio")
def portfolio_fixture(
    engine: Engine, migrated: Snapshot, service: ReviewService, people: People, clock: Clock
) -> Portfolio:
    """The portfolio (call it first: it replaces everything in the database)."""
    return portfolio_in(engine, migrated, service, people, clock())
