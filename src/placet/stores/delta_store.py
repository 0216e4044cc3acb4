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
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, Field, WriterProperties, write_deltalake
from deltalake.exceptions import DeltaError, TableNotFoundError
from deltalake.schema import PrimitiveType

from placet.errors import StoreError
from placet.retention.rewrites import Remap, Rewrite
from placet.stores.delta_log import (
    DEFAULT_DELETED_FILE_RETENTION,
    RETENTION_PROPERTY,
    commit_files,
    in_words,
    lingering_files,
    parse_interval,
    partitions_in_span,
)
from placet.stores.delta_sql import (
    SOURCE_ALIAS,
    TARGET_ALIAS,
    column_ref,
    conjunction,
    instant_sql,
    merge_terms,
    partitions_named,
    quote_name,
    rewrite_sql,
    selection_terms,
    source_ref,
    string_list,
    string_literal,
    target_ref,
    window_source,
)
from placet.stores.lake_selection import (
    NAMED_KEYS,
    ArrowSelection,
    BatchEdit,
    remap_distinct,
    window_difference,
)
from placet.stores.protocol import Change, Purge, Selection, TimePartition

if TYPE_CHECKING:
    # Imported where used, not here: pyarrow.dataset loads pandas, half a second that every
    # `placet` command would pay at start.
    import pyarrow.dataset as ds

__all__ = ["REWRITE_ROW_GROUP_ROWS", "DeltaStore"]

log = logging.getLogger(__name__)

