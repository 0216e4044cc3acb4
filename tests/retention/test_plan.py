"""`plan_dataset` sums what each rule would do to a dataset's rows, holds left out."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from placet.datamap.model import Dataset
from placet.policy import Policy, load_policy_set
from placet.policy.terms import RetentionAction
from placet.retention import HoldReason, HoldScope, LegalHold
from placet.retention.plan import SUBSCRIBER, plan_dataset

INSTANT = pl.Datetime("us", "UTC")
AT = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def ipko() -> Policy:
    return load_policy_set("ipko").latest


def dataset(record_type: str, time_column: str | None, **columns: str) -> Dataset:
    return Dataset.model_validate(
        {
            "id": "cdrs",
            "location": "cdrs",
            "kind": "table",
            "subject_key": {"column": "a_number", "kind": "msisdn"},
            "time_column": time_column,
            "record_type": record_type,
            "source": "observed",
            "provenance": "observed",
            "columns": columns,
        }
    )


def test_a_cdr_table_is_planned_by_rule_and_action_with_held_rows_left_out(ipko: Policy) -> None:
    cdrs = dataset("traffic-and-location-data", "start_time", start_time="mobile-traffic-data")
    rows = pl.LazyFrame(
        {
            "start_time": [datetime(2025, 1, 10, tzinfo=UTC), datetime(2025, 3, 5, tzinfo=UTC),
                           datetime(2025, 4, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)],
            SUBSCRIBER: ["C1", "C2", "C1", "C1"],
        },
        schema={"start_time": INSTANT, SUBSCRIBER: pl.String},
    )  # fmt: skip
    court_order = LegalHold(
        "h-1",
        HoldScope(subject="C2"),
        HoldReason.COURT_ORDER,
        "case 7",
        "dpo",
        AT.replace(year=2025),
    )

    lines = plan_dataset(ipko, cdrs, rows, at=AT, holds=[court_order])

    delete = next(line for line in lines if line.action is RetentionAction.DELETE)
    keep = next(line for line in lines if line.action is RetentionAction.KEEP)
    assert (delete.rule, delete.rows, delete.held, delete.acts_on) == (
        "traffic-and-location-data",
        3,
        1,
        2,
    )
    assert (delete.due_from, delete.due_until) == (
        datetime(2026, 1, 10, tzinfo=UTC),
        datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert (keep.rows, keep.acts_on, keep.next_cutoff) == (1, 0, datetime(2027, 1, 1, tzinfo=UTC))


def test_rows_of_a_subscriber_whose_contract_ended_are_restricted(ipko: Policy) -> None:
    crm = dataset("contract-period", "created_at", created_at="contract-data", email="contact")
    rows = pl.LazyFrame(
        {
            "created_at": [datetime(2020, 1, 1, tzinfo=UTC)] * 2,
            SUBSCRIBER: ["C1", "C2"],
            "subject_type": ["consumer-subscriber", "consumer-subscriber"],
            "last_contract_end": [datetime(2023, 1, 1, tzinfo=UTC), None],
        },
        schema={"created_at": INSTANT, SUBSCRIBER: pl.String, "subject_type": pl.String,
                "last_contract_end": INSTANT},
    )  # fmt: skip

    lines = plan_dataset(ipko, crm, rows, at=AT)

    by_action = {line.action: line for line in lines}
    assert by_action[RetentionAction.RESTRICT].rule == "post-contract-restriction"
    assert by_action[RetentionAction.RESTRICT].rows == 1
    # The other's contract runs: no rule's anchor has come, so no cutoff is known yet.
    assert (by_action[RetentionAction.KEEP].rule, by_action[RetentionAction.KEEP].rows) == (None, 1)
    assert sum(line.rows for line in lines) == 2
