"""The anonymisation check: pure functions that scan rendered text for sealed identifiers.

What is looked for (see docs/reports.md for the reasoning and the limits):

- every identifier in the sealed register, case-insensitive, as a whole word or phrase, with a possessive
  or plural ending ("Smith's", "Smiths'", "the Smiths"), with the words of a phrase split by any whitespace
  (a line break included), a hyphen, a dot, a comma or an underscore, or by a hyphen at the end of a line
  ("Jane-\\nSmith"), and a single word split by a hyphen at the end of a line ("Smi-\\nth"), after
  Unicode compatibility normalisation (so ligatures, non-breaking spaces, curly apostrophes and dashes
  from PDF text extraction match);
- the variants recorded with an entry (nicknames, former names, short forms of a school), the same way;
- each part of a person's name on its own (the first name alone, the surname alone), as a capitalised word
  (Title Case or CAPITALS), unless the entry switches parts off; parts that are also a word of any
  pseudonym, titles and initials are never matched alone;
- for an address: each comma-separated line of two or more words, and a first line without its house number;
- a registered date of birth in any common format (12/03/2015, 12.3.15, 2015-03-12, 12 March 2015,
  12th Mar 2015, March 12, 2015, ...);
- anywhere, whether registered or not: an exact date that follows "born", "DOB" or "date of birth", and a
  full UK postcode.

A `Hit` says the kind of identifier, the register entry and its pseudonym, and where it stands. Its `matched`
text is the real identifier; it is kept out of `repr`/`str`, so logging a hit never writes the real value.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from html.parser import HTMLParser

from findings.publication.view_model import Source

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


# ---- scanning ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    rule: Rule
    start: int  # in the raw text
    end: int
    matched: str = field(repr=False)


def scan(raw: str, rules: Sequence[Rule], *, markdown: bool = False) -> tuple[Match, ...]:
    """Every match of every rule in `raw`, positions in `raw`. A match inside a longer one (or the same
    span matched by a weaker rule) is dropped, so "Jane Smith" is one hit, not three."""
    found: dict[tuple[int, int, tuple[str, str]], Match] = {}
    for join in (False, True):
        norm = _normalise(raw, join_broken_words=join, markdown=markdown)
        if not norm.text:
            continue
        for rule in rules:
            for m in rule.pattern.finditer(norm.text):
                if m.end() <= m.start():
                    continue
                start, end = norm.span(m.start(), m.end())
                found.setdefault((start, end, rule.key), Match(rule, start, end, raw[start:end]))
    registered = [m for m in found.values() if m.rule.entry_id is not None]
    candidates = [
        m
        for m in found.values()
        # "born on 12/03/2015" where that date is registered: report the registered date of birth.
        if m.rule.entry_id is not None or not any(m.start <= r.start and r.end <= m.end for r in registered)
    ]
    ordered = sorted(
        candidates,
        key=lambda m: (m.start, -(m.end - m.start), m.rule.strength != Strength.FULL),
    )
    kept: list[Match] = []
    for match in ordered:
        if any(k.start <= match.start and match.end <= k.end for k in kept):
            continue
        kept.append(match)
    return tuple(kept)


def _mask(raw: str, matches: Sequence[Match]) -> tuple[str, list[tuple[int, int]]]:
    """`raw` with each match replaced by its kind in brackets; and where each match now stands."""
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    length = 0
    for match in sorted(matches, key=lambda m: m.start):
        start = max(match.start, at)
        pieces.append(raw[at:start])
        length += start - at
        placeholder = f"[{match.rule.label}]"
        spans.append((length, length + len(placeholder)))
        pieces.append(placeholder)
        length += len(placeholder)
        at = max(at, match.end)
    pieces.append(raw[at:])
    return "".join(pieces), spans


def _context(masked: str, start: int, end: int, width: int = 50) -> str:
    before = masked[max(0, start - width) : start]
    after = masked[end : end + width]
    snippet = ("…" if start > width else "") + before + masked[start:end] + after
    snippet += "…" if end + width < len(masked) else ""
    return re.sub(r"\s+", " ", snippet).strip()


@dataclass(frozen=True)
class Hit:
    """One sealed identifier (or postcode, or date of birth) found in a rendered output."""

    kind: str
    what: str  # in words: "the child's name", "part of a parent's or carer's name", "a UK postcode"
    entry_id: int | str | None
    pseudonym: str | None
    source: Source | None  # None: not inside any text item (template words, or split across items)
    output: str  # html | markdown | pdf | text
    context: str  # the words around it, with every identifier masked
    page: int | None = None
    matched: str = field(default="", repr=False)  # the real identifier: show to coordinator/chair only

    @property
    def where(self) -> str:
        if self.source is not None:
            return self.source.describe()
        page = f", page {self.page}" if self.page else ""
        return f"rendered report ({self.output}{page})"

    @property
    def entry(self) -> str:
        if self.entry_id is None:
            return ""
        use = f", use '{self.pseudonym}'" if self.pseudonym else ""
        return f" (register entry {self.entry_id}{use})"

    def __str__(self) -> str:
        return f"{self.what[:1].upper()}{self.what[1:]}{self.entry} in {self.where}: “{self.context}”"


@dataclass(frozen=True)
class Traced:
    """Text with the source of each part: `spans[i] = (start, end, source)` in `text`."""

    text: str
    spans: tuple[tuple[int, int, Source], ...]

    def source_at(self, start: int, end: int) -> Source | None:
        best: tuple[int, int, Source] | None = None
        for span in self.spans:
            inside = span[0] <= start and end <= span[1]
            if inside and (best is None or span[1] - span[0] < best[1] - best[0]):
                best = span
        if best is None:  # a match that runs past the end of an item: the item where it starts
            for span in self.spans:
                if span[0] <= start < span[1]:
                    return span[2]
        return best[2] if best else None


MARK_OPEN, MARK_MID, MARK_CLOSE = "\ue000", "\ue001", "\ue002"
_MARKER = re.compile(f"{MARK_OPEN}(\\d+){MARK_MID}|{MARK_CLOSE}")


def strip_marks(marked: str, sources: Sequence[Source]) -> Traced:
    """Remove the source marks a traced rendering put around each text item (see
    findings.publication.render)."""
    out: list[str] = []
    spans: list[tuple[int, int, Source]] = []
    stack: list[tuple[int, int]] = []
    length = 0
    at = 0
    for m in _MARKER.finditer(marked):
        out.append(marked[at : m.start()])
        length += m.start() - at
        at = m.end()
        if m.group(1) is not None:
            stack.append((int(m.group(1)), length))
        elif stack:
            index, start = stack.pop()
            spans.append((start, length, sources[index]))
    out.append(marked[at:])
    return Traced("".join(out), tuple(spans))


def without_marks(marked: str) -> str:
    return _MARKER.sub("", marked)


def scan_traced(
    traced: Traced, rules: Sequence[Rule], *, output: str, markdown: bool = False, page: int | None = None
) -> tuple[Hit, ...]:
    """Scan text whose parts know their sources; each hit names the item it stands in."""
    matches = scan(traced.text, rules, markdown=markdown)
    masked, positions = _mask(traced.text, matches)
    return tuple(
        Hit(
            kind=match.rule.kind,
            what=match.rule.label,
            entry_id=match.rule.entry_id,
            pseudonym=match.rule.pseudonym,
            source=traced.source_at(match.start, match.end),
            output=output,
            context=_context(masked, *position),
            page=page,
            matched=match.matched,
        )
        for match, position in zip(matches, positions, strict=True)
    )


def scan_plain(
    raw: str,
    rules: Sequence[Rule],
    *,
    output: str = "text",
    page: int | None = None,
    source: Source | None = None,
) -> tuple[Hit, ...]:
    spans = ((0, len(raw), source),) if source is not None else ()
    return scan_traced(Traced(raw, spans), rules, output=output, page=page)


# ---- HTML ----------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    }
)
_TEXT_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "content", "href", "src", "placeholder", "value"})


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        for name, value in attrs:
            if name in _TEXT_ATTRIBUTES and value:
                self.parts.append(f"\n{value}\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The text a reader (or a screen reader) gets from an HTML document: its content, the title, and
    the attributes that carry words (alt, title, aria-label, href, ...). Style and script are skipped."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# ---- PDF -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfText:
    pages: tuple[str, ...]
    metadata: tuple[str, ...]


def pdf_text(pdf: bytes) -> PdfText:
    """The text pypdf extracts from each page, and the document's metadata strings."""
    from pypdf import PdfReader  # here, not at import: only a check of a PDF needs it (memory)

    reader = PdfReader(io.BytesIO(pdf))
    pages = tuple(page.extract_text() or "" for page in reader.pages)
    metadata = tuple(str(v) for v in (reader.metadata or {}).values() if isinstance(v, str))
    return PdfText(pages, metadata)


