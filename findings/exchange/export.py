"""The JSON export of a whole review, and the import that recreates it in another Tunnelview.

Everything about a review is exported except its sealed identity register: the referral and decisions,
the members (as people, matched by email address on import), every agency's narrative, conversations,
key practice episodes, contributory factors, panel analyses, good practice, findings with their
evidence, questions, comments and board response, the board's actions, themes, acknowledged quality
warnings, the words written for the reports, the frozen publication (its exact bytes) and the audit log.

Objects refer to each other by `ref` ("episode-3"), never by database id, so an import gives every
object a new id and the same content. The format is documented in docs/export.md; `normalised` gives
what must be equal after export -> import -> export.

An import is all or nothing: the document is validated (shape, types, references, codes, hashes) before
anything is written, and any problem is reported with where it stands; nothing is saved.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from findings.analysis import frameworks
from findings.analysis import models as m
from findings.analysis.facts import review_warnings
from findings.analysis.quality import EVIDENCE_KINDS, QualityWarning
from findings.analysis.vocabulary import BUILT_IN_THEMES, FINDING_CATEGORIES
from findings.publication.assemble import report_texts
from findings.publication.models import PublishedDocument, PublishedReport, ReportTexts
from workflow import audit, regimes
from workflow.errors import InvalidInput, NotPermitted
from workflow.models import AuditEntry, Membership, Review, User, utcnow
from workflow.people import normalise_email
from workflow.policy import READERS
from workflow.service import ReviewService
from workflow.states import ReviewRole, Route, State

FORMAT = "tunnelview.review"
VERSION = 1
IMPORTED = "imported"
EXPORTED = "export_review"

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
    media_type: str
    size: int
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    content: str  # base64


class PublicationX(_Strict):
    variant: Literal["full", "summary"]
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    published_at: datetime
    published_by: Ref | None = None
    documents: list[DocumentX]


class HistoryX(_Strict):
    at: datetime
    actor: Ref | None = None
    action: Annotated[str, Field(min_length=1, max_length=60)]
    from_state: str | None = None
    to_state: str | None = None
    reason: Text | None = None
    params: dict[str, Any] = {}
    via: Annotated[str, Field(max_length=300)] | None = None


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
    partnership_themes: list[ThemeX] = []
    narratives: list[NarrativeX] = []
    conversations: list[ConversationX] = []
    episodes: list[EpisodeX] = []
    factors: list[FactorX] = []
    panel_submissions: list[PanelX] = []
    good_practice: list[GoodPracticeX] = []
    findings: list[FindingX] = []
    actions: list[ActionX] = []
    acknowledgements: list[AcknowledgementX] = []
    report_texts: TextsX | None = None
    publication: PublicationX | None = None
    history: list[HistoryX] = []


# ---- export ------------------------------------------------------------------------------------


class _Refs:
    """Stable references: the n-th object of a kind in export order is "<kind>-<n>"."""

    def __init__(self) -> None:
        self._refs: dict[tuple[str, int], str] = {}
        self._counts: dict[str, int] = {}

    def add(self, kind: str, id: int) -> str:
        key = (kind, id)
        if key not in self._refs:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self._refs[key] = f"{kind}-{self._counts[kind]}"
        return self._refs[key]

    def get(self, kind: str, id: int | None) -> str | None:
        return None if id is None else self._refs.get((kind, id))

    def order(self, kind: str, id: int) -> int:
        """Where an object stands in export order (unknown ones last)."""
        ref = self._refs.get((kind, id))
        return int(ref.rsplit("-", 1)[1]) if ref else 1 << 30


def _iso(value: date | time | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_review(session: Session, review: Review, *, now: datetime | None = None) -> dict[str, Any]:
    """The whole review (except the sealed register) as plain JSON data."""
    refs = _Refs()
    people: dict[int, dict[str, Any]] = {}

    def person(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in people:
            user = session.get(User, user_id)
            assert user is not None
            people[user_id] = {
                "ref": refs.add("person", user_id),
                "email": user.email,
                "name": user.name,
                "global_role": user.global_role,
            }
        return str(people[user_id]["ref"])

    rid = review.id

    def rows(model: Any, *order: Any) -> list[Any]:
        return list(session.scalars(select(model).where(model.review_id == rid).order_by(*order)))

    memberships = [
        {
            "ref": refs.add("member", ms.id),
            "person": person(ms.user_id),
            "role": ms.role,
            "agency": ms.agency,
            "declared_interest": ms.declared_interest,
        }
        for ms in sorted(review.memberships, key=lambda x: x.id)
    ]
    themes = [t.theme for t in rows(m.ReviewTheme, m.ReviewTheme.theme)]
    narratives = []
    for n in rows(m.AgencyNarrative, m.AgencyNarrative.id):
        narratives.append(
            {
                "agency": n.agency,
                "status": n.status,
                "submitted_at": _iso(n.submitted_at),
                "submitted_by": person(n.submitted_by),
                "returned_reason": n.returned_reason,
                "exemption": n.exemption,
                "entries": [
                    {
                        "ref": refs.add("entry", e.id),
                        "occurred_on": _iso(e.occurred_on),
                        "occurred_at": _iso(e.occurred_at),
                        "what_happened": e.what_happened,
                        "source_record": e.source_record,
                        "aware": dict(e.aware),
                        "significant": e.significant,
                    }
                    for e in n.entries
                ],
            }
        )

    def comments(items: Iterable[Any]) -> list[dict[str, Any]]:
        return [{"author": person(c.author_id), "at": _iso(c.at), "text": c.text} for c in items]

    conversations = [
        {
            "ref": refs.add("conversation", c.id),
            "practitioner": person(c.practitioner_id),
            "author": person(c.author_id),
            "held_on": _iso(c.held_on),
            **{name: getattr(c, name) for name in CONVERSATION_TEXTS},
            "comments": comments(c.comments),
        }
        for c in rows(m.Conversation, m.Conversation.id)
    ]
    episodes = rows(m.Episode, m.Episode.number)
    for e in episodes:
        refs.add("episode", e.id)
    episodes_out = [
        {
            "ref": refs.get("episode", e.id),
            "title": e.title,
            "valence": e.valence,
            "period_start": _iso(e.period_start),
            "period_end": _iso(e.period_end),
            "agencies": list(e.agencies),
            **{name: getattr(e, name) for name in EPISODE_TEXTS},
            "entries": [
                refs.get("entry", x.id) for x in sorted(e.entries, key=lambda x: refs.order("entry", x.id))
            ],
            "conversations": [refs.get("conversation", x.id) for x in e.conversations],
        }
        for e in episodes
    ]
    factors = rows(m.Factor, m.Factor.id)
    for f in factors:
        refs.add("factor", f.id)
    factors_out = [
        {
            "framework": f.framework,
            "level": f.level,
            "category": f.category,
            "description": f.description,
            "evidence": f.evidence,
            "proposed_by": person(f.proposed_by),
            "episodes": [refs.get("episode", x.id) for x in f.episodes],
        }
        for f in factors
    ]
    panel = [
        {
            "membership": refs.get("member", p.membership_id),
            "author": person(p.author_id),
            "status": p.status,
            "appraisal": p.appraisal,
            "episode_notes": {
                str(refs.get("episode", int(k))): v
                for k, v in sorted(p.episode_notes.items(), key=lambda i: refs.order("episode", int(i[0])))
            },
            "proposed_factors": [
                {
                    "framework": pf.get("framework", ""),
                    "level": pf.get("level", ""),
                    "category": pf.get("category", ""),
                    "description": pf.get("description", ""),
                    "evidence": pf.get("evidence", ""),
                    "episodes": [refs.get("episode", int(i)) for i in pf.get("episode_ids") or []],
                }
                for pf in p.proposed_factors
            ],
            "submitted_at": _iso(p.submitted_at),
            "waiver_reason": p.waiver_reason,
        }
        for p in rows(m.PanelSubmission, m.PanelSubmission.id)
    ]
    good_practice = [
        {
            "what_went_well": g.what_went_well,
            "what_enabled_it": g.what_enabled_it,
            "agencies": list(g.agencies),
            "episode": refs.get("episode", g.episode_id),
            "author": person(g.author_id),
        }
        for g in rows(m.GoodPractice, m.GoodPractice.id)
    ]
    findings = rows(m.Finding, m.Finding.number)
    for f in findings:
        refs.add("finding", f.id)
        for q in f.questions:
            refs.add("question", q.id)
    findings_out = [
        {
            "ref": refs.get("finding", f.id),
            "title": f.title,
            "category": f.category,
            **{name: getattr(f, name) for name in FINDING_TEXTS},
            "themes": list(f.themes),
            "status": f.status,
            "episodes": [refs.get("episode", x.id) for x in f.episodes],
            "evidence": [
                {"kind": x.kind, "summary": x.summary, "reference": x.reference} for x in f.evidence
            ],
            "questions": [{"number": q.number, "text": q.text} for q in f.questions],
            "comments": comments(f.comments),
            "response": {"response": f.response.response, "recorded_by": person(f.response.recorded_by)}
            if f.response is not None
            else None,
        }
        for f in findings
    ]
    actions = [
        {
            "finding": refs.get("finding", a.finding_id),
            "title": a.title,
            "description": a.description,
            "owner_agency": a.owner_agency,
            "due_on": _iso(a.due_on),
            "status": a.status,
            "evidence_of_impact": a.evidence_of_impact,
        }
        for a in rows(m.Action, m.Action.id)
    ]
    used_themes = set(themes) | {t for f in findings for t in f.themes}
    partnership_themes = [
        {"key": t.key, "label": t.label}
        for t in session.scalars(select(m.PartnershipTheme).order_by(m.PartnershipTheme.key))
        if t.key in used_themes
    ]
    acknowledgements = _export_acknowledgements(session, review, refs, person)
    texts = report_texts(session, rid)
    publication = session.scalar(select(PublishedReport).where(PublishedReport.review_id == rid))
    history = [
        {
            "at": _iso(e.at),
            "actor": person(e.actor_id),
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason,
            "params": e.params,
            "via": e.via,
        }
        for e in audit.entries_of(session, rid)
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(now or utcnow()),
        "source": {"review_id": rid},
        "review": {
            "regime": review.regime_key,
            "regime_version": review.regime_version,
            "state": review.state,
            "paused_from": review.paused_from,
            "route": review.route,
            "child_pseudonym": review.child_pseudonym,
            "incident_outcome": review.incident_outcome,
            "abuse_or_neglect": review.abuse_or_neglect,
            "date_of_awareness": _iso(review.date_of_awareness),
            "incident_summary": review.incident_summary,
            "agencies_involved": list(review.agencies_involved),
            "criteria_answers": dict(review.criteria_answers),
            "decision_rationale": review.decision_rationale,
            "departure_rationale": review.departure_rationale,
            "research_questions": list(review.research_questions),
            "period_start": _iso(review.period_start),
            "period_end": _iso(review.period_end),
            "agencies_in_scope": list(review.agencies_in_scope),
            "panel_exemptions": dict(review.panel_exemptions),
            "publication_hold": review.publication_hold,
            "publication_hold_reason": review.publication_hold_reason,
            "themes": themes,
        },
        "people": list(people.values()),
        "memberships": memberships,
        "partnership_themes": partnership_themes,
        "narratives": narratives,
        "conversations": conversations,
        "episodes": episodes_out,
        "factors": factors_out,
        "panel_submissions": panel,
        "good_practice": good_practice,
        "findings": findings_out,
        "actions": actions,
        "acknowledgements": acknowledgements,
        "report_texts": {
            "partnership": texts.partnership,
            "case_summary": texts.case_summary,
            "methodology_note": texts.methodology_note,
            "board_response": texts.board_response,
            "briefing": texts.briefing,
        }
        if texts is not None
        else None,
        "publication": {
            "variant": publication.variant,
            "digest": publication.digest,
            "published_at": _iso(publication.published_at),
            "published_by": person(publication.published_by),
            "documents": [
                {
                    "kind": d.kind,
                    "format": d.format,
                    "media_type": d.media_type,
                    "size": d.size,
                    "sha256": d.sha256,
                    "content": base64.b64encode(bytes(d.content)).decode("ascii"),
                }
                for d in publication.documents
            ],
        }
        if publication is not None
        else None,
        "history": history,
    }


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
WARNING_KINDS = {"episode": "episode", "factor": "factor", "finding": "finding", "question": "question"}


def _export_acknowledgements(
    session: Session, review: Review, refs: _Refs, person: Callable[[int | None], str | None]
) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(m.WarningAcknowledgement)
            .where(m.WarningAcknowledgement.review_id == review.id)
            .order_by(m.WarningAcknowledgement.id)
        )
    )
    if not rows:
        return []
    current: dict[str, QualityWarning] = {w.fingerprint: w for w in review_warnings(session, review)}
    out = []
    for row in rows:
        warning = current.get(row.fingerprint)
        ref = refs.get(warning.where.kind, warning.where.id) if warning is not None else None
        out.append(
            {
                "code": row.code,
                "warning": row.warning,
                "reason": row.reason,
                "by": person(row.by),
                "at": _iso(row.at),
                "on": {
                    "kind": warning.where.kind,
                    "ref": ref,
                    "field": warning.where.field,
                    "matched": list(warning.matched),
                }
                if warning is not None and ref is not None
                else None,
                "fingerprint": None if warning is not None and ref is not None else row.fingerprint,
            }
        )
    return out


def dumps(document: Mapping[str, Any]) -> str:
    """The export as text: UTF-8 JSON, two-space indented, keys in the order of docs/export.md."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def normalised(document: Mapping[str, Any]) -> dict[str, Any]:
    """What export -> import -> export keeps identical: everything but when and from which review it
    was exported, and the audit rows an import itself adds."""
    out = {k: v for k, v in document.items() if k not in ("exported_at", "source")}
    out["history"] = [row for row in document.get("history", []) if row.get("action") != IMPORTED]
    return out


