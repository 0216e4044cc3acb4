"""Where an estate is written: SQL tables through SQLAlchemy Core (executemany on SQLite,
COPY on PostgreSQL), Parquet files of the lake, and the consent-history CSV.

Each sink takes Arrow tables a chunk at a time, so memory holds one chunk, never a table.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import sqlalchemy as sa

from placet.errors import StoreError
from placet.synth.tables import ColumnType, TableSpec

__all__ = ["PARQUET_OPTIONS", "CsvFile", "ParquetFile", "SqlSink", "in_chunks"]

PARQUET_OPTIONS: dict[str, object] = {
    "compression": "snappy",
    # Dictionary pages only where values repeat: the subject's number repeats along its
    # line's records; B-numbers, instants and counters would only fall back to plain.
    "use_dictionary": ["a_number", "msisdn", "service", "cell_id", "country", "apn"],
    # Without the Arrow schema, readers see the dictionary columns as plain text.
    "store_schema": False,
}
"""How every lake file is written (the benchmark's baseline uses the same)."""

_SQL_TYPES: dict[ColumnType, sa.types.TypeEngine[Any]] = {
    ColumnType.TEXT: sa.Text(),
    ColumnType.INTEGER: sa.BigInteger(),
    ColumnType.AMOUNT: sa.Numeric(12, 2, asdecimal=False),
    ColumnType.TIMESTAMP: sa.DateTime(timezone=True),
    ColumnType.DATE: sa.Date(),
}


def in_chunks(tables: Iterable[pa.Table], chunk_rows: int) -> Iterator[pa.Table]:
    """The rows of `tables`, in order, as tables of exactly `chunk_rows` rows (the last
    one shorter); never more than one chunk and one input table held at once."""
    held: list[pa.Table] = []
    count = 0
    for table in tables:
        held.append(table)
        count += table.num_rows
        while count >= chunk_rows:
            joined = pa.concat_tables(held)
            yield joined.slice(0, chunk_rows).combine_chunks()
            rest = joined.slice(chunk_rows)
            held, count = [rest], rest.num_rows
    if count:
        yield pa.concat_tables(held).combine_chunks()


def _cause(exc: sa.exc.SQLAlchemyError) -> str:
    """The driver's own message when there is one: the first line, without the SQL."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0]}" if text else type(cause).__name__


class SqlSink:
    """The SQL tables of an estate in one database: created fresh (tables of the same
    names are dropped first), then filled a chunk at a time."""

    def __init__(self, url: str, specs: Iterable[TableSpec]) -> None:
        self.url = url
        self.engine = sa.create_engine(url)
        self.metadata = sa.MetaData()
        self.tables = {
            spec.name: sa.Table(
                spec.name,
                self.metadata,
                *(sa.Column(name, _SQL_TYPES[kind]) for name, kind in spec.columns),
            )
            for spec in specs
        }

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.engine.dispose()

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql" and self.engine.driver == "psycopg"

    def create(self) -> None:
        """Drop the estate's tables if they are there, and create them empty."""
        try:
            self.metadata.drop_all(self.engine)
            self.metadata.create_all(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(
                f"cannot create the estate's tables in {self._shown_url()}: "
                f"{_cause(exc)}. Check the database URL and that it "
                "accepts CREATE TABLE."
            ) from exc

    def insert(self, name: str, rows: pa.Table) -> None:
        """Append one chunk of rows to a table, in one transaction."""
        if rows.num_rows == 0:
            return
        try:
            with self.engine.begin() as connection:
                if self.is_postgresql:
                    self._copy(connection, name, rows)
                else:
                    connection.execute(self.tables[name].insert(), rows.to_pylist())
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(
                f"cannot write table {name} into {self._shown_url()}: "
                f"{_cause(exc)}. The rows written before are kept; "
                "run `placet synth` again to write the estate from the start."
            ) from exc

    def _copy(self, connection: sa.Connection, name: str, rows: pa.Table) -> None:
        """COPY … FROM STDIN in CSV: PostgreSQL's fast path, through psycopg."""
        buffer = io.BytesIO()
        options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
        pa_csv.write_csv(rows, buffer, options)
        columns = ", ".join(f'"{column}"' for column in rows.column_names)
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            copy_sql = f'COPY "{name}" ({columns}) FROM STDIN (FORMAT csv)'
            with cursor.copy(copy_sql) as copy:
                copy.write(buffer.getvalue())

    def _shown_url(self) -> str:
        return sa.make_url(self.url).render_as_string(hide_password=True)


class ParquetFile:
    """One Parquet file of the lake, written a row group (chunk) at a time; the next chunk
    is generated while the previous one is written (one chunk in flight)."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.writer = pq.ParquetWriter(path, schema, **PARQUET_OPTIONS)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet")
        self.pending: Future[None] | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            if self.pending is not None:
                self.pending.result()
        finally:
            self.pool.shutdown()
            self.writer.close()

    def write(self, rows: pa.Table) -> None:
        if self.pending is not None:
            self.pending.result()
        self.pending = self.pool.submit(self.writer.write_table, rows)


class CsvFile:
    """A CSV file with a header row, written a chunk at a time."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.sink = pa.OSFile(str(path), "wb")
        options = pa_csv.WriteOptions(include_header=True, quoting_style="needed")
        self.writer = pa_csv.CSVWriter(self.sink, schema, write_options=options)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.writer.close()
        self.sink.close()

    def write(self, rows: pa.Table) -> None:
        self.writer.write_table(rows)
