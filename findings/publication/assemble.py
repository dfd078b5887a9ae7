"""From a review's analysis to the full report's view model (`findings.publication.view_model`), and
what a review holds, loaded once for all its documents (`ReviewContent`, `load`); its briefings are
made in `findings.publication.briefings`.

Every piece of text a person wrote becomes a `Text` whose `Source` names the object and the field it
came from, with the field named as the model names it (`Source(FINDING, 7, "how_it_showed", 3)`), so
an anonymisation hit can be shown where it stands and corrected in place
(`findings.publication.service.ReportService.correct`, with the rules in `findings.publication.corrections`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from findings.analysis import frameworks
from findings.analysis import models as m
from findings.analysis.family import MEANS_LABELS, WISH_LABELS
from findings.analysis.markers import MARKERS, NOT_ASSESSED, RATING_LABELS
from findings.analysis.quality import EVIDENCE_KINDS
from findings.analysis.vocabulary import BUILT_IN_THEMES
from findings.publication.models import ReportTexts
from findings.publication.narrative_view import AgencyNarrative, NarrativeEntry
from findings.publication.sources import Source, SourceKind, Text, format_date
from findings.publication.view_model import (
    Action,
    BoardQuestion,
    BoardResponse,
    Category,
    Episode,
    Evidence,
    Factor,
    FamilyContact,
    FamilyMember,
    Finding,
    FindingResponse,
    GoodPractice,
    Independence,
    MarkerAssessment,
    Participation,
    ReportData,
    ReviewMeta,
    Valence,
)
from workflow import regimes
from workflow.models import AuditEntry, Membership, Review
from workflow.policy import ROLE_NAMES
from workflow.states import ReviewRole, Route, Trigger

DEFAULT_PARTNERSHIP = "Safeguarding Children Partnership"
NO_AGENCY = "Safeguarding partnership"

ACTION_STATUS_LABELS = {
    "planned": "planned",
    "in_progress": "in progress",
    "done": "done",
    "verified": "done and verified",
}

ROLE_ORDER = (
    ReviewRole.COORDINATOR,
    ReviewRole.CHAIR,
    ReviewRole.SAFEGUARDING_PARTNER,
    ReviewRole.LEAD_REVIEWER,
    ReviewRole.PANEL_MEMBER,
    ReviewRole.CASE_GROUP,
)

# ---- what a review holds, loaded once ----------------------------------------------------------


@dataclass(frozen=True)
class ReviewContent:
    """Every row a review's documents are made from, loaded in one session."""

    review: Review
    texts: ReportTexts | None
    narratives: tuple[m.AgencyNarrative, ...]
    episodes: tuple[m.Episode, ...]
    factors: tuple[m.Factor, ...]
    findings: tuple[m.Finding, ...]
    good_practice: tuple[m.GoodPractice, ...]
    actions: tuple[m.Action, ...]
    theme_labels: Mapping[str, str]
    published_on: date | None  # the day of the `publish` (or `decline_publication`) audit row
    family: tuple[m.FamilyMember, ...] = ()
    declarations: tuple[m.IndependenceDeclaration, ...] = ()
    assessments: tuple[m.MarkerAssessment, ...] = ()


def report_texts(session: Session, review_id: int) -> ReportTexts | None:
    return session.scalar(select(ReportTexts).where(ReportTexts.review_id == review_id))


def publication_day(session: Session, review_id: int) -> date | None:
    entry = session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.review_id == review_id,
            AuditEntry.action.in_([Trigger.PUBLISH.value, Trigger.DECLINE_PUBLICATION.value]),
        )
        .order_by(AuditEntry.seq.desc())
    )
    return entry.at.date() if entry is not None else None


def load(session: Session, review: Review) -> ReviewContent:
    rid = review.id

    def rows(model: Any, *order: Any) -> tuple[Any, ...]:
        return tuple(session.scalars(select(model).where(model.review_id == rid).order_by(*order)))

    themes = dict(BUILT_IN_THEMES)
    themes.update({t.key: t.label for t in session.scalars(select(m.PartnershipTheme))})
    return ReviewContent(
        review=review,
        texts=report_texts(session, rid),
        narratives=rows(m.AgencyNarrative, m.AgencyNarrative.id),
        episodes=rows(m.Episode, m.Episode.number),
        factors=rows(m.Factor, m.Factor.id),
        findings=rows(m.Finding, m.Finding.number),
        good_practice=rows(m.GoodPractice, m.GoodPractice.id),
        actions=rows(m.Action, m.Action.id),
        theme_labels=themes,
        published_on=publication_day(session, rid),
        family=rows(m.FamilyMember, m.FamilyMember.id),
        declarations=rows(m.IndependenceDeclaration, m.IndependenceDeclaration.id),
        assessments=rows(m.MarkerAssessment, m.MarkerAssessment.id),
    )


