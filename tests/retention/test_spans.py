"""How a dataset's rows split for a run: the time prefix and the subjects whose facts may
make a rule due (`retention_shape`, `could_fall_due`) never disagree with deciding every
row (`retention_frame`); key windows select exactly the rows of their action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placet.datamap import load_datamap
from placet.policy import load_policy_set
from placet.policy.model import CategoryId
from placet.policy.terms import RetentionAction
from placet.retention import FACT_COLUMNS, retention_frame
from placet.retention.spans import (
    WINDOW_SCHEMA,
    action_windows,
    could_fall_due,
    retention_shape,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

POLICIES = {name: load_policy_set(name).latest for name in ("ipko", "ipnordic")}
AT = datetime(2026, 6, 1, 10, tzinfo=UTC)


def dataset_shapes() -> list[tuple[str, str, str, tuple[CategoryId, ...]]]:
    found = []
    for operator in POLICIES:
        datamap = load_datamap(REPO_ROOT / "examples" / "datamap" / f"{operator}.yaml")
        for _, _, dataset in datamap.located_datasets():
            categories = tuple(
                sorted({CategoryId(column.category) for column in dataset.columns.values()})
            )
            found.append((operator, dataset.id, dataset.record_type, categories))
    return found


DATASETS = dataset_shapes()


def test_ipko_traffic_is_deleted_before_twelve_months_whatever_the_facts() -> None:
    categories = (CategoryId("location-data"), CategoryId("mobile-traffic-data"))
    shape = retention_shape(POLICIES["ipko"], "traffic-and-location-data", categories, AT)
    assert shape.prefix is not None
    assert shape.prefix.action is RetentionAction.DELETE
    assert shape.prefix.rules == ("traffic-and-location-data",)
    # A record of exactly twelve months ago is due (its cutoff is `at` itself).
    assert shape.prefix.before == datetime(2025, 6, 1, 10, tzinfo=UTC) + timedelta(microseconds=1)
    assert "post-contract-restriction" in {rule.id for rule in shape.fact_rules}
    assert not shape.every_row


def test_ipko_invoices_have_no_prefix_their_rule_runs_from_the_last_contract() -> None:
    categories = (CategoryId("billing-and-payment"),)
    shape = retention_shape(POLICIES["ipko"], "invoices", categories, AT)
    assert shape.prefix is None
    assert {"invoices", "post-contract-restriction"} <= {rule.id for rule in shape.fact_rules}


def test_a_subject_who_never_had_a_contract_is_a_candidate_for_the_invoices_rule() -> None:
    shape = retention_shape(POLICIES["ipko"], "invoices", (CategoryId("billing-and-payment"),), AT)
    given = {
        "last_contract_end": [None, None, datetime(2025, 1, 1, tzinfo=UTC)],
        "never_had_contract": [True, False, False],
    }
    facts = pl.DataFrame(
        {name: given.get(name, [None] * 3) for name in FACT_COLUMNS}, schema=FACT_COLUMNS
    )

    candidates = facts.select(could_fall_due(shape.fact_rules, AT)).to_series()

    # Never a contract: the invoices' own dates decide. A contract running: nothing can be
    # due. One ended in 2025: its six years have not run, and nothing else is due yet.
    assert candidates.to_list() == [True, False, False]


def test_a_prefix_by_the_end_of_the_year_starts_on_the_controllers_new_year() -> None:
    categories = (CategoryId("real-estate-documentation"),)
    shape = retention_shape(POLICIES["ipko"], "real-estate-documentation", categories, AT)

    # Twenty years after their year ends: the records of 2005 and before, on IPKO's clock,
    # whose 2006 began at 23:00 UTC on 31 December 2005.
    assert shape.prefix is not None
    assert shape.prefix.before == datetime(2005, 12, 31, 23, tzinfo=UTC)


def test_anonymised_data_is_kept_without_a_split() -> None:
    shape = retention_shape(POLICIES["ipko"], "anonymised-data", (), AT)
    assert shape.prefix is None
    assert shape.fact_rules == ()
    assert not shape.every_row


INSTANTS = st.builds(
    lambda days, seconds: datetime(2019, 1, 1, tzinfo=UTC) + timedelta(days=days, seconds=seconds),
    st.integers(0, 8 * 365),
    st.integers(0, 86_399),
)


@settings(max_examples=60, deadline=None)
@given(
    dataset=st.sampled_from(DATASETS),
    rows=st.lists(
        st.tuples(
            st.none() | INSTANTS,
            st.none() | INSTANTS,
            st.none() | INSTANTS,
            st.sampled_from([None, "consumer-subscriber", "business-entity"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    ),
    at=INSTANTS,
)
def test_the_split_agrees_with_deciding_every_row(
    dataset: tuple[str, str, str, tuple[CategoryId, ...]],
    rows: list[tuple[datetime | None, datetime | None, datetime | None, str | None, bool]],
    at: datetime,
) -> None:
    operator, _, record_type, categories = dataset
    policy = POLICIES[operator]
    frame = pl.DataFrame(
        {
            "time": [row[0] for row in rows],
            "last_contract_end": [row[1] for row in rows],
            "debt_settled_at": [row[2] for row in rows],
            "subject_type": [row[3] for row in rows],
            "never_had_contract": [row[4] for row in rows],
        },
        schema={
            "time": pl.Datetime("us", "UTC"),
            "last_contract_end": pl.Datetime("us", "UTC"),
            "debt_settled_at": pl.Datetime("us", "UTC"),
            "subject_type": pl.String,
            "never_had_contract": pl.Boolean,
        },
    )
    decided = retention_frame(
        policy,
        frame.lazy(),
        record_type=record_type,
        categories=categories,
        time_column="time",
        at=at,
    ).collect()
    shape = retention_shape(policy, record_type, categories, at)
    if shape.every_row:
        return
    checked = decided.with_columns(candidate=could_fall_due(shape.fact_rules, at))
    if shape.prefix is not None:
        before = checked.filter(pl.col("time") < shape.prefix.before)
        assert (before["retention_action"] == shape.prefix.action.value).all()
        after = checked.filter((pl.col("time") >= shape.prefix.before) | pl.col("time").is_null())
    else:
        after = checked
    # Beyond the prefix, a row of a subject on whom no fact rule can be due is kept.
    assert (after.filter(~pl.col("candidate"))["retention_action"] == "keep").all()


def _selected(frame: pl.DataFrame, windows: pa.Table) -> set[int]:
    found: set[int] = set()
    for window in windows.to_pylist():
        hits = frame.filter(
            (pl.col("key") == window["key"])
            & (pl.col("time") >= window["since"])
            & (pl.col("time") < window["before"])
        )
        found |= set(hits["row"].to_list())
    return found


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["+1", "+2", "+3", None]),
            st.none() | st.integers(0, 30),
            st.sampled_from(["delete", "keep", "restrict"]),
            st.booleans(),
        ),
        max_size=60,
    )
)
def test_windows_select_exactly_the_rows_of_their_action(
    rows: list[tuple[str | None, int | None, str, bool]],
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "row": list(range(len(rows))),
            "key": [row[0] for row in rows],
            "time": [None if row[1] is None else start + timedelta(days=row[1]) for row in rows],
            "retention_action": [row[2] for row in rows],
            "held": [row[3] for row in rows],
        },
        schema={
            "row": pl.Int64,
            "key": pl.String,
            "time": pl.Datetime("us", "UTC"),
            "retention_action": pl.String,
            "held": pl.Boolean,
        },
    )
    windows = action_windows(
        frame, key_column="key", time_column="time", action=RetentionAction.DELETE
    )
    assert windows.schema.equals(WINDOW_SCHEMA)
    selected = _selected(frame, windows)
    acting = frame.filter(
        (pl.col("retention_action") == "delete")
        & ~pl.col("held")
        & pl.col("key").is_not_null()
        & pl.col("time").is_not_null()
    )
    # Every selected row acts; every acting row is selected unless a row of the same key
    # and instant is decided otherwise (then both are kept).
    assert selected <= set(acting["row"].to_list())
    parted = (
        frame.filter(pl.col("key").is_not_null() & pl.col("time").is_not_null())
        .with_columns(acts=(pl.col("retention_action") == "delete") & ~pl.col("held"))
        .filter(pl.col("acts").n_unique().over("key", "time") > 1)
    )
    assert set(acting["row"].to_list()) - selected == set(acting["row"].to_list()) & set(
        parted["row"].to_list()
    )


@pytest.mark.parametrize("holder", ["first", "second"])
def test_a_recycled_number_is_cut_where_its_holders_differ(holder: str) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "key": ["+1"] * 6,
            "time": [start + timedelta(days=day) for day in range(6)],
            # The first holder's rows (days 0-2) are due, the second holder's are kept.
            "retention_action": ["delete"] * 3 + ["keep"] * 3
            if holder == "first"
            else ["keep"] * 3 + ["delete"] * 3,
        }
    )
    windows = action_windows(
        frame, key_column="key", time_column="time", action=RetentionAction.DELETE
    ).to_pylist()
    first_day = 0 if holder == "first" else 3
    assert windows == [
        {
            "key": "+1",
            "since": start + timedelta(days=first_day),
            "before": start + timedelta(days=first_day + 2, microseconds=1),
        }
    ]
