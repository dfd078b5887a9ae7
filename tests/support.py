"""Test support: a controllable clock, a double of the analysis port, people, a builder that
drives a review to any stage through the real service, and the command line run in process."""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import traceback
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from api import cli
from api.wiring import get_services
from tests.databases import Snapshot
from workflow import people as people_module
from workflow import regimes
from workflow.errors import TriggerRefused
from workflow.holds import HoldService
from workflow.membership import AddMember, MembershipService
from workflow.models import Review
from workflow.notices import NoticeService, RecordNotice
from workflow.ports import (
    ActionFacts,
    AnalysisNeed,
    AnalysisSnapshot,
    EpisodeFacts,
    FactorFacts,
    FindingFacts,
)
from workflow.referrals import Incident, LogReferral, RecordCriteria, ReferralService, SetScope
from workflow.regimes.base import Recipient
from workflow.service import ReviewService
from workflow.settings import get_settings
from workflow.states import ReviewRole, State
from workflow.statutory import (
    RecordPanelResponse,
    SendRapidReview,
    StatutoryService,
    WriteNotification,
    WriteRapidReview,
)

_counter = itertools.count(1)


def examples(count: int) -> int:
    """`count` Hypothesis examples, scaled like the loaded profile's `max_examples` against
    Hypothesis's 100 (ten times under --hypothesis-profile=thorough)."""
    return max(1, count * hypothesis_settings.default.max_examples // 100)


class Clock:
    """`today` for the service, movable by the test."""

    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


SATISFIED = AnalysisSnapshot(
    narratives_submitted=frozenset({"Police", "Health", "Children's social care"}),
    episodes=(
        EpisodeFacts(
            1,
            "Dental appointments missed",
            "problematic",
            True,
            True,
            (FactorFacts("conditions of work", False),),
        ),
    ),
    findings=(FindingFacts(1, "Neglect is hard to see", (), 1),),
    board_response_recorded=True,
    anonymisation_hits=(),
    actions=(ActionFacts("Neglect toolkit", True, True, True),),
)


@dataclass
class FakeAnalysis:
    """Test double of the analysis port. `snapshot_value` is what guards see; None = unavailable.
    Panel submissions are marked as all done unless `panel_outstanding` is set."""

    snapshot_value: AnalysisSnapshot | None = field(default_factory=lambda: SATISFIED)
    panel_outstanding: bool = False

    def snapshot(
        self, session: Session, review_id: int, needs: frozenset[AnalysisNeed], *, run_checks: bool
    ) -> AnalysisSnapshot | None:
        if self.snapshot_value is None:
            return None
        if self.panel_outstanding:
            return self.snapshot_value
        review = session.get(Review, review_id)
        ids = frozenset(m.id for m in review.memberships) if review else frozenset()
        return replace(self.snapshot_value, panel_submitted=ids)


@dataclass
class FakePublisher:
    """Test double of the publisher port: records what it was asked to publish and freezes nothing.
    `refuse` makes it refuse, like a publication whose check found a leak."""

    published: list[tuple[str, int]] = field(default_factory=list)
    refuse: tuple[str, ...] = ()

    def _record(self, what: str, review_id: int) -> Mapping[str, str]:
        if self.refuse:
            raise TriggerRefused("publish" if what == "full" else "decline_publication", self.refuse)
        self.published.append((what, review_id))
        return {"variant": what, "digest": "0" * 64}

    def publish(self, session: Session, review_id: int, actor_id: int) -> Mapping[str, str]:
        return self._record("full", review_id)

    def decline(self, session: Session, review_id: int, actor_id: int) -> Mapping[str, str]:
        return self._record("summary", review_id)


@dataclass
class Cast:
    coordinator: int
    chair: int
    lead: int
    panel: dict[str, int]
    practitioner: int
    outsider: int
    admin: int
    # The safeguarding partner who decides the route under WT2023 (0: the journey adds one).
    partner: int = 0


class People:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def user(self, role: str = "member", name: str | None = None, password_hash: str | None = None) -> int:
        n = next(_counter)
        with self.sessions() as session:
            user = people_module.create_user(
                session,
                email=f"person{n}@test.example.org",
                name=name or f"Person {n}",
                role=role,
                password_hash=password_hash,
            )
            session.commit()
            return user.id

    def email(self, user_id: int) -> str:
        with self.sessions() as session:
            return people_module.get_user(session, user_id).email

    def cast(self) -> Cast:
        return Cast(
            coordinator=self.user("coordinator", "Cara Coordinator"),
            chair=self.user("chair", "Charles Chair"),
            lead=self.user("member", "Lena Lead"),
            panel={agency: self.user("member", f"Panel {agency}") for agency in AGENCIES},
            practitioner=self.user("member", "Polly Practitioner"),
            outsider=self.user("member", "Oscar Outsider"),
            admin=self.user("admin", "Ada Admin"),
            partner=self.user("member", "Priya Partner"),
        )


AGENCIES = ("Police", "Health", "Children's social care")

# The criteria of the newest WT2023 (version 2): a serious incident in England, criteria (a) and (c).
WT2023_STATUTORY = {
    "abuse_death_or_serious_harm": "yes",
    "harmed_outside_england": "no",
    "looked_after_child_died": "no",
    "care_leaver_died": "no",
    "improvements_needed": "yes",
    "recurrent_themes": "no",
    "multi_agency_concerns": "yes",
    "national_panel_advised": "no",
    "single_agency_concerns": "no",
    "no_agency_involvement": "no",
    "multiple_areas": "no",
    "institutional_setting": "no",
}

# A death where abuse or neglect is suspected: a serious case review under WT2010.
WT2010_STATUTORY = {
    "child_died": "yes",
    "abuse_or_neglect": "suspected",
    "serious_harm": "no",
    "agency_concerns": "yes",
    "lessons_for_agencies": "yes",
}

# A notification and a rapid review with everything the national panel asks for (neither sent yet).
COMPLETE_NOTIFICATION = WriteNotification(
    age_band="1_to_4",
    sex="female",
    ethnicity="White British",
    incident_date=date(2026, 10, 30),
    area="Northshire",
    known_to=["Police", "Health"],
    child_protection_plan="no",
    looked_after="no",
    other_children="A brother, aged 5.",
    circumstances="Alice, aged 2, was found in a neglected state at home.",
    immediate_actions="Alice and her brother were placed with their grandmother.",
)
COMPLETE_RAPID_REVIEW = WriteRapidReview(
    facts="Alice, aged 2, was found in a neglected state at home.",
    immediate_action="Alice and her brother were placed with their grandmother.",
    agencies_involvement="Police, health visiting and children's social care knew the family.",
    learning="How neglect is recognised when a family moves between areas.",
    lcspr_criteria_met="yes",
    lcspr_reasons="Criteria (a) and (c) are met.",
    national_review="no",
)

ORDER = (
    State.REFERRED,
    State.SCREENING,
    State.SCOPING,
    State.CASE_GROUP,
    State.DATA_GATHERING,
    State.ANALYSIS,
    State.FINDINGS,
    State.SIGN_OFF,
    State.APPROVED,
    State.PUBLISHED,
    State.CLOSED,
)


@dataclass
class Lifecycle:
    """The services that edit a review, built on one `ReviewService` (and its today)."""

    referrals: ReferralService
    membership: MembershipService
    holds: HoldService
    notices: NoticeService
    statutory: StatutoryService

    @classmethod
    def of(cls, service: ReviewService) -> Lifecycle:
        return cls(
            referrals=ReferralService(service, today=service.today),
            membership=MembershipService(service, today=service.today),
            holds=HoldService(service, today=service.today),
            notices=NoticeService(service, today=service.today),
            statutory=StatutoryService(service, today=service.today),
        )


def add_member(
    service: ReviewService, review_id: int, actor: int, version: int, *, email: str, role: str, **more: Any
) -> None:
    """Add a member through the membership service (tests that build a review by hand)."""
    command = AddMember(email=email, role=ReviewRole(role), **more)
    Lifecycle.of(service).membership.add(
        review_id=review_id, actor=actor, expected_version=version, command=command
    )


class Journey:
    """Drives one review through the real services, stage by stage."""

    def __init__(
        self,
        service: ReviewService,
        people: People,
        cast: Cast | None = None,
        today: date = date(2026, 11, 26),
        regime: str = "wt2023",
    ) -> None:
        self.regime = regimes.current(regime)
        self.service = service
        self.lifecycle = Lifecycle.of(service)
        self.people = people
        self.cast = cast or people.cast()
        self.today = today
        self.review_id = 0

    @property
    def version(self) -> int:
        return self.service.get(self.review_id, self.cast.coordinator).review.version

    def fire(self, trigger: str, actor: int, **params: Any) -> Review:
        return self.service.fire(self.review_id, trigger, actor, self.version, **params)

    def referral(self) -> Journey:
        logged = self.lifecycle.referrals.log(
            actor=self.cast.coordinator,
            command=LogReferral(
                child_pseudonym="Alice",
                incident=Incident(
                    outcome="serious_harm",
                    abuse_or_neglect="suspected",
                    date_of_awareness=date(2026, 11, 2),
                    summary="Alice was found in a neglected state.",
                ),
                agencies_involved=list(AGENCIES),
                regime=self.regime.key,
            ),
        )
        self.review_id = logged.detail.review.id
        self.add_member(self.people.email(self.cast.chair), "chair")
        if not self.cast.partner:
            self.cast.partner = self.people.user("member", "Priya Partner")
        self.add_member(self.people.email(self.cast.partner), "safeguarding_partner", "Local authority")
        return self

    def add_member(self, email: str, role: str, agency: str | None = None) -> None:
        add_member(
            self.service,
            self.review_id,
            self.cast.coordinator,
            self.version,
            email=email,
            role=role,
            agency=agency,
        )

    def to(self, target: State) -> Journey:
        """On to `target`, from where the review stands (a new review is referred first)."""
        start = 1
        if not self.review_id:
            self.referral()
        else:
            standing = self.service.get(self.review_id, self.cast.coordinator).review.state
            start = ORDER.index(State(standing)) + 1
        steps = {
            State.SCREENING: self._screening,
            State.SCOPING: self._scoping,
            State.CASE_GROUP: self._case_group,
            State.DATA_GATHERING: self._data_gathering,
            State.ANALYSIS: lambda: self.fire("begin_analysis", self.cast.coordinator),
            State.FINDINGS: lambda: self.fire("draft_findings", self.cast.lead),
            State.SIGN_OFF: lambda: self.fire("submit_for_signoff", self.cast.lead),
            State.APPROVED: self._approved,
            State.PUBLISHED: lambda: self.fire("publish", self.cast.chair),
            State.CLOSED: lambda: self.fire("close", self.cast.coordinator),
        }
        for state in ORDER[start : ORDER.index(target) + 1]:
            steps[state]()
        return self

    def _screening(self) -> None:
        self.fire("open_screening", self.cast.coordinator)
        self.lifecycle.referrals.record_criteria(
            review_id=self.review_id,
            actor=self.cast.coordinator,
            expected_version=self.version,
            command=RecordCriteria(
                answers=WT2023_STATUTORY if self.regime.key == "wt2023" else WT2010_STATUTORY
            ),
        )
        if self.regime.has_rapid_review:
            self.rapid_review()

    @property
    def decider(self) -> int:
        """Who records the route decision under the journey's regime: a partner, or the chair."""
        return (
            self.cast.partner if ReviewRole.SAFEGUARDING_PARTNER in self.regime.deciders else self.cast.chair
        )

    def rapid_review(self, response: str = "agrees") -> None:
        """Write the rapid review, send it to the national panel today and record its response."""
        statutory, actor = self.lifecycle.statutory, self.cast.coordinator
        statutory.write_rapid_review(
            review_id=self.review_id,
            actor=actor,
            expected_version=self.version,
            command=COMPLETE_RAPID_REVIEW,
        )
        today = self.service.today()
        statutory.send_rapid_review(
            review_id=self.review_id,
            actor=actor,
            expected_version=self.version,
            command=SendRapidReview(on=today),
        )
        statutory.record_panel_response(
            review_id=self.review_id,
            actor=actor,
            expected_version=self.version,
            command=RecordPanelResponse(response=response, on=today),  # type: ignore[arg-type]
        )

    def _scoping(self) -> None:
        self.fire("decide", self.decider, route="statutory", rationale="Criteria (a) and (c) are met.")
        self.add_member(self.people.email(self.cast.lead), "lead_reviewer")
        self.lifecycle.referrals.set_scope(
            review_id=self.review_id,
            actor=self.cast.coordinator,
            expected_version=self.version,
            command=SetScope(
                research_questions=["How do agencies recognise neglect?"],
                agencies_in_scope=list(AGENCIES),
                period_start=date(2025, 1, 1),
                period_end=date(2026, 10, 31),
            ),
        )

    def _case_group(self) -> None:
        self.fire("confirm_scope", self.cast.coordinator)
        for agency, user in self.cast.panel.items():
            self.add_member(self.people.email(user), "panel_member", agency)
        self.add_member(self.people.email(self.cast.practitioner), "case_group", "Health")

    def _data_gathering(self) -> None:
        self.fire("convene", self.cast.coordinator)

    def _approved(self) -> None:
        self.fire("approve", self.cast.chair)
        record_report_notices(self.lifecycle.notices, self.review_id, self.cast.chair, self.version)


def record_report_notices(
    notices: NoticeService, review_id: int, actor: int, version: int, on: date = date(2026, 11, 2)
) -> int:
    """Send the final report to everyone the review's regime names (wt2023: the national panel, the
    Secretary of State and Ofsted) on `on`; the review's version after the last notice."""
    detail = None
    for recipient in Recipient:
        detail = notices.record(
            review_id=review_id,
            actor=actor,
            expected_version=detail.review.version if detail else version,
            command=RecordNotice(kind=recipient.notice_kind, on=on),  # type: ignore[arg-type]
        )
    assert detail is not None
    return detail.review.version


class Journeys:
    """Journeys to a stage built once per session and database, then copied in.

    `to(state)` replaces everything in the database with a review at `state` (a fresh cast, driven by
    `Journey`) and answers its `Journey` on this test's service. The first call for a state drives it
    on the emptied database and keeps a snapshot; later calls restore the snapshot."""

    def __init__(
        self,
        cache: dict[Hashable, tuple[Snapshot, Cast, int]],
        engine: Engine,
        migrated: Snapshot,
        service: ReviewService,
        people: People,
        today: Callable[[], date],
    ) -> None:
        self._cache, self._engine, self._migrated = cache, engine, migrated
        self._service, self._people, self._today = service, people, today

    def to(self, state: State, regime: str = "wt2023") -> Journey:
        key = (state, self._today(), regime)
        if key in self._cache:
            snapshot, cast, review_id = self._cache[key]
            snapshot.restore(self._engine)
        else:
            self._migrated.restore(self._engine)
            built = Journey(self._service, self._people, regime=regime).to(state)
            cast, review_id = built.cast, built.review_id
            self._cache[key] = (Snapshot.take(self._engine), cast, review_id)
        journey = Journey(self._service, self._people, copy.deepcopy(cast), regime=regime)
        journey.review_id = review_id
        return journey


@dataclass(frozen=True)
class Ran:
    """What a run of the command line left: like `subprocess.CompletedProcess`."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(args: Sequence[str], cwd: Path, env: Mapping[str, str], stdin: str | None = None) -> Ran:
    """`tunnelview ARGS` in this process (Typer's CliRunner) as a fresh process would run it: in `cwd`,
    with no TUNNELVIEW_ variable but those in `env`, settings and services read afresh. An exception
    the command does not handle shows as its traceback on stderr, as it would in a terminal."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("TUNNELVIEW_")}
    get_settings.cache_clear()
    get_services.cache_clear()
    try:
        with contextlib.chdir(cwd):
            result = CliRunner().invoke(cli.app, list(args), input=stdin, env=unset | dict(env))
    finally:
        if get_services.cache_info().currsize:
            get_services().engine.dispose()
        get_services.cache_clear()
        get_settings.cache_clear()
    stderr = result.stderr
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Ran(result.exit_code, result.stdout, stderr)
