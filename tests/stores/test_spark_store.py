"""What the Spark connector does beyond the store contract: which engine runs which part of
a purge, what a crash in a Parquet rewrite leaves, and its pure parts (windows, retention)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from placet.errors import StoreError
from placet.stores.protocol import (
    ANONYMISED_MARK,
    MaskTail,
    Selection,
    Store,
    key_windows,
)
from placet.stores.spark_delta import (
    Commit,
    DeltaRsMaintenance,
    DeltaSqlMaintenance,
    commits_holding_files,
    detect_delta_maintenance,
    retention_of,
)
from placet.stores.spark_parquet import STAGING_FOLDER
from placet.stores.spark_store import SparkStore, open_spark_store
from tests.stores.contract import spark_factories
from tests.stores.contract.conftest import (
    HANDOVER,
    NUMBERS,
    PARTITION,
    RECYCLED,
    TABLE,
    calls_table,
)

AT = datetime(2026, 6, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 10, tzinfo=UTC)

# With the contract's Spark connectors, on one worker (`--dist loadgroup`): one Spark
# session for them all.
pytestmark = pytest.mark.xdist_group("spark")


def first_holder() -> Selection:
    windows = key_windows([RECYCLED], before=[HANDOVER])
    return Selection(time_column="start_time", key_column="a_number", windows=windows)


def first_holder_ids() -> set[str]:
    rows = calls_table().to_pylist()
    return {
        row["call_id"]
        for row in rows
        if row["a_number"] == RECYCLED
        and row["start_time"] is not None
        and row["start_time"] < HANDOVER
    }


def values_on_disk(folder: Path, column: str) -> set[str]:
    """Every value of `column` in every Parquet file under `folder`, read from the files
    themselves (deletion vectors ignored): what a purge must have removed."""
    return {
        value
        for path in folder.rglob("*.parquet")
        for value in pq.read_table(path, columns=[column])[column].to_pylist()
    }


def ids_on_disk(folder: Path) -> set[str]:
    return values_on_disk(folder, "call_id")


def sail_delta(tmp_path: Path, configuration: dict[str, str] | None = None) -> SparkStore:
    """The fixture table as Delta on Sail; `configuration` replaces its table properties."""
    session = spark_factories.session("sail")
    if configuration is None:
        spark_factories.write_delta(tmp_path / TABLE, calls_table(), PARTITION)
    else:
        from deltalake import write_deltalake

        write_deltalake(
            str(tmp_path / TABLE),
            calls_table(),
            partition_by=[PARTITION.column],
            configuration=configuration,
        )
    return SparkStore(session, str(tmp_path), table_format="delta", partitions={TABLE: PARTITION})


def local_parquet(tmp_path: Path) -> SparkStore:
    session = spark_factories.session("spark-local")
    pq.write_to_dataset(calls_table(), str(tmp_path / TABLE), partition_cols=[PARTITION.column])
    return SparkStore(session, str(tmp_path), table_format="parquet", partitions={TABLE: PARTITION})


def test_importing_the_spark_store_loads_neither_pyspark_nor_deltalake() -> None:
    import placet

    probe = (
        "import sys, placet.stores.spark_store; "
        "assert 'pyspark' not in sys.modules, 'pyspark'; "
        "assert 'deltalake' not in sys.modules, 'deltalake'"
    )
    source = str(Path(placet.__file__).parents[1])
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([source, *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", probe], check=False, capture_output=True, text=True, env=environment
    )
    assert done.returncode == 0, done.stderr


def test_sail_gets_delta_rs_for_the_maintenance_sql_it_does_not_parse() -> None:
    assert isinstance(detect_delta_maintenance(spark_factories.session("sail")), DeltaRsMaintenance)


def test_a_purge_on_sail_says_what_the_engine_and_delta_rs_each_did(tmp_path: Path) -> None:
    store = sail_delta(tmp_path)
    deleted = store.delete(TABLE, first_holder())
    assert deleted.version is not None
    assert first_holder_ids() <= ids_on_disk(tmp_path / TABLE), "deletion vectors keep the rows"
    purge = store.purge(TABLE)
    assert purge.complete, purge.detail
    assert "the engine rewrote 2 partitions whose files carried deletion vectors" in purge.detail
    assert "replaceWhere" in purge.detail
    assert "delta-rs" in purge.detail
    assert "0-hour retention" in purge.detail
    assert purge.files_removed >= 2
    assert not first_holder_ids() & ids_on_disk(tmp_path / TABLE)


def test_a_delta_purge_inside_the_retention_window_is_incomplete(tmp_path: Path) -> None:
    store = sail_delta(tmp_path, {"delta.enableDeletionVectors": "true"})
    store.delete(TABLE, first_holder())
    purge = store.purge(TABLE)
    assert not purge.complete
    assert "168-hour retention window" in purge.detail
    assert first_holder_ids() & ids_on_disk(tmp_path / TABLE)


def test_anonymised_values_stay_on_disk_until_the_purge(tmp_path: Path) -> None:
    store = sail_delta(tmp_path)
    cutoff = datetime(2026, 1, 3, tzinfo=UTC)
    selection = Selection(time_column="start_time", before=cutoff)
    originals = {
        row["b_number"]
        for row in calls_table().to_pylist()
        if row["start_time"] is not None and row["start_time"] < cutoff
    }
    change = store.update(TABLE, selection, {"b_number": MaskTail(3)}, mark=ANONYMISED_MARK, at=AT)
    assert change.rows == len(originals)
    assert originals <= values_on_disk(tmp_path / TABLE, "b_number")
    assert store.purge(TABLE).complete
    assert not originals & values_on_disk(tmp_path / TABLE, "b_number")


def test_overlapping_windows_of_one_key_change_each_row_once(tmp_path: Path) -> None:
    store = sail_delta(tmp_path)
    windows = key_windows(
        [RECYCLED, RECYCLED],
        since=[None, HANDOVER - timedelta(days=10)],
        before=[HANDOVER, None],
    )
    selection = Selection(time_column="start_time", key_column="a_number", windows=windows)
    timed = [row for row in calls_table().to_pylist() if row["start_time"] is not None]
    wanted = sum(1 for row in timed if row["a_number"] == RECYCLED)
    change = store.update(TABLE, selection, {}, mark=ANONYMISED_MARK, at=AT)
    assert change.rows == wanted
    assert store.count(TABLE, selection) == wanted


def test_a_tail_is_masked_only_in_text(tmp_path: Path) -> None:
    store = sail_delta(tmp_path)
    with pytest.raises(StoreError, match="duration_s"):
        store.update(
            TABLE, first_holder(), {"duration_s": MaskTail(2)}, mark=ANONYMISED_MARK, at=AT
        )


def test_open_spark_store_connects_to_a_spark_connect_address(tmp_path: Path) -> None:
    spark_factories.session("sail")
    spark_factories.write_delta(tmp_path / TABLE, calls_table(), PARTITION)
    remote = spark_factories.address("sail")
    store: Store = open_spark_store(remote, str(tmp_path), "delta", partitions={TABLE: PARTITION})
    try:
        assert store.describe() == f"spark delta tables at {tmp_path}"
        assert store.count(TABLE, Selection()) == calls_table().num_rows
    finally:
        store.close()


def test_a_parquet_delete_removes_the_rows_from_disk_at_once(tmp_path: Path) -> None:
    store = local_parquet(tmp_path)
    change = store.delete(TABLE, first_holder())
    assert change.rows == len(first_holder_ids())
    assert change.files_removed == 2
    assert not first_holder_ids() & ids_on_disk(tmp_path)
    assert not (tmp_path / STAGING_FOLDER / TABLE).exists() or not any(
        (tmp_path / STAGING_FOLDER / TABLE).iterdir()
    )


def test_a_parquet_partition_emptied_keeps_the_table_readable(tmp_path: Path) -> None:
    store = local_parquet(tmp_path)
    january = Selection(time_column="start_time", before=datetime(2026, 2, 1, tzinfo=UTC))
    untimed = Selection(key_column="a_number", windows=key_windows(NUMBERS))
    store.delete(TABLE, january)
    store.delete(TABLE, untimed)
    assert store.count(TABLE, Selection()) == 0
    assert "call_id" in store.schema(TABLE).names


def with_null_months(rows: pa.Table) -> pa.Table:
    """The rows, every seventh without a month (a partition value missing upstream)."""
    months = [
        None if index % 7 == 0 else month for index, month in enumerate(rows["month"].to_pylist())
    ]
    return rows.set_column(
        rows.schema.get_field_index("month"), "month", pa.array(months, pa.string())
    )


@pytest.mark.parametrize("engine", ["sail-delta", "spark-local-parquet"])
def test_rows_without_a_partition_value_are_kept_unless_selected(
    engine: str, tmp_path: Path
) -> None:
    rows = with_null_months(calls_table())
    store = spark_factories.FACTORIES[engine](None, tmp_path, TABLE, rows, PARTITION)
    held = key_windows([NUMBERS[1]])
    selection = Selection(time_column="start_time", key_column="a_number", exclude=held)
    untouched = [row for row in rows.to_pylist() if row["a_number"] == NUMBERS[1]]
    assert store.delete(TABLE, selection).rows == rows.num_rows - len(untouched)
    left = pa.Table.from_batches(list(store.find(TABLE, Selection(), ["call_id", "month"])))
    assert sorted(left["call_id"].to_pylist()) == sorted(row["call_id"] for row in untouched)
    assert left["month"].null_count == sum(1 for row in untouched if row["month"] is None) > 0


class ProcessKilledError(Exception):
    """The process dies here."""


def test_a_parquet_rewrite_killed_mid_swap_is_finished_by_the_next_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from placet.stores import spark_parquet

    store = local_parquet(tmp_path)
    swap = spark_parquet.PartitionFolders._swap

    def killed_after_one(folders: Any, run: str, units: list[str]) -> int:
        swap(folders, run, units[:1])
        raise ProcessKilledError

    monkeypatch.setattr(spark_parquet.PartitionFolders, "_swap", killed_after_one)
    with pytest.raises(ProcessKilledError):
        store.delete(TABLE, first_holder())
    monkeypatch.undo()
    purge = store.purge(TABLE)
    assert "1 interrupted rewrites finished or dropped" in purge.detail
    assert store.count(TABLE, Selection()) == calls_table().num_rows - len(first_holder_ids())
    assert not first_holder_ids() & ids_on_disk(tmp_path)


def test_a_parquet_rewrite_killed_before_its_mark_leaves_the_table_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from placet.stores import spark_parquet

    store = local_parquet(tmp_path)

    def killed(folders: Any, run: str, units: list[str]) -> tuple[int, int]:
        raise ProcessKilledError

    monkeypatch.setattr(spark_parquet.PartitionFolders, "commit", killed)
    with pytest.raises(ProcessKilledError):
        store.delete(TABLE, first_holder())
    monkeypatch.undo()
    assert store.count(TABLE, first_holder()) == len(first_holder_ids())
    store.purge(TABLE)
    assert not any((tmp_path / STAGING_FOLDER / TABLE).iterdir())


def test_delta_sql_maintenance_purges_with_reorg_then_vacuum() -> None:
    statements = DeltaSqlMaintenance(retain_hours=24).purge_statements("/lake/calls")
    assert statements == [
        "REORG TABLE delta.`/lake/calls` APPLY (PURGE)",
        "VACUUM delta.`/lake/calls` RETAIN 24 HOURS",
    ]
    assert DeltaSqlMaintenance().purge_statements("/lake/calls")[1] == "VACUUM delta.`/lake/calls`"


def test_files_removed_inside_the_retention_window_are_still_held() -> None:
    history = [
        Commit(3, NOW - timedelta(hours=1), "VACUUM END", {"numDeletedFiles": "4"}),
        Commit(2, NOW - timedelta(hours=2), "DELETE", {"numRemovedFiles": "2"}),
        Commit(1, NOW - timedelta(days=9), "MERGE", {"numTargetFilesRemoved": "1"}),
        Commit(0, NOW - timedelta(days=10), "WRITE", {"num_removed_files": "0"}),
    ]
    held = commits_holding_files(history, timedelta(days=7), NOW)
    assert [commit.version for commit in held] == [2]
    assert commits_holding_files(history, timedelta(0), NOW) == []


def test_retention_is_read_from_the_table_property() -> None:
    assert retention_of({}) == timedelta(days=7)
    assert retention_of({"delta.deletedFileRetentionDuration": "interval 36 hours"}) == timedelta(
        hours=36
    )
    assert retention_of({"delta.deletedFileRetentionDuration": "interval 1 week"}) == timedelta(
        weeks=1
    )
    with pytest.raises(StoreError, match="retain_hours"):
        retention_of({"delta.deletedFileRetentionDuration": "forever"})


def test_parquet_folders_are_changed_through_apache_spark_only(tmp_path: Path) -> None:
    engine = spark_factories.session("sail")
    with pytest.raises(StoreError, match="not Apache Spark"):
        SparkStore(engine, str(tmp_path), table_format="parquet")
    assert not SparkStore(engine, str(tmp_path), table_format="delta").on_apache_spark
