"""Bar charts drawn on the server as SVG (templates/pages/_charts.html draws them): the geometry of a
horizontal bar chart, one bar per row of a table, stacked by its columns (years), as plain data.

Every chart carries a title and a description that says in words what it shows (`role="img"`,
`aria-labelledby`), and the table it is drawn from stands beside it, so nothing is in the picture
alone. Each series is told apart by a pattern as well as a colour (colour alone is not enough, WCAG
1.4.1); every colour has at least 3:1 contrast with the white page (1.4.11), and stacked segments are
parted by a white line so neighbouring colours never have to contrast with each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# GOV.UK Frontend's colours, each at least 4.5:1 on white.
COLOURS = ("#1d70b8", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#0b0c0c")
PATTERNS = ("solid", "diagonal", "dots", "crosshatch", "horizontal", "vertical")

WIDTH = 720
LABEL_WIDTH = 250  # the rows' names, left of the bars
TOTAL_WIDTH = 48  # the total, right of the longest bar
ROW_HEIGHT = 30
BAR_HEIGHT = 20
LEGEND_ROW = 26
LEGEND_ITEM = 96
AXIS_HEIGHT = 30
MAX_LABEL = 32  # characters of a row's name drawn in full; a longer one is cut, its full name in <title>


@dataclass(frozen=True)
class Fill:
    """How one series is painted: its pattern's id, colour and kind."""

    id: str
    colour: str
    kind: str


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    fill: Fill
    title: str  # "2024: 3 findings"


@dataclass(frozen=True)
class Bar:
    y: float
    label: str  # as drawn (cut when long)
    name: str  # in full
    total: int
    total_x: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class LegendItem:
    x: float
    y: float
    fill: Fill
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    value: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_top: float
    plot_bottom: float
    fills: tuple[Fill, ...]
    legend: tuple[LegendItem, ...]
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


def fills(chart_id: str, count: int) -> tuple[Fill, ...]:
    """One fill per series: colours and patterns in turn, so no two of the first 36 series look
    alike."""
    return tuple(
        Fill(
            f"{chart_id}-fill-{n}",
            COLOURS[n % len(COLOURS)],
            PATTERNS[(n // len(COLOURS) + n) % len(PATTERNS)],
        )
        for n in range(count)
    )


def _step(largest: int) -> int:
    """A round step for about five ticks from 0 to `largest`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if largest / step <= 5:
            return step
    return max(1, largest // 5)


def _cut(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1].rstrip() + "…"


def _describe(title: str, rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str], unit: str) -> str:
    parts = []
    for name, counts in rows:
        total = sum(counts)
        if not total:
            continue
        by_series = ", ".join(f"{s}: {c}" for s, c in zip(series, counts, strict=True) if c)
        parts.append(f"{name}: {total} ({by_series})" if len(series) > 1 else f"{name}: {total}")
    if not parts:
        return f"{title}: there are no {unit} to show."
    return f"{title}, {unit} stacked by year. " + "; ".join(parts) + "."


def stacked_bars(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[str],
    unit: str,
) -> Chart | None:
    """A horizontal bar per row (name, counts by series), stacked by series; None when every count is
    0 (the page then says there is nothing to draw)."""
    largest = max((sum(counts) for _, counts in rows), default=0)
    if largest == 0:
        return None
    paint = fills(chart_id, len(series))
    per_line = max(1, (WIDTH - LABEL_WIDTH) // LEGEND_ITEM)
    legend = tuple(
        LegendItem(LABEL_WIDTH + (n % per_line) * LEGEND_ITEM, 8 + (n // per_line) * LEGEND_ROW, paint[n], s)
        for n, s in enumerate(series)
    )
    top = 8 + ((len(series) + per_line - 1) // per_line) * LEGEND_ROW + 8
    step = _step(largest)
    scale_max = -(-largest // step) * step
    plot = WIDTH - LABEL_WIDTH - TOTAL_WIDTH
    scale = plot / scale_max
    bars = []
    for n, (name, counts) in enumerate(rows):
        y = top + n * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        x = float(LABEL_WIDTH)
        segments = []
        for count, fill, label in zip(counts, paint, series, strict=True):
            if count:
                width = count * scale
                words = f"{count} {unit if count != 1 else unit.removesuffix('s')}"
                segments.append(Segment(round(x, 2), round(width, 2), fill, f"{label}: {words}"))
                x += width
        bars.append(Bar(round(y, 2), _cut(name), name, sum(counts), round(x + 6, 2), tuple(segments)))
    bottom = top + len(rows) * ROW_HEIGHT
    ticks = tuple(Tick(round(LABEL_WIDTH + v * scale, 2), v) for v in range(0, scale_max + 1, step))
    return Chart(
        id=chart_id,
        title=title,
        description=_describe(title, rows, series, unit),
        width=WIDTH,
        height=int(bottom + AXIS_HEIGHT),
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        plot_top=top,
        plot_bottom=bottom,
        fills=paint,
        legend=legend,
        bars=tuple(bars),
        ticks=ticks,
    )
