"""A part of a report's HTML, quoted in another document as it stands.

The briefing built from a selection (`findings.learning.selection`) quotes each review's findings and
board response from its report: for a review the reader is not a member of, from the report exactly
as it was frozen and checked at publication. `section(html, "findings", ...)` takes the `<section
id="findings">` of a report, without its own heading, and writes it again so that it sits inside the
new document: headings one level (or more) deeper, ids made unique to the review, links to parts of
the report that are not quoted turned back into their words. Only the elements and attributes a
report uses are written; anything else keeps its words and loses its markup (scripts and styles are
dropped whole), and every text is escaped again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

ELEMENTS = frozenset(
    {
        "section",
        "article",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "p",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "span",
        "a",
        "em",
        "strong",
        "i",
        "b",
        "br",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "blockquote",
    }
)
ATTRIBUTES = frozenset({"class", "id", "href", "scope", "colspan", "rowspan"})
DROPPED = frozenset({"script", "style", "template", "iframe", "object"})
VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "source"})
_HEADING = re.compile(r"^h([1-6])$")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self._open[-1].children.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, 0, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def parse(html: str) -> Element:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def find(element: Element, element_id: str) -> Element | None:
    if element.attrs.get("id") == element_id:
        return element
    for child in element.children:
        if isinstance(child, Element) and (found := find(child, element_id)) is not None:
            return found
    return None


def _ids(element: Element) -> set[str]:
    out = {element.attrs["id"]} if "id" in element.attrs else set()
    for child in element.children:
        if isinstance(child, Element):
            out |= _ids(child)
    return out


@dataclass(frozen=True)
class _Writer:
    shift: int
    prefix: str
    ids: frozenset[str]

    def write(self, node: Element | str) -> str:
        if isinstance(node, str):
            return escape(node, quote=False)
        if node.tag in DROPPED:
            return ""
        inner = "".join(self.write(child) for child in node.children)
        tag = self._tag(node)
        if tag is None:
            return inner
        attrs = self._attrs(node)
        if tag == "a" and "href" not in attrs:
            return inner  # a link to a part of the report that is not quoted: its words only
        opening = f"<{tag}" + "".join(f' {k}="{escape(v)}"' for k, v in attrs.items()) + ">"
        return opening if tag in VOID else f"{opening}{inner}</{tag}>"

    def _tag(self, node: Element) -> str | None:
        if node.tag not in ELEMENTS:
            return None
        heading = _HEADING.match(node.tag)
        if heading:
            return f"h{min(6, int(heading.group(1)) + self.shift)}"
        return node.tag

    def _attrs(self, node: Element) -> dict[str, str]:
        out = {}
        for name, value in node.attrs.items():
            if name not in ATTRIBUTES:
                continue
            if name == "id":
                value = self._id(value)
            elif name == "href":
                if not value.startswith("#") or value[1:] not in self.ids:
                    continue
                value = "#" + self._id(value[1:])
            out[name] = value
        return out

    def _id(self, value: str) -> str:
        return f"{self.prefix}-{_SAFE_ID.sub('-', value)}"


def section(html: str, section_id: str, *, shift: int, prefix: str, lead_in: bool = True) -> Markup | None:
    """The content of the element `section_id` of `html` (its first heading left out, as the quoting
    document gives its own; with `lead_in=False`, the paragraphs before its first part too),
    rewritten to sit inside another document; None if there is none."""
    found = find(parse(html), section_id)
    if found is None:
        return None
    children = list(found.children)
    first = next((c for c in children if isinstance(c, Element)), None)
    if first is not None and _HEADING.match(first.tag):
        children.remove(first)
    if not lead_in:
        while children and (isinstance(children[0], str) or children[0].tag == "p"):
            children.pop(0)
    writer = _Writer(shift, prefix, frozenset(_ids(found)))
    return Markup("".join(writer.write(child) for child in children).strip())
