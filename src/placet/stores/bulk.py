"""Bulk writes run with fewer garbage collections: `fewer_collections`.

A bulk import or a large `append_many` makes millions of short-lived objects (events,
sealed rows, projections), none of them in a reference cycle. With CPython's default
thresholds the cyclic collector runs every 700 allocations and, as the objects the writer
keeps (its projection cache) grow, walks all of them again and again: a fifth of a
million-row import went to that. `fewer_collections` raises the thresholds for the time
of the write, as mypy does for its own bulk work; cycles are still collected, only less
often, and the thresholds are put back when the last bulk write in the process ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = ["BULK_THRESHOLDS", "fewer_collections"]

BULK_THRESHOLDS: Final = (200_000, 30, 30)
"""The collector's thresholds during a bulk write (CPython's defaults are 700, 10, 10)."""


class _Collector:
    """The thresholds the process had before its first bulk write, and how many are running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writers = 0
        self._saved = gc.get_threshold()

    def enter(self) -> None:
        with self._lock:
            if self._writers == 0:
                self._saved = gc.get_threshold()
                gc.set_threshold(*BULK_THRESHOLDS)
            self._writers += 1

    def leave(self) -> None:
        with self._lock:
            self._writers -= 1
            if self._writers == 0:
                gc.set_threshold(*self._saved)


_COLLECTOR: Final = _Collector()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cycles less often while the block runs (`BULK_THRESHOLDS`).

    Nested and concurrent uses share one setting: the first to enter raises the thresholds,
    the last to leave restores what they were.
    """
    _COLLECTOR.enter()
    try:
        yield
    finally:
        _COLLECTOR.leave()
