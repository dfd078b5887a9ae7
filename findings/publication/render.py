"""Rendering reports from the view model (`findings.publication.view_model`) through the templates in
`templates/reports/`.

Two sandboxed Jinja2 environments, built once: one for HTML (autoescape on) and one for Markdown (its own
escaping). Both use `StrictUndefined`, refuse to print `None`, and register the same filters once. Templates
hold no logic beyond loops and conditionals.

A rendering can be *traced*: every `Text` of the view model is then wrapped in invisible marks that name
its source, so the anonymisation check can say which object and field a hit stands in. The marks are
removed from the document that is delivered, so the traced and the delivered text are the same text.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from findings.publication.anonymise import (
    MARK_CLOSE,
    MARK_MID,
    MARK_OPEN,
    Traced,
    html_text,
    strip_marks,
    without_marks,
)
from findings.publication.sandbox import Sandbox
from findings.publication.sources import Source, Text, format_date
from findings.publication.view_model import ANONYMITY_SENTENCE, BoardBriefing, BriefingData, ReportData

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REPORT_TEMPLATES = TEMPLATES / "reports"


class DocumentKind(StrEnum):
    FULL = "full"  # the full review report
    SUMMARY = "summary"  # the summary of improvements, published when the report itself is not
    PRACTITIONER = "practitioner"  # the practitioner briefing of one review
    BOARD = "board"  # the board briefing over several reviews


class Format(StrEnum):
    HTML = "html"
    MARKDOWN = "md"
    PDF = "pdf"
    DOCX = "docx"  # Word, made from the HTML (findings.publication.docx), for final editing


MEDIA_TYPES = {
    Format.HTML: "text/html; charset=utf-8",
    Format.MARKDOWN: "text/markdown; charset=utf-8",
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

_DATA_TYPES: dict[DocumentKind, type] = {
    DocumentKind.FULL: ReportData,
    DocumentKind.SUMMARY: ReportData,
    DocumentKind.PRACTITIONER: BriefingData,
    DocumentKind.BOARD: BoardBriefing,
}

_CONTEXT_NAMES = {
    DocumentKind.FULL: "report",
    DocumentKind.SUMMARY: "report",
    DocumentKind.PRACTITIONER: "briefing",
    DocumentKind.BOARD: "board",
}

ViewModel = ReportData | BriefingData | BoardBriefing


@dataclass(frozen=True)
class Rendered:
    """One delivered document: its bytes and how to serve them."""

    kind: DocumentKind
    format: Format
    content: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def extension(self) -> str:
        return self.format.value


# ---- tracing -------------------------------------------------------------------------------------

_TRACE: contextvars.ContextVar[list[Source] | None] = contextvars.ContextVar("report_trace", default=None)


@contextmanager
def _tracing() -> Iterator[list[Source]]:
    sources: list[Source] = []
    token = _TRACE.set(sources)
    try:
        yield sources
    finally:
        _TRACE.reset(token)


def _mark(item: Text, rendered: str) -> str:
    sources = _TRACE.get()
    if sources is None:
        return rendered
    sources.append(item.source)
    return f"{MARK_OPEN}{len(sources) - 1}{MARK_MID}{rendered}{MARK_CLOSE}"


# ---- filters (the same names in both environments) ------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=>])", re.MULTILINE)
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def markdown_escape(value: str) -> str:
    """Escape what Markdown would read as markup, so a person's words stay words."""
    escaped = _MD_SPECIAL.sub(r"\\\1", value)
    escaped = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)
    return _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def _inline(value: str) -> str:
    return " ".join(value.split())


def _refuse_none(value: Any) -> Any:
    if value is None:
        raise TypeError("A report template tried to print a value that is not set (None); test it with `if`.")
    return value


def _html_finalize(value: Any) -> Any:
    value = _refuse_none(value)
    if isinstance(value, Text):
        return Markup(_mark(value, str(escape(_inline(value.value)))))
    if isinstance(value, date):
        return format_date(value)
    return value


class MarkdownText(str):
    """Text that is already Markdown, made from escaped parts: printed as it is."""

    __slots__ = ()


