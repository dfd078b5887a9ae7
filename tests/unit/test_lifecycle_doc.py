"""docs/lifecycle.md's table of states and triggers says what the transition table says: every edge
(pause, resume and withdraw are one row each for every active state) with the roles that may fire it."""

from __future__ import annotations

import re
from pathlib import Path

from workflow.policy import ROLE_NAMES
from workflow.states import TRANSITIONS, Trigger

DOC = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"
ANY_STATE = (Trigger.PAUSE, Trigger.RESUME, Trigger.WITHDRAW)


def _rows() -> dict[tuple[str, str, str], frozenset[str]]:
    """(from, trigger, to) -> the role names of each row of the first table whose cells are all named."""
    table = DOC.read_text().split("## States and triggers", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        names = [re.match(r"`(\w+)`", cell) for cell in cells[:3]]
        if len(cells) == 4 and all(names):
            key = tuple(m.group(1) for m in names if m)
            rows[(key[0], key[1], key[2])] = frozenset(re.split(r", | or ", cells[3]))
    return rows


def test_the_lifecycle_doc_lists_every_edge_with_who_may_fire_it() -> None:
    rows = _rows()
    edges = {
        (e.source.value, e.trigger.value, e.dest.value): frozenset(ROLE_NAMES[r] for r in e.roles)
        for e in TRANSITIONS
        if e.trigger not in ANY_STATE
    }
    assert rows == edges
