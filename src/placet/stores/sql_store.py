"""The `Store` protocol over the tables of one SQL database (SQLite, PostgreSQL, MariaDB),
through SQLAlchemy Core: each call is one set-based statement, never a loop over rows.

- A selection's bounds in time are plain `WHERE` bounds, so a row whose time is null is never
  selected by one. Its key windows are uploaded into a temporary table in bulk, their bounds
  written column by column in Arrow (PostgreSQL `COPY`, SQLite one JSON text a batch,
  MariaDB `executemany`) and joined: `EXISTS (…)` on SQLite and PostgreSQL, and on MariaDB
  a multi-table `DELETE`/`UPDATE`, since its single-table forms cannot drive a subquery from
  the table's key index and would scan the whole table for one subscriber. Excluded
  windows (a legal hold) are uploaded the same way and left out with `NOT EXISTS (…)`.
  Keys compare under the key column's own type and collation, which the scratch table copies.
- `find` streams a server-side cursor into Arrow batches of the columns asked.
- `update` rewrites and stamps its mark in one `UPDATE` over the unmarked rows. A `Remap`
  reads the distinct values selected into a temporary table, maps them a page at a time
  and joins the mapping back; a row whose value has no mapping (written meanwhile) stays
  unmarked for the next run.
- Instants: PostgreSQL and MariaDB compare timestamp columns (MariaDB's DATETIME holds UTC,
  and its sessions run in UTC). SQLite keeps instants as text: the store reads one stored
  value of the time column to learn its form (`2026-03-14 09:30:00.000000`, as SQLAlchemy
  and the synthetic estate write it, or ISO 8601 with `T`, `Z`, `+00:00`) and writes its
  bounds in that form, so that text order is time order. A column keeps one form.
- Erasure: SQLite connections run with `secure_delete`, which overwrites deleted content at
  once; `purge` then empties the write-ahead log. PostgreSQL's `purge` is `VACUUM`, which is
  incomplete while a transaction older than the deletion can still read the rows; MariaDB's
  is `OPTIMIZE TABLE`, which rebuilds the table.
"""

from __future__ import annotations

import io
import logging
import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, NoSuchTableError, SQLAlchemyError

from placet.errors import StoreError
from placet.stores.protocol import (
    WINDOW_SCHEMA,
    Change,
    Constant,
    MaskTail,
    Nullify,
    Purge,
    Remap,
    Rewrite,
    Selection,
)
from placet.stores.sql_database import database_cause, describe_database

__all__ = ["SqlStore", "open_sql_store"]

log = logging.getLogger(__name__)

_MARIADB = frozenset({"mysql", "mariadb"})
_SQLITE_BEGIN = "placet_sqlite_begin"
"""Execution option: how a SQLite transaction begins (`BEGIN IMMEDIATE` for a writer, which
takes the write lock up front; empty for a pragma that must run outside any transaction)."""
_UTC = pa.timestamp("us", "UTC")
_UPLOAD_ROWS = 65_536
"""Rows a scratch table takes per `executemany` (or `COPY` write)."""
_LATEST = (datetime.max - datetime(1970, 1, 1)) // timedelta(microseconds=1)
"""The latest instant Python can hold, in microseconds since 1970: a bound rounded past it
cannot be written (`_TextForm.write` would overflow)."""
_FETCH_ROWS = 512
"""Rows `find` fetches at a time before making them Arrow (its batches gather several)."""
_REMAP_ROWS = 65_536
"""Distinct values mapped per call of a `Remap`'s function."""
_VACUUM_PAUSES_S = (0.2, 1.0, 3.0)
"""Pauses before VACUUM runs again while older transactions hold deleted rows (most end
within seconds; a long one leaves the purge incomplete)."""
_MARIADB_PREFIX = 191
"""Characters of a TEXT value MariaDB indexes (191 four-byte characters fit any row format)."""
_TEXT_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?P<separator>[ T])\d{2}:\d{2}:\d{2}(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]00:?00)?"
)