# ---- small helpers -----------------------------------------------------------------------------


def _t(value: str | None, kind: SourceKind, id: int | str | None, field: str, number: Any = None) -> Text:
    return Text(value or "", Source(kind, id, field, number))


def _optional(
    value: str | None, kind: SourceKind, id: int | str | None, field: str, number: Any = None
) -> Text | None:
    return _t(value, kind, id, field, number) if value and value.strip() else None


def review_type(review: Review) -> str:
    """The regime's name for the review's route, as words in a sentence ("management review")."""
    if not review.route:
        return "case review"
    regime = regimes.get(review.regime_key, review.regime_version)
    return regime.route_name(Route(review.route)).lower()


def partnership_of(content: ReviewContent, default: str) -> str:
    written = content.texts.partnership.strip() if content.texts else ""
    return written or default or DEFAULT_PARTNERSHIP


def _period(start: date | None, end: date | None) -> str | None:
    if start and end:
        return f"{format_date(start)} to {format_date(end)}"
    if start:
        return f"From {format_date(start)}"
    if end:
        return f"Until {format_date(end)}"
    return None


# ---- the full report ---------------------------------------------------------------------------


def participation(review: Review) -> tuple[Participation, ...]:
    """How many people of each agency took part in each role: never names."""
    groups: dict[tuple[int, str], list[Membership]] = {}
    for membership in review.memberships:
        role = ReviewRole(membership.role)
        agency = (membership.agency or "").strip() or NO_AGENCY
        groups.setdefault((ROLE_ORDER.index(role), agency), []).append(membership)
    rows = []
    for (role_index, agency), members in sorted(groups.items()):
        first = members[0]
        rows.append(
            Participation(
                agency=_t(agency, SourceKind.PARTICIPATION, first.id, "agency"),
                role=ROLE_NAMES[ROLE_ORDER[role_index]],
                count=len({member.user_id for member in members}),
            )
        )
    return tuple(rows)


def _narratives(content: ReviewContent) -> tuple[AgencyNarrative, ...]:
    """Every agency's account that has entries (a draft or returned one too: what is rendered is what
    is checked), in the order of the agencies in scope."""
    review = content.review
    order = {agency: i for i, agency in enumerate(review.agencies_in_scope)}
    narratives = sorted(
        (n for n in content.narratives if n.entries),
        key=lambda n: (order.get(n.agency, len(order)), n.agency),
    )
    out = []
    for narrative in narratives:
        entries = tuple(
            NarrativeEntry(
                id=e.id,
                agency=_t(narrative.agency, SourceKind.NARRATIVE_ENTRY, e.id, "agency"),
                text=_t(e.what_happened, SourceKind.NARRATIVE_ENTRY, e.id, "what_happened"),
                on=e.occurred_on,
                known_to=tuple(
                    _t(agency, SourceKind.NARRATIVE_ENTRY, e.id, "aware")
                    for agency in e.aware
                    if agency != narrative.agency
                ),
            )
            for e in narrative.entries
        )
        out.append(
            AgencyNarrative(
                agency=_t(narrative.agency, SourceKind.NARRATIVE_ENTRY, entries[0].id, "agency"),
                entries=entries,
            )
        )
    return tuple(out)


def _factor(factor: m.Factor) -> Factor:
    framework = frameworks.get(factor.framework)
    level = framework.level(factor.level) if framework else None
    return Factor(
        id=factor.id,
        framework=framework.label if framework else factor.framework,
        level=level.label if level else factor.level,
        category=frameworks.category_label(factor.framework, factor.level, factor.category),
        description=_t(factor.description, SourceKind.FACTOR, factor.id, "description"),
        individual_level=frameworks.is_individual_level(factor.framework, factor.level, factor.category),
    )


