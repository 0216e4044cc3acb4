"""The store contract: every connector finds, counts, deletes, anonymises, restricts and
purges the same rows of the same table (`conftest.FACTORIES` lists them)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from placet.errors import StoreError
from placet.operations.estate_rows import as_utc
from placet.stores.export import ExportFormat, export_rows
from placet.stores.protocol import (
    ANONYMISED_MARK,
    RESTRICTED_MARK,
    Constant,
    MaskTail,
    Nullify,
    Remap,
    Selection,
    Store,
    key_windows,
)
from tests.stores.contract.conftest import (
    HANDOVER,
    NUMBERS,
    RECYCLED,
    START,
    TABLE,
    calls_table,
)

AT = datetime(2026, 6, 1, tzinfo=UTC)


def rows_of(store: Store, selection: Selection | None = None, **kwargs: object) -> pl.DataFrame:
    """The selected rows as a frame, times in UTC, sorted by call id, marks left out."""
    batches = list(store.find(TABLE, selection or Selection(), **kwargs))  # type: ignore[arg-type]
    for batch in batches:
        assert isinstance(batch, pa.RecordBatch)
    frame = pl.from_arrow(pa.Table.from_batches(batches)) if batches else pl.DataFrame()
    assert isinstance(frame, pl.DataFrame)
    if "start_time" in frame.columns:
        frame = frame.with_columns(as_utc(frame, "start_time"))
    return frame.sort("call_id") if "call_id" in frame.columns else frame


def expected() -> pl.DataFrame:
    frame = pl.from_arrow(calls_table())
    assert isinstance(frame, pl.DataFrame)
    return frame.sort("call_id")


def by_holder(holder: str) -> Selection:
    """The rows of the recycled number's first (s1) or second (s2) holder."""
    windows = (
        key_windows([RECYCLED], before=[HANDOVER])
        if holder == "s1"
        else key_windows([RECYCLED], since=[HANDOVER])
    )
    return Selection(time_column="start_time", key_column="a_number", windows=windows)


def ids(frame: pl.DataFrame) -> set[str]:
    return set(frame["call_id"].to_list())


def test_schema_names_the_columns(store: Store) -> None:
    names = set(store.schema(TABLE).names)
    assert {"call_id", "a_number", "b_number", "start_time", "duration_s", "cell_id"} <= names


def test_a_missing_table_is_named(store: Store) -> None:
    with pytest.raises(StoreError, match="no_such_table"):
        store.schema("no_such_table")


def test_find_every_row(store: Store) -> None:
    found = rows_of(store)
    assert found.height == expected().height
    assert found["call_id"].to_list() == expected()["call_id"].to_list()
    assert found["a_number"].to_list() == expected()["a_number"].to_list()
    assert found["duration_s"].to_list() == expected()["duration_s"].to_list()


def test_find_streams_batches_of_the_columns_asked(store: Store) -> None:
    batches = list(store.find(TABLE, Selection(), ["call_id", "duration_s"], batch_rows=100))
    assert len(batches) >= 6
    assert all(batch.num_rows <= 100 for batch in batches)
    assert all(batch.schema.names == ["call_id", "duration_s"] for batch in batches)
    assert sum(batch.num_rows for batch in batches) == expected().height


def test_a_recycled_number_names_each_holder_only_in_their_window(store: Store) -> None:
    table = expected()
    first = table.filter((pl.col("a_number") == RECYCLED) & (pl.col("start_time") < HANDOVER))
    second = table.filter((pl.col("a_number") == RECYCLED) & (pl.col("start_time") >= HANDOVER))
    assert ids(rows_of(store, by_holder("s1"))) == ids(first)
    assert ids(rows_of(store, by_holder("s2"))) == ids(second)
    assert not ids(first) & ids(second)
    assert store.count(TABLE, by_holder("s1")) == first.height


def test_several_keys_with_open_windows(store: Store) -> None:
    selection = Selection(
        key_column="a_number", windows=key_windows(NUMBERS[1:3]), time_column="start_time"
    )
    wanted = expected().filter(pl.col("a_number").is_in(NUMBERS[1:3]))
    assert ids(rows_of(store, selection)) == ids(wanted)


