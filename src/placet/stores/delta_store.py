"""The Delta store: a lake table is a Delta table (`<root>/<table>/_delta_log/`), read as a
pyarrow dataset and changed by one deltalake (delta-rs) commit per call.

Erasure has two phases. `delete` and `update` commit a version without the rows, or with
them rewritten; the files older versions still name keep the rows until `purge` vacuums
them, once the table's `delta.deletedFileRetentionDuration` (or the store's
`purge_retention`) has passed.

Key windows go into a merge's source table; a time span goes into a delete or update
predicate, and on a table with a `TimePartition` the partitions it selects whole (their
files' statistics show every row inside it) go without being read, while only the
partitions its bounds cut are rewritten. A time span less excluded key windows is
evaluated in Arrow, and the partitions holding its rows are overwritten in one commit.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from deltalake import DeltaTable, Field, write_deltalake
from deltalake.exceptions import DeltaError, TableNotFoundError
from deltalake.schema import PrimitiveType

from placet.errors import StoreError
from placet.retention.rewrites import Constant, MaskTail, Nullify, Remap, Rewrite
from placet.stores.parquet_store import ArrowSelection, BatchEdit, remap_distinct
from placet.stores.protocol import Change, Purge, Selection, TimePartition

__all__ = ["DEFAULT_DELETED_FILE_RETENTION", "DeltaStore", "window_difference"]

log = logging.getLogger(__name__)

DEFAULT_DELETED_FILE_RETENTION = timedelta(days=7)
"""How long a Delta table keeps removed files when its configuration does not say."""
RETENTION_PROPERTY = "delta.deletedFileRetentionDuration"
_INTERVAL = re.compile(r"interval\s+(\d+)\s+([a-z]+?)s?", re.IGNORECASE)
_UNITS = {
    "nanosecond": timedelta(microseconds=0.001),
    "microsecond": timedelta(microseconds=1),
    "millisecond": timedelta(milliseconds=1),
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
_STATS_SLACK = timedelta(milliseconds=1)
"""Delta statistics may truncate instants to milliseconds: a maximum is trusted to be
below a bound only a millisecond clear of it."""
_OPEN_SINCE, _OPEN_BEFORE = -(2**63), 2**63 - 1
"""An open bound, in the ticks (int64) of a window's instants."""
_ERRORS = (DeltaError, pa.ArrowException, OSError, ValueError)
_SOURCE = "s"
_TARGET = "t"


