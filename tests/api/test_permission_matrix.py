"""Who may call what: every route of the app x every kind of caller -> the status they get.

One table, checked against the app over HTTP and, for every write route of a review, against the policy
table (`workflow/policy.py`): a role the policy refuses gets 403, a role it allows never does. A route
the table does not list fails `test_every_route_has_a_row`, so a route cannot be
added without deciding who may call it. Each row runs against a fresh world (a review at the row's
stage, see `tests/api/world.py`); the world is rebuilt after any call that changed it, so each
caller meets the same review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from fastapi.routing import iter_route_contexts
from sqlalchemy import select
from starlette.routing import Mount

from api.auth import SESSION_COOKIE, csrf_token
from api.pages.common import PageRoute
from api.routes.analysis import analysis_routes
from findings.analysis.board import AddAction, BoardService
from findings.analysis.conversations import AddConversation, ConversationService
from findings.analysis.episodes import AddEpisode, EpisodeService
from findings.analysis.factors import AddFactor, FactorService
from findings.analysis.family import AddFamilyMember, FamilyService
from findings.analysis.findings import AddEvidence, AddFinding, AddQuestion, FindingService
from findings.analysis.good_practice import AddGoodPractice, GoodPracticeService
from findings.analysis.narratives import AddEntry, NarrativeService
from findings.analysis.panel import PanelService, ProposedFactor, SavePanelAnalysis
from findings.analysis.warnings import WarningService
from findings.exchange.service import ExportService
from findings.learning.catalogue import CatalogueService
from findings.learning.models import ExternalReview, SearchEntry
from findings.publication.assemble import load, report_data
from findings.publication.briefings import briefing_data
from findings.publication.freeze import freeze, prepare
from findings.publication.models import ReportTexts
from findings.publication.register import AddRegisterEntry, RegisterService
from findings.publication.render import Format
from tests.api.conftest import REGISTER_KEY, SECRET
from tests.api.world import CALLERS, PASSWORD, World
from tests.support import COMPLETE_NOTIFICATION, COMPLETE_RAPID_REVIEW, WT2023_STATUTORY, Lifecycle
from workflow import policy
from workflow.holds import SetPublicationHold
from workflow.models import Review
from workflow.referrals import RecordCriteria
from workflow.states import ReviewRole, State
from workflow.statutory import SendRapidReview

R, S1, S2 = State.REFERRED, State.SCREENING, State.SCOPING
D, A, F = State.DATA_GATHERING, State.ANALYSIS, State.FINDINGS
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
    # The analysis routes: the lead reviewer is a caller too (most analysis is theirs), a change
    # names the version of the object it changes, and an upload is a multipart body.
    lead: int | None = None
    version: Callable[[World], int] | None = None
    files: Callable[[World, str], dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _login(world: World, caller: str) -> dict[str, Any]:
    return {"username": world.emails[caller], "password": PASSWORD}


def _hold(world: World) -> None:
    Lifecycle.of(world.service).holds.set(
        review_id=world.review_id,
        actor=world.users["coordinator"],
        expected_version=world.version,
        command=SetPublicationHold(reason="Criminal trial."),
    )


def _register_entry(world: World) -> None:
    register = RegisterService(world.service, cipher=MultiFernet([Fernet(REGISTER_KEY)]))
    changed = register.add(
        review_id=world.review_id,
        actor=world.users["coordinator"],
        expected_version=world.version,
        command=AddRegisterEntry(kind="child", value="Jane Smith", pseudonym="Alice"),
    )
    world.ids.update(entry_id=changed.entry_id)


EXTERNAL_CSV = (
    b"title,partnership,year,themes,learning_summary,link\n"
    b"Child Q,Eastshire,2022,Neglect,Dental non-attendance was not linked to neglect.,https://example.org/q\n"
)


def _external(world: World) -> None:
    CatalogueService(world.service).import_csv(actor=world.users["coordinator"], data=EXTERNAL_CSV)
    with world.service.session() as session:
        world.ids.update(external_id=session.scalar(select(ExternalReview.id)))


def _suggestible(world: World) -> None:
    """A finding, and a review published elsewhere to offer it."""
    _finding(world)
    _external(world)
    with world.service.session() as session:
        external = select(SearchEntry.id).where(SearchEntry.kind == "external")
        world.ids.update(entry_id=session.scalar(external))


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


def _statutory_ready(world: World) -> None:
    """The criteria answered, the notification and the rapid review complete (neither sent)."""
    lifecycle, coordinator = Lifecycle.of(world.service), world.users["coordinator"]
    lifecycle.referrals.record_criteria(
        review_id=world.review_id,
        actor=coordinator,
        expected_version=world.version,
        command=RecordCriteria(answers=WT2023_STATUTORY),
    )
    lifecycle.statutory.write_notification(
        review_id=world.review_id,
        actor=coordinator,
        expected_version=world.version,
        command=COMPLETE_NOTIFICATION,
    )
    lifecycle.statutory.write_rapid_review(
        review_id=world.review_id,
        actor=coordinator,
        expected_version=world.version,
        command=COMPLETE_RAPID_REVIEW,
    )
    world.ids.update(document="notification")


def _rapid_review_sent(world: World) -> None:
    _statutory_ready(world)
    Lifecycle.of(world.service).statutory.send_rapid_review(
        review_id=world.review_id,
        actor=world.users["coordinator"],
        expected_version=world.version,
        command=SendRapidReview(on=date(2026, 11, 20)),
    )


def _export(world: World, _caller: str) -> dict[str, Any]:
    return ExportService(world.service).export(review_id=world.review_id, actor=world.users["coordinator"])


_DECIDE = {"route": "statutory", "rationale": "Criteria (a) and (c) are met."}
_SCOPE = {"research_questions": ["How is neglect recognised?"], "agencies_in_scope": ["Police", "Health"]}


# ---- the analysis: objects a row needs, made through the findings service ---------------------------

NARRATIVE_CSV = (
    b"date,time,what_happened,source_record,agencies_aware,significant\n"
    b"2026-03-04,09:30,Alice was not brought to the dentist,Custody log 12,Health,yes\n"
)


def _as(world: World, kind: str) -> dict[str, Any]:
    return {"review_id": world.review_id, "actor": world.users[kind]}


def _entry(world: World) -> None:
    entry = NarrativeService(world.service).add_entry(
        **_as(world, "coordinator"),
        agency="Police",
        command=AddEntry(
            occurred_on=date(2026, 3, 4),
            what_happened="Alice was not brought to the dentist.",
            significant=True,
        ),
    )
    world.ids.update(agency="Police", entry_id=entry.id, entry_version=entry.version)


def _narrative_version(world: World) -> int:
    return NarrativeService(world.service).get(**_as(world, "coordinator"), agency="Police").version


def _submitted_narrative(world: World) -> None:
    _entry(world)
    NarrativeService(world.service).submit(
        **_as(world, "coordinator"), agency="Police", expected_version=_narrative_version(world)
    )


def _conversation(world: World) -> None:
    conversation = ConversationService(world.service).add(
        **_as(world, "lead"),
        command=AddConversation(
            practitioner_id=world.users["case_group"], overview="Two home visits in spring."
        ),
    )
    world.ids.update(conversation_id=conversation.id, conversation_version=conversation.version)


def _episode(world: World) -> None:
    episode = EpisodeService(world.service).add(
        **_as(world, "lead"), command=AddEpisode(title="Dental appointments missed", valence="problematic")
    )
    world.ids.update(episode_id=episode.id, episode_version=episode.version)


def _factor(world: World) -> None:
    _episode(world)
    factor = FactorService(world.service).add(
        **_as(world, "lead"),
        command=AddFactor(
            level="frontline",
            category="conditions_of_work",
            description="No route to share repeated non-attendance.",
            episode_ids=[world.ids["episode_id"]],
        ),
    )
    world.ids.update(factor_id=factor.id, factor_version=factor.version)


_PROPOSAL = {
    "level": "local_strategic",
    "category": "partnership_arrangements",
    "description": "No shared flag.",
}


def _panel_draft(world: World) -> None:
    draft = PanelService(world.service).save(
        **_as(world, "panel_member"),
        expected_version=None,
        command=SavePanelAnalysis(
            appraisal="Hard to see from one agency.", proposed_factors=[ProposedFactor(**_PROPOSAL)]
        ),
    )
    world.ids.update(submission_id=draft.id, submission_version=draft.version)


def _panel_submitted(world: World) -> None:
    _panel_draft(world)
    PanelService(world.service).submit(
        **_as(world, "panel_member"), expected_version=world.ids["submission_version"]
    )


def _good_practice(world: World) -> None:
    item = GoodPracticeService(world.service).add(
        **_as(world, "coordinator"), command=AddGoodPractice(what_went_well="Quick follow-up.")
    )
    world.ids.update(good_practice_id=item.id, good_practice_version=item.version)


def _family_member(world: World) -> None:
    member = FamilyService(world.service).add(
        **_as(world, "lead"), command=AddFamilyMember(pseudonym="Alice's mother", relationship="mother")
    )
    world.ids.update(family_member_id=member.id, family_member_version=member.version)


def _marker(world: World) -> None:
    world.ids.update(marker="family")


def _finding(
    world: World, statement: str = "Appointment systems treat a missed appointment as a choice."
) -> None:
    _episode(world)
    findings, lead = FindingService(world.service), _as(world, "lead")
    finding = findings.add(
        **lead,
        command=AddFinding(
            title="Missed appointments", statement=statement, episode_ids=[world.ids["episode_id"]]
        ),
    ).finding
    finding = findings.add_evidence(
        **lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=AddEvidence(kind="research", summary="Decay and neglect.", reference="Harris 2009"),
    ).finding
    finding = findings.add_question(
        **lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=AddQuestion(text="How will the board know?"),
    ).finding
    world.ids.update(
        finding_id=finding.id,
        finding_version=finding.version,
        evidence_id=finding.evidence[0].id,
        question_id=finding.questions[0].id,
    )


def _approved(world: World) -> None:
    """A finding, then the review moves on to `approved` (where the board responds)."""
    _finding(world)
    world.journey.fire("submit_for_signoff", world.users["lead"])
    world.journey._approved()


def _action(world: World) -> None:
    _approved(world)
    action = (
        BoardService(world.service)
        .add_action(
            **_as(world, "coordinator"), command=AddAction(title="Neglect toolkit", owner_agency="Health")
        )
        .action
    )
    world.ids.update(action_id=action.id, action_version=action.version)


def _warned(statement: str, code: str) -> Callable[[World], None]:
    def prepare(world: World) -> None:
        _finding(world, statement=statement)
        warning = next(
            w
            for w in WarningService(world.service).list(**_as(world, "lead"), kind="finding").items
            if w.code == code
        )
        world.ids["fingerprint"] = warning.fingerprint

    return prepare


# A finding that names the practitioner (a blocking warning: only fixed), and one in hindsight
# language (an advisory warning: a lead reviewer may acknowledge it).
_named = _warned("Polly could not see the whole pattern.", "person_named")
_blamed = _warned("Professionals failed to see the whole pattern.", "blame_language")


def _v(key: str) -> Callable[[World], int]:
    return lambda world: int(world.ids[f"{key}_version"])


def _csv(world: World, caller: str) -> dict[str, Any]:
    return {"file": ("police.csv", NARRATIVE_CSV, "text/csv")}


_ENTRY = {"occurred_on": "2026-03-05", "what_happened": "A home visit: routines in place."}
_EPISODE = {"title": "A home visit", "valence": "good"}
_FACTOR = {"level": "frontline", "category": "own_team", "description": "Supervision was regular."}
_FINDING = {"title": "Supervision holds the pattern"}
_ACTION = {"title": "Audit the appointment systems", "owner_agency": "Health", "due_on": "2027-03-31"}
_TEXT = {"text": "This rings true."}
_REASON = {"reason": "The agency had no contact with the family."}

# fmt: off
#   caller:    anonymous  admin  coordinator  chair  panel_member  case_group  other_review
MATRIX: tuple[Row, ...] = (
    Row("GET", "/healthz", R,                                 (200, 200, 200, 200, 200, 200, 200)),
    Row("GET", "/livez", R,                                   (200, 200, 200, 200, 200, 200, 200)),
    Row("GET", "/readyz", R,                                  (200, 200, 200, 200, 200, 200, 200)),
    Row("GET", "/openapi.json", R,                            (200, 200, 200, 200, 200, 200, 200)),
    Row("GET", "/docs", R,                                    (200, 200, 200, 200, 200, 200, 200)),
    Row("POST", "/api/v1/auth/token", R,                      (401, 200, 200, 200, 200, 200, 200),
        body=_login, form=True),
    Row("DELETE", "/api/v1/auth/token", R,                    (401, 204, 204, 204, 204, 204, 204)),
    Row("GET", "/api/v1/me", R,                               (401, 200, 200, 200, 200, 200, 200)),
    # one's own notifications: everyone signed in, for themselves alone
    Row("GET", "/api/v1/me/notifications", R,                 (401, 200, 200, 200, 200, 200, 200)),
    Row("PUT", "/api/v1/me/notifications", R,                 (401, 200, 200, 200, 200, 200, 200),
        body=lambda w, c: {"delivery": "daily"}),
    Row("POST", "/api/v1/me/calendar", R,                     (401, 201, 201, 201, 201, 201, 201)),
    Row("DELETE", "/api/v1/me/calendar", R,                   (401, 204, 204, 204, 204, 204, 204)),
    # the feed is read with its secret token, not a sign-in: without one it is a bad request for anyone
    Row("GET", "/calendar.ics", R,                            (422, 422, 422, 422, 422, 422, 422)),
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
    # The notification and the rapid review (WT2023): coordinator and partners write, the chair reads.
    Row("GET", "/api/v1/reviews/{review_id}/notification", R, (401, 404, 200, 200, 403, 403, 404)),
    Row("PATCH", "/api/v1/reviews/{review_id}/notification", R, (401, 404, 200, 403, 403, 403, 404),
        body=lambda w, c: {"area": "Northshire"}, if_match=True),
    Row("POST", "/api/v1/reviews/{review_id}/notification/sent", R, (401, 404, 200, 403, 403, 403, 404),
        body=lambda w, c: {"on": "2026-11-05"}, prepare=_statutory_ready, if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/rapid-review", R, (401, 404, 200, 200, 403, 403, 404)),
    Row("PATCH", "/api/v1/reviews/{review_id}/rapid-review", R, (401, 404, 200, 403, 403, 403, 404),
        body=lambda w, c: {"facts": "Alice was found neglected."}, if_match=True),
    Row("POST", "/api/v1/reviews/{review_id}/rapid-review/sent", R, (401, 404, 200, 403, 403, 403, 404),
        body=lambda w, c: {"on": "2026-11-20"}, prepare=_statutory_ready, if_match=True),
    Row("PUT", "/api/v1/reviews/{review_id}/rapid-review/panel-response", R,
                                                              (401, 404, 200, 403, 403, 403, 404),
        body=lambda w, c: {"response": "agrees", "on": "2026-11-24"}, prepare=_rapid_review_sent,
        if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/{document}/document", R, (401, 404, 200, 200, 403, 403, 404),
        prepare=_statutory_ready),
    Row("GET", "/api/v1/reviews/{review_id}/members", R,      (401, 404, 200, 200, 200, 200, 404)),
    Row("POST", "/api/v1/reviews/{review_id}/members", R,     (401, 404, 201, 403, 403, 403, 404),
        body=lambda w, c: {"email": w.emails["spare"], "role": "lead_reviewer"}, if_match=True),
    Row("DELETE", "/api/v1/reviews/{review_id}/members/{member_id}", R,
                                                              (401, 404, 200, 403, 403, 403, 404),
        if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/triggers", R,     (401, 404, 200, 200, 200, 200, 404)),
    # `decide` under WT2023: the safeguarding partners decide, not the chair (test_statutory_api.py).
    Row("POST", "/api/v1/reviews/{review_id}/triggers/{trigger}", S1,
                                                              (401, 404, 403, 403, 403, 403, 404),
        body=lambda w, c: _DECIDE, if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/audit", R,        (401, 404, 200, 200, 200, 200, 404)),
    Row("GET", "/api/v1/reviews/{review_id}/audit/verify", R, (401, 404, 200, 200, 200, 200, 404)),
    Row("GET", "/api/v1/users", R,                            (401, 200, 403, 403, 403, 403, 403)),
    Row("POST", "/api/v1/users", R,                           (401, 201, 403, 403, 403, 403, 403),
        body=lambda w, c: {"email": f"new-{c}@test.example.org", "name": "New Person", "role": "member",
                           "password": "a long enough password"}),
    Row("PATCH", "/api/v1/users/{user_id}", R,                (401, 200, 403, 403, 403, 403, 403),
        body=lambda w, c: {"name": "Polly P. Practitioner"}),
    Row("PUT", "/api/v1/users/{user_id}/password", R,         (401, 204, 403, 403, 403, 403, 403),
        body=lambda w, c: {"password": "a new long enough password"}),
    Row("GET", "/api/v1/account-audit", R,                    (401, 200, 403, 403, 403, 403, 403)),
    # ---- the analysis (issue 4); the last status is the lead reviewer's ----------------------------
    #   caller:    anonymous  admin  coordinator  chair  panel_member  case_group  other_review | lead
    Row("GET", "/api/v1/reviews/{review_id}/narratives", D,   (401, 404, 200, 200, 200, 403, 404), lead=200,
        prepare=_entry),
    Row("GET", "/api/v1/reviews/{review_id}/narratives/merged", D,
                                                              (401, 404, 200, 200, 200, 403, 404), lead=200,
        prepare=_entry),
    Row("GET", "/api/v1/reviews/{review_id}/narratives/{agency}", D,
                                                              (401, 404, 200, 200, 200, 403, 404), lead=200,
        prepare=_entry),
    Row("POST", "/api/v1/reviews/{review_id}/narratives/{agency}/entries", D,
                                                              (401, 404, 201, 403, 201, 403, 404), lead=403,
        prepare=_entry, body=lambda w, c: _ENTRY),
    Row("POST", "/api/v1/reviews/{review_id}/narratives/{agency}/import", D,
                                                              (401, 404, 200, 403, 200, 403, 404), lead=403,
        prepare=_entry, files=_csv),
    Row("POST", "/api/v1/reviews/{review_id}/narratives/{agency}/submission", D,
                                                              (401, 404, 200, 403, 200, 403, 404), lead=403,
        prepare=_entry, version=_narrative_version),
    Row("POST", "/api/v1/reviews/{review_id}/narratives/{agency}/return", D,
                                                              (401, 404, 200, 403, 403, 403, 404), lead=200,
        prepare=_submitted_narrative, version=_narrative_version, body=lambda w, c: {"reason": "Add March."}),
    Row("PUT", "/api/v1/reviews/{review_id}/narratives/{agency}/exemption", D,
                                                              (401, 404, 200, 403, 403, 403, 404), lead=403,
        prepare=_entry, body=lambda w, c: _REASON),
    Row("DELETE", "/api/v1/reviews/{review_id}/narratives/{agency}/exemption", D,
                                                              (401, 404, 200, 403, 403, 403, 404), lead=403,
        prepare=_entry),
    Row("GET", "/api/v1/reviews/{review_id}/narrative-entries/{entry_id}", D,
                                                              (401, 404, 200, 200, 200, 403, 404), lead=200,
        prepare=_entry),
    Row("PATCH", "/api/v1/reviews/{review_id}/narrative-entries/{entry_id}", D,
                                                              (401, 404, 200, 403, 200, 403, 404), lead=403,
        prepare=_entry, version=_v("entry"), body=lambda w, c: {"significant": False}),
    Row("DELETE", "/api/v1/reviews/{review_id}/narrative-entries/{entry_id}", D,
                                                              (401, 404, 204, 403, 204, 403, 404), lead=403,
        prepare=_entry, version=_v("entry")),
    Row("GET", "/api/v1/reviews/{review_id}/information-sharing", D,
                                                              (401, 404, 200, 200, 200, 403, 404), lead=200,
        prepare=_entry),
    Row("GET", "/api/v1/reviews/{review_id}/conversations", D, (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_conversation),
    Row("POST", "/api/v1/reviews/{review_id}/conversations", D, (401, 404, 403, 403, 403, 403, 404), lead=201,
        body=lambda w, c: {"practitioner_id": w.users["case_group"], "overview": "Two visits."}),
    Row("GET", "/api/v1/reviews/{review_id}/conversations/{conversation_id}", D,
                                                              (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_conversation),
    Row("PATCH", "/api/v1/reviews/{review_id}/conversations/{conversation_id}", D,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_conversation, version=_v("conversation"), body=lambda w, c: {"queries": "None."}),
    Row("POST", "/api/v1/reviews/{review_id}/conversations/{conversation_id}/comments", D,
                                                              (401, 404, 403, 403, 403, 201, 404), lead=201,
        prepare=_conversation, body=lambda w, c: _TEXT),
    Row("GET", "/api/v1/reviews/{review_id}/episodes", A,     (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_episode),
    Row("POST", "/api/v1/reviews/{review_id}/episodes", A,    (401, 404, 403, 403, 403, 403, 404), lead=201,
        body=lambda w, c: _EPISODE),
    Row("GET", "/api/v1/reviews/{review_id}/episodes/{episode_id}", A,
                                                              (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_episode),
    Row("PATCH", "/api/v1/reviews/{review_id}/episodes/{episode_id}", A,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_episode, version=_v("episode"), body=lambda w, c: {"valence": "mixed"}),
    Row("DELETE", "/api/v1/reviews/{review_id}/episodes/{episode_id}", A,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=204,
        prepare=_episode, version=_v("episode")),
    Row("GET", "/api/v1/factor-frameworks", R,                (401, 200, 200, 200, 200, 200, 200), lead=200),
    Row("GET", "/api/v1/reviews/{review_id}/factors", A,      (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_factor),
    Row("POST", "/api/v1/reviews/{review_id}/factors", A,     (401, 404, 403, 403, 403, 403, 404), lead=201,
        body=lambda w, c: _FACTOR),
    Row("POST", "/api/v1/reviews/{review_id}/factors/adoptions", A,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=201,
        prepare=_panel_submitted, body=lambda w, c: {"submission_id": w.ids["submission_id"], "index": 0}),
    Row("GET", "/api/v1/reviews/{review_id}/factors/{factor_id}", A,
                                                              (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_factor),
    Row("PATCH", "/api/v1/reviews/{review_id}/factors/{factor_id}", A,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_factor, version=_v("factor"), body=lambda w, c: {"evidence": "Practice manager."}),
    Row("DELETE", "/api/v1/reviews/{review_id}/factors/{factor_id}", A,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=204,
        prepare=_factor, version=_v("factor")),
    Row("GET", "/api/v1/reviews/{review_id}/panel-submissions", A,
                                                              (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_panel_draft),
    # A draft is its author's and the lead reviewers' only.
    Row("GET", "/api/v1/reviews/{review_id}/panel-submissions/{submission_id}", A,
                                                              (401, 404, 404, 404, 200, 404, 404), lead=200,
        prepare=_panel_draft),
    Row("PUT", "/api/v1/reviews/{review_id}/panel-submissions/mine", A,
                                                              (401, 404, 403, 403, 201, 403, 404), lead=403,
        body=lambda w, c: {"appraisal": "Hard to see from one agency."}),
    Row("POST", "/api/v1/reviews/{review_id}/panel-submissions/mine/submission", A,
                                                              (401, 404, 403, 403, 200, 403, 404), lead=403,
        prepare=_panel_draft, version=_v("submission")),
    Row("POST", "/api/v1/reviews/{review_id}/panel-submissions/waivers", A,
                                                              (401, 404, 200, 403, 403, 403, 404), lead=403,
        body=lambda w, c: {"membership_id": w.member_id("panel_member"), "reason": "Joined late."}),
    Row("GET", "/api/v1/reviews/{review_id}/good-practice", A, (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_good_practice),
    Row("POST", "/api/v1/reviews/{review_id}/good-practice", A, (401, 404, 201, 403, 201, 403, 404), lead=201,
        body=lambda w, c: {"what_went_well": "The school nurse followed up."}),
    Row("GET", "/api/v1/reviews/{review_id}/good-practice/{good_practice_id}", A,
                                                              (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_good_practice),
    Row("PATCH", "/api/v1/reviews/{review_id}/good-practice/{good_practice_id}", A,
                                                              (401, 404, 200, 403, 200, 403, 404), lead=200,
        prepare=_good_practice, version=_v("good_practice"),
        body=lambda w, c: {"what_enabled_it": "A contact."}),
    # the family's involvement: the review team reads it, not the case group
    Row("GET", "/api/v1/reviews/{review_id}/family", A,       (401, 404, 200, 200, 200, 403, 404), lead=200,
        prepare=_family_member),
    Row("POST", "/api/v1/reviews/{review_id}/family", A,      (401, 404, 201, 403, 403, 403, 404), lead=201,
        body=lambda w, c: {"pseudonym": "Alice's father", "relationship": "father"}),
    Row("GET", "/api/v1/reviews/{review_id}/family/{family_member_id}", A,
                                                              (401, 404, 200, 200, 200, 403, 404), lead=200,
        prepare=_family_member),
    Row("PATCH", "/api/v1/reviews/{review_id}/family/{family_member_id}", A,
                                                              (401, 404, 200, 403, 403, 403, 404), lead=200,
        prepare=_family_member, version=_v("family_member"), body=lambda w, c: {"wishes": "taking_part"}),
    Row("POST", "/api/v1/reviews/{review_id}/family/{family_member_id}/contacts", A,
                                                              (401, 404, 201, 403, 403, 403, 404), lead=201,
        prepare=_family_member, body=lambda w, c: {"on": "2026-11-20", "means": "meeting"}),
    Row("POST", "/api/v1/reviews/{review_id}/family/{family_member_id}/draft-shared", A,
                                                              (401, 404, 200, 403, 403, 403, 404), lead=200,
        prepare=_family_member, version=_v("family_member"), body=lambda w, c: {"on": "2026-11-20"}),
    # the lead reviewers' independence: every member reads it; a lead reviewer declares their own
    Row("GET", "/api/v1/reviews/{review_id}/independence", A, (401, 404, 200, 200, 200, 200, 404), lead=200),
    Row("PUT", "/api/v1/reviews/{review_id}/independence/mine", A,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=201,
        body=lambda w, c: {"statement": "Independent of every agency.", "declared_on": "2026-11-20"}),
    # the quality self-assessment: the review team reads it; the coordinator assesses
    Row("GET", "/api/v1/reviews/{review_id}/quality", A,      (401, 404, 200, 200, 200, 403, 404), lead=200),
    Row("PUT", "/api/v1/reviews/{review_id}/quality/{marker}", A,
                                                              (401, 404, 201, 403, 403, 403, 404), lead=403,
        prepare=_marker, body=lambda w, c: {"rating": "partly", "comment": "The father was not reached."}),
    Row("GET", "/api/v1/reviews/{review_id}/findings", F,     (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_finding),
    Row("POST", "/api/v1/reviews/{review_id}/findings", F,    (401, 404, 403, 403, 403, 403, 404), lead=201,
        body=lambda w, c: _FINDING),
    Row("GET", "/api/v1/reviews/{review_id}/findings/{finding_id}", F,
                                                              (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_finding),
    Row("PATCH", "/api/v1/reviews/{review_id}/findings/{finding_id}", F,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_finding, version=_v("finding"), body=lambda w, c: {"category": "tools"}),
    Row("DELETE", "/api/v1/reviews/{review_id}/findings/{finding_id}", F,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=204,
        prepare=_finding, version=_v("finding")),
    Row("POST", "/api/v1/reviews/{review_id}/findings/{finding_id}/move", F,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_finding, version=_v("finding"), body=lambda w, c: {"to_number": 1}),
    Row("POST", "/api/v1/reviews/{review_id}/findings/{finding_id}/evidence", F,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_finding, version=_v("finding"),
        body=lambda w, c: {"kind": "audit", "summary": "Practice audit 2025.", "reference": "Audit 7"}),
    Row("GET", "/api/v1/reviews/{review_id}/findings/{finding_id}/suggestions", F,
                                                              (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_suggestible),
    Row("POST", "/api/v1/reviews/{review_id}/findings/{finding_id}/evidence/suggested", F,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_suggestible, version=_v("finding"), body=lambda w, c: {"entry_id": w.ids["entry_id"]}),
    Row("DELETE", "/api/v1/reviews/{review_id}/findings/{finding_id}/evidence/{evidence_id}", F,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_finding, version=_v("finding")),
    Row("POST", "/api/v1/reviews/{review_id}/findings/{finding_id}/questions", F,
                                                              (401, 404, 200, 200, 403, 403, 404), lead=200,
        prepare=_finding, version=_v("finding"),
        body=lambda w, c: {"text": "What would help the board see it?"}),
    Row("PATCH", "/api/v1/reviews/{review_id}/findings/{finding_id}/questions/{question_id}", F,
                                                              (401, 404, 200, 200, 403, 403, 404), lead=200,
        prepare=_finding, version=_v("finding"), body=lambda w, c: {"text": "How will the board know it?"}),
    Row("DELETE", "/api/v1/reviews/{review_id}/findings/{finding_id}/questions/{question_id}", F,
                                                              (401, 404, 200, 200, 403, 403, 404), lead=200,
        prepare=_finding, version=_v("finding")),
    Row("POST", "/api/v1/reviews/{review_id}/findings/{finding_id}/comments", F,
                                                              (401, 404, 403, 403, 201, 201, 404), lead=201,
        prepare=_finding, body=lambda w, c: _TEXT),
    Row("PUT", "/api/v1/reviews/{review_id}/findings/{finding_id}/board-response", F,
                                                              (401, 404, 201, 201, 403, 403, 404), lead=403,
        prepare=_approved, body=lambda w, c: {"response": "The board accepts the finding."}),
    Row("GET", "/api/v1/reviews/{review_id}/actions", F,      (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_action),
    Row("POST", "/api/v1/reviews/{review_id}/actions", F,     (401, 404, 201, 201, 403, 403, 404), lead=403,
        prepare=_approved, body=lambda w, c: _ACTION),
    Row("GET", "/api/v1/reviews/{review_id}/actions/{action_id}", F,
                                                              (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_action),
    Row("PATCH", "/api/v1/reviews/{review_id}/actions/{action_id}", F,
                                                              (401, 404, 200, 200, 403, 403, 404), lead=403,
        prepare=_action, version=_v("action"), body=lambda w, c: {"status": "in_progress"}),
    Row("GET", "/api/v1/actions", R,                          (401, 200, 200, 200, 200, 200, 200), lead=200),
    # the learning repository: anyone signed in searches what they may see (an admin finds nothing)
    Row("GET", "/api/v1/repository", R,                       (401, 200, 200, 200, 200, 200, 200)),
    # reviews published elsewhere: coordinators and chairs keep the catalogue, admins do not read it
    Row("GET", "/api/v1/external-reviews", R,                 (401, 200, 200, 200, 200, 200, 200)),
    Row("POST", "/api/v1/external-reviews/import", R,         (401, 403, 200, 200, 403, 403, 403),
        files=lambda w, c: {"file": ("catalogue.csv", EXTERNAL_CSV, "text/csv")}),
    Row("GET", "/api/v1/external-reviews/{external_id}", R,   (401, 404, 200, 200, 200, 200, 200),
        prepare=_external),
    Row("DELETE", "/api/v1/external-reviews/{external_id}", R, (401, 403, 204, 204, 403, 403, 403),
        prepare=_external),
    Row("GET", "/api/v1/themes", R,                           (401, 200, 200, 200, 200, 200, 200), lead=200),
    Row("POST", "/api/v1/themes", R,                          (401, 403, 201, 201, 403, 403, 403), lead=403,
        body=lambda w, c: {"label": f"Private fostering {w.review_id} {c}"}),
    Row("GET", "/api/v1/reviews/{review_id}/themes", D,       (401, 404, 200, 200, 200, 200, 404), lead=200),
    Row("PUT", "/api/v1/reviews/{review_id}/themes", D,       (401, 404, 200, 403, 403, 403, 404), lead=200,
        body=lambda w, c: {"themes": ["neglect", "was_not_brought"]}),
    Row("GET", "/api/v1/reviews/{review_id}/warnings", F,     (401, 404, 200, 200, 200, 200, 404), lead=200,
        prepare=_named),
    Row("POST", "/api/v1/reviews/{review_id}/warnings/{fingerprint}/acknowledgement", F,
                                                              (401, 404, 403, 403, 403, 403, 404), lead=200,
        prepare=_blamed, body=lambda w, c: {"reason": "The practitioners' own words, quoted."}),
    Row("POST", "/api/v1/lens", F,                             (401, 404, 200, 200, 200, 200, 404), lead=200,
        body=lambda w, c: {"kind": "statement", "text": "The GP failed to refer.", "review_id": w.review_id}),
    # reports, the anonymisation check, export and import
    Row("GET", "/api/v1/reviews/{review_id}/reports/{kind}", R, (401, 404, 200, 200, 200, 200, 404)),
    Row("GET", "/api/v1/reviews/{review_id}/report-texts", R, (401, 404, 200, 200, 200, 200, 404)),
    Row("PUT", "/api/v1/reviews/{review_id}/report-texts", S2, (401, 404, 200, 200, 403, 403, 404),
        body=lambda w, c: {"case_summary": "Alice, aged 6, was found neglected."}, if_match=True),
    Row("GET", "/api/v1/reviews/{review_id}/anonymisation", R, (401, 404, 200, 200, 403, 403, 404)),
    Row("POST", "/api/v1/reviews/{review_id}/anonymisation/corrections", F,
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
    # the partners' yearly report: coordinators and chairs (whatever their reviews), of what they may see
    Row("GET", "/api/v1/yearly-report", R,                    (401, 403, 200, 200, 403, 403, 403), lead=403),
    Row("GET", "/api/v1/yearly-report/document", R,           (401, 403, 200, 200, 403, 403, 403), lead=403),
)
# fmt: on


def _declared_routes(app: Any) -> set[tuple[str, str]]:
    declared: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            continue  # static files: public, and not a route of the API
        if isinstance(route.original_route, PageRoute):
            continue  # a web page: tests/api/test_pages.py checks every one (sign-in, CSRF, need-to-know)
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


def test_every_analysis_route_names_the_lead_reviewer_too():
    analysis = analysis_routes()
    assert len(analysis) > 50
    missing = {row.id for row in MATRIX if (row.method, row.path) in analysis and row.lead is None}
    assert missing == set(), "analysis routes without the lead reviewer's status"


def _call(client, world: World, row: Row, caller: str):
    path = row.path.format(
        review_id=world.review_id,
        member_id=world.member_id("case_group"),
        user_id=world.users["case_group"],
        trigger="decide",
        **({"kind": "practitioner"} | world.ids),
    )
    headers = world.headers(caller)
    if row.version is not None:
        headers["If-Match"] = f'"{row.version(world)}"'
    elif row.if_match:
        headers["If-Match"] = f'"{world.version}"'
    kwargs: dict[str, Any] = {"headers": headers}
    if row.body is not None:
        kwargs["data" if row.form else "json"] = row.body(world, caller)
    if row.files is not None:
        kwargs["files"] = row.files(world, caller)
    return client.request(row.method, path, **kwargs)


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.id)
def test_permission_matrix(row: Row, client, worlds):
    def fresh() -> World:
        return worlds.at(row.at, row.prepare)

    callers = (*CALLERS, "lead") if row.lead is not None else CALLERS
    expected = (*row.statuses, row.lead) if row.lead is not None else row.statuses
    world = fresh()
    got: dict[str, int] = {}
    for caller in callers:
        response = _call(client, world, row, caller)
        got[caller] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", response.text
        elif row.method != "GET":
            world = fresh()  # it changed something: the next caller meets the review as it was
    assert got == dict(zip(callers, expected, strict=True))


# ---- the matrix agrees with the one policy table -------------------------------------------------------

# The policy action (workflow/policy.py) each write route of a review is checked against.
POLICY_ACTIONS: dict[tuple[str, str], str] = {
    ("PUT", "/reviews/{review_id}/criteria"): "record_criteria",
    ("PUT", "/reviews/{review_id}/scope"): "set_scope",
    ("POST", "/reviews/{review_id}/publication-hold"): "set_publication_hold",
    ("DELETE", "/reviews/{review_id}/publication-hold"): "set_publication_hold",
    ("POST", "/reviews/{review_id}/notices"): "record_notice",
    ("PATCH", "/reviews/{review_id}/notification"): "write_notification",
    ("POST", "/reviews/{review_id}/notification/sent"): "write_notification",
    ("PATCH", "/reviews/{review_id}/rapid-review"): "write_rapid_review",
    ("POST", "/reviews/{review_id}/rapid-review/sent"): "write_rapid_review",
    ("PUT", "/reviews/{review_id}/rapid-review/panel-response"): "record_panel_response",
    ("POST", "/reviews/{review_id}/members"): "change_membership",
    ("DELETE", "/reviews/{review_id}/members/{member_id}"): "change_membership",
    ("POST", "/reviews/{review_id}/narratives/{agency}/entries"): "write_narrative",
    ("POST", "/reviews/{review_id}/narratives/{agency}/import"): "write_narrative",
    ("POST", "/reviews/{review_id}/narratives/{agency}/submission"): "submit_narrative",
    ("POST", "/reviews/{review_id}/narratives/{agency}/return"): "return_narrative",
    ("PUT", "/reviews/{review_id}/narratives/{agency}/exemption"): "record_narrative_exemption",
    ("DELETE", "/reviews/{review_id}/narratives/{agency}/exemption"): "record_narrative_exemption",
    ("PATCH", "/reviews/{review_id}/narrative-entries/{entry_id}"): "write_narrative",
    ("DELETE", "/reviews/{review_id}/narrative-entries/{entry_id}"): "write_narrative",
    ("POST", "/reviews/{review_id}/conversations"): "write_conversation",
    ("PATCH", "/reviews/{review_id}/conversations/{conversation_id}"): "write_conversation",
    ("POST", "/reviews/{review_id}/conversations/{conversation_id}/comments"): "comment_on_conversation",
    ("POST", "/reviews/{review_id}/episodes"): "write_episode",
    ("PATCH", "/reviews/{review_id}/episodes/{episode_id}"): "write_episode",
    ("DELETE", "/reviews/{review_id}/episodes/{episode_id}"): "write_episode",
    ("POST", "/reviews/{review_id}/factors"): "write_factor",
    ("POST", "/reviews/{review_id}/factors/adoptions"): "write_factor",
    ("PATCH", "/reviews/{review_id}/factors/{factor_id}"): "write_factor",
    ("DELETE", "/reviews/{review_id}/factors/{factor_id}"): "write_factor",
    ("PUT", "/reviews/{review_id}/panel-submissions/mine"): "write_panel_submission",
    ("POST", "/reviews/{review_id}/panel-submissions/mine/submission"): "write_panel_submission",
    ("POST", "/reviews/{review_id}/panel-submissions/waivers"): "waive_panel_submission",
    ("POST", "/reviews/{review_id}/good-practice"): "write_good_practice",
    ("PATCH", "/reviews/{review_id}/good-practice/{good_practice_id}"): "write_good_practice",
    ("POST", "/reviews/{review_id}/family"): "write_family_involvement",
    ("PATCH", "/reviews/{review_id}/family/{family_member_id}"): "write_family_involvement",
    ("POST", "/reviews/{review_id}/family/{family_member_id}/contacts"): "write_family_involvement",
    ("POST", "/reviews/{review_id}/family/{family_member_id}/draft-shared"): "record_draft_shared",
    ("PUT", "/reviews/{review_id}/independence/mine"): "declare_independence",
    ("PUT", "/reviews/{review_id}/quality/{marker}"): "assess_quality",
    ("POST", "/reviews/{review_id}/findings"): "write_finding",
    ("PATCH", "/reviews/{review_id}/findings/{finding_id}"): "write_finding",
    ("DELETE", "/reviews/{review_id}/findings/{finding_id}"): "write_finding",
    ("POST", "/reviews/{review_id}/findings/{finding_id}/move"): "write_finding",
    ("POST", "/reviews/{review_id}/findings/{finding_id}/evidence"): "write_finding",
    ("POST", "/reviews/{review_id}/findings/{finding_id}/evidence/suggested"): "write_finding",
    ("DELETE", "/reviews/{review_id}/findings/{finding_id}/evidence/{evidence_id}"): "write_finding",
    ("POST", "/reviews/{review_id}/findings/{finding_id}/questions"): "write_question",
    ("PATCH", "/reviews/{review_id}/findings/{finding_id}/questions/{question_id}"): "write_question",
    ("DELETE", "/reviews/{review_id}/findings/{finding_id}/questions/{question_id}"): "write_question",
    ("POST", "/reviews/{review_id}/findings/{finding_id}/comments"): "comment_on_finding",
    ("PUT", "/reviews/{review_id}/findings/{finding_id}/board-response"): "record_board_response",
    ("POST", "/reviews/{review_id}/actions"): "write_action",
    ("PATCH", "/reviews/{review_id}/actions/{action_id}"): "write_action",
    ("PUT", "/reviews/{review_id}/themes"): "set_review_themes",
    ("POST", "/reviews/{review_id}/warnings/{fingerprint}/acknowledgement"): "acknowledge_warning",
    ("PUT", "/reviews/{review_id}/report-texts"): "write_report_texts",
    ("POST", "/reviews/{review_id}/anonymisation/corrections"): "correct_for_publication",
    ("POST", "/reviews/{review_id}/register"): "change_register",
    ("PATCH", "/reviews/{review_id}/register/{entry_id}"): "change_register",
    ("DELETE", "/reviews/{review_id}/register/{entry_id}"): "change_register",
}
# The review role each caller of the matrix holds in the review.
CALLER_ROLES = {
    "coordinator": ReviewRole.COORDINATOR,
    "chair": ReviewRole.CHAIR,
    "panel_member": ReviewRole.PANEL_MEMBER,
    "case_group": ReviewRole.CASE_GROUP,
    "lead": ReviewRole.LEAD_REVIEWER,
}


def _policy_rows() -> list[tuple[Row, str]]:
    return [
        (row, POLICY_ACTIONS[(row.method, row.path.removeprefix("/api/v1"))])
        for row in MATRIX
        if (row.method, row.path.removeprefix("/api/v1")) in POLICY_ACTIONS
    ]


def test_every_write_route_of_a_review_is_named_in_the_policy_table() -> None:
    writes = {
        (row.method, row.path.removeprefix("/api/v1"))
        for row in MATRIX
        if row.method != "GET"
        and row.path.startswith("/api/v1/reviews/{review_id}/")
        and "/triggers/" not in row.path
    }
    assert writes == set(POLICY_ACTIONS)
    assert set(POLICY_ACTIONS.values()) <= set(policy.POLICY)


@pytest.mark.parametrize(("row", "action"), _policy_rows(), ids=lambda v: v.id if isinstance(v, Row) else v)
def test_the_matrix_refuses_by_role_exactly_whom_the_policy_table_refuses(row: Row, action: str) -> None:
    statuses = dict(zip(CALLERS, row.statuses, strict=True)) | ({"lead": row.lead} if row.lead else {})
    for caller, role in CALLER_ROLES.items():
        if caller not in statuses:
            continue
        refused_by_role = policy.role_refusal({role}, action) is not None
        assert (statuses[caller] == 403) == refused_by_role, (caller, statuses[caller], action)


# ---- the page forms that change the register, against the same policy table -----------------------
# A page answers a change it made with 303 (to the page that shows it) and a refusal with an HTML page:
# 404 for a non-member, 403 for a role the policy refuses. Anonymous callers have no session, so their
# form is refused as expired (403) before anything else is looked at.

_PAGE_CALLERS = (*CALLERS, "lead")


@dataclass(frozen=True)
class PageRow:
    path: str  # as the app declares it
    statuses: tuple[int, ...]  # one per caller of _PAGE_CALLERS (the lead reviewer last)
    form: Callable[[World], dict[str, str]]
    prepare: Callable[[World], None] | None = None


def _new_entry(world: World) -> dict[str, str]:
    return {"kind": "sibling", "value": "Kai Smith", "pseudonym": "a brother", "version": str(world.version)}


# fmt: off
PAGE_MATRIX: tuple[PageRow, ...] = (
    PageRow("/reviews/{review_id}/register",                   (403, 404, 303, 303, 403, 403, 404, 403),
            _new_entry),
    PageRow("/reviews/{review_id}/register/{entry_id}",        (403, 404, 303, 303, 403, 403, 404, 403),
            lambda w: _new_entry(w) | {"kind": "child", "value": "Jane Smith", "pseudonym": "the child"},
            prepare=_register_entry),
    PageRow("/reviews/{review_id}/register/{entry_id}/remove", (403, 404, 303, 303, 403, 403, 404, 403),
            lambda w: {"reason": "Added by mistake.", "version": str(w.version)}, prepare=_register_entry),
)
PAGE_POLICY_ACTIONS: dict[str, str] = {row.path: "change_register" for row in PAGE_MATRIX}
# fmt: on


def test_every_form_of_the_register_pages_has_a_row(app):
    forms = {
        context.path
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, PageRoute)
        and "POST" in context.methods
        and "/register" in context.path
    }
    assert forms == {row.path for row in PAGE_MATRIX}
    assert set(PAGE_POLICY_ACTIONS.values()) <= set(policy.POLICY)


@pytest.mark.parametrize("row", PAGE_MATRIX, ids=lambda row: f"POST {row.path}")
def test_page_permission_matrix(row: PageRow, client, worlds, api_services):
    def fresh() -> World:
        return worlds.at(State.SCOPING, row.prepare)

    world = fresh()
    got: dict[str, int] = {}
    for caller in _PAGE_CALLERS:
        client.cookies.clear()
        data = row.form(world)
        if caller != "anonymous":
            token = api_services.auth.issue(world.users[caller], kind="session").token
            client.cookies.set(SESSION_COOKIE, token)
            data["csrf_token"] = csrf_token(SECRET, token)
        path = row.path.format(review_id=world.review_id, **world.ids)
        response = client.post(path, data=data, follow_redirects=False)
        got[caller] = response.status_code
        if response.status_code == 303:
            world = fresh()  # it changed something: the next caller meets the review as it was
        else:
            assert response.headers["content-type"].startswith("text/html"), response.text
    assert got == dict(zip(_PAGE_CALLERS, row.statuses, strict=True))


@pytest.mark.parametrize("row", PAGE_MATRIX, ids=lambda row: f"POST {row.path}")
def test_the_register_pages_refuse_by_role_exactly_whom_the_policy_table_refuses(row: PageRow) -> None:
    statuses = dict(zip(_PAGE_CALLERS, row.statuses, strict=True))
    for caller, role in CALLER_ROLES.items():
        refused_by_role = policy.role_refusal({role}, PAGE_POLICY_ACTIONS[row.path]) is not None
        assert (statuses[caller] == 403) == refused_by_role, (caller, statuses[caller])
