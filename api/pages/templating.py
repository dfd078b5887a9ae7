"""The Jinja2 environment of the pages: templates/layout.html and templates/pages/, GOV.UK Frontend's
macros from `govuk-frontend-jinja`, sandboxed (`findings.publication.sandbox`: a template cannot reach
`__class__`, `__globals__` or any other private attribute, nor call an unsafe function), autoescape,
strict undefined, and the filters, registered once.

Strictness: every name our own templates use must exist (`StrictUndefined`). The GOV.UK macros were
written for Nunjucks, where a missing parameter is simply falsy (`{% if params.classes %}`), so inside
those macros, and only there, a missing value stays falsy and prints as nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import govuk_frontend_jinja
from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup, escape

from findings.analysis import quality
from findings.publication.sandbox import Sandbox
from workflow.clocks import Clock
from workflow.policy import ROLE_NAMES
from workflow.regimes.base import RECIPIENT_NAMES, ClockUnit
from workflow.states import STATE_LABELS, TRIGGER_LABELS, ReviewRole, State, Trigger

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
_GOVUK_TEMPLATES = str(Path(govuk_frontend_jinja.__file__).resolve().parent / "templates")


def _called_from_govuk_macro() -> bool:
    """Whether the undefined value is being used inside one of govuk-frontend-jinja's templates."""
    frame = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            return False
        if frame.f_code.co_filename.startswith(_GOVUK_TEMPLATES):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


class PageUndefined(StrictUndefined):
    """`StrictUndefined` for our templates; falsy and empty inside the GOV.UK macros only."""

    __slots__ = ()

    def __bool__(self) -> bool:  # type: ignore[override]
        return False if _called_from_govuk_macro() else super().__bool__()

    def __str__(self) -> str:  # type: ignore[override]
        return "" if _called_from_govuk_macro() else super().__str__()

    def __iter__(self) -> Any:
        return iter(()) if _called_from_govuk_macro() else super().__iter__()

    def __len__(self) -> int:  # type: ignore[override]
        return 0 if _called_from_govuk_macro() else super().__len__()

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return isinstance(other, PageUndefined) if _called_from_govuk_macro() else super().__eq__(other)

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not isinstance(other, PageUndefined) if _called_from_govuk_macro() else super().__ne__(other)

    def __contains__(self, item: object) -> bool:  # type: ignore[override]
        return False if _called_from_govuk_macro() else super().__contains__(item)

    __hash__ = StrictUndefined.__hash__  # type: ignore[assignment]


# ---- filters ----------------------------------------------------------------------------------------


def date_words(value: date | datetime | None, missing: str = "not set") -> str:
    """18 January 2027 -> "Monday 18 January 2027"."""
    if value is None:
        return missing
    day = value.date() if isinstance(value, datetime) else value
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(value: date | datetime | None, missing: str = "not set") -> str:
    """18 January 2027 -> "18 January 2027"."""
    if value is None:
        return missing
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"


def datetime_words(value: datetime | None) -> str:
    """A stored (naive UTC) moment -> "18 January 2027 at 14:05 UTC"."""
    if value is None:
        return "not set"
    return f"{value.day} {value:%B %Y} at {value:%H:%M} UTC"


def time_words(value: time | None) -> str:
    return "" if value is None else f"{value:%H:%M}"


