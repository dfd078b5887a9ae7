"""The JSON export of a whole review: writing the document another Tunnelview imports
(`findings.exchange.recreate`).

Everything about a review is exported except its sealed identity register: the referral and decisions,
the members (as people, matched by email address on import), the notification to the national panel
and the rapid review with the panel's response (WT2023), every agency's narrative, conversations,
key practice episodes, contributory factors, panel analyses, good practice, findings with their
evidence, questions, comments and board response, the board's actions, themes, acknowledged quality
warnings, the words written for the reports, the frozen publication (its exact bytes) and the audit log
(each row with its number, the actor's id here and its hash, so the log verifies against its own hashes
wherever it is imported).
The format is `findings.exchange.document` (docs/export.md).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from findings.analysis import models as m
from findings.analysis.facts import review_warnings
from findings.analysis.quality import QualityWarning
from findings.exchange.document import CONVERSATION_TEXTS, EPISODE_TEXTS, FINDING_TEXTS, FORMAT, VERSION
from findings.exchange.statutory import PanelNotificationX, RapidReviewX
from findings.publication.assemble import report_texts
from findings.publication.models import PublishedReport
from workflow import audit
from workflow.models import PanelNotification, RapidReview, Review, User, utcnow


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
    family = [
        {
            "pseudonym": f.pseudonym,
            "relationship": f.relationship_to_child,
            "invited_on": _iso(f.invited_on),
            "wishes": f.wishes,
            "views": f.views,
            "draft_shared_on": _iso(f.draft_shared_on),
            "recorded_by": person(f.recorded_by),
            "contacts": [
                {
                    "on": _iso(c.contacted_on),
                    "means": c.means,
                    "note": c.note,
                    "recorded_by": person(c.recorded_by),
                }
                for c in f.contacts
            ],
        }
        for f in rows(m.FamilyMember, m.FamilyMember.id)
    ]
    independence = [
        {
            "membership": refs.get("member", d.membership_id),
            "statement": d.statement,
            "declared_on": _iso(d.declared_on),
        }
        for d in rows(m.IndependenceDeclaration, m.IndependenceDeclaration.id)
    ]
    quality = [
        {"marker": q.marker, "rating": q.rating, "comment": q.comment, "assessed_by": person(q.assessed_by)}
        for q in rows(m.MarkerAssessment, m.MarkerAssessment.id)
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
            "seq": e.seq,
            "actor_id": e.actor_id,
            "hash": e.hash,
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
        "panel_notification": _record(session.get(PanelNotification, rid), PanelNotificationX),
        "rapid_review": _record(session.get(RapidReview, rid), RapidReviewX),
        "partnership_themes": partnership_themes,
        "narratives": narratives,
        "conversations": conversations,
        "episodes": episodes_out,
        "factors": factors_out,
        "panel_submissions": panel,
        "good_practice": good_practice,
        "family": family,
        "independence": independence,
        "quality": quality,
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


def _record(row: PanelNotification | RapidReview | None, schema: type[BaseModel]) -> dict[str, Any] | None:
    """A statutory record, field for field as the format names them (its dates ISO); None if it has none."""
    if row is None:
        return None
    values = {name: getattr(row, name) for name in schema.model_fields}
    return {
        k: _iso(v) if isinstance(v, date) else list(v) if isinstance(v, list) else v
        for k, v in values.items()
    }


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