_ERRORS = (DeltaError, pa.ArrowException, OSError, ValueError)
REWRITE_ROW_GROUP_ROWS = 16_384
"""Rows of a row group in the files a merge rewrites. delta-rs would write a rewritten file
as one row group; a merge keeps the rows' order closely enough that small row groups keep
their statistics narrow, so that a table clustered by its key column stays prunable by row
group (a subscriber's rows read from a few thousand rows a file) after erasures."""
_REWRITE_PROPERTIES = WriterProperties(max_row_group_size=REWRITE_ROW_GROUP_ROWS)


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
        opened = self._open(table)
        schema = pa.schema(opened.schema().to_arrow())
        prepared = ArrowSelection.prepare(selection, schema, self._where(table))
        wanted = list(columns) if columns is not None else schema.names
        self._check_columns(table, schema, wanted)
        if selection.is_empty:
            return iter(())
        dataset = self._dataset(table, opened, prepared)
        batches = prepared.stream(
            dataset, wanted, partition=self.partitions.get(table), batch_rows=batch_rows
        )
        return self._reading(table, batches)

    def count(self, table: str, selection: Selection, *, unmarked: str | None = None) -> int:
        """How many rows are selected, counted over the key and time columns only."""
        opened = self._open(table)
        if selection.is_empty:
            return 0
        prepared = ArrowSelection.prepare(
            selection, pa.schema(opened.schema().to_arrow()), self._where(table)
        )
        dataset = self._dataset(table, opened, prepared)
        try:
            return prepared.count(dataset, partition=self.partitions.get(table), unmarked=unmarked)
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
            terms = selection_terms(prepared, partition, column_ref)
            metrics = opened.delete(conjunction(terms) if terms else None)
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
            terms = selection_terms(prepared, self._partition(table, opened), column_ref)
            updates = {
                quote_name(name): rewrite_sql(rewrite, column_ref(name), None)
                for name, rewrite in rewrites.items()
            }
            updates[quote_name(mark)] = instant_sql(at, pa.timestamp("us", "UTC"))
            metrics = opened.update(
                updates=updates, predicate=conjunction([*terms, f"{column_ref(mark)} IS NULL"])
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
            lingering = lingering_files(self.root / table, opened)
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
            f"the table keeps removed files for {in_words(retention)} ({RETENTION_PROPERTY})"
            if self.purge_retention is None
            else f"this store keeps removed files for {in_words(retention)} (its purge retention)"
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
        whole, cut, whole_rows = partitions_in_span(opened, prepared, partition)
        part = column_ref(partition.column)
        if not whole and not cut:
            return Change(0, version=opened.version())
        if not cut:
            metrics = opened.delete(f"{part} IN ({string_list(whole)})")
            return self._change(table, base, int(metrics.get("num_deleted_rows") or 0))
        if not whole:
            span = selection_terms(prepared, None, column_ref)
            metrics = opened.delete(conjunction([f"{part} IN ({string_list(cut)})", *span]))
            return self._change(table, base, int(metrics.get("num_deleted_rows") or 0))
        return self._overwrite(
            table,
            opened,
            BatchEdit(prepared),
            predicate=f"{part} IN ({string_list(sorted(whole + cut))})",
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
            predicate, scope = partitions_named(partition.column, list(found.rows))
        else:
            terms = selection_terms(prepared, None, column_ref)
            predicate = conjunction(terms) if terms else None
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
            else window_source(prepared)
        )
        if source.num_rows == 0:
            return Change(0, version=opened.version())
        terms = merge_terms(prepared, remapped, self._partition(table, opened))
        if mark is not None:
            terms.append(f"{target_ref(mark)} IS NULL")
        merger = opened.merge(
            source,
            predicate=conjunction(terms),
            source_alias=SOURCE_ALIAS,
            target_alias=TARGET_ALIAS,
            streamed_exec=False,
            writer_properties=_REWRITE_PROPERTIES,
        )
        if delete:
            metrics = merger.when_matched_delete().execute()
            return self._change(table, base, int(metrics.get("num_target_rows_deleted") or 0))
        if mark is None or at is None:
            raise StoreError("an update by merge needs its mark and instant")
        updates = {
            quote_name(name): rewrite_sql(
                rewrite,
                target_ref(name),
                source_ref(f"placet_new_{remapped.index(name)}") if name in remapped else None,
            )
            for name, rewrite in rewrites.items()
        }
        updates[quote_name(mark)] = instant_sql(at, pa.timestamp("us", "UTC"))
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
        dataset = self._dataset(table, opened, prepared)
        read = list(dict.fromkeys([*remapped, *prepared.selection.columns()]))
        if mark is not None and mark in dataset.schema.names:
            read.append(mark)
        scanner = prepared.candidates(dataset).scanner(
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
        return DEFAULT_DELETED_FILE_RETENTION if configured is None else parse_interval(configured)

    def _change(self, table: str, base: int, rows: int) -> Change:
        """The change the last commit made, its files counted from its log entry."""
        version = self._open(table).version()
        if version == base:
            return Change(rows, version=version)
        rewritten, removed = commit_files(self.root / table, version)
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

    def _dataset(
        self, table: str, opened: DeltaTable, prepared: ArrowSelection | None = None
    ) -> ds.Dataset:
        """The table's current files as a pyarrow dataset; with a selection by key windows,
        only the files whose statistics in the log may hold one of its keys."""
        try:
            return opened.to_pyarrow_dataset(
                file_pruning_predicate=_file_pruning(prepared) if prepared is not None else None
            )
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


def _file_pruning(prepared: ArrowSelection) -> str | None:
    """The windows' keys as a predicate on the files' statistics in the log (delta-rs
    keeps every file that may hold a row matching it): a subscriber's numbers, named, or
    the range of many keys. None where the keys cannot prune (`pruning_keys`)."""
    keys = prepared.pruning_keys()
    column = prepared.selection.key_column
    if keys is None or column is None:
        return None
    literals = [
        string_literal(value) if isinstance(value, str) else str(int(value)) for value in keys
    ]
    if len(keys) <= NAMED_KEYS:
        return f"{column_ref(column)} IN ({', '.join(literals)})"
    return f"{column_ref(column)} BETWEEN {literals[0]} AND {literals[-1]}"


def _sweeps(prepared: ArrowSelection, partition: TimePartition) -> bool:
    """Whether a delete of `prepared` is a sweep of `partition`'s table: a span of the
    time the partitions are made of, with no windows."""
    selection = prepared.selection
    return (
        prepared.is_exact_filter
        and selection.time_column == partition.time_column
        and (selection.since is not None or selection.before is not None)
    )
