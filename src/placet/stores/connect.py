"""Open a store for every system of a data map, at the places `system_locations` found.

A SQL system is one `SqlStore` (SQLite, PostgreSQL, MariaDB). A lake system (`delta` or
`parquet`) holds Delta tables and Parquet folders side by side under one root; its store
routes each table to the connector of its dataset's kind, each told the table's month
partition from the map. With `spark` (a Spark Connect URL, `sc://host:15002`, or
`local[4]` for Spark's own Connect server in this process), a lake's tables are reached
through Spark instead (`SparkStore`), for estates beyond one machine: its Delta tables on
any Spark Connect engine (Apache Spark, Databricks, Sail), its Parquet folders on Apache
Spark only (on Sail they are changed from this process, as without Spark).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa

from placet.datamap import DataMap, Dataset, DatasetKind, SystemKind
from placet.datamap.scan import SystemLocation
from placet.errors import StoreError
from placet.retention.rewrites import Rewrite
from placet.stores.delta_store import DeltaStore
from placet.stores.parquet_store import ParquetStore
from placet.stores.protocol import Change, Purge, Selection, Store, TimePartition
from placet.stores.sql_store import open_sql_store

__all__ = ["LakeStore", "open_stores", "time_partitions"]


def open_stores(
    datamap: DataMap,
    locations: Sequence[SystemLocation],
    *,
    spark: str | None = None,
    purge_retention: timedelta | None = None,
) -> dict[str, Store]:
    """A store for each system of `datamap`, by system id; close them when done."""
    where = {location.system: location for location in locations}
    opened: dict[str, Store] = {}
    try:
        for system in datamap.systems:
            location = where[system.id]
            if system.kind is SystemKind.SQL:
                opened[system.id] = open_sql_store(location.where)
                continue
            partitions = time_partitions(system.datasets)
            kinds = {dataset.location: dataset.kind for dataset in system.datasets}
            opened[system.id] = LakeStore(
                Path(location.where),
                kinds,
                partitions,
                spark=spark,
                purge_retention=purge_retention,
            )
    except BaseException:
        for store in opened.values():
            store.close()
        raise
    return opened


def time_partitions(datasets: Sequence[Dataset]) -> dict[str, TimePartition]:
    """The month (or day) partition of each dataset that has one, by its location."""
    return {
        dataset.location: TimePartition(
            dataset.partitioned_by.column, dataset.time_column, dataset.partitioned_by.unit
        )
        for dataset in datasets
        if dataset.partitioned_by is not None and dataset.time_column is not None
    }


class LakeStore:
    """A lake's root: each table goes to the Delta or Parquet connector its dataset's kind
    names (with `spark`, both through Spark Connect)."""

    def __init__(
        self,
        root: Path,
        kinds: Mapping[str, DatasetKind],
        partitions: Mapping[str, TimePartition],
        *,
        spark: str | None = None,
        purge_retention: timedelta | None = None,
    ) -> None:
        if not root.is_dir():
            raise StoreError(f"there is no lake folder {root}. Check the system's location.")
        self.root = root
        self._kinds = dict(kinds)
        self._delta: Store
        self._parquet: Store
        if spark is None:
            self._delta = DeltaStore(root, partitions, purge_retention)
            self._parquet = ParquetStore(root, partitions)
        else:
            from placet.stores.spark_store import open_spark_store

            delta = open_spark_store(spark, str(root), "delta", partitions=partitions)
            self._delta = delta
            # Parquet folders change through Apache Spark only (spark_store); on another
            # Spark Connect engine (Sail) they are changed here, as without --spark.
            self._parquet = (
                open_spark_store(spark, str(root), "parquet", partitions=partitions)
                if delta.on_apache_spark
                else ParquetStore(root, partitions)
            )

    def _for(self, table: str) -> Store:
        kind = self._kinds.get(table, DatasetKind.PARQUET_FOLDER)
        return self._delta if kind is DatasetKind.DELTA_TABLE else self._parquet

    def describe(self) -> str:
        return f"lake {self.root}"

    def schema(self, table: str) -> pa.Schema:
        return self._for(table).schema(table)

    def find(
        self,
        table: str,
        selection: Selection,
        columns: Sequence[str] | None = None,
        *,
        batch_rows: int = 65_536,
    ) -> Iterator[pa.RecordBatch]:
        return self._for(table).find(table, selection, columns, batch_rows=batch_rows)

    def count(self, table: str, selection: Selection, *, unmarked: str | None = None) -> int:
        return self._for(table).count(table, selection, unmarked=unmarked)

    def delete(self, table: str, selection: Selection) -> Change:
        return self._for(table).delete(table, selection)

    def update(
        self,
        table: str,
        selection: Selection,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str,
        at: datetime,
    ) -> Change:
        return self._for(table).update(table, selection, rewrites, mark=mark, at=at)

    def purge(self, table: str) -> Purge:
        return self._for(table).purge(table)

    def close(self) -> None:
        self._delta.close()
        self._parquet.close()
