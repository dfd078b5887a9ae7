"""Property-based fuzzing of the OpenAPI schema with Schemathesis, against the app wired to the test
database, signed in: no answer is a 500, and every answer (status, content type, body, headers)
matches what /openapi.json promises.

Valid and invalid requests are generated. They go to a real review: path ids are pointed at the
world's review, a member and a user, and changes carry the review's current ETag, so generated
bodies reach the service instead of stopping at 404 or 428 (those answers have their own tests).
The analysis operations go to a review at the analysis stage that already holds one of each object
(narrative entry, conversation, episode, factor, panel analysis, good practice, finding with evidence
and a question, a warning), as the caller who may change it, with the object's current ETag.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

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
from api.routes.analysis import analysis_routes
from api.wiring import Services, build_services
from findings.analysis.conversations import AddConversation, ConversationService
from findings.analysis.episodes import AddEpisode, EpisodeService
from findings.analysis.factors import AddFactor, FactorService
from findings.analysis.facts import FindingsFacts
from findings.analysis.findings import AddEvidence, AddFinding, AddQuestion, FindingService
from findings.analysis.good_practice import AddGoodPractice, GoodPracticeService
from findings.analysis.narratives import AddEntry, NarrativeService
from findings.analysis.panel import PanelService, ProposedFactor, SavePanelAnalysis
from findings.analysis.warnings import WarningService
from tests.api.world import World, Worlds
from tests.support import examples
from workflow.errors import DomainError
from workflow.service import ReviewService
from workflow.settings import Settings
from workflow.states import State

MAX_EXAMPLES = 30  # per operation, valid and invalid: enough to find a 500, quick enough for `make test`
MAX_ANALYSIS_EXAMPLES = 20  # the analysis has many operations: keep the whole run modest
ANALYSIS_PATHS = {path for _, path in analysis_routes()}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
]


def analysis_world(worlds: Worlds) -> World:
    """A review at the analysis stage holding one object of each kind (ids in `world.ids`)."""
    return worlds.at(State.ANALYSIS, fill_analysis)


def _analysis_services(reviews: ReviewService) -> SimpleNamespace:
    """The analysis services over a world's review service (a world is built once and copied, so its
    filling takes no fixture)."""
    facts = FindingsFacts()
    return SimpleNamespace(
        narratives=NarrativeService(reviews),
        conversations=ConversationService(reviews),
        episodes=EpisodeService(reviews),
        factors=FactorService(reviews),
        panel=PanelService(reviews),
        good_practice=GoodPracticeService(reviews),
        finding=FindingService(reviews, facts=facts),
        warnings=WarningService(reviews, facts=facts),
    )


def fill_analysis(world: World) -> None:
    api_services = _analysis_services(world.service)
    rid, coordinator, lead = world.review_id, world.users["coordinator"], world.users["lead"]
    police = world.users["panel_member"]
    entry = api_services.narratives.add_entry(
        review_id=rid,
        actor=coordinator,
        agency="Police",
        command=AddEntry(
            occurred_on=date(2026, 3, 4),
            what_happened="Alice was not brought to the dentist.",
            significant=True,
        ),
    )
    conversation = api_services.conversations.add(
        review_id=rid,
        actor=lead,
        command=AddConversation(practitioner_id=world.users["case_group"], overview="Two visits."),
    )
    episode = api_services.episodes.add(
        review_id=rid,
        actor=lead,
        command=AddEpisode(
            title="Dental appointments missed",
            valence="problematic",
            explanation="The dental practice failed to follow up.",
        ),
    )
    factor = api_services.factors.add(
        review_id=rid,
        actor=lead,
        command=AddFactor(
            level="frontline", category="personal", description="New in post.", episode_ids=[episode.id]
        ),
    )
    draft = api_services.panel.save(
        review_id=rid,
        actor=police,
        expected_version=None,
        command=SavePanelAnalysis(
            appraisal="Hard to see.",
            proposed_factors=[
                ProposedFactor(level="frontline", category="own_team", description="No supervision.")
            ],
        ),
    )
    good = api_services.good_practice.add(
        review_id=rid, actor=coordinator, command=AddGoodPractice(what_went_well="Quick follow-up.")
    )
    findings = api_services.finding
    finding = findings.add(
        review_id=rid, actor=lead, command=AddFinding(title="Missed appointments", episode_ids=[episode.id])
    ).finding
    finding = findings.add_evidence(
        review_id=rid,
        actor=lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=AddEvidence(kind="research", summary="Decay and neglect.", reference="Harris 2009"),
    ).finding
    finding = findings.add_question(
        review_id=rid,
        actor=lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=AddQuestion(text="How?"),
    ).finding
    warning = next(
        w for w in api_services.warnings.list(review_id=rid, actor=lead).items if w.code == "blame_language"
    )
    world.ids.update(
        agency="Police",
        entry_id=entry.id,
        conversation_id=conversation.id,
        episode_id=episode.id,
        factor_id=factor.id,
        submission_id=draft.id,
        good_practice_id=good.id,
        finding_id=finding.id,
        evidence_id=finding.evidence[0].id,
        question_id=finding.questions[0].id,
        fingerprint=warning.fingerprint,
    )


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation, read from the schema of an app that is never called
    (collection must not touch the test database)."""
    app = create_app(build_services(Settings(dev_mode=True, database_url="sqlite://")))
    return [
        (op.ok().method.upper(), op.ok().path)
        for op in schemathesis.openapi.from_asgi("/openapi.json", app).get_all_operations()
    ]