# ---- import ------------------------------------------------------------------------------------


def parse(data: bytes | str) -> ReviewExport:
    """The export document, validated; `InvalidInput` names every problem (field -> what is wrong)."""
    try:
        raw = json.loads(data)
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


def import_review(
    session: Session, document: ReviewExport, *, actor: int, data_digest: str | None = None
) -> Review:
    """Recreate the review in this Tunnelview, in the caller's transaction (the caller commits). Every
    object gets a new id; people are matched by email address, and anyone not known here is created as
    an inactive account (an admin activates it). The importing coordinator becomes a coordinator of the
    review if they are not one already. The audit log is carried over (re-chained here) and ends with
    one `imported` row."""
    importer = session.get(User, actor)
    if importer is None or not importer.active:
        raise NotPermitted("This account is not active.")
    if importer.global_role != "coordinator":
        raise NotPermitted("Only a review coordinator may import a review.")
    doc = document
    people: dict[str, int] = {}
    for person_x in doc.people:
        email = normalise_email(person_x.email)
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                name=person_x.name,
                global_role=person_x.global_role,
                active=False,
                password_hash=None,
            )
            session.add(user)
            session.flush()
        people[person_x.ref] = user.id

    def who(ref: str | None) -> int | None:
        return people[ref] if ref is not None else None

    r = doc.review
    review = Review(
        regime_key=r.regime,
        regime_version=r.regime_version,
        state=r.state.value,
        paused_from=r.paused_from.value if r.paused_from else None,
        route=r.route.value if r.route else None,
        child_pseudonym=r.child_pseudonym,
        incident_outcome=r.incident_outcome,
        abuse_or_neglect=r.abuse_or_neglect,
        date_of_awareness=r.date_of_awareness,
        incident_summary=r.incident_summary,
        agencies_involved=list(r.agencies_involved),
        criteria_answers=dict(r.criteria_answers),
        decision_rationale=r.decision_rationale,
        departure_rationale=r.departure_rationale,
        research_questions=list(r.research_questions),
        period_start=r.period_start,
        period_end=r.period_end,
        agencies_in_scope=list(r.agencies_in_scope),
        panel_exemptions=dict(r.panel_exemptions),
        publication_hold=r.publication_hold,
        publication_hold_reason=r.publication_hold_reason,
    )
    session.add(review)
    members: dict[str, Membership] = {}
    for x in doc.memberships:
        membership = Membership(
            user_id=people[x.person],
            role=x.role.value,
            agency=x.agency,
            declared_interest=x.declared_interest,
        )
        review.memberships.append(membership)
        members[x.ref] = membership
    if not any(ms.user_id == actor and ms.role == ReviewRole.COORDINATOR for ms in review.memberships):
        review.memberships.append(Membership(user_id=actor, role=ReviewRole.COORDINATOR.value))
    session.flush()
    rid = review.id

    known_themes = {t.key for t in session.scalars(select(m.PartnershipTheme))}
    for theme in doc.partnership_themes:
        if theme.key not in known_themes and theme.key not in BUILT_IN_THEMES:
            session.add(m.PartnershipTheme(key=theme.key, label=theme.label, added_by=actor))
    for theme_key in dict.fromkeys(r.themes):
        session.add(m.ReviewTheme(review_id=rid, theme=theme_key))

    entries: dict[str, m.NarrativeEntry] = {}
    for n in doc.narratives:
        narrative = m.AgencyNarrative(
            review_id=rid,
            agency=n.agency,
            status=n.status,
            submitted_at=n.submitted_at,
            submitted_by=who(n.submitted_by),
            returned_reason=n.returned_reason,
            exemption=n.exemption,
        )
        session.add(narrative)
        session.flush()
        for seq, e in enumerate(n.entries, start=1):
            entry = m.NarrativeEntry(
                narrative_id=narrative.id,
                review_id=rid,
                seq=seq,
                occurred_on=e.occurred_on,
                occurred_at=e.occurred_at,
                what_happened=e.what_happened,
                source_record=e.source_record,
                aware=dict(e.aware),
                significant=e.significant,
            )
            session.add(entry)
            entries[e.ref] = entry
    conversations: dict[str, m.Conversation] = {}
    for c in doc.conversations:
        conversation = m.Conversation(
            review_id=rid,
            practitioner_id=people[c.practitioner],
            author_id=people[c.author],
            held_on=c.held_on,
            **{name: getattr(c, name) for name in CONVERSATION_TEXTS},
        )
        conversation.comments = [
            m.ConversationComment(author_id=people[x.author], at=x.at, text=x.text) for x in c.comments
        ]
        session.add(conversation)
        conversations[c.ref] = conversation
    session.flush()
    episodes: dict[str, m.Episode] = {}
    for number, episode_x in enumerate(doc.episodes, start=1):
        episode = m.Episode(
            review_id=rid,
            number=number,
            title=episode_x.title,
            valence=episode_x.valence,
            period_start=episode_x.period_start,
            period_end=episode_x.period_end,
            agencies=list(episode_x.agencies),
            **{name: getattr(episode_x, name) for name in EPISODE_TEXTS},
        )
        episode.entries = [entries[x] for x in episode_x.entries]
        episode.conversations = [conversations[x] for x in episode_x.conversations]
        session.add(episode)
        episodes[episode_x.ref] = episode
    session.flush()
    factors: list[m.Factor] = []
    for factor_x in doc.factors:
        factor = m.Factor(
            review_id=rid,
            framework=factor_x.framework,
            level=factor_x.level,
            category=factor_x.category,
            description=factor_x.description,
            evidence=factor_x.evidence,
            proposed_by=who(factor_x.proposed_by),
        )
        factor.episodes = [episodes[x] for x in factor_x.episodes]
        session.add(factor)
        factors.append(factor)
    session.flush()
    for panel_x in doc.panel_submissions:
        session.add(
            m.PanelSubmission(
                review_id=rid,
                membership_id=members[panel_x.membership].id,
                author_id=people[panel_x.author],
                status=panel_x.status,
                appraisal=panel_x.appraisal,
                episode_notes={str(episodes[k].id): v for k, v in panel_x.episode_notes.items()},
                proposed_factors=[
                    {
                        "framework": pf.framework,
                        "level": pf.level,
                        "category": pf.category,
                        "description": pf.description,
                        "evidence": pf.evidence,
                        "episode_ids": [episodes[x].id for x in pf.episodes],
                    }
                    for pf in panel_x.proposed_factors
                ],
                submitted_at=panel_x.submitted_at,
                waiver_reason=panel_x.waiver_reason,
            )
        )
    for g in doc.good_practice:
        session.add(
            m.GoodPractice(
                review_id=rid,
                what_went_well=g.what_went_well,
                what_enabled_it=g.what_enabled_it,
                agencies=list(g.agencies),
                episode_id=episodes[g.episode].id if g.episode else None,
                author_id=people[g.author],
            )
        )
    findings: dict[str, m.Finding] = {}
    for number, finding_x in enumerate(doc.findings, start=1):
        finding = m.Finding(
            review_id=rid,
            number=number,
            title=finding_x.title,
            category=finding_x.category,
            themes=list(finding_x.themes),
            status=finding_x.status,
            **{name: getattr(finding_x, name) for name in FINDING_TEXTS},
        )
        finding.episodes = [episodes[x] for x in finding_x.episodes]
        finding.evidence = [
            m.FindingEvidence(kind=x.kind, summary=x.summary, reference=x.reference)
            for x in finding_x.evidence
        ]
        finding.questions = [m.BoardQuestion(number=q.number, text=q.text) for q in finding_x.questions]
        finding.comments = [
            m.FindingComment(author_id=people[x.author], at=x.at, text=x.text) for x in finding_x.comments
        ]
        session.add(finding)
        session.flush()
        if finding_x.response is not None:
            finding.response = m.BoardResponse(
                review_id=rid,
                finding_id=finding.id,
                response=finding_x.response.response,
                recorded_by=people[finding_x.response.recorded_by],
            )
        findings[finding_x.ref] = finding
    session.flush()
    for a in doc.actions:
        session.add(
            m.Action(
                review_id=rid,
                finding_id=findings[a.finding].id if a.finding else None,
                title=a.title,
                description=a.description,
                owner_agency=a.owner_agency,
                due_on=a.due_on,
                status=a.status,
                evidence_of_impact=a.evidence_of_impact,
            )
        )
    if doc.report_texts is not None:
        t = doc.report_texts
        session.add(
            ReportTexts(
                review_id=rid,
                partnership=t.partnership,
                case_summary=t.case_summary,
                methodology_note=t.methodology_note,
                board_response=t.board_response,
                briefing=dict(t.briefing),
            )
        )
    session.flush()
    questions = {f"{ref}:{q.number}": q.id for ref, finding in findings.items() for q in finding.questions}
    question_refs: dict[str, int] = {}
    for finding_y in doc.findings:
        for q in finding_y.questions:
            question_refs[f"question-{len(question_refs) + 1}"] = questions[f"{finding_y.ref}:{q.number}"]
    objects: dict[str, Mapping[str, int]] = {
        "episode": {k: v.id for k, v in episodes.items()},
        "finding": {k: v.id for k, v in findings.items()},
        "factor": {f"factor-{i}": x.id for i, x in enumerate(factors, start=1)},
        "question": question_refs,
    }
    for ack in doc.acknowledgements:
        fingerprint = ack.fingerprint or ""
        if ack.on is not None:
            object_id = objects[ack.on.kind].get(ack.on.ref)
            words = "|".join(sorted({" ".join(w.lower().split()) for w in ack.on.matched}))
            key = f"{ack.code}:{ack.on.kind}:{object_id}:{ack.on.field}:{words}"
            fingerprint = hashlib.sha256(key.encode("utf-8")).hexdigest()
        session.add(
            m.WarningAcknowledgement(
                review_id=rid,
                fingerprint=fingerprint,
                code=ack.code,
                warning=ack.warning,
                reason=ack.reason,
                by=people[ack.by],
                at=ack.at,
            )
        )
    if doc.publication is not None:
        pub = doc.publication
        documents = [
            PublishedDocument(
                kind=d.kind,
                format=d.format,
                media_type=d.media_type,
                content=base64.b64decode(d.content),
                size=d.size,
                sha256=d.sha256,
            )
            for d in pub.documents
        ]
        session.add(
            PublishedReport(
                review_id=rid,
                variant=pub.variant,
                digest=pub.digest,
                published_at=pub.published_at,
                published_by=who(pub.published_by),
                documents=documents,
            )
        )
    session.flush()
    _carry_history(session, review, doc.history, people)
    audit.append(
        session,
        review,
        actor_id=actor,
        action=IMPORTED,
        params={
            "from_review_id": doc.source.review_id,
            "exported_at": doc.exported_at.isoformat(),
            "format_version": doc.version,
            "sha256": data_digest,
        },
    )
    return review