def _episode(e: m.Episode) -> Episode:
    n = e.number
    period = _period(e.period_start, e.period_end)
    return Episode(
        id=e.id,
        number=n,
        title=_t(e.title, SourceKind.EPISODE, e.id, "title", n),
        valence=Valence(e.valence),
        what_happened=_t(e.what_happened, SourceKind.EPISODE, e.id, "what_happened", n),
        view_from_tunnel=_t(e.view_from_tunnel, SourceKind.EPISODE, e.id, "view_from_tunnel", n),
        appraisal=_t(e.appraisal, SourceKind.EPISODE, e.id, "appraisal", n),
        explanation=_t(e.explanation, SourceKind.EPISODE, e.id, "explanation", n),
        period=_t(period, SourceKind.EPISODE, e.id, "period", n) if period else None,
        agencies=tuple(_t(a, SourceKind.EPISODE, e.id, "agencies", n) for a in e.agencies),
        expected_practice=tuple(
            _t(line.strip(), SourceKind.EPISODE, e.id, "appraisal_reference", n)
            for line in e.appraisal_reference.splitlines()
            if line.strip()
        ),
        factors=tuple(_factor(f) for f in e.factors),
    )


def _finding(f: m.Finding, theme_labels: Mapping[str, str]) -> Finding | None:
    if f.category is None:
        return None  # not in the report until it has a category (submit_for_signoff requires one)
    n = f.number
    return Finding(
        id=f.id,
        number=n,
        category=Category(f.category),
        statement=_t(f.statement, SourceKind.FINDING, f.id, "statement", n),
        context=_t(f.context, SourceKind.FINDING, f.id, "context", n),
        how_it_showed=_t(f.how_it_showed, SourceKind.FINDING, f.id, "how_it_showed", n),
        why_it_matters=_t(f.why_it_matters, SourceKind.FINDING, f.id, "why_it_matters", n),
        evidence=tuple(
            Evidence(
                id=e.id,
                kind=EVIDENCE_KINDS.get(e.kind, e.kind),
                text=_t(e.summary, SourceKind.EVIDENCE, e.id, "summary", f"for finding {n}"),
                reference=_optional(e.reference, SourceKind.EVIDENCE, e.id, "reference", f"for finding {n}"),
            )
            for e in f.evidence
        ),
        questions=tuple(
            BoardQuestion(
                id=q.id,
                number=f"{n}.{q.number}",
                text=_t(q.text, SourceKind.BOARD_QUESTION, q.id, "text", f"{n}.{q.number}"),
            )
            for q in sorted(f.questions, key=lambda q: q.number)
        ),
        episodes=tuple(e.number for e in f.episodes),
        themes=tuple(theme_labels.get(t, t) for t in f.themes),
    )


def _good_practice(content: ReviewContent) -> tuple[GoodPractice, ...]:
    numbers = {e.id: e.number for e in content.episodes}
    out = []
    for n, g in enumerate(content.good_practice, start=1):
        agencies = " and ".join(", ".join(g.agencies).rsplit(", ", 1)) if g.agencies else ""
        out.append(
            GoodPractice(
                id=g.id,
                title=_t(agencies, SourceKind.GOOD_PRACTICE, g.id, "agencies", n)
                if agencies
                else _t(f"Good practice {n}", SourceKind.GOOD_PRACTICE, g.id, "title", n),
                text=_t(g.what_went_well, SourceKind.GOOD_PRACTICE, g.id, "what_went_well", n),
                enabled_by=_optional(g.what_enabled_it, SourceKind.GOOD_PRACTICE, g.id, "what_enabled_it", n),
                episodes=(numbers[g.episode_id],) if g.episode_id in numbers else (),
            )
        )
    return tuple(out)


def _family(content: ReviewContent) -> tuple[FamilyMember, ...]:
    """Each family member's part, by pseudonym and relationship; the notes of contacts stay out."""
    return tuple(
        FamilyMember(
            id=f.id,
            pseudonym=_t(f.pseudonym, SourceKind.FAMILY_MEMBER, f.id, "pseudonym"),
            relationship=_t(f.relationship_to_child, SourceKind.FAMILY_MEMBER, f.id, "relationship_to_child"),
            wishes=WISH_LABELS.get(f.wishes, f.wishes),
            invited_on=f.invited_on,
            contacts=tuple(
                FamilyContact(c.contacted_on, MEANS_LABELS.get(c.means, c.means)) for c in f.contacts
            ),
            views=_optional(f.views, SourceKind.FAMILY_MEMBER, f.id, "views"),
            draft_shared_on=f.draft_shared_on,
        )
        for f in content.family
    )


