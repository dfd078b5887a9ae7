"""The pure pieces of learning across reviews: CSV cells a spreadsheet would run are neutralised, a
frozen report's section is quoted safely inside another document, and the bar chart's geometry and
words."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from api.pages.charts import COLOURS, PATTERNS, fills, stacked_bars
from findings.learning.excerpts import section
from findings.learning.spreadsheet import csv_text, neutralised


@pytest.mark.parametrize(
    "cell",
    ["=1+2", "+44 20 7946 0000", "-40% missed", "@SUM(A1:A2)", "\tcmd", "\r=1+2", '=HYPERLINK("x")'],
)
def test_a_text_cell_a_spreadsheet_would_run_gets_a_quote_in_front(cell: str):
    assert neutralised(cell) == "'" + cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Audit of dental flags", "Audit of dental flags"),
        (" =not at the start", " =not at the start"),
        ("", ""),
        (None, ""),
        (3, 3),
        (-3, -3),  # a number is a number, not a formula
        (True, "yes"),
        (date(2026, 9, 30), "2026-09-30"),
    ],
)
def test_other_cells_are_written_as_they_are(value: object, written: object):
    assert neutralised(value) == written


def test_the_csv_quotes_what_needs_quoting_and_reads_back():
    text = csv_text([["Action", "Due"], ['=HYPERLINK("a","b"), then', date(2027, 1, 1)], ["Line\nbreak", 2]])
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["Action", "Due"],
        ['\'=HYPERLINK("a","b"), then', "2027-01-01"],
        ["Line\nbreak", "2"],
    ]


REPORT = """<!DOCTYPE html><html><head><title>Report</title><style>h2 { color: red }</style></head><body>
<section id="episodes"><h2>5. Episodes</h2><article id="episode-1"><h3>Episode 1</h3></article></section>
<section id="findings" class="chapter">
<h2>6. Findings</h2>
<p>Each finding describes a pattern.</p>
<section id="tools"><h3>Tools</h3>
<article class="finding" id="finding-1" onclick="steal()"><h4>Finding 1</h4>
<p class="statement">A child &lt;b&gt;not brought&lt;/b&gt; is the family's choice &amp; more.</p>
<p class="muted">Key practice episodes: <a href="#episode-1">1</a>; see <a href="#tools">Tools</a>;
<a href="https://elsewhere.example/">elsewhere</a>.</p>
<script>alert("x")</script><img src="x" onerror="steal()"><h5>Why it matters</h5>
</article></section>
</section></body></html>"""


def test_a_quoted_section_sits_one_level_deeper_with_ids_of_its_own():
    quoted = str(section(REPORT, "findings", shift=1, prefix="review-7"))
    assert "6. Findings" not in quoted  # its heading: the quoting document gives its own
    assert "<p>Each finding describes a pattern.</p>" in quoted
    assert '<section id="review-7-tools"><h4>Tools</h4>' in quoted
    assert '<article class="finding" id="review-7-finding-1"><h5>Finding 1</h5>' in quoted
    assert "<h6>Why it matters</h6>" in quoted
    assert '<a href="#review-7-tools">Tools</a>' in quoted  # a link within the section is kept
    assert "Key practice episodes: 1;" in quoted  # to a part not quoted: its words only
    assert "elsewhere.example" not in quoted and "elsewhere." in quoted
    assert "onclick" not in quoted and "script" not in quoted and "alert" not in quoted
    assert "<img" not in quoted and "onerror" not in quoted
    assert "&lt;b&gt;not brought&lt;/b&gt;" in quoted and "&amp; more" in quoted  # words stay words


def test_a_section_quoted_without_its_lead_in_starts_at_its_first_part():
    quoted = str(section(REPORT, "findings", shift=1, prefix="r", lead_in=False))
    assert quoted.startswith('<section id="r-tools">')
    assert section(REPORT, "board-response", shift=1, prefix="r") is None


def test_a_bar_chart_stacks_each_row_by_year_with_its_words():
    chart = stacked_bars(
        "chart-categories",
        "Findings by category and year",
        [
            ("Tools", (1, 3)),
            ("Innate human biases", (0, 0)),
            ("A category with a very long name indeed", (2, 0)),
        ],
        ["2024", "2025"],
        "findings",
    )
    assert chart is not None
    assert chart.description == (
        "Findings by category and year, findings stacked by year. Tools: 4 (2024: 1, 2025: 3); "
        "A category with a very long name indeed: 2 (2024: 2)."
    )
    tools, empty, long = chart.bars
    assert [s.title for s in tools.segments] == ["2024: 1 finding", "2025: 3 findings"]
    assert tools.segments[1].width == pytest.approx(3 * tools.segments[0].width)
    assert tools.segments[1].x == pytest.approx(tools.segments[0].x + tools.segments[0].width)
    assert empty.segments == () and empty.total == 0
    assert long.label.endswith("…") and long.name == "A category with a very long name indeed"
    assert [t.value for t in chart.ticks] == [0, 1, 2, 3, 4]
    assert [item.label for item in chart.legend] == ["2024", "2025"]
    assert stacked_bars("c", "Nothing", [("Tools", (0,))], ["2024"], "findings") is None


def test_no_two_series_of_a_chart_are_told_apart_by_colour_alone():
    paint = fills("c", 36)
    assert len({(f.colour, f.kind) for f in paint}) == 36
    first = paint[: len(COLOURS)]
    assert len({f.kind for f in first}) == len(PATTERNS)  # the first six differ in pattern as well
