#!/usr/bin/env python3
"""Write workflow/bank_holidays.py: England and Wales bank holidays (substitute days included) from the
`holidays` package, for the years the table covers. Run it after `make lock` upgrades `holidays`;
tests/unit/test_clocks.py fails while the table and the package disagree.

Usage: python scripts/bank_holidays.py
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import holidays

FIRST, LAST = 2000, 2050
TARGET = Path(__file__).resolve().parent.parent / "workflow" / "bank_holidays.py"

HEADER = f'''"""England and Wales bank holidays, {FIRST}-{LAST}, a year a line (substitute days included),
written by scripts/bank_holidays.py from the `holidays` package (version {holidays.__version__}). A table
rather than the package at run time: the package's first use for Great Britain imports its 250
countries, some 11 MB in every worker. `workflow.clocks` asks the package for a year outside the table."""

FIRST, LAST = {FIRST}, {LAST}

DATES = """
'''


def main() -> None:
    lines = []
    for year in range(FIRST, LAST + 1):
        days = sorted(holidays.country_holidays("GB", subdiv="ENG", years=year))
        lines.extend(textwrap.wrap(" ".join(day.isoformat() for day in days), width=110))
    TARGET.write_text(HEADER + "\n".join(lines) + '\n"""\n', encoding="utf-8")
    print(f"{TARGET}: {FIRST}-{LAST}")


if __name__ == "__main__":
    main()
