"""A review with one caller of every kind, for the API tests: who is who, their tokens, and the ids a
route needs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine

from api.auth import Authenticator
from api.passwords import hash_password
from api.wiring import Services
from tests.databases import Snapshot
from tests.support import AGENCIES, ORDER, Cast, Clock, Journey, Lifecycle, People, add_member
from workflow.referrals import Incident, LogReferral
from workflow.service import ReviewService
from workflow.states import State

PASSWORD = "correct horse battery staple"

# Every kind of caller the permission matrix knows, in the order of its columns.
CALLERS = ("anonymous", "admin", "coordinator", "chair", "panel_member", "case_group", "other_review")


@cache
def password_hash() -> str:
    """One Argon2id hash for every test account (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


@dataclass
class World:
    service: ReviewService
    journey: Journey
    users: dict[str, int]  # caller kind (and "spare", "lead") -> user id
    emails: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)
    other_review_id: int = 0
    ids: dict[str, Any] = field(default_factory=dict)  # ids of those objects, for paths ({episode_id}, ...)

    @property
    def review_id(self) -> int:
        return self.journey.review_id

    @property
    def version(self) -> int:
        return self.journey.version

    def copy_for(self, service: ReviewService, people: People) -> World:
        """This world (a copy of its ids and tokens) as seen through another test's services."""
        journey = Journey(service, people, self.journey.cast, self.journey.today)
        journey.review_id = self.journey.review_id
        return replace(
            copy.deepcopy(replace(self, service=None, journey=None)),  # type: ignore[arg-type]
            service=service,
            journey=journey,
        )

    def member_id(self, kind: str) -> int:
        review = self.service.get(self.review_id, self.users["coordinator"]).review
        return next(m.id for m in review.memberships if m.user_id == self.users[kind])

    def headers(self, caller: str) -> dict[str, str]:
        token = self.tokens.get(caller)
        return {"Authorization": f"Bearer {token}"} if token else {}


def build_world(
    service: ReviewService,
    people: People,
    auth: Authenticator,
    at: State,
) -> World:
    """A review at stage `at` whose coordinator, chair, a panel member (Police) and a case group
    member are callers; an admin; and a member of another review only."""
    hashed = password_hash()

    def user(role: str, name: str) -> int:
        return people.user(role, name, password_hash=hashed)

    cast = Cast(
        coordinator=user("coordinator", "Cara Coordinator"),
        chair=user("chair", "Charles Chair"),
        lead=user("member", "Lena Lead"),
        panel={agency: user("member", f"Panel {agency}") for agency in AGENCIES},
        practitioner=user("member", "Polly Practitioner"),
        outsider=user("member", "Oscar Outsider"),
        admin=user("admin", "Ada Admin"),
        partner=user("member", "Priya Partner"),
    )
    journey = Journey(service, people, cast).to(at)
    if ORDER.index(at) < ORDER.index(State.CASE_GROUP):
        # Panel and case group are formed at `case_group`; add two early so every caller exists.
        for email, role, agency in (
            (people.email(cast.panel["Police"]), "panel_member", "Police"),
            (people.email(cast.practitioner), "case_group", "Health"),
        ):
            journey.add_member(email, role, agency)
    users = {
        "admin": cast.admin,
        "coordinator": cast.coordinator,
        "chair": cast.chair,
        "panel_member": cast.panel["Police"],
        "case_group": cast.practitioner,
        "other_review": cast.outsider,
        "lead": cast.lead,
        "partner": cast.partner,
        "spare": user("member", "Sam Spare"),
    }
    world = World(service, journey, users, {kind: people.email(uid) for kind, uid in users.items()})
    world.emails["anonymous"] = "nobody@test.example.org"

    other_coordinator = user("coordinator", "Olga Other")
    other = (
        Lifecycle.of(service)
        .referrals.log(
            actor=other_coordinator,
            command=LogReferral(
                child_pseudonym="Bobby",
                incident=Incident(
                    outcome="died", abuse_or_neglect="known", date_of_awareness=date(2026, 11, 10)
                ),
                agencies_involved=["Police", "Health"],
            ),
        )
        .detail.review
    )
    add_member(
        service,
        other.id,
        other_coordinator,
        other.version,
        email=world.emails["other_review"],
        role="panel_member",
        agency="Police",
    )
    world.other_review_id = other.id
    world.tokens = {kind: auth.issue(uid).token for kind, uid in users.items()}
    return world


class Worlds:
    """Test worlds (tests/api/world.py) built once per session and database, then copied in.

    `at(stage, prepare)` replaces everything in the database with the world at `stage` (after
    `prepare(world)`, if given) and answers it bound to this test's services. The first call for a
    stage builds it through the real services on the emptied database and keeps a snapshot; later
    calls, in this test or another, restore the snapshot (milliseconds instead of a whole journey)."""

    def __init__(
        self,
        cache: dict[Any, tuple[Snapshot, World]],
        engine: Engine,
        migrated: Snapshot,
        service: ReviewService,
        people: People,
        services: Services,
        clock: Clock,
        now: Callable[[], datetime],
    ) -> None:
        self._cache, self._engine, self._migrated = cache, engine, migrated
        self._service, self._people, self._services = service, people, services
        self._clock, self._now = clock, now

    def at(self, stage: State, prepare: Callable[[World], None] | None = None) -> World:
        key = (stage, prepare, self._clock(), self._now())
        if key in self._cache:
            snapshot, world = self._cache[key]
            snapshot.restore(self._engine)
        else:
            self._migrated.restore(self._engine)
            world = build_world(self._service, self._people, self._services.auth, stage)
            if prepare is not None:
                prepare(world)
            self._cache[key] = (Snapshot.take(self._engine), world)
        return world.copy_for(self._service, self._people)
