"""The statutory documents of a serious incident under Working Together 2023: the notification to the
national panel (what its form asks for) and the rapid review report (its record and the panel's
response), rendered from `workflow.statutory.StatutoryRecord` through `templates/reports/` in the
same sandboxed, strict environment as the review's reports, as HTML, PDF and Word (DOCX, made from the
HTML by `findings.publication.docx`, for final editing).

The view models hold words only: every choice is written out, every date formatted, so the templates
print and loop, nothing more. The child is named by the review's pseudonym, never otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from findings.publication.render import MEDIA_TYPES, Format, environment, html_to_docx, html_to_pdf
from findings.publication.sources import Source, SourceKind, Text, format_date
from workflow.regimes.base import RECIPIENT_NAMES
from workflow.statutory import (
    AGE_BANDS,
    CRITERIA_MET,
    NATIONAL_REVIEW,
    PANEL_RESPONSES,
    SEXES,
    STATUS,
    StatutoryRecord,
)

NOT_RECORDED = "Not recorded"


class StatutoryDocument(StrEnum):
    NOTIFICATION = "notification"
    RAPID_REVIEW = "rapid-review"


STATUTORY_FORMATS = (Format.HTML, Format.PDF, Format.DOCX)


@dataclass(frozen=True)
class Row:
    """One question of a form and its answer, in words."""

    label: str
    answer: Text


@dataclass(frozen=True)
class StatutoryData:
    """What a statutory document prints: its heading, the facts of the review, and its sections."""

    title: str
    child_pseudonym: str
    regime_title: str
    incidents: tuple[str, ...]
    notified: tuple[str, ...]
    rapid_review_follows: bool
    date_of_awareness: str
    due: str
    sent: str
    rows: tuple[Row, ...]
    sections: tuple[Row, ...]
    panel_response: tuple[Row, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class StatutoryRendered:
    document: StatutoryDocument
    format: Format
    content: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def filename(self) -> str:
        return f"{self.document.value}.{self.format.value}"


def _day(value: date | None, missing: str = NOT_RECORDED) -> str:
    return format_date(value) if value is not None else missing


def _text(review_id: int, field: str, value: str | None) -> Text:
    return Text(value or NOT_RECORDED, Source(SourceKind.REVIEW, review_id, field))


def _choice(review_id: int, field: str, choices: dict[str, str], code: str | None) -> Text:
    return _text(review_id, field, choices.get(code or ""))


def _due(record: StatutoryRecord, key: str) -> str:
    clock = next((c for c in record.detail.clocks if c.key == key), None)
    return _day(clock.due if clock else None, "Not started (no date of awareness)")


def notification_data(record: StatutoryRecord) -> StatutoryData:
    review, n = record.detail.review, record.notification
    rid = review.id
    rows = (
        Row("Child (pseudonym)", _text(rid, "child_pseudonym", review.child_pseudonym)),
        Row("Age band", _choice(rid, "age_band", AGE_BANDS, n.age_band)),
        Row("Sex", _choice(rid, "sex", SEXES, n.sex)),
        Row("Ethnicity", _text(rid, "ethnicity", n.ethnicity)),
        Row("Date of the incident", _text(rid, "incident_date", _day(n.incident_date))),
        Row("Local authority area", _text(rid, "area", n.area)),
        Row("Known to", _text(rid, "known_to", ", ".join(n.known_to))),
        Row(
            "Subject to a child protection plan",
            _choice(rid, "child_protection_plan", STATUS, n.child_protection_plan),
        ),
        Row("Looked after", _choice(rid, "looked_after", STATUS, n.looked_after)),
        Row("Other children in the household", _text(rid, "other_children", n.other_children)),
    )
    sections = (
        Row("What is known of the circumstances", _text(rid, "circumstances", n.circumstances)),
        Row("Immediate actions taken", _text(rid, "immediate_actions", n.immediate_actions)),
    )
    return _data(record, "Notification of a serious incident", rows, sections, (), "notification", n.sent_on)


def rapid_review_data(record: StatutoryRecord) -> StatutoryData:
    review, r = record.detail.review, record.rapid_review
    rid = review.id
    sections = (
        Row("The facts", _text(rid, "facts", r.facts)),
        Row("Immediate safeguarding action taken", _text(rid, "immediate_action", r.immediate_action)),
        Row("The agencies' involvement", _text(rid, "agencies_involvement", r.agencies_involvement)),
        Row("Learning identified", _text(rid, "learning", r.learning)),
        Row(
            "Are the criteria for a local child safeguarding practice review met?",
            _text(rid, "lcspr", _with_reasons(CRITERIA_MET.get(r.lcspr_criteria_met or ""), r.lcspr_reasons)),
        ),
        Row(
            "May a national review be appropriate?",
            _text(
                rid,
                "national_review",
                _with_reasons(NATIONAL_REVIEW.get(r.national_review or ""), r.national_review_reasons),
            ),
        ),
    )
    response = (
        (
            Row("The panel's response", _choice(rid, "panel_response", PANEL_RESPONSES, r.panel_response)),
            Row("Received", _text(rid, "panel_response_on", _day(r.panel_response_on))),
            *(
                (Row("The panel's reasons", _text(rid, "panel_response_reasons", r.panel_response_reasons)),)
                if r.panel_response_reasons
                else ()
            ),
        )
        if r.panel_response
        else ()
    )
    rows = (Row("Child (pseudonym)", _text(rid, "child_pseudonym", review.child_pseudonym)),)
    return _data(record, "Rapid review", rows, sections, response, "rapid_review", r.sent_on)


def _with_reasons(answer: str | None, reasons: str) -> str | None:
    if answer is None:
        return None
    return f"{answer}. {reasons}" if reasons.strip() else answer


def _data(
    record: StatutoryRecord,
    title: str,
    rows: tuple[Row, ...],
    sections: tuple[Row, ...],
    response: tuple[Row, ...],
    clock: str,
    sent_on: date | None,
) -> StatutoryData:
    review, follows = record.detail.review, record.follows
    missing = record.notification_missing if clock == "notification" else record.rapid_review_missing
    return StatutoryData(
        title=title,
        child_pseudonym=review.child_pseudonym,
        regime_title=record.detail.regime.title,
        incidents=tuple(i.label for i in follows.incidents),
        notified=tuple(RECIPIENT_NAMES[r] for r in follows.notified),
        rapid_review_follows=follows.rapid_review,
        date_of_awareness=_day(review.date_of_awareness),
        due=_due(record, clock),
        sent=_day(sent_on, "Not sent yet"),
        rows=rows,
        sections=sections,
        panel_response=response,
        missing=() if sent_on else missing,
    )


def html(document: StatutoryDocument, record: StatutoryRecord) -> str:
    data = (
        notification_data(record) if document == StatutoryDocument.NOTIFICATION else rapid_review_data(record)
    )
    template = environment(Format.HTML).get_template("statutory.html")
    return template.render({"document": data})


def render_statutory(document: StatutoryDocument, record: StatutoryRecord, fmt: Format) -> StatutoryRendered:
    """The notification or the rapid review report, as HTML, PDF or DOCX."""
    if fmt not in STATUTORY_FORMATS:
        raise ValueError(f"A {document.value} is made as HTML, PDF or DOCX, not {fmt.value}.")
    page = html(document, record)
    if fmt == Format.PDF:
        content = html_to_pdf(page)
    elif fmt == Format.DOCX:
        content = html_to_docx(page)
    else:
        content = page.encode("utf-8")
    return StatutoryRendered(document, fmt, content)
