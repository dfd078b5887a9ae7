"""Builds the services from settings, in one place, for the app, the CLI and the tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from cryptography.fernet import MultiFernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.auth import Authenticator
from api.passwords import Argon2Passwords
from findings.analysis.board import BoardService, OverdueActions
from findings.analysis.conversations import ConversationService
from findings.analysis.episodes import EpisodeService
from findings.analysis.factors import FactorService
from findings.analysis.facts import FindingsFacts
from findings.analysis.family import FamilyService
from findings.analysis.findings import FindingService
from findings.analysis.good_practice import GoodPracticeService
from findings.analysis.independence import IndependenceService
from findings.analysis.lens import LensService
from findings.analysis.narratives import NarrativeService
from findings.analysis.overview import OverviewService
from findings.analysis.panel import PanelService
from findings.analysis.self_assessment import SelfAssessmentService
from findings.analysis.themes import ThemeService
from findings.analysis.warnings import WarningService
from findings.exchange.service import ExportService
from findings.learning.actions import ActionTracker
from findings.learning.catalogue import CatalogueService
from findings.learning.repository import LearningRepository
from findings.learning.selection import SelectionService
from findings.learning.suggestions import NotAQuirk
from findings.learning.trends import TrendService
from findings.learning.yearly import YearlyReportService
from findings.publication.freeze import ALL_FORMATS
from findings.publication.publisher import Publishing
from findings.publication.register import RegisterService, register_cipher
from findings.publication.render import Format, PdfEngine, use_pdf_renderer
from findings.publication.service import ReportService
from workflow.accounts import AccountService
from workflow.db import make_engine, make_session_factory
from workflow.holds import HoldService
from workflow.membership import MembershipService
from workflow.models import utcnow
from workflow.notices import NoticeService
from workflow.notifications.letters import Letters
from workflow.notifications.loop import NotificationLoop
from workflow.notifications.reminders import Reminders, StatutoryDeadlines
from workflow.notifications.sending import Backoff, OutboxSender
from workflow.notifications.service import NotificationService
from workflow.notifications.smtp import SmtpTransport
from workflow.principal import Operator
from workflow.referrals import ReferralService
from workflow.service import ReviewService
from workflow.settings import Settings, get_settings
from workflow.statutory import StatutoryService

if TYPE_CHECKING:
    from api.oidc import OpenIdConnect


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    reviews: ReviewService
    referrals: ReferralService
    membership: MembershipService
    holds: HoldService
    notices: NoticeService
    statutory: StatutoryService
    good_practice: GoodPracticeService
    family: FamilyService
    independence: IndependenceService
    overview: OverviewService
    self_assessment: SelfAssessmentService
    narratives: NarrativeService
    conversations: ConversationService
    episodes: EpisodeService
    factors: FactorService
    panel: PanelService
    finding: FindingService
    board: BoardService
    themes: ThemeService
    warnings: WarningService
    lens: LensService
    trends: TrendService
    actions: ActionTracker
    selections: SelectionService
    yearly: YearlyReportService
    repository: LearningRepository
    catalogue: CatalogueService
    suggestions: NotAQuirk
    auth: Authenticator
    register: RegisterService
    reports: ReportService
    publishing: Publishing
    exports: ExportService
    accounts: AccountService
    notifications: NotificationService
    reminders: Reminders
    now: Callable[[], datetime] = utcnow
    sign_on: OpenIdConnect | None = None  # single sign-on, when TUNNELVIEW_OIDC_ISSUER is set

    def outbox(self) -> OutboxSender:
        """The sender of the outbox over SMTP; `NotConfigured` (saying what to set) unless the
        settings name an SMTP server and a From address."""
        transport = SmtpTransport(self.settings)
        backoff = Backoff(
            first=timedelta(seconds=self.settings.mail_retry_seconds), attempts=self.settings.mail_attempts
        )
        return OutboxSender(
            self.sessions,
            transport,
            Letters(self.settings.public_url),
            sender=transport.sender,
            now=self.now,
            backoff=backoff,
        )

    def notification_loop(self) -> NotificationLoop:
        """The reminders and the outbox on a background thread (`TUNNELVIEW_NOTIFICATIONS_LOOP`)."""
        outbox = self.outbox() if self.settings.smtp_host else None
        return NotificationLoop(
            remind=self.reminders.run,
            send=outbox.run if outbox else lambda: None,
            interval=self.settings.notifications_interval_seconds,
        )


def build_services(
    settings: Settings,
    *,
    engine: Engine | None = None,
    sessions: sessionmaker[Session] | None = None,
    today: Callable[[], date] = date.today,
    now: Callable[[], datetime] | None = None,
    formats: tuple[Format, ...] = ALL_FORMATS,
    operator: Operator | None = None,
) -> Services:
    """The production wiring. The anonymisation check reads the sealed register with the cipher from
    `settings` and checks the review's rendered documents in every format (PDF text included); the
    publish guard refuses while it finds anything, and `publish` freezes exactly what it checked (its
    PDFs made by `TUNNELVIEW_PDF_RENDERER`, set here for the whole process). Names in the register also
    feed the quality warning that a finding names a person. With an `operator` (the command line), every
    audit row written through these services names it."""
    use_pdf_renderer(PdfEngine(settings.pdf_renderer, settings.chromium))
    engine = engine or make_engine(settings.database_url)
    sessions = sessions or make_session_factory(engine, operator=operator)
    cipher: MultiFernet | None = None

    def the_cipher() -> MultiFernet:
        nonlocal cipher
        if cipher is None:
            cipher = register_cipher(settings)
        return cipher

    publishing = Publishing(cipher=the_cipher, today=today, partnership=settings.partnership, formats=formats)
    facts = FindingsFacts(
        anonymisation=publishing.check,
        known_anonymisation=publishing.known_check,
        extra_names=publishing.extra_names,
    )
    reviews = ReviewService(
        sessions, analysis=facts, publisher=publishing, today=today, default_regime=settings.default_regime
    )
    auth = Authenticator(
        sessions,
        token_lifetime=timedelta(minutes=settings.token_lifetime_minutes),
        now=now or utcnow,
        passwords=settings.password_sign_in,
    )
    register = _LazyRegister(reviews, the_cipher)
    reports = ReportService(reviews, publishing, today=today)
    exports = ExportService(reviews)
    accounts = AccountService(sessions, passwords=Argon2Passwords(), now=now or utcnow)
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        reviews=reviews,
        referrals=ReferralService(reviews, today=today, default_regime=settings.default_regime),
        membership=MembershipService(reviews, today=today),
        holds=HoldService(reviews, today=today),
        notices=NoticeService(reviews, today=today),
        statutory=StatutoryService(reviews, today=today),
        good_practice=GoodPracticeService(reviews, today=today),
        family=FamilyService(reviews, today=today),
        independence=IndependenceService(reviews, today=today),
        overview=OverviewService(reviews, today=today),
        self_assessment=SelfAssessmentService(reviews, today=today),
        narratives=NarrativeService(reviews, today=today),
        conversations=ConversationService(reviews, today=today),
        episodes=EpisodeService(reviews, today=today),
        factors=FactorService(reviews, today=today),
        panel=PanelService(reviews, today=today),
        finding=FindingService(reviews, facts=facts, today=today),
        board=BoardService(reviews, today=today),
        themes=ThemeService(reviews, today=today),
        warnings=WarningService(reviews, facts=facts, today=today),
        lens=LensService(reviews, facts=facts, today=today),
        trends=TrendService(reviews),
        actions=ActionTracker(reviews, today=today),
        selections=SelectionService(reviews, partnership=settings.partnership, today=today),
        yearly=YearlyReportService(reviews, partnership=settings.partnership, today=today),
        repository=LearningRepository(reviews),
        catalogue=CatalogueService(reviews),
        suggestions=NotAQuirk(reviews),
        auth=auth,
        register=register,
        reports=reports,
        publishing=publishing,
        exports=exports,
        accounts=accounts,
        notifications=NotificationService(
            sessions, public_url=settings.public_url, today=today, now=now or utcnow
        ),
        reminders=Reminders(sessions, (StatutoryDeadlines(), OverdueActions()), today=today),
        now=now or utcnow,
        sign_on=single_sign_on(settings),
    )


def single_sign_on(settings: Settings) -> OpenIdConnect | None:
    """The OpenID Connect client when single sign-on is configured. Imported only then: Authlib,
    joserfc and httpx stay out of a worker that signs people in with passwords."""
    if not settings.single_sign_on:
        return None
    from api.oidc import OpenIdConnect

    return OpenIdConnect(settings)


class _LazyRegister(RegisterService):
    """The register service with the deployment's cipher, built when first needed."""

    def __init__(self, reviews: ReviewService, cipher: Callable[[], MultiFernet]) -> None:
        super().__init__(reviews)
        self._cipher_of = cipher

    @property
    def cipher(self) -> MultiFernet:
        return self._cipher_of()


@lru_cache(maxsize=1)
def get_services() -> Services:
    return build_services(get_settings())
