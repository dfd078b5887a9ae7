"""Notifications are written to the outbox in the same transaction as the change that causes them, to
the members the policy table says must act, as each person chose (immediately, daily or off); the
reminders of deadlines and overdue actions are queued once per deadline however often they run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from findings.analysis.board import OverdueActions
from findings.analysis.models import Action, AgencyNarrative
from tests.support import Journey, add_member
from workflow.errors import TriggerRefused
from workflow.membership import MembershipService, join
from workflow.models import NotificationSettings, OutboxMessage, User
from workflow.notifications.events import Kind
from workflow.notifications.outbox import Status
from workflow.notifications.reminders import Reminders, StatutoryDeadlines
from workflow.states import ReviewRole, State


def outbox(sessions, kind: Kind | None = None) -> list[OutboxMessage]:
    with sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind.value)
        return list(session.scalars(query))


def recipients(sessions, kind: Kind) -> list[int]:
    return [m.user_id for m in outbox(sessions, kind)]


def choose(sessions, user_id: int, delivery: str) -> None:
    with sessions() as session:
        session.merge(NotificationSettings(user_id=user_id, delivery=delivery))
        session.commit()


# ---- what causes an email, and who gets it -------------------------------------------------------------


def test_being_added_to_a_review_tells_the_person_added_and_not_the_coordinator_who_added_them(
    service, people, sessions
):
    journey = Journey(service, people).referral()  # the coordinator logs it, adds the chair and a partner
    added = outbox(sessions, Kind.ADDED)
    assert [m.user_id for m in added] == [journey.cast.chair, journey.cast.partner]
    assert added[0].context == {
        "review_id": journey.review_id,
        "pseudonym": "Alice",
        "stage": "Referred",
        "role": "chair",
    }
    assert added[0].status == Status.PENDING


@pytest.mark.parametrize(("regime", "decider"), [("wt2023", "partner"), ("wt2010", "chair")])
def test_opening_the_criteria_check_asks_whoever_may_decide_the_route(regime, decider, journeys, sessions):
    """Under WT2023 the safeguarding partners decide; under WT2010 the chair."""
    journey = journeys.to(State.REFERRED, regime)
    journey.fire("open_screening", journey.cast.coordinator)
    [message] = outbox(sessions, Kind.ROUTE_DECISION)
    assert message.user_id == getattr(journey.cast, decider)
    assert message.context["stage"] == "Criteria check"


def test_submitting_for_sign_off_asks_the_chair_and_returning_it_tells_the_lead_and_coordinator(
    journeys, sessions
):
    journey = journeys.to(State.FINDINGS)
    journey.fire("submit_for_signoff", journey.cast.lead)
    assert recipients(sessions, Kind.SIGN_OFF) == [journey.cast.chair]
    journey.fire("return_for_revision", journey.cast.chair, comment="Finding 2 needs evidence beyond Alice.")
    assert set(recipients(sessions, Kind.RETURNED)) == {journey.cast.coordinator, journey.cast.lead}
    [returned] = outbox(sessions, Kind.RETURNED)[:1]
    assert "Finding 2" not in str(returned.context)  # the chair's comment stays in the review


def test_a_returned_narrative_tells_that_agencys_panel_member_and_the_coordinator(
    journeys, service, sessions
):
    from findings.analysis.narratives import AddEntry, NarrativeService, ReturnNarrative

    journey = journeys.to(State.DATA_GATHERING)
    cast = journey.cast
    police, health = cast.panel["Police"], cast.panel["Health"]
    narratives = NarrativeService(service)
    entry = AddEntry(occurred_on=date(2026, 3, 1), what_happened="Alice seen at school.")
    narratives.add_entry(review_id=journey.review_id, actor=police, agency="Police", command=entry)
    with sessions() as session:
        version = session.scalars(select(AgencyNarrative.version)).one()
    narrative = narratives.submit(
        review_id=journey.review_id, actor=police, agency="Police", expected_version=version
    )
    narratives.return_for_changes(
        review_id=journey.review_id,
        actor=cast.lead,
        agency="Police",
        expected_version=narrative.version,
        command=ReturnNarrative(reason="The entry of 1 March names the school."),
    )
    told = recipients(sessions, Kind.CORRECTIONS)
    assert police in told and cast.coordinator in told and health not in told
    assert cast.lead not in told  # who returned it
    assert outbox(sessions, Kind.CORRECTIONS)[0].context == {
        "review_id": journey.review_id,
        "pseudonym": "Alice",
        "stage": "Gathering accounts",
        "agency": "Police",
    }


def test_nobody_is_told_of_their_own_change(journeys, sessions, people, service):
    journey = journeys.to(State.SCOPING)
    coordinator_email = people.email(journey.cast.coordinator)
    add_member(
        service,
        journey.review_id,
        journey.cast.coordinator,
        journey.version,
        email=coordinator_email,
        role="lead_reviewer",
    )
    assert journey.cast.coordinator not in recipients(sessions, Kind.ADDED)


# ---- the same transaction ----------------------------------------------------------------------------


def test_a_change_that_fails_after_its_email_was_queued_leaves_no_message(
    journeys, sessions, service, people
):
    journey = journeys.to(State.SCOPING)
    before = len(outbox(sessions))
    edits = MembershipService(service)
    with (
        pytest.raises(RuntimeError, match="after its email"),
        edits.editing(
            journey.review_id, journey.cast.coordinator, journey.version, "change_membership"
        ) as edit,
    ):
        user = edit.session.get(User, journey.cast.outsider)
        join(edit, user, ReviewRole.PANEL_MEMBER, agency="Police", declared_interest=None)
        queued = edit.session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == journey.cast.outsider)
        ).all()
        assert len(queued) == 1  # written in the change's own transaction...
        raise RuntimeError("the change fails after its email was queued")
    assert len(outbox(sessions)) == before  # ...and gone with it
    assert journey.cast.outsider not in [
        m.user_id for m in service.get(journey.review_id, journey.cast.coordinator).review.memberships
    ]


def test_a_refused_trigger_queues_nothing(journeys, sessions, analysis):
    journey = journeys.to(State.FINDINGS)
    analysis.snapshot_value = None  # the analysis cannot be read: the guard refuses
    before = len(outbox(sessions))
    with pytest.raises(TriggerRefused):
        journey.fire("submit_for_signoff", journey.cast.lead)
    assert len(outbox(sessions)) == before


# ---- each person's choice ----------------------------------------------------------------------------


def test_a_person_who_turned_emails_off_is_queued_nothing_and_a_daily_one_waits_for_the_digest(
    journeys, sessions
):
    journey = journeys.to(State.FINDINGS)
    choose(sessions, journey.cast.lead, "off")
    choose(sessions, journey.cast.coordinator, "daily")
    journey.fire("submit_for_signoff", journey.cast.lead)
    journey.fire("return_for_revision", journey.cast.chair, comment="More evidence.")
    [message] = outbox(sessions, Kind.RETURNED)
    assert message.user_id == journey.cast.coordinator and message.status == Status.WAITING


def test_an_inactive_account_is_queued_nothing(journeys, sessions):
    journey = journeys.to(State.REFERRED)
    with sessions() as session:
        session.get(User, journey.cast.partner).active = False
        session.commit()
    journey.fire("open_screening", journey.cast.coordinator)
    assert outbox(sessions, Kind.ROUTE_DECISION) == []


# ---- reminders ---------------------------------------------------------------------------------------


def reminders(sessions, clock) -> Reminders:
    return Reminders(sessions, (StatutoryDeadlines(), OverdueActions()), today=clock)


def test_deadline_reminders_are_queued_once_per_deadline_however_often_remind_runs(journeys, sessions, clock):
    # Aware on 2 November 2026 (wt2023): notification due 9 November, rapid review 23 November.
    journey = journeys.to(State.REFERRED)
    clock.today = date(2026, 11, 5)  # notification in 2 working days; the rapid review in 12
    run = reminders(sessions, clock)
    assert run.run() == 2  # the coordinator, and the chair who may record the notice
    assert run.run() == 0
    soon = outbox(sessions, Kind.DEADLINE_SOON)
    assert {m.user_id for m in soon} == {journey.cast.coordinator, journey.cast.chair}
    assert soon[0].context["deadline"] == "Notification to the national panel"
    assert soon[0].context["due"] == "2026-11-09"
    clock.today = date(2026, 11, 10)  # the notification is overdue; the rapid review is 9 working days off
    assert run.run() == 2
    assert run.run() == 0
    assert {m.context["deadline"] for m in outbox(sessions, Kind.DEADLINE_OVERDUE)} == {
        "Notification to the national panel"
    }
    clock.today = date(2026, 11, 16)  # rapid review due 23 November: 5 working days
    assert run.run() == 2
    clock.today = date(2026, 11, 17)
    assert run.run() == 0  # the notification's overdue reminder and the rapid review's went already


def test_a_met_deadline_is_not_reminded(journeys, sessions, clock):
    journey = journeys.to(State.SCOPING)  # the rapid review was sent: its clock is met
    clock.today = date(2026, 12, 20)
    reminders(sessions, clock).run()
    assert "Rapid review" not in {m.context["deadline"] for m in outbox(sessions, Kind.DEADLINE_OVERDUE)}
    assert journey.review_id


def test_an_overdue_board_action_reminds_whoever_records_the_actions_once(journeys, service, clock, sessions):
    from findings.analysis.board import AddAction, BoardService

    journey = journeys.to(State.APPROVED)
    cast = journey.cast
    BoardService(service, today=clock).add_action(
        review_id=journey.review_id,
        actor=cast.coordinator,
        command=AddAction(
            title="Neglect toolkit for Alice's school", owner_agency="Health", due_on=date(2026, 12, 1)
        ),
    )
    run = reminders(sessions, clock)
    clock.today = date(2026, 12, 1)
    run.run()
    assert outbox(sessions, Kind.ACTION_OVERDUE) == []
    clock.today = date(2026, 12, 2)
    run.run()
    run.run()
    overdue = outbox(sessions, Kind.ACTION_OVERDUE)
    assert {m.user_id for m in overdue} == {cast.coordinator, cast.chair}
    assert overdue[0].context["due"] == "2026-12-01"
    assert "toolkit" not in str(overdue[0].context)
    with sessions() as session:
        session.scalars(select(Action)).one().status = "done"
        session.commit()
    clock.today += timedelta(days=7)
    assert len(outbox(sessions, Kind.ACTION_OVERDUE)) == 2
