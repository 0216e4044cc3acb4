"""The lake stores beyond the contract: a sweep drops whole partitions without reading them
and rewrites only the one its cutoff cuts, a killed Parquet rewrite leaves every file old
or new, and a Delta purge waits for the table's retention of removed files."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from deltalake import write_deltalake

from placet.stores.delta_store import DeltaStore
from placet.stores.lake_selection import window_difference
from placet.stores.parquet_store import TEMPORARY_SUFFIX, ParquetStore
from placet.stores.protocol import (
    RESTRICTED_MARK,
    Remap,
    Selection,
    Store,
    key_windows,
)
from tests.stores.contract.conftest import (
    HANDOVER,
    NUMBERS,
    PARTITION,
    RECYCLED,
    TABLE,
    calls_table,
)
from tests.stores.contract.lake_factories import write_parquet_table

MID_FEBRUARY = datetime(2026, 2, 14, 12, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)


def timed_calls() -> pa.Table:
    """The contract's calls less those without a start time: every partition's files then
    show in their statistics that all their rows lie inside the month."""
    rows = calls_table()
    return rows.filter(pc.is_valid(rows["start_time"]))


def delta_lake(
    tmp_path: Path,
    rows: pa.Table,
    *,
    purge_retention: timedelta | None = None,
    configuration: dict[str, str | None] | None = None,
) -> DeltaStore:
    write_deltalake(
        tmp_path / "lake" / TABLE,
        rows,
        partition_by=[PARTITION.column],
        configuration=configuration,
    )
    return DeltaStore(tmp_path / "lake", {TABLE: PARTITION}, purge_retention)


def parquet_lake(tmp_path: Path, rows: pa.Table) -> ParquetStore:
    write_parquet_table(tmp_path / "lake" / TABLE, rows, PARTITION)
    return ParquetStore(tmp_path / "lake", {TABLE: PARTITION})


def data_files(tmp_path: Path, month: str) -> list[Path]:
    return sorted((tmp_path / "lake" / TABLE / f"month={month}").glob("*.parquet"))


def spoil(files: list[Path]) -> None:
    """Make files unreadable: a call that reads them fails."""
    assert files
    for file in files:
        file.write_bytes(b"not a parquet file")


def last_commit(tmp_path: Path) -> list[dict[str, dict[str, object]]]:
    entries = sorted((tmp_path / "lake" / TABLE / "_delta_log").glob("*.json"))
    return [json.loads(line) for line in entries[-1].read_text().splitlines()]


def commit_info(actions: list[dict[str, dict[str, object]]]) -> dict[str, object]:
    return next(action["commitInfo"] for action in actions if "commitInfo" in action)


def added_months(actions: list[dict[str, dict[str, object]]]) -> set[object]:
    return {
        action["add"]["partitionValues"]["month"]  # type: ignore[index]
        for action in actions
        if "add" in action
    }


def left(store: Store) -> pl.DataFrame:
    frame = pl.from_arrow(pa.Table.from_batches(list(store.find(TABLE, Selection()))))
    assert isinstance(frame, pl.DataFrame)
    return frame


def test_a_delta_sweep_drops_whole_partitions_unread_and_rewrites_only_the_cut_one(
    tmp_path: Path,
) -> None:
    store = delta_lake(tmp_path, timed_calls())
    spoil(data_files(tmp_path, "2026-01"))
    change = store.delete(TABLE, Selection(time_column="start_time", before=MID_FEBRUARY))
    wanted = timed_calls().filter(pc.less(timed_calls()["start_time"], MID_FEBRUARY))
    assert change.rows == wanted.num_rows
    assert (change.files_removed, change.files_rewritten) == (1, 1)
    commit = last_commit(tmp_path)
    info = commit_info(commit)
    assert info["operationParameters"]["predicate"] == (  # type: ignore[index]
        "month = '2026-01' OR month = '2026-02'"
    ), "a predicate on the partition column alone: January's files go unread"
    assert info["operationMetrics"]["num_removed_files"] == 2  # type: ignore[index]
    assert info["operationMetrics"]["num_added_files"] == 1  # type: ignore[index]
    assert added_months(commit) == {"2026-02"}
    assert left(store).height == timed_calls().num_rows - wanted.num_rows


def test_a_delta_sweep_to_a_month_start_is_a_metadata_only_delete(tmp_path: Path) -> None:
    store = delta_lake(tmp_path, timed_calls())
    spoil(data_files(tmp_path, "2026-01") + data_files(tmp_path, "2026-02"))
    change = store.delete(TABLE, Selection(time_column="start_time", before=MARCH))
    assert (change.files_removed, change.files_rewritten) == (2, 0)
    info = commit_info(last_commit(tmp_path))
    assert info["operation"] == "DELETE"
    metrics = info["operationMetrics"]
    assert metrics["num_added_files"] == metrics["num_copied_rows"] == 0  # type: ignore[index]
    assert change.rows == metrics["num_deleted_rows"] > 0  # type: ignore[index]
    assert left(store)["month"].unique().to_list() == ["2026-03"]


def test_a_partition_holding_rows_without_a_time_is_rewritten_not_dropped(
    tmp_path: Path,
) -> None:
    store = delta_lake(tmp_path, calls_table())
    change = store.delete(TABLE, Selection(time_column="start_time", before=MARCH))
    assert (change.files_removed, change.files_rewritten) == (0, 2)
    assert left(store)["start_time"].null_count() == calls_table()["start_time"].null_count


def test_a_parquet_sweep_removes_whole_files_and_rewrites_only_the_cut_one(
    tmp_path: Path,
) -> None:
    store = parquet_lake(tmp_path, timed_calls())
    (march,) = data_files(tmp_path, "2026-03")
    untouched = march.stat()
    change = store.delete(TABLE, Selection(time_column="start_time", before=MID_FEBRUARY))
    assert (change.files_removed, change.files_rewritten) == (1, 1)
    assert not (tmp_path / "lake" / TABLE / "month=2026-01").exists()
    assert (march.stat().st_ino, march.stat().st_mtime_ns) == (
        untouched.st_ino,
        untouched.st_mtime_ns,
    )
    assert left(store).filter(pl.col("start_time") < MID_FEBRUARY).height == 0


def test_a_stray_temporary_file_is_ignored_and_cleared_by_the_next_rewrite(
    tmp_path: Path,
) -> None:
    store = parquet_lake(tmp_path, calls_table())
    (january,) = data_files(tmp_path, "2026-01")
    stray = january.with_name(f".{january.name}.killed{TEMPORARY_SUFFIX}")
    stray.write_bytes(b"half of a new version")
    assert left(store).height == calls_table().num_rows
    assert store.count(TABLE, Selection()) == calls_table().num_rows
    store.delete(TABLE, Selection(time_column="start_time", before=MID_FEBRUARY))
    assert not stray.exists()


def test_a_rewrite_killed_before_its_replace_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Killed(BaseException):
        pass

    def killed(source: object, target: object) -> None:
        raise Killed

    store = parquet_lake(tmp_path, calls_table())
    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(Killed):
        store.delete(TABLE, Selection(time_column="start_time", before=MID_FEBRUARY))
    monkeypatch.undo()
    assert left(store).height == calls_table().num_rows
    assert not list((tmp_path / "lake").rglob(f"*{TEMPORARY_SUFFIX}"))


def test_a_parquet_purge_is_complete_at_once_and_clears_leftovers(tmp_path: Path) -> None:
    store = parquet_lake(tmp_path, calls_table())
    store.delete(TABLE, Selection(time_column="start_time", before=MID_FEBRUARY))
    (march,) = data_files(tmp_path, "2026-03")
    march.with_name(f".{march.name}.killed{TEMPORARY_SUFFIX}").write_bytes(b"new version")
    purge = store.purge(TABLE)
    assert purge.complete
    assert purge.files_removed == 1
    assert "keeps no old versions" in purge.detail


def test_a_delta_purge_waits_for_the_tables_retention(tmp_path: Path) -> None:
    store = delta_lake(tmp_path, calls_table())
    by_holder = Selection(
        time_column="start_time",
        key_column="a_number",
        windows=key_windows([RECYCLED], before=[HANDOVER]),
    )
    store.delete(TABLE, by_holder)
    waiting = store.purge(TABLE)
    assert not waiting.complete
    assert waiting.files_removed == 0
    assert "7 days" in waiting.detail
    assert "delta.deletedFileRetentionDuration" in waiting.detail
    now = DeltaStore(tmp_path / "lake", {TABLE: PARTITION}, purge_retention=timedelta(0))
    done = now.purge(TABLE)
    assert done.complete, done.detail
    assert done.files_removed == 2


def test_a_delta_purge_honours_the_tables_own_retention(tmp_path: Path) -> None:
    store = delta_lake(
        tmp_path,
        calls_table(),
        configuration={"delta.deletedFileRetentionDuration": "interval 0 seconds"},
    )
    store.delete(TABLE, Selection(time_column="start_time", before=MID_FEBRUARY))
    purge = store.purge(TABLE)
    assert purge.complete, purge.detail
    assert purge.files_removed == 2


@pytest.fixture(params=["delta", "parquet"])
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "delta":
        return delta_lake(tmp_path, calls_table())
    return parquet_lake(tmp_path, calls_table())


def expected_calls() -> pl.DataFrame:
    frame = pl.from_arrow(calls_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def test_a_restriction_leaves_the_excluded_windows_unmarked(lake: Store) -> None:
    held = key_windows([NUMBERS[1], RECYCLED], since=[None, HANDOVER - timedelta(days=5)])
    selection = Selection(
        time_column="start_time", key_column="a_number", before=MARCH, exclude=held
    )
    change = lake.update(TABLE, selection, {}, mark=RESTRICTED_MARK, at=MARCH)
    table = expected_calls()
    wanted = table.filter(
        (pl.col("start_time") < MARCH)
        & (pl.col("a_number") != NUMBERS[1])
        & ~(
            (pl.col("a_number") == RECYCLED)
            & (pl.col("start_time") >= HANDOVER - timedelta(days=5))
        )
    )
    assert change.rows == wanted.height
    marked = left(lake).filter(pl.col(RESTRICTED_MARK).is_not_null())
    assert set(marked["call_id"]) == set(wanted["call_id"])
    assert lake.update(TABLE, selection, {}, mark=RESTRICTED_MARK, at=MARCH).rows == 0


def test_a_remap_in_key_windows_less_the_excluded_ones(lake: Store) -> None:
    def reversed_text(values: pa.Array) -> pa.Array:
        return pc.utf8_reverse(values)

    windows = key_windows([RECYCLED, NUMBERS[2]], before=[HANDOVER, None])
    held = key_windows([RECYCLED], since=[datetime(2026, 1, 20, tzinfo=UTC)])
    selection = Selection(
        time_column="start_time", key_column="a_number", windows=windows, exclude=held
    )
    rewrites = {"a_number": Remap("reversed", reversed_text)}
    change = lake.update(TABLE, selection, rewrites, mark=RESTRICTED_MARK, at=MARCH)
    table = expected_calls()
    recycled_early = (pl.col("a_number") == RECYCLED) & (
        pl.col("start_time") < datetime(2026, 1, 20, tzinfo=UTC)
    )
    wanted = table.filter(recycled_early | (pl.col("a_number") == NUMBERS[2]))
    assert change.rows == wanted.height
    found = left(lake).filter(pl.col(RESTRICTED_MARK).is_not_null())
    assert set(found["call_id"]) == set(wanted["call_id"])
    assert set(found["a_number"]) == {RECYCLED[::-1], NUMBERS[2][::-1]}


def test_a_row_without_a_time_whose_key_is_excluded_is_kept(lake: Store) -> None:
    held = key_windows([NUMBERS[1]], since=[HANDOVER])
    selection = Selection(
        time_column="start_time",
        key_column="a_number",
        windows=key_windows([NUMBERS[1]]),
        exclude=held,
    )
    table = expected_calls().filter(pl.col("a_number") == NUMBERS[1])
    wanted = table.filter(pl.col("start_time") < HANDOVER)
    assert table.filter(pl.col("start_time").is_null()).height > 0
    assert lake.delete(TABLE, selection).rows == wanted.height
    assert (
        left(lake)
        .filter((pl.col("a_number") == NUMBERS[1]) & pl.col("start_time").is_null())
        .height
        == table.filter(pl.col("start_time").is_null()).height
    )


def test_overlapping_windows_delete_each_row_once(lake: Store) -> None:
    windows = key_windows(
        [RECYCLED, RECYCLED],
        since=[None, datetime(2026, 1, 20, tzinfo=UTC)],
        before=[HANDOVER, MARCH],
    )
    selection = Selection(time_column="start_time", key_column="a_number", windows=windows)
    wanted = expected_calls().filter(
        (pl.col("a_number") == RECYCLED) & (pl.col("start_time") < MARCH)
    )
    assert lake.count(TABLE, selection) == wanted.height
    assert lake.delete(TABLE, selection).rows == wanted.height


def test_window_difference_joins_overlaps_and_cuts_out_the_excluded_spans() -> None:
    def at(day: int) -> datetime:
        return datetime(2026, 1, day, tzinfo=UTC)

    windows = key_windows(["a", "a", "b"], since=[at(1), at(3), None], before=[at(5), at(8), None])
    exclude = key_windows(["a", "b", "c"], since=[at(4), at(2), None], before=[at(6), None, None])
    difference = window_difference(windows, exclude).sort_by(
        [("key", "ascending"), ("since", "ascending")]
    )
    assert difference.to_pylist() == [
        {"key": "a", "since": at(1), "before": at(4)},
        {"key": "a", "since": at(6), "before": at(8)},
        {"key": "b", "since": None, "before": at(2)},
    ]


@pytest.fixture(params=["delta", "parquet"])
def unpartitioned(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    rows = calls_table().drop_columns(["month"])
    if request.param == "delta":
        write_deltalake(tmp_path / "lake" / TABLE, rows)
        return DeltaStore(tmp_path / "lake")
    (tmp_path / "lake" / TABLE).mkdir(parents=True)
    pq.write_table(rows, tmp_path / "lake" / TABLE / "calls.parquet", row_group_size=100)
    return ParquetStore(tmp_path / "lake")


def test_a_sweep_less_held_windows_on_a_table_without_partitions(unpartitioned: Store) -> None:
    held = key_windows([NUMBERS[3]], since=[datetime(2026, 1, 10, tzinfo=UTC)])
    selection = Selection(
        time_column="start_time", key_column="a_number", before=MID_FEBRUARY, exclude=held
    )
    table = expected_calls()
    wanted = table.filter(
        (pl.col("start_time") < MID_FEBRUARY)
        & ~(
            (pl.col("a_number") == NUMBERS[3])
            & (pl.col("start_time") >= datetime(2026, 1, 10, tzinfo=UTC))
        )
    )
    assert unpartitioned.count(TABLE, selection) == wanted.height
    assert unpartitioned.delete(TABLE, selection).rows == wanted.height
    assert set(left(unpartitioned)["call_id"]) == set(table["call_id"]) - set(wanted["call_id"])
    assert unpartitioned.delete(TABLE, selection).rows == 0