_WORDS = re.compile(r"[^\W\d_]{3,}")


def attribute(hits: Sequence[Hit], candidates: Traced, rules: Sequence[Rule]) -> tuple[Hit, ...]:
    """Give each unplaced hit (found in PDF text, which carries no marks) the source of the text item
    it most likely came from: among the items where the same rule matches, the one that shares the
    most words with the hit's context. A hit no item explains stays with the rendered report."""
    if all(hit.source is not None for hit in hits):
        return tuple(hits)
    by_rule: dict[tuple[str, str], list[tuple[Source, frozenset[str]]]] = {}
    for start, end, source in candidates.spans:
        chunk = candidates.text[start:end]
        matched_rules = {m.rule.key for m in scan(chunk, rules)}
        if not matched_rules:
            continue
        words = frozenset(w.casefold() for w in _WORDS.findall(chunk))
        for key in matched_rules:
            by_rule.setdefault(key, []).append((source, words))
    placed: list[Hit] = []
    for hit in hits:
        options = by_rule.get((hit.kind, str(hit.entry_id)), [])
        if hit.source is not None or not options:
            placed.append(hit)
            continue
        context_words = frozenset(w.casefold() for w in _WORDS.findall(hit.context))
        source, _ = max(options, key=lambda option: len(option[1] & context_words))
        placed.append(_with_source(hit, source))
    return tuple(placed)


