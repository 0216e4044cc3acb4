"""An append's statements on the database driver itself: SQLite `executemany`, PostgreSQL `COPY`.

SQLAlchemy Core spends more time on each row of a batch (type processors, dictionaries,
compiling `IN` lists) than the drivers take to store it; on a million-row import that was
most of the append. These writers take the DBAPI cursor of the connection whose
transaction `SqlLedger` holds, so an append stays all or nothing, and they write exactly
what SQLAlchemy would (tests read the rows back through SQLAlchemy):

- SQLite: instants as naive UTC text `2024-05-01 12:00:00.000000`, booleans as 0/1; key
  lists travel as one JSON parameter (`json_each`), so no statement grows with the batch;
- PostgreSQL: events and payloads by `COPY … FROM STDIN`, the projection through a
  temporary table and one `INSERT … SELECT … ON CONFLICT DO UPDATE`; key lists as arrays.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final, NamedTuple, Protocol

import polars as pl
from sqlalchemy import Boolean, Date
from sqlalchemy.engine import Connection

from placet.ledger import ChainRow, SubjectProjection, SubjectRef, format_instant
from placet.stores.sql_database import is_postgresql
from placet.stores.sql_projection import PROJECTION_COLUMNS, projection_from_row, projection_row
from placet.stores.sql_schema import (
    HEAD_ROW_ID,
    UTCDateTime,
    events,
    personal_payloads,
    subject_states,
)

__all__ = ["BatchWriter", "batch_writer", "sqlite_instant"]

_EVENT_COLUMNS = tuple(column.name for column in events.columns)
_PAYLOAD_COLUMNS = tuple(column.name for column in personal_payloads.columns)
_INSTANT_COLUMNS = frozenset(
    column.name for column in subject_states.columns if isinstance(column.type, UTCDateTime)
)


class _StateRow(NamedTuple):
    """A `ledger_subject_states` row with attribute access, as `projection_from_row` reads."""

    subject_ref: str
    subject_type: str | None
    birth_date: date | None
    consents: str
    withdrawn: str
    objections: str
    objects_to_direct_marketing: bool
    restricted: bool
    contracts: str
    last_contract_end: datetime | None
    debts: str
    debt_settled_at: datetime | None
    business_opt_out: bool
    business_opt_out_until: datetime | None
    effective_through: datetime
    last_seq: int


class BatchWriter(Protocol):
    """The statements of one append, inside the transaction that holds the chain head."""

    def lock_head(self) -> tuple[int, str]:
        """The chain head's position and hash, locked until the transaction ends."""

    def recorded_rows(self, keys: Sequence[str]) -> list[ChainRow]:
        """The stored rows of the events recorded under any of `keys`, payloads included."""

    def recorded_frame(self, keys: Sequence[str]) -> pl.DataFrame:
        """What a batch sent again needs of the events recorded under any of `keys`, in
        columns (`RECORDED_SCHEMA`): no row becomes a Python object."""

    def known_event_id(self, event_ids: Sequence[str]) -> str | None:
        """One of `event_ids` already recorded, or None."""

    def insert(self, rows: Sequence[ChainRow]) -> None:
        """Store the sealed rows and their personal payloads."""

    def insert_sealed(self, sealed: pl.DataFrame) -> None:
        """Store rows sealed in columns (`seal_columns`), which carry no personal payload."""

    def projections(self, subjects: Sequence[SubjectRef]) -> list[SubjectProjection]:
        """The stored projections of those of `subjects` that have one."""

    def save_projections(self, projections: Sequence[tuple[SubjectProjection, int]]) -> None:
        """Insert or replace the projections, each with the position of its last event."""

    def save_projection_rows(self, rows: pl.DataFrame) -> None:
        """Insert or replace projections held as rows (`projection_rows`)."""

    def set_head(self, seq: int, hash_: str) -> None:
        """Move the chain head."""


def batch_writer(connection: Connection) -> BatchWriter:
    """The writer for the database `connection` is open on; its transaction must be begun."""
    cursor = connection.connection.cursor()
    if is_postgresql(connection):
        return _PostgresWriter(cursor)
    return _SqliteWriter(cursor)


