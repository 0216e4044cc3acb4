"""Factories of the lake connectors for the store contract (conftest.Factory): each writes
the rows hive-partitioned by the table's `TimePartition` (`<lake>/<table>/month=…/`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from deltalake import write_deltalake

from placet.stores.delta_store import DeltaStore
from placet.stores.parquet_store import ParquetStore
from placet.stores.protocol import Store, TimePartition


def delta_store(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    table: str,
    rows: pa.Table,
    partition: TimePartition,
) -> Store:
    """A Delta table partitioned by month; it purges at once, as an operator who runs the
    physical phase right after an erasure does."""
    lake = tmp_path / "lake"
    write_deltalake(lake / table, rows, partition_by=[partition.column])
    return DeltaStore(lake, {table: partition}, purge_retention=timedelta(0))


def parquet_store(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    table: str,
    rows: pa.Table,
    partition: TimePartition,
) -> Store:
    """A folder of Parquet files, one per month partition."""
    lake = tmp_path / "lake"
    write_parquet_table(lake / table, rows, partition)
    return ParquetStore(lake, {table: partition})


def write_parquet_table(folder: Path, rows: pa.Table, partition: TimePartition) -> None:
    """Write `rows` as hive partitions of `partition`'s column (`month=2026-01/part-0.parquet`)."""
    ds.write_dataset(
        rows,
        folder,
        format="parquet",
        partitioning=ds.partitioning(
            pa.schema([rows.schema.field(partition.column)]), flavor="hive"
        ),
        basename_template="part-{i}.parquet",
    )


FACTORIES: dict[str, Any] = {"delta": delta_store, "parquet": parquet_store}
