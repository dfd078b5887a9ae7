"""Results kept for the inputs they were made from (workflow/recent.py): computed once per key, the
least recently used one dropped first."""

from __future__ import annotations

from workflow.recent import RecentResults


def test_a_result_is_computed_once_for_its_key_and_the_least_recent_one_goes_first():
    computed: list[str] = []
    kept: RecentResults[str, str] = RecentResults(2)

    def result(key: str) -> str:
        return kept.get(key, lambda: computed.append(key) or key.upper())

    assert [result("a"), result("b"), result("a")] == ["A", "B", "A"]
    assert computed == ["a", "b"]
    result("c")  # "b" is now the least recently used
    result("a")
    result("b")
    assert computed == ["a", "b", "c", "b"]