def sqlite_instant(value: datetime | None) -> str | None:
    """An aware instant as SQLAlchemy's SQLite `DateTime` stores it: naive UTC text."""
    if value is None:
        return None
    text = _SQLITE_INSTANTS.get(value)
    if text is None:
        # From the canonical form, 2024-05-01T12:00:00.000000Z.
        canonical = format_instant(value)
        text = f"{canonical[:10]} {canonical[11:26]}"
        if len(_SQLITE_INSTANTS) >= _SQLITE_INSTANTS_KEPT:
            _SQLITE_INSTANTS.clear()
        _SQLITE_INSTANTS[value] = text
    return text


_SQLITE_INSTANTS: dict[datetime, str] = {}
"""Instants written lately: a batch writes each event's two instants and its subjects'
projections, which share many (the import's instant above all)."""
_SQLITE_INSTANTS_KEPT = 65536


def _from_sqlite_instant(value: str | None) -> datetime | None:
    return None if value is None else _sqlite_timestamp(value)


def _sqlite_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


_RECORDED_ROWS = (
    "SELECT e.seq, e.event_id, e.idempotency_key, e.subject_ref, e.type, e.effective_at, "
    "e.recorded_at, e.body, e.prev_hash, e.hash, p.salt, p.payload FROM ledger_events e "
    "LEFT JOIN ledger_personal_payloads p ON p.event_id = e.event_id"
)
"""The columns of `ChainRow`, in its order, for the events an append finds already recorded."""

_RECORDED_FRAME = (
    "SELECT e.idempotency_key, e.seq, e.event_id, e.recorded_at, e.body, "
    "p.salt IS NULL AND p.payload IS NULL FROM ledger_events e "
    "LEFT JOIN ledger_personal_payloads p ON p.event_id = e.event_id"
)
RECORDED_SCHEMA: Final = pl.Schema(
    {
        "idempotency_key": pl.String(),
        "_seq": pl.Int64(),
        "_event_id": pl.String(),
        "_recorded_at": pl.Datetime("us", "UTC"),
        "_body": pl.String(),
        "_plain": pl.Boolean(),
    }
)
"""`BatchWriter.recorded_frame`'s columns: each recorded event's key, position, id, instant
of recording and chained body, and whether it has no personal payload."""


def _recorded_frame(rows: list[tuple[Any, ...]], recorded_at: pl.Expr) -> pl.DataFrame:
    """`rows` of `_RECORDED_FRAME` as `RECORDED_SCHEMA`, the instant of recording made by
    `recorded_at` from the column as the driver gave it."""
    names = list(RECORDED_SCHEMA)
    frame = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    return frame.with_columns(recorded_at.alias("_recorded_at")).cast(RECORDED_SCHEMA)


def _recorded_row(values: Sequence[Any], instant: Callable[[Any], datetime]) -> ChainRow:
    """A row of `_RECORDED_ROWS`, its instants read by `instant`."""
    return ChainRow._make((*values[:5], instant(values[5]), instant(values[6]), *values[7:]))


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _placeholders(count: int, mark: str) -> str:
    return ", ".join([mark] * count)


def _names(columns: Sequence[str]) -> str:
    return ", ".join(columns)


def _row_values(row: ChainRow) -> tuple[Any, ...]:
    """The values of the events table's columns, which are `ChainRow`'s first ten fields."""
    return row[:_EVENT_FIELDS]


_EVENT_FIELDS = len(_EVENT_COLUMNS)


def _payload_values(rows: Sequence[ChainRow]) -> list[tuple[Any, ...]]:
    return [
        (row.event_id, row.subject_ref, row.salt, row.payload)
        for row in rows
        if row.payload is not None
    ]


def _value_rows(sealed: pl.DataFrame) -> Iterator[tuple[Any, ...]]:
    """The events table's values of each row of `sealed`, as SQLite stores them."""
    written = sealed.select(_EVENT_COLUMNS).with_columns(
        pl.col("effective_at", "recorded_at").dt.strftime(_SQLITE_INSTANT)
    )
    return zip(*(column.to_list() for column in written.iter_columns()), strict=True)