class DeltaStore:
    """Delta tables under `root` (`<root>/<table>`); `partitions` names the tables
    partitioned by the month or day of their time column; `purge_retention`, when given,
    replaces each table's own retention of removed files when purging."""

    def __init__(
        self,
        root: Path | str,
        partitions: Mapping[str, TimePartition] = {},
        purge_retention: timedelta | None = None,
    ) -> None:
        self.root = Path(root)
        self.partitions = dict(partitions)
        self.purge_retention = purge_retention

    def describe(self) -> str:
        """The lake's folder."""
        return f"Delta lake {self.root}"

    def schema(self, table: str) -> pa.Schema:
        """The table's columns, partition columns included."""
        opened = self._open(table)
        return pa.schema(opened.schema().to_arrow())

    def find(
        self,
        table: str,
        selection: Selection,
        columns: Sequence[str] | None = None,
        *,
        batch_rows: int = 65_536,
    ) -> Iterator[pa.RecordBatch]:
        """The selected rows, streamed from the files their partitions and statistics allow."""
        dataset = self._dataset(table, self._open(table))
        prepared = ArrowSelection.prepare(selection, dataset.schema, self._where(table))
        wanted = list(columns) if columns is not None else dataset.schema.names
        self._check_columns(table, dataset.schema, wanted)
        if selection.is_empty:
            return iter(())
        batches = prepared.stream(
            dataset, wanted, partition=self.partitions.get(table), batch_rows=batch_rows
        )
        return self._reading(table, batches)

    def count(self, table: str, selection: Selection, *, unmarked: str | None = None) -> int:
        """How many rows are selected, counted over the key and time columns only."""
        dataset = self._dataset(table, self._open(table))
        if selection.is_empty:
            return 0
        prepared = ArrowSelection.prepare(selection, dataset.schema, self._where(table))
        partition = self.partitions.get(table)
        try:
            if prepared.is_exact_filter:
                return int(
                    dataset.count_rows(filter=prepared.prefilter(partition, unmarked=unmarked))
                )
            batches = prepared.stream(
                dataset, selection.columns()[:1], partition=partition, unmarked=unmarked
            )
            return sum(batch.num_rows for batch in batches)
        except _ERRORS as exc:
            raise self._cannot("count the rows of", table, exc) from exc

    def delete(self, table: str, selection: Selection) -> Change:
        """Delete the selected rows in one commit: a merge with the key windows; for a time
        span on a partitioned table, a sweep of its partitions; with excluded windows only,
        an overwrite of the partitions holding selected rows; else a delete by predicate."""
        opened = self._open(table)
        schema = pa.schema(opened.schema().to_arrow())
        prepared = ArrowSelection.prepare(selection, schema, self._where(table))
        if selection.is_empty:
            return Change(0, version=opened.version())
        try:
            if prepared.windows is not None:
                return self._merge(table, opened, prepared, delete=True)
            if prepared.exclude is not None:
                return self._overwrite_selected(table, opened, prepared, BatchEdit(prepared))
            partition = self._partition(table, opened)
            base = opened.version()
            if partition is not None and _sweeps(prepared, partition):
                return self._sweep(table, opened, prepared, partition)
            terms = _selection_terms(prepared, partition, _column)
            metrics = opened.delete(_conjunction(terms) if terms else None)
            return self._change(table, base, int(metrics.get("num_deleted_rows") or 0))
        except _ERRORS as exc:
            raise self._cannot("delete from", table, exc) from exc

    def update(
        self,
        table: str,
        selection: Selection,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str,
        at: datetime,
    ) -> Change:
        """Rewrite the selected rows not yet marked, and stamp `mark`, in one commit (the
        mark column, when missing, is added by a schema commit before it). A `Remap` maps
        the distinct selected values in one call and is merged in as a source table."""
        if at.utcoffset() is None:
            raise StoreError(f"an update's instant {at.isoformat()} has no time zone")
        opened = self._open(table)
        schema = pa.schema(opened.schema().to_arrow())
        self._check_columns(table, schema, list(rewrites))
        prepared = ArrowSelection.prepare(selection, schema, self._where(table))
        if selection.is_empty:
            return Change(0, version=opened.version())
        try:
            if mark not in schema.names:
                opened.alter.add_columns(Field(mark, PrimitiveType("timestamp"), nullable=True))
                log.info("mark column added", extra={"table": table, "column": mark})
            if prepared.windows is None and prepared.exclude is not None:
                edit = BatchEdit(prepared, rewrites, mark=mark, at=at)
                return self._overwrite_selected(table, opened, prepared, edit)
            if prepared.windows is not None or any(
                isinstance(rewrite, Remap) for rewrite in rewrites.values()
            ):
                return self._merge(
                    table, opened, prepared, delete=False, rewrites=rewrites, mark=mark, at=at
                )
            base = opened.version()
            terms = _selection_terms(prepared, self._partition(table, opened), _column)
            updates = {
                _quote(name): _rewrite_sql(rewrite, _column(name), None)
                for name, rewrite in rewrites.items()
            }
            updates[_quote(mark)] = _instant_sql(at, pa.timestamp("us", "UTC"))
            metrics = opened.update(
                updates=updates, predicate=_conjunction([*terms, f"{_column(mark)} IS NULL"])
            )
            return self._change(table, base, int(metrics.get("num_updated_rows") or 0))
        except _ERRORS as exc:
            raise self._cannot("update", table, exc) from exc

    def purge(self, table: str) -> Purge:
        """Vacuum the files that commits removed once the retention allows, then say whether
        any such file (it holds deleted or rewritten rows) is still on disk."""
        opened = self._open(table)
        retention = self._retention(opened)
        try:
            if self.purge_retention is None:
                removed = opened.vacuum(dry_run=False, enforce_retention_duration=True)
            else:
                hours = math.ceil(self.purge_retention.total_seconds() / 3600)
                removed = opened.vacuum(
                    retention_hours=hours, dry_run=False, enforce_retention_duration=False
                )
            lingering = _lingering_files(self.root / table, opened)
        except _ERRORS as exc:
            raise self._cannot("vacuum", table, exc) from exc
        log.info("delta table vacuumed", extra={"table": table, "files": len(removed)})
        if not lingering:
            return Purge(
                len(removed),
                complete=True,
                detail=f"removed {len(removed)} file(s); no file that a commit removed is left, "
                "so no deleted or rewritten row remains on disk.",
            )
        purgeable = max(lingering.values()) + retention
        kept_for = (
            f"the table keeps removed files for {_words(retention)} ({RETENTION_PROPERTY})"
            if self.purge_retention is None
            else f"this store keeps removed files for {_words(retention)} (its purge retention)"
        )
        return Purge(
            len(removed),
            complete=False,
            detail=(
                f"removed {len(removed)} file(s); {len(lingering)} file(s) that commits removed "
                f"still hold deleted or rewritten rows for older versions: {kept_for}, so they "
                f"can be purged from {purgeable.isoformat()}. Purge again after then."
            ),
        )

    def close(self) -> None:
        """Nothing is held open between calls."""

    def _sweep(
        self, table: str, opened: DeltaTable, prepared: ArrowSelection, partition: TimePartition
    ) -> Change:
        """Delete a time span: partitions whose files' statistics show every row inside it
        go by partition value (metadata only); partitions the span cuts are rewritten. A
        delete commits either kind alone; both together go in one overwrite of those
        partitions by the rows the cut ones keep."""
        base = opened.version()
        whole, cut, whole_rows = _partitions_in_span(opened, prepared, partition)
        part = _column(partition.column)
        if not whole and not cut:
            return Change(0, version=opened.version())
        if not cut:
            metrics = opened.delete(f"{part} IN ({_string_list(whole)})")
            return self._change(table, base, int(metrics.get("num_deleted_rows") or 0))
        if not whole:
            span = _selection_terms(prepared, None, _column)
            metrics = opened.delete(_conjunction([f"{part} IN ({_string_list(cut)})", *span]))
            return self._change(table, base, int(metrics.get("num_deleted_rows") or 0))
        return self._overwrite(
            table,
            opened,
            BatchEdit(prepared),
            predicate=f"{part} IN ({_string_list(sorted(whole + cut))})",
            scope=pc.field(partition.column).isin(cut),
            rows=whole_rows,
        )

    def _overwrite_selected(
        self, table: str, opened: DeltaTable, prepared: ArrowSelection, edit: BatchEdit
    ) -> Change:
        """Delete or update the selected rows by overwriting, in one commit, the partitions
        that hold them (on a table without partitions: the rows in the selection's time
        span) with their rows passed through `edit`. For selections that SQL cannot say in
        one predicate: a time span less excluded key windows."""
        dataset = self._dataset(table, opened)
        partition = self._partition(table, opened)
        remaps = {
            name: rewrite for name, rewrite in edit.rewrites.items() if isinstance(rewrite, Remap)
        }
        found = prepared.survey(
            dataset,
            by=partition.column if partition is not None else None,
            remapped=list(remaps),
            partition=self.partitions.get(table),
            unmarked=edit.mark,
        )
        if found.total == 0:
            return Change(0, version=opened.version())
        where = self._where(table)
        edit = dataclasses.replace(
            edit,
            mappings={
                name: remap_distinct(
                    found.distinct[name], remap, dataset.schema.field(name).type, where
                )
                for name, remap in remaps.items()
            },
        )
        predicate: str | None
        if partition is not None:
            predicate, scope = _partitions_named(partition.column, list(found.rows))
        else:
            terms = _selection_terms(prepared, None, _column)
            predicate = _conjunction(terms) if terms else None
            scope = prepared.prefilter()
        return self._overwrite(table, opened, edit, predicate=predicate, scope=scope)

    def _overwrite(
        self,
        table: str,
        opened: DeltaTable,
        edit: BatchEdit,
        *,
        predicate: str | None,
        scope: pc.Expression | None,
        rows: int = 0,
    ) -> Change:
        """One commit replacing the rows `predicate` names (all, when None) by the rows
        `scope` reads passed through `edit`, streamed batch by batch; files wholly named by
        a partition-only predicate go without being read. `rows`: rows already known gone."""
        dataset = self._dataset(table, opened)
        base = opened.version()
        changed = rows

        def written() -> Iterator[pa.RecordBatch]:
            nonlocal changed
            for batch in dataset.scanner(filter=scope).to_batches():
                kept, count = edit.apply(batch, dataset.schema)
                changed += count
                if kept.num_rows:
                    yield kept

        write_deltalake(
            opened,
            pa.RecordBatchReader.from_batches(dataset.schema, written()),
            mode="overwrite",
            predicate=predicate,
        )
        return self._change(table, base, changed)

    def _merge(
        self,
        table: str,
        opened: DeltaTable,
        prepared: ArrowSelection,
        *,
        delete: bool,
        rewrites: Mapping[str, Rewrite] | None = None,
        mark: str | None = None,
        at: datetime | None = None,
    ) -> Change:
        """Delete or update by a merge whose source holds the key windows (made disjoint,
        less the excluded ones, so no row matches twice) and the mapping of remapped
        columns."""
        rewrites = rewrites or {}
        base = opened.version()
        if prepared.windows is not None:
            prepared = dataclasses.replace(
                prepared,
                windows=window_difference(prepared.windows, prepared.exclude),
                exclude=None,
            )
        remapped = [name for name, rewrite in rewrites.items() if isinstance(rewrite, Remap)]
        source = (
            self._remap_source(table, opened, prepared, rewrites, mark=mark)
            if remapped
            else _window_source(prepared)
        )
        if source.num_rows == 0:
            return Change(0, version=opened.version())
        terms = _merge_terms(prepared, remapped, self._partition(table, opened))
        if mark is not None:
            terms.append(f"{_target(mark)} IS NULL")
        merger = opened.merge(
            source,
            predicate=_conjunction(terms),
            source_alias=_SOURCE,
            target_alias=_TARGET,
            streamed_exec=False,
        )
        if delete:
            metrics = merger.when_matched_delete().execute()
            return self._change(table, base, int(metrics.get("num_target_rows_deleted") or 0))
        if mark is None or at is None:
            raise StoreError("an update by merge needs its mark and instant")
        updates = {
            _quote(name): _rewrite_sql(
                rewrite,
                _target(name),
                _source(f"placet_new_{remapped.index(name)}") if name in remapped else None,
            )
            for name, rewrite in rewrites.items()
        }
        updates[_quote(mark)] = _instant_sql(at, pa.timestamp("us", "UTC"))
        metrics = merger.when_matched_update(updates=updates).execute()
        return self._change(table, base, int(metrics.get("num_target_rows_updated") or 0))

    def _remap_source(
        self,
        table: str,
        opened: DeltaTable,
        prepared: ArrowSelection,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str | None,
    ) -> pa.Table:
        """The distinct combinations of window and remapped values among the selected rows
        not yet marked, each remapped column's values mapped in one call (`placet_old_<i>`
        to `placet_new_<i>`)."""
        remapped = [name for name, rewrite in rewrites.items() if isinstance(rewrite, Remap)]
        dataset = self._dataset(table, opened)
        read = list(dict.fromkeys([*remapped, *prepared.selection.columns()]))
        if mark is not None and mark in dataset.schema.names:
            read.append(mark)
        scanner = dataset.scanner(
            columns=read, filter=prepared.prefilter(self.partitions.get(table), unmarked=mark)
        )
        parts: list[pa.Table] = []
        for scanned in scanner.to_batches():
            batch = scanned.filter(prepared.mask(scanned, unmarked=mark))
            if batch.num_rows == 0:
                continue
            values = {f"placet_old_{index}": batch[name] for index, name in enumerate(remapped)}
            if prepared.windows is None:
                rows = pa.table(values)
            else:
                # Which window holds each row goes into the source, so the merge matches it.
                matched = prepared.matches(batch)
                positions = matched["placet_row"]
                rows = pa.table(
                    {
                        "placet_key": matched["key"],
                        "placet_since": matched["since"],
                        "placet_before": matched["before"],
                        **{name: pc.take(column, positions) for name, column in values.items()},
                    }
                )
            parts.append(rows.group_by(rows.column_names).aggregate([]))
        if not parts:
            return pa.table({})
        combined = pa.concat_tables(parts)
        source = combined.group_by(combined.column_names).aggregate([])
        where = self._where(table)
        for index, name in enumerate(remapped):
            rewrite = rewrites[name]
            assert isinstance(rewrite, Remap)
            old = source[f"placet_old_{index}"].combine_chunks()
            distinct, mapped = remap_distinct(
                pc.unique(old), rewrite, dataset.schema.field(name).type, where
            )
            new = pc.take(mapped, pc.index_in(old, value_set=distinct, skip_nulls=False))
            source = source.append_column(f"placet_new_{index}", new)
        return source

    def _partition(self, table: str, opened: DeltaTable) -> TimePartition | None:
        """The table's time partition, when its Delta metadata partitions by that column."""
        partition = self.partitions.get(table)
        if partition is None or partition.column not in opened.metadata().partition_columns:
            return None
        return partition

    def _retention(self, opened: DeltaTable) -> timedelta:
        if self.purge_retention is not None:
            return self.purge_retention
        configured = opened.metadata().configuration.get(RETENTION_PROPERTY)
        return DEFAULT_DELETED_FILE_RETENTION if configured is None else _interval(configured)

    def _change(self, table: str, base: int, rows: int) -> Change:
        """The change the last commit made, its files counted from its log entry."""
        version = self._open(table).version()
        if version == base:
            return Change(rows, version=version)
        rewritten, removed = _commit_files(self.root / table, version)
        log.info(
            "delta table changed",
            extra={"table": table, "version": version, "rows": rows, "removed": removed},
        )
        return Change(rows, version=version, files_rewritten=rewritten, files_removed=removed)

    def _open(self, table: str) -> DeltaTable:
        path = self.root / table
        try:
            return DeltaTable(str(path))
        except TableNotFoundError as exc:
            raise StoreError(
                f"there is no Delta table '{table}' at {path}. Check the data map's location."
            ) from exc
        except _ERRORS as exc:
            raise self._cannot("open", table, exc) from exc

    def _dataset(self, table: str, opened: DeltaTable) -> ds.Dataset:
        try:
            return opened.to_pyarrow_dataset()
        except _ERRORS as exc:
            raise self._cannot("read", table, exc) from exc

    def _reading(self, table: str, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        try:
            yield from batches
        except _ERRORS as exc:
            raise self._cannot("read", table, exc) from exc

    def _where(self, table: str) -> str:
        return f"the Delta table '{table}' at {self.root / table}"

    def _check_columns(self, table: str, schema: pa.Schema, names: Sequence[str]) -> None:
        missing = [name for name in names if name not in schema.names]
        if missing:
            raise StoreError(f"{self._where(table)} has no column {', '.join(missing)}")

    def _cannot(self, doing: str, table: str, exc: Exception) -> StoreError:
        return StoreError(f"cannot {doing} {self._where(table)}: {exc}")


def window_difference(windows: pa.Table, exclude: pa.Table | None = None) -> pa.Table:
    """The spans of `windows` outside every span of `exclude` with the same key, joined
    into the fewest disjoint windows: every row then lies in at most one (a merge matches
    it once). A sweep line over each key's bounds, counting the windows open past each."""
    bounds = [_as_ticks(windows, chosen=1, held=0)]
    if exclude is not None and exclude.num_rows:
        bounds.append(_as_ticks(exclude, chosen=0, held=1))
    events = pl.concat(
        [
            frame.select(
                "key", pl.col(edge).alias("point"), pl.col("chosen") * sign, pl.col("held") * sign
            )
            for frame in bounds
            for edge, sign in (("since", 1), ("before", -1))
        ]
    )
    spans = (
        events.group_by("key", "point")
        .agg(pl.col("chosen").sum(), pl.col("held").sum())
        .sort("key", "point")
        .with_columns(
            pl.col("chosen").cum_sum().over("key"),
            pl.col("held").cum_sum().over("key"),
            pl.col("point").shift(-1).over("key").alias("end"),
        )
        .filter((pl.col("chosen") > 0) & (pl.col("held") == 0) & pl.col("end").is_not_null())
        .with_columns(
            (pl.col("point") != pl.col("end").shift(1).over("key"))
            .fill_null(True)
            .cum_sum()
            .over("key")
            .alias("run")
        )
        .group_by("key", "run", maintain_order=True)
        .agg(pl.col("point").min().alias("since"), pl.col("end").max().alias("before"))
        .select(
            "key",
            pl.when(pl.col("since") != _OPEN_SINCE).then(pl.col("since")).alias("since"),
            pl.when(pl.col("before") != _OPEN_BEFORE).then(pl.col("before")).alias("before"),
        )
        .to_arrow()
    )
    schema = windows.schema
    return pa.table(
        {
            "key": spans["key"].cast(schema.field("key").type),
            "since": spans["since"].cast(pa.int64()).cast(schema.field("since").type),
            "before": spans["before"].cast(pa.int64()).cast(schema.field("before").type),
        }
    )


def _as_ticks(windows: pa.Table, *, chosen: int, held: int) -> pl.DataFrame:
    """Windows with their bounds as integer ticks (open bounds at the extremes), the empty
    ones dropped, and how much each counts as chosen and as held."""
    frame = pl.from_arrow(
        pa.table(
            {
                "key": windows["key"],
                "since": windows["since"].cast(pa.int64()),
                "before": windows["before"].cast(pa.int64()),
            }
        )
    )
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns(
        pl.col("since").fill_null(_OPEN_SINCE),
        pl.col("before").fill_null(_OPEN_BEFORE),
        pl.lit(chosen, pl.Int64).alias("chosen"),
        pl.lit(held, pl.Int64).alias("held"),
    ).filter(pl.col("since") < pl.col("before"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column(name: str) -> str:
    return _quote(name)


def _target(name: str) -> str:
    return f"{_TARGET}.{_quote(name)}"


def _source(name: str) -> str:
    return f"{_SOURCE}.{_quote(name)}"


def _string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _string_list(values: Sequence[str]) -> str:
    return ", ".join(_string(value) for value in values)


def _conjunction(terms: Sequence[str]) -> str:
    return " AND ".join(f"({term})" for term in terms) if terms else "TRUE"


def _instant_sql(instant: datetime, instant_type: pa.DataType) -> str:
    """An instant as a literal DataFusion casts to the column's type (UTC)."""
    utc = instant.astimezone(UTC)
    suffix = "Z" if instant_type.tz is not None else ""
    return _string(f"{utc:%Y-%m-%dT%H:%M:%S.%f}{suffix}")


def _selection_terms(
    prepared: ArrowSelection, partition: TimePartition | None, ref: Callable[[str], str]
) -> list[str]:
    """The selection's time bounds (and the partitions they allow) as SQL terms."""
    selection = prepared.selection
    terms: list[str] = []
    time = selection.time_column
    if time is not None:
        instant_type = prepared.schema.field(time).type
        if selection.since is not None:
            terms.append(f"{ref(time)} >= {_instant_sql(selection.since, instant_type)}")
        if selection.before is not None:
            terms.append(f"{ref(time)} < {_instant_sql(selection.before, instant_type)}")
    if partition is not None and partition.column in prepared.schema.names:
        first, last = prepared.partition_labels(partition)
        if first is not None:
            terms.append(f"{ref(partition.column)} >= {_string(first)}")
        if last is not None:
            terms.append(f"{ref(partition.column)} <= {_string(last)}")
    return terms


def _merge_terms(
    prepared: ArrowSelection, remapped: Sequence[str], partition: TimePartition | None
) -> list[str]:
    """The merge's predicate: the target row's key and time inside a source window, its
    remapped values equal to the source's (nulls too), and the selection's own bounds."""
    terms = _selection_terms(prepared, partition, _target)
    selection = prepared.selection
    if prepared.windows is not None and selection.key_column is not None:
        terms.append(f"{_target(selection.key_column)} = {_source('placet_key')}")
        if selection.time_column is not None and prepared.has_window_bounds:
            time = _target(selection.time_column)
            since, before = _source("placet_since"), _source("placet_before")
            terms.append(f"{since} IS NULL OR {time} >= {since}")
            terms.append(f"{before} IS NULL OR {time} < {before}")
    for index, name in enumerate(remapped):
        terms.append(f"{_target(name)} IS NOT DISTINCT FROM {_source(f'placet_old_{index}')}")
    return terms


def _window_source(prepared: ArrowSelection) -> pa.Table:
    if prepared.windows is None:
        raise StoreError("a merge without key windows needs a remapped column")
    windows = prepared.windows
    return pa.table(
        {
            "placet_key": windows["key"],
            "placet_since": windows["since"],
            "placet_before": windows["before"],
        }
    )


def _rewrite_sql(rewrite: Rewrite, column: str, mapped: str | None) -> str:
    """A rewrite as a DataFusion SQL expression of the column (`mapped`: a Remap's value)."""
    if isinstance(rewrite, Nullify):
        return "NULL"
    if isinstance(rewrite, Constant):
        return _string(rewrite.value)
    if isinstance(rewrite, MaskTail):
        length = f"character_length({column})"
        return (
            f"left({column}, greatest({length} - {rewrite.digits}, 0)) || "
            f"repeat({_string(rewrite.mask)}, least({length}, {rewrite.digits}))"
        )
    if mapped is None:
        raise StoreError(f"the remap '{rewrite.name}' was given no mapping")
    return mapped


def _sweeps(prepared: ArrowSelection, partition: TimePartition) -> bool:
    """Whether a delete of `prepared` is a sweep of `partition`'s table: a span of the
    time the partitions are made of, with no windows."""
    selection = prepared.selection
    return (
        prepared.is_exact_filter
        and selection.time_column == partition.time_column
        and (selection.since is not None or selection.before is not None)
    )


def _partitions_named(column: str, values: Sequence[str | None]) -> tuple[str, pc.Expression]:
    """A predicate naming these partitions, in SQL and as a dataset filter."""
    named = sorted(value for value in values if value is not None)
    sql = [f"{_column(column)} IN ({_string_list(named)})"] if named else []
    expression = pc.field(column).isin(named)
    if None in values:
        sql.append(f"{_column(column)} IS NULL")
        expression = expression | pc.field(column).is_null()
    return " OR ".join(sql), expression


def _instant_scalar(instant: datetime, instant_type: pa.DataType) -> pa.Scalar:
    utc = instant.astimezone(UTC)
    return pa.scalar(utc if instant_type.tz is not None else utc.replace(tzinfo=None), instant_type)


def _partitions_in_span(
    opened: DeltaTable, prepared: ArrowSelection, partition: TimePartition
) -> tuple[list[str], list[str], int]:
    """The partitions a time span selects whole (every file's statistics show all its rows
    inside), the partitions it cuts, and how many rows the whole ones hold."""
    time = prepared.selection.time_column
    first, last = prepared.partition_labels(partition)
    files = pl.from_arrow(pa.table(opened.get_add_actions(flatten=True)))
    assert isinstance(files, pl.DataFrame)
    value = pl.col(f"partition.{partition.column}")
    in_span = value.is_not_null()
    if first is not None:
        in_span &= value >= first
    if last is not None:
        in_span &= value <= last
    files = files.filter(in_span)
    stats = ["num_records", f"null_count.{time}", f"min.{time}", f"max.{time}"]
    if files.is_empty():
        return [], [], 0
    if any(name not in files.columns for name in stats):
        return [], sorted(files[f"partition.{partition.column}"].unique().to_list()), 0
    instant_type = prepared.schema.field(time).type
    since, before = prepared.selection.since, prepared.selection.before
    low, high, nulls = pl.col(f"min.{time}"), pl.col(f"max.{time}"), pl.col(f"null_count.{time}")
    whole = (nulls == 0) & low.is_not_null() & high.is_not_null()
    none = (nulls == pl.col("num_records")).fill_null(False)
    if since is not None:
        bound = _instant_scalar(since, instant_type).as_py()
        whole &= low >= bound
        none |= (high + _STATS_SLACK <= bound).fill_null(False)
    if before is not None:
        bound = _instant_scalar(before, instant_type).as_py()
        whole &= high + _STATS_SLACK <= bound
        none |= (low >= bound).fill_null(False)
    summary = (
        files.with_columns(whole=whole.fill_null(False), none=none)
        .group_by(value.alias("partition"))
        .agg(
            pl.col("whole").all(),
            pl.col("none").all(),
            pl.col("num_records").sum().alias("rows"),
        )
    )
    wholly = summary.filter(pl.col("whole"))
    cut = summary.filter(~pl.col("whole") & ~pl.col("none"))
    return (
        sorted(wholly["partition"].to_list()),
        sorted(cut["partition"].to_list()),
        int(wholly["rows"].sum()),
    )


def _commit_files(table_path: Path, version: int) -> tuple[int, int]:
    """How many files a commit rewrote (removed where it added a file to the same
    partition) and removed whole, read from its log entry."""
    added: set[str] = set()
    removed: list[str] = []
    entry = table_path / "_delta_log" / f"{version:020d}.json"
    with entry.open(encoding="utf-8") as lines:
        for line in lines:
            action = json.loads(line)
            if "add" in action:
                added.add(json.dumps(action["add"].get("partitionValues") or {}, sort_keys=True))
            elif "remove" in action:
                removed.append(
                    json.dumps(action["remove"].get("partitionValues") or {}, sort_keys=True)
                )
    rewritten = sum(1 for partition in removed if partition in added)
    return rewritten, len(removed) - rewritten


def _lingering_files(table_path: Path, opened: DeltaTable) -> dict[str, datetime]:
    """Files that commits removed and that are still on disk, with when they were removed
    (read from every commit and checkpoint of the log; a file restored since is live)."""
    removed: dict[str, int] = {}
    log_folder = table_path / "_delta_log"
    for entry in sorted(log_folder.glob("*.json")):
        with entry.open(encoding="utf-8") as lines:
            for line in lines:
                action = json.loads(line)
                if "remove" in action:
                    remove = action["remove"]
                    removed[unquote(remove["path"])] = int(remove.get("deletionTimestamp") or 0)
    for checkpoint in sorted(log_folder.glob("*.checkpoint*.parquet")):
        names = pq.read_schema(checkpoint).names
        if "remove" not in names:
            continue
        for remove in pq.read_table(checkpoint, columns=["remove"])["remove"].to_pylist():
            if remove is not None and remove.get("path"):
                removed.setdefault(
                    unquote(remove["path"]), int(remove.get("deletionTimestamp") or 0)
                )
    live = {
        unquote(path)
        for path in pa.table(opened.get_add_actions(flatten=False))["path"].to_pylist()
    }
    return {
        path: datetime.fromtimestamp(stamp / 1000, UTC)
        for path, stamp in removed.items()
        if path not in live and (table_path / path).exists()
    }


def _words(duration: timedelta) -> str:
    """A retention as an operator writes it: `7 days`, `36 hours`, `90 seconds`."""
    for unit, size in (("day", timedelta(days=1)), ("hour", timedelta(hours=1))):
        if duration >= size and duration % size == timedelta(0):
            count = duration // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    seconds = duration.total_seconds()
    return f"{seconds:g} second{'s' if seconds != 1 else ''}"


def _interval(configured: str) -> timedelta:
    """A Delta interval (`interval 7 days`, `interval 1 week`) as a duration."""
    match = _INTERVAL.fullmatch(configured.strip())
    if match is None or match.group(2).lower() not in _UNITS:
        raise StoreError(
            f"the table property {RETENTION_PROPERTY} is '{configured}', not an interval "
            "such as 'interval 7 days'"
        )
    return int(match.group(1)) * _UNITS[match.group(2).lower()]
