"""CSV downloads a spreadsheet opens safely.

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return, which
some of them skip before looking) as a formula, so an action titled `=HYPERLINK(...)` would run when
the board's officer opens the export. Every such text cell is neutralised: a single quote goes in
front, which the spreadsheet shows as text and does not print. Numbers and dates are written as they
are (a count is never negative). The file is UTF-8 with a byte-order mark, so Excel reads accents and
curly quotes right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
MEDIA_TYPE = "text/csv; charset=utf-8"


def neutralised(value: Any) -> Any:
    """A cell as it is written: text that a spreadsheet would run as a formula gets a quote in front;
    None is an empty cell; a date is written as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as a CSV file's text (every cell neutralised, lines ending CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return BOM + out.getvalue()