def _state_value_rows(rows: pl.DataFrame) -> Iterator[tuple[Any, ...]]:
    """The projection table's values of each of `rows` (`projection_rows`), as SQLite stores
    them: instants as naive UTC text, dates as ISO text, flags as 0 and 1."""
    written = (
        rows.select(PROJECTION_COLUMNS)
        .with_columns(pl.col(pl.Datetime).dt.strftime(_SQLITE_INSTANT))
        .with_columns(
            pl.col("birth_date").dt.strftime("%Y-%m-%d"), pl.col(pl.Boolean).cast(pl.Int8)
        )
    )
    return zip(*(column.to_list() for column in written.iter_columns()), strict=True)


_ANY_OF_JSON: Final = "ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))"
"""A list of keys as one JSON parameter on PostgreSQL: psycopg writes a Python list as an
array element by element (2 s a million-row import), `json.dumps` in one call; the array
is built once (an init plan), so `= ANY` still looks each up in the index."""

_SQLITE_INSTANT: Final = "%Y-%m-%d %H:%M:%S%.6f"
"""`sqlite_instant`'s form, for polars: naive UTC text, as SQLAlchemy's `DateTime` stores."""
_POSTGRES_INSTANT: Final = "%Y-%m-%d %H:%M:%S%.6f+00"
"""An instant in UTC as PostgreSQL reads it into a `timestamptz`."""

_UPDATES = ", ".join(f"{name} = excluded.{name}" for name in PROJECTION_COLUMNS[1:])
_HEAD = "SELECT seq, hash FROM ledger_head WHERE id = {mark}"


class _SqliteWriter:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def lock_head(self) -> tuple[int, str]:
        # The transaction began with BEGIN IMMEDIATE: it already holds the write lock.
        self._cursor.execute(_HEAD.format(mark="?"), (HEAD_ROW_ID,))
        seq, hash_ = self._cursor.fetchone()
        return int(seq), str(hash_)

    def _column_in(self, query: str, values: Sequence[str]) -> list[Any]:
        self._cursor.execute(query, (json.dumps(list(values)),))
        return [found for (found,) in self._cursor.fetchall()]

    def _recorded(self, select: str, keys: Sequence[str]) -> None:
        """Run `select` (over `ledger_events e`) for the events recorded under `keys`."""
        self._cursor.execute(
            f"{select} WHERE e.idempotency_key IN (SELECT value FROM json_each(?))",
            (json.dumps(list(keys)),),
        )

    def recorded_rows(self, keys: Sequence[str]) -> list[ChainRow]:
        self._recorded(_RECORDED_ROWS, keys)
        return [_recorded_row(values, _sqlite_timestamp) for values in self._cursor]

    def recorded_frame(self, keys: Sequence[str]) -> pl.DataFrame:
        self._recorded(_RECORDED_FRAME, keys)
        stored = pl.col("_recorded_at").cast(pl.String).str.to_datetime(_SQLITE_INSTANT)
        return _recorded_frame(self._cursor.fetchall(), stored.dt.replace_time_zone("UTC"))

    def known_event_id(self, event_ids: Sequence[str]) -> str | None:
        found = self._column_in(
            "SELECT event_id FROM ledger_events "
            "WHERE event_id IN (SELECT value FROM json_each(?)) LIMIT 1",
            event_ids,
        )
        return str(found[0]) if found else None

    def insert(self, rows: Sequence[ChainRow]) -> None:
        self._cursor.executemany(
            f"INSERT INTO ledger_events ({_names(_EVENT_COLUMNS)}) "
            f"VALUES ({_placeholders(len(_EVENT_COLUMNS), '?')})",
            [
                (*values[:5], sqlite_instant(values[5]), sqlite_instant(values[6]), *values[7:])
                for values in map(_row_values, rows)
            ],
        )
        payloads = _payload_values(rows)
        if payloads:
            self._cursor.executemany(
                f"INSERT INTO ledger_personal_payloads ({_names(_PAYLOAD_COLUMNS)}) "
                f"VALUES ({_placeholders(len(_PAYLOAD_COLUMNS), '?')})",
                payloads,
            )

    def insert_sealed(self, sealed: pl.DataFrame) -> None:
        self._cursor.executemany(
            f"INSERT INTO ledger_events ({_names(_EVENT_COLUMNS)}) "
            f"VALUES ({_placeholders(len(_EVENT_COLUMNS), '?')})",
            _value_rows(sealed),
        )

    def projections(self, subjects: Sequence[SubjectRef]) -> list[SubjectProjection]:
        self._cursor.execute(
            f"SELECT {_names(PROJECTION_COLUMNS)} FROM ledger_subject_states "
            "WHERE subject_ref IN (SELECT value FROM json_each(?))",
            (json.dumps(list(subjects)),),
        )
        return [projection_from_row(_sqlite_state_row(values)) for values in self._cursor]

    def save_projections(self, projections: Sequence[tuple[SubjectProjection, int]]) -> None:
        self._cursor.executemany(
            f"INSERT INTO ledger_subject_states ({_names(PROJECTION_COLUMNS)}) "
            f"VALUES ({_placeholders(len(PROJECTION_COLUMNS), '?')}) "
            f"ON CONFLICT (subject_ref) DO UPDATE SET {_UPDATES}",
            [_sqlite_state_values(projection_row(*pair)) for pair in projections],
        )

    def save_projection_rows(self, rows: pl.DataFrame) -> None:
        self._cursor.executemany(
            f"INSERT INTO ledger_subject_states ({_names(PROJECTION_COLUMNS)}) "
            f"VALUES ({_placeholders(len(PROJECTION_COLUMNS), '?')}) "
            f"ON CONFLICT (subject_ref) DO UPDATE SET {_UPDATES}",
            _state_value_rows(rows),
        )

    def set_head(self, seq: int, hash_: str) -> None:
        self._cursor.execute(
            "UPDATE ledger_head SET seq = ?, hash = ? WHERE id = ?", (seq, hash_, HEAD_ROW_ID)
        )


