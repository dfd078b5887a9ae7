"""Property-based fuzzing of the OpenAPI schema with Schemathesis, against the app wired to the test
database, signed in: no answer is a 500, and every answer (status, content type, body, headers)
matches what /openapi.json promises.

Valid and invalid requests are generated. They go to a real review: path ids are pointed at the
world's review, a member and a user, and changes carry the review's current ETag, so generated
bodies reach the service instead of stopping at 404 or 428 (those answers have their own tests).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from api.wiring import Services, build_services
from tests.api.world import World, build_world
from workflow.settings import Settings
from workflow.states import State

MAX_EXAMPLES = 30  # per operation, valid and invalid: enough to find a 500, quick enough for `make test`

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
]


@pytest.fixture
def world(service, people, api_services) -> World:
    return build_world(service, people, api_services.auth, State.SCREENING)


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the schema of an app that is never called
    (collection must not touch the test database)."""
    app = create_app(build_services(Settings(dev_mode=True, database_url="sqlite://")))
    return [
        (op.ok().method.upper(), op.ok().path)
        for op in schemathesis.openapi.from_asgi("/openapi.json", app).get_all_operations()
    ]


OPERATIONS = _operations()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_keeps_the_promises_of_its_schema(method: str, path: str, app, world: World, api_services):
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)[path][method]

    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

    @given(case=cases)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: schemathesis.Case) -> None:
        call(case, world, api_services)

    check()


def call(case: schemathesis.Case, world: World, api_services: Services) -> None:
    path = case.path_parameters or {}
    if "review_id" in path:
        path["review_id"] = world.review_id
    if "member_id" in path:
        review = world.service.get(world.review_id, world.users["coordinator"]).review
        others = [m.id for m in review.memberships if m.user_id != world.users["coordinator"]]
        path["member_id"] = others[0] if others else path["member_id"]
    if "user_id" in path:
        path["user_id"] = world.users["case_group"]
    if any(p.name == "If-Match" for p in case.operation.headers):
        # The current ETag, so bodies reach the service (a missing or stale one is tested elsewhere).
        case.headers = {**(case.headers or {}), "If-Match": f'"{world.version}"'}

    admin_route = case.path.startswith("/api/v1/users")
    token = world.tokens["admin" if admin_route else "coordinator"]
    if case.method == "DELETE" and case.path == "/api/v1/auth/token":
        token = api_services.auth.issue(world.users["coordinator"]).token  # sign out a throwaway token
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
