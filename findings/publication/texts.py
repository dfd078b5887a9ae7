"""The words written for the reports (the case summary, the methodology note, the board's overall
response, the partnership's name, the practitioner briefing), checked as they may be written: every
problem at once, keyed by field."""

from __future__ import annotations

from typing import Any

from findings.publication.briefings import BRIEFING_SECTIONS
from workflow.errors import InvalidInput

TEXT_FIELDS = ("partnership", "case_summary", "methodology_note", "board_response", "briefing")
# The report texts the chair approves with the report (the others, the board's overall response and
# the partnership's name, may still change once it is approved).
APPROVED_TEXTS = frozenset({"case_summary", "methodology_note", "briefing"})
TEXT_LIMIT = 20_000


def checked_text(value: Any, field: str, errors: dict[str, str], limit: int = TEXT_LIMIT) -> str:
    if not isinstance(value, str):
        errors[field] = "Must be text."
        return ""
    words = value.strip()
    if len(words) > limit:
        errors[field] = f"Keep this under {limit} characters."
    return words


def _paragraphs(value: Any, field: str, errors: dict[str, str]) -> list[str]:
    if not isinstance(value, list):
        errors[field] = "Must be a list of paragraphs."
        return []
    cleaned = (checked_text(p, f"{field}.{i}", errors) for i, p in enumerate(value))
    return [p for p in cleaned if p]


def clean_briefing(value: Any) -> dict[str, Any]:
    """A briefing as the coordinator writes it, checked: section -> heading, intro, items (a bullet's
    words, or {"text", "children"}), outro. A section left out (or empty) is derived."""
    errors: dict[str, str] = {}
    if not isinstance(value, dict):
        raise InvalidInput(
            {"briefing": "Must be an object of sections: " + ", ".join(BRIEFING_SECTIONS) + "."}
        )
    out: dict[str, Any] = {}
    for key, section in value.items():
        where = f"briefing.{key}"
        if key not in BRIEFING_SECTIONS:
            errors[where] = "Not a section of a briefing: " + ", ".join(BRIEFING_SECTIONS) + "."
            continue
        if section is None:
            continue
        if not isinstance(section, dict):
            errors[where] = "Must be an object: heading, intro, items, outro."
            continue
        unknown = set(section) - {"heading", "intro", "items", "outro"}
        if unknown:
            errors[where] = "Unknown parts: " + ", ".join(sorted(unknown)) + "."
            continue
        heading = checked_text(
            section.get("heading") or BRIEFING_SECTIONS[key], f"{where}.heading", errors, 200
        )
        items: list[Any] = []
        raw_items = section.get("items") or []
        if not isinstance(raw_items, list):
            errors[f"{where}.items"] = "Must be a list of bullets."
            raw_items = []
        for i, item in enumerate(raw_items):
            if isinstance(item, dict):
                words = checked_text(item.get("text", ""), f"{where}.items.{i}.text", errors)
                children = _paragraphs(item.get("children") or [], f"{where}.items.{i}.children", errors)
                if words:
                    items.append({"text": words, "children": children} if children else words)
            elif words := checked_text(item, f"{where}.items.{i}", errors):
                items.append(words)
        cleaned = {
            "heading": heading,
            "intro": _paragraphs(section.get("intro") or [], f"{where}.intro", errors),
            "items": items,
            "outro": _paragraphs(section.get("outro") or [], f"{where}.outro", errors),
        }
        if cleaned["intro"] or cleaned["items"] or cleaned["outro"]:
            out[key] = cleaned
    if errors:
        raise InvalidInput(errors)
    return out
