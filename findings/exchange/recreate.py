"""The import that recreates an exported review in this Tunnelview: every object gets a new id and the
same content, and people are matched by email address. An import never publishes and never writes
history: the review starts at `referred`, whatever the file says, and must pass every stage and guard
here; what the file says of its past (its standing there, its audit log and its frozen publication) is
kept apart as provenance (`findings.exchange.provenance`). The review's own log begins with one
`imported` row naming the file's SHA-256.

It runs on a document `findings.exchange.reading.parse` has validated, in the caller's transaction:
all or nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from findings.analysis import models as m
from findings.analysis.vocabulary import BUILT_IN_THEMES
from findings.exchange import provenance
from findings.exchange.document import (
    CONVERSATION_TEXTS,
    EPISODE_TEXTS,
    FINDING_TEXTS,
    IMPORTED,
    ReviewExport,
)
from findings.publication.models import ReportTexts
from workflow import audit
from workflow.errors import NotPermitted
from workflow.models import Membership, PanelNotification, RapidReview, Review, User
from workflow.people import normalise_email
from workflow.states import ReviewRole, State


def import_review(session: Session, document: ReviewExport, *, actor: int, data_digest: str) -> Review:
    """Recreate the review in this Tunnelview, in the caller's transaction (the caller commits), at
    `referred`. Every object gets a new id; people are matched by email address, and anyone not known
    here is created as an inactive account (an admin activates it). The importing coordinator becomes a
    coordinator of the review if they are not one already. The file's standing, log and publication
    are kept as provenance; the review's own log is one `imported` row naming the file's SHA-256."""
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
        # Never the file's state, nor what its triggers recorded (route, rationales): each is decided
        # here again. They are kept in the provenance.
        state=State.REFERRED.value,
        child_pseudonym=r.child_pseudonym,
        incident_outcome=r.incident_outcome,
        abuse_or_neglect=r.abuse_or_neglect,
        date_of_awareness=r.date_of_awareness,
        incident_summary=r.incident_summary,
        agencies_involved=list(r.agencies_involved),
        criteria_answers=dict(r.criteria_answers),
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

    # The statutory records as the file gives them, the days they were sent and the panel's response
    # included: that is what the national panel has. The clocks are read from the review's own log,
    # which begins at the import, so they do not count these days (docs/export.md).
    if doc.panel_notification is not None:
        session.add(PanelNotification(review_id=rid, **doc.panel_notification.model_dump()))
    if doc.rapid_review is not None:
        session.add(RapidReview(review_id=rid, **doc.rapid_review.model_dump()))

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
    for fx in doc.family:
        session.add(
            m.FamilyMember(
                review_id=rid,
                pseudonym=fx.pseudonym,
                relationship_to_child=fx.relationship,
                invited_on=fx.invited_on,
                wishes=fx.wishes,
                views=fx.views,
                draft_shared_on=fx.draft_shared_on,
                recorded_by=people[fx.recorded_by],
                contacts=[
                    m.FamilyContact(
                        review_id=rid,
                        contacted_on=c.on,
                        means=c.means,
                        note=c.note,
                        recorded_by=people[c.recorded_by],
                    )
                    for c in fx.contacts
                ],
            )
        )
    for dx in doc.independence:
        session.add(
            m.IndependenceDeclaration(
                review_id=rid,
                membership_id=members[dx.membership].id,
                statement=dx.statement,
                declared_on=dx.declared_on,
            )
        )
    for qx in doc.quality:
        session.add(
            m.MarkerAssessment(
                review_id=rid,
                marker=qx.marker,
                rating=qx.rating,
                comment=qx.comment,
                assessed_by=people[qx.assessed_by],
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
    session.flush()
    kept = provenance.record(session, rid, doc, people, actor=actor, file_sha256=data_digest)
    audit.append(
        session,
        review,
        actor_id=actor,
        action=IMPORTED,
        to_state=State.REFERRED.value,
        params=provenance.imported_params(kept),
    )
    return review
