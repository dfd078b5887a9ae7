"""What the anonymisation check looks for: the kinds of sealed identifier, the rules (patterns)
built from a review's register entries, and the text normalised for matching (with a map back to
the original positions). Pure functions; the scanning is `findings.publication.anonymise`
(its docstring says what is matched and how)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

# ---- what the register holds ---------------------------------------------------------------------


class IdentifierKind(StrEnum):
    CHILD = "child"
    SIBLING = "sibling"
    PARENT_CARER = "parent_carer"
    FAMILY_MEMBER = "family_member"
    ADDRESS = "address"
    SCHOOL = "school"
    DATE_OF_BIRTH = "date_of_birth"
    PRACTITIONER = "practitioner"
    OTHER = "other"


KIND_LABELS: dict[IdentifierKind, str] = {
    IdentifierKind.CHILD: "the child's name",
    IdentifierKind.SIBLING: "a sibling's name",
    IdentifierKind.PARENT_CARER: "a parent's or carer's name",
    IdentifierKind.FAMILY_MEMBER: "a family member's name",
    IdentifierKind.ADDRESS: "an address",
    IdentifierKind.SCHOOL: "a school's name",
    IdentifierKind.DATE_OF_BIRTH: "a date of birth",
    IdentifierKind.PRACTITIONER: "a practitioner's name",
    IdentifierKind.OTHER: "a sealed identifier",
}

PERSON_KINDS = frozenset(
    {
        IdentifierKind.CHILD,
        IdentifierKind.SIBLING,
        IdentifierKind.PARENT_CARER,
        IdentifierKind.FAMILY_MEMBER,
        IdentifierKind.PRACTITIONER,
    }
)

POSTCODE = "postcode"
UNREGISTERED_DATE_OF_BIRTH = "unregistered_date_of_birth"


@dataclass(frozen=True)
class Identifier:
    """One sealed identifier, decrypted, as the check needs it. `value` and `variants` are real."""

    entry_id: int | str
    kind: IdentifierKind
    value: str = field(repr=False)
    pseudonym: str = ""
    variants: tuple[str, ...] = field(default=(), repr=False)
    match_parts: bool = True


# ---- rules ---------------------------------------------------------------------------------------


class Strength(StrEnum):
    FULL = "full"  # the whole identifier or a recorded variant
    PART = "part"  # one part of it (a first name alone, an address line)


@dataclass(frozen=True)
class Rule:
    kind: str  # an IdentifierKind value, POSTCODE or UNREGISTERED_DATE_OF_BIRTH
    label: str
    entry_id: int | str | None
    pseudonym: str | None
    strength: Strength
    pattern: re.Pattern[str] = field(repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, str(self.entry_id))


TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "dame", "st", "saint"})
WORD_END = r"(?:'s|'|s'|s|es)?(?!\w)"
WORD_START = r"(?<!\w)"
SEPARATOR = r"[\s\-.,_]*"
_SPLIT = re.compile(r"[\s\-_/]+")
_ADDRESS_SPLIT = re.compile(r"[\s\-_/]+|,")

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NAME = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"  # noqa: E501
_ANY_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
    r"|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAME}\.?,?\s+\d{{4}}"
    rf"|{_MONTH_NAME}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Z]{1,2}[0-9][A-Z0-9]?)\s*[0-9][ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_BORN_ON = re.compile(
    rf"(?<!\w)(?:born|d\.?o\.?b\.?|date\s+of\s+birth)(?:\s+on)?[\s:,\-]{{0,5}}(?:on\s+)?{_ANY_DATE}(?!\d)",
    re.IGNORECASE,
)


def _clean(value: str) -> str:
    return _normalise(value, join_broken_words=False).text.strip()


def _phrase(value: str, splitter: re.Pattern[str] = _SPLIT) -> str | None:
    """A regex for a phrase: its words in order, separated by any whitespace or hyphens."""
    words = [w for w in splitter.split(_clean(value)) if w and w.strip(".,;:")]
    if not words:
        return None
    return SEPARATOR.join(re.escape(w.strip(",;:")) for w in words)


def _word_pattern(body: str, *, case_sensitive: bool = False) -> re.Pattern[str]:
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(WORD_START + "(?:" + body + ")" + WORD_END, flags)


def _date_pattern(value: date) -> re.Pattern[str]:
    d, m, y = value.day, value.month, value.year
    day = rf"0?{d}" if d < 10 else str(d)
    month = rf"0?{m}" if m < 10 else str(m)
    year = rf"(?:{y}|{y % 100:02d})"
    month_name = MONTHS[m - 1]
    month_word = rf"(?:{month_name}|{month_name[:3]}{'t' if m == 9 else ''}?)\.?"
    ordinal = r"(?:st|nd|rd|th)?"
    forms = [
        rf"{day}[/.\-\s]{month}[/.\-\s]{year}",  # 12/03/2015, 12.3.15
        rf"{month}[/.\-]{day}[/.\-]{year}",  # 03/12/2015 (month first)
        rf"{y}[/.\-]{month}[/.\-]{day}",  # 2015-03-12
        rf"{day}{ordinal}\s+(?:of\s+)?{month_word},?\s+{year}",  # 12th of March 2015
        rf"{month_word}\s+{day}{ordinal},?\s+{year}",  # March 12, 2015
    ]
    return re.compile(r"(?<![\d\w])(?:" + "|".join(forms) + r")(?!\d)", re.IGNORECASE)


def _rule(ident: Identifier, strength: Strength, pattern: re.Pattern[str]) -> Rule:
    label = KIND_LABELS[ident.kind]
    return Rule(
        ident.kind.value,
        label if strength == Strength.FULL else f"part of {label}",
        ident.entry_id,
        ident.pseudonym or None,
        strength,
        pattern,
    )


def _pseudonym_words(identifiers: Iterable[Identifier]) -> frozenset[str]:
    return frozenset(w.casefold() for i in identifiers for w in _SPLIT.split(i.pseudonym) if w)


def build_rules(
    identifiers: Sequence[Identifier], *, allowed_postcodes: Iterable[str] = ()
) -> tuple[Rule, ...]:
    """Compile the patterns for a register. Pure: the same register gives the same rules."""
    rules: list[Rule] = []
    pseudonym_words = _pseudonym_words(identifiers)
    for ident in identifiers:

        def add(
            body: str | None, strength: Strength, *, case_sensitive: bool = False, ident: Identifier = ident
        ) -> None:
            if body:
                rules.append(_rule(ident, strength, _word_pattern(body, case_sensitive=case_sensitive)))

        if ident.kind == IdentifierKind.DATE_OF_BIRTH:
            try:
                born = date.fromisoformat(ident.value.strip())
            except ValueError:
                add(_phrase(ident.value), Strength.FULL)
            else:
                rules.append(_rule(ident, Strength.FULL, _date_pattern(born)))
            continue
        for value in (ident.value, *ident.variants):
            add(
                _phrase(value, _ADDRESS_SPLIT if ident.kind == IdentifierKind.ADDRESS else _SPLIT),
                Strength.FULL,
            )
        if not ident.match_parts:
            continue
        words = _SPLIT.split(_clean(ident.value))
        if ident.kind in PERSON_KINDS and len(words) >= 2:
            for word in words:
                word = word.strip(".,;:'")
                if (
                    len(word) < 2
                    or not word[0].isalpha()
                    or word.casefold() in TITLES
                    or word.casefold() in pseudonym_words
                ):
                    continue
                forms = {word, word[:1].upper() + word[1:], word.upper()}
                add("|".join(re.escape(f) for f in sorted(forms)), Strength.PART, case_sensitive=True)
        elif ident.kind == IdentifierKind.ADDRESS:
            lines = [line.strip() for line in _clean(ident.value).split(",") if line.strip()]
            if len(lines) > 1:
                for line in lines:
                    if len(_SPLIT.split(line)) >= 2:
                        add(_phrase(line), Strength.PART)
            first = lines[0] if lines else ""
            without_number = re.sub(r"^(?:flat\s+\w+\s+)?\d+\w?\s+", "", first, flags=re.IGNORECASE)
            if without_number != first and len(_SPLIT.split(without_number)) >= 2:
                add(_phrase(without_number), Strength.PART)
    rules.append(
        Rule(UNREGISTERED_DATE_OF_BIRTH, "an exact date of birth", None, None, Strength.FULL, _BORN_ON)
    )
    allowed = frozenset(re.sub(r"\s+", "", p).upper() for p in allowed_postcodes)
    postcode = _POSTCODE if not allowed else _AllowedPostcodes(allowed).pattern
    rules.append(Rule(POSTCODE, "a UK postcode", None, None, Strength.FULL, postcode))
    return tuple(rules)


class _AllowedPostcodes:
    """A postcode pattern that skips the partnership's own published postcodes."""

    def __init__(self, allowed: frozenset[str]) -> None:
        exclusions = "|".join(
            r"\s*".join(re.escape(ch) for ch in code[:-3]) + r"\s*" + re.escape(code[-3:]) for code in allowed
        )
        self.pattern = re.compile(rf"(?!(?:{exclusions})(?![A-Za-z0-9])){_POSTCODE.pattern}", re.IGNORECASE)