def open_sql_store(url: str) -> SqlStore:
    """The store on the database at `url`: `sqlite:///estate.db` (which must exist),
    `postgresql://user@host/db` (psycopg 3) or `mariadb://user@host/db` (PyMySQL)."""
    try:
        parsed = sa.make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            "a SQL store's location is not a database URL. Give one like "
            "sqlite:///estate.db, postgresql://user@host/db or mariadb://user@host/db."
        ) from exc
    backend = parsed.get_backend_name()
    driverless = "+" not in parsed.drivername
    if backend in {"postgresql", "postgres"} and driverless:
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend in _MARIADB and driverless:
        parsed = parsed.set(drivername="mysql+pymysql")
    elif backend == "sqlite":
        database = parsed.database or ""
        if database in {"", ":memory:"}:
            raise StoreError("an in-memory SQLite database holds no tables to act on")
        if not Path(database).is_file():
            # SQLite would create an empty database there, and every table would be missing.
            raise StoreError(
                f"there is no SQLite database {database}. Check the system's location."
            )
    elif backend not in {"postgresql", *_MARIADB}:
        raise StoreError(
            f"SQL stores run on SQLite, PostgreSQL or MariaDB, not {backend} "
            f"({describe_database(parsed)})."
        )
    if parsed.get_backend_name() in _MARIADB:
        # TIMESTAMP columns are converted with the session's zone: make it UTC.
        engine = sa.create_engine(parsed, connect_args={"init_command": "SET time_zone = '+00:00'"})
    else:
        engine = sa.create_engine(parsed)
    if backend == "sqlite":
        _set_up_sqlite(engine)
    return SqlStore(engine)


def _set_up_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, begins transactions (below), so that DDL such as
        # adding a mark column or a temporary table is inside them too.
        dbapi_connection.isolation_level = None
        # Art. 17 GDPR: a deleted row's bytes are overwritten as it is deleted, not left in
        # free pages until they happen to be reused.
        dbapi_connection.execute("PRAGMA secure_delete=ON")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        begin = connection.get_execution_options().get(_SQLITE_BEGIN, "BEGIN")
        if begin:
            connection.exec_driver_sql(begin)


@dataclass(frozen=True, slots=True)
class _TextForm:
    """How a SQLite column writes instants as text (UTC, one form for the whole column)."""

    separator: str = " "
    digits: int = 6
    zone: str = ""

    def write(self, instant: datetime) -> str:
        """`instant` in this form, rounded up to its precision: a value at that precision is
        then `>=` or `<` the text exactly when it is so of the instant."""
        utc = instant.astimezone(UTC)
        step = 10 ** max(6 - self.digits, 0)
        if utc.microsecond % step:
            utc += timedelta(microseconds=step - utc.microsecond % step)
        text = f"{utc:%Y-%m-%d}{self.separator}{utc:%H:%M:%S}"
        if self.digits:
            text += "." + f"{utc.microsecond:06d}"[: self.digits].ljust(self.digits, "0")
        return text + self.zone

    def write_all(self, instants: pa.Array | pa.ChunkedArray) -> pa.Array:
        """`write` of each instant of a `timestamp[us, UTC]` column at once, nulls kept, by
        polars expressions instead of a Python call a value: the same text, value for value
        (a year before 1000 without leading zeros too, as `strftime` writes it here)."""
        step = 10 ** max(6 - self.digits, 0)
        micros = pl.Series("micros", instants, dtype=pl.Datetime("us", "UTC")).cast(pl.Int64)
        # Rounded up to the precision: floored modulo gives the distance to the next step,
        # before 1970 as after.
        rounded = micros + (-micros) % step
        if step > 1 and (rounded > _LATEST).any():
            raise StoreError(
                f"an instant rounds past {datetime.max.isoformat()} at {self.digits} "
                "fractional digits: it cannot be written in the column's text form"
            )
        wall = pl.col("micros").cast(pl.Datetime("us"))
        parts = [
            wall.dt.year().cast(pl.String),
            wall.dt.strftime(f"-%m-%d{self.separator}%H:%M:%S"),
        ]
        if self.digits:
            fraction = wall.dt.microsecond().cast(pl.String).str.zfill(6)
            parts += [
                pl.lit("."),
                fraction.str.slice(0, self.digits).str.pad_end(self.digits, "0"),
            ]
        text = pl.concat_str([*parts, pl.lit(self.zone)])
        written = pl.DataFrame([rounded]).select(text.alias("text")).to_series()
        return written.to_arrow().cast(pa.string())


@dataclass(frozen=True, slots=True)
class _Instants:
    """How a column holds instants, and so how an instant is bound to compare with it."""

    sql_type: sa.types.TypeEngine[Any]
    text: _TextForm | None = None
    is_aware: bool = False

    def value(self, instant: datetime | None) -> datetime | str | None:
        if instant is None:
            return None
        utc = instant.astimezone(UTC)
        if self.text is not None:
            return self.text.write(utc)
        return utc if self.is_aware else utc.replace(tzinfo=None)

    def bound(self, instant: datetime) -> sa.BindParameter[Any]:
        return sa.literal(self.value(instant), self.sql_type)

    def values(self, instants: pa.ChunkedArray) -> pa.Array:
        """`value` of each instant of a `timestamp[us, UTC]` column, as an Arrow column:
        text on SQLite, naive UTC timestamps where the column is not zone-aware."""
        if self.text is not None:
            return self.text.write_all(instants)
        utc = instants.combine_chunks().cast(_UTC)
        return utc if self.is_aware else utc.cast(pa.timestamp("us"))


