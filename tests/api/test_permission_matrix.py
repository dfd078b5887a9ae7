"""Who may call what: every route of the app x every kind of caller -> the status they get.

One table. A route the table does not list fails `test_every_route_has_a_row`, so a route cannot be
added without deciding who may call it. Each row runs against a fresh world (a review at the row's
stage, see `tests/api/world.py`); the world is rebuilt after any call that changed it, so each
caller meets the same review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from findings.export import ExportService
from findings.publication import freeze, prepare
from findings.register import RegisterService
from findings.render import Format
from findings.reporting import briefing_data, load, report_data
from findings.reporting_models import ReportTexts
from tests.api.conftest import REGISTER_KEY
from tests.api.world import CALLERS, PASSWORD, World, build_world
from tests.support import WT2023_STATUTORY
from workflow.models import Review
from workflow.states import State

R, S1, S2 = State.REFERRED, State.SCREENING, State.SCOPING
AP, PU = State.APPROVED, State.PUBLISHED


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # as the app declares it; {review_id}, {member_id}, {user_id} are filled from the world
    at: State
    statuses: tuple[int, ...]  # one per caller, in the order of CALLERS
    body: Callable[[World, str], dict[str, Any]] | None = None
    form: bool = False  # the body is a form, not JSON
    prepare: Callable[[World], None] | None = None
    if_match: bool = field(default=False)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _login(world: World, caller: str) -> dict[str, Any]:
    return {"username": world.emails[caller], "password": PASSWORD}


def _hold(world: World) -> None:
    world.service.set_publication_hold(
        world.review_id, world.users["coordinator"], world.version, held=True, reason="Criminal trial."
    )


def _register_entry(world: World) -> None:
    register = RegisterService(world.service, cipher=MultiFernet([Fernet(REGISTER_KEY)]))
    changed = register.add(
        world.review_id, world.users["coordinator"], world.version, kind="child", value="Jane Smith",
        pseudonym="Alice",
    )
    world.entry_id = changed.entry_id  # type: ignore[attr-defined]


def _report_texts(world: World) -> None:
    with world.service.session() as session:
        texts = ReportTexts(review_id=world.review_id, case_summary="Alice was found neglected.", briefing={})
        session.add(texts)
        session.commit()


def _frozen(world: World) -> None:
    """What the publisher freezes at `publish` (the test double of the world freezes nothing)."""
    with world.service.session() as session:
        review = session.get(Review, world.review_id)
        content = load(session, review)
        prepared = prepare(
            report_data(content), (), briefing=briefing_data(content), formats=[Format.HTML, Format.MARKDOWN]
        )
        freeze(session, review, prepared, actor_id=world.users["chair"])
        session.commit()


def _export(world: World, _caller: str) -> dict[str, Any]:
    return ExportService(world.service).export(review_id=world.review_id, actor=world.users["coordinator"])


_DECIDE = {"route": "statutory", "rationale": "Criteria (a) and (c) are met."}
_SCOPE = {"research_questions": ["How is neglect recognised?"], "agencies_in_scope": ["Police", "Health"]}

# fmt: off
#   caller:    anonymous  admin  coordinator  chair  panel_member  case_group  other_review
MATRIX: tuple[Row, ...] = (
    Row("GET", "/healthz", R,                                 (200, 200, 200, 200, 200, 200, 200)),
    Row("GET", "/openapi.json", R,                            (200, 200, 200, 200, 200, 200, 200)),
    Row("GET", "/docs", R,                                    (200, 200, 200, 200, 200, 200, 200)),
    Row("POST", "/api/v1/auth/token", R,                      (401, 200, 200, 200, 200, 200, 200),
        body=_login, form=True),
    Row("DELETE", "/api/v1/auth/token", R,                    (401, 204, 204, 204, 204, 204, 204)),
    Row("GET", "/api/v1/me", R,                               (401, 200, 200, 200, 200, 200, 200)),
    Row("GET", "/api/v1/reviews", R,                          (401, 200, 200, 200, 200, 200, 200)),
    Row("POST", "/api/v1/reviews", R,                         (401, 403, 201, 403, 403, 403, 403),
        body=lambda w, c: {"child_pseudonym": "Carl", "agencies_involved": ["Police"]}),
    Row("GET", "/api/v1/reviews/{review_id}", R,              (401, 404, 200, 200, 200, 200, 404)),
    Row("PUT", "/api/v1/reviews/{review_id}/criteria", S1,    (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"answers": WT2023_STATUTORY}, if_match=True),
    Row("PUT", "/api/v1/reviews/{review_id}/scope", S2,       (401, 404, 200, 403, 403, 403, 404),
        body=lambda w, c: _SCOPE, if_match=True),
    Row("POST", "/api/v1/reviews/{review_id}/publication-hold", R, (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"reason": "Criminal trial."}, if_match=True),
    Row("DELETE", "/api/v1/reviews/{review_id}/publication-hold", R, (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"reason": "The trial is over."}, prepare=_hold, if_match=True),
    Row("POST", "/api/v1/reviews/{review_id}/notices", R,     (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"kind": "notification", "on": "2026-11-05"}, if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/members", R,      (401, 404, 200, 200, 200, 200, 404)),
    Row("POST", "/api/v1/reviews/{review_id}/members", R,     (401, 404, 201, 403, 403, 403, 404),
        body=lambda w, c: {"email": w.emails["spare"], "role": "lead_reviewer"}, if_match=True),
    Row("DELETE", "/api/v1/reviews/{review_id}/members/{member_id}", R,
                                                              (401, 404, 200, 403, 403, 403, 404),
        if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/triggers", R,     (401, 404, 200, 200, 200, 200, 404)),
    Row("POST", "/api/v1/reviews/{review_id}/triggers/{trigger}", S1,
                                                              (401, 404, 403, 200, 403, 403, 404),
        body=lambda w, c: _DECIDE, if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/audit", R,        (401, 404, 200, 200, 200, 200, 404)),
    Row("GET", "/api/v1/reviews/{review_id}/audit/verify", R, (401, 404, 200, 200, 200, 200, 404)),
    Row("GET", "/api/v1/users", R,                            (401, 200, 403, 403, 403, 403, 403)),
    Row("POST", "/api/v1/users", R,                           (401, 201, 403, 403, 403, 403, 403),
        body=lambda w, c: {"email": f"new-{c}@test.example.org", "name": "New Person", "role": "member",
                           "password": "a long enough password"}),
    Row("PATCH", "/api/v1/users/{user_id}", R,                (401, 200, 403, 403, 403, 403, 403),
        body=lambda w, c: {"name": "Polly P. Practitioner"}),
    # reports, the anonymisation check, export and import
    Row("GET", "/api/v1/reviews/{review_id}/reports/{kind}", R, (401, 404, 200, 200, 200, 200, 404)),
    Row("GET", "/api/v1/reviews/{review_id}/report-texts", R, (401, 404, 200, 200, 200, 200, 404)),
    Row("PUT", "/api/v1/reviews/{review_id}/report-texts", S2, (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"case_summary": "Alice, aged 6, was found neglected."}, if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/anonymisation", R, (401, 404, 200, 200, 403, 403, 404)),
    Row("POST", "/api/v1/reviews/{review_id}/anonymisation/corrections", AP,
                                                              (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"kind": "review", "object_id": w.review_id, "field": "case_summary",
                           "value": "Alice was found in a neglected state."},
        prepare=_report_texts, if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/export", R,       (401, 404, 200, 403, 403, 403, 404)),
    Row("POST", "/api/v1/reviews/import", R,                  (401, 403, 201, 403, 403, 403, 403),
        body=_export),
    # the sealed register: coordinator and chair only
    Row("GET", "/api/v1/reviews/{review_id}/register", R,     (401, 404, 200, 200, 403, 403, 404)),
    Row("POST", "/api/v1/reviews/{review_id}/register", R,    (401, 404, 201, 201, 403, 403, 404),
        body=lambda w, c: {"kind": "child", "value": "Jane Smith", "pseudonym": "Alice"}, if_match=True),
    Row("PATCH", "/api/v1/reviews/{review_id}/register/{entry_id}", R,
                                                              (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"pseudonym": "the child"}, prepare=_register_entry, if_match=True),
    Row("DELETE", "/api/v1/reviews/{review_id}/register/{entry_id}", R,
                                                              (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"reason": "Added by mistake."}, prepare=_register_entry, if_match=True),
    # published documents: public once published, for anyone signed in
    Row("GET", "/api/v1/published", R,                        (401, 200, 200, 200, 200, 200, 200)),
    Row("GET", "/api/v1/published/board-briefing", PU,       (401, 200, 200, 200, 200, 200, 200),
        prepare=_frozen),
    Row("GET", "/api/v1/published/{review_id}/{kind}", PU,    (401, 200, 200, 200, 200, 200, 200),
        prepare=_frozen),
)
# fmt: on


def _declared_routes(app: Any) -> set[tuple[str, str]]:
    declared: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            continue  # static files: public, and not a route of the API
        assert route.methods, route
        declared |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return declared


def test_every_route_has_a_row(app):
    rows = {(row.method, row.path) for row in MATRIX}
    assert len(rows) == len(MATRIX), "a route has two rows"
    declared = _declared_routes(app)
    assert declared - rows == set(), "routes without a row in the permission matrix"
    assert rows - declared == set(), "rows for routes that do not exist"


def test_every_row_names_every_caller():
    assert all(len(row.statuses) == len(CALLERS) for row in MATRIX)


def _call(client, world: World, row: Row, caller: str):
    path = row.path.format(
        review_id=world.review_id,
        member_id=world.member_id("case_group"),
        user_id=world.users["case_group"],
        trigger="decide",
        kind="practitioner",
        entry_id=getattr(world, "entry_id", 1),
    )
    headers = world.headers(caller)
    if row.if_match:
        headers["If-Match"] = f'"{world.version}"'
    kwargs: dict[str, Any] = {"headers": headers}
    if row.body is not None:
        kwargs["data" if row.form else "json"] = row.body(world, caller)
    return client.request(row.method, path, **kwargs)


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.id)
def test_permission_matrix(row: Row, client, service, people, api_services):
    def fresh() -> World:
        world = build_world(service, people, api_services.auth, row.at)
        if row.prepare:
            row.prepare(world)
        return world

    world = fresh()
    got: dict[str, int] = {}
    for caller in CALLERS:
        response = _call(client, world, row, caller)
        got[caller] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", response.text
        elif row.method != "GET":
            world = fresh()  # it changed something: the next caller meets the review as it was
    assert got == dict(zip(CALLERS, row.statuses, strict=True))
