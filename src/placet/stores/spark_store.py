"""Spark as a store: Delta and Parquet tables in folders under one root, acted on with Spark SQL
and DataFrames through the Spark Connect client only (no SparkContext, RDD or JVM), so the same
code runs on an operator's Spark or Databricks cluster, on Spark in local mode and on Sail.

Delta tables change by SQL: `DELETE FROM delta.`path`` for time bounds, and a `MERGE` whose
source is the key windows (with, for a `Remap`, each distinct value and its mapping). A time
span less excluded windows, which neither can say without a subquery, overwrites the
partitions holding selected rows in one commit (`replaceWhere`). What Delta's maintenance SQL
does on a cluster is a `DeltaMaintenance` (`spark_delta`); where the caller names none, the
engine's `version()` chooses. The SQL itself is written in `spark_sql`.

Parquet folders cannot change in place: a delete or update writes the partitions it touches
anew and swaps their folders (`spark_parquet`, which says what a crash leaves). A Parquet table
has one writer at a time, and its root must be reachable from this process as well as from
Spark: Spark Connect has no file operations.

Imports pyspark and deltalake only inside the calls that need them.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, cast

import pyarrow as pa
import pyarrow.compute as pc

from placet.errors import StoreError
from placet.retention.rewrites import Remap, Rewrite
from placet.stores.protocol import Change, Purge, Selection, TimePartition
from placet.stores.spark_delta import DeltaMaintenance, detect_delta_maintenance, is_apache_spark
from placet.stores.spark_parquet import PartitionFolders, swap_partitions
from placet.stores.spark_sql import (
    SELECTED,
    WINDOW_KEY,
    SelectionPlan,
    bound_terms,
    changing_rows,
    column_ref,
    column_types,
    conjunction,
    delta_table,
    in_partitions,
    instant_literal,
    merge_source,
    partition_label,
    plan_selection,
    quote_name,
    rewritten_sql,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkStore", "TableFormat", "open_spark_store"]

log = logging.getLogger(__name__)

TableFormat = Literal["delta", "parquet"]


class SparkStore:
    """Delta or Parquet tables in folders under `root` (`<root>/<table>`), acted on through a
    Spark Connect session; `partitions` names each partitioned table's `TimePartition`, and
    `maintenance` what stands in for Delta's maintenance SQL (None: chosen by the engine)."""

    def __init__(
        self,
        session: SparkSession,
        root: str,
        *,
        table_format: TableFormat,
        partitions: Mapping[str, TimePartition] = MappingProxyType({}),
        maintenance: DeltaMaintenance | None = None,
        owns_session: bool = False,
    ) -> None:
        if table_format not in ("delta", "parquet"):
            raise StoreError(f"a Spark store keeps delta or parquet tables, not '{table_format}'")
        self._session = session
        self._root = root.rstrip("/") if "://" in root else os.path.abspath(root)
        self._format: TableFormat = table_format
        self._partitions = dict(partitions)
        self._maintenance = maintenance
        self._owns_session = owns_session
        if table_format == "parquet" and not is_apache_spark(session):
            # Seen with Sail 0.7.2: a rewritten partition's timestamps come back under
            # "Etc/UTC" and no longer merge with the others' "UTC", a missing folder reads
            # as an empty table, and a delete reported its rows without removing them.
            raise StoreError(
                "this Spark Connect engine is not Apache Spark: Placet changes Parquet "
                "folders through Apache Spark (or Databricks) only. Reach this lake's Parquet "
                "folders without --spark, or keep these tables as Delta tables"
            )

    @property
    def on_apache_spark(self) -> bool:
        """Whether the engine behind the session is Apache Spark or Databricks (not Sail)."""
        return is_apache_spark(self._session)

    @property
    def maintenance(self) -> DeltaMaintenance:
        """The Delta maintenance in use (chosen by the engine's `version()` when not given)."""
        if self._maintenance is None:
            self._maintenance = detect_delta_maintenance(self._session)
        return self._maintenance

    def describe(self) -> str:
        root = re.sub(r"//[^/@]*@", "//…@", self._root)
        return f"spark {self._format} tables at {root}"

    def schema(self, table: str) -> pa.Schema:
        with self._engine("read the schema of", table):
            return self._read(table).limit(0).toArrow().schema

    def find(
        self,
        table: str,
        selection: Selection,
        columns: Sequence[str] | None = None,
        *,
        batch_rows: int = 65_536,
    ) -> Iterator[pa.RecordBatch]:
        if batch_rows < 1:
            raise StoreError(f"batch_rows must be at least 1, not {batch_rows}")
        with self._engine("read", table):
            frame = self._read(table)
            names = list(columns) if columns is not None else list(frame.columns)
            if missing := [name for name in names if name not in frame.columns]:
                raise StoreError(f"table '{table}' has no columns {missing}")
            plan = plan_selection(selection, frame.schema, table)
            if plan.is_empty:
                return iter(())
            chosen = self._selected(frame, table, plan).select(
                *[quote_name(name) for name in names]
            )
        return self._streamed(table, chosen, batch_rows)

    def _streamed(self, table: str, frame: DataFrame, batch_rows: int) -> Iterator[pa.RecordBatch]:
        with self._engine("read", table):
            yield from _arrow_batches(self._session, frame, batch_rows)

    def count(self, table: str, selection: Selection, *, unmarked: str | None = None) -> int:
        with self._engine("count the rows of", table):
            frame = self._read(table)
            plan = plan_selection(selection, frame.schema, table)
            if plan.is_empty:
                return 0
            chosen = self._selected(frame, table, plan)
            if unmarked is not None and unmarked in frame.columns:
                chosen = chosen.where(f"{quote_name(unmarked)} IS NULL")
            return int(chosen.count())

    def delete(self, table: str, selection: Selection) -> Change:
        with self._engine("delete from", table):
            frame = self._read(table, recover=True)
            plan = plan_selection(selection, frame.schema, table)
            if plan.is_empty:
                return Change(rows=0)
            if self._format == "parquet" or plan.holds is not None:
                change = self._rewrite(table, frame, plan, None)
            else:
                change = self._delete_delta(table, frame, plan)
        log.info("rows deleted", extra={"table": table, "rows": change.rows})
        return change

    def update(
        self,
        table: str,
        selection: Selection,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str,
        at: datetime,
    ) -> Change:
        if mark in rewrites:
            raise StoreError(f"the mark column '{mark}' cannot be rewritten too")
        if at.utcoffset() is None:
            raise StoreError(f"the instant {at.isoformat()} of a mark has no time zone")
        with self._engine("update", table):
            frame = self._read(table, recover=True)
            column_types(frame.schema, rewrites, table)
            plan = plan_selection(selection, frame.schema, table)
            if plan.is_empty:
                return Change(rows=0)
            if self._format == "parquet" or plan.holds is not None:
                change = self._rewrite(table, frame, plan, (rewrites, mark, at))
            else:
                change = self._update_delta(table, frame, plan, rewrites, mark=mark, at=at)
        log.info("rows updated", extra={"table": table, "rows": change.rows, "mark": mark})
        return change

    def purge(self, table: str) -> Purge:
        with self._engine("purge", table):
            purge = self._purge(table)
        log.info("table purged", extra={"table": table, "files": purge.files_removed})
        return purge

    def _purge(self, table: str) -> Purge:
        if self._format == "delta":
            self._read(table)
            return self.maintenance.purge(self._session, self._location(table))
        runs, removed = PartitionFolders(self._root, table).recover()
        self._read(table)
        return Purge(
            files_removed=removed,
            complete=True,
            detail="a parquet rewrite deletes the old files when it swaps each partition "
            f"folder; {runs} interrupted rewrites finished or dropped now, "
            f"{removed} old files removed",
        )

    def close(self) -> None:
        if self._owns_session:
            self._session.stop()

    # --- reading ---

    @contextmanager
    def _engine(self, doing: str, table: str) -> Iterator[None]:
        """Say which table a failure of the engine, delta-rs or the file system was on."""
        from pyspark.errors import PySparkException

        failures: tuple[type[Exception], ...] = (PySparkException, OSError)
        if self._format == "delta":
            from deltalake.exceptions import DeltaError

            failures = (*failures, DeltaError)
        try:
            yield
        except failures as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            where = self.describe()
            raise StoreError(f"cannot {doing} table '{table}' of {where}: {first}") from exc

    def _location(self, table: str) -> str:
        if not table or "/" in table or table.startswith((".", "_")):
            raise StoreError(f"'{table}' is not a table name: a folder name under the root")
        return f"{self._root}/{table}"

    def _read(self, table: str, *, recover: bool = False) -> DataFrame:
        """The table as a DataFrame; `StoreError` naming it when it cannot be read. With
        `recover`, a Parquet rewrite a crash interrupted is finished first."""
        from pyspark.errors import PySparkException

        location = self._location(table)
        if recover and self._format == "parquet":
            PartitionFolders(self._root, table).recover()
        try:
            if self._format == "delta":
                frame = self._session.read.format("delta").load(location)
            else:
                frame = self._parquet(table, location)
            frame.schema  # noqa: B018 - analysing the plan reads the table's metadata now
        except PySparkException as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise StoreError(f"table '{table}' cannot be read at {location}: {first}") from exc
        return frame

    def _parquet(self, table: str, location: str) -> DataFrame:
        """A Parquet table read with its schema inferred once (merged over every file, since
        an update adds the mark column to the partitions it rewrites only), then given: each
        request to the server would infer it again."""
        from pyspark.sql.types import StringType, StructField, StructType

        inferred = self._session.read.option("mergeSchema", "true").parquet(location).schema
        partition = self._partitions.get(table)
        # Spark infers a day label (2026-03-14) as a date; the label is text.
        fields = [
            StructField(part.name, StringType(), part.nullable)
            if partition is not None and part.name == partition.column
            else part
            for part in inferred.fields
        ]
        return self._session.read.schema(StructType(fields)).parquet(location)

    @contextmanager
    def _view(self, rows: pa.Table) -> Iterator[str]:
        """`rows` as a temporary view of the session, for SQL statements."""
        name = f"placet_{uuid.uuid4().hex}"
        self._session.createDataFrame(rows).createOrReplaceTempView(name)
        try:
            yield name
        finally:
            self._session.catalog.dropTempView(name)

    def _frame(self, rows: pa.Table | None, alias: str) -> DataFrame:
        assert rows is not None
        return self._session.createDataFrame(rows).alias(alias)

    def _selected(self, frame: DataFrame, table: str, plan: SelectionPlan) -> DataFrame:
        """The selected rows of `frame`: filtered by the bounds, semi-joined to the windows,
        anti-joined to the exclusions."""
        from pyspark.sql import functions as sf

        rows = frame.alias("t").where(
            conjunction(bound_terms(plan.selection, self._partitions.get(table), "t"))
        )
        if plan.windows is not None:
            window = self._frame(plan.windows, "w")
            rows = rows.join(window, sf.expr(plan.in_window("t", "w")), "left_semi")
        if plan.holds is not None:
            hold = self._frame(plan.holds, "h")
            rows = rows.join(hold, sf.expr(conjunction(plan.in_span("t", "h"))), "left_anti")
            time = plan.time("t")
            if time is not None:
                keys = self._frame(plan.held_keys, "k")
                untimed = f"{plan.key('t')} = k.{WINDOW_KEY} AND {time} IS NULL"
                rows = rows.join(keys, sf.expr(untimed), "left_anti")
        return rows

    def _flagged(self, frame: DataFrame, table: str, plan: SelectionPlan) -> DataFrame:
        """Every row of `frame`, and a column `placet_selected` (never null). Each left join
        matches a row at most once: the windows and the holds are disjoint spans, and a row
        without a time meets only the excluded keys."""
        from pyspark.sql import functions as sf

        terms = bound_terms(plan.selection, self._partitions.get(table), "t")
        rows = frame.alias("t")
        if plan.windows is not None:
            window = self._frame(plan.windows, "w")
            rows = rows.join(window, sf.expr(plan.in_window("t", "w")), "left")
            terms.append(f"w.{WINDOW_KEY} IS NOT NULL")
        if plan.holds is not None:
            time = plan.time("t")
            held = plan.in_span("t", "h") + ([f"{time} IS NOT NULL"] if time else [])
            rows = rows.join(self._frame(plan.holds, "h"), sf.expr(conjunction(held)), "left")
            terms.append(f"h.{WINDOW_KEY} IS NULL")
            if time is not None:
                untimed = f"{plan.key('t')} = k.{WINDOW_KEY} AND {time} IS NULL"
                rows = rows.join(self._frame(plan.held_keys, "k"), sf.expr(untimed), "left")
                terms.append(f"k.{WINDOW_KEY} IS NULL")
        columns = [sf.col(f"t.{quote_name(name)}") for name in frame.columns]
        flag = sf.expr(f"coalesce({conjunction(terms)}, false)").alias(SELECTED)
        return rows.select(*columns, flag)

    def _mapping(self, rows: DataFrame, column: str, rewrite: Remap) -> pa.Table:
        """Each distinct value of `column` among `rows` and the Remap's value for it, read
        and mapped a batch at a time."""
        values = (
            rows.select(quote_name(column)).where(f"{quote_name(column)} IS NOT NULL").distinct()
        )
        value_type = values.limit(0).toArrow().schema.field(0).type
        originals: list[pa.Array] = []
        mapped: list[pa.Array] = []
        for batch in _arrow_batches(self._session, values, 65_536):
            distinct = batch.column(0)
            result = rewrite.function(distinct)
            if len(result) != len(distinct):
                raise StoreError(
                    f"the remap '{rewrite.name}' returned {len(result)} values for {len(distinct)}"
                )
            originals.append(distinct)
            mapped.append(pc.cast(result, value_type))
        return pa.table(
            {
                "placet_from": pa.chunked_array(originals, value_type),
                "placet_to": pa.chunked_array(mapped, value_type),
            }
        )

    # --- Delta by SQL ---

    def _delete_delta(self, table: str, frame: DataFrame, plan: SelectionPlan) -> Change:
        rows = int(self._selected(frame, table, plan).count())
        if rows == 0:
            return Change(rows=0)
        location = self._location(table)
        partition = self._partitions.get(table)
        if plan.windows is None:
            where = conjunction(bound_terms(plan.selection, partition, ""))
            self._session.sql(f"DELETE FROM {delta_table(location)} WHERE {where}").collect()
        else:
            with self._view(plan.windows) as windows:
                on = [plan.in_window("t", "s"), *bound_terms(plan.selection, partition, "t")]
                self._session.sql(
                    f"MERGE INTO {delta_table(location)} AS t USING {windows} AS s "
                    f"ON {conjunction(on)} WHEN MATCHED THEN DELETE"
                ).collect()
        return self.maintenance.latest_commit(self._session, location).change(rows)

    def _update_delta(
        self,
        table: str,
        frame: DataFrame,
        plan: SelectionPlan,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str,
        at: datetime,
    ) -> Change:
        types = column_types(frame.schema, rewrites, table)
        has_mark = mark in frame.columns
        selected = self._selected(frame, table, plan)
        changing = selected.where(f"{quote_name(mark)} IS NULL") if has_mark else selected
        rows = int(changing.count())
        if rows == 0:
            return Change(rows=0)
        location = self._location(table)
        if not has_mark:
            self.maintenance.add_timestamp_column(self._session, location, mark)
        remapped = [name for name, rewrite in rewrites.items() if isinstance(rewrite, Remap)]
        bounds = [*bound_terms(plan.selection, self._partitions.get(table), "t")]
        bounds.append(f"t.{quote_name(mark)} IS NULL")
        with ExitStack() as views:
            windows = (
                views.enter_context(self._view(plan.windows)) if plan.windows is not None else None
            )
            mappings = {
                name: views.enter_context(
                    self._view(self._mapping(changing, name, cast(Remap, rewrites[name])))
                )
                for name in remapped
            }
            source, on = merge_source(plan, location, bounds, windows=windows, remapped=mappings)
            sets = [
                f"{quote_name(name)} = "
                + rewritten_sql(
                    name,
                    rewrite,
                    types[name],
                    column_ref("t", name),
                    f"s.placet_to_{remapped.index(name)}" if name in remapped else "",
                )
                for name, rewrite in rewrites.items()
            ]
            sets.append(f"{quote_name(mark)} = {instant_literal(at)}")
            self._session.sql(
                f"MERGE INTO {delta_table(location)} AS t USING {source} AS s ON {conjunction(on)} "
                f"WHEN MATCHED THEN UPDATE SET {', '.join(sets)}"
            ).collect()
        return self.maintenance.latest_commit(self._session, location).change(rows)

    # --- rewriting partitions (Parquet; Delta for exclusions) ---

    def _rewrite(
        self,
        table: str,
        frame: DataFrame,
        plan: SelectionPlan,
        update: tuple[Mapping[str, Rewrite], str, datetime] | None,
    ) -> Change:
        """Delete (`update` None) or update the selected rows by rewriting the partitions
        that hold them: a Parquet table's folders swapped, a Delta table's overwritten in
        one commit (`replaceWhere`)."""
        folders = PartitionFolders(self._root, table) if self._format == "parquet" else None
        declared = self._partitions.get(table)
        column = (
            folders.partition_column(declared)
            if folders is not None
            else (declared.column if declared is not None else None)
        )
        mark = update[1] if update is not None else None
        changing = changing_rows("", mark if mark in frame.columns else None)
        counts = _rows_by_partition(self._flagged(frame, table, plan).where(changing), column)
        rows = sum(counts.values())
        if rows == 0:
            return Change(rows=0)
        if update is not None and folders is None and update[1] not in frame.columns:
            self.maintenance.add_timestamp_column(self._session, self._location(table), update[1])
            frame = self._read(table)
        flagged = self._flagged(frame, table, plan)
        if column is not None:
            flagged = flagged.where(in_partitions(column, list(counts)))
        if update is None:
            rewritten = flagged.where(f"NOT {SELECTED}").drop(SELECTED)
        else:
            rewritten = self._rewritten_rows(frame, table, flagged, update)
        if folders is None:
            return self._overwrite_delta(table, rewritten, column, list(counts), rows)
        return swap_partitions(folders, rewritten, column, list(counts), rows)

    def _rewritten_rows(
        self,
        frame: DataFrame,
        table: str,
        flagged: DataFrame,
        update: tuple[Mapping[str, Rewrite], str, datetime],
    ) -> DataFrame:
        """`flagged`'s rows, those selected and not yet marked rewritten and marked."""
        from pyspark.sql import functions as sf

        rewrites, mark, at = update
        types = column_types(frame.schema, rewrites, table)
        existing = mark if mark in frame.columns else None
        condition = changing_rows("t", existing)
        rows = flagged.alias("t")
        mapped: dict[str, str] = {}
        for index, (name, rewrite) in enumerate(rewrites.items()):
            if isinstance(rewrite, Remap):
                mapping = self._mapping(flagged.where(changing_rows("", existing)), name, rewrite)
                alias = f"m{index}"
                joined = sf.expr(f"{column_ref('t', name)} = {alias}.placet_from")
                rows = rows.join(self._frame(mapping, alias), joined, "left")
                mapped[name] = f"{alias}.placet_to"
        names = list(frame.columns) + ([] if mark in frame.columns else [mark])
        values = []
        for name in names:
            current = column_ref("t", name) if name in frame.columns else "NULL"
            if name in rewrites:
                new = rewritten_sql(
                    name, rewrites[name], types[name], current, mapped.get(name, "")
                )
            elif name == mark:
                new = instant_literal(at)
            else:
                values.append(sf.expr(current).alias(name))
                continue
            values.append(
                sf.expr(f"CASE WHEN {condition} THEN {new} ELSE {current} END").alias(name)
            )
        return rows.select(*values)

    def _overwrite_delta(
        self, table: str, rows: DataFrame, column: str | None, values: Sequence[str], count: int
    ) -> Change:
        location = self._location(table)
        writer = rows.write.format("delta").mode("overwrite")
        if column is not None:
            writer = writer.option("replaceWhere", in_partitions(column, values))
        writer.save(location)
        return self.maintenance.latest_commit(self._session, location).change(count)