@dataclass(frozen=True, slots=True)
class _Read:
    """How one column is read into Arrow: SQLite's instants and dates as text Arrow parses."""

    expression: sa.ColumnElement[Any]
    field: pa.Field
    is_text: bool = False

    def to_arrow(self, values: Sequence[Any]) -> pa.Array:
        if not self.is_text:
            return pa.array(values, self.field.type)
        texts = pa.array(values, pa.string())
        if pa.types.is_date(self.field.type):
            return pc.cast(texts, pa.date32())
        try:
            return pc.cast(texts, pa.timestamp("us")).cast(_UTC)
        except pa.ArrowInvalid:
            return pc.cast(texts, _UTC)  # written with their zone


class SqlStore:
    """The tables of one SQL database as a `Store`. Open one with `open_sql_store`, which sets
    the connections up as this class relies on (SQLite's transactions and `secure_delete`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error

    def describe(self) -> str:
        return describe_database(self.engine)

    def schema(self, table: str) -> pa.Schema:
        with self._connection(f"read the columns of {table}") as connection:
            columns = self._table(connection, table).columns
            return pa.schema(
                pa.field(column.name, self._arrow_type(column.type), column.nullable)
                for column in columns
            )

    def find(
        self,
        table: str,
        selection: Selection,
        columns: Sequence[str] | None = None,
        *,
        batch_rows: int = 65_536,
    ) -> Iterator[pa.RecordBatch]:
        if batch_rows < 1:
            raise StoreError(f"a batch holds at least one row, not {batch_rows}")
        if selection.is_empty:
            return
        with self._connection(f"read rows of {table}") as connection:
            found = self._table(connection, table)
            names = [column.name for column in found.columns] if columns is None else columns
            reads = [self._read(found, name) for name in names]
            schema = pa.schema(read.field for read in reads)
            with self._selected(connection, found, selection) as conditions:
                query = sa.select(*(read.expression for read in reads)).where(*conditions)
                fetch = min(batch_rows, _FETCH_ROWS)
                query = query.execution_options(yield_per=fetch)
                with connection.execute(query) as result:
                    # Rows are fetched a few hundred at a time and made Arrow at once, so
                    # that they are freed young: tens of thousands of row objects alive
                    # together would set off the collector's full passes again and again.
                    held: list[pa.RecordBatch] = []
                    rows_held = 0
                    for rows in result.partitions():
                        if rows_held + len(rows) > batch_rows:
                            yield _joined(held, schema)
                            held, rows_held = [], 0
                        held.append(self._batch(table, reads, schema, rows))
                        rows_held += len(rows)
                    if held:
                        yield _joined(held, schema)

    def count(self, table: str, selection: Selection, *, unmarked: str | None = None) -> int:
        if selection.is_empty:
            return 0
        with self._connection(f"count rows of {table}") as connection:
            counted = self._table(connection, table)
            with self._selected(connection, counted, selection) as conditions:
                # Without its column yet, no row has the mark.
                unmarked_only = (
                    [counted.c[unmarked].is_(None)]
                    if unmarked is not None and unmarked in counted.c
                    else []
                )
                query = (
                    sa.select(sa.func.count())
                    .select_from(counted)
                    .where(*conditions, *unmarked_only)
                )
                return int(connection.execute(query).scalar_one())

    def delete(self, table: str, selection: Selection) -> Change:
        if selection.is_empty:
            return Change(rows=0)
        with self._connection(f"delete rows of {table}", writes=True) as connection:
            target = self._table(connection, table)
            joined = self.dialect in _MARIADB
            with self._selected(connection, target, selection, joined=joined) as conditions:
                rows = connection.execute(sa.delete(target).where(*conditions)).rowcount
        log.info("rows deleted", extra={"table": table, "rows": rows})
        return Change(rows=rows)

    def update(
        self,
        table: str,
        selection: Selection,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str,
        at: datetime,
    ) -> Change:
        """One `UPDATE` of the selected unmarked rows; the mark column is added first, in a
        transaction of its own (see `_add_mark`)."""
        if at.utcoffset() is None:
            raise StoreError(f"the instant {at.isoformat()} an update marks has no time zone")
        if mark in rewrites:
            raise StoreError(f"an update stamps its mark {mark}; it cannot also rewrite it")
        if selection.is_empty:
            return Change(rows=0)
        self._add_mark(table, mark)
        with self._connection(f"update rows of {table}", writes=True) as connection:
            target = self._table(connection, table)
            marked = target.c[mark]
            joined = self.dialect in _MARIADB
            with (
                self._selected(connection, target, selection, joined=joined) as conditions,
                ExitStack() as mappings,
            ):
                unmarked = [marked.is_(None), *conditions]
                mapped: list[sa.ColumnElement[bool]] = []
                values: dict[sa.Column[Any], Any] = {}
                for name, rewrite in rewrites.items():
                    column = self._column(target, name)
                    if not isinstance(rewrite, Remap):
                        values[column] = self._rewritten(column, rewrite)
                        continue
                    mapping = mappings.enter_context(
                        self._mapping(connection, column, rewrite, unmarked)
                    )
                    new = sa.select(mapping.c.new).where(mapping.c.old == column)
                    values[column] = new.scalar_subquery()
                    mapped.append(
                        sa.or_(column.is_(None), sa.exists().where(mapping.c.old == column))
                    )
                values[marked] = self._instants(connection, marked, sample=False).bound(at)
                statement = sa.update(target).where(*unmarked, *mapped).values(values)
                rows = connection.execute(statement).rowcount
        log.info("rows updated", extra={"table": table, "rows": rows, "mark": mark})
        return Change(rows=rows)

    def set_values(self, table: str, selection: Selection, values: Mapping[str, str]) -> Change:
        """One `UPDATE` setting each column of `values` in the selected rows, marked or not:
        a rectification (Art. 16), which corrects the data wherever it is kept."""
        if not values:
            raise StoreError(f"a rectification of {table} names no column to set")
        if selection.is_empty:
            return Change(rows=0)
        with self._connection(f"rectify rows of {table}", writes=True) as connection:
            target = self._table(connection, table)
            assigned = {self._column(target, name): value for name, value in values.items()}
            joined = self.dialect in _MARIADB
            with self._selected(connection, target, selection, joined=joined) as conditions:
                statement = sa.update(target).where(*conditions).values(assigned)
                rows = connection.execute(statement).rowcount
        log.info("rows rectified", extra={"table": table, "rows": rows, "columns": sorted(values)})
        return Change(rows=rows)

    def purge(self, table: str) -> Purge:
        """PostgreSQL: `VACUUM`, incomplete while an older transaction can still read a
        deleted row version; MariaDB: `OPTIMIZE TABLE`; SQLite: empty the write-ahead log
        (deleted rows were overwritten as they were deleted)."""
        with self._connection(f"purge {table}", outside_transaction=True) as connection:
            purged = self._table(connection, table)
            name = connection.dialect.identifier_preparer.format_table(purged)
            if self.dialect == "postgresql":
                purge = self._vacuum(connection, name)
            elif self.dialect in _MARIADB:
                purge = self._optimize(connection, name)
            else:
                purge = self._checkpoint(connection)
        log.info("table purged", extra={"table": table, "complete": purge.complete})
        return purge

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ connections

    @contextmanager
    def _connection(
        self, what: str, *, writes: bool = False, outside_transaction: bool = False
    ) -> Iterator[Connection]:
        """A connection in a transaction that commits when the block ends and rolls back
        when it raises (`outside_transaction`: each statement commits at once); a database's
        error becomes a `StoreError` saying `what` failed."""
        try:
            with self.engine.connect() as connection:
                if outside_transaction and self.dialect == "sqlite":
                    connection.execution_options(**{_SQLITE_BEGIN: ""})
                elif outside_transaction:
                    connection.execution_options(isolation_level="AUTOCOMMIT")
                elif writes and self.dialect == "sqlite":
                    connection.execution_options(**{_SQLITE_BEGIN: "BEGIN IMMEDIATE"})
                with connection.begin():
                    yield connection
        except (SQLAlchemyError, self._driver_error) as exc:
            rolled_back = " The call's changes were rolled back." if writes else ""
            raise StoreError(
                f"cannot {what} in {self.describe()}: {database_cause(exc)}.{rolled_back}"
            ) from exc

    def _table(self, connection: Connection, name: str) -> sa.Table:
        try:
            columns = sa.inspect(connection).get_columns(name)
        except NoSuchTableError as exc:
            raise StoreError(
                f"there is no table {name} in {self.describe()}. Check the data map's location."
            ) from exc
        return sa.Table(
            name,
            sa.MetaData(),
            *(
                sa.Column(column["name"], column["type"], nullable=column["nullable"])
                for column in columns
            ),
        )

    def _column(self, table: sa.Table, name: str) -> sa.Column[Any]:
        if name not in table.c:
            raise StoreError(f"table {table.name} in {self.describe()} has no column {name}")
        return table.c[name]

    @contextmanager
    def _scratch_table(
        self, connection: Connection, *columns: sa.Column[Any], indexed: str | None = None
    ) -> Iterator[sa.Table]:
        """A temporary table for this call. PostgreSQL drops it at commit or rollback; the
        others when the call is done (MariaDB keeps temporary tables through a rollback)."""
        scratch = sa.Table(
            f"placet_scratch_{uuid.uuid4().hex[:12]}",
            sa.MetaData(),
            *columns,
            prefixes=["TEMPORARY"],
            postgresql_on_commit="DROP",
        )
        scratch.create(connection)
        if indexed is not None:
            self._index(connection, scratch, indexed)
        try:
            yield scratch
        finally:
            if self.dialect != "postgresql":
                scratch.drop(connection)

    def _index(self, connection: Connection, scratch: sa.Table, name: str) -> None:
        """An index on one column of a scratch table (MariaDB indexes a text's prefix)."""
        column = scratch.c[name]
        is_text = isinstance(column.type, sa.String) and column.type.length is None
        prefix: dict[str, Any] = {"mysql_length": _MARIADB_PREFIX} if is_text else {}
        sa.Index(f"{scratch.name}_{name}", column, **prefix).create(connection)

    def _upload(
        self, connection: Connection, scratch: sa.Table, rows: Iterable[tuple[Any, ...]]
    ) -> None:
        """Bulk-insert `rows` into a scratch table: COPY on PostgreSQL, executemany elsewhere."""
        names = [column.name for column in scratch.columns]
        if self.dialect == "postgresql":
            preparer = connection.dialect.identifier_preparer
            listed = ", ".join(preparer.quote(name) for name in names)
            statement = f"COPY {preparer.format_table(scratch)} ({listed}) FROM STDIN"
            driver = connection.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        remaining = iter(rows)
        while chunk := list(islice(remaining, _UPLOAD_ROWS)):
            connection.execute(
                scratch.insert(), [dict(zip(names, row, strict=True)) for row in chunk]
            )

    def _upload_columns(self, connection: Connection, scratch: sa.Table, columns: pa.Table) -> None:
        """Bulk-insert Arrow columns into the scratch table's columns of the same names, values
        already in the form the database compares, a batch at a time: on PostgreSQL a `COPY`
        of the CSV pyarrow writes, on SQLite an `INSERT … SELECT` from the JSON polars writes,
        on MariaDB `executemany` of tuples taken column by column."""
        if columns.num_rows == 0:
            return
        preparer = connection.dialect.identifier_preparer
        if self.dialect == "postgresql":
            listed = ", ".join(preparer.quote(name) for name in columns.column_names)
            statement = f"COPY {preparer.format_table(scratch)} ({listed}) FROM STDIN (FORMAT csv)"
            driver = connection.connection.driver_connection
            assert driver is not None
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for batch in columns.to_batches(max_chunksize=_UPLOAD_ROWS):
                    csv = io.BytesIO()
                    # Strings are quoted and nulls left empty: COPY reads "" as an empty
                    # string and nothing as NULL.
                    pacsv.write_csv(batch, csv, pacsv.WriteOptions(include_header=False))
                    copy.write(csv.getbuffer())
            return
        if self.dialect in _MARIADB:
            self._upload(connection, scratch, _rows_of(columns))
            return
        # SQLite: a batch goes as one JSON text that SQLite takes apart itself, so no Python
        # object is made per row. `json_extract` gives a JSON string back as the same text.
        names = columns.column_names
        listed = ", ".join(preparer.quote(name) for name in names)
        values = ", ".join(f"json_extract(value, '$.{name}')" for name in names)
        statement = (
            f"INSERT INTO {preparer.format_table(scratch)} ({listed}) "
            f"SELECT {values} FROM json_each(?)"
        )
        for batch in columns.to_batches(max_chunksize=_UPLOAD_ROWS):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            connection.exec_driver_sql(statement, (frame.write_json(),))

    # ------------------------------------------------------------------ selections

    @contextmanager
    def _selected(
        self, connection: Connection, table: sa.Table, selection: Selection, *, joined: bool = False
    ) -> Iterator[list[sa.ColumnElement[bool]]]:
        """The conditions on `table` that pick the selection's rows, its windows uploaded
        for the block; `joined` puts the windows' table in the statement's FROM (MariaDB's
        multi-table DELETE and UPDATE) instead of an `EXISTS`."""
        conditions: list[sa.ColumnElement[bool]] = []
        time: tuple[sa.Column[Any], _Instants] | None = None
        if selection.time_column is not None:
            column = self._column(table, selection.time_column)
            instants = self._instants(connection, column, sample=True)
            time = (column, instants)
            if selection.since is not None:
                conditions.append(column >= instants.bound(selection.since))
            if selection.before is not None:
                conditions.append(column < instants.bound(selection.before))
        exclude = (
            selection.exclude if selection.exclude is not None and len(selection.exclude) else None
        )
        with ExitStack() as scratch:
            for windows, is_excluded in ((selection.windows, False), (exclude, True)):
                if windows is None:
                    continue
                if selection.key_column is None:
                    raise StoreError("a selection by key windows must name its key column")
                key = self._column(table, selection.key_column)
                uploaded, matched = self._matched(
                    connection, scratch, key, windows, time, untimed=is_excluded
                )
                if is_excluded:
                    conditions.append(~sa.exists().where(*matched))
                elif joined:
                    conditions += matched
                else:
                    # The `IN` is implied by the `EXISTS`, but only it lets SQLite and
                    # PostgreSQL find the keys' rows by an index on the key column instead
                    # of scanning the table (the `EXISTS` compares bounds too, not only keys;
                    # windows without bounds need none).
                    conditions.append(key.in_(sa.select(uploaded.c.key)))
                    if len(matched) > 1:
                        conditions.append(sa.exists().where(*matched))
            yield conditions

    def _matched(
        self,
        connection: Connection,
        scratch: ExitStack,
        key: sa.Column[Any],
        windows: pa.Table,
        time: tuple[sa.Column[Any], _Instants] | None,
        *,
        untimed: bool = False,
    ) -> tuple[sa.Table, list[sa.ColumnElement[bool]]]:
        """`windows` uploaded into a scratch table that lives as long as `scratch`, and the
        conditions that a row lies in one of them (of `key`, bounded on the `time` column;
        with `untimed`, a row of the key with no time lies in every window of it: excluded
        windows keep such rows, erring on keeping)."""
        if not windows.schema.equals(WINDOW_SCHEMA):
            raise StoreError(
                f"key windows must have the schema {WINDOW_SCHEMA}, not {windows.schema}"
            )
        bounded = windows["since"].null_count < len(windows) or windows["before"].null_count < len(
            windows
        )
        if bounded and time is None:
            raise StoreError("a selection bounded in time must name its time column")
        # Windows open at both ends select every row of their keys, timed or not: their
        # keys alone go up, and only keys are compared.
        bounds = time if bounded else None
        columns = [sa.Column("key", key.type)]
        if bounds is not None:
            columns += [sa.Column(name, bounds[1].sql_type) for name in ("since", "before")]
        uploaded = scratch.enter_context(self._scratch_table(connection, *columns))
        self._upload_columns(
            connection, uploaded, _window_columns(windows, bounds[1] if bounds else None)
        )
        # Indexed once filled: one sort instead of an index kept up row by row.
        self._index(connection, uploaded, "key")
        if bounds is None:
            return uploaded, [uploaded.c.key == key]
        column = bounds[0]
        untimed_row = [column.is_(None)] if untimed else []
        return uploaded, [
            uploaded.c.key == key,
            sa.or_(uploaded.c.since.is_(None), *untimed_row, column >= uploaded.c.since),
            sa.or_(uploaded.c.before.is_(None), *untimed_row, column < uploaded.c.before),
        ]

    def _instants(
        self, connection: Connection, column: sa.Column[Any], *, sample: bool
    ) -> _Instants:
        """How `column` holds instants; on SQLite, `sample` reads one stored value to learn
        its text form (else SQLAlchemy's)."""
        if self.dialect == "sqlite":
            return _Instants(
                sa.String(), self._text_form(connection, column) if sample else _TextForm()
            )
        if not isinstance(column.type, sa.DateTime):
            raise StoreError(
                f"column {column.name} of {column.table} in {self.describe()} is "
                f"{column.type}, not a timestamp: it cannot bound a selection in time"
            )
        if self.dialect == "postgresql":
            aware = bool(column.type.timezone)
            return _Instants(sa.DateTime(timezone=aware), is_aware=aware)
        return _Instants(mysql.DATETIME(fsp=6))

    def _text_form(self, connection: Connection, column: sa.Column[Any]) -> _TextForm:
        query = (
            sa.select(sa.func.typeof(column), sa.type_coerce(column, sa.String()))
            .where(column.is_not(None))
            .limit(1)
        )
        stored = connection.execute(query).first()
        if stored is None:
            return _TextForm()
        kind, text = stored
        shape = _TEXT_INSTANT.fullmatch(text) if kind == "text" else None
        if shape is None:
            raise StoreError(
                f"column {column.name} of {column.table} in {self.describe()} holds instants "
                f"as {kind} in a form this store cannot compare; it compares UTC text like "
                "2026-03-14 09:30:00.000000 or 2026-03-14T09:30:00Z"
            )
        return _TextForm(
            separator=shape["separator"],
            digits=len(shape["fraction"] or ""),
            zone=shape["zone"] or "",
        )

    # ------------------------------------------------------------------ reading

    def _arrow_type(self, sql_type: sa.types.TypeEngine[Any]) -> pa.DataType:
        """The Arrow type a column is read as; text for types without a faithful one."""
        if isinstance(sql_type, sa.Boolean):
            return pa.bool_()
        if isinstance(sql_type, sa.Integer):
            return pa.int64()
        if isinstance(sql_type, sa.Float):
            return pa.float64()
        if isinstance(sql_type, sa.Numeric):
            precision, scale = sql_type.precision, sql_type.scale or 0
            return (
                pa.decimal128(precision, scale) if precision and precision <= 38 else pa.float64()
            )
        if isinstance(sql_type, sa.DateTime):
            return _UTC
        if isinstance(sql_type, sa.Date):
            return pa.date32()
        if isinstance(sql_type, sa.Time) and self.dialect == "postgresql":
            return pa.time64("us")
        if isinstance(sql_type, sa.LargeBinary):
            return pa.binary()
        return pa.string()

    def _read(self, table: sa.Table, name: str) -> _Read:
        column = self._column(table, name)
        kind = self._arrow_type(column.type)
        field = pa.field(name, kind, column.nullable)
        if self.dialect == "sqlite" and (pa.types.is_timestamp(kind) or pa.types.is_date(kind)):
            return _Read(sa.type_coerce(column, sa.String()).label(name), field, is_text=True)
        if pa.types.is_string(kind) and not isinstance(column.type, sa.String):
            return _Read(sa.cast(column, sa.String()).label(name), field)
        if pa.types.is_floating(kind) and not isinstance(column.type, sa.Float):
            # A NUMERIC without a precision Arrow can hold: the database converts it.
            return _Read(sa.cast(column, sa.Float()).label(name), field)
        if pa.types.is_floating(kind):
            # MariaDB's DOUBLE is reflected as decimal; the driver's floats are what is wanted.
            return _Read(sa.type_coerce(column, sa.Float()).label(name), field)
        return _Read(column, field)

    def _batch(
        self, table: str, reads: Sequence[_Read], schema: pa.Schema, rows: Sequence[sa.Row[Any]]
    ) -> pa.RecordBatch:
        arrays = []
        for read, values in zip(reads, zip(*rows, strict=True), strict=True):
            try:
                arrays.append(read.to_arrow(values))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                # The values themselves are not quoted: they may be personal data.
                raise StoreError(
                    f"column {read.field.name} of {table} in {self.describe()} holds values "
                    f"that are not {read.field.type}"
                ) from exc
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    # ------------------------------------------------------------------ writing

    def _add_mark(self, table: str, mark: str) -> None:
        """Add the mark column when missing, committed on its own: MariaDB commits DDL at
        once anyway, and on PostgreSQL an ALTER held through a long update would keep every
        reader out of the table. A column of nulls changes no row."""
        with self._connection(f"add the column {mark} to {table}", writes=True) as connection:
            marked = self._table(connection, table)
            if mark in marked.c:
                return
            sql_type: sa.types.TypeEngine[Any] = (
                mysql.DATETIME(fsp=6) if self.dialect in _MARIADB else sa.DateTime(timezone=True)
            )
            preparer = connection.dialect.identifier_preparer
            connection.exec_driver_sql(
                f"ALTER TABLE {preparer.format_table(marked)} ADD COLUMN {preparer.quote(mark)} "
                f"{sql_type.compile(dialect=connection.dialect)}"
            )

    def _rewritten(self, column: sa.Column[Any], rewrite: Nullify | Constant | MaskTail) -> Any:
        """The SQL value a rewrite sets `column` to."""
        if isinstance(rewrite, Nullify):
            return sa.null()
        if isinstance(rewrite, Constant):
            return rewrite.value
        # A value of at most `digits` characters becomes the mask alone: nothing of it is kept.
        length = sa.func.char_length(column) if self.dialect in _MARIADB else sa.func.length(column)
        larger = sa.func.max if self.dialect == "sqlite" else sa.func.greatest
        kept = sa.func.substr(column, 1, larger(length - rewrite.digits, 0), type_=sa.String())
        return kept.concat(sa.literal(rewrite.mask * rewrite.digits, sa.String()))

    @contextmanager
    def _mapping(
        self,
        connection: Connection,
        column: sa.Column[Any],
        remap: Remap,
        conditions: Sequence[sa.ColumnElement[bool]],
    ) -> Iterator[sa.Table]:
        """A scratch table of each distinct value of `column` among the rows `conditions`
        select (`old`) and what `remap` maps it to (`new`)."""
        with (
            self._scratch_table(
                connection,
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("value", column.type),
            ) as distinct,
            self._scratch_table(
                connection,
                sa.Column("old", column.type),
                sa.Column("new", column.type),
                indexed="old",
            ) as mapping,
        ):
            # The selection drives the plan, not DISTINCT: SQLite without statistics would
            # read the whole table through an index on the column to get its values in
            # order, even when no row is selected. OFFSET 0 keeps the subquery apart.
            selected = sa.select(column.label("value")).where(*conditions).offset(0).subquery()
            values = sa.select(selected.c.value).distinct().where(selected.c.value.is_not(None))
            connection.execute(sa.insert(distinct).from_select(["value"], values))
            kind = self._arrow_type(column.type)
            last = 0
            page = sa.select(distinct.c.id, distinct.c.value).order_by(distinct.c.id)
            while rows := connection.execute(
                page.where(distinct.c.id > last).limit(_REMAP_ROWS)
            ).all():
                last = rows[-1].id
                old = [row.value for row in rows]
                new = remap.function(pa.array(old, kind))
                if len(new) != len(old):
                    raise StoreError(
                        f"the {remap.name} of column {column.name} gave {len(new)} values "
                        f"for {len(old)}: it must map each value"
                    )
                self._upload(connection, mapping, zip(old, new.to_pylist(), strict=True))
            yield mapping

    # ------------------------------------------------------------------ purging

    def _vacuum(self, connection: Connection, name: str) -> Purge:
        detail = f"VACUUM {name}"
        dead = 0
        for pause in (0.0, *_VACUUM_PAUSES_S):
            time.sleep(pause)
            connection.exec_driver_sql(detail)
            # VACUUM keeps the row versions that a transaction begun before the deletion may
            # still read (in any table of the database); it reports how many it kept.
            dead = connection.execute(
                sa.text(
                    "SELECT n_dead_tup FROM pg_stat_user_tables "
                    "WHERE relid = CAST(:name AS regclass)"
                ),
                {"name": name},
            ).scalar_one()
            if not dead:
                return Purge(files_removed=0, complete=True, detail=f"{detail}: no dead row left")
        return Purge(
            files_removed=0,
            complete=False,
            detail=f"{detail} left {dead} dead row versions that an older transaction may "
            "still read; purge again once it has ended",
        )

    def _optimize(self, connection: Connection, name: str) -> Purge:
        answers = connection.exec_driver_sql(f"OPTIMIZE TABLE {name}").all()
        errors = [str(answer[3]) for answer in answers if str(answer[2]).lower() == "error"]
        detail = f"OPTIMIZE TABLE {name} (the table is rebuilt without the deleted rows)"
        if errors:
            return Purge(files_removed=0, complete=False, detail=f"{detail}: {'; '.join(errors)}")
        return Purge(files_removed=0, complete=True, detail=detail)

    def _checkpoint(self, connection: Connection) -> Purge:
        busy, _log, _moved = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        detail = (
            "deleted rows were overwritten as they were deleted (PRAGMA secure_delete=ON); "
            "PRAGMA wal_checkpoint(TRUNCATE)"
        )
        if busy:
            return Purge(
                files_removed=0,
                complete=False,
                detail=f"{detail} could not finish: another connection is reading. Purge again.",
            )
        return Purge(files_removed=0, complete=True, detail=f"{detail} emptied the write-ahead log")


def _window_columns(windows: pa.Table, instants: _Instants | None) -> pa.Table:
    """The windows' columns to upload: keys, and bounds in the form their column compares
    (`instants`; none without a time column)."""
    keys = windows.column("key").combine_chunks()
    if instants is None:
        return pa.table({"key": keys})
    return pa.table(
        {
            "key": keys,
            "since": instants.values(windows.column("since")),
            "before": instants.values(windows.column("before")),
        }
    )


def _joined(batches: Sequence[pa.RecordBatch], schema: pa.Schema) -> pa.RecordBatch:
    """One record batch of the rows of `batches`, in order."""
    if len(batches) == 1:
        return batches[0]
    columns = [
        pa.concat_arrays([batch.column(index) for batch in batches]) for index in range(len(schema))
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _rows_of(columns: pa.Table) -> Iterator[tuple[Any, ...]]:
    """The rows of Arrow columns as tuples of Python values, a batch's columns at a time."""
    for batch in columns.to_batches(_UPLOAD_ROWS):
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)
