"""Word documents (DOCX) made from the HTML of any report, for final editing in Word.

Every document Tunnelview renders is HTML first (the PDF is that HTML through WeasyPrint), so one
converter serves them all: the DOCX holds the same words in the same order as the HTML, styled like the
PDF (A4, the report's margins and type sizes, the title in the page header after the cover, page
numbers in the footer). Headings become Word's headings (so Word's navigation pane and a table of
contents work), lists become Word's lists and tables Word's tables. Charts (SVG) are left out: every
chart in a report stands beside a table of the same numbers, and the table is kept.

Only the HTML the report templates write is expected, but anything else degrades to paragraphs of its
text rather than failing: a converter that refuses a document would leave the coordinator with nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Protocol

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

INK = RGBColor(0x0B, 0x0C, 0x0C)  # the report's text colour (_report.css)
MUTED = RGBColor(0x50, 0x5A, 0x5F)
FONT = "Arial"  # the PDF's fallback face: DejaVu Sans is rarely installed where Word is

# h1 is the document's title (as in the PDF); h2 to h6 are Word's headings 1 to 5.
HEADING_SIZES = {
    "Title": 22,
    "Heading 1": 16,
    "Heading 2": 13,
    "Heading 3": 11,
    "Heading 4": 10.5,
    "Heading 5": 10.5,
}
HEADING_STYLES = {
    "h1": "Title",
    "h2": "Heading 1",
    "h3": "Heading 2",
    "h4": "Heading 3",
    "h5": "Heading 4",
    "h6": "Heading 5",
}

SKIPPED = {
    "head",
    "style",
    "script",
    "svg",
    "img",
    "template",
    "noscript",
    "button",
    "input",
    "select",
    "form",
}
VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
PARAGRAPHS = {"p", "dt", "dd", "caption", "figcaption", "summary", "address"}
LISTS = {"ul", "ol"}
INLINE = {
    "a", "abbr", "b", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q", "s",
    "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "br", "label", "bdi", "bdo",
}  # fmt: skip

_SPACE = re.compile(r"\s+")


# ---- the HTML as a tree ----------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document")
        self._open: list[Element] = [self.root]
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in INLINE:  # as browsers do: a block ends an open paragraph, an item the item before
            self._close_open("p")
            if tag == "li":
                self._close_open("li", within={"ul", "ol"})
        element = Element(tag, {k: v or "" for k, v in attrs})
        self._open[-1].children.append(element)
        if tag == "title":
            self._in_title = True
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        self._close_open(tag)

    def _close_open(self, tag: str, within: set[str] | None = None) -> None:
        """Close up to the innermost open `tag` (if it is open, and not outside a `within` element)."""
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return
            if within and self._open[depth].tag in within:
                return

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        self._open[-1].children.append(data)


def parse(html: str) -> tuple[Element, str]:
    """The HTML's tree and its title."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root, " ".join(builder.title.split())


# ---- writing Word ------------------------------------------------------------------------------------


class Container(Protocol):
    """Where blocks go: the document's body or a table cell."""

    def add_paragraph(self, text: str = "", style: Any = None) -> Paragraph: ...

    def add_table(self, rows: int, cols: int, *args: Any) -> Table: ...


@dataclass(frozen=True)
class Look:
    """The character formatting in force for a run of text."""

    bold: bool = False
    italic: bool = False
    muted: bool = False
    href: str | None = None
    unmarked: bool = False  # lists without markers (the contents)

    def within(self, element: Element) -> Look:
        tag, classes = element.tag, element.classes
        return Look(
            bold=self.bold or tag in {"b", "strong", "th"} or bool(classes & {"label", "statement"}),
            italic=self.italic or tag in {"em", "i", "cite", "q"},
            muted=self.muted or "muted" in classes,
            href=element.attrs.get("href") if tag == "a" else self.href,
            unmarked=self.unmarked or (tag == "nav" and "contents" in classes),
        )


