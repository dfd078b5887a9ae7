"""Benchmark: render a review with 100 findings and 500 narrative entries to HTML, Markdown and PDF, and
run the anonymisation check over all three. Not a test: prints timings to record in docs/performance.md.

    .venv/bin/python benchmarks/reports.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader

from findings.publication.anonymise import scan_pdf, scan_traced
from findings.publication.freeze import prepare
from findings.publication.identifiers import Identifier, IdentifierKind, build_rules
from findings.publication.render import (
    DocumentKind,
    Format,
    html_to_pdf,
    render_html,
    render_markdown,
    render_traced,
)
from tests.report_factory import sample_report
from workflow.settings import Settings

REGISTER = (
    Identifier(1, IdentifierKind.CHILD, "Jane Smith", "Alice"),
    Identifier(2, IdentifierKind.PARENT_CARER, "Mary Smith", "her mother"),
    Identifier(3, IdentifierKind.ADDRESS, "14 Acacia Avenue, Billingham", "the family home"),
    Identifier(4, IdentifierKind.DATE_OF_BIRTH, "2015-03-12", "her date of birth"),
    Identifier(5, IdentifierKind.SCHOOL, "Hill Top Primary School", "the school"),
    Identifier(6, IdentifierKind.PRACTITIONER, "Rupert Greenwood", "the GP"),
)


def timed(label: str, repeat: int, work: Callable[[], object]) -> tuple[str, float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return label, statistics.median(times), min(times)


def weasyprint_alone(html: str) -> bytes:
    """The yardstick of the PDF render: WeasyPrint's defaults on the same HTML and stylesheet."""
    import weasyprint

    from findings.publication.render import REPORT_TEMPLATES

    pdf: bytes = weasyprint.HTML(string=html, base_url=str(REPORT_TEMPLATES)).write_pdf()
    return pdf


def chromium_rows(html: str, repeat: int) -> list[tuple[str, float, float]]:
    """The same HTML through the warm Chromium renderer (TUNNELVIEW_PDF_RENDERER=chromium), when
    Chromium and playwright are here; its first render (the launch) is left out of the timings."""
    from findings.publication import chromium

    executable = Settings().chromium
    try:
        chromium.html_to_pdf(html, executable)  # launch the browser: each worker does it once
    except chromium.ChromiumUnavailable as why:
        print(f"No Chromium row: {why}")
        return []
    return [
        timed("PDF render (Chromium, warm browser)", repeat, lambda: chromium.html_to_pdf(html, executable))
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--findings", type=int, default=100)
    parser.add_argument("--entries", type=int, default=500)
    args = parser.parse_args()

    report = sample_report(findings=args.findings, entries=args.entries, episodes=20)
    kind = DocumentKind.FULL
    html = render_html(kind, report)
    pdf = html_to_pdf(html)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    rules = build_rules(REGISTER)
    traced_html = render_traced(kind, report, Format.HTML)
    traced_md = render_traced(kind, report, Format.MARKDOWN)

    rows = [
        timed("HTML render", args.repeat, lambda: render_html(kind, report)),
        timed("Markdown render", args.repeat, lambda: render_markdown(kind, report)),
        timed("PDF render (HTML → WeasyPrint)", args.repeat, lambda: html_to_pdf(html)),
        timed(
            "WeasyPrint alone, same HTML (no tags, no options)", args.repeat, lambda: weasyprint_alone(html)
        ),
        *chromium_rows(html, args.repeat),
        timed("Check: HTML text", args.repeat, lambda: scan_traced(traced_html.traced, rules, output="html")),
        timed(
            "Check: Markdown",
            args.repeat,
            lambda: scan_traced(traced_md.traced, rules, output="markdown", markdown=True),
        ),
        timed(
            "Check: PDF text (pypdf) + placing hits",
            args.repeat,
            lambda: scan_pdf(pdf, rules, candidates=traced_html.traced),
        ),
        timed("prepare(): render all three + check all", 1, lambda: prepare(report, REGISTER)),
    ]
    print(f"Review: {args.findings} findings, {args.entries} narrative entries, 20 episodes")
    print(f"HTML {len(html.encode()) / 1024:.0f} KiB; PDF {len(pdf) / 1024:.0f} KiB, {pages} pages")
    print(f"Python {platform.python_version()} on {platform.machine()}, {args.repeat} runs (median, best)")
    print()
    print("| step | median (s) | best (s) |")
    print("| --- | --- | --- |")
    for label, median, best in rows:
        print(f"| {label} | {median:.2f} | {best:.2f} |")
    ratio = rows[2][1] / rows[3][1]
    print(f"\nPDF render / WeasyPrint alone: {ratio:.2f}x (median)")


if __name__ == "__main__":
    main()
