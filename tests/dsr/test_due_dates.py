"""Due dates: calendar months from the day after receipt, month ends clamped, no roll to a
working day, pauses added, IPKO's extension to three months and ipnordic's refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from placet.dsr import (
    RequestKind,
    RequestState,
    ask_clarification,
    clarified,
    extend,
    start_verification,
)
from placet.dsr import verified as mark_verified
from placet.dsr.lifecycle import replay
from placet.dsr.model import DeadlineTerms
from placet.errors import RequestError
from placet.policy import load_policy
from tests.conftest import MINIMAL
from tests.dsr.builders import POLICIES, end_of, local, make_request, utc

BOTH = pytest.mark.parametrize("policy", ["ipko", "ipnordic"])


@BOTH
def test_a_request_received_on_15_march_is_due_by_the_end_of_15_april(policy: str) -> None:
    request = make_request(policy, local(policy, 2025, 3, 15, 9, 30))

    assert request.due_at == end_of(policy, 2025, 4, 15)
    assert not request.is_overdue(local(policy, 2025, 4, 15, 23, 59))
    assert request.is_overdue(local(policy, 2025, 4, 16))


@BOTH
def test_the_day_of_receipt_is_not_counted_whatever_the_hour(policy: str) -> None:
    early = make_request(policy, local(policy, 2025, 3, 15, 0, 1))
    late = make_request(policy, local(policy, 2025, 3, 15, 23, 59))

    assert early.due_at == late.due_at == end_of(policy, 2025, 4, 15)


@BOTH
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (utc(2025, 1, 31), date(2025, 2, 28)),
        (utc(2024, 1, 31), date(2024, 2, 29)),
        (utc(2025, 3, 31), date(2025, 4, 30)),
        (utc(2025, 12, 15), date(2026, 1, 15)),
    ],
)
def test_a_month_ends_on_the_last_day_when_the_next_month_is_shorter(
    policy: str, received: datetime, due: date
) -> None:
    request = make_request(policy, received)

    assert request.due_at.date() == due


def test_a_deadline_on_a_saturday_does_not_roll_to_the_next_working_day() -> None:
    request = make_request("ipnordic", utc(2025, 5, 14, 12))

    assert request.due_at.date() == date(2025, 6, 14)
    assert request.due_at.date().weekday() == 5


def test_days_are_the_controllers_days_whatever_the_zone_the_instant_is_given_in() -> None:
    # 23:30 UTC on 15 March is 00:30 on 16 March in Copenhagen: the request came on the 16th
    # there, and is due by the end of 16 April there (21:59:59 UTC, summer time by then).
    received = utc(2025, 3, 15, 23, 30).astimezone(timezone(timedelta(hours=-5)))

    request = make_request("ipnordic", received)

    assert request.received_at == utc(2025, 3, 15, 23, 30)
    assert request.due_at == end_of("ipnordic", 2025, 4, 16)
    assert request.due_at == datetime(2025, 4, 16, 21, 59, 59, 999999, tzinfo=UTC)


def test_a_policy_that_names_no_time_zone_counts_utc_days() -> None:
    minimal = load_policy(MINIMAL)
    terms = DeadlineTerms.from_policy(minimal)

    assert minimal.controller.timezone is None
    assert terms.first_due(utc(2025, 3, 15, 23, 30)) == datetime(
        2025, 4, 15, 23, 59, 59, 999999, tzinfo=UTC
    )


@BOTH
def test_a_pause_of_five_days_moves_the_due_date_by_five_days(policy: str) -> None:
    request = make_request(policy, utc(2025, 3, 15, 9, 30))
    before = request.due_at

    paused = start_verification(request, actor="agent-7", at=utc(2025, 3, 16, 10))
    resumed = mark_verified(paused, actor="agent-7", at=utc(2025, 3, 21, 10))

    assert resumed.due_at == before + timedelta(days=5)
    assert resumed.due_at.date() == date(2025, 4, 20)
    assert resumed.paused_for(utc(2025, 4, 1)).total == timedelta(days=5)


def test_while_paused_the_due_date_moves_with_the_clock_and_the_pause_is_shown() -> None:
    request = make_request("ipko", utc(2025, 3, 15, 9, 30))
    asked = ask_clarification(
        request, actor="agent-7", at=utc(2025, 4, 10), reason="Which contract?"
    )

    paused = asked.paused_for(utc(2025, 4, 30))

    assert paused.since == utc(2025, 4, 10)
    assert paused.current == paused.total == timedelta(days=20)
    assert paused.waiting_on is RequestState.AWAITING_CLARIFICATION
    assert asked.due_as_of(utc(2025, 4, 30)) == asked.due_at + timedelta(days=20)
    assert not asked.is_overdue(utc(2025, 4, 30))


def test_a_request_paused_after_its_due_date_stays_overdue() -> None:
    request = make_request("ipnordic", utc(2025, 3, 15, 9, 30))
    asked = ask_clarification(
        request, actor="agent-7", at=utc(2025, 4, 20), reason="Which contract?"
    )
    answered = clarified(asked, actor="agent-7", at=utc(2025, 5, 20))

    assert asked.is_overdue(utc(2025, 5, 1))
    assert answered.is_overdue(utc(2025, 5, 20))
    assert answered.remaining(utc(2025, 5, 20)) < -timedelta(days=4)


def test_ipko_extends_to_three_months_in_total_from_receipt() -> None:
    request = make_request("ipko", utc(2025, 3, 15, 9, 30))

    extended = extend(
        request,
        actor="dpo",
        at=utc(2025, 4, 1),
        reason="The request covers ten years of call records.",
        notified_at=utc(2025, 4, 1),
    )

    assert extended.is_extended
    assert extended.due_at.date() == date(2025, 6, 15)
    assert extended.steps[-1].notified_at == utc(2025, 4, 1)


@pytest.mark.parametrize(
    ("received", "first", "extended"),
    [
        # Three months from receipt (30 April) and two further months after the first
        # deadline (28 April) differ: the earlier holds (reading request-deadline).
        (utc(2025, 1, 31, 8), date(2025, 2, 28), date(2025, 4, 28)),
        (utc(2024, 1, 31, 8), date(2024, 2, 29), date(2024, 4, 29)),
        (utc(2025, 11, 30, 8), date(2025, 12, 30), date(2026, 2, 28)),
        (utc(2025, 3, 15, 8), date(2025, 4, 15), date(2025, 6, 15)),
    ],
)
def test_an_extension_ends_at_the_earlier_of_three_months_and_two_further_months(
    received: datetime, first: date, extended: date
) -> None:
    request = make_request("ipko", received)

    longer = extend(request, actor="dpo", at=received, reason="Complex.", notified_at=received)

    assert request.due_at.date() == first
    assert longer.due_at.date() == extended


def test_pauses_are_added_to_the_extended_deadline() -> None:
    request = make_request("ipko", utc(2025, 3, 15, 9, 30))
    paused = start_verification(request, actor="agent-7", at=utc(2025, 3, 16, 10))
    resumed = mark_verified(paused, actor="agent-7", at=utc(2025, 3, 21, 10))

    extended = extend(
        resumed, actor="dpo", at=utc(2025, 4, 2), reason="Complex.", notified_at=utc(2025, 4, 2)
    )

    assert extended.due_at.date() == date(2025, 6, 20)


def test_ipnordic_refuses_an_extension_citing_its_policy() -> None:
    request = make_request("ipnordic", utc(2025, 3, 15, 9, 30))

    with pytest.raises(RequestError, match=r"policy ipnordic \S+ gives 1 month .* no extension"):
        extend(
            request, actor="dpo", at=utc(2025, 4, 1), reason="Complex.", notified_at=utc(2025, 4, 1)
        )


def test_an_extension_told_after_the_first_deadline_is_refused() -> None:
    request = make_request("ipko", utc(2025, 3, 15, 9, 30))

    with pytest.raises(RequestError, match=r"within the first deadline \(GDPR Art\. 12\(3\)\)"):
        extend(
            request,
            actor="dpo",
            at=utc(2025, 4, 16),
            reason="Complex.",
            notified_at=utc(2025, 4, 16),
        )


def test_an_extension_told_in_time_may_be_recorded_later() -> None:
    request = make_request("ipko", utc(2025, 3, 15, 9, 30))

    extended = extend(
        request, actor="dpo", at=utc(2025, 4, 17), reason="Complex.", notified_at=utc(2025, 4, 15)
    )

    assert extended.due_at.date() == date(2025, 6, 15)
    assert not extended.is_overdue(utc(2025, 4, 17))


def test_the_first_deadline_for_telling_an_extension_counts_the_pauses() -> None:
    request = make_request("ipko", utc(2025, 3, 15, 9, 30))
    paused = start_verification(request, actor="agent-7", at=utc(2025, 3, 16, 10))
    resumed = mark_verified(paused, actor="agent-7", at=utc(2025, 3, 21, 10))

    extended = extend(
        resumed, actor="dpo", at=utc(2025, 4, 18), reason="Complex.", notified_at=utc(2025, 4, 18)
    )

    assert extended.is_extended


def test_a_request_can_be_extended_only_once() -> None:
    request = make_request("ipko", utc(2025, 3, 15, 9, 30))
    once = extend(
        request, actor="dpo", at=utc(2025, 4, 1), reason="Complex.", notified_at=utc(2025, 4, 1)
    )

    with pytest.raises(RequestError, match="only once"):
        extend(once, actor="dpo", at=utc(2025, 4, 2), reason="Again.", notified_at=utc(2025, 4, 2))


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_extension_needs_a_reason(reason: str) -> None:
    request = make_request("ipko")

    with pytest.raises(RequestError, match="reason for the delay"):
        extend(request, actor="dpo", at=utc(2025, 4, 1), reason=reason, notified_at=utc(2025, 4, 1))


def test_an_extension_cannot_be_told_after_it_is_recorded() -> None:
    request = make_request("ipko")

    with pytest.raises(RequestError, match="cannot have been told"):
        extend(
            request, actor="dpo", at=utc(2025, 4, 1), reason="Complex.", notified_at=utc(2025, 4, 2)
        )


def test_a_business_opt_out_is_due_within_ipkos_15_days_and_cannot_be_extended() -> None:
    # 002#165: "U roku od petnaest (15) dana od takvog zahteva, IPKO će ... sprečiti
    # upotrebu podataka za direktni marketing" (reading business-opt-out-15-days).
    opt_out = make_request("ipko", utc(2026, 3, 1, 9), RequestKind.BUSINESS_OPT_OUT)
    access = make_request("ipko", utc(2026, 3, 1, 9), RequestKind.ACCESS)

    assert opt_out.due_at.date() == date(2026, 3, 16)
    assert opt_out.is_overdue(utc(2026, 3, 17))
    assert access.due_at.date() == date(2026, 4, 1)
    with pytest.raises(RequestError, match="within 15 days"):
        extend(opt_out, actor="dpo", at=utc(2026, 3, 5), reason="busy", notified_at=utc(2026, 3, 5))


def test_a_business_opt_out_read_back_keeps_its_15_days() -> None:
    opened = make_request("ipko", utc(2026, 3, 1, 9), RequestKind.BUSINESS_OPT_OUT)
    terms = DeadlineTerms.from_policy(POLICIES["ipko"])  # as a request book resolves them

    again = replay(
        opened.request_id, opened.kind, opened.subject, channel=opened.channel,
        received_at=opened.received_at, terms=terms, steps=opened.steps,
    )  # fmt: skip

    assert again.due_at == opened.due_at
    assert again.due_at.date() == date(2026, 3, 16)
