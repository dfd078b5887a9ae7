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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from findings.publication.identifiers import (
    Rule,
    Strength,
    _normalise,
)
from findings.publication.sources import Source

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
    # Every item the match stands in: its `source` alone, or each item it runs across (a date printed
    # after another item's "born"), or none (the report's own words).
    parts: tuple[Source, ...] = ()
    part_words: tuple[str, ...] = field(default=(), repr=False)  # the matched words in each part: real

    @property
    def where(self) -> str:
        if len(self.parts) > 1:
            return " running into ".join(part.describe() for part in self.parts)
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

    def parts_in(self, start: int, end: int) -> tuple[tuple[Source, ...], tuple[str, ...]]:
        """The sources of the innermost items that `start:end` overlaps, in reading order, and the
        words of `start:end` inside each."""
        overlapping = [span for span in self.spans if span[0] < end and start < span[1]]
        innermost = sorted(
            (
                span
                for span in overlapping
                if not any(o is not span and span[0] <= o[0] and o[1] <= span[1] for o in overlapping)
            ),
            key=lambda span: (span[0], span[1]),
        )
        words: dict[Source, str] = {}
        for span_start, span_end, source in innermost:
            piece = self.text[max(start, span_start) : min(end, span_end)].strip()
            words[source] = f"{words[source]} {piece}" if source in words else piece
        return tuple(words), tuple(words.values())


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
            parts=parts,
            part_words=words,
        )
        for match, position in zip(matches, positions, strict=True)
        for parts, words in (traced.parts_in(match.start, match.end),)
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
    across: list[_Across] | None = None
    placed: list[Hit] = []
    for hit in hits:
        options = by_rule.get((hit.kind, str(hit.entry_id)), [])
        context_words = frozenset(w.casefold() for w in _WORDS.findall(hit.context))
        if hit.source is not None:
            placed.append(hit)
        elif options:
            source, _ = max(options, key=lambda option: len(option[1] & context_words))
            placed.append(replace(hit, source=source, parts=(source,), part_words=(hit.matched,)))
        else:
            if across is None:
                across = _matches_across_items(candidates, rules)
            placed.append(_placed_across(hit, across, context_words))
    return tuple(placed)


@dataclass(frozen=True)
class _Across:
    """A match in the traced text that runs across two or more items."""

    key: str  # its rule and words, as `_key` gives them
    parts: tuple[Source, ...]
    part_words: tuple[str, ...]
    around: frozenset[str]  # the words around it


def _matches_across_items(candidates: Traced, rules: Sequence[Rule]) -> list[_Across]:
    """The matches in the traced text that run across two or more items (a date printed after
    another item's "born")."""
    out = []
    for match in scan(candidates.text, rules):
        parts, words = candidates.parts_in(match.start, match.end)
        if len(parts) > 1:
            around = candidates.text[max(0, match.start - 60) : match.end + 60]
            out.append(
                _Across(
                    _key(match.rule.kind, match.rule.entry_id, match.matched),
                    parts,
                    words,
                    frozenset(w.casefold() for w in _WORDS.findall(around)),
                )
            )
    return out


def _key(kind: str, entry_id: int | str | None, matched: str) -> str:
    letters = re.sub(r"\W+", "", _normalise(matched, join_broken_words=True).text)
    return f"{kind}:{entry_id}:{letters.casefold()}"


def _placed_across(hit: Hit, across: Sequence[_Across], words: frozenset[str]) -> Hit:
    """A PDF hit no single item explains, placed on the items of the same match in the traced text."""
    key = _key(hit.kind, hit.entry_id, hit.matched)
    options = [option for option in across if option.key == key]
    if not options:
        return hit
    best = max(options, key=lambda option: len(option.around & words))
    return replace(hit, source=best.parts[0], parts=best.parts, part_words=best.part_words)


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


def scan_docx(content: bytes, rules: Sequence[Rule], *, candidates: Traced | None = None) -> tuple[Hit, ...]:
    """Scan the text a reader gets from a Word document (body, tables, header, footer, properties)."""
    from findings.publication.docx import docx_text

    hits = scan_plain(docx_text(content), rules, output="docx")
    return attribute(hits, candidates, rules) if candidates is not None else hits


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
            if len(hit.parts) > 1:
                place = " ".join(part.key for part in hit.parts)
            else:
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
