"""The built-in loop: the reminders (at most once an hour) and the outbox (every `interval`), on a
daemon thread, for a server that is not run beside cron. Several server workers may each run one:
the claims keep every message to one sender and the reminders' keys keep each reminder to one
message. A failing round is logged and the next one runs as usual."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("tunnelview.notifications")

REMIND_EVERY = 3600.0


class NotificationLoop:
    def __init__(
        self,
        *,
        remind: Callable[[], object],
        send: Callable[[], object],
        interval: float,
        remind_every: float = REMIND_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._remind, self._send = remind, send
        self._interval, self._remind_every = interval, remind_every
        self._clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._reminded_at: float | None = None

    def round(self) -> None:
        """One round: the reminders if an hour has passed since the last, then the outbox."""
        now = self._clock()
        if self._reminded_at is None or now - self._reminded_at >= self._remind_every:
            self._reminded_at = now
            self._attempt("reminders", self._remind)
        self._attempt("outbox", self._send)

    def _attempt(self, what: str, step: Callable[[], object]) -> None:
        try:
            step()
        except Exception:
            log.exception("The notification loop's %s failed; trying again next round", what)

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="tunnelview-notifications", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.round()
            self._stopping.wait(self._interval)
