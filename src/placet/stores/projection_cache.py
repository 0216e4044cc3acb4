"""Decoded projections kept in memory between appends, valid while the chain head stays put.

Most of a bulk import's appends are about subscribers an earlier batch already recorded,
and reading and decoding their stored projection cost more than folding the new events in.
This process keeps the projections it wrote last, tagged with the chain head it left; an
append that finds the head still there (no other process or thread appended since) takes
them from here instead of the database. Any other head, and they are not used.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from placet.ledger import SubjectProjection, SubjectRef

__all__ = ["ProjectionCache"]


class ProjectionCache:
    """The projections this process wrote, and the chain head they are current at."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._entries: dict[SubjectRef, SubjectProjection] = {}
        self._head: int | None = None

    def lookup(
        self, head: int, subjects: Iterable[SubjectRef]
    ) -> dict[SubjectRef, SubjectProjection]:
        """Those of `subjects` held here, if the chain head is still `head`; else none."""
        with self._lock:
            if self._head != head:
                return {}
            return {
                subject: self._entries[subject] for subject in subjects if subject in self._entries
            }

    def store(
        self, start: int, end: int, projections: Mapping[SubjectRef, SubjectProjection]
    ) -> None:
        """Keep what an append that moved the head from `start` to `end` wrote (once committed).

        An append that began at another head than the one held here (another writer came
        between) replaces everything: only its own projections are known to be current.
        """
        with self._lock:
            if self._head is not None and end <= self._head:
                return  # a later append of this process has stored its projections already
            if self._head != start or len(self._entries) + len(projections) > self._capacity:
                self._entries.clear()
            self._entries.update(projections)
            self._head = end

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._head = None