def _sqlite_state_values(row: tuple[Any, ...]) -> tuple[Any, ...]:
    values = list(row)
    for index, convert in _SQLITE_CONVERTED:
        value = values[index]
        if value is not None:
            values[index] = convert(value)
    return tuple(values)


def _sqlite_conversion(column: Any) -> Callable[[Any], Any]:
    if isinstance(column.type, Boolean):
        return int
    if isinstance(column.type, Date):
        return date.isoformat
    return sqlite_instant


_SQLITE_CONVERTED: tuple[tuple[int, Callable[[Any], Any]], ...] = tuple(
    (index, _sqlite_conversion(column))
    for index, column in enumerate(subject_states.columns)
    if isinstance(column.type, UTCDateTime | Date | Boolean)
)
"""The projection's columns that SQLite stores as text or 0/1: position and conversion."""


def _sqlite_state_row(values: Sequence[Any]) -> _StateRow:
    converted = list(values)
    for index, name in enumerate(PROJECTION_COLUMNS):
        if name in _INSTANT_COLUMNS:
            converted[index] = _from_sqlite_instant(converted[index])
        elif name == "birth_date" and converted[index] is not None:
            converted[index] = date.fromisoformat(converted[index])
    return _StateRow(*converted)


class _PostgresWriter:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def lock_head(self) -> tuple[int, str]:
        self._cursor.execute(_HEAD.format(mark="%s") + " FOR UPDATE", (HEAD_ROW_ID,))
        seq, hash_ = self._cursor.fetchone()
        return int(seq), str(hash_)

    def _column_in(self, query: str, values: Sequence[str]) -> list[Any]:
        self._cursor.execute(query, (json.dumps(list(values)),))
        return [found for (found,) in self._cursor.fetchall()]

    def _recorded(self, select: str, keys: Sequence[str]) -> None:
        """Run `select` (over `ledger_events e`) for the events recorded under `keys`."""
        self._cursor.execute(
            f"{select} WHERE e.idempotency_key = {_ANY_OF_JSON}", (json.dumps(list(keys)),)
        )

    def recorded_rows(self, keys: Sequence[str]) -> list[ChainRow]:
        self._recorded(_RECORDED_ROWS, keys)
        return [_recorded_row(values, _in_utc) for values in self._cursor]

    def recorded_frame(self, keys: Sequence[str]) -> pl.DataFrame:
        self._recorded(_RECORDED_FRAME, keys)
        stored = pl.col("_recorded_at").cast(pl.Datetime("us", "UTC"))
        return _recorded_frame(self._cursor.fetchall(), stored)

    def known_event_id(self, event_ids: Sequence[str]) -> str | None:
        found = self._column_in(
            f"SELECT event_id FROM ledger_events WHERE event_id = {_ANY_OF_JSON} LIMIT 1",
            event_ids,
        )
        return str(found[0]) if found else None

    def insert(self, rows: Sequence[ChainRow]) -> None:
        with self._cursor.copy(f"COPY ledger_events ({_names(_EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(_row_values(row))
        payloads = _payload_values(rows)
        if payloads:
            with self._cursor.copy(
                f"COPY ledger_personal_payloads ({_names(_PAYLOAD_COLUMNS)}) FROM STDIN"
            ) as copy:
                for values in payloads:
                    copy.write_row(values)

    def insert_sealed(self, sealed: pl.DataFrame) -> None:
        self._copy_csv("ledger_events", _EVENT_COLUMNS, sealed.select(_EVENT_COLUMNS))

    def projections(self, subjects: Sequence[SubjectRef]) -> list[SubjectProjection]:
        self._cursor.execute(
            f"SELECT {_names(PROJECTION_COLUMNS)} FROM ledger_subject_states "
            f"WHERE subject_ref = {_ANY_OF_JSON}",
            (json.dumps(list(subjects)),),
        )
        return [projection_from_row(_postgres_state_row(values)) for values in self._cursor]

    # Projections go through a session-local staging table, emptied at each commit: the
    # batch is copied into it, then upserted in one statement (`_upsert_staged_states`).

    def save_projections(self, projections: Sequence[tuple[SubjectProjection, int]]) -> None:
        self._create_staging_table()
        with self._cursor.copy(
            f"COPY placet_states_batch ({_names(PROJECTION_COLUMNS)}) FROM STDIN"
        ) as copy:
            for pair in projections:
                copy.write_row(projection_row(*pair))
        self._upsert_staged_states()

    def save_projection_rows(self, rows: pl.DataFrame) -> None:
        self._create_staging_table()
        self._copy_csv("placet_states_batch", PROJECTION_COLUMNS, rows.select(PROJECTION_COLUMNS))
        self._upsert_staged_states()

    def _copy_csv(self, table: str, columns: Sequence[str], frame: pl.DataFrame) -> None:
        """COPY `frame` into `table`, written as CSV by polars rather than row by row by the
        driver: instants as text in UTC, nulls as unquoted empty fields (no column written
        this way holds an empty string)."""
        buffer = io.BytesIO()
        frame.with_columns(pl.col(pl.Datetime).dt.strftime(_POSTGRES_INSTANT)).write_csv(
            buffer, include_header=False
        )
        with self._cursor.copy(f"COPY {table} ({_names(columns)}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getbuffer())

    def _create_staging_table(self) -> None:
        # A no-op after the session's first batch.
        self._cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS placet_states_batch "
            "(LIKE ledger_subject_states) ON COMMIT DELETE ROWS"
        )

    def _upsert_staged_states(self) -> None:
        self._cursor.execute(
            f"INSERT INTO ledger_subject_states ({_names(PROJECTION_COLUMNS)}) "
            f"SELECT {_names(PROJECTION_COLUMNS)} FROM placet_states_batch "
            f"ON CONFLICT (subject_ref) DO UPDATE SET {_UPDATES}"
        )

    def set_head(self, seq: int, hash_: str) -> None:
        self._cursor.execute(
            "UPDATE ledger_head SET seq = %s, hash = %s WHERE id = %s", (seq, hash_, HEAD_ROW_ID)
        )


def _postgres_state_row(values: Sequence[Any]) -> _StateRow:
    converted: list[Any] = [
        value.astimezone(UTC) if isinstance(value, datetime) else value for value in values
    ]
    return _StateRow(*converted)
