"""A per-client limit on the API's public endpoints: so many requests a minute from one
address, counted in memory over a sliding window, never stored or logged.

`SlidingWindowLimit.admit(client)` raises `TooManyRequestsError`, which the problem handler
answers 429 with `Retry-After`.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Final

from placet.errors import AccessError

__all__ = ["SlidingWindowLimit", "TooManyRequestsError"]

_MOST_CLIENTS: Final = 100_000
"""Clients remembered at once; past that, the one heard from least recently is forgotten,
so that a flood of addresses cannot exhaust the server's memory."""


class TooManyRequestsError(AccessError):
    """A client sent more requests than its limit allows; `retry_after` is in seconds."""

    def __init__(self, limit: int, window: float, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"This address sent more than {limit} requests in {window:g} seconds. Wait "
            f"{retry_after} second{'s' if retry_after != 1 else ''} (Retry-After) and send "
            "it again"
        )


class SlidingWindowLimit:
    """At most `limit` requests per client within any `window` seconds. Thread-safe.

    >>> limit = SlidingWindowLimit(2, 60.0)
    >>> limit.admit("203.0.113.7")
    >>> limit.admit("203.0.113.7")  # a third within the minute raises TooManyRequestsError
    """

    def __init__(
        self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, client: str) -> None:
        """Count one request from `client`, or raise `TooManyRequestsError` (not counted)."""
        now = self._clock()
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            while times and times[0] <= now - self.window:
                times.popleft()
            self._seen[client] = times
            if len(self._seen) > _MOST_CLIENTS:
                self._seen.popitem(last=False)
            if len(times) >= self.limit:
                wait = max(1, math.ceil(times[0] + self.window - now))
                raise TooManyRequestsError(self.limit, self.window, wait)
            times.append(now)
