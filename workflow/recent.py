"""The results of a computation kept for the inputs it was made from: the most recent `size` of them,
shared by a process's threads. Nothing is ever invalidated: the key names everything the result was
computed from, so a changed input is a new key and the old result simply ages out.

Used for a review's documents rendered and checked (`findings.publication.publisher.Publishing`) and
for its findings' warning counts (`findings.analysis.warnings.counts_key`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class RecentResults(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The result kept for `key`, or `compute()`'s, kept. It is computed outside the lock: two
        threads asking for one new key may both compute it, and the later one is kept."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        result = compute()
        with self._lock:
            self._kept[key] = result
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return result
