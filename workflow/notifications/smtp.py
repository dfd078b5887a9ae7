"""The one channel there is: email over SMTP, with the settings' host, port, TLS mode and credentials.
A connection per message keeps a failure to one message (the sender retries it alone)."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from workflow.notifications.letters import Letter
from workflow.settings import Settings


class Transport(Protocol):
    def send(self, to: str, letter: Letter, *, message_id: str) -> None:
        """Deliver `letter` to `to`, or raise (any exception: the sender retries later)."""


class NotConfigured(RuntimeError):
    """The settings do not let mail be sent (no host, or settings that must be fixed first)."""


def message(sender: str, to: str, letter: Letter, *, message_id: str) -> EmailMessage:
    """A multipart/alternative email: the text part first, the HTML part preferred by mail readers."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = to
    email["Subject"] = letter.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(letter.text)
    email.add_alternative(letter.html, subtype="html")
    return email


def message_id(key: str, sender: str) -> str:
    """A Message-ID made from the outbox key: the same on every attempt at one message."""
    domain = sender.rpartition("@")[2] or "tunnelview.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        problems = settings.mail_problems()
        if not settings.smtp_host:
            problems.insert(0, "TUNNELVIEW_SMTP_HOST is not set, so no email can be sent.")
        if problems:
            raise NotConfigured(" ".join(problems))
        self.sender = settings.mail_from
        self._settings = settings

    def send(self, to: str, letter: Letter, *, message_id: str) -> None:
        s = self._settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.smtp_tls == "tls":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=context)
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        with smtp:
            if s.smtp_tls == "starttls":
                smtp.starttls(context=context)
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(message(self.sender, to, letter, message_id=message_id))