# ---- normalising text (with a map back to the original positions) ---------------------------------

_DROP = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_APOSTROPHES = frozenset("\u2018\u2019\u02bc\u0060\u00b4\u2032")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_MARKDOWN_ESCAPABLE = frozenset("\\`*_{}[]<>()#+-.!|~")


@dataclass(frozen=True)
class _Normalised:
    text: str
    origin: tuple[int, ...]  # origin[i]: where text[i] came from in the raw string

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


def _normalise(raw: str, *, join_broken_words: bool, markdown: bool = False) -> _Normalised:
    chars: list[str] = []
    origin: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch in _DROP:
            i += 1
            continue
        if markdown and ch == "\\" and i + 1 < n and raw[i + 1] in _MARKDOWN_ESCAPABLE:
            i += 1
            continue
        if ch.isspace():
            j = i
            while j < n and (raw[j].isspace() or raw[j] in _DROP):
                j += 1
            if chars and chars[-1] == " ":
                i = j
                continue
            chars.append(" ")
            origin.append(i)
            i = j
            continue
        if ch == "-" or ch in _DASHES:
            # A hyphen that ends a line between two letters is where a word was broken.
            j = i + 1
            while j < n and raw[j] in " \t\u00a0":
                j += 1
            if join_broken_words and j < n and raw[j] in "\r\n" and chars and chars[-1].isalpha():
                k = j
                while k < n and raw[k].isspace():
                    k += 1
                if k < n and raw[k].isalpha():
                    i = k
                    continue
            chars.append("-")
            origin.append(i)
            i += 1
            continue
        if ch in _APOSTROPHES:
            chars.append("'")
            origin.append(i)
            i += 1
            continue
        for out in unicodedata.normalize("NFKC", ch):
            if out.isspace():
                if chars and chars[-1] == " ":
                    continue
                out = " "
            chars.append(out)
            origin.append(i)
        i += 1
    return _Normalised("".join(chars), tuple(origin))
