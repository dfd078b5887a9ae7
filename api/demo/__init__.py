"""Demo data: people for every role, and the reviews of the reference briefing entered through the real
services as a coordinator, chair, lead reviewers and panel members would (their data files are in
`api/demo/data/`, read by `api.demo.reviews`; docs/demo.md):

- Alice, published: her practitioner briefing reproduces the reference's, and her frozen documents
  are on the published page;
- Andrew, at the chair's sign-off, with a leak planted in a finding, which the anonymisation check
  catches (his register was completed late);
- Benjamin, in analysis;
- Daisy, a fresh referral.

Loading is idempotent: a review whose pseudonym is already there is left alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from api.demo.reviews import DEMO_PARTNERSHIP, DEMO_REFERRAL, DEMO_REVIEWS
from api.demo.specs import ReferralSpec, ReviewSpec
from api.passwords import Argon2Passwords, hash_password
from api.wiring import Services
from findings.analysis.board import AddAction, RecordBoardResponse
from findings.analysis.conversations import AddConversation
from findings.analysis.episodes import AddEpisode
from findings.analysis.factors import AddFactor
from findings.analysis.family import AddFamilyContact, AddFamilyMember, ShareDraft
from findings.analysis.findings import AddEvidence, AddFinding, AddQuestion
from findings.analysis.good_practice import AddGoodPractice
from findings.analysis.independence import DeclareIndependence
from findings.analysis.narratives import AddEntry
from findings.analysis.panel import SavePanelAnalysis
from findings.analysis.self_assessment import AssessMarker
from findings.publication.briefings import briefing_sections
from findings.publication.identifiers import IdentifierKind
from findings.publication.register import AddRegisterEntry
from workflow import people
from workflow.accounts import AccountService
from workflow.membership import AddMember
from workflow.models import Review
from workflow.notices import RecordNotice
from workflow.referrals import Incident, LogReferral, RecordCriteria, ReferralService, SetScope
from workflow.states import ReviewRole, State

DEMO_PASSWORD = "tunnelview-demo"

# (email, name, global role, what they do in the demo reviews)
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("admin@demo.example.org", "Ada Admin", "admin", "admin (user accounts only)"),
    ("coordinator@demo.example.org", "Cara Coordinator", "coordinator", "review coordinator"),
    ("chair@demo.example.org", "Charles Chair", "chair", "chair"),
    ("lead1@demo.example.org", "Lena Lead", "member", "lead reviewer"),
    ("lead2@demo.example.org", "Leo Lead", "member", "lead reviewer"),
    ("police@demo.example.org", "Pat Police", "member", "panel member, Police"),
    ("health@demo.example.org", "Hari Health", "member", "panel member, Health"),
    ("social@demo.example.org", "Sam Social", "member", "panel member, Children's social care"),
    ("education@demo.example.org", "Eve Education", "member", "panel member, Education"),
    ("practitioner@demo.example.org", "Polly Practitioner", "member", "case group practitioner"),
)

PANEL = {
    "Police": "police@demo.example.org",
    "Health": "health@demo.example.org",
    "Children's social care": "social@demo.example.org",
    "Education": "education@demo.example.org",
}
STAGES = (
    State.REFERRED,
    State.SCREENING,
    State.SCOPING,
    State.CASE_GROUP,
    State.DATA_GATHERING,
    State.ANALYSIS,
    State.FINDINGS,
    State.SIGN_OFF,
    State.APPROVED,
    State.PUBLISHED,
)


class _DemoPasswords(Argon2Passwords):
    """Every demo login has the same password: hash it once (Argon2id is slow by design)."""

    @functools.cache  # noqa: B019 - one instance per load, one password
    def hash(self, password: str) -> str:
        return hash_password(password)


def _ensure_users(services: Services) -> dict[str, int]:
    ids: dict[str, int] = {}
    accounts = AccountService(services.sessions, passwords=_DemoPasswords())
    for email, name, role, _ in DEMO_USERS:
        with services.sessions() as session:
            user = people.find_by_email(session, email)
        if user is None:
            user = accounts.create(None, email=email, name=name, role=role, password=DEMO_PASSWORD)
        ids[email] = user.id
    return ids


def _exists(services: Services, pseudonym: str) -> bool:
    with services.sessions() as session:
        return session.query(Review).filter(Review.child_pseudonym == pseudonym).first() is not None


def _fresh_referral(referrals: ReferralService, ids: dict[str, int], today: date, spec: ReferralSpec) -> None:
    referrals.log(
        actor=ids["coordinator@demo.example.org"],
        command=LogReferral(
            child_pseudonym=spec.pseudonym,
            incident=Incident.model_validate(
                {
                    "outcome": spec.incident_outcome,
                    "abuse_or_neglect": spec.abuse_or_neglect,
                    "date_of_awareness": today - timedelta(days=spec.awareness_days_ago),
                    "summary": spec.incident_summary,
                }
            ),
            agencies_involved=list(spec.agencies),
            chair_email="chair@demo.example.org",
        ),
    )


@dataclass
class _Loader:
    """Drives one demo review through the real services, stage by stage."""

    services: Services
    ids: dict[str, int]
    spec: ReviewSpec
    today: date
    review_id: int = 0
    entries: dict[tuple[str, int], int] = field(default_factory=dict)
    episodes: list[int] = field(default_factory=list)
    findings: list[int] = field(default_factory=list)
    family_ids: list[int] = field(default_factory=list)

    # ---- who and when ---------------------------------------------------------------------------

    def user(self, email: str) -> int:
        return self.ids[email]

    @property
    def coordinator(self) -> int:
        return self.user("coordinator@demo.example.org")

    @property
    def chair(self) -> int:
        return self.user("chair@demo.example.org")

    @property
    def lead(self) -> int:
        return self.user("lead1@demo.example.org")

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    @property
    def version(self) -> int:
        return self.services.reviews.get(self.review_id, self.coordinator).review.version

    def member(self, email: str, role: ReviewRole, agency: str | None = None) -> None:
        self.services.membership.add(
            review_id=self.review_id,
            actor=self.coordinator,
            expected_version=self.version,
            command=AddMember(email=email, role=role, agency=agency),
        )

    def fire(self, trigger: str, actor: int, **params: Any) -> None:
        self.services.reviews.fire(self.review_id, trigger, actor, self.version, **params)

    # ---- the stages -----------------------------------------------------------------------------

    def load(self) -> None:
        steps: dict[State, Callable[[], None]] = {
            State.REFERRED: self.referral,
            State.SCREENING: self.screening,
            State.SCOPING: self.scoping,
            State.CASE_GROUP: self.case_group,
            State.DATA_GATHERING: self.data_gathering,
            State.ANALYSIS: self.analysis,
            State.FINDINGS: self.findings_stage,
            State.SIGN_OFF: self.sign_off,
            State.APPROVED: self.approved,
            State.PUBLISHED: self.published,
        }
        for stage in STAGES[: STAGES.index(self.spec.target) + 1]:
            steps[stage]()
        if self.spec.seal_after_signoff:
            self.seal()

    def referral(self) -> None:
        s = self.spec
        logged = self.services.referrals.log(
            actor=self.coordinator,
            command=LogReferral(
                child_pseudonym=s.pseudonym,
                incident=Incident.model_validate(  # the demo's data, validated as a form would be
                    {
                        "outcome": s.incident_outcome,
                        "abuse_or_neglect": s.abuse_or_neglect,
                        "date_of_awareness": self.ago(s.awareness_days_ago),
                        "summary": s.incident_summary,
                    }
                ),
                agencies_involved=list(s.agencies),
                regime="wt2010",
                chair_email="chair@demo.example.org",
            ),
        )
        self.review_id = logged.detail.review.id

    def screening(self) -> None:
        self.fire("open_screening", self.coordinator)
        self.services.referrals.record_criteria(
            review_id=self.review_id,
            actor=self.coordinator,
            expected_version=self.version,
            command=RecordCriteria(answers=self.spec.criteria),
        )

    def scoping(self) -> None:
        s = self.spec
        self.fire("decide", self.chair, route="learning", rationale=s.decision)
        for email in ("lead1@demo.example.org", "lead2@demo.example.org"):
            self.member(email, ReviewRole.LEAD_REVIEWER)
        self.services.referrals.set_scope(
            review_id=self.review_id,
            actor=self.coordinator,
            expected_version=self.version,
            command=SetScope(
                research_questions=list(s.research_questions),
                agencies_in_scope=list(s.agencies),
                period_start=self.ago(s.period[0]),
                period_end=self.ago(s.period[1]),
            ),
        )
        if s.independence:
            for email in ("lead1@demo.example.org", "lead2@demo.example.org"):
                self.services.independence.declare(
                    review_id=self.review_id,
                    actor=self.user(email),
                    expected_version=None,
                    command=DeclareIndependence(
                        statement=s.independence, declared_on=self.ago(max(s.awareness_days_ago - 5, 0))
                    ),
                )
        if not self.spec.seal_after_signoff:
            self.seal()
        self.texts(
            partnership=DEMO_PARTNERSHIP,
            case_summary=s.case_summary,
            methodology_note=s.methodology_note,
            briefing=briefing_sections(s.briefing),
        )

    def case_group(self) -> None:
        self.fire("confirm_scope", self.coordinator)
        for agency in self.spec.agencies:
            self.member(PANEL[agency], ReviewRole.PANEL_MEMBER, agency)
        self.member("practitioner@demo.example.org", ReviewRole.CASE_GROUP, self.spec.case_group_agency)

    def data_gathering(self) -> None:
        self.fire("convene", self.coordinator)
        narratives = self.services.narratives
        for agency, entries in self.spec.narratives.items():
            panel = self.user(PANEL[agency])
            for index, entry in enumerate(entries):
                command = AddEntry(
                    occurred_on=self.ago(entry.days_ago),
                    what_happened=entry.text,
                    aware={other: None for other in entry.aware},
                    significant=entry.significant,
                )
                added = narratives.add_entry(
                    review_id=self.review_id, actor=panel, agency=agency, command=command
                )
                self.entries[(agency, index)] = added.id
            narrative = narratives.get(review_id=self.review_id, actor=panel, agency=agency)
            narratives.submit(
                review_id=self.review_id, actor=panel, agency=agency, expected_version=narrative.version
            )

    def analysis(self) -> None:
        self.fire("begin_analysis", self.coordinator)
        rid, lead = self.review_id, self.lead
        conversation_ids: list[int] = []
        if self.spec.conversation:
            conversation = self.services.conversations.add(
                review_id=rid,
                actor=lead,
                command=AddConversation(
                    practitioner_id=self.user("practitioner@demo.example.org"),
                    held_on=self.ago(20),
                    **self.spec.conversation,
                ),
            )
            conversation_ids.append(conversation.id)
        for number, e in enumerate(self.spec.episodes):
            episode = self.services.episodes.add(
                review_id=rid,
                actor=lead,
                command=AddEpisode.model_validate(
                    {
                        "title": e.title,
                        "valence": e.valence,
                        "period_start": self.ago(e.period[0]),
                        "period_end": self.ago(e.period[1]),
                        "agencies": list(e.agencies),
                        "what_happened": e.what_happened,
                        "view_from_tunnel": e.view_from_tunnel,
                        "appraisal": e.appraisal,
                        "appraisal_reference": e.appraisal_reference,
                        "explanation": e.explanation,
                        "entry_ids": [self.entries[key] for key in e.entries],
                        "conversation_ids": conversation_ids if number == 0 else [],
                    }
                ),
            )
            self.episodes.append(episode.id)
            for f in e.factors:
                self.services.factors.add(
                    review_id=rid,
                    actor=lead,
                    command=AddFactor(
                        level=f.level,
                        category=f.category,
                        description=f.description,
                        evidence=f.evidence,
                        episode_ids=[episode.id],
                    ),
                )
        for g in self.spec.good_practice:
            self.services.good_practice.add(
                review_id=rid,
                actor=self.coordinator,
                command=AddGoodPractice(
                    what_went_well=g.what_went_well,
                    what_enabled_it=g.what_enabled_it,
                    agencies=list(g.agencies),
                    episode_id=self.episodes[g.episode] if g.episode is not None else None,
                ),
            )
        self.family()
        for agency, appraisal in self.spec.panel_appraisals.items():
            panel = self.user(PANEL[agency])
            draft = self.services.panel.save(
                review_id=rid,
                actor=panel,
                expected_version=None,
                command=SavePanelAnalysis(appraisal=appraisal),
            )
            if self.spec.submit_panel:
                self.services.panel.submit(review_id=rid, actor=panel, expected_version=draft.version)
        if self.spec.target == State.ANALYSIS:
            self.write_findings()  # a draft finding while the analysis goes on

    def family(self) -> None:
        """The family members invited, the contacts with them and their views, as the lead reviewer
        recorded them."""
        for f in self.spec.family:
            member = self.services.family.add(
                review_id=self.review_id,
                actor=self.lead,
                command=AddFamilyMember.model_validate(
                    {
                        "pseudonym": f.pseudonym,
                        "relationship": f.relationship,
                        "invited_on": self.ago(f.invited) if f.invited is not None else None,
                        "wishes": f.wishes,
                        "views": f.views,
                    }
                ),
            )
            self.family_ids.append(member.id)
            for days_ago, means, note in f.contacts:
                self.services.family.add_contact(
                    review_id=self.review_id,
                    actor=self.lead,
                    family_member_id=member.id,
                    command=AddFamilyContact.model_validate(
                        {"on": self.ago(days_ago), "means": means, "note": note}
                    ),
                )

    def family_after_approval(self) -> None:
        """The draft shared with the family before publication, and the coordinator's quality
        self-assessment."""
        for f, member_id in zip(self.spec.family, self.family_ids, strict=True):
            if f.draft_shared is None:
                continue
            member = self.services.family.get(
                review_id=self.review_id, actor=self.lead, family_member_id=member_id
            )
            self.services.family.share_draft(
                review_id=self.review_id,
                actor=self.lead,
                family_member_id=member_id,
                expected_version=member.version,
                command=ShareDraft(on=self.ago(f.draft_shared)),
            )
        for key, marker in self.spec.quality.items():
            self.services.self_assessment.assess(
                review_id=self.review_id,
                actor=self.coordinator,
                marker=key,  # type: ignore[arg-type]  # the data file's key, checked by the service
                expected_version=None,
                command=AssessMarker.model_validate({"rating": marker.rating, "comment": marker.comment}),
            )

    def findings_stage(self) -> None:
        self.fire("draft_findings", self.lead)
        self.write_findings()

    def write_findings(self) -> None:
        findings, rid, lead = self.services.finding, self.review_id, self.lead
        for f in self.spec.findings:
            finding = findings.add(
                review_id=rid,
                actor=lead,
                command=AddFinding.model_validate(
                    {
                        "title": f.title,
                        "category": f.category,
                        "statement": f.statement,
                        "context": f.context,
                        "how_it_showed": f.how_it_showed,
                        "why_it_matters": f.why_it_matters,
                        "themes": list(f.themes),
                        "episode_ids": [self.episodes[i] for i in f.episodes],
                    }
                ),
            ).finding
            for kind, summary, reference in f.evidence:
                finding = findings.add_evidence(
                    review_id=rid,
                    actor=lead,
                    finding_id=finding.id,
                    expected_version=finding.version,
                    command=AddEvidence.model_validate(
                        {"kind": kind, "summary": summary, "reference": reference}
                    ),
                ).finding
            for question in f.questions:
                finding = findings.add_question(
                    review_id=rid,
                    actor=lead,
                    finding_id=finding.id,
                    expected_version=finding.version,
                    command=AddQuestion(text=question),
                ).finding
            self.findings.append(finding.id)

    def sign_off(self) -> None:
        self.fire("submit_for_signoff", self.lead)

    def approved(self) -> None:
        self.fire("approve", self.chair)
        board, rid = self.services.board, self.review_id
        for spec, finding_id in zip(self.spec.findings, self.findings, strict=True):
            if spec.response:
                board.record_response(
                    review_id=rid,
                    actor=self.chair,
                    finding_id=finding_id,
                    command=RecordBoardResponse(response=spec.response),
                )
        for a in self.spec.actions:
            board.add_action(
                review_id=rid,
                actor=self.coordinator,
                command=AddAction.model_validate(
                    {
                        "title": a.title,
                        "owner_agency": a.owner_agency,
                        "due_on": self.today + timedelta(days=a.due_in_days),
                        "status": a.status,
                        "evidence_of_impact": a.evidence_of_impact,
                        "finding_id": self.findings[a.finding],
                    }
                ),
            )
        if self.spec.board_response:
            self.texts(board_response=self.spec.board_response)
        self.family_after_approval()
        for recipient in self.services.reviews.get(rid, self.chair).regime.report_notice_to:
            self.services.notices.record(
                review_id=rid,
                actor=self.chair,
                expected_version=self.version,
                command=RecordNotice(kind=recipient.notice_kind, on=self.ago(14)),  # type: ignore[arg-type]
            )

    def published(self) -> None:
        self.fire("publish", self.chair)

    # ---- the register and the words of the reports ----------------------------------------------

    def seal(self) -> None:
        for identity in self.spec.register:
            self.services.register.add(
                review_id=self.review_id,
                actor=self.coordinator,
                expected_version=self.version,
                command=AddRegisterEntry(
                    kind=IdentifierKind(identity.kind),
                    value=identity.value,
                    pseudonym=identity.pseudonym,
                    variants=list(identity.variants),
                    note=identity.note,
                ),
            )

    def texts(self, **fields: Any) -> None:
        self.services.reports.write_texts(
            review_id=self.review_id, actor=self.coordinator, expected_version=self.version, **fields
        )


def load_demo(services: Services, *, today: date | None = None) -> list[tuple[str, str]]:
    """Load the demo (skipping what is already there) and return the logins to print."""
    today = today or date.today()
    ids = _ensure_users(services)
    for spec in DEMO_REVIEWS:
        if not _exists(services, spec.pseudonym):
            _Loader(services, ids, spec, today).load()
    if not _exists(services, DEMO_REFERRAL.pseudonym):
        _fresh_referral(services.referrals, ids, today, DEMO_REFERRAL)
    return [(email, description) for email, _, _, description in DEMO_USERS]


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load_demo"]