def test_excluded_windows_are_left_out_of_a_sweep(store: Store) -> None:
    cutoff = datetime(2026, 3, 1, tzinfo=UTC)
    kept = key_windows(
        [NUMBERS[2], RECYCLED], since=[None, HANDOVER - timedelta(days=3)], before=[None, HANDOVER]
    )
    selection = Selection(
        time_column="start_time", key_column="a_number", before=cutoff, exclude=kept
    )
    table = expected()
    left_out = (pl.col("a_number") == NUMBERS[2]) | (
        (pl.col("a_number") == RECYCLED)
        & pl.col("start_time").is_between(HANDOVER - timedelta(days=3), HANDOVER, closed="left")
    )
    wanted = table.filter((pl.col("start_time") < cutoff) & ~left_out)
    assert ids(rows_of(store, selection)) == ids(wanted)
    assert store.delete(TABLE, selection).rows == wanted.height
    assert ids(rows_of(store)) == ids(table) - ids(wanted)


def test_excluded_windows_keep_their_keys_rows_without_a_time(store: Store) -> None:
    held = NUMBERS[1]
    kept = key_windows([held], since=[START], before=[HANDOVER])
    selection = Selection(time_column="start_time", key_column="a_number", exclude=kept)
    table = expected()
    assert table.filter((pl.col("a_number") == held) & pl.col("start_time").is_null()).height
    wanted = table.filter(
        (pl.col("a_number") != held)
        | (pl.col("start_time").is_not_null() & (pl.col("start_time") >= HANDOVER))
    )
    assert ids(rows_of(store, selection)) == ids(wanted)


def test_a_time_span_alone(store: Store) -> None:
    since, before = START + timedelta(days=20), START + timedelta(days=45, hours=5)
    selection = Selection(time_column="start_time", since=since, before=before)
    wanted = expected().filter(pl.col("start_time").is_between(since, before, closed="left"))
    assert ids(rows_of(store, selection)) == ids(wanted)
    assert store.count(TABLE, selection) == wanted.height


def test_rows_without_a_time_are_never_selected_by_a_bound(store: Store) -> None:
    selection = Selection(time_column="start_time", before=AT)
    assert (
        store.count(TABLE, selection)
        == expected().filter(pl.col("start_time").is_not_null()).height
    )


def test_an_empty_selection_touches_nothing(store: Store) -> None:
    nothing = Selection(key_column="a_number", windows=key_windows([]), time_column="start_time")
    assert nothing.is_empty
    assert store.count(TABLE, nothing) == 0
    assert store.delete(TABLE, nothing).rows == 0
    assert rows_of(store).height == expected().height


def test_delete_takes_only_the_selected_rows_and_a_rerun_takes_none(store: Store) -> None:
    selection = by_holder("s1")
    before = store.count(TABLE, selection)
    change = store.delete(TABLE, selection)
    assert change.rows == before > 0
    assert store.count(TABLE, selection) == 0
    left = rows_of(store)
    assert ids(left) == ids(expected()) - ids(
        expected().filter((pl.col("a_number") == RECYCLED) & (pl.col("start_time") < HANDOVER))
    )
    assert store.count(TABLE, by_holder("s2")) > 0, "the next holder's rows stay"
    assert store.delete(TABLE, selection).rows == 0


def test_a_sweep_by_cutoff_inside_a_month(store: Store) -> None:
    cutoff = datetime(2026, 2, 14, 12, tzinfo=UTC)
    selection = Selection(time_column="start_time", before=cutoff)
    wanted = expected().filter(pl.col("start_time") < cutoff).height
    assert store.delete(TABLE, selection).rows == wanted
    left = rows_of(store)
    assert left.height == expected().height - wanted
    assert left.filter(pl.col("start_time") < cutoff).height == 0
    assert left["start_time"].null_count() == expected()["start_time"].null_count()


def test_a_sweep_to_a_month_boundary_takes_whole_months(store: Store) -> None:
    cutoff = datetime(2026, 3, 1, tzinfo=UTC)
    selection = Selection(time_column="start_time", before=cutoff)
    wanted = expected().filter(pl.col("start_time") < cutoff).height
    assert store.delete(TABLE, selection).rows == wanted
    assert store.count(TABLE, selection) == 0
    left = rows_of(store)
    assert left.filter(pl.col("start_time") < cutoff).height == 0
    assert left.height == expected().height - wanted