def _md_finalize(value: Any) -> Any:
    """Every value a Markdown template prints is escaped, whatever its type (a partnership's or an
    agency's name is a person's words as much as a finding is), unless it is Markdown already: what a
    filter made, or a macro's output marked `| markdown` (its own values were escaped inside it)."""
    value = _refuse_none(value)
    if isinstance(value, Text):
        return _mark(value, markdown_escape(_inline(value.value)))
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, MarkdownText):
        return value
    if isinstance(value, str):
        return markdown_escape(value)
    return value


def _html_paragraphs(value: Text | None) -> Markup:
    if value is None:
        return Markup("")
    return Markup("\n").join(Markup(f"<p>{_mark(value, str(escape(p)))}</p>") for p in value.paragraphs)


def _md_paragraphs(value: Text | None) -> MarkdownText:
    if value is None:
        return MarkdownText("")
    return MarkdownText("\n\n".join(_mark(value, markdown_escape(p)) for p in value.paragraphs))


def _date(value: date | None, missing: str = "not set") -> str:
    return format_date(value) if value is not None else missing


def _capfirst(value: Any) -> str:
    words = str(value)
    return words[:1].upper() + words[1:]


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _html_join(values: Any, separator: str = ", ") -> Markup:
    return Markup(escape(separator)).join(_html_finalize(v) for v in values)


def _md_join(values: Any, separator: str = ", ") -> MarkdownText:
    return MarkdownText(separator.join(str(_md_finalize(v)) for v in values))


def _register(env: Sandbox, *, html: bool) -> None:
    env.filters.update(
        {
            "paragraphs": _html_paragraphs if html else _md_paragraphs,
            "join_texts": _html_join if html else _md_join,
            "date": _date,
            "capfirst": _capfirst,
            "plural": _plural,
        }
    )
    if not html:
        env.filters["heading"] = lambda level: MarkdownText("#" * level)
        env.filters["markdown"] = MarkdownText
    env.globals.update({"ANONYMITY_SENTENCE": ANONYMITY_SENTENCE})


def environment(fmt: Format) -> Sandbox:
    """The sandboxed environment of a format: Markdown's, or HTML's (which PDF and DOCX are made from)."""
    return _environment(html=fmt != Format.MARKDOWN)


