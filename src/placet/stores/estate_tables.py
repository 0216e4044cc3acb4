"""Read what an estate holds: a sample of every table, for `placet datamap scan`.

SQL databases are read through SQLAlchemy (the tables of the connection's default schema);
lakes are folders of tables (Parquet folders or Delta tables, whose data files are
Parquet), read with polars, hive partitions included. A scan reads a few rows of each
table: enough to judge what its columns hold. Retention and requests read datasets through
the store connectors (`placet.stores.connect`), which read a Delta table's current version.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from placet.datamap.model import SystemKind
from placet.datamap.scan import ObservedTable, SystemLocation
from placet.errors import StoreError
from placet.stores.sql_database import database_cause, describe_database

__all__ = ["SAMPLE_ROWS", "observe_estate"]

SAMPLE_ROWS = 50
"""Rows read from each table to judge what its columns hold."""


def observe_estate(
    locations: Iterable[SystemLocation], *, sample_rows: int = SAMPLE_ROWS
) -> list[ObservedTable]:
    """Every table of every place the systems are in, each place read once."""
    seen: set[tuple[bool, str]] = set()
    observed: list[ObservedTable] = []
    for location in locations:
        is_sql = location.kind is SystemKind.SQL
        if (is_sql, location.where) in seen:
            continue
        seen.add((is_sql, location.where))
        if is_sql:
            observed += _observe_sql(location.where, sample_rows)
        else:
            observed += _observe_lake(Path(location.where), sample_rows)
    return observed


def _database_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"'{url}' is not a database URL (sqlite:///…, postgresql://…)") from exc
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database and not Path(database).is_file():
        # SQLite would create an empty database there: reading writes nothing.
        raise StoreError(f"there is no SQLite database {database}. Check the system's location.")
    return parsed


def _observe_sql(url: str, sample_rows: int) -> list[ObservedTable]:
    parsed = _database_url(url)
    engine = create_engine(parsed)
    quote = engine.dialect.identifier_preparer.quote
    try:
        with engine.connect() as connection:
            tables = []
            for table in sorted(inspect(connection).get_table_names()):
                result = connection.execute(
                    text(f"SELECT * FROM {quote(table)} LIMIT :rows"), {"rows": sample_rows}
                )
                columns = list(result.keys())
                rows = result.fetchall()
                tables.append(
                    ObservedTable(
                        url,
                        table,
                        {
                            column: [str(row[index]) for row in rows if row[index] is not None]
                            for index, column in enumerate(columns)
                        },
                    )
                )
            return tables
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the tables of {describe_database(parsed)}: {database_cause(exc)}"
        ) from exc
    finally:
        engine.dispose()


def _observe_lake(root: Path, sample_rows: int) -> list[ObservedTable]:
    if not root.is_dir():
        raise StoreError(f"there is no lake folder {root}. Check the system's location.")
    tables = []
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        if folder.name.startswith(("_", ".")):
            continue
        files = folder / "**" / "*.parquet"
        if not any(folder.rglob("*.parquet")):
            continue
        try:
            sample = pl.scan_parquet(files, hive_partitioning=True).head(sample_rows).collect()
        except pl.exceptions.PolarsError as exc:
            raise StoreError(f"cannot read the Parquet files under {folder}: {exc}") from exc
        tables.append(
            ObservedTable(
                str(root),
                str(folder.relative_to(root)),
                {
                    name: [str(value) for value in sample[name].to_list() if value is not None]
                    for name in sample.columns
                },
            )
        )
    return tables