OPERATIONS = _operations()
RENDERS_PDF = {
    "/api/v1/reviews/{review_id}/reports/{kind}",
    "/api/v1/published/board-briefing",
    "/api/v1/reviews/{review_id}/{document}/document",
    "/api/v1/yearly-report/document",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param(m, p, id=f"{m} {p}", marks=[pytest.mark.pdf] if p in RENDERS_PDF else [])
        for m, p in OPERATIONS
    ],
)
def test_the_api_keeps_the_promises_of_its_schema(
    method: str, path: str, app, worlds: Worlds, api_services: Services
):
    analysis = path in ANALYSIS_PATHS
    world = analysis_world(worlds) if analysis else worlds.at(State.SCREENING)
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)[path][method]

    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

    @given(case=cases)
    @settings(
        max_examples=examples(MAX_ANALYSIS_EXAMPLES if analysis else MAX_EXAMPLES),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case: schemathesis.Case) -> None:
        if analysis:
            call_analysis(case, world, api_services)
        else:
            call(case, world, api_services)

    check()


def _caller(path: str) -> str:
    """Who may change what the path names (otherwise most generated requests would stop at 403)."""
    if "/panel-submissions/mine" in path:
        return "panel_member"
    if any(part in path for part in ("/narrative", "/waivers", "/board-response", "/actions")):
        return "coordinator"
    return "lead"


def _version(case: schemathesis.Case, world: World, services: Services) -> int:
    """The current version of the object the request names (1 when it is gone)."""
    rid, ids = world.review_id, world.ids
    lead, coordinator = world.users["lead"], world.users["coordinator"]
    path = case.path
    try:
        if "/narrative-entries/" in path:
            return services.narratives.get_entry(
                review_id=rid, actor=coordinator, entry_id=ids["entry_id"]
            ).version
        if "/narratives/" in path:
            return services.narratives.get(review_id=rid, actor=coordinator, agency="Police").version
        if "/conversations/" in path:
            conversation = services.conversations.get(
                review_id=rid, actor=lead, conversation_id=ids["conversation_id"]
            )
            return conversation.version
        if "/episodes/" in path:
            return services.episodes.get(review_id=rid, actor=lead, episode_id=ids["episode_id"]).version
        if "/factors/" in path:
            return services.factors.get(review_id=rid, actor=lead, factor_id=ids["factor_id"]).version
        if "/panel-submissions/" in path:
            item = services.panel.get(review_id=rid, actor=lead, submission_id=ids["submission_id"])
            return item.version
        if "/good-practice/" in path:
            item = services.good_practice.get(
                review_id=rid, actor=lead, good_practice_id=ids["good_practice_id"]
            )
            return item.version
        if "/findings/" in path:
            finding = services.finding.get(review_id=rid, actor=lead, finding_id=ids["finding_id"])
            if path.endswith("/board-response") and finding.response is not None:
                return finding.response.version
            return finding.version
    except (DomainError, StopIteration):
        pass
    return 1


def call_analysis(case: schemathesis.Case, world: World, api_services: Services) -> None:
    params = case.path_parameters or {}
    for name in params:
        if name == "review_id":
            params[name] = world.review_id
        elif name in world.ids:
            params[name] = world.ids[name]
    if any(p.name == "If-Match" for p in case.operation.headers):
        case.headers = {
            **(case.headers or {}),
            "If-Match": f'"{_version(case, world, api_services)}"',
        }
    token = world.tokens[_caller(case.path)]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


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
