"""Properties of the scanner: a registered name is found however the text around it and the break
between its words are made; filler text that does not contain it never hits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from findings.publication.anonymise import scan
from findings.publication.identifiers import Identifier, IdentifierKind, build_rules
from tests.support import examples

name_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).map(str.capitalize)
filler = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=12), max_size=6).map(" ".join)
breaks = st.sampled_from([" ", "  ", "\n", " \n ", "-", "-\n", "\u00a0", "\u00ad "])
edges = st.sampled_from(["", " ", ".", ", ", "(", ")", "'s ", "\n", "\u2019s."])
cases = st.sampled_from([str, str.upper, str.lower])


@settings(max_examples=examples(200), deadline=None)
@given(
    first=name_part,
    last=name_part,
    before=filler,
    after=filler,
    gap=breaks,
    left=edges,
    right=edges,
    case=cases,
)
def test_a_registered_name_is_always_found(
    first: str, last: str, before: str, after: str, gap: str, left: str, right: str, case: object
) -> None:
    rules = build_rules([Identifier(1, IdentifierKind.CHILD, f"{first} {last}", "Alice")])
    shaped = case(f"{first}{gap}{last}")  # type: ignore[operator]
    text = f"{before} {left}{shaped}{right} {after}"
    assert any(m.rule.entry_id == 1 for m in scan(text, rules)), repr(text)


@settings(max_examples=examples(200), deadline=None)
@given(first=name_part, last=name_part, words=filler)
def test_text_without_the_name_never_hits(first: str, last: str, words: str) -> None:
    rules = build_rules([Identifier(1, IdentifierKind.CHILD, f"{first} {last}", "Alice")])
    padded = f" {words.lower()} "
    if f" {first.lower()} " in padded or f" {last.lower()} " in padded:
        return
    hits = [m for m in scan(words, rules) if m.rule.entry_id == 1]
    for hit in hits:  # only a whole word equal to a part (with an s/'s ending) may hit
        assert hit.matched.lower().rstrip("s'") in (first.lower(), last.lower(), f"{first} {last}".lower())
