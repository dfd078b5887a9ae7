"""A worker gives freed memory back to the system every few seconds while it serves (api/memory.py)."""

from __future__ import annotations

import threading
import time

from api import memory


def test_releasing_trims_in_a_thread_of_its_own_until_the_worker_stops(monkeypatch):
    trimmed = threading.Event()
    calls: list[str] = []

    def trim() -> None:
        calls.append(threading.current_thread().name)
        trimmed.set()

    monkeypatch.setattr(memory, "malloc_trim", lambda: trim)
    with memory.releasing(busy=lambda: False, every=0.01):
        assert trimmed.wait(5)
    stopped_at = len(calls)
    assert set(calls) == {"tunnelview-malloc-trim"}
    assert not any(t.name == "tunnelview-malloc-trim" for t in threading.enumerate())
    time.sleep(0.05)  # five intervals: a thread still running would have trimmed again
    assert len(calls) == stopped_at


def test_without_a_malloc_trim_nothing_runs(monkeypatch):
    monkeypatch.setattr(memory, "malloc_trim", lambda: None)
    before = threading.active_count()
    with memory.releasing(busy=lambda: False, every=0.01):
        assert threading.active_count() == before


def test_no_trim_while_a_request_thread_is_busy(monkeypatch):
    """malloc_trim holds malloc's locks for milliseconds: a request that allocates would wait."""
    calls: list[int] = []
    busy = threading.Event()
    busy.set()
    asked = threading.Event()

    def is_busy() -> bool:
        asked.set()
        return busy.is_set()

    monkeypatch.setattr(memory, "malloc_trim", lambda: lambda: calls.append(1))
    with memory.releasing(busy=is_busy, every=0.01):
        assert asked.wait(5)
        assert calls == []


def test_the_c_library_here_has_malloc_trim():
    """The image and this machine run glibc; a None here would mean the release never runs."""
    trim = memory.malloc_trim()
    assert trim is not None
    trim()
