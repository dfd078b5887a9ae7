"""What a person types into the repository's search box, read into terms both full-text adapters
understand the same way (pure; `findings.learning.fulltext` renders them for each database).

Words are matched by their stem ("assessing" finds "assessment"); words in double quotes are a
phrase; `OR` between two words or phrases accepts either; a word or phrase after `-` must not
appear. Everything else is required. Punctuation only separates words, so no input is a syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 12  # words and phrases read from one query; the rest are ignored
_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Terms:
    """All of `groups` (each group: any of its phrases), none of `excluded`. A phrase is its words
    joined by single spaces."""

    groups: tuple[tuple[str, ...], ...]
    excluded: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def phrases(self) -> tuple[str, ...]:
        return tuple(p for group in self.groups for p in group)


def parse(text: str | None) -> Terms:
    groups: list[list[str]] = []
    excluded: list[str] = []
    join_next = False
    count = 0
    for token in _TOKEN.findall(text or ""):
        if token == "OR":
            join_next = bool(groups)
            continue
        negated = token.startswith("-")
        phrase = " ".join(_WORD.findall(token.lower()))
        if not phrase or count >= MAX_TERMS:
            continue
        count += 1
        if negated:
            excluded.append(phrase)
        elif join_next:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        join_next = False
    return Terms(tuple(tuple(dict.fromkeys(g)) for g in groups), tuple(dict.fromkeys(excluded)))