class _Writer:
    def __init__(self, document: Any) -> None:
        self.document = document
        self.page_break_before = False

    # blocks

    def blocks(self, container: Container, element: Element, look: Look, depth: int = 0) -> None:
        """Write an element's children as blocks; runs of inline content become paragraphs."""
        pending: list[Element | str] = []
        for child in element.children:
            if isinstance(child, str) or child.tag in INLINE:
                pending.append(child)
                continue
            self._flush(container, pending, look)
            pending = []
            self.block(container, child, look, depth)
        self._flush(container, pending, look)

    def _flush(self, container: Container, pending: list[Element | str], look: Look) -> None:
        if "".join(c if isinstance(c, str) else c.text() for c in pending).strip():
            self.paragraph(container, Element("p", children=pending), look)

    def block(self, container: Container, element: Element, look: Look, depth: int) -> None:
        tag, classes = element.tag, element.classes
        if tag in SKIPPED:
            return
        if (tag == "section" and "chapter" in classes) or tag == "hr":
            self.page_break_before = True
        if tag in HEADING_STYLES:
            self.paragraph(container, element, look, style=HEADING_STYLES[tag])
        elif tag in PARAGRAPHS:
            style = (
                "Caption" if tag in {"caption", "figcaption"} else "Quote" if "notice" in classes else None
            )
            paragraph = self.paragraph(container, element, look.within(element), style=style)
            if tag == "dd" and paragraph is not None:
                paragraph.paragraph_format.left_indent = Cm(1)
        elif tag in LISTS:
            self.list(container, element, look, depth)
        elif tag == "table":
            self.table(container, element, look)
        elif tag == "blockquote" or "notice" in classes:
            for child in element.children:
                if isinstance(child, Element) and child.tag in PARAGRAPHS | HEADING_STYLES.keys():
                    self.paragraph(container, child, look, style="Quote")
            if not any(isinstance(c, Element) and c.tag in PARAGRAPHS for c in element.children):
                self.paragraph(container, element, look, style="Quote")
        else:  # a container (div, section, main, nav, dl, figure, ...): its children in order
            self.blocks(container, element, look.within(element), depth)
        if "cover" in classes:
            self.page_break_before = True

    def paragraph(
        self, container: Container, element: Element, look: Look, *, style: str | None = None
    ) -> Paragraph | None:
        if not element.text().strip():
            return None
        paragraph = container.add_paragraph(style=style)
        if self.page_break_before and isinstance(container, type(self.document)):
            paragraph.paragraph_format.page_break_before = True
        self.page_break_before = False
        self.inline(paragraph, element, look)
        _trim(paragraph)
        return paragraph

    def list(self, container: Container, element: Element, look: Look, depth: int) -> None:
        """Bulleted lists are Word's; numbered ones carry their numbers as text, since Word would run
        the numbering on from one list to the next. Lists the report shows without markers (the
        contents, the questions for the board) stay without them; ticked lists keep their ticks."""
        classes = element.classes
        unmarked = look.unmarked or bool(classes & {"questions"})
        number = _start(element)
        for item in element.children:
            if not isinstance(item, Element) or item.tag != "li":
                continue
            inline = [c for c in item.children if isinstance(c, str) or c.tag in INLINE]
            nested: list[Element | str] = [
                c for c in item.children if isinstance(c, Element) and c.tag not in INLINE
            ]
            prefix = "" if unmarked else "\u2713 " if "ticks" in classes else ""
            style = None
            if element.tag == "ol" and not unmarked:
                prefix = f"{number}. "
            elif element.tag == "ul" and not unmarked and "ticks" not in classes:
                style = "List Bullet" if depth == 0 else f"List Bullet {min(depth + 1, 3)}"
            paragraph = self.paragraph(
                container, Element("li", item.attrs, [prefix, *inline]), look.within(item), style=style
            )
            if paragraph is not None and style is None:
                paragraph.paragraph_format.left_indent = Cm(0.63 * (depth + 1))
                if prefix:
                    paragraph.paragraph_format.first_line_indent = Cm(-0.63)
            number += 1
            self.blocks(container, Element("div", children=nested), look.within(item), depth + 1)

    def table(self, container: Container, element: Element, look: Look) -> None:
        caption = next((c for c in element.children if isinstance(c, Element) and c.tag == "caption"), None)
        if caption is not None:
            self.paragraph(container, caption, look, style="Caption")
        rows = list(_rows(element))
        if not rows:
            return
        columns = max(sum(_span(cell) for cell in row) for row in rows)
        table = container.add_table(len(rows), columns)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            c = 0
            for cell in row:
                span = min(_span(cell), columns - c)
                target = table.cell(r, c)
                if span > 1:
                    target = target.merge(table.cell(r, c + span - 1))
                self._cell(target, cell, look.within(cell))
                c += span
            if row and all(cell.tag == "th" for cell in row):
                _repeat_as_header(table.rows[r])
        _fit_columns(table, rows, columns)
        if isinstance(container, type(self.document)):
            container.add_paragraph()  # Word joins adjacent tables; a paragraph keeps them apart

    def _cell(self, target: _Cell, cell: Element, look: Look) -> None:
        first = target.paragraphs[0]
        before = len(target.paragraphs)
        self.blocks(target, cell, look)
        if len(target.paragraphs) > before and not first.text:
            first._element.getparent().remove(first._element)  # the empty paragraph Word puts in every cell

    # inline

    def inline(self, paragraph: Paragraph, element: Element, look: Look) -> None:
        for child in element.children:
            if isinstance(child, str):
                self.run(paragraph, _SPACE.sub(" ", child), look)
            elif child.tag == "br":
                paragraph.add_run().add_break()
            elif child.tag in SKIPPED:
                continue
            else:
                inner = look.within(child)
                self.inline(paragraph, child, inner)
                if _shows_address(child, inner.href):
                    self.run(paragraph, f" ({inner.href})", inner)

    def run(self, paragraph: Paragraph, text: str, look: Look) -> None:
        previous = paragraph.runs[-1].text if paragraph.runs else ""
        if text.startswith(" ") and (not previous or previous[-1].isspace()):
            text = text.lstrip()  # HTML collapses the spaces between inline elements; so does Word here
        if not text:
            return
        run = paragraph.add_run(text)
        run.bold = look.bold or None
        run.italic = look.italic or None
        if look.muted:
            run.font.color.rgb = MUTED


