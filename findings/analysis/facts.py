"""The real implementation of `workflow.ports.AnalysisFacts`: the analysis facts the lifecycle
guards need, read in the caller's transaction and turned into plain data.

Each kind of fact (`workflow.ports.AnalysisNeed`) is read only when a guard asks for it, so listing
the triggers of a review at scoping reads nothing of its analysis.

Anonymisation: the anonymisation check of the rendered report is built elsewhere
(`findings.publication.publisher`). Until it is wired in, `FindingsFacts` reports `anonymisation_hits=None`,
which the `publish` guard reads as "the anonymisation check could not be run" and refuses: a review
is never published unchecked. Pass `anonymisation=` (a callable from a session and a review id to
the hits in words, or None when the check cannot run) to wire the real check in, and
`known_anonymisation=` for its last known result (None when none is known), which listing triggers
shows instead of running the check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from findings.analysis import frameworks, quality, wording
from findings.analysis.models import (
    ACTION_STATUSES,
    Action,
    AgencyNarrative,
    Episode,
    Factor,
    Finding,
    PanelSubmission,
    WarningAcknowledgement,
)
from findings.analysis.statements import FindingParts, missing_parts
from findings.errors import RegisterUnreadable
from findings.publication.lens import published_texts
from workflow.models import Review, User
from workflow.ports import (
    AcknowledgedWarning,
    ActionFacts,
    AnalysisNeed,
    AnalysisSnapshot,
    EpisodeFacts,
    FactorFacts,
    FindingFacts,
)

AnonymisationCheck = Callable[[Session, int], Sequence[str] | None]
ExtraNames = Callable[[Session, int], Iterable[str]]

EPISODE_FIELDS = ("what_happened", "view_from_tunnel", "appraisal", "explanation")
FACTOR_FIELDS = ("description", "evidence")
FINDING_FIELDS = ("statement", "context", "how_it_showed", "why_it_matters")


def episodes_of(session: Session, review_id: int) -> list[Episode]:
    return list(
        session.scalars(select(Episode).where(Episode.review_id == review_id).order_by(Episode.number))
    )


def factors_of(session: Session, review_id: int) -> list[Factor]:
    return list(session.scalars(select(Factor).where(Factor.review_id == review_id).order_by(Factor.id)))


def findings_of(session: Session, review_id: int) -> list[Finding]:
    return list(
        session.scalars(select(Finding).where(Finding.review_id == review_id).order_by(Finding.number))
    )


def evidence_items(finding: Finding) -> tuple[quality.EvidenceItem, ...]:
    return tuple(quality.EvidenceItem(e.kind, e.summary, e.reference, e.id) for e in finding.evidence)


def factor_code(factor: Factor) -> quality.FactorCode:
    return quality.FactorCode(factor.framework, factor.level, factor.category)


def factor_label(factor: Factor) -> str:
    return (
        f"Factor {factor.id} '{frameworks.category_label(factor.framework, factor.level, factor.category)}'"
    )


def finding_parts(finding: Finding) -> FindingParts:
    return FindingParts(
        category=finding.category,
        statement=finding.statement,
        context=finding.context,
        how_it_showed=finding.how_it_showed,
        why_it_matters=finding.why_it_matters,
        evidence=evidence_items(finding),
        questions=[q.text for q in finding.questions],
        themes=finding.themes,
    )


def episode_text(e: Episode) -> quality.EpisodeText:
    return quality.EpisodeText(
        e.id,
        e.number,
        e.title,
        e.valence,
        {name: getattr(e, name) for name in EPISODE_FIELDS},
        tuple(factor_code(f) for f in e.factors),
    )


def factor_text(f: Factor) -> quality.FactorText:
    return quality.FactorText(f.id, factor_label(f), {name: getattr(f, name) for name in FACTOR_FIELDS})


@dataclass(frozen=True)
class ReviewAgencies:
    """What the single-agency check needs of the review beyond a finding's own rows: the agency of
    each practitioner (for the conversations an episode rests on) and every agency it knows by name
    (to find them in the texts of factors and evidence items)."""

    of_practitioner: Mapping[int, str]
    known: tuple[str, ...]

    @classmethod
    def of(cls, review: Review) -> ReviewAgencies:
        of_practitioner = {m.user_id: m.agency for m in review.memberships if m.agency and m.agency.strip()}
        known = [*review.agencies_in_scope, *review.agencies_involved, *of_practitioner.values()]
        return cls(of_practitioner, tuple(dict.fromkeys(a.strip() for a in known if a and a.strip())))


def evidence_agencies(f: Finding, agencies: ReviewAgencies) -> tuple[str, ...]:
    """The agencies of all of a finding's evidence: its episodes' agencies, the agencies of the
    narrative entries they rest on (and those aware of each entry at the time), the agencies of the
    practitioners whose conversations they rest on, and the agencies named in the factors that
    explain them and in its evidence items. A name in a text only adds to what the records say:
    with no agency in the records there is nothing to call a single agency's."""
    found: list[str] = []
    texts: list[str] = []
    for episode in f.episodes:
        found += episode.agencies
        for entry in episode.entries:
            found += [entry.narrative.agency, *entry.aware]
        found += [agencies.of_practitioner.get(c.practitioner_id, "") for c in episode.conversations]
        texts += [t for factor in episode.factors for t in (factor.description, factor.evidence)]
    texts += [t for e in f.evidence for t in (e.summary, e.reference)]
    if not any(a and a.strip() for a in found):
        return ()
    known = [*agencies.known, *found]
    found += wording.agencies_named(texts, known)
    return tuple(dict.fromkeys(a.strip() for a in found if a and a.strip()))


