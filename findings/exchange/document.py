"""The review export format (`tunnelview.review`, version 1; docs/export.md): its schema, and what a
round trip keeps.

Objects refer to each other by `ref` ("episode-3"), never by database id. `normalised` gives what must be
equal after export -> import -> export; reading a file into this schema, with every problem reported where
it stands, is `findings.exchange.reading.parse`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from findings.exchange.statutory import PanelNotificationX, RapidReviewX
from workflow import service
from workflow.states import ReviewRole, Route, State

FORMAT = "tunnelview.review"
VERSION = 1
IMPORTED = service.IMPORTED  # the action of an imported review's first row

Text = Annotated[str, Field(max_length=100_000)]
Ref = Annotated[str, Field(min_length=1, max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonX(_Strict):
    ref: Ref
    email: Annotated[str, Field(min_length=3, max_length=320)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    global_role: Literal["admin", "coordinator", "chair", "member"]


class MembershipX(_Strict):
    ref: Ref
    person: Ref
    role: ReviewRole
    agency: str | None = None
    declared_interest: str | None = None


class ReviewX(_Strict):
    regime: str
    regime_version: int
    state: State
    paused_from: State | None = None
    route: Route | None = None
    child_pseudonym: Annotated[str, Field(min_length=1, max_length=100)]
    incident_outcome: Literal["died", "serious_harm", "other"] | None = None
    abuse_or_neglect: Literal["known", "suspected", "not_suspected"] | None = None
    date_of_awareness: date | None = None
    incident_summary: Text = ""
    agencies_involved: list[str] = []
    criteria_answers: dict[str, str] = {}
    decision_rationale: Text | None = None
    departure_rationale: Text | None = None
    research_questions: list[Text] = []
    period_start: date | None = None
    period_end: date | None = None
    agencies_in_scope: list[str] = []
    panel_exemptions: dict[str, str] = {}
    publication_hold: bool = False
    publication_hold_reason: Text | None = None
    themes: list[str] = []


class EntryX(_Strict):
    ref: Ref
    occurred_on: date
    occurred_at: time | None = None
    what_happened: Text
    source_record: Annotated[str, Field(max_length=300)] = ""
    aware: dict[str, str] = {}
    significant: bool = False


class NarrativeX(_Strict):
    agency: Annotated[str, Field(min_length=1, max_length=200)]
    status: Literal["draft", "submitted", "returned"]
    submitted_at: datetime | None = None
    submitted_by: Ref | None = None
    returned_reason: Text | None = None
    exemption: Text | None = None
    entries: list[EntryX] = []


class CommentX(_Strict):
    author: Ref
    at: datetime
    text: Text


class ConversationX(_Strict):
    ref: Ref
    practitioner: Ref
    author: Ref
    held_on: date | None = None
    overview: Text = ""
    turning_points: Text = ""
    mindset: Text = ""
    contributory_factors: Text = ""
    went_well: Text = ""
    queries: Text = ""
    suggested_changes: Text = ""
    comments: list[CommentX] = []


class EpisodeX(_Strict):
    ref: Ref
    title: Annotated[str, Field(min_length=1, max_length=300)]
    valence: Literal["good", "problematic", "mixed"]
    period_start: date | None = None
    period_end: date | None = None
    agencies: list[str] = []
    what_happened: Text = ""
    view_from_tunnel: Text = ""
    appraisal: Text = ""
    appraisal_reference: Text = ""
    explanation: Text = ""
    entries: list[Ref] = []
    conversations: list[Ref] = []


class FactorX(_Strict):
    framework: str
    level: str
    category: str
    description: Text
    evidence: Text = ""
    proposed_by: Ref | None = None
    episodes: list[Ref] = []


class ProposedFactorX(_Strict):
    framework: str
    level: str
    category: str
    description: Text
    evidence: Text = ""
    episodes: list[Ref] = []


class PanelX(_Strict):
    membership: Ref
    author: Ref
    status: Literal["draft", "submitted", "waived"]
    appraisal: Text = ""
    episode_notes: dict[Ref, Text] = {}
    proposed_factors: list[ProposedFactorX] = []
    submitted_at: datetime | None = None
    waiver_reason: Text | None = None


class GoodPracticeX(_Strict):
    what_went_well: Text
    what_enabled_it: Text = ""
    agencies: list[str] = []
    episode: Ref | None = None
    author: Ref


class FamilyContactX(_Strict):
    on: date
    means: Literal["meeting", "telephone", "video", "letter", "email", "other"]
    note: Text = ""
    recorded_by: Ref


class FamilyMemberX(_Strict):
    pseudonym: Annotated[str, Field(min_length=1, max_length=100)]
    relationship: Annotated[str, Field(min_length=1, max_length=100)]
    invited_on: date | None = None
    wishes: Literal["not_yet_known", "taking_part", "declined"] = "not_yet_known"
    views: Text = ""
    draft_shared_on: date | None = None
    recorded_by: Ref
    contacts: list[FamilyContactX] = []


class DeclarationX(_Strict):
    membership: Ref
    statement: Text
    declared_on: date


class MarkerAssessmentX(_Strict):
    marker: str
    rating: Literal["met", "partly", "not_met"]
    comment: Text = ""
    assessed_by: Ref


class EvidenceX(_Strict):
    kind: str
    summary: Text
    reference: Text


class QuestionX(_Strict):
    number: int
    text: Text


class ResponseX(_Strict):
    response: Text
    recorded_by: Ref


class FindingX(_Strict):
    ref: Ref
    title: Annotated[str, Field(min_length=1, max_length=300)]
    category: str | None = None
    statement: Text = ""
    context: Text = ""
    how_it_showed: Text = ""
    why_it_matters: Text = ""
    themes: list[str] = []
    status: Literal["draft", "agreed"] = "draft"
    episodes: list[Ref] = []
    evidence: list[EvidenceX] = []
    questions: list[QuestionX] = []
    comments: list[CommentX] = []
    response: ResponseX | None = None


class ActionX(_Strict):
    finding: Ref | None = None
    title: Annotated[str, Field(min_length=1, max_length=300)]
    description: Text = ""
    owner_agency: Annotated[str, Field(max_length=200)] | None = None
    due_on: date | None = None
    status: Literal["planned", "in_progress", "done", "verified"] | None = "planned"
    evidence_of_impact: Text = ""


class WarningPlaceX(_Strict):
    kind: Literal["episode", "factor", "finding", "question"]
    ref: Ref
    field: str
    matched: list[str] = []


class AcknowledgementX(_Strict):
    code: str
    warning: Text
    reason: Text
    by: Ref
    at: datetime
    on: WarningPlaceX | None = None  # the warning it acknowledges; None when it no longer applies
    fingerprint: str | None = None  # kept only when `on` is None


class ThemeX(_Strict):
    key: Annotated[str, Field(min_length=1, max_length=80)]
    label: Annotated[str, Field(min_length=1, max_length=200)]


class TextsX(_Strict):
    partnership: Annotated[str, Field(max_length=200)] = ""
    case_summary: Text = ""
    methodology_note: Text = ""
    board_response: Text = ""
    briefing: dict[str, Any] = {}


class DocumentX(_Strict):
    kind: Literal["full", "summary", "practitioner"]
    format: Literal["html", "md", "pdf"]
    media_type: Annotated[str, Field(max_length=60)]
    size: int
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    content: str  # base64


class PublicationX(_Strict):
    variant: Literal["full", "summary"]
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    published_at: datetime
    published_by: Ref | None = None
    documents: list[DocumentX]


Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
StateName = Annotated[str, Field(max_length=30)]


class HistoryX(_Strict):
    at: datetime
    actor: Ref | None = None
    action: Annotated[str, Field(min_length=1, max_length=60)]
    from_state: StateName | None = None
    to_state: StateName | None = None
    reason: Text | None = None
    params: dict[str, Any] = {}
    via: Annotated[str, Field(max_length=300)] | None = None
    # The row as the exporting system chained it (absent in older exports): its number, that
    # system's id of the actor, and its hash. With them the log verifies against its own hashes.
    seq: int | None = None
    actor_id: int | None = None
    hash: Hash | None = None


class SourceX(_Strict):
    review_id: int


class ReviewExport(_Strict):
    format: Literal["tunnelview.review"]
    version: Literal[1]
    exported_at: datetime
    source: SourceX
    review: ReviewX
    people: list[PersonX]
    memberships: list[MembershipX]
    panel_notification: PanelNotificationX | None = None
    rapid_review: RapidReviewX | None = None
    partnership_themes: list[ThemeX] = []
    narratives: list[NarrativeX] = []
    conversations: list[ConversationX] = []
    episodes: list[EpisodeX] = []
    factors: list[FactorX] = []
    panel_submissions: list[PanelX] = []
    good_practice: list[GoodPracticeX] = []
    family: list[FamilyMemberX] = []
    independence: list[DeclarationX] = []
    quality: list[MarkerAssessmentX] = []
    findings: list[FindingX] = []
    actions: list[ActionX] = []
    acknowledgements: list[AcknowledgementX] = []
    report_texts: TextsX | None = None
    publication: PublicationX | None = None
    history: list[HistoryX] = []


CONVERSATION_TEXTS = (
    "overview",
    "turning_points",
    "mindset",
    "contributory_factors",
    "went_well",
    "queries",
    "suggested_changes",
)
EPISODE_TEXTS = ("what_happened", "view_from_tunnel", "appraisal", "appraisal_reference", "explanation")
FINDING_TEXTS = ("statement", "context", "how_it_showed", "why_it_matters")


# What the triggers record on a review: an import never takes them from the file (it starts the
# review at `referred`; the file's values are kept as provenance).
STANDING = ("state", "paused_from", "route", "decision_rationale", "departure_rationale")


def normalised(document: Mapping[str, Any]) -> dict[str, Any]:
    """What export -> import -> export keeps identical, the content: everything but when and from
    which review it was exported, the review's standing (its state and what its triggers recorded),
    its audit log and its publication. An import keeps those three as provenance, never as its own."""
    out = {k: v for k, v in document.items() if k not in ("exported_at", "source", "history", "publication")}
    out["review"] = {k: v for k, v in document["review"].items() if k not in STANDING}
    return out
