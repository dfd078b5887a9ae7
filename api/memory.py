"""A worker gives the memory its requests freed back to the system.

glibc's malloc keeps what a request freed inside its heaps for reuse, and returns only a free stretch at
the very top of a heap on its own; after a burst of concurrent requests the free pages are scattered
through the heaps, so a worker's resident set stays at its peak. `malloc_trim(0)` hands those free
pages back (madvise), keeping the heaps' layout. It runs in a thread of its own that holds no GIL
while it runs, but it holds malloc's locks: under load it took 0.5-7 ms, now and then 20-30 ms, in
which a request that allocates would wait. So it runs only while no request thread is busy, at most
every 10 seconds (docs/performance.md, 4 December 2026). Where the C library has no `malloc_trim`
(musl), nothing runs.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

RELEASE_EVERY = 10.0  # seconds


def malloc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none."""
    try:
        libc = ctypes.CDLL(None)  # the C library the interpreter is linked with
    except OSError:
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    return lambda: trim(0)


@contextmanager
def releasing(busy: Callable[[], bool], every: float = RELEASE_EVERY) -> Iterator[None]:
    """While inside, a daemon thread calls `malloc_trim(0)` every `every` seconds unless `busy()`."""
    trim = malloc_trim()
    if trim is None:
        yield
        return
    stop = threading.Event()

    def release() -> None:
        while not stop.wait(every):
            if not busy():
                trim()

    thread = threading.Thread(target=release, name="tunnelview-malloc-trim", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