def _with_source(hit: Hit, source: Source) -> Hit:
    return Hit(
        hit.kind,
        hit.what,
        hit.entry_id,
        hit.pseudonym,
        source,
        hit.output,
        hit.context,
        hit.page,
        hit.matched,
    )


def scan_pdf(pdf: bytes, rules: Sequence[Rule], *, candidates: Traced | None = None) -> tuple[Hit, ...]:
    """Scan the text extracted from a PDF page by page (and its metadata); hits are placed on their
    source through `candidates` (the traced text of the same document) where they can be."""
    extracted = pdf_text(pdf)
    hits: list[Hit] = []
    for number, page in enumerate(extracted.pages, start=1):
        hits.extend(scan_plain(page, rules, output="pdf", page=number))
    for value in extracted.metadata:
        hits.extend(scan_plain(value, rules, output="pdf metadata"))
    return attribute(hits, candidates, rules) if candidates is not None else tuple(hits)


# ---- the verdict ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The anonymisation check of one document in every format it is published in."""

    hits: tuple[Hit, ...]
    outputs: tuple[str, ...]  # what was scanned, e.g. ("html", "markdown", "pdf")

    @property
    def passed(self) -> bool:
        return not self.hits

    def grouped(self) -> tuple[tuple[Hit, tuple[str, ...], int], ...]:
        """One line per identifier and place: the first hit, the outputs it was seen in, how often."""
        groups: dict[tuple[str, str, str], list[Hit]] = {}
        for hit in self.hits:
            place = hit.source.key if hit.source else f"{hit.output}:{hit.page}:{hit.context}"
            groups.setdefault((hit.kind, str(hit.entry_id), place), []).append(hit)
        result = []
        for members in groups.values():
            outputs = tuple(dict.fromkeys(h.output for h in members))
            per_output = max(sum(1 for h in members if h.output == o) for o in outputs)
            result.append((members[0], outputs, per_output))
        return tuple(result)

    def reasons(self) -> tuple[str, ...]:
        """In words for the publish guard: never the real value, only its kind, place and masked context."""
        lines = []
        for hit, outputs, count in self.grouped():
            times = f", {count} times" if count > 1 else ""
            lines.append(f"{hit} (seen in {', '.join(outputs)}{times})")
        return tuple(lines)


def merge(results: Iterable[CheckResult]) -> CheckResult:
    hits: list[Hit] = []
    outputs: list[str] = []
    for result in results:
        hits.extend(result.hits)
        outputs.extend(result.outputs)
    return CheckResult(tuple(hits), tuple(dict.fromkeys(outputs)))
