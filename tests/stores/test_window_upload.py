"""Key windows go up to a SQL store in bulk, their bounds written column by column: the
text SQLite compares is `_TextForm.write`'s, value for value, and the windows select on
every database what they say, whatever their keys hold. Rows come back gathered into
batches of at most the size asked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa
from hypothesis import example, given
from hypothesis import strategies as st

from placet.errors import StoreError
from placet.stores.protocol import Selection, key_windows
from placet.stores.sql_store import (
    SqlStore,
    _Instants,
    _TextForm,
    _window_columns,
    open_sql_store,
)
from tests.stores.contract.conftest import PARTITION
from tests.stores.contract.sql_factories import FACTORIES, load_table

INSTANT = pa.timestamp("us", "UTC")
LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
"""The latest instant every text form can write: a later one rounds past year 9999."""
EDGES = [
    None,
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(1000, 1, 1, tzinfo=UTC),
    datetime(1900, 2, 28, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2000, 2, 29, 12, tzinfo=UTC),
    datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2024, 2, 29, 23, 59, 59, 500_000, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 59, 59, 999_001, tzinfo=UTC),
    datetime(2026, 3, 14, 9, 30, 0, 5, tzinfo=UTC),
    datetime(2026, 3, 14, 9, 30, 0, 50, tzinfo=UTC),
    datetime(2026, 3, 14, 9, 30, 0, 123_456, tzinfo=UTC),
    LAST,
]
"""Before 1970 and before year 1000, leap days, and fractions that round up across a
second, a day, a month and a year at every precision."""
ZONES = ["", "Z", "+00:00", "+0000", "-00:00"]

text_forms = st.builds(
    _TextForm,
    separator=st.sampled_from([" ", "T"]),
    digits=st.integers(0, 9),
    zone=st.sampled_from(ZONES),
)
instants = st.none() | st.datetimes(
    min_value=datetime(1, 1, 1),
    max_value=LAST.replace(tzinfo=None),
    timezones=st.just(UTC),
)


def written(form: _TextForm, values: list[datetime | None]) -> list[str | None]:
    """What `write` gives each value, one at a time (None stays None)."""
    return [None if value is None else form.write(value) for value in values]


@given(form=text_forms, values=st.lists(instants, max_size=40))
@example(form=_TextForm(), values=EDGES)
@example(form=_TextForm("T", 3, "Z"), values=EDGES)
@example(form=_TextForm("T", 0, "+00:00"), values=EDGES)
def test_a_column_of_instants_is_written_as_write_writes_each(
    form: _TextForm, values: list[datetime | None]
) -> None:
    column = pa.chunked_array([pa.array(values, INSTANT)], INSTANT)

    assert form.write_all(column).to_pylist() == written(form, values)


@pytest.mark.parametrize("digits", range(10))
@pytest.mark.parametrize("separator", [" ", "T"])
@pytest.mark.parametrize("zone", ZONES)
def test_every_text_form_writes_the_edge_instants_as_write_does(
    digits: int, separator: str, zone: str
) -> None:
    form = _TextForm(separator, digits, zone)
    column = pa.chunked_array([pa.array(EDGES[:9], INSTANT), pa.array(EDGES[9:], INSTANT)])

    assert form.write_all(column).to_pylist() == written(form, EDGES)


def test_an_instant_that_rounds_past_year_9999_is_refused_not_written() -> None:
    form = _TextForm(digits=3)
    last = datetime.max.replace(tzinfo=UTC)

    with pytest.raises(OverflowError):
        form.write(last)
    with pytest.raises(StoreError, match="rounds past"):
        form.write_all(pa.array([last], INSTANT))


def test_an_empty_column_is_written_as_an_empty_one() -> None:
    assert _TextForm().write_all(pa.chunked_array([], INSTANT)).to_pylist() == []


@given(
    values=st.lists(st.tuples(st.text(max_size=8), instants, instants), max_size=30),
    instants_kind=st.sampled_from(["text", "aware", "naive"]),
    form=text_forms,
)
def test_the_uploaded_bounds_are_the_values_a_bound_is_bound_as(
    values: list[tuple[str, datetime | None, datetime | None]],
    instants_kind: str,
    form: _TextForm,
) -> None:
    kind = {
        "text": _Instants(sa.String(), text=form),
        "aware": _Instants(sa.DateTime(timezone=True), is_aware=True),
        "naive": _Instants(sa.DateTime()),
    }[instants_kind]
    windows = key_windows(
        [key for key, _, _ in values],
        since=[since for _, since, _ in values],
        before=[before for _, _, before in values],
    )

    uploaded = _window_columns(windows, kind)

    expected = [(key, kind.value(since), kind.value(before)) for key, since, before in values]
    assert list(zip(*uploaded.to_pydict().values(), strict=True)) == expected


# ---------------------------------------------------------------- on the databases

KEYS = ["plain", 'a "quoted", comma', "new\nline", "back\\slash", "", "Zoë ☎", "tab\there"]
"""Keys that CSV, JSON and SQL quoting each have to get right."""
TIMES = [
    datetime(1965, 3, 1, 12, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2024, 2, 29, 8, 15, tzinfo=UTC),
    datetime(2026, 3, 14, 9, 30, 0, 1, tzinfo=UTC),
]


def calls() -> pa.Table:
    """One call per key and time, and one of the first key with no time."""
    rows: list[tuple[str, datetime | None]] = [(key, time) for key in KEYS for time in TIMES]
    rows.append((KEYS[0], None))
    return pa.table(
        {
            "call_id": pa.array([f"c{index}" for index in range(len(rows))], pa.string()),
            "a_number": pa.array([key for key, _ in rows], pa.string()),
            "start_time": pa.array([time for _, time in rows], INSTANT),
        }
    )


@pytest.fixture(params=sorted(FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    opened = FACTORIES[request.param](request, tmp_path, "calls", calls(), PARTITION)
    assert isinstance(opened, SqlStore)
    yield opened
    opened.close()


def selected(store: SqlStore, selection: Selection) -> set[tuple[str, datetime | None]]:
    found = pa.Table.from_batches(store.find("calls", selection, ["a_number", "start_time"]))
    return set(zip(found["a_number"].to_pylist(), found["start_time"].to_pylist(), strict=True))


def test_windows_with_awkward_keys_select_their_rows_in_their_spans(store: SqlStore) -> None:
    since, before = TIMES[1], TIMES[3]
    windows = key_windows(KEYS, since=[since] * len(KEYS), before=[before] * len(KEYS))
    selection = Selection(time_column="start_time", key_column="a_number", windows=windows)

    expected = {(key, time) for key in KEYS for time in TIMES if since <= time < before}
    assert selected(store, selection) == expected
    assert store.count("calls", selection) == len(expected)


def test_windows_open_at_both_ends_select_every_row_of_their_keys(store: SqlStore) -> None:
    selection = Selection(
        time_column="start_time", key_column="a_number", windows=key_windows([KEYS[0]])
    )

    expected = {(KEYS[0], time) for time in [*TIMES, None]}
    assert selected(store, selection) == expected
    assert store.count("calls", selection) == len(expected)


def test_a_bound_a_microsecond_off_a_row_keeps_the_row_on_its_side(store: SqlStore) -> None:
    key = KEYS[1]
    edge = TIMES[1]
    windows = key_windows(
        [key, key],
        since=[edge + timedelta(microseconds=1), None],
        before=[None, edge],
    )
    selection = Selection(time_column="start_time", key_column="a_number", windows=windows)

    assert selected(store, selection) == {(key, TIMES[0]), (key, TIMES[2]), (key, TIMES[3])}


def test_excluded_windows_with_awkward_keys_leave_their_rows_out(store: SqlStore) -> None:
    kept = KEYS[:4]
    selection = Selection(
        time_column="start_time",
        key_column="a_number",
        before=datetime(2030, 1, 1, tzinfo=UTC),
        exclude=key_windows(kept),
    )

    expected = {(key, time) for key in KEYS[4:] for time in TIMES}
    assert selected(store, selection) == expected


def test_sqlite_windows_compare_with_text_kept_to_the_millisecond(tmp_path: Path) -> None:
    database = tmp_path / "estate.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    stored = {
        "early": "2026-03-14T09:29:59.999Z",
        "at": "2026-03-14T09:30:00.000Z",
        "in": "2026-03-14T09:30:00.001Z",
        "late": "2026-03-14T10:00:00.000Z",
    }
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE calls (call_id TEXT, start_time TEXT)")
        for call, text in stored.items():
            connection.exec_driver_sql("INSERT INTO calls VALUES (?, ?)", (call, text))
    engine.dispose()
    store = open_sql_store(f"sqlite:///{database}")
    at = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    windows = key_windows(
        list(stored),
        since=[at - timedelta(microseconds=999)] * 4,
        before=[at + timedelta(microseconds=1_001)] * 4,
    )

    found = store.find(
        "calls", Selection(time_column="start_time", key_column="call_id", windows=windows)
    )

    assert {value for batch in found for value in batch.column("call_id").to_pylist()} == {
        "at",
        "in",
    }
    store.close()


@pytest.mark.parametrize("batch_rows", [1, 300, 512, 513, 1_500, 65_536])
def test_found_batches_hold_at_most_the_rows_asked_and_every_row_once(
    tmp_path: Path, batch_rows: int
) -> None:
    database = tmp_path / "estate.db"
    numbers = [f"+3834{index:07d}" for index in range(1_500)]
    load_table(f"sqlite:///{database}", "calls", pa.table({"a_number": numbers}))
    store = open_sql_store(f"sqlite:///{database}")

    batches = list(store.find("calls", Selection(), ["a_number"], batch_rows=batch_rows))

    assert all(0 < batch.num_rows <= batch_rows for batch in batches)
    assert [value for batch in batches for value in batch.column(0).to_pylist()] == numbers
    store.close()
