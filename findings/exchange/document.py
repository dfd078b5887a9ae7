"""The review export format (`tunnelview.review`, version 1; docs/export.md): its schema, and reading a
document with every problem reported where it stands.

Objects refer to each other by `ref` ("episode-3"), never by database id. `parse` validates the shape,
the types, the references, the codes and the hashes before anything is written; `normalised` gives what
must be equal after export -> import -> export.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from findings.analysis import frameworks
from findings.analysis.markers import BY_KEY
from findings.analysis.quality import EVIDENCE_KINDS
from findings.analysis.vocabulary import BUILT_IN_THEMES, FINDING_CATEGORIES
from findings.exchange import statutory
from findings.exchange.statutory import PanelNotificationX, RapidReviewX
from workflow import audit, regimes, service
from workflow.errors import InvalidInput
from workflow.people import normalise_email
from workflow.states import ReviewRole, Route, State

MARKER_KEYS = tuple(BY_KEY)
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


# An export nests a handful of levels; far deeper is no export, and would exhaust the JSON decoder's stack.
MAX_DEPTH = 64
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _nested_too_deep(text: str) -> bool:
    """Whether arrays and objects nest more than `MAX_DEPTH` deep (brackets inside strings do not count);
    it stops at the first level too many, so a file of brackets costs no more than a valid export."""
    depth = 0
    for token in _STRUCTURE.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def parse(data: bytes | str) -> ReviewExport:
    """The export document, validated; `InvalidInput` names every problem (field -> what is wrong)."""
    try:
        text = data if isinstance(data, str) else data.decode(json.detect_encoding(data), "surrogatepass")
        if _nested_too_deep(text):
            raise InvalidInput(
                {"file": f"The file nests arrays and objects more than {MAX_DEPTH} deep; no export does."}
            )
        raw = json.loads(text)
    except UnicodeDecodeError:
        raise InvalidInput({"file": "The file is not UTF-8 text."}) from None
    except json.JSONDecodeError as error:
        raise InvalidInput(
            {"file": f"The file is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."}
        ) from None
    if not isinstance(raw, dict):
        raise InvalidInput({"file": "The file must hold one JSON object (a Tunnelview review export)."})
    if raw.get("format") != FORMAT:
        raise InvalidInput({"format": f"This is not a Tunnelview review export (format must be '{FORMAT}')."})
    if raw.get("version") != VERSION:
        raise InvalidInput({"version": f"Only version {VERSION} of the export format can be imported."})
    try:
        document = ReviewExport.model_validate(raw)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors()[:50]:
            where = ".".join(str(part) for part in item["loc"]) or "file"
            errors[where] = f"{errors[where]} {item['msg']}" if where in errors else str(item["msg"])
        raise InvalidInput(errors) from None
    _check(document)
    return document


def _check(doc: ReviewExport) -> None:
    """What the schema cannot say: references resolve, refs are unique, codes are known, hashes hold."""
    errors: dict[str, str] = {}

    def unique(kind: str, refs: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        for i, ref in enumerate(refs):
            if ref in seen:
                errors[f"{kind}.{i}.ref"] = f"The ref '{ref}' is used twice."
            seen.add(ref)
        return seen

    people = unique("people", (p.ref for p in doc.people))
    members = unique("memberships", (x.ref for x in doc.memberships))
    entries = unique("entries", (e.ref for n in doc.narratives for e in n.entries))
    conversations = unique("conversations", (c.ref for c in doc.conversations))
    episodes = unique("episodes", (e.ref for e in doc.episodes))
    findings = unique("findings", (f.ref for f in doc.findings))
    emails = [normalise_email(p.email) for p in doc.people]
    if len(set(emails)) != len(emails):
        errors["people"] = "Two people have the same email address."

    def need(where: str, ref: str | None, known: set[str], what: str) -> None:
        if ref is not None and ref not in known:
            errors[where] = f"'{ref}' is not a {what} of this export."

    for i, ms in enumerate(doc.memberships):
        need(f"memberships.{i}.person", ms.person, people, "person")
    if not any(ms.role == ReviewRole.COORDINATOR for ms in doc.memberships):
        errors["memberships"] = "A review needs at least one coordinator."
    try:
        regime = regimes.get(doc.review.regime, doc.review.regime_version)
    except Exception:
        errors["review.regime"] = f"Unknown regime '{doc.review.regime}' version {doc.review.regime_version}."
        regime = None
    if regime is not None:
        problems = regime.invalid_answers(doc.review.criteria_answers)
        if problems:
            errors["review.criteria_answers"] = " ".join(problems)
    r = doc.review
    errors.update(statutory.problems(r.regime, r.regime_version, doc.panel_notification, doc.rapid_review))
    vocabulary = set(BUILT_IN_THEMES) | {t.key for t in doc.partnership_themes}
    for i, theme in enumerate(doc.review.themes):
        if theme not in vocabulary:
            errors[f"review.themes.{i}"] = f"Unknown theme '{theme}'."
    agencies = [n.agency for n in doc.narratives]
    if len(set(agencies)) != len(agencies):
        errors["narratives"] = "An agency has two narratives."
    for i, n in enumerate(doc.narratives):
        need(f"narratives.{i}.submitted_by", n.submitted_by, people, "person")
    for i, c in enumerate(doc.conversations):
        need(f"conversations.{i}.practitioner", c.practitioner, people, "person")
        need(f"conversations.{i}.author", c.author, people, "person")
        for j, comment in enumerate(c.comments):
            need(f"conversations.{i}.comments.{j}.author", comment.author, people, "person")
    for i, e in enumerate(doc.episodes):
        for j, ref in enumerate(e.entries):
            need(f"episodes.{i}.entries.{j}", ref, entries, "narrative entry")
        for j, ref in enumerate(e.conversations):
            need(f"episodes.{i}.conversations.{j}", ref, conversations, "conversation")
    for i, fx in enumerate(doc.factors):
        for field, message in frameworks.validate(fx.framework, fx.level, fx.category).items():
            errors[f"factors.{i}.{field}"] = message
        need(f"factors.{i}.proposed_by", fx.proposed_by, people, "person")
        for j, ref in enumerate(fx.episodes):
            need(f"factors.{i}.episodes.{j}", ref, episodes, "episode")
    for i, px in enumerate(doc.panel_submissions):
        need(f"panel_submissions.{i}.membership", px.membership, members, "membership")
        need(f"panel_submissions.{i}.author", px.author, people, "person")
        for ref in px.episode_notes:
            need(f"panel_submissions.{i}.episode_notes.{ref}", ref, episodes, "episode")
        for j, pf in enumerate(px.proposed_factors):
            for field, message in frameworks.validate(pf.framework, pf.level, pf.category).items():
                errors[f"panel_submissions.{i}.proposed_factors.{j}.{field}"] = message
            for k, ref in enumerate(pf.episodes):
                need(f"panel_submissions.{i}.proposed_factors.{j}.episodes.{k}", ref, episodes, "episode")
    memberships = [p.membership for p in doc.panel_submissions]
    if len(set(memberships)) != len(memberships):
        errors["panel_submissions"] = "A panel member has two panel analyses."
    for i, g in enumerate(doc.good_practice):
        need(f"good_practice.{i}.episode", g.episode, episodes, "episode")
        need(f"good_practice.{i}.author", g.author, people, "person")
    for i, fm in enumerate(doc.family):
        need(f"family.{i}.recorded_by", fm.recorded_by, people, "person")
        for j, contact in enumerate(fm.contacts):
            need(f"family.{i}.contacts.{j}.recorded_by", contact.recorded_by, people, "person")
    for i, dx in enumerate(doc.independence):
        need(f"independence.{i}.membership", dx.membership, members, "membership")
    declared = [d.membership for d in doc.independence]
    if len(set(declared)) != len(declared):
        errors["independence"] = "A lead reviewer has two declarations of independence."
    for i, qx in enumerate(doc.quality):
        need(f"quality.{i}.assessed_by", qx.assessed_by, people, "person")
        if qx.marker not in MARKER_KEYS:
            errors[f"quality.{i}.marker"] = "Marker must be one of: " + ", ".join(MARKER_KEYS) + "."
    assessed = [q.marker for q in doc.quality]
    if len(set(assessed)) != len(assessed):
        errors["quality"] = "A quality marker is assessed twice."
    for i, fd in enumerate(doc.findings):
        if fd.category is not None and fd.category not in FINDING_CATEGORIES:
            errors[f"findings.{i}.category"] = (
                "Category must be one of: " + ", ".join(FINDING_CATEGORIES) + "."
            )
        for j, theme in enumerate(fd.themes):
            if theme not in vocabulary:
                errors[f"findings.{i}.themes.{j}"] = f"Unknown theme '{theme}'."
        for j, ref in enumerate(fd.episodes):
            need(f"findings.{i}.episodes.{j}", ref, episodes, "episode")
        for j, evidence in enumerate(fd.evidence):
            if evidence.kind not in EVIDENCE_KINDS:
                errors[f"findings.{i}.evidence.{j}.kind"] = (
                    "Kind must be one of: " + ", ".join(EVIDENCE_KINDS) + "."
                )
        for j, comment in enumerate(fd.comments):
            need(f"findings.{i}.comments.{j}.author", comment.author, people, "person")
        if fd.response is not None:
            need(f"findings.{i}.response.recorded_by", fd.response.recorded_by, people, "person")
    for i, a in enumerate(doc.actions):
        need(f"actions.{i}.finding", a.finding, findings, "finding")
    known_refs = {"episode": episodes, "finding": findings, "factor": None, "question": None}
    for i, ack in enumerate(doc.acknowledgements):
        need(f"acknowledgements.{i}.by", ack.by, people, "person")
        if ack.on is None and not ack.fingerprint:
            errors[f"acknowledgements.{i}"] = (
                "Say which warning it acknowledges (`on`) or keep its `fingerprint`."
            )
        if ack.on is not None and known_refs.get(ack.on.kind) is not None:
            need(f"acknowledgements.{i}.on.ref", ack.on.ref, known_refs[ack.on.kind] or set(), ack.on.kind)
    for i, row in enumerate(doc.history):
        need(f"history.{i}.actor", row.actor, people, "person")
    errors.update(_history_problems(doc))
    if doc.publication is not None:
        need("publication.published_by", doc.publication.published_by, people, "person")
        for i, d in enumerate(doc.publication.documents):
            try:
                content = base64.b64decode(d.content, validate=True)
            except (binascii.Error, ValueError):
                errors[f"publication.documents.{i}.content"] = "Not base64."
                continue
            if hashlib.sha256(content).hexdigest() != d.sha256 or len(content) != d.size:
                errors[f"publication.documents.{i}.sha256"] = "The document does not match its hash or size."
        lines = sorted(f"{d.kind}.{d.format} {d.sha256}" for d in doc.publication.documents)
        if hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest() != doc.publication.digest:
            errors["publication.digest"] = "The digest does not match the documents' hashes."
    if errors:
        raise InvalidInput(dict(list(errors.items())[:50]))


def history_hash(source_review_id: int, row: HistoryX, prev_hash: str) -> str:
    """A history row's hash as the exporting system computed it (`workflow.audit.entry_hash`)."""
    return audit.entry_hash(
        review_id=source_review_id,
        seq=row.seq or 0,
        at=row.at.replace(tzinfo=None),
        actor_id=row.actor_id,
        action=row.action,
        from_state=row.from_state,
        to_state=row.to_state,
        reason=row.reason,
        params=json.loads(json.dumps(row.params, default=str)),
        prev_hash=prev_hash,
        via=row.via,
    )


def _history_problems(doc: ReviewExport) -> dict[str, str]:
    """A log that carries the exporting system's hashes must verify against them, row by row: a file
    whose history was edited after it was exported is refused, like a changed frozen document."""
    hashed = [row.hash is not None for row in doc.history]
    if not any(hashed):
        return {}
    if not all(hashed) or any(row.seq is None for row in doc.history):
        return {"history": "Either every row of the history carries its seq and hash, or none does."}
    errors: dict[str, str] = {}
    prev_hash, prev_seq = audit.GENESIS, 0
    for i, row in enumerate(doc.history):
        if row.seq != prev_seq + 1:
            errors[f"history.{i}.seq"] = f"Expected entry #{prev_seq + 1} here, not #{row.seq}."
        elif history_hash(doc.source.review_id, row, prev_hash) != row.hash:
            errors[f"history.{i}.hash"] = (
                "The row does not match its hash: it was changed after it was exported."
            )
        prev_hash, prev_seq = row.hash or "", row.seq or 0
    return errors
