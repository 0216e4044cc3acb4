"""Delta's maintenance for the Spark store: reading a table's latest commit and history, adding
the mark column, and purging the files that commits removed, by Delta's own SQL on an engine
that has it, or by delta-rs beside an engine that has not.

What Delta's maintenance SQL does on a cluster (`DESCRIBE HISTORY`, `ALTER TABLE … ADD
COLUMNS`, `REORG TABLE … APPLY (PURGE)`, `VACUUM`) is a `DeltaMaintenance`:
`DeltaSqlMaintenance` sends that SQL; `DeltaRsMaintenance`, for an engine that parses none of
it (Sail 0.7), reads the log, adds the mark column and vacuums with delta-rs, and has the
engine rewrite the partitions whose files carry deletion vectors. `detect_delta_maintenance`
chooses between them by the engine's `version()`.

Imports pyspark and deltalake only inside the calls that need them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

import pyarrow as pa

from placet.errors import StoreError
from placet.stores.protocol import Change, Purge
from placet.stores.spark_sql import EPOCH, conjunction, delta_table, quote_name, text_literal

if TYPE_CHECKING:
    from deltalake import DeltaTable
    from pyspark.sql import SparkSession

__all__ = [
    "DEFAULT_RETENTION",
    "Commit",
    "DeltaMaintenance",
    "DeltaRsMaintenance",
    "DeltaSqlMaintenance",
    "commits_holding_files",
    "detect_delta_maintenance",
    "is_apache_spark",
    "retention_of",
]

DEFAULT_RETENTION = timedelta(days=7)
"""How long Delta keeps removed files when `delta.deletedFileRetentionDuration` does not say."""
_SPARK_VERSION = re.compile(r"\d+\.\d+\.\d+\S* [0-9a-f]{7,}")
_INTERVAL = re.compile(r"\s*interval\s+(\d+)\s+(week|day|hour|minute|second)s?\s*", re.I)
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
        statement = f"DESCRIBE HISTORY {delta_table(location)}" + (
            f" LIMIT {limit}" if limit else ""
        )
        rows = session.sql(statement).selectExpr(
            "version", "unix_micros(timestamp) AS micros", "operation", "operationMetrics"
        )
        return [
            Commit(
                version=int(row["version"]),
                timestamp=EPOCH + timedelta(microseconds=int(row["micros"])),
                operation=str(row["operation"]),
                metrics={str(k): str(v) for k, v in (row["operationMetrics"] or {}).items()},
            )
            for row in rows.collect()
        ]

    def add_timestamp_column(self, session: SparkSession, location: str, name: str) -> None:
        statement = (
            f"ALTER TABLE {delta_table(location)} ADD COLUMNS ({quote_name(name)} TIMESTAMP)"
        )
        session.sql(statement).collect()

    def purge_statements(self, location: str) -> list[str]:
        """`REORG … APPLY (PURGE)` rewrites the files that carry deletion vectors; `VACUUM`
        deletes the files no version within the retention needs."""
        retain = f" RETAIN {self.retain_hours} HOURS" if self.retain_hours is not None else ""
        return [
            f"REORG TABLE {delta_table(location)} APPLY (PURGE)",
            f"VACUUM {delta_table(location)}{retain}",
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
        rows = session.sql(f"SHOW TBLPROPERTIES {delta_table(location)}").collect()
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
            f"{quote_name(name)} IS NULL"
            if action[f"partition.{name}"] is None
            else f"{quote_name(name)} = {text_literal(str(action[f'partition.{name}']))}"
            for name in columns
        ]
        predicates[conjunction(terms)] = None
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
