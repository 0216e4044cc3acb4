"""Which requests fall due in a span of time, and which are overdue: the request queue's
clock.

Imports nothing outside the standard library, `placet.policy` and `placet.errors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from placet.dsr.model import SubjectRequest, as_utc
from placet.errors import RequestError

__all__ = ["due_within", "overdue"]


def due_within(
    requests: Iterable[SubjectRequest], start: datetime, end: datetime
) -> list[SubjectRequest]:
    """The open requests due in [start, end), soonest first: "what is due this week".

    Due dates are taken as they stand at `start`: a request whose clock stands still is
    listed by the date it would be due if the clock ran again then. Overdue requests are
    not listed; ask `overdue` for them."""
    start = as_utc(start, "start")
    end = as_utc(end, "end")
    if end <= start:
        raise RequestError(
            f"The span from {start.isoformat()} to {end.isoformat()} is empty. Give an end "
            "after the start."
        )
    due = [
        (request.due_as_of(start), request)
        for request in requests
        if not request.is_final and start <= request.due_as_of(start) < end
    ]
    return [request for _, request in sorted(due, key=lambda pair: (pair[0], pair[1].request_id))]


def overdue(requests: Iterable[SubjectRequest], at: datetime) -> list[SubjectRequest]:
    """The open requests past their due date at `at`, the longest overdue first."""
    late = [(request.remaining(at), request) for request in requests if request.is_overdue(at)]
    return [request for _, request in sorted(late, key=lambda pair: (pair[0], pair[1].request_id))]