def _carry_history(
    session: Session, review: Review, rows: Sequence[HistoryX], people: Mapping[str, int]
) -> None:
    """The exported audit log, re-chained in this database (a hash covers the review's and actors' ids,
    which are new here). `params` are kept as they were: ids in them are the exporting system's."""
    prev = audit.GENESIS
    for seq, row in enumerate(rows, start=1):
        actor_id = people[row.actor] if row.actor is not None else None
        at = row.at.replace(tzinfo=None)
        params = json.loads(json.dumps(row.params, default=str))
        entry_hash = audit.entry_hash(
            review_id=review.id,
            seq=seq,
            at=at,
            actor_id=actor_id,
            action=row.action,
            from_state=row.from_state,
            to_state=row.to_state,
            reason=row.reason,
            params=params,
            prev_hash=prev,
            via=row.via,
        )
        session.add(
            AuditEntry(
                review_id=review.id,
                seq=seq,
                at=at,
                actor_id=actor_id,
                action=row.action,
                from_state=row.from_state,
                to_state=row.to_state,
                reason=row.reason,
                params=params,
                via=row.via,
                prev_hash=prev,
                hash=entry_hash,
            )
        )
        prev = entry_hash
    session.flush()


# ---- the service -------------------------------------------------------------------------------


class ExportService:
    """Export (the review's coordinator) and import (any coordinator), each audited."""

    def __init__(self, reviews: ReviewService) -> None:
        self._reviews = reviews

    def export(self, *, review_id: int, actor: int) -> dict[str, Any]:
        with self._reviews.session() as session:
            review, roles = self._reviews.load(session, review_id, actor)
            self._reviews.require(roles, READERS["export"], "export the review")
            document = export_review(session, review)
            audit.append(session, review, actor_id=actor, action=EXPORTED, changes_review=False)
            session.commit()
            return document

    def import_(self, *, data: bytes | str, actor: int) -> Review:
        document = parse(data)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        with self._reviews.session() as session:
            review = import_review(
                session, document, actor=actor, data_digest=hashlib.sha256(raw).hexdigest()
            )
            session.commit()
            return review
