"""Every email as a subject / text / HTML triplet of templates (templates/emails/<kind>-subject.txt,
<kind>-body.txt, <kind>-body.html), rendered sandboxed and strict (`StrictUndefined`), the HTML
autoescaped. A template sees only the message's context (the review's pseudonym and stage, a role, a
deadline and its date) and the links built here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from workflow.notifications.events import Kind

EMAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
SETTINGS_PATH = "/account/notifications"


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def long_date(value: str | date) -> str:
    """'Friday 4 December 2026'."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%A} {day.day} {day:%B %Y}"


def environment(*, html: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(EMAIL_TEMPLATES),
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    return env


class Letters:
    def __init__(self, public_url: str) -> None:
        self._base = public_url.rstrip("/")
        self._text = environment(html=False)
        self._html = environment(html=True)

    def links(self, context: Mapping[str, Any]) -> dict[str, str]:
        links = {"settings_url": self._base + SETTINGS_PATH, "home_url": self._base + "/reviews"}
        if context.get("review_id"):
            links["review_url"] = f"{self._base}/reviews/{context['review_id']}"
        if context.get("kind") == Kind.ACTION_OVERDUE and context.get("review_id"):
            links["review_url"] += "/board"
        return links

    def subject(self, kind: str, context: Mapping[str, Any]) -> str:
        """One line, whatever the template or the context holds (no header can be smuggled in)."""
        full = dict(context) | self.links(context)
        return " ".join(self._text.get_template(f"{Kind(kind)}-subject.txt").render(full).split())

    def write(self, kind: str, context: Mapping[str, Any]) -> Letter:
        full = {"kind": kind, **context}
        full |= self.links(full)
        return Letter(
            subject=self.subject(kind, full),
            text=self._text.get_template(f"{Kind(kind)}-body.txt").render(full),
            html=self._html.get_template(f"{Kind(kind)}-body.html").render(full),
        )

    def digest(self, day: date, items: Sequence[tuple[str, Mapping[str, Any]]]) -> Letter:
        """One email for a day's messages: each one's subject and link, in the order they came."""
        entries = []
        for kind, context in items:
            full = {"kind": kind, **context}
            full |= self.links(full)
            entries.append(
                {"subject": self.subject(kind, full), "url": full.get("review_url", full["home_url"])}
            )
        return self.write(Kind.DIGEST, {"day": day.isoformat(), "items": entries})
