"""What the SQL store promises beyond the store contract: one statement per change however
many rows, nothing changed by a call that fails, instants compared in the form SQLite
keeps them, and erased values gone from the files after a purge."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sqlalchemy as sa

from placet.errors import StoreError
from placet.stores.protocol import (
    ANONYMISED_MARK,
    Constant,
    MaskTail,
    Remap,
    Selection,
    key_windows,
)
from placet.stores.sql_store import SqlStore, open_sql_store
from tests.stores.contract.conftest import PARTITION, START, TABLE, calls_table
from tests.stores.contract.sql_factories import FACTORIES, load_table

AT = datetime(2026, 6, 1, tzinfo=UTC)
OpenStore = Callable[[pa.Table], SqlStore]


@pytest.fixture(params=sorted(FACTORIES))
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """Opens a store on a fresh database of each kind, holding `rows` as table `calls`."""
    opened: list[SqlStore] = []

    def open_with(rows: pa.Table) -> SqlStore:
        store = FACTORIES[request.param](request, tmp_path, TABLE, rows, PARTITION)
        assert isinstance(store, SqlStore)
        opened.append(store)
        return store

    yield open_with
    for store in opened:
        store.close()


def numbered_calls(count: int) -> pa.Table:
    """`count` calls, each by its own number, an hour apart."""
    return pa.table(
        {
            "call_id": [f"c{index:06d}" for index in range(count)],
            "a_number": [f"+3834{index:07d}" for index in range(count)],
            "start_time": pa.array(
                [START + timedelta(hours=index) for index in range(count)],
                pa.timestamp("us", "UTC"),
            ),
        }
    )


def statements_of(store: SqlStore) -> list[str]:
    """The statements the store sends from now on (PostgreSQL's COPY goes by the driver)."""
    sent: list[str] = []
    sa.event.listen(
        store.engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_: sent.append(statement.lstrip().upper()),
    )
    return sent


def call_ids(store: SqlStore, selection: Selection | None = None) -> set[str]:
    batches = store.find(TABLE, selection or Selection(), ["call_id"])
    return {value for batch in batches for value in batch.column("call_id").to_pylist()}


def test_a_missing_sqlite_file_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "estate.db"
    with pytest.raises(StoreError, match="no SQLite database"):
        open_sql_store(f"sqlite:///{missing}")
    assert not missing.exists()


@pytest.mark.parametrize("url", ["sqlite://", "oracle://scott@db/orcl", "not a url"])
def test_a_database_it_cannot_act_on_is_refused(url: str) -> None:
    with pytest.raises(StoreError):
        open_sql_store(url)


def test_a_delete_by_ten_thousand_windows_is_one_statement(open_store: OpenStore) -> None:
    store = open_store(numbered_calls(20_000))
    rows = numbered_calls(20_000)
    keys = rows["a_number"].to_pylist()[::2]
    selection = Selection(
        time_column="start_time",
        key_column="a_number",
        windows=key_windows(keys, since=[START] * len(keys)),
    )
    sent = statements_of(store)

    change = store.delete(TABLE, selection)

    assert change.rows == 10_000
    assert len([statement for statement in sent if statement.startswith("DELETE")]) == 1
    assert len(sent) < 20, "the windows go up in bulk, not a statement each"
    assert call_ids(store) == set(rows["call_id"].to_pylist()[1::2])


def test_an_anonymisation_of_twenty_thousand_rows_is_one_update(open_store: OpenStore) -> None:
    store = open_store(numbered_calls(20_000))
    sent = statements_of(store)

    change = store.update(
        TABLE,
        Selection(time_column="start_time", before=AT + timedelta(days=3650)),
        {"a_number": Remap("reverse", pc.utf8_reverse)},
        mark=ANONYMISED_MARK,
        at=AT,
    )

    assert change.rows == 20_000
    assert len([statement for statement in sent if statement.startswith("UPDATE")]) == 1
    assert len(sent) < 30


def test_overlapping_windows_count_each_row_once(open_store: OpenStore) -> None:
    store = open_store(numbered_calls(100))
    key = numbered_calls(100)["a_number"][10].as_py()
    selection = Selection(
        time_column="start_time",
        key_column="a_number",
        windows=key_windows([key, key], since=[None, START], before=[AT, None]),
    )
    assert store.count(TABLE, selection) == 1
    assert store.update(TABLE, selection, {}, mark=ANONYMISED_MARK, at=AT).rows == 1
    assert store.delete(TABLE, selection).rows == 1


def test_a_failing_update_changes_nothing(open_store: OpenStore) -> None:
    store = open_store(calls_table())
    wrong = Remap("one value short", lambda values: values.slice(1))
    selection = Selection(time_column="start_time", before=AT)

    with pytest.raises(StoreError, match="it must map each value"):
        store.update(
            TABLE,
            selection,
            {"cell_id": Constant("XK"), "a_number": wrong},
            mark=ANONYMISED_MARK,
            at=AT,
        )

    assert store.count(TABLE, selection, unmarked=ANONYMISED_MARK) == store.count(TABLE, selection)
    cells = [value for batch in store.find(TABLE, Selection(), ["cell_id"]) for value in batch[0]]
    assert all(cell.as_py().startswith("cell-") for cell in cells)


def test_a_remap_keeps_nulls_and_marks_their_rows(open_store: OpenStore) -> None:
    rows = calls_table()
    numbers = rows["a_number"].to_pylist()
    rows = rows.set_column(1, "a_number", pa.array([None, *numbers[1:]], pa.string()))
    store = open_store(rows)

    change = store.update(
        TABLE,
        Selection(),
        {"a_number": Remap("upper", pc.utf8_upper)},
        mark=ANONYMISED_MARK,
        at=AT,
    )

    assert change.rows == rows.num_rows
    assert store.count(TABLE, Selection(), unmarked=ANONYMISED_MARK) == 0


def test_a_masked_tail_hides_short_values_whole(open_store: OpenStore) -> None:
    store = open_store(
        pa.table({"call_id": ["c1", "c2", "c3"], "b_number": ["+4520123", "12", None]})
    )

    store.update(TABLE, Selection(), {"b_number": MaskTail(3, "#")}, mark=ANONYMISED_MARK, at=AT)

    found = pa.Table.from_batches(store.find(TABLE, Selection(), ["call_id", "b_number"]))
    masked = dict(zip(found["call_id"].to_pylist(), found["b_number"].to_pylist(), strict=True))
    assert masked == {"c1": "+4520###", "c2": "###", "c3": None}


def test_the_mark_holds_the_instant_of_the_update(open_store: OpenStore) -> None:
    store = open_store(calls_table())
    at = datetime(2026, 6, 1, 12, 30, 15, 250_000, tzinfo=UTC)

    store.update(TABLE, Selection(), {}, mark=ANONYMISED_MARK, at=at)

    assert store.schema(TABLE).field(ANONYMISED_MARK).type == pa.timestamp("us", "UTC")
    marks = {
        value
        for batch in store.find(TABLE, Selection(), [ANONYMISED_MARK])
        for value in batch.column(0).to_pylist()
    }
    assert marks == {at}


def test_batches_have_the_types_of_the_schema(open_store: OpenStore) -> None:
    store = open_store(calls_table())
    schema = store.schema(TABLE)

    batches = list(store.find(TABLE, Selection(), batch_rows=250))

    assert schema.field("start_time").type == pa.timestamp("us", "UTC")
    assert schema.field("duration_s").type == pa.int64()
    assert all(batch.schema.equals(schema) for batch in batches)
    times = pa.Table.from_batches(batches)["start_time"].to_pylist()
    assert times[:2] == calls_table()["start_time"].to_pylist()[:2]


def test_a_missing_column_is_named(open_store: OpenStore) -> None:
    store = open_store(calls_table())
    with pytest.raises(StoreError, match="no column msisdn"):
        store.count(TABLE, Selection(key_column="msisdn", windows=key_windows(["+1"])))


def test_sqlite_compares_instants_in_the_text_form_the_column_holds(tmp_path: Path) -> None:
    database = tmp_path / "estate.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE calls (call_id TEXT, start_time TEXT)")
        connection.exec_driver_sql(
            "INSERT INTO calls VALUES ('early', '2026-03-14T09:29:59.999Z'), "
            "('at', '2026-03-14T09:30:00.000Z'), ('in', '2026-03-14T09:30:00.001Z'), "
            "('late', '2026-03-14T10:00:00.000Z'), ('unknown', NULL)"
        )
    engine.dispose()
    store = open_sql_store(f"sqlite:///{database}")
    since = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)

    assert call_ids(store, Selection(time_column="start_time", since=since)) == {"at", "in", "late"}
    between = Selection(
        time_column="start_time",
        since=since + timedelta(microseconds=500),
        before=since + timedelta(minutes=30),
    )
    assert call_ids(store, between) == {"in"}
    store.close()