def finding_text(f: Finding, agencies: ReviewAgencies | None = None) -> quality.FindingText:
    return quality.FindingText(
        f.id,
        f.number,
        f.title,
        {name: getattr(f, name) for name in FINDING_FIELDS},
        agencies=evidence_agencies(f, agencies or ReviewAgencies({}, ())),
        evidence=evidence_items(f),
        questions=tuple(quality.QuestionText(q.id, q.number, q.text) for q in f.questions),
    )


def review_names(review: Review, extra_names: Iterable[str] = ()) -> tuple[str, ...]:
    """The names no finding or question may carry: the review's members (which include the case
    group's practitioners) and any extra names (the sealed register)."""
    return tuple(dict.fromkeys([*(m.user.name for m in review.memberships), *extra_names]))


def _not_the_checks(
    warnings: Iterable[quality.QualityWarning], review: Review
) -> list[quality.QualityWarning]:
    """The warnings `publish` refuses on besides the anonymisation check: a person named only by the
    sealed register is the check's to report (once, without the name), a member's name is not."""
    members = {part.casefold() for m in review.memberships for part in [m.user.name, *m.user.name.split()]}

    def the_checks(w: quality.QualityWarning) -> bool:
        return w.code == quality.Code.PERSON_NAMED and not any(
            word.casefold() in members for word in w.matched
        )

    return [w for w in warnings if not the_checks(w)]


def review_text(session: Session, review: Review, extra_names: Iterable[str] = ()) -> quality.ReviewText:
    """Every text the quality checks read, as plain data: the analysis and everything else the
    reports publish (`findings.publication.lens`)."""
    agencies = ReviewAgencies.of(review)
    return quality.ReviewText(
        episodes=tuple(episode_text(e) for e in episodes_of(session, review.id)),
        factors=tuple(factor_text(f) for f in factors_of(session, review.id)),
        findings=tuple(finding_text(f, agencies) for f in findings_of(session, review.id)),
        published=published_texts(session, review),
        names=review_names(review, extra_names),
    )


def acknowledgements(session: Session, review_id: int) -> dict[str, quality.Acknowledgement]:
    """The review's acknowledgements by fingerprint: the reason, who (by name) and when."""
    rows = session.execute(
        select(WarningAcknowledgement, User.name)
        .join(User, User.id == WarningAcknowledgement.by)
        .where(WarningAcknowledgement.review_id == review_id)
    )
    return {ack.fingerprint: quality.Acknowledgement(ack.reason, name, ack.at) for ack, name in rows}


def review_warnings(
    session: Session, review: Review, extra_names: Iterable[str] = ()
) -> list[quality.QualityWarning]:
    """The review's quality warnings with the lead reviewers' acknowledgements applied."""
    return quality.acknowledge(
        quality.review_warnings(review_text(session, review, extra_names)),
        acknowledgements(session, review.id),
    )


