"""The request queue's clock: what falls due in a span, and what is overdue."""

from __future__ import annotations

import pytest

from placet.dsr import due_within, fulfil, overdue, start_verification, start_work
from placet.dsr import verified as mark_verified
from placet.errors import RequestError
from tests.dsr.builders import make_request, utc


def test_due_within_lists_the_open_requests_due_in_the_span_soonest_first() -> None:
    early = make_request(received_at=utc(2025, 3, 10), request_id="DSR-early")
    late = make_request("ipnordic", received_at=utc(2025, 3, 13), request_id="DSR-late")
    outside = make_request(received_at=utc(2025, 3, 20), request_id="DSR-outside")

    due = due_within([late, outside, early], utc(2025, 4, 7), utc(2025, 4, 14))

    assert [request.request_id for request in due] == ["DSR-early", "DSR-late"]


def test_due_within_leaves_out_answered_and_overdue_requests() -> None:
    request = make_request(received_at=utc(2025, 3, 10))
    request = mark_verified(request, actor="agent-7", at=utc(2025, 3, 11))
    request = start_work(request, actor="agent-7", at=utc(2025, 3, 12))
    done = fulfil(request, actor="agent-7", at=utc(2025, 3, 13))
    missed = make_request(received_at=utc(2025, 2, 1), request_id="DSR-missed")

    assert due_within([done, missed], utc(2025, 4, 7), utc(2025, 4, 14)) == []


def test_due_within_takes_a_paused_request_by_its_due_date_at_the_start() -> None:
    request = make_request(received_at=utc(2025, 3, 1))
    paused = start_verification(request, actor="agent-7", at=utc(2025, 4, 1, 12))

    # Twelve hours were left when the pause began on 1 April; on 7 April they still are.
    assert due_within([paused], utc(2025, 4, 7), utc(2025, 4, 14)) == [paused]


def test_overdue_lists_the_longest_overdue_first() -> None:
    older = make_request(received_at=utc(2025, 1, 10), request_id="DSR-older")
    newer = make_request(received_at=utc(2025, 2, 10), request_id="DSR-newer")
    on_time = make_request(received_at=utc(2025, 3, 10), request_id="DSR-on-time")

    late = overdue([newer, on_time, older], utc(2025, 3, 20))

    assert [request.request_id for request in late] == ["DSR-older", "DSR-newer"]


def test_an_empty_span_is_refused() -> None:
    with pytest.raises(RequestError, match="is empty"):
        due_within([], utc(2025, 4, 7), utc(2025, 4, 7))