def test_sqlite_refuses_to_compare_instants_it_cannot_read(tmp_path: Path) -> None:
    database = tmp_path / "estate.db"
    load_table(f"sqlite:///{database}", TABLE, pa.table({"call_id": ["c1"], "start_time": [17]}))
    store = open_sql_store(f"sqlite:///{database}")
    with pytest.raises(StoreError, match="cannot compare"):
        store.count(TABLE, Selection(time_column="start_time", before=AT))
    store.close()


def test_sqlite_erased_values_are_gone_from_the_files_after_a_purge(tmp_path: Path) -> None:
    database = tmp_path / "estate.db"
    load_table(f"sqlite:///{database}", TABLE, calls_table())
    with sa.create_engine(f"sqlite:///{database}").connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    store = open_sql_store(f"sqlite:///{database}")
    erased = "+38344000003"
    assert erased.encode() in database.read_bytes()

    store.delete(TABLE, Selection(key_column="a_number", windows=key_windows([erased])))
    purge = store.purge(TABLE)
    store.close()

    assert purge.complete, purge.detail
    wal = tmp_path / "estate.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    assert erased.encode() not in database.read_bytes()


def test_postgresql_purge_waits_for_a_transaction_that_can_still_read_deleted_rows(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store = FACTORIES["postgresql"](request, tmp_path, TABLE, calls_table(), PARTITION)
    assert isinstance(store, SqlStore)
    reader = store.engine.connect()
    reader.execution_options(isolation_level="REPEATABLE READ")
    reader.exec_driver_sql(f"SELECT count(*) FROM {TABLE}").scalar()

    store.delete(TABLE, Selection(time_column="start_time", before=AT))
    held = store.purge(TABLE)
    reader.rollback()
    reader.close()
    # Any transaction of the database holds VACUUM back (other tests' too): purge again.
    deadline = time.monotonic() + 30
    while not (done := store.purge(TABLE)).complete and time.monotonic() < deadline:
        time.sleep(0.2)
    store.close()

    assert not held.complete, held.detail
    assert done.complete, done.detail
