"""Tiny synthetic estates, written once per test session, and readers of what they hold."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from placet.synth import EstatePlan, EstateReport, OperatorName, write_estate

SUBSCRIBERS = 400
MONTHS = 2
SEED = 11


def tiny_plan(operator: OperatorName, seed: int = SEED, **changes: Any) -> EstatePlan:
    return EstatePlan(operator, SUBSCRIBERS, MONTHS, seed, **changes)


@pytest.fixture(scope="session")
def estates(tmp_path_factory: pytest.TempPathFactory) -> dict[OperatorName, EstateReport]:
    """An ipko and an ipnordic estate of 400 subscribers and two months of traffic."""
    return {
        operator: write_estate(tiny_plan(operator), tmp_path_factory.mktemp(operator.value))
        for operator in OperatorName
    }


def _typed_rows(url: str, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A table's column names and rows, read through its reflected types (so that SQLite's
    stored text comes back as datetimes and dates)."""
    engine = sa.create_engine(url)
    try:
        reflected = sa.Table(table, sa.MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            rows = connection.execute(sa.select(reflected)).all()
    finally:
        engine.dispose()
    return [column.name for column in reflected.columns], [tuple(row) for row in rows]


def sql_rows(url: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table, sorted, instants as naive UTC (SQLite stores them so)."""
    _, rows = _typed_rows(url, table)
    return sorted((tuple(_naive(value) for value in row) for row in rows), key=repr)


def _naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def sql_frame(url: str, table: str) -> pl.DataFrame:
    """A table as a frame, instants as naive UTC datetimes."""
    names, rows = _typed_rows(url, table)
    naive = [tuple(_naive(value) for value in row) for row in rows]
    return pl.DataFrame(naive, schema=names, orient="row", infer_schema_length=None)


def lake_frame(out: Path, table: str) -> pl.DataFrame:
    """A lake table read whole, in file order (month, then bucket), without the partition
    column."""
    files = sorted((out / "lake" / table).glob("month=*/part-*.parquet"))
    return pl.concat([pl.read_parquet(path, hive_partitioning=False) for path in files])