class FindingsFacts:
    """`workflow.ports.AnalysisFacts` over the findings tables: one query per kind of fact asked for.

    `anonymisation` runs the check (it renders the report); `known_anonymisation` gives its last known
    result for the review as it stands, or None when none is known, without rendering anything."""

    def __init__(
        self,
        *,
        anonymisation: AnonymisationCheck | None = None,
        known_anonymisation: AnonymisationCheck | None = None,
        extra_names: ExtraNames | None = None,
    ) -> None:
        self._anonymisation = anonymisation
        self._known_anonymisation = known_anonymisation
        self._extra_names = extra_names

    def sealed_names(self, session: Session, review_id: int) -> tuple[list[str], str | None]:
        """The register's names of people, and why the register cannot be read (then no names)."""
        if self._extra_names is None:
            return [], None
        try:
            return list(self._extra_names(session, review_id)), None
        except RegisterUnreadable as error:
            return [], error.reason()

    def names(self, session: Session, review_id: int) -> list[str]:
        """For listing the warnings while writing: without a readable register they are listed without
        its names, and the snapshot's `register_problem` refuses the steps that rely on them."""
        return self.sealed_names(session, review_id)[0]

    def snapshot(
        self, session: Session, review_id: int, needs: frozenset[AnalysisNeed], *, run_checks: bool
    ) -> AnalysisSnapshot | None:
        review = session.get(Review, review_id)
        if review is None:
            return None
        parts: dict[str, Any] = {}
        if AnalysisNeed.NARRATIVES in needs:
            parts |= self.narratives(session, review_id)
        if AnalysisNeed.EPISODES in needs:
            parts["episodes"] = self.episodes(session, review_id)
        if AnalysisNeed.PANEL in needs:
            parts |= self.panel(session, review_id)
        if AnalysisNeed.FINDINGS in needs:
            parts |= self.findings(session, review)
        if AnalysisNeed.BOARD_RESPONSE in needs:
            parts |= self.board_response(session, review_id)
        if AnalysisNeed.REGISTER in needs:
            parts["register_problem"] = self.sealed_names(session, review_id)[1]
        if AnalysisNeed.ACTIONS in needs:
            parts["actions"] = self.actions(session, review_id)
        if AnalysisNeed.ANONYMISATION in needs:
            parts |= self.anonymisation(session, review_id, run=run_checks)
        return AnalysisSnapshot(**parts)

    @staticmethod
    def narratives(session: Session, review_id: int) -> dict[str, Any]:
        narratives = session.scalars(
            select(AgencyNarrative).where(AgencyNarrative.review_id == review_id)
        ).all()
        return {
            "narratives_submitted": frozenset(n.agency for n in narratives if n.status == "submitted"),
            "narrative_exemptions": {n.agency: n.exemption for n in narratives if n.exemption},
        }

    @staticmethod
    def episodes(session: Session, review_id: int) -> tuple[EpisodeFacts, ...]:
        episodes = session.scalars(
            select(Episode)
            .where(Episode.review_id == review_id)
            .order_by(Episode.number)
            .options(selectinload(Episode.factors))
        )
        return tuple(
            EpisodeFacts(
                number=e.number,
                title=e.title,
                valence=e.valence,
                has_appraisal=bool(e.appraisal.strip() and e.appraisal_reference.strip()),
                has_explanation=bool(e.explanation.strip()),
                factors=tuple(
                    FactorFacts(
                        frameworks.category_label(f.framework, f.level, f.category),
                        factor_code(f).individual_level,
                    )
                    for f in e.factors
                ),
            )
            for e in episodes
        )

    @staticmethod
    def panel(session: Session, review_id: int) -> dict[str, Any]:
        rows = session.execute(
            select(PanelSubmission.membership_id, PanelSubmission.status).where(
                PanelSubmission.review_id == review_id
            )
        ).all()
        return {
            "panel_submitted": frozenset(row.membership_id for row in rows if row.status == "submitted"),
            "panel_waived": frozenset(row.membership_id for row in rows if row.status == "waived"),
        }

    def findings(self, session: Session, review: Review) -> dict[str, Any]:
        """The findings, the blocking quality warnings (as refusals) and the acknowledged ones (which
        read the whole analysis)."""
        warnings = review_warnings(session, review, self.names(session, review.id))
        return {
            "findings": tuple(
                FindingFacts(f.number, f.title, missing_parts(finding_parts(f)), len(f.episodes))
                for f in findings_of(session, review.id)
            ),
            "blocking_warnings": quality.unresolved_blocking(warnings),
            "blocking_unworded": quality.unresolved_blocking(
                _not_the_checks(warnings, review), with_words=False
            ),
            "acknowledged_warnings": tuple(
                AcknowledgedWarning(
                    w.in_words(),
                    w.acknowledgement or "",
                    w.acknowledged_by or "",
                    w.acknowledged_at,
                    w.fingerprint,
                )
                for w in warnings
                if w.acknowledged
            ),
        }

    @staticmethod
    def board_response(session: Session, review_id: int) -> dict[str, Any]:
        findings = findings_of(session, review_id)
        return {
            "board_response_recorded": bool(findings) and all(f.response is not None for f in findings),
            "findings_without_response": tuple(
                f"Finding {f.number} '{f.title}'" for f in findings if f.response is None
            ),
        }

    @staticmethod
    def actions(session: Session, review_id: int) -> tuple[ActionFacts, ...]:
        actions = session.scalars(select(Action).where(Action.review_id == review_id).order_by(Action.id))
        return tuple(
            ActionFacts(
                a.title,
                has_owner=bool(a.owner_agency and a.owner_agency.strip()),
                has_due_date=a.due_on is not None,
                has_status=a.status in ACTION_STATUSES,
            )
            for a in actions
        )

    def anonymisation(self, session: Session, review_id: int, *, run: bool) -> dict[str, Any]:
        """The check's hits in words (None: it could not run). Without `run`, the last known result,
        and `anonymisation_known=False` when there is none."""
        if not run:
            known = self._known_anonymisation(session, review_id) if self._known_anonymisation else None
            if known is None:
                return {"anonymisation_hits": None, "anonymisation_known": False}
            return {"anonymisation_hits": tuple(known)}
        if self._anonymisation is None:
            return {"anonymisation_hits": None}
        hits = self._anonymisation(session, review_id)
        return {"anonymisation_hits": None if hits is None else tuple(hits)}