def test_anonymise_rewrites_marks_and_never_twice(store: Store) -> None:
    def pseudonym(values: pa.Array) -> pa.Array:
        return pa.array(
            [
                None if value is None else hashlib.sha256(value.encode()).hexdigest()[:12]
                for value in values.to_pylist()
            ],
            pa.string(),
        )

    selection = Selection(time_column="start_time", before=datetime(2026, 1, 20, tzinfo=UTC))
    wanted = expected().filter(pl.col("start_time") < datetime(2026, 1, 20, tzinfo=UTC))
    rewrites = {
        "a_number": Remap("test pseudonym", pseudonym),
        "b_number": MaskTail(3),
        "cell_id": Constant("XK"),
        "duration_s": Nullify(),
    }
    change = store.update(TABLE, selection, rewrites, mark=ANONYMISED_MARK, at=AT)
    assert change.rows == wanted.height
    assert store.count(TABLE, selection, unmarked=ANONYMISED_MARK) == 0
    changed = rows_of(store).filter(pl.col("call_id").is_in(wanted["call_id"].to_list()))
    original = dict(zip(wanted["call_id"], wanted["a_number"], strict=True))
    for row in changed.iter_rows(named=True):
        assert row["a_number"] == hashlib.sha256(original[row["call_id"]].encode()).hexdigest()[:12]
        assert row["b_number"].endswith("***")
        assert row["cell_id"] == "XK"
        assert row["duration_s"] is None
        assert row[ANONYMISED_MARK] is not None
    untouched = rows_of(store).filter(~pl.col("call_id").is_in(wanted["call_id"].to_list()))
    assert untouched["cell_id"].str.starts_with("cell-").all()
    assert untouched[ANONYMISED_MARK].null_count() == untouched.height
    again = store.update(TABLE, selection, rewrites, mark=ANONYMISED_MARK, at=AT)
    assert again.rows == 0


def test_restrict_marks_rows_without_changing_them(store: Store) -> None:
    selection = by_holder("s2")
    wanted = store.count(TABLE, selection)
    assert store.count(TABLE, selection, unmarked=RESTRICTED_MARK) == wanted
    change = store.update(TABLE, selection, {}, mark=RESTRICTED_MARK, at=AT)
    assert change.rows == wanted > 0
    assert store.count(TABLE, selection, unmarked=RESTRICTED_MARK) == 0
    marked = rows_of(store).filter(pl.col(RESTRICTED_MARK).is_not_null())
    assert ids(marked) == ids(rows_of(store, selection))
    kept = ["call_id", "a_number", "b_number", "start_time", "duration_s", "cell_id"]
    assert rows_of(store).select(kept).equals(expected().select(kept))
    assert store.update(TABLE, selection, {}, mark=RESTRICTED_MARK, at=AT).rows == 0


def test_purge_completes_the_erasure(store: Store) -> None:
    store.delete(TABLE, by_holder("s1"))
    purge = store.purge(TABLE)
    assert purge.complete, purge.detail
    assert store.count(TABLE, by_holder("s1")) == 0


def test_a_selection_must_name_what_it_compares() -> None:
    with pytest.raises(StoreError, match="key column"):
        Selection(windows=key_windows(["x"]))
    with pytest.raises(StoreError, match="time column"):
        Selection(before=AT)
    with pytest.raises(StoreError, match="time zone"):
        Selection(time_column="t", before=datetime(2026, 1, 1))
    with pytest.raises(StoreError, match="schema"):
        Selection(key_column="k", windows=pa.table({"key": ["x"]}))


def test_key_windows_are_typed() -> None:
    windows = key_windows(["a", "b"], since=[None, AT])
    assert windows.num_rows == 2
    assert pc.sum(pc.is_null(windows["since"])).as_py() == 1


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_export_writes_the_selected_rows_batch_by_batch(
    store: Store, export_format: ExportFormat, tmp_path: Path
) -> None:
    selection = by_holder("s2")
    target = tmp_path / f"calls.{export_format.value}"

    export = export_rows(
        store, TABLE, selection, target, export_format, columns=["call_id", "a_number"],
        batch_rows=7,
    )  # fmt: skip

    wanted = ids(rows_of(store, selection))
    assert export.rows == len(wanted)
    assert export.batches >= 2
    if export_format is ExportFormat.PARQUET:
        written = pl.read_parquet(target)
    elif export_format is ExportFormat.CSV:
        written = pl.read_csv(target)
    elif export_format is ExportFormat.JSON:
        written = pl.read_json(target)
    else:
        written = pl.read_ndjson(target)
    assert set(written["call_id"].to_list()) == wanted
    assert set(written["a_number"].to_list()) == {RECYCLED}
    assert not list(tmp_path.glob(".*.partial"))