def _shows_address(link: Element, href: str | None) -> bool:
    """A link out of the document keeps its address in the text (Word's reader may print it)."""
    return (
        link.tag == "a"
        and bool(href)
        and str(href).startswith(("http://", "https://"))
        and (str(href) not in link.text())
    )


def _rows(table: Element) -> Iterator[list[Element]]:
    for child in table.children:
        if not isinstance(child, Element):
            continue
        if child.tag == "tr":
            yield [c for c in child.children if isinstance(c, Element) and c.tag in {"td", "th"}]
        elif child.tag in {"thead", "tbody", "tfoot"}:
            yield from _rows(child)


TEXT_WIDTH = Cm(17)  # A4 less the margins
CHARACTER = Cm(0.22)  # the width of a character of the tables' 9.5 to 10.5 pt text (bold headers), about
CELL_PADDING = Cm(0.4)
MAX_FLOOR = Cm(4)


def _fit_columns(table: Table, rows: list[list[Element]], columns: int) -> None:
    """Columns as wide as their words need, as a browser lays out the HTML: each at least as wide as
    its longest word, the rest shared by how much text each holds (Word's default of equal columns
    squeezes a narrative's "what happened" into a strip beside a date)."""
    weights, floors = [8.0] * columns, [0] * columns
    for row in rows:
        c = 0
        for cell in row:
            if _span(cell) == 1 and c < columns:
                words = cell.text().split()
                weights[c] = max(weights[c], min(len(" ".join(words)), 60))
                floors[c] = max(
                    floors[c], min(CHARACTER * max((len(w) for w in words), default=0), MAX_FLOOR)
                )
            c += _span(cell)
    room = TEXT_WIDTH - CELL_PADDING * columns
    if sum(floors) > room:  # too many long words to fit: every column gives up its share
        floors = [int(f * room / sum(floors)) for f in floors]
    spare = max(room - sum(floors), 0)
    table.autofit = False
    for c, weight in enumerate(weights):
        width = floors[c] + CELL_PADDING + int(spare * weight / sum(weights))
        table.columns[c].width = width
        for cell in table.columns[c].cells:
            cell.width = width