def plural(count: int, singular: str, many: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def days_left(clock: Clock) -> str:
    """The days part of a clock in words: "9 working days left", "overdue by 2 days", "due today"."""
    unit = "working day" if clock.unit == ClockUnit.WORKING_DAYS else "day"
    if clock.met_on is not None:
        return f"met on {date_words(clock.met_on)}"
    if clock.days_remaining == 0:
        return "possible from today" if clock.earliest else "due today"
    if clock.days_remaining > 0:
        return plural(clock.days_remaining, unit) + (" to wait" if clock.earliest else " left")
    if clock.earliest:
        return "possible now"
    return "overdue by " + plural(-clock.days_remaining, unit)


def clock_words(clock: Clock) -> str:
    """ "Rapid review due Monday 18 January 2027, 9 working days left"."""
    verb = "possible from" if clock.earliest else "due"
    return f"{clock.label} {verb} {date_words(clock.due)}, {days_left(clock)}"


def state_label(value: str | State | None) -> str:
    if value is None:
        return ""
    try:
        return STATE_LABELS[State(value)]
    except ValueError:
        return str(value)


def trigger_label(value: str | Trigger) -> str:
    try:
        return TRIGGER_LABELS[Trigger(value)]
    except ValueError:
        return str(value).replace("_", " ").capitalize()


def role_name(value: str | ReviewRole) -> str:
    try:
        return ROLE_NAMES[ReviewRole(value)]
    except ValueError:
        return str(value)


def paragraphs(value: str | None) -> Markup:
    """Blank-line separated text -> <p> paragraphs (escaped; single line breaks kept as <br>)."""
    blocks = [b.strip() for b in (value or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup('<p class="govuk-body">{}</p>').format(
            Markup("<br>").join(escape(line) for line in b.split("\n"))
        )
        for b in blocks
    )


def path_part(value: str) -> str:
    """A value placed in a URL path (an agency's name): every reserved character escaped."""
    return quote(str(value), safe="")


def join_words(values: Iterable[Any], last: str = "and") -> str:
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def pairs(values: Iterable[Any]) -> list[tuple[str, str]]:
    """Options whose value is their label: ["Police"] -> [("Police", "Police")]."""
    return [(str(v), str(v)) for v in values]


def labels(values: Iterable[Any], names: Mapping[Any, str]) -> list[str]:
    """Keys -> their labels (unknown keys as they are)."""
    return [names.get(v, str(v)) for v in values]


def lines(values: Iterable[str] | None) -> str:
    return "\n".join(values or ())


def warning_href(where: Any, review_url: str) -> str | None:
    """The page where the text a quality warning is about is written (`quality.Where`), or None
    when it has none (the text being typed in an editor)."""
    kind, ident, within = where.kind, where.id, where.within
    if not ident:
        return None
    found = {
        "episode": f"/episodes/{ident}",
        "factor": f"/factors/{ident}",
        "finding": f"/findings/{ident}",
        "question": f"/findings/{within}#questions",
        "evidence": f"/findings/{within}#evidence",
        "research_question": "/scope",
        "referral": "/referral",
        "narrative_entry": f"/narratives/{path_part(str(within))}#entry-{ident}",
        "good_practice": f"/good-practice#good-practice-{ident}",
        "board_response": f"/board#f-{within}",
        "action": f"/board#action-{ident}",
        "report_text": f"/publication#{where.field}",
        "briefing": "/publication#briefing",
        "family_member": f"/family/{ident}#views",
        "independence": "#independence",
        "quality_marker": "/quality",
    }.get(kind)
    return None if found is None else review_url + found


FILTERS: Mapping[str, Any] = {
    "date_words": date_words,
    "short_date": short_date,
    "datetime_words": datetime_words,
    "time_words": time_words,
    "plural": plural,
    "days_left": days_left,
    "clock_words": clock_words,
    "state_label": state_label,
    "trigger_label": trigger_label,
    "role_name": role_name,
    "paragraphs": paragraphs,
    "path_part": path_part,
    "join_words": join_words,
    "recipient": lambda value: RECIPIENT_NAMES[value],
    "lines": lines,
    "warning_href": warning_href,
    "pairs": pairs,
    "labels": labels,
}


# How every page says blocking and advisory (the words are findings.analysis.quality's).
WARNING_WORDS: Mapping[str, Any] = {
    "blocking": quality.SEVERITY_WORDS[quality.Severity.BLOCKING],
    "advisory": quality.SEVERITY_WORDS[quality.Severity.ADVISORY],
    "only_fixed": quality.ONLY_FIXED,
    "rules": tuple(quality.SEVERITY_RULES.values()),
}


@lru_cache(maxsize=1)
def environment() -> Sandbox:
    env = Sandbox(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=PageUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["warning_words"] = WARNING_WORDS
    return env
