"""Spark as a store: Delta and Parquet tables in folders under one root, acted on with Spark SQL
and DataFrames through the Spark Connect client only (no SparkContext, RDD or JVM), so the same
code runs on an operator's Spark or Databricks cluster, on Spark in local mode and on Sail.

Delta tables change by SQL: `DELETE FROM delta.`path`` for time bounds, and a `MERGE` whose
source is the key windows (with, for a `Remap`, each distinct value and its mapping). A time
span less excluded windows, which neither can say without a subquery, overwrites the
partitions holding selected rows in one commit (`replaceWhere`). What Delta's maintenance SQL
does on a cluster (`DESCRIBE HISTORY`, `ALTER TABLE … ADD COLUMNS`, `REORG TABLE … APPLY
(PURGE)`, `VACUUM`) is a `DeltaMaintenance`: `DeltaSqlMaintenance` sends that SQL;
`DeltaRsMaintenance`, for an engine that parses none of it (Sail 0.7), reads the log, adds the
mark column and vacuums with delta-rs, and has the engine rewrite the partitions whose files
carry deletion vectors. Where the caller names none, the engine's `version()` chooses.

Parquet folders cannot change in place. A delete or update writes the partitions it touches
anew into `<root>/_placet_rewrite/<table>/<run>/new/`, writes `_COMMITTED` there, then swaps
each partition folder by two renames (the old folder into the run, the new one into the
table) and removes the run with the old files. A crash before `_COMMITTED` leaves the table as
it was; a crash after it leaves some partitions swapped, and the next delete, update or purge
finishes the swap before anything else; between a folder's two renames a reader misses that
partition. A Parquet table has one writer at a time, and its root must be reachable from this
process (pyarrow's file systems) as well as from Spark: Spark Connect has no file operations.

Imports pyspark and deltalake only inside the calls that need them.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc

from placet.errors import StoreError
from placet.retention.rewrites import Constant, MaskTail, Nullify, Remap, Rewrite
from placet.retention.spans import WINDOW_SCHEMA
from placet.stores.protocol import Change, Purge, Selection, TimePartition

if TYPE_CHECKING:
    from deltalake import DeltaTable
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

__all__ = [
    "DEFAULT_RETENTION",
    "STAGING_FOLDER",
    "Commit",
    "DeltaMaintenance",
    "DeltaRsMaintenance",
    "DeltaSqlMaintenance",
    "SparkStore",
    "TableFormat",
    "commits_holding_files",
    "detect_delta_maintenance",
    "open_spark_store",
    "retention_of",
]

log = logging.getLogger(__name__)

TableFormat = Literal["delta", "parquet"]
STAGING_FOLDER = "_placet_rewrite"
"""The folder under the root where Parquet rewrites are staged (hidden from Spark's listing)."""
DEFAULT_RETENTION = timedelta(days=7)
"""How long Delta keeps removed files when `delta.deletedFileRetentionDuration` does not say."""

_SELECTED = "placet_selected"
_KEY, _SINCE, _BEFORE, _HELD = (
    "placet_window_key",
    "placet_window_since",
    "placet_window_before",
    "placet_window_held",
)
_COMMITTED = "_COMMITTED"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SPARK_VERSION = re.compile(r"\d+\.\d+\.\d+\S* [0-9a-f]{7,}")
_INTERVAL = re.compile(r"\s*interval\s+(\d+)\s+(week|day|hour|minute|second)s?\s*", re.I)
_FOLDER_VALUE = re.compile(r"[A-Za-z0-9_.\-]+")
_REMOVAL_METRICS = ("numRemovedFiles", "numTargetFilesRemoved", "num_removed_files")
_METADATA_ONLY = frozenset(
    {
        "VACUUM START",
        "VACUUM END",
        "SET TBLPROPERTIES",
        "UNSET TBLPROPERTIES",
        "ADD COLUMNS",
        "CHANGE COLUMN",
        "CREATE TABLE",
        "UPGRADE PROTOCOL",
    }
)


# --- Spark SQL text ---------------------------------------------------------------------


def _name(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def _column(alias: str, column: str) -> str:
    return f"{alias}.{_name(column)}" if alias else _name(column)


def _text(value: str) -> str:
    """A string literal as Spark's (and Sail's) parser reads it: backslash escapes."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _instant(moment: datetime) -> str:
    """A timestamp literal that does not depend on the session's time zone."""
    span = moment.astimezone(UTC) - _EPOCH
    micros = (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds
    return f"timestamp_micros({micros})"


def _all(terms: Sequence[str]) -> str:
    return " AND ".join(f"({term})" for term in terms) if terms else "true"


def _delta(location: str) -> str:
    return f"delta.{_name(location)}"


# --- selections -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """A selection made ready for Spark. Its windows are made disjoint and the excluded spans
    cut out of them (`window_difference`), so that a row lies in at most one, as a `MERGE`
    needs; `placet_window_held` marks a key with excluded windows, whose rows without a time
    are kept. Without windows, its exclusions are merged spans (`holds`) and the excluded keys
    (`held_keys`). Columns are renamed so as not to meet the table's own."""

    selection: Selection
    key_is_text: bool
    windows: pa.Table | None = None
    holds: pa.Table | None = None
    held_keys: pa.Table | None = None

    @property
    def is_empty(self) -> bool:
        return self.selection.is_empty or (self.windows is not None and len(self.windows) == 0)

    def key(self, alias: str) -> str:
        """The row's key, as text (window keys are text)."""
        assert self.selection.key_column is not None
        key = _column(alias, self.selection.key_column)
        return key if self.key_is_text else f"CAST({key} AS STRING)"

    def time(self, alias: str) -> str | None:
        time = self.selection.time_column
        return _column(alias, time) if time is not None else None

    def in_span(self, table: str, spans: str) -> list[str]:
        """The terms of a row of `table` lying in a span of `spans` with its key."""
        terms = [f"{self.key(table)} = {spans}.{_KEY}"]
        time = self.time(table)
        if time is not None:
            terms.append(f"{spans}.{_SINCE} IS NULL OR {time} >= {spans}.{_SINCE}")
            terms.append(f"{spans}.{_BEFORE} IS NULL OR {time} < {spans}.{_BEFORE}")
        return terms

    def in_window(self, table: str, windows: str) -> str:
        """The join condition of a row of `table` to the window of `windows` selecting it."""
        terms = self.in_span(table, windows)
        time = self.time(table)
        if time is not None:
            terms.append(f"NOT ({windows}.{_HELD} AND {time} IS NULL)")
        return _all(terms)


def _plan(selection: Selection, schema: StructType, table: str) -> _Plan:
    """`selection` for a table of Spark `schema`; `StoreError` for columns it does not have."""
    from placet.stores.delta_store import window_difference

    if missing := [name for name in selection.columns() if name not in schema.names]:
        raise StoreError(
            f"table '{table}' has no columns {missing}, which the selection reads. "
            "Check the data map's key and time columns for this dataset."
        )
    key = selection.key_column
    key_is_text = key is None or schema[key].dataType.simpleString().startswith("string")
    exclude = (
        selection.exclude if selection.exclude is not None and len(selection.exclude) else None
    )
    if exclude is not None:
        _check_exclusions(selection, exclude)
    if selection.windows is not None:
        windows = window_difference(selection.windows, exclude)
        held = (
            pc.is_in(windows["key"], value_set=exclude["key"])
            if exclude is not None
            else pa.repeat(False, len(windows))
        )
        columns = [windows["key"], windows["since"], windows["before"], held]
        renamed = pa.table(columns, names=[_KEY, _SINCE, _BEFORE, _HELD])
        return _Plan(selection, key_is_text, windows=renamed)
    if exclude is None:
        return _Plan(selection, key_is_text)
    holds = window_difference(exclude).rename_columns([_KEY, _SINCE, _BEFORE])
    keys = pa.table({_KEY: pc.unique(exclude["key"])})
    return _Plan(selection, key_is_text, holds=holds, held_keys=keys)


def _check_exclusions(selection: Selection, exclude: pa.Table) -> None:
    if selection.key_column is None:
        raise StoreError("a selection that excludes key windows must name its key column")
    if not exclude.schema.equals(WINDOW_SCHEMA):
        raise StoreError(
            f"excluded key windows must have the schema {WINDOW_SCHEMA}, not {exclude.schema}"
        )
    open_since = exclude["since"].null_count == len(exclude)
    open_before = exclude["before"].null_count == len(exclude)
    if not (open_since and open_before) and selection.time_column is None:
        raise StoreError("a selection bounded in time must name its time column")


def _span(selection: Selection) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest instant the selection can reach, for partition pruning."""
    low, high = selection.since, selection.before
    windows = selection.windows
    if windows is not None and len(windows) > 0:
        if windows["since"].null_count == 0:
            earliest = cast(datetime, pc.min(windows["since"]).as_py())
            low = max(low, earliest) if low is not None else earliest
        if windows["before"].null_count == 0:
            latest = cast(datetime, pc.max(windows["before"]).as_py())
            high = min(high, latest) if high is not None else latest
    return low, high


def _bounds(selection: Selection, partition: TimePartition | None, alias: str) -> list[str]:
    """The selection's time bounds over the table aliased `alias`, with the partitions they
    prune to when the table is partitioned by the selection's time column."""
    terms: list[str] = []
    if selection.time_column is not None:
        time = _column(alias, selection.time_column)
        if selection.since is not None:
            terms.append(f"{time} >= {_instant(selection.since)}")
        if selection.before is not None:
            terms.append(f"{time} < {_instant(selection.before)}")
    if partition is not None and partition.time_column == selection.time_column:
        low, high = _span(selection)
        label = _column(alias, partition.column)
        if low is not None:
            terms.append(f"{label} >= {_text(partition.label(low))}")
        if high is not None:
            terms.append(f"{label} <= {_text(partition.label(high - timedelta(microseconds=1)))}")
    return terms


def _rewritten(column: str, rewrite: Rewrite, data_type: str, value: str, mapped: str) -> str:
    """The SQL of a column's new value: `value` is its current value, `mapped` a Remap's."""
    if isinstance(rewrite, Nullify):
        return f"CAST(NULL AS {data_type})"
    if isinstance(rewrite, Constant):
        return f"CAST({_text(rewrite.value)} AS {data_type})"
    if isinstance(rewrite, MaskTail):
        if not data_type.startswith(("string", "varchar", "char")):
            raise StoreError(f"a tail can only be masked in text, not in {column} ({data_type})")
        length, digits = f"char_length({value})", rewrite.digits
        return (
            f"concat(substring({value}, 1, greatest({length} - {digits}, 0)), "
            f"repeat({_text(rewrite.mask)}, least({length}, {digits})))"
        )
    return mapped


def _types(schema: StructType, rewrites: Mapping[str, Rewrite], table: str) -> dict[str, str]:
    """The Spark SQL type of each rewritten column; `StoreError` for a column not there."""
    if missing := [name for name in rewrites if name not in schema.names]:
        raise StoreError(f"table '{table}' has no columns {missing} to rewrite")
    return {name: schema[name].dataType.simpleString() for name in rewrites}


# --- Delta maintenance ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commit:
    """One entry of a Delta table's history."""

    version: int | None
    timestamp: datetime | None
    operation: str
    metrics: Mapping[str, str] = field(default_factory=dict)

    @property
    def removes_files(self) -> bool:
        """Whether the commit removed data files (which stay on disk until a vacuum)."""
        counts = [self.metrics[key] for key in _REMOVAL_METRICS if key in self.metrics]
        if counts:
            return any(int(count or 0) > 0 for count in counts)
        return self.operation not in _METADATA_ONLY

    def change(self, rows: int) -> Change:
        def count(*keys: str) -> int:
            return next((int(self.metrics[key]) for key in keys if key in self.metrics), 0)

        added = count("numTargetFilesAdded", "numAddedFiles", "num_added_files")
        removed = count(*_REMOVAL_METRICS)
        return Change(
            rows, self.version, files_rewritten=added, files_removed=max(0, removed - added)
        )


def commits_holding_files(
    history: Iterable[Commit], retention: timedelta, now: datetime
) -> list[Commit]:
    """The commits whose removed files a vacuum with `retention` still keeps at `now`."""
    cutoff = now - retention
    return [
        commit
        for commit in history
        if commit.removes_files and (commit.timestamp is None or commit.timestamp > cutoff)
    ]


def retention_of(configuration: Mapping[str, str | None]) -> timedelta:
    """A Delta table's `delta.deletedFileRetentionDuration` (`interval 7 days`)."""
    value = configuration.get("delta.deletedFileRetentionDuration")
    if value is None:
        return DEFAULT_RETENTION
    matched = _INTERVAL.fullmatch(value)
    if matched is None:
        raise StoreError(
            f"cannot read the retention '{value}' of a Delta table; "
            "pass retain_hours to the Delta maintenance"
        )
    unit = matched.group(2).lower()
    return timedelta(**{f"{unit}s": int(matched.group(1))})


def _held_back(held: Sequence[Commit], retention: timedelta) -> str:
    if not held:
        return f"no file removed within the {_hours(retention)}-hour retention window remains"
    versions = ", ".join(str(commit.version) for commit in held)
    return (
        f"files removed by versions {versions} stay on disk until a vacuum after their "
        f"{_hours(retention)}-hour retention window"
    )


def _hours(retention: timedelta) -> int:
    return math.ceil(retention.total_seconds() / 3600)


class DeltaMaintenance(Protocol):
    """What Delta's maintenance SQL does, on an engine that has it or beside one that has not."""

    def describe(self) -> str: ...

    def latest_commit(self, session: SparkSession, location: str) -> Commit: ...

    def add_timestamp_column(self, session: SparkSession, location: str, name: str) -> None: ...

    def purge(self, session: SparkSession, location: str) -> Purge: ...


@dataclass(frozen=True, slots=True)
class DeltaSqlMaintenance:
    """Delta Lake's own SQL, on Spark or Databricks with the Delta jars. `retain_hours`: the
    vacuum's retention; None: the table's `delta.deletedFileRetentionDuration`."""

    retain_hours: int | None = None

    def describe(self) -> str:
        return "Delta Lake SQL on the Spark engine"

    def latest_commit(self, session: SparkSession, location: str) -> Commit:
        return self.history(session, location, limit=1)[0]

    def history(
        self, session: SparkSession, location: str, limit: int | None = None
    ) -> list[Commit]:
        """The table's commits, newest first (their instants read as microseconds, free of
        the session's time zone)."""
        statement = f"DESCRIBE HISTORY {_delta(location)}" + (f" LIMIT {limit}" if limit else "")
        rows = session.sql(statement).selectExpr(
            "version", "unix_micros(timestamp) AS micros", "operation", "operationMetrics"
        )
        return [
            Commit(
                version=int(row["version"]),
                timestamp=_EPOCH + timedelta(microseconds=int(row["micros"])),
                operation=str(row["operation"]),
                metrics={str(k): str(v) for k, v in (row["operationMetrics"] or {}).items()},
            )
            for row in rows.collect()
        ]

    def add_timestamp_column(self, session: SparkSession, location: str, name: str) -> None:
        statement = f"ALTER TABLE {_delta(location)} ADD COLUMNS ({_name(name)} TIMESTAMP)"
        session.sql(statement).collect()

    def purge_statements(self, location: str) -> list[str]:
        """`REORG … APPLY (PURGE)` rewrites the files that carry deletion vectors; `VACUUM`
        deletes the files no version within the retention needs."""
        retain = f" RETAIN {self.retain_hours} HOURS" if self.retain_hours is not None else ""
        return [
            f"REORG TABLE {_delta(location)} APPLY (PURGE)",
            f"VACUUM {_delta(location)}{retain}",
        ]

    def purge(self, session: SparkSession, location: str) -> Purge:
        statements = self.purge_statements(location)
        for statement in statements:
            session.sql(statement).collect()
        retention = (
            timedelta(hours=self.retain_hours)
            if self.retain_hours is not None
            else retention_of(self._properties(session, location))
        )
        history = self.history(session, location)
        logged = history[0].operation == "VACUUM END"
        removed = int(history[0].metrics.get("numDeletedFiles", 0)) if logged else 0
        counted = (
            f"VACUUM deleted {removed} files"
            if logged
            else "VACUUM logged no count of the files it deleted"
        )
        held = commits_holding_files(history, retention, _now())
        return Purge(
            files_removed=removed,
            complete=not held,
            detail=f"ran on the Spark engine: {'; '.join(statements)}; {counted}; "
            f"{_held_back(held, retention)}",
        )

    def _properties(self, session: SparkSession, location: str) -> dict[str, str | None]:
        rows = session.sql(f"SHOW TBLPROPERTIES {_delta(location)}").collect()
        return {str(row["key"]): str(row["value"]) for row in rows}


@dataclass(frozen=True, slots=True)
class DeltaRsMaintenance:
    """delta-rs (`deltalake`) on the same files, for an engine without Delta's maintenance SQL
    (Sail 0.7 parses neither `DESCRIBE HISTORY`, `ALTER TABLE … ADD COLUMNS`, `REORG` nor
    `VACUUM`). The table must be reachable from this process (`storage_options` for object
    stores). delta-rs cannot read deletion vectors, so the engine rewrites the partitions whose
    files carry them before delta-rs vacuums."""

    retain_hours: int | None = None
    storage_options: Mapping[str, str] | None = None

    def describe(self) -> str:
        return "delta-rs beside the Spark engine"

    def _table(self, location: str) -> DeltaTable:
        from deltalake import DeltaTable

        options = dict(self.storage_options) if self.storage_options else None
        return DeltaTable(location, storage_options=options)

    def latest_commit(self, session: SparkSession, location: str) -> Commit:
        return _delta_rs_commits(self._table(location).history(1))[0]

    def add_timestamp_column(self, session: SparkSession, location: str, name: str) -> None:
        from deltalake.schema import Field, PrimitiveType

        self._table(location).alter.add_columns([Field(name, PrimitiveType("timestamp"))])

    def purge(self, session: SparkSession, location: str) -> Purge:
        import deltalake

        table = self._table(location)
        predicates = _partitions_with_deletion_vectors(table)
        if predicates:
            _rewrite_partitions(session, location, predicates)
            table = self._table(location)
        retention = (
            timedelta(hours=self.retain_hours)
            if self.retain_hours is not None
            else retention_of(table.metadata().configuration)
        )
        vacuumed = table.vacuum(retention_hours=_hours(retention), dry_run=False)
        removed = {_relative(path, location) for path in vacuumed}
        table = self._table(location)
        left = table.deletion_vectors().read_all().num_rows
        held = commits_holding_files(_delta_rs_commits(table.history()), retention, _now())
        rewrote = (
            f"the engine rewrote {len(predicates)} partitions whose files carried deletion "
            f"vectors ({' OR '.join(predicates)}) with a replaceWhere overwrite; "
            if predicates
            else "no file carried deletion vectors; "
        )
        return Purge(
            files_removed=len(removed),
            complete=not held and left == 0,
            detail=f"{rewrote}delta-rs {deltalake.__version__} vacuumed with a "
            f"{_hours(retention)}-hour retention and removed {len(removed)} files; "
            f"{_held_back(held, retention)}"
            + (f"; {left} files still carry deletion vectors" if left else ""),
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _relative(path: str, location: str) -> str:
    path = path.removeprefix("file://")
    return path.removeprefix(location.rstrip("/") + "/")


def _delta_rs_commits(history: Sequence[Mapping[str, Any]]) -> list[Commit]:
    return [
        Commit(
            version=int(entry["version"]) if "version" in entry else None,
            timestamp=datetime.fromtimestamp(int(entry["timestamp"]) / 1000, UTC)
            if "timestamp" in entry
            else None,
            operation=str(entry.get("operation", "")),
            metrics={str(k): str(v) for k, v in (entry.get("operationMetrics") or {}).items()},
        )
        for entry in history
    ]


def _partitions_with_deletion_vectors(table: DeltaTable) -> list[str]:
    """A SQL predicate per partition holding a file with a deletion vector (`true` for a table
    without partitions)."""
    carrying = {
        unquote(str(path))
        for batch in table.deletion_vectors()
        for path in pa.record_batch(batch).column("filepath").to_pylist()
    }
    if not carrying:
        return []
    columns: list[str] = list(table.metadata().partition_columns)
    if not columns:
        return ["true"]
    actions = pa.table(table.get_add_actions(flatten=True))
    predicates: dict[str, None] = {}
    for action in actions.to_pylist():
        if not any(path.endswith("/" + unquote(str(action["path"]))) for path in carrying):
            continue
        terms = [
            f"{_name(name)} IS NULL"
            if action[f"partition.{name}"] is None
            else f"{_name(name)} = {_text(str(action[f'partition.{name}']))}"
            for name in columns
        ]
        predicates[_all(terms)] = None
    return list(predicates)


def _rewrite_partitions(session: SparkSession, location: str, predicates: Sequence[str]) -> None:
    """Rewrite whole partitions through the engine: the new files carry no deletion vector,
    and the old ones become removed files that a vacuum deletes."""
    table = session.read.format("delta").load(location)
    if predicates == ["true"]:
        table.write.format("delta").mode("overwrite").save(location)
        return
    where = " OR ".join(f"({predicate})" for predicate in predicates)
    writer = table.where(where).write.format("delta").mode("overwrite")
    writer.option("replaceWhere", where).save(location)


def is_apache_spark(session: SparkSession) -> bool:
    """Whether the engine is Apache Spark or Databricks: its `version()` is a release and a
    git revision (Sail answers its own version alone)."""
    version = str(session.sql("SELECT version()").first()[0])  # type: ignore[index]
    return _SPARK_VERSION.fullmatch(version) is not None


def detect_delta_maintenance(session: SparkSession) -> DeltaMaintenance:
    """Delta's own SQL where the engine is Apache Spark or Databricks, delta-rs elsewhere."""
    return DeltaSqlMaintenance() if is_apache_spark(session) else DeltaRsMaintenance()


# --- Parquet partition folders ----------------------------------------------------------


class _PartitionFolders:
    """A Parquet table's folders, and the swap of its partition folders for rewritten ones
    (see the module's docstring for what a crash leaves)."""

    def __init__(self, root: str, table: str) -> None:
        from pyarrow.fs import FileSystem, LocalFileSystem

        if "://" in root:
            self.filesystem, base = FileSystem.from_uri(root)
        else:
            self.filesystem, base = LocalFileSystem(), root
        self.table = f"{base}/{table}"
        self.staging = f"{base}/{STAGING_FOLDER}/{table}"

    def _exists(self, path: str) -> bool:
        from pyarrow.fs import FileType

        return bool(self.filesystem.get_file_info(path).type != FileType.NotFound)

    def _children(self, path: str) -> list[Any]:
        from pyarrow.fs import FileSelector

        return list(self.filesystem.get_file_info(FileSelector(path, allow_not_found=True)))

    def partition_column(self, declared: TimePartition | None) -> str | None:
        """The column the table's folders are partitioned by (`month=2026-03/`), if any."""
        from pyarrow.fs import FileType

        folders = [
            child.base_name
            for child in self._children(self.table)
            if child.type == FileType.Directory and not child.base_name.startswith(("_", "."))
        ]
        names = {folder.split("=", 1)[0] for folder in folders if "=" in folder}
        if len(names) > 1 or (folders and not names):
            raise StoreError(f"{self.table} is not partitioned by one column in name=value folders")
        column = names.pop() if names else (declared.column if declared else None)
        if declared is not None and column != declared.column:
            raise StoreError(
                f"{self.table} is partitioned by '{column}', not by '{declared.column}' "
                "as its TimePartition says"
            )
        return column

    def begin(self) -> str:
        run = f"{self.staging}/{uuid.uuid4().hex}"
        self.filesystem.create_dir(run, recursive=True)
        return run

    def files(self, path: str) -> int:
        from pyarrow.fs import FileSelector

        selector = FileSelector(path, recursive=True, allow_not_found=True)
        infos = self.filesystem.get_file_info(selector)
        return sum(1 for info in infos if info.base_name.endswith(".parquet"))

    def commit(self, run: str, units: Sequence[str]) -> tuple[int, int]:
        """Mark the run complete, then swap its units; the files (written, removed)."""
        written = self.files(f"{run}/new")
        marker = f"{run}/{_COMMITTED}"
        with self.filesystem.open_output_stream(marker + ".tmp") as stream:
            stream.write(json.dumps({"units": list(units)}).encode())
        self.filesystem.move(marker + ".tmp", marker)
        removed = self._swap(run, units)
        self.filesystem.delete_dir(run)
        return written, removed

    def _swap(self, run: str, units: Sequence[str]) -> int:
        removed = 0
        for unit in units:
            staged = f"{run}/new/{unit}" if unit else f"{run}/new"
            final = f"{self.table}/{unit}" if unit else self.table
            old = f"{run}/old/{unit}" if unit else f"{run}/old"
            if not self._exists(staged):
                continue
            if self._exists(final):
                removed += self.files(final)
                self.filesystem.create_dir(f"{run}/old", recursive=True)
                self.filesystem.move(final, old)
            self.filesystem.move(staged, final)
        return removed

    def recover(self) -> tuple[int, int]:
        """Finish the swaps a crash interrupted after their mark, and drop the runs it
        interrupted before; (runs finished or dropped, old files removed)."""
        runs = self._children(self.staging)
        removed = 0
        for run in runs:
            marker = f"{run.path}/{_COMMITTED}"
            if self._exists(marker):
                with self.filesystem.open_input_stream(marker) as stream:
                    units = json.loads(stream.read().decode())["units"]
                self._swap(run.path, units)
                removed += self.files(f"{run.path}/old")
                log.warning("finished an interrupted parquet rewrite", extra={"run": run.path})
            self.filesystem.delete_dir(run.path)
        return len(runs), removed


# --- the store --------------------------------------------------------------------------


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
            plan = _plan(selection, frame.schema, table)
            if plan.is_empty:
                return iter(())
            chosen = self._selected(frame, table, plan).select(*[_name(name) for name in names])
        return self._streamed(table, chosen, batch_rows)

    def _streamed(self, table: str, frame: DataFrame, batch_rows: int) -> Iterator[pa.RecordBatch]:
        with self._engine("read", table):
            yield from _arrow_batches(self._session, frame, batch_rows)

    def count(self, table: str, selection: Selection, *, unmarked: str | None = None) -> int:
        with self._engine("count the rows of", table):
            frame = self._read(table)
            plan = _plan(selection, frame.schema, table)
            if plan.is_empty:
                return 0
            chosen = self._selected(frame, table, plan)
            if unmarked is not None and unmarked in frame.columns:
                chosen = chosen.where(f"{_name(unmarked)} IS NULL")
            return int(chosen.count())

    def delete(self, table: str, selection: Selection) -> Change:
        with self._engine("delete from", table):
            frame = self._read(table, recover=True)
            plan = _plan(selection, frame.schema, table)
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
            _types(frame.schema, rewrites, table)
            plan = _plan(selection, frame.schema, table)
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
        runs, removed = _PartitionFolders(self._root, table).recover()
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
            _PartitionFolders(self._root, table).recover()
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

    def _selected(self, frame: DataFrame, table: str, plan: _Plan) -> DataFrame:
        """The selected rows of `frame`: filtered by the bounds, semi-joined to the windows,
        anti-joined to the exclusions."""
        from pyspark.sql import functions as sf

        rows = frame.alias("t").where(
            _all(_bounds(plan.selection, self._partitions.get(table), "t"))
        )
        if plan.windows is not None:
            window = self._frame(plan.windows, "w")
            rows = rows.join(window, sf.expr(plan.in_window("t", "w")), "left_semi")
        if plan.holds is not None:
            hold = self._frame(plan.holds, "h")
            rows = rows.join(hold, sf.expr(_all(plan.in_span("t", "h"))), "left_anti")
            time = plan.time("t")
            if time is not None:
                keys = self._frame(plan.held_keys, "k")
                untimed = f"{plan.key('t')} = k.{_KEY} AND {time} IS NULL"
                rows = rows.join(keys, sf.expr(untimed), "left_anti")
        return rows

    def _flagged(self, frame: DataFrame, table: str, plan: _Plan) -> DataFrame:
        """Every row of `frame`, and a column `placet_selected` (never null). Each left join
        matches a row at most once: the windows and the holds are disjoint spans, and a row
        without a time meets only the excluded keys."""
        from pyspark.sql import functions as sf

        terms = _bounds(plan.selection, self._partitions.get(table), "t")
        rows = frame.alias("t")
        if plan.windows is not None:
            window = self._frame(plan.windows, "w")
            rows = rows.join(window, sf.expr(plan.in_window("t", "w")), "left")
            terms.append(f"w.{_KEY} IS NOT NULL")
        if plan.holds is not None:
            time = plan.time("t")
            held = plan.in_span("t", "h") + ([f"{time} IS NOT NULL"] if time else [])
            rows = rows.join(self._frame(plan.holds, "h"), sf.expr(_all(held)), "left")
            terms.append(f"h.{_KEY} IS NULL")
            if time is not None:
                untimed = f"{plan.key('t')} = k.{_KEY} AND {time} IS NULL"
                rows = rows.join(self._frame(plan.held_keys, "k"), sf.expr(untimed), "left")
                terms.append(f"k.{_KEY} IS NULL")
        columns = [sf.col(f"t.{_name(name)}") for name in frame.columns]
        flag = sf.expr(f"coalesce({_all(terms)}, false)").alias(_SELECTED)
        return rows.select(*columns, flag)

    def _mapping(self, rows: DataFrame, column: str, rewrite: Remap) -> pa.Table:
        """Each distinct value of `column` among `rows` and the Remap's value for it, read
        and mapped a batch at a time."""
        values = rows.select(_name(column)).where(f"{_name(column)} IS NOT NULL").distinct()
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

    def _delete_delta(self, table: str, frame: DataFrame, plan: _Plan) -> Change:
        rows = int(self._selected(frame, table, plan).count())
        if rows == 0:
            return Change(rows=0)
        location = self._location(table)
        partition = self._partitions.get(table)
        if plan.windows is None:
            where = _all(_bounds(plan.selection, partition, ""))
            self._session.sql(f"DELETE FROM {_delta(location)} WHERE {where}").collect()
        else:
            with self._view(plan.windows) as windows:
                on = [plan.in_window("t", "s"), *_bounds(plan.selection, partition, "t")]
                self._session.sql(
                    f"MERGE INTO {_delta(location)} AS t USING {windows} AS s "
                    f"ON {_all(on)} WHEN MATCHED THEN DELETE"
                ).collect()
        return self.maintenance.latest_commit(self._session, location).change(rows)

    def _update_delta(
        self,
        table: str,
        frame: DataFrame,
        plan: _Plan,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str,
        at: datetime,
    ) -> Change:
        types = _types(frame.schema, rewrites, table)
        has_mark = mark in frame.columns
        selected = self._selected(frame, table, plan)
        changing = selected.where(f"{_name(mark)} IS NULL") if has_mark else selected
        rows = int(changing.count())
        if rows == 0:
            return Change(rows=0)
        location = self._location(table)
        if not has_mark:
            self.maintenance.add_timestamp_column(self._session, location, mark)
        remapped = [name for name, rewrite in rewrites.items() if isinstance(rewrite, Remap)]
        bounds = [*_bounds(plan.selection, self._partitions.get(table), "t")]
        bounds.append(f"t.{_name(mark)} IS NULL")
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
            source, on = _merge_source(plan, location, bounds, windows=windows, remapped=mappings)
            sets = [
                f"{_name(name)} = "
                + _rewritten(
                    name,
                    rewrite,
                    types[name],
                    _column("t", name),
                    f"s.placet_to_{remapped.index(name)}" if name in remapped else "",
                )
                for name, rewrite in rewrites.items()
            ]
            sets.append(f"{_name(mark)} = {_instant(at)}")
            self._session.sql(
                f"MERGE INTO {_delta(location)} AS t USING {source} AS s ON {_all(on)} "
                f"WHEN MATCHED THEN UPDATE SET {', '.join(sets)}"
            ).collect()
        return self.maintenance.latest_commit(self._session, location).change(rows)

    # --- rewriting partitions (Parquet; Delta for exclusions) ---

    def _rewrite(
        self,
        table: str,
        frame: DataFrame,
        plan: _Plan,
        update: tuple[Mapping[str, Rewrite], str, datetime] | None,
    ) -> Change:
        """Delete (`update` None) or update the selected rows by rewriting the partitions
        that hold them: a Parquet table's folders swapped, a Delta table's overwritten in
        one commit (`replaceWhere`)."""
        folders = _PartitionFolders(self._root, table) if self._format == "parquet" else None
        declared = self._partitions.get(table)
        column = (
            folders.partition_column(declared)
            if folders is not None
            else (declared.column if declared is not None else None)
        )
        mark = update[1] if update is not None else None
        changing = _changing("", mark if mark in frame.columns else None)
        counts = _rows_by_partition(self._flagged(frame, table, plan).where(changing), column)
        rows = sum(counts.values())
        if rows == 0:
            return Change(rows=0)
        if update is not None and folders is None and update[1] not in frame.columns:
            self.maintenance.add_timestamp_column(self._session, self._location(table), update[1])
            frame = self._read(table)
        flagged = self._flagged(frame, table, plan)
        if column is not None:
            flagged = flagged.where(_in_partitions(column, list(counts)))
        if update is None:
            rewritten = flagged.where(f"NOT {_SELECTED}").drop(_SELECTED)
        else:
            rewritten = self._rewritten_rows(frame, table, flagged, update)
        if folders is None:
            return self._overwrite_delta(table, rewritten, column, list(counts), rows)
        return self._swap_parquet(folders, rewritten, column, list(counts), rows)

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
        types = _types(frame.schema, rewrites, table)
        existing = mark if mark in frame.columns else None
        condition = _changing("t", existing)
        rows = flagged.alias("t")
        mapped: dict[str, str] = {}
        for index, (name, rewrite) in enumerate(rewrites.items()):
            if isinstance(rewrite, Remap):
                mapping = self._mapping(flagged.where(_changing("", existing)), name, rewrite)
                alias = f"m{index}"
                joined = sf.expr(f"{_column('t', name)} = {alias}.placet_from")
                rows = rows.join(self._frame(mapping, alias), joined, "left")
                mapped[name] = f"{alias}.placet_to"
        names = list(frame.columns) + ([] if mark in frame.columns else [mark])
        values = []
        for name in names:
            current = _column("t", name) if name in frame.columns else "NULL"
            if name in rewrites:
                new = _rewritten(name, rewrites[name], types[name], current, mapped.get(name, ""))
            elif name == mark:
                new = _instant(at)
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
            writer = writer.option("replaceWhere", _in_partitions(column, values))
        writer.save(location)
        return self.maintenance.latest_commit(self._session, location).change(count)

    def _swap_parquet(
        self,
        folders: _PartitionFolders,
        rows: DataFrame,
        column: str | None,
        values: Sequence[str],
        count: int,
    ) -> Change:
        unsafe = [value for value in values if not _FOLDER_VALUE.fullmatch(value)]
        if column is not None and unsafe:
            raise StoreError(f"cannot name the folders of the partitions {column}={unsafe}")
        run = folders.begin()
        units = [f"{column}={value}" for value in values] if column is not None else [""]
        if column is None:
            rows.write.mode("error").parquet(f"{run}/new")
        else:
            rows.write.mode("error").partitionBy(column).parquet(f"{run}/new")
            for unit in units:
                if not folders.files(f"{run}/new/{unit}"):
                    # A partition left empty keeps one empty file with the table's schema, so
                    # that the table stays readable when every partition is empty.
                    empty = rows.limit(0).drop(column)
                    empty.write.mode("overwrite").parquet(f"{run}/new/{unit}")
        written, removed = folders.commit(run, units)
        return Change(rows=count, files_rewritten=written, files_removed=removed)


def _changing(alias: str, mark: str | None) -> str:
    """Which flagged rows change: the selected ones (not yet marked, when the mark exists)."""
    selected = _column(alias, _SELECTED)
    return f"{selected} AND {_column(alias, mark)} IS NULL" if mark is not None else selected


def _merge_source(
    plan: _Plan,
    location: str,
    bounds: Sequence[str],
    *,
    windows: str | None,
    remapped: Mapping[str, str],
) -> tuple[str, list[str]]:
    """The source of an updating MERGE and its ON terms: the windows (or one row), and for
    each remapped column (to the view of its mapping) its distinct selected values with their
    mapping, so that every target row matches exactly one source row."""
    on = list(bounds)
    if windows is not None:
        on.insert(0, plan.in_window("t", "s"))
    if not remapped:
        return (windows or "(SELECT 1 AS placet_one)"), on
    picked = [f"w.{name}" for name in (_KEY, _SINCE, _BEFORE, _HELD)] if windows else []
    picked += [f"{_column('t', name)} AS placet_from_{i}" for i, name in enumerate(remapped)]
    joined = f" JOIN {windows} AS w ON {plan.in_window('t', 'w')}" if windows else ""
    distinct = (
        f"SELECT DISTINCT {', '.join(picked)} FROM {_delta(location)} AS t{joined} "
        f"WHERE {_all(bounds)}"
    )
    maps = " ".join(
        f"LEFT JOIN {view} AS m{i} ON b.placet_from_{i} = m{i}.placet_from"
        for i, view in enumerate(remapped.values())
    )
    mapped = ", ".join(f"m{i}.placet_to AS placet_to_{i}" for i in range(len(remapped)))
    on += [f"{_column('t', name)} <=> s.placet_from_{i}" for i, name in enumerate(remapped)]
    return f"(SELECT b.*, {mapped} FROM ({distinct}) AS b {maps})", on


_NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def _partition_label(column: str) -> str:
    """A row's partition as its folder names it (Spark's name for a null value)."""
    return f"coalesce(CAST({_name(column)} AS STRING), {_text(_NULL_PARTITION)})"


def _in_partitions(column: str, labels: Sequence[str]) -> str:
    """The rows in the partitions of `labels`, without `coalesce` (which Sail 0.7 cannot
    evaluate in a `replaceWhere`)."""
    values = [label for label in labels if label != _NULL_PARTITION]
    terms = (
        [f"CAST({_name(column)} AS STRING) IN ({', '.join(map(_text, values))})"] if values else []
    )
    if _NULL_PARTITION in labels:
        terms.append(f"{_name(column)} IS NULL")
    return " OR ".join(f"({term})" for term in terms)


def _rows_by_partition(rows: DataFrame, column: str | None) -> dict[str, int]:
    """How many of `rows` lie in each partition ('' for a table without partitions)."""
    if column is None:
        count = int(rows.count())
        return {"": count} if count else {}
    grouped = rows.selectExpr(f"{_partition_label(column)} AS placet_partition").groupBy(
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