def _independence(content: ReviewContent) -> tuple[Independence, ...]:
    """Each lead reviewer's declaration, numbered in the order they joined the review (the report
    names no one)."""
    leads = sorted(ms.id for ms in content.review.memberships if ms.role == ReviewRole.LEAD_REVIEWER)
    numbers = {membership_id: n for n, membership_id in enumerate(leads, start=1)}
    declared = sorted(
        (d for d in content.declarations if d.membership_id in numbers),
        key=lambda d: numbers[d.membership_id],
    )
    return tuple(
        Independence(
            reviewer=f"Lead reviewer {numbers[d.membership_id]}",
            statement=_t(d.statement, SourceKind.INDEPENDENCE, d.id, "statement"),
            declared_on=d.declared_on,
        )
        for d in declared
    )


def _quality(content: ReviewContent) -> tuple[MarkerAssessment, ...]:
    """Every quality marker as the coordinator assessed it ("not assessed" where they have not), or
    nothing while no marker is assessed."""
    assessed = {a.marker: a for a in content.assessments}
    if not assessed:
        return ()
    out = []
    for marker in MARKERS:
        row = assessed.get(marker.key)
        out.append(
            MarkerAssessment(
                title=marker.title,
                rating=RATING_LABELS.get(row.rating, row.rating) if row else NOT_ASSESSED,
                comment=_optional(row.comment, SourceKind.QUALITY_MARKER, row.id, "comment") if row else None,
            )
        )
    return tuple(out)


def _action(a: m.Action, finding_numbers: Mapping[int, int]) -> Action:
    return Action(
        id=a.id,
        title=_t(a.title, SourceKind.ACTION, a.id, "title"),
        owner_agency=_t(a.owner_agency, SourceKind.ACTION, a.id, "owner_agency"),
        status=ACTION_STATUS_LABELS.get(a.status or "", a.status or "not set"),
        due=a.due_on,
        evidence_of_impact=_optional(a.evidence_of_impact, SourceKind.ACTION, a.id, "evidence_of_impact"),
        findings=(finding_numbers[a.finding_id],)
        if a.finding_id is not None and a.finding_id in finding_numbers
        else (),
    )


def _board_response(content: ReviewContent) -> BoardResponse | None:
    review = content.review
    overall = content.texts.board_response if content.texts else ""
    responses = tuple(
        FindingResponse(
            id=f.response.id,
            finding=f.number,
            text=_t(f.response.response, SourceKind.BOARD_RESPONSE, f.response.id, "response", f.number),
        )
        for f in content.findings
        if f.response is not None
    )
    numbers = {f.id: f.number for f in content.findings}
    actions = tuple(_action(a, numbers) for a in content.actions)
    if not (overall.strip() or responses or actions):
        return None
    return BoardResponse(
        text=_t(overall, SourceKind.REVIEW, review.id, "board_response"),
        actions=actions,
        responses=responses,
    )


def report_data(
    content: ReviewContent, *, partnership: str = "", published_on: date | None = None
) -> ReportData:
    """The full report (and the summary of improvements) of a review, in the Learning Together
    structure. `published_on` defaults to the day the review was published, if it was."""
    review = content.review
    rid = review.id
    texts = content.texts
    regime = regimes.get(review.regime_key, review.regime_version)
    findings = tuple(
        f for f in (_finding(x, content.theme_labels) for x in content.findings) if f is not None
    )
    return ReportData(
        meta=ReviewMeta(
            review_id=rid,
            partnership=partnership_of(content, partnership),
            regime_title=regime.title,
            review_type=review_type(review),
            child_pseudonym=_t(review.child_pseudonym, SourceKind.REVIEW, rid, "child_pseudonym"),
            research_questions=tuple(
                _t(q, SourceKind.REVIEW, rid, "research_questions", n)
                for n, q in enumerate(review.research_questions, start=1)
            ),
            period_start=review.period_start,
            period_end=review.period_end,
            published_on=published_on or content.published_on,
            case_summary=_optional(
                texts.case_summary if texts else "", SourceKind.REVIEW, rid, "case_summary"
            ),
            methodology_note=_optional(
                texts.methodology_note if texts else "", SourceKind.REVIEW, rid, "methodology_note"
            ),
        ),
        participation=participation(review),
        narratives=_narratives(content),
        episodes=tuple(_episode(e) for e in content.episodes),
        findings=findings,
        good_practice=_good_practice(content),
        board_response=_board_response(content),
        family=_family(content),
        independence=_independence(content),
        quality=_quality(content),
    )