@lru_cache(maxsize=2)
def _environment(*, html: bool) -> Sandbox:
    """Built once per kind, filters registered once."""
    env = Sandbox(
        loader=FileSystemLoader(REPORT_TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        finalize=_html_finalize if html else _md_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    _register(env, html=html)
    return env


def _template_name(kind: DocumentKind, fmt: Format) -> str:
    return f"{kind.value}.{'md' if fmt == Format.MARKDOWN else 'html'}"


def _check_data(kind: DocumentKind, data: ViewModel) -> None:
    expected = _DATA_TYPES[kind]
    if not isinstance(data, expected):
        raise TypeError(
            f"A {kind.value} document is rendered from {expected.__name__}, not {type(data).__name__}."
        )


def _tidy_markdown(marked: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one newline at the end."""
    lines = [line.rstrip() for line in marked.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def _render_marked(kind: DocumentKind, data: ViewModel, fmt: Format) -> tuple[str, list[Source]]:
    _check_data(kind, data)
    template = environment(fmt).get_template(_template_name(kind, fmt))
    with _tracing() as sources:
        marked = template.render({_CONTEXT_NAMES[kind]: data})
    if fmt == Format.MARKDOWN:
        marked = _tidy_markdown(marked)
    return marked, sources


@dataclass(frozen=True)
class TracedDocument:
    """A delivered document (HTML or Markdown) and its text with the source of every part."""

    content: str
    traced: Traced


def render_traced(kind: DocumentKind, data: ViewModel, fmt: Format) -> TracedDocument:
    """Render once with source marks: the delivered document is the rendering with the marks removed,
    and the traced text is what a reader gets from it, each part knowing its source."""
    if fmt in (Format.PDF, Format.DOCX):
        raise ValueError(f"A {fmt.value.upper()} document is made from the traced HTML; trace Format.HTML.")
    marked, sources = _render_marked(kind, data, fmt)
    content = without_marks(marked)
    if fmt == Format.MARKDOWN:
        return TracedDocument(content, strip_marks(marked, sources))
    return TracedDocument(content, strip_marks(html_text(marked), sources))


# ---- the public functions -----------------------------------------------------------------------


def render_html(kind: DocumentKind, data: ViewModel) -> str:
    return render_traced(kind, data, Format.HTML).content


def render_markdown(kind: DocumentKind, data: ViewModel) -> str:
    return render_traced(kind, data, Format.MARKDOWN).content


def pdf_options() -> dict[str, Any]:
    """Accessible, tagged PDF where the installed WeasyPrint allows it: PDF/UA-1 (which tags the
    structure) on WeasyPrint versions that know the variant, else `pdf_tags`, else plain PDF."""
    import weasyprint

    options: dict[str, Any] = {}
    known = getattr(weasyprint, "DEFAULT_OPTIONS", {})
    try:
        from weasyprint.pdf import VARIANTS
    except ImportError:  # pragma: no cover - older WeasyPrint
        VARIANTS = {}
    if "pdf/ua-1" in VARIANTS:
        options["pdf_variant"] = "pdf/ua-1"
    if "pdf_tags" in known:
        options["pdf_tags"] = True
    return options


PdfRenderer = Literal["weasyprint", "chromium"]


@dataclass(frozen=True)
class PdfEngine:
    """Which renderer makes the PDFs, and where Chromium is when it does."""

    renderer: PdfRenderer = "weasyprint"
    chromium: str = "/usr/bin/chromium"


# The process's PDF renderer, set once from the settings by the wiring (`api.wiring.build_services`,
# which the app and the command line both go through). A module setting rather than `get_settings()`
# here: services are built from the `Settings` they are given (tests pass their own), and every caller of
# `html_to_pdf` (freezing, the statutory letters, the selections, the yearly report) then renders the
# same way without the choice threaded through each service; the browser is one a process anyway.
_pdf_engine = PdfEngine()


def use_pdf_renderer(engine: PdfEngine) -> None:
    global _pdf_engine
    _pdf_engine = engine


def pdf_engine() -> PdfEngine:
    return _pdf_engine


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html` from the configured renderer (`use_pdf_renderer`): WeasyPrint by default."""
    engine = _pdf_engine
    if engine.renderer == "chromium":
        from findings.publication import chromium

        return chromium.html_to_pdf(html, engine.chromium)
    return weasyprint_pdf(html)


def weasyprint_pdf(html: str) -> bytes:
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=str(REPORT_TEMPLATES))
    pdf: bytes = document.write_pdf(**pdf_options())
    return pdf


def render_pdf(kind: DocumentKind, data: ViewModel) -> bytes:
    return html_to_pdf(render_html(kind, data))


def html_to_docx(html: str) -> bytes:
    """Word made from the HTML; python-docx (and lxml) load only where a Word document is made."""
    from findings.publication import docx

    return docx.html_to_docx(html)


def render_docx(kind: DocumentKind, data: ViewModel) -> bytes:
    return html_to_docx(render_html(kind, data))


def from_html(html: str, fmt: Format) -> bytes:
    """A document in `fmt` made from its HTML (HTML, PDF or DOCX): what a frozen HTML or a page's own
    template becomes when it is asked for in another format."""
    if fmt == Format.PDF:
        return html_to_pdf(html)
    if fmt == Format.DOCX:
        return html_to_docx(html)
    if fmt == Format.HTML:
        return html.encode("utf-8")
    raise ValueError(f"A {fmt.value} document is not made from HTML.")


RENDERERS: dict[Format, Callable[[DocumentKind, ViewModel], str | bytes]] = {
    Format.HTML: render_html,
    Format.MARKDOWN: render_markdown,
    Format.PDF: render_pdf,
    Format.DOCX: render_docx,
}


def render(kind: DocumentKind, data: ViewModel, fmt: Format) -> Rendered:
    output = RENDERERS[fmt](kind, data)
    return Rendered(kind, fmt, output.encode("utf-8") if isinstance(output, str) else output)


def filename(kind: DocumentKind, fmt: Format, review_id: int | str | None = None) -> str:
    stem = {
        DocumentKind.FULL: "review-report",
        DocumentKind.SUMMARY: "summary-of-improvements",
        DocumentKind.PRACTITIONER: "practitioner-briefing",
        DocumentKind.BOARD: "board-briefing",
    }[kind]
    suffix = f"-{review_id}" if review_id is not None else ""
    return f"{stem}{suffix}.{fmt.value}"
