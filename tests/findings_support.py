"""Test support for the analysis: a review service wired to the real `FindingsFacts`, and a builder
that fills a review with real analysis data (through the analysis services) stage by stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy.orm import Session, sessionmaker

from findings.analysis.board import AddAction, BoardService, RecordBoardResponse
from findings.analysis.conversations import ConversationService
from findings.analysis.episodes import AddEpisode, EpisodeService
from findings.analysis.factors import AddFactor, FactorService
from findings.analysis.facts import FindingsFacts
from findings.analysis.findings import AddEvidence, AddFinding, AddQuestion, ChangeFinding, FindingService
from findings.analysis.narratives import AddEntry, ImportNarrative, NarrativeService
from findings.analysis.panel import PanelService, SavePanelAnalysis
from findings.analysis.warnings import WarningService
from findings.publication.publisher import Publishing
from findings.publication.register import AddRegisterEntry, RegisterService
from findings.publication.render import Format
from findings.publication.service import ReportService
from tests.support import AGENCIES, Clock, FakePublisher, Journey, People, record_report_notices
from workflow.ports import Publisher
from workflow.service import ReviewService
from workflow.states import State

NARRATIVE_CSV = (
    "date,time,what_happened,source_record,agencies_aware,significant\n"
    "2025-03-04,09:30,Alice did not attend her dental appointment (third time),Dental record 12,,yes\n"
    "2025-03-10,,School attendance at 71%; CAF assessment completed,CAF 2025/11,Education,yes\n"
    '2025-04-01,14:00,"Home visit: house clean, routines in place",Visit log 4,,no\n'
)


def real_services(
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    anonymisation_clean: bool = False,
    publisher: Publisher | None = None,
) -> ReviewService:
    clean = (lambda _s, _r: ()) if anonymisation_clean else None
    facts = FindingsFacts(anonymisation=clean, known_anonymisation=clean)
    return ReviewService(sessions, analysis=facts, publisher=publisher or FakePublisher(), today=clock)


class Analysis:
    """Drives one review through the analysis stages with real data."""

    def __init__(self, reviews: ReviewService, people: People) -> None:
        self.reviews = reviews
        self.narrative_service = NarrativeService(reviews)
        self.conversation_service = ConversationService(reviews)
        self.episodes = EpisodeService(reviews)
        self.factors = FactorService(reviews)
        self.panel = PanelService(reviews)
        self.journey = Journey(reviews, people)
        self.cast = self.journey.cast
        self.episode_ids: list[int] = []
        self.finding_ids: list[int] = []

    @property
    def review_id(self) -> int:
        return self.journey.review_id

    def gathering(self) -> Analysis:
        self.journey.to(State.DATA_GATHERING)
        return self

    def narratives(self) -> Analysis:
        for agency in AGENCIES:
            panel = self.cast.panel[agency]
            self.narrative_service.import_csv(
                review_id=self.review_id,
                actor=panel,
                agency=agency,
                command=ImportNarrative(data=NARRATIVE_CSV.encode()),
            )
            narrative = self.narrative_service.get(review_id=self.review_id, actor=panel, agency=agency)
            self.narrative_service.submit(
                review_id=self.review_id, actor=panel, agency=agency, expected_version=narrative.version
            )
        return self

    def begin_analysis(self) -> Analysis:
        self.journey.fire("begin_analysis", self.cast.coordinator)
        return self

    def episode(
        self,
        title: str = "Dental appointments missed",
        valence: str = "problematic",
        *,
        explained: bool = True,
    ) -> int:
        lead = self.cast.lead
        episode = self.episodes.add(
            review_id=self.review_id,
            actor=lead,
            command=AddEpisode.model_validate(
                {
                    "title": title,
                    "valence": valence,
                    "period_start": date(2025, 1, 1),
                    "period_end": date(2025, 6, 30),
                    "agencies": ["Health", "Children's social care"],
                    "what_happened": "Three dental appointments were not attended; the decay was not "
                    "linked to neglect.",
                    "view_from_tunnel": "Each appointment was seen on its own; no one held the whole "
                    "pattern.",
                    "appraisal": "Expected practice links severe dental decay with possible neglect.",
                    "appraisal_reference": "RCPCH dental neglect guidance 2009",
                    "explanation": "Appointment systems record non-attendance without asking who brings "
                    "the child.",
                }
            ),
        )
        if explained:
            self.factors.add(
                review_id=self.review_id,
                actor=lead,
                command=AddFactor(
                    level="frontline",
                    category="conditions_of_work",
                    description="Dental practices have no route to share repeated non-attendance.",
                    episode_ids=[episode.id],
                ),
            )
        self.episode_ids.append(episode.id)
        return episode.id

    def panel_submissions(self) -> Analysis:
        for agency in AGENCIES:
            panel = self.cast.panel[agency]
            draft = self.panel.save(
                review_id=self.review_id,
                actor=panel,
                expected_version=None,
                command=SavePanelAnalysis(appraisal=f"{agency}: the pattern was hard to see."),
            )
            self.panel.submit(review_id=self.review_id, actor=panel, expected_version=draft.version)
        return self

    def draft_findings(self) -> Analysis:
        self.journey.fire("draft_findings", self.cast.lead)
        return self

    def finding(self, title: str = "Neglect is hard to see when appointments are missed") -> int:
        lead, findings = self.cast.lead, FindingService(self.reviews)
        finding = findings.add(
            review_id=self.review_id,
            actor=lead,
            command=AddFinding(
                title=title,
                category="tools",
                statement="Appointment systems treat missed appointments as the family's choice, so a "
                "pattern of a child not being brought is not seen as a possible sign of neglect.",
                context="Dental and GP practices each hold part of the picture.",
                how_it_showed="Three dental appointments were missed over four months.",
                why_it_matters="Children who are not brought depend on adults to reach care.",
                themes=["was_not_brought", "dental_neglect"],
                episode_ids=self.episode_ids[:1],
            ),
        ).finding
        finding = findings.add_evidence(
            review_id=self.review_id,
            actor=lead,
            finding_id=finding.id,
            expected_version=finding.version,
            command=AddEvidence(
                kind="research",
                summary="Severe dental decay in young children is linked with neglect.",
                reference="Harris et al. 2009",
            ),
        ).finding
        findings.add_question(
            review_id=self.review_id,
            actor=lead,
            finding_id=finding.id,
            expected_version=finding.version,
            command=AddQuestion(
                text="How will the board know whether appointment systems flag a child who is not brought?"
            ),
        )
        self.finding_ids.append(finding.id)
        return finding.id

    def to_sign_off(self) -> Analysis:
        self.gathering().narratives().begin_analysis()
        self.episode()
        self.panel_submissions().draft_findings()
        self.finding()
        self.journey.fire("submit_for_signoff", self.cast.lead)
        return self


CIPHER = MultiFernet([Fernet(Fernet.generate_key())])


@dataclass
class Wired:
    """The production wiring of publishing (`api.wiring.build_services` does the same from settings):
    the anonymisation check in the publish guard and the publisher that freezes what it checked."""

    reviews: ReviewService
    register: RegisterService
    reports: ReportService
    publishing: Publishing
    warnings: WarningService  # sees the register's names, as in production


def wired_services(
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    formats: Sequence[Format] = (Format.HTML, Format.MARKDOWN),
) -> Wired:
    publishing = Publishing(cipher=lambda: CIPHER, today=clock, formats=formats, partnership="Northshire")
    facts = FindingsFacts(
        anonymisation=publishing.check,
        known_anonymisation=publishing.known_check,
        extra_names=publishing.extra_names,
    )
    reviews = ReviewService(sessions, analysis=facts, publisher=publishing, today=clock)
    return Wired(
        reviews,
        RegisterService(reviews, cipher=CIPHER),
        ReportService(reviews, publishing, today=clock),
        publishing,
        WarningService(reviews, facts=facts, today=clock),
    )


def to_approved(analysis: Analysis) -> Analysis:
    """From sign-off to approved with the board's response, an action and the notice recorded: all
    `publish` then waits for is the anonymisation check."""
    cast, review_id, board = analysis.cast, analysis.review_id, BoardService(analysis.reviews)
    analysis.journey.fire("approve", cast.chair)
    for finding_id in analysis.finding_ids:
        board.record_response(
            review_id=review_id,
            actor=cast.chair,
            finding_id=finding_id,
            command=RecordBoardResponse(
                response="The board will ask dental and GP practices to flag children who are not brought."
            ),
        )
    board.add_action(
        review_id=review_id,
        actor=cast.coordinator,
        command=AddAction(
            title="Was-not-brought flag in dental and GP systems",
            owner_agency="Health",
            due_on=date(2027, 3, 31),
            status="in_progress",
            evidence_of_impact="Audit of 40 records in March shows the flag used in 31.",
            finding_id=analysis.finding_ids[0],
        ),
    )
    record_report_notices(analysis.journey.lifecycle.notices, review_id, cast.chair, analysis.journey.version)
    return analysis


# ---- a review approved with two leaks, sealed after the approval --------------------------------------

LEFT_NAME = "Rupert Greenwood"
BIRTH = date(2024, 11, 20)


@dataclass
class Leaky:
    """A review at `approved` with a practitioner's name left in a finding and a narrative entry dated
    on the child's date of birth, both sealed in the register after the chair approved (a register is
    often completed late)."""

    analysis: Analysis
    entry_id: int
    finding_id: int


def leaky_approved(reviews: ReviewService, register: RegisterService, people: People) -> Leaky:
    a = Analysis(reviews, people).gathering()
    entry = a.narrative_service.add_entry(
        review_id=a.review_id,
        actor=a.cast.coordinator,
        agency="Health",
        command=AddEntry(occurred_on=BIRTH, what_happened="The midwife's first home visit."),
    )
    a.narratives().begin_analysis()
    a.episode()
    a.panel_submissions().draft_findings()
    finding_id = a.finding()
    findings = FindingService(reviews)
    finding = findings.get(review_id=a.review_id, actor=a.cast.lead, finding_id=finding_id)
    findings.update(
        review_id=a.review_id,
        actor=a.cast.lead,
        finding_id=finding.id,
        expected_version=finding.version,
        command=ChangeFinding(how_it_showed=f"Three appointments with {LEFT_NAME} were missed."),
    )
    a.journey.fire("submit_for_signoff", a.cast.lead)
    to_approved(a)
    for kind, value, pseudonym in (
        ("practitioner", LEFT_NAME, "the dentist"),
        ("date_of_birth", BIRTH.isoformat(), "her date of birth"),
    ):
        register.add(
            review_id=a.review_id,
            actor=a.cast.coordinator,
            expected_version=a.journey.version,
            command=AddRegisterEntry(kind=kind, value=value, pseudonym=pseudonym),
        )
    return Leaky(a, entry.id, finding_id)
