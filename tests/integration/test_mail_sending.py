"""The outbox goes out over SMTP after the commit, to a real SMTP server run in the test: each message
once (even with two senders at once), retried with backoff while the server refuses, gathered into a
daily digest for those who chose one, and never with anything that identifies anyone."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from api.wiring import Services, build_services
from findings.analysis.board import AddAction, BoardService, OverdueActions
from findings.analysis.models import Action, Finding
from findings.publication.register import AddRegisterEntry
from tests.findings_support import Analysis, to_approved, wired_services
from tests.mail import SmtpServer
from tests.support import Journey
from workflow.models import NotificationSettings, OutboxMessage, Review, utcnow
from workflow.notifications.events import Kind
from workflow.notifications.outbox import Status
from workflow.notifications.reminders import Reminders, StatutoryDeadlines
from workflow.settings import Settings
from workflow.states import State

FROM = "tunnelview@partnership.example.org"
SITE = "https://tunnelview.partnership.example.org"


class Now:
    def __init__(self) -> None:
        self.at = utcnow()

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def now() -> Now:
    return Now()


def services_for(engine, sessions, clock, now, port: int, **settings) -> Services:
    values = {
        "database_url": str(engine.url),
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_tls": "none",
        "mail_from": FROM,
        "public_url": SITE,
        "mail_retry_seconds": 60,
    }
    return build_services(
        Settings(**values | settings), engine=engine, sessions=sessions, today=clock, now=now
    )


@pytest.fixture
def mail(engine, sessions, clock, now, smtp) -> Services:
    return services_for(engine, sessions, clock, now, smtp.port)


def messages(sessions, **where) -> list[OutboxMessage]:
    with sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(session.scalars(query))


def only_pending(sessions, kind: Kind) -> None:
    """Mark everything but `kind` sent, so a test reads only the messages it is about."""
    with sessions() as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.kind != kind.value).values(status=Status.SENT)
        )
        session.commit()


def test_a_queued_message_is_sent_once_as_text_and_html(journeys, mail, smtp, sessions, people):
    journey = journeys.to(State.REFERRED)
    only_pending(sessions, Kind.ROUTE_DECISION)
    journey.fire("open_screening", journey.cast.coordinator)
    report = mail.outbox().run()
    assert report.sent == 1
    [email] = smtp.inbox.received
    assert email.to == [people.email(journey.cast.partner)]  # under WT2023 the partners decide
    assert email.message["From"] == FROM
    assert email.subject == "Route decision needed: the review of Alice"
    assert "The criteria check of the review of Alice is open" in email.text
    assert f"{SITE}/reviews/{journey.review_id}" in email.text
    assert f'href="{SITE}/reviews/{journey.review_id}"' in email.html
    assert f"{SITE}/account/notifications" in email.text
    [sent] = messages(sessions, kind=Kind.ROUTE_DECISION.value)
    assert sent.status == Status.SENT and sent.attempts == 1 and sent.sent_at is not None
    assert mail.outbox().run().sent == 0  # nothing goes twice
    assert len(smtp.inbox.received) == 1


def test_html_is_autoescaped(journeys, mail, smtp, sessions, service):
    journey = Journey(service, journeys._people)
    journey.referral()
    with sessions() as session:
        session.execute(update(OutboxMessage).values(status=Status.SENT))
        from workflow.models import Review

        session.get(Review, journey.review_id).child_pseudonym = "<b>Alice</b> & co"
        session.commit()
    journey.fire("open_screening", journey.cast.coordinator)
    mail.outbox().run()
    [email] = smtp.inbox.received
    assert "&lt;b&gt;Alice&lt;/b&gt; &amp; co" in email.html and "<b>Alice</b>" not in email.html
    assert "<b>Alice</b> & co" in email.text  # the text part is plain text


def test_a_refused_message_is_retried_with_backoff_then_sent(journeys, mail, smtp, sessions, now):
    journey = journeys.to(State.REFERRED)
    only_pending(sessions, Kind.ROUTE_DECISION)
    journey.fire("open_screening", journey.cast.coordinator)
    smtp.inbox.refuse = 2
    first = mail.outbox().run()
    assert (first.sent, first.retrying) == (0, 1)
    [message] = messages(sessions, kind=Kind.ROUTE_DECISION.value)
    assert message.status == Status.PENDING and message.attempts == 1
    assert message.next_attempt_at == now.at + timedelta(minutes=1)
    assert "451" in (message.last_error or "")
    now.at += timedelta(seconds=59)
    assert mail.outbox().run().retrying == 0  # not yet
    now.at += timedelta(seconds=1)
    assert mail.outbox().run().retrying == 1  # refused again: wait twice as long
    [message] = messages(sessions, kind=Kind.ROUTE_DECISION.value)
    assert message.attempts == 2 and message.next_attempt_at == now.at + timedelta(minutes=2)
    now.at += timedelta(minutes=2)
    assert mail.outbox().run().sent == 1
    assert len(smtp.inbox.received) == 1
    [message] = messages(sessions, kind=Kind.ROUTE_DECISION.value)
    assert message.status == Status.SENT and message.attempts == 3


def test_a_message_is_given_up_after_the_last_attempt(journeys, engine, sessions, clock, now, smtp):
    mail = services_for(engine, sessions, clock, now, smtp.port, mail_attempts=2)
    journey = journeys.to(State.REFERRED)
    only_pending(sessions, Kind.ROUTE_DECISION)
    journey.fire("open_screening", journey.cast.coordinator)
    smtp.inbox.refuse = 5
    mail.outbox().run()
    now.at += timedelta(minutes=1)
    report = mail.outbox().run()
    assert report.failed == 1
    [message] = messages(sessions, kind=Kind.ROUTE_DECISION.value)
    assert message.status == Status.FAILED and message.attempts == 2
    now.at += timedelta(days=1)
    assert mail.outbox().run().sent == 0


def test_a_server_that_cannot_be_reached_is_retried_like_a_refusal(journeys, engine, sessions, clock, now):
    from tests.mail import free_port

    mail = services_for(engine, sessions, clock, now, free_port())  # nobody listens there
    journey = journeys.to(State.REFERRED)
    only_pending(sessions, Kind.ROUTE_DECISION)
    journey.fire("open_screening", journey.cast.coordinator)
    assert mail.outbox().run().retrying == 1
    [message] = messages(sessions, kind=Kind.ROUTE_DECISION.value)
    assert message.status == Status.PENDING and "Connection" in (message.last_error or "")


def test_two_senders_at_once_send_every_message_exactly_once(journeys, engine, sessions, clock, now, smtp):
    journey = journeys.to(State.CASE_GROUP)  # each member was told they were added
    expected = len(messages(sessions, status=Status.PENDING))
    assert expected >= 5
    smtp.inbox.delay = 0.02  # slow, so the two senders overlap
    senders = [services_for(engine, sessions, clock, now, smtp.port).outbox() for _ in range(2)]
    start = threading.Barrier(2)
    reports = []

    def send(sender) -> None:
        start.wait()
        reports.append(sender.run())

    threads = [threading.Thread(target=send, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    ids = [email.message_id for email in smtp.inbox.received]
    assert len(ids) == len(set(ids)) == expected
    assert sum(r.sent for r in reports) == expected
    assert {m.status for m in messages(sessions)} == {Status.SENT}
    assert journey.review_id


def test_a_person_no_longer_on_the_review_is_not_sent_what_was_queued_for_it(journeys, mail, smtp, sessions):
    journey = journeys.to(State.REFERRED)
    only_pending(sessions, Kind.ROUTE_DECISION)
    journey.fire("open_screening", journey.cast.coordinator)
    review = journey.service.get(journey.review_id, journey.cast.coordinator).review
    partner = next(m for m in review.memberships if m.user_id == journey.cast.partner)  # who decides
    from workflow.membership import RemoveMember

    journey.lifecycle.membership.remove(
        review_id=journey.review_id,
        actor=journey.cast.coordinator,
        expected_version=journey.version,
        command=RemoveMember(membership_id=partner.id),
    )
    assert mail.outbox().run().skipped == 1
    assert smtp.inbox.received == []


def test_a_daily_digest_gathers_a_days_messages_into_one_email_the_day_after(
    journeys, mail, smtp, sessions, now, people
):
    journey = journeys.to(State.FINDINGS)
    with sessions() as session:
        session.execute(update(OutboxMessage).values(status=Status.SENT))
        session.merge(NotificationSettings(user_id=journey.cast.coordinator, delivery="daily"))
        session.commit()
    journey.fire("submit_for_signoff", journey.cast.lead)
    journey.fire("return_for_revision", journey.cast.chair, comment="More evidence.")
    journey.fire("pause", journey.cast.chair, reason="Inquest.")
    journey.fire("resume", journey.cast.chair)
    journey.fire("submit_for_signoff", journey.cast.lead)
    journey.fire("return_for_revision", journey.cast.chair, comment="Still more.")
    waiting = messages(sessions, status=Status.WAITING)
    assert [m.user_id for m in waiting] == [journey.cast.coordinator] * 2
    report = mail.outbox().run()  # the lead and the chair are told at once; the coordinator's day is not over
    assert (report.digests, report.sent) == (0, 4)
    assert people.email(journey.cast.coordinator) not in {to for e in smtp.inbox.received for to in e.to}
    smtp.inbox.received.clear()
    now.at = datetime.combine(now.at.date() + timedelta(days=1), datetime.min.time()) + timedelta(hours=7)
    report = mail.outbox().run()
    assert (report.digests, report.sent) == (1, 1)
    [digest] = smtp.inbox.received
    assert digest.to == [people.email(journey.cast.coordinator)]
    assert digest.subject.startswith("Tunnelview: 2 updates from ")
    assert digest.text.count("Returned with comments: the review of Alice") == 2
    assert digest.html.count(f'href="{SITE}/reviews/{journey.review_id}"') == 2
    assert {
        m.status for m in messages(sessions, user_id=journey.cast.coordinator, kind=Kind.RETURNED.value)
    } == {Status.DIGESTED}
    assert mail.outbox().run().digests == 0  # gathered once


def test_no_email_says_anything_that_identifies_anyone(engine, sessions, clock, now, smtp, people):
    """The child's real name and date of birth (in the sealed register), the incident's summary, the
    chair's comments and the text of the findings and actions stay out of every email: subject, text
    and HTML. Only the pseudonym, the stage, roles, deadlines and dates are said."""
    wired = wired_services(sessions, clock)
    analysis = Analysis(wired.reviews, people)
    analysis.to_sign_off()
    cast, journey = analysis.cast, analysis.journey
    for kind, value, pseudonym in (
        ("child", "Jessica Harrow", "Alice"),
        ("date_of_birth", "2014-05-17", "her birthday"),
    ):
        wired.register.add(
            review_id=analysis.review_id,
            actor=cast.coordinator,
            expected_version=journey.version,
            command=AddRegisterEntry(kind=kind, value=value, pseudonym=pseudonym),
        )
    journey.fire("return_for_revision", cast.chair, comment="Jessica Harrow's school is named in a finding.")
    journey.fire("submit_for_signoff", cast.lead)
    to_approved(analysis)
    BoardService(wired.reviews).add_action(
        review_id=analysis.review_id,
        actor=cast.coordinator,
        command=AddAction(title="Train staff at Harrow Primary", due_on=date(2026, 12, 1)),
    )
    clock.today = date(2026, 12, 30)
    Reminders(sessions, (StatutoryDeadlines(), OverdueActions()), today=clock).run()
    services_for(engine, sessions, clock, now, smtp.port).outbox().run()
    kinds = {Kind(m.kind) for m in messages(sessions)}
    assert kinds >= {
        Kind.ADDED,
        Kind.ROUTE_DECISION,
        Kind.SIGN_OFF,
        Kind.RETURNED,
        Kind.DEADLINE_OVERDUE,
        Kind.ACTION_OVERDUE,
    }
    received = smtp.inbox.received
    assert len(received) == len(messages(sessions, status=Status.SENT)) >= 10
    with sessions() as session:
        review = session.get(Review, analysis.review_id)
        secrets = [review.incident_summary, "Jessica", "Harrow", "2014", "17 May", "school"]
        secrets += [f.statement for f in session.scalars(select(Finding))]
        secrets += [f.title for f in session.scalars(select(Finding))]
        secrets += [a.title for a in session.scalars(select(Action))]
    assert all(secrets)
    for email in received:
        assert "Alice" in email.subject
        for secret in secrets:
            assert secret not in email.everything(), (secret, email.subject)


def test_remind_and_outbox_send_from_the_command_line(journeys, database_url, tmp_path, smtp, sessions):
    from tests.support import run_cli

    journey = journeys.to(State.REFERRED)  # aware on 2 November 2026: both its clocks are long overdue
    env = {"TUNNELVIEW_DATABASE_URL": database_url}
    unconfigured = run_cli(["outbox", "send"], tmp_path, env)
    assert unconfigured.returncode == 1
    assert "TUNNELVIEW_SMTP_HOST is not set" in unconfigured.stderr and "Traceback" not in unconfigured.stderr

    first = run_cli(["remind"], tmp_path, env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "4 reminder(s) queued."  # two deadlines, the coordinator and the chair
    assert run_cli(["remind"], tmp_path, env).stdout.strip() == "0 reminder(s) queued."

    mail_env = env | {
        "TUNNELVIEW_SMTP_HOST": "127.0.0.1",
        "TUNNELVIEW_SMTP_PORT": str(smtp.port),
        "TUNNELVIEW_SMTP_TLS": "none",
        "TUNNELVIEW_MAIL_FROM": FROM,
    }
    pending = len(messages(sessions, status=Status.PENDING))
    sent = run_cli(["outbox", "send"], tmp_path, mail_env)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip().startswith(f"Outbox: {pending} sent, 0 to retry")
    assert len(smtp.inbox.received) == pending
    assert sum("Overdue: " in e.subject for e in smtp.inbox.received) == 4
    assert journey.review_id


def test_a_password_is_never_sent_in_clear(engine, sessions, clock, now):
    from workflow.notifications.smtp import NotConfigured

    services = services_for(
        engine, sessions, clock, now, 25, smtp_username="tunnelview", smtp_password="secret"
    )
    with pytest.raises(NotConfigured, match="in clear"):
        services.outbox()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_mail_goes_over_tls_and_signs_in_when_a_username_is_set(
    mode, journeys, engine, sessions, clock, now, tmp_path, monkeypatch
):
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    from tests.mail import self_signed

    certificate, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", certificate)  # the client trusts this server's certificate
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate, key)
    signed_in: list[str] = []

    def authenticator(server, session, envelope, mechanism, credentials):  # type: ignore[no-untyped-def]
        ok = isinstance(credentials, LoginPassword) and credentials.password == b"s3cret-relay-password"
        if ok:
            signed_in.append(credentials.login.decode())
        return AuthResult(success=ok)

    smtp_options = {"authenticator": authenticator, "auth_required": True}
    if mode == "starttls":
        smtp_options |= {"tls_context": server_tls, "require_starttls": True}
    else:
        # TLS from the first byte: aiosmtpd does not see it as TLS, so it must be told AUTH is fine
        smtp_options |= {"ssl_context": server_tls, "auth_require_tls": False}
    with SmtpServer(**smtp_options) as server:
        mail = services_for(
            engine,
            sessions,
            clock,
            now,
            server.port,
            smtp_tls=mode,
            smtp_username="tunnelview",
            smtp_password="s3cret-relay-password",
        )
        journey = journeys.to(State.REFERRED)
        only_pending(sessions, Kind.ROUTE_DECISION)
        journey.fire("open_screening", journey.cast.coordinator)
        report = mail.outbox().run()
    assert report.sent == 1, messages(sessions, kind=Kind.ROUTE_DECISION.value)[0].last_error
    assert signed_in == ["tunnelview"]
    assert len(server.inbox.received) == 1
