"""Work a process holds for a moment and sends together: one round trip for many items.

Under load, many requests a second each hand over one small item (a page view for Redis, an
e-mail for the Celery broker). A Held collects them for up to `hold()` seconds, or until `batch`
of them wait, and calls `send` once with all of them; a timer sends what waits when no more come,
and the process sends the rest when it exits. `hold()` is read on every add (tests and settings
can change it), and 0 sends each item at once in the caller's thread.

What a process holds is lost if it is killed (not stopped) in that moment; each user of this says
what then catches up.
"""

import atexit
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")
logger = logging.getLogger(__name__)


class Held(Generic[T]):
    def __init__(self, send: Callable[[list[T]], object], *, hold: Callable[[], float], batch: int, what: str) -> None:
        self._send = send
        self._hold = hold
        self._batch = batch
        self._what = what  # for the log, when a send from the timer or at exit fails
        self._items: list[T] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        atexit.register(self.send_logged)

    def add(self, items: Iterable[T]) -> None:
        """Hold these items (send them at once if holding is off); a full batch is sent by the
        caller, whose error is raised as it is."""
        hold = self._hold()
        if hold <= 0:
            items = list(items)
            if items:
                self._send(items)
            return
        with self._lock:
            self._items.extend(items)
            full = len(self._items) >= self._batch
            if not full and self._items and self._timer is None:
                self._timer = threading.Timer(hold, self.send_logged)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.send()

    def send(self) -> int:
        """Send what waits now; returns how many items."""
        with self._lock:
            items = self._items[:]
            self._items.clear()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if items:
            self._send(items)
        return len(items)

    def send_logged(self) -> None:
        """send(), logging instead of raising (the timer's thread, the exit)."""
        try:
            self.send()
        except Exception:
            logger.warning("Could not send %s", self._what, exc_info=True)