def _start(numbered: Element) -> int:
    try:
        return int(numbered.attrs.get("start", "1"))
    except ValueError:
        return 1


def _span(cell: Element) -> int:
    try:
        return max(1, int(cell.attrs.get("colspan", "1")))
    except ValueError:
        return 1


def _trim(paragraph: Paragraph) -> None:
    if paragraph.runs:
        last = paragraph.runs[-1]
        last.text = last.text.rstrip()


def _repeat_as_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


# ---- the look of the page ---------------------------------------------------------------------------


def _styles(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.font.color.rgb = INK
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    _language(normal, "en-GB")
    for name, size in HEADING_SIZES.items():
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = INK
        style.paragraph_format.keep_with_next = True
    caption = document.styles["Caption"]
    caption.font.color.rgb = INK
    caption.font.italic = False
    caption.font.bold = True
    caption.font.size = Pt(10)


def _language(style: Any, tag: str) -> None:
    properties = style.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), tag)
    properties.append(language)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): Word fills it in when the document is opened or printed."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            character = OxmlElement("w:fldChar")
            character.set(qn("w:fldCharType"), kind)
            run._r.append(character)
        elif text == instruction:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run._r.append(code)
        else:
            value = OxmlElement("w:t")
            value.text = text
            run._r.append(value)


def _page(document: Any, title: str) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.right_margin = Cm(2.2), Cm(2)
    section.bottom_margin, section.left_margin = Cm(2.4), Cm(2)
    section.different_first_page_header_footer = True  # the cover has neither, as in the PDF
    header = section.header.paragraphs[0]
    header.add_run(title).font.size = Pt(8.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = 1  # centred
    for part in ("Page ", "PAGE", " of ", "NUMPAGES"):
        if part.isupper():
            _field(footer, part)
        else:
            footer.add_run(part)
    for run in (*header.runs, *footer.runs):
        run.font.size = Pt(8.5)
        run.font.color.rgb = MUTED


def html_to_docx(html: str) -> bytes:
    """A Word document of the HTML: the same words, headings, lists and tables, styled like the PDF."""
    root, title = parse(html)
    body = _find(root, "main") or _find(root, "body") or root
    first_heading = _find(body, "h1")
    running_title = first_heading.text().strip() if first_heading is not None else title
    document = Document()
    _styles(document)
    _page(document, " ".join(running_title.split()))
    document.core_properties.title = title or running_title
    document.core_properties.author = "Tunnelview"
    document.core_properties.comments = ""
    document.core_properties.created = document.core_properties.modified = datetime.now(UTC).replace(
        microsecond=0
    )
    _without_thumbnail(document)
    writer = _Writer(document)
    writer.blocks(document, body, Look())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _without_thumbnail(document: Any) -> None:
    """python-docx's blank document carries a picture of some other document as its preview."""
    package = document.part.package
    for key, relation in list(package.rels.items()):
        if relation.reltype.endswith("/metadata/thumbnail"):
            del package.rels[key]


def _find(element: Element, tag: str) -> Element | None:
    for child in element.children:
        if isinstance(child, Element):
            if child.tag == tag:
                return child
            found = _find(child, tag)
            if found is not None:
                return found
    return None


def docx_text(content: bytes) -> str:
    """The text a reader gets from a DOCX: every paragraph of the body, tables included, headers and
    footers, and the document's properties (what a check of the document must read)."""
    document = Document(io.BytesIO(content))
    parts: list[str] = []
    body = document.element.body
    for node in body.iter(qn("w:p")):
        parts.append("".join(t.text or "" for t in node.iter(qn("w:t"))))
    for section in document.sections:
        for paragraph in (*section.header.paragraphs, *section.footer.paragraphs):
            parts.append(paragraph.text)
    properties = document.core_properties
    parts += [
        properties.title or "",
        properties.author or "",
        properties.subject or "",
        properties.keywords or "",
    ]
    return "\n".join(p for p in parts if p)


__all__ = ["MEDIA_TYPE", "docx_text", "html_to_docx", "parse"]