def _rows_by_partition(rows: DataFrame, column: str | None) -> dict[str, int]:
    """How many of `rows` lie in each partition ('' for a table without partitions)."""
    if column is None:
        count = int(rows.count())
        return {"": count} if count else {}
    grouped = rows.selectExpr(f"{partition_label(column)} AS placet_partition").groupBy(
        "placet_partition"
    )
    counts: dict[str, int] = {}
    for row in grouped.count().collect():
        counts[str(row["placet_partition"])] = int(row["count"])
    return counts


def _arrow_batches(
    session: SparkSession, frame: DataFrame, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    """The rows of `frame` as Arrow batches of at most `batch_rows`, streamed as the server
    sends them. A Connect DataFrame has no public Arrow stream (`toLocalIterator` makes a
    Python object of each row), so this reads the client's own Arrow iterator, which
    `toLocalIterator` reads too; without one, the result is fetched whole by `toArrow`."""
    schema = frame.limit(0).toArrow().schema
    client = getattr(session, "client", None)
    stream = getattr(client, "to_table_as_iterator", None)
    plan = getattr(frame, "_plan", None)
    if stream is None or plan is None:
        tables: Iterable[pa.Table] = [frame.toArrow()]
    else:
        items = stream(plan.to_proto(client), plan.observations)
        tables = (item for item in items if isinstance(item, pa.Table))
    for table in tables:
        for batch in table.cast(schema).to_batches(max_chunksize=batch_rows):
            if batch.num_rows:
                yield batch


def open_spark_store(
    remote: str,
    root: str,
    table_format: TableFormat,
    *,
    partitions: Mapping[str, TimePartition] = MappingProxyType({}),
    maintenance: DeltaMaintenance | None = None,
    config: Mapping[str, str] = MappingProxyType({}),
) -> SparkStore:
    """A store on a new Spark Connect session to `remote` (`sc://host:15002`, or `local[2]`
    for Spark's own Connect server in this process), closed with the store.

    Parquet timestamps are written as INT64 microseconds in UTC, as other readers expect,
    unless `config` says otherwise."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.remote(remote)
    settings = {"spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS", **config}
    for key, value in settings.items():
        builder = builder.config(key, value)
    # `create()` refuses a local connection string; `getOrCreate()` starts its server.
    session = builder.getOrCreate() if remote.startswith("local") else builder.create()
    return SparkStore(
        session,
        root,
        table_format=table_format,
        partitions=partitions,
        maintenance=maintenance,
        owns_session=True,
    )
