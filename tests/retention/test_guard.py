"""The destruction guard: legal holds, open requests and legal retention stop exactly the
data they keep, for one subject's erasure and for a sweep over a whole dataset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placet.errors import RetentionError
from placet.policy.model import CategoryId
from placet.policy.terms import RightKind
from placet.retention.guard import (
    BlockerKind,
    DestructionScope,
    DestructivePath,
    HoldReason,
    HoldScope,
    LegalHold,
    OpenRequest,
    held_rows,
    may_destroy,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ERASURE, SWEEP = DestructivePath.ERASURE_REQUEST, DestructivePath.RETENTION_RUN
TRAFFIC, BILLING = CategoryId("mobile-traffic-data"), CategoryId("billing-and-payment")


def day(year: int, month: int, on: int) -> datetime:
    return datetime(year, month, on, tzinfo=UTC)


def hold(scope: HoldScope, **changes: object) -> LegalHold:
    fields: dict[str, object] = {
        "hold_id": "h-1",
        "scope": scope,
        "reason": HoldReason.COURT_ORDER,
        "description": "case 12/2026",
        "placed_by": "dpo",
        "placed_at": day(2026, 1, 1),
    }
    fields.update(changes)
    return LegalHold(**fields)  # type: ignore[arg-type]


def erasure(subject: str = "alice", **changes: object) -> DestructionScope:
    return DestructionScope(ERASURE, "cdrs", subject=subject, **changes)  # type: ignore[arg-type]


def test_a_hold_on_a_subject_stops_their_erasure_and_not_anothers() -> None:
    holds = [hold(HoldScope(subject="alice"))]

    theirs = may_destroy(erasure("alice"), holds, [], NOW)
    others = may_destroy(erasure("bob"), holds, [], NOW)

    assert not theirs.allowed
    assert [blocker.kind for blocker in theirs.blockers] == [BlockerKind.LEGAL_HOLD]
    assert "legal hold h-1 (court-order: case 12/2026)" in theirs.explanation
    assert others.allowed


def test_a_hold_on_a_category_does_not_stop_erasing_other_categories() -> None:
    holds = [hold(HoldScope(subject="alice", categories=frozenset({BILLING})))]

    assert may_destroy(erasure(categories=frozenset({TRAFFIC})), holds, [], NOW).allowed
    assert not may_destroy(erasure(categories=frozenset({BILLING})), holds, [], NOW).allowed
    assert not may_destroy(erasure(), holds, [], NOW).allowed  # whole rows hold billing too


def test_a_hold_over_a_span_of_time_keeps_only_the_records_of_that_span() -> None:
    holds = [
        hold(
            HoldScope(subject="alice", records_from=day(2025, 1, 1), records_until=day(2025, 2, 1))
        )
    ]

    before = erasure(records_from=day(2024, 1, 1), records_until=day(2025, 1, 1))
    during = erasure(records_from=day(2025, 1, 31), records_until=day(2025, 3, 1))

    assert may_destroy(before, holds, [], NOW).allowed
    assert not may_destroy(during, holds, [], NOW).allowed


def test_a_hold_on_another_dataset_does_not_stop_this_one() -> None:
    holds = [hold(HoldScope(subject="alice", dataset="invoices"))]

    assert may_destroy(erasure(), holds, [], NOW).allowed


@pytest.mark.parametrize(
    "changes",
    [
        {"placed_at": day(2026, 7, 1)},
        {"released_at": day(2026, 5, 1)},
        {"until": day(2026, 6, 1)},
    ],
    ids=["not yet placed", "released", "lapsed"],
)
def test_a_hold_not_in_force_stops_nothing(changes: dict[str, object]) -> None:
    assert may_destroy(erasure(), [hold(HoldScope(subject="alice"), **changes)], [], NOW).allowed


def test_releasing_a_hold_lets_the_deferred_deletion_through() -> None:
    placed = hold(HoldScope(subject="alice"))
    released = hold(HoldScope(subject="alice"), released_at=day(2026, 6, 2))

    assert not may_destroy(erasure(), [placed], [], day(2026, 6, 2)).allowed
    assert may_destroy(erasure(), [released], [], day(2026, 6, 2)).allowed


def test_a_hold_must_be_scoped_to_a_subject_a_dataset_or_a_record() -> None:
    with pytest.raises(RetentionError, match="as narrowly as its reason"):
        HoldScope(categories=frozenset({TRAFFIC}))
    with pytest.raises(RetentionError, match="must be after its records_from"):
        HoldScope(subject="alice", records_from=day(2025, 2, 1), records_until=day(2025, 1, 1))


@pytest.mark.parametrize("kind", [RightKind.ACCESS, RightKind.PORTABILITY, RightKind.RESTRICTION])
def test_an_open_request_that_needs_the_data_holds_it_until_answered(kind: RightKind) -> None:
    requests = [OpenRequest("r-7", "alice", kind)]

    decision = may_destroy(erasure(), [], requests, NOW)

    assert not decision.allowed
    assert decision.blockers[0].kind is BlockerKind.OPEN_REQUEST
    assert may_destroy(erasure("bob"), [], requests, NOW).allowed


def test_an_open_erasure_request_does_not_hold_the_data_it_asks_to_erase() -> None:
    assert may_destroy(erasure(), [], [OpenRequest("r-8", "alice", RightKind.ERASURE)], NOW).allowed


def test_an_erasure_on_request_waits_for_a_legal_retention() -> None:
    scope = erasure(legal_retention_until=day(2030, 2, 1))

    decision = may_destroy(scope, [], [], NOW)

    assert not decision.allowed
    assert decision.blockers[0].kind is BlockerKind.LEGAL_RETENTION
    assert "until 2030-02-01 (GDPR Art. 17(3)(b))" in decision.explanation
    assert may_destroy(scope, [], [], day(2030, 2, 1)).allowed


def test_a_sweep_leaves_held_subjects_out_and_goes_on() -> None:
    holds = [hold(HoldScope(subject="alice"))]
    requests = [OpenRequest("r-7", "bob", RightKind.ACCESS)]

    decision = may_destroy(DestructionScope(SWEEP, "cdrs"), holds, requests, NOW)

    assert decision.allowed
    assert {blocker.subject for blocker in decision.excluded} == {"alice", "bob"}


def test_a_hold_on_every_row_of_a_dataset_stops_its_sweep() -> None:
    holds = [hold(HoldScope(dataset="cdrs"), reason=HoldReason.REGULATOR_INQUIRY)]

    assert not may_destroy(DestructionScope(SWEEP, "cdrs"), holds, [], NOW).allowed
    assert may_destroy(DestructionScope(SWEEP, "invoices"), holds, [], NOW).allowed


def test_held_rows_marks_the_rows_a_hold_keeps() -> None:
    rows = pl.LazyFrame(
        {
            "subscriber_id": ["alice", "alice", "bob", "carol"],
            "start_time": [day(2025, 1, 15), day(2025, 3, 1), day(2025, 1, 15), day(2025, 1, 15)],
            "cdr_id": ["c1", "c2", "c3", "c4"],
        }
    )
    holds = [
        hold(
            HoldScope(subject="alice", records_from=day(2025, 1, 1), records_until=day(2025, 2, 1))
        ),
        hold(HoldScope(dataset="cdrs", record="c4"), hold_id="h-2"),
        hold(HoldScope(subject="bob", dataset="invoices"), hold_id="h-3"),
        hold(HoldScope(subject="bob"), hold_id="h-4", released_at=day(2026, 1, 2)),
    ]

    kept = rows.select(
        held_rows(
            rows,
            holds,
            dataset="cdrs",
            subject_column="subscriber_id",
            time_column="start_time",
            record_column="cdr_id",
            at=NOW,
        )
    ).collect()

    assert kept.to_series().to_list() == [True, False, False, True]


def test_held_rows_names_a_column_the_dataset_lacks() -> None:
    with pytest.raises(RetentionError, match="no column 'msisdn'"):
        held_rows(pl.LazyFrame({"x": [1]}), [], dataset="cdrs", subject_column="msisdn", at=NOW)


SUBJECTS = ["alice", "bob", "carol"]
TIMES = st.integers(0, 40).map(lambda days: day(2025, 1, 1) + timedelta(days=days))


@st.composite
def hold_scopes(draw: st.DrawFn) -> HoldScope:
    subject = draw(st.none() | st.sampled_from(SUBJECTS))
    dataset = draw(
        st.sampled_from(["cdrs", "invoices"])
        if subject is None
        else st.none() | st.sampled_from(["cdrs", "invoices"])
    )
    start, length = draw(st.none() | TIMES), draw(st.integers(1, 20))
    until = start + timedelta(days=length) if start is not None and draw(st.booleans()) else None
    return HoldScope(subject=subject, dataset=dataset, records_from=start, records_until=until)


@st.composite
def legal_holds(draw: st.DrawFn) -> LegalHold:
    released = draw(st.none() | st.sampled_from([day(2026, 5, 1), day(2026, 7, 1)]))
    return hold(draw(hold_scopes()), hold_id=f"h-{draw(st.integers(0, 99))}", released_at=released)


@settings(max_examples=400)
@given(
    holds=st.lists(legal_holds(), max_size=4),
    rows=st.lists(st.tuples(st.sampled_from(SUBJECTS), TIMES), min_size=1, max_size=8),
)
def test_a_sweep_destroys_a_row_exactly_when_the_guard_allows_that_row_alone(
    holds: list[LegalHold], rows: list[tuple[str, datetime]]
) -> None:
    frame = pl.LazyFrame(
        {"subject": [subject for subject, _ in rows], "at": [when for _, when in rows]}
    )
    sweep = may_destroy(DestructionScope(SWEEP, "cdrs"), holds, [], NOW)
    held = held_rows(
        frame, holds, dataset="cdrs", subject_column="subject", time_column="at", at=NOW
    )
    kept = frame.with_columns(held=held).collect()["held"].to_list()

    for (subject, when), is_held in zip(rows, kept, strict=True):
        alone = DestructionScope(
            SWEEP,
            "cdrs",
            subject=subject,
            records_from=when,
            records_until=when + timedelta(microseconds=1),
        )
        assert (sweep.allowed and not is_held) == may_destroy(alone, holds, [], NOW).allowed
