"""The Parquet store: a lake table is a folder of (hive-partitioned) Parquet files, read
with pyarrow datasets and changed by rewriting only the files that hold selected rows.

Each changed file is written whole to a hidden temporary file beside it and moved over the
old one with `os.replace`, so a process killed mid-run leaves every file either old or new,
never half written; a rerun finishes the rest (deleted rows are gone, updated rows marked).
A Parquet folder has no log and no old versions, so it is changed by one writer at a time.

Also holds `ArrowSelection`, the evaluation of a `Selection` over Arrow record batches,
which the Delta store shares for its reads.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from placet.errors import StoreError
from placet.retention.rewrites import Constant, MaskTail, Nullify, Remap, Rewrite
from placet.stores.protocol import WINDOW_SCHEMA, Change, Purge, Selection, TimePartition

__all__ = [
    "TEMPORARY_SUFFIX",
    "ArrowSelection",
    "BatchEdit",
    "ParquetStore",
    "Survey",
    "remap_distinct",
    "rewritten_values",
]

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".placet-tmp"
"""Ends the hidden name (`.part-0.parquet.<id>.placet-tmp`) of a file being rewritten."""
_CODECS = frozenset({"snappy", "gzip", "brotli", "zstd", "lz4"})
_ROW = "placet_row"
_FILENAME = "__filename"
"""The field pyarrow's scanner fills with each row's file."""


@dataclass(frozen=True, slots=True)
class ArrowSelection:
    """A `Selection` made ready for one table's Arrow schema: its bounds and windows in the
    types of the table's time and key columns.

    `prefilter` prunes partitions, files and row groups when a dataset is scanned; `mask`
    says which rows of a scanned batch are selected, and is what every call relies on. A
    row whose key has an excluding window that bounds time, but which has no time itself,
    counts as excluded: like a bound, an exclusion errs on keeping.
    """

    selection: Selection
    schema: pa.Schema
    windows: pa.Table | None
    """The windows cast to the key's and time's types; None without windows."""
    exclude: pa.Table | None
    """The excluding windows, cast the same way; None without any."""

    @classmethod
    def prepare(cls, selection: Selection, schema: pa.Schema, where: str) -> ArrowSelection:
        """Check that the table has the columns the selection reads, and cast its windows."""
        missing = [name for name in selection.columns() if name not in schema.names]
        if missing:
            raise StoreError(
                f"{where} has no column {', '.join(missing)}, which the selection reads. "
                "Check the data map's key and time columns for this dataset."
            )
        if selection.time_column is not None:
            _check_instant_type(schema.field(selection.time_column), where)
        exclude = selection.exclude
        if exclude is not None:
            if selection.key_column is None:
                raise StoreError("a selection that excludes key windows must name its key column")
            if not exclude.schema.equals(WINDOW_SCHEMA):
                raise StoreError(
                    f"excluded key windows must have the schema {WINDOW_SCHEMA}, "
                    f"not {exclude.schema}"
                )
            if _bounds_time(exclude) and selection.time_column is None:
                raise StoreError("a selection bounded in time must name its time column")
        return cls(
            selection,
            schema,
            _cast_windows(selection.windows, selection, schema, where),
            _cast_windows(exclude, selection, schema, where) if exclude else None,
        )

    @property
    def is_exact_filter(self) -> bool:
        """Whether `prefilter` alone selects the rows (no windows to match batch by batch)."""
        return self.windows is None and self.exclude is None

    @property
    def has_window_bounds(self) -> bool:
        """Whether some window bounds its key in time (else the keys alone select)."""
        return self.windows is not None and _bounds_time(self.windows)

    def span(self) -> tuple[datetime | None, datetime | None]:
        """The earliest and latest instant any selected row may have (None: open)."""
        since, before = self.selection.since, self.selection.before
        if self.windows is not None and self.windows.num_rows:
            starts, ends = self.windows["since"], self.windows["before"]
            if starts.null_count == 0:
                earliest = _as_utc(pc.min(starts).as_py())
                since = earliest if since is None else max(since, earliest)
            if ends.null_count == 0:
                latest = _as_utc(pc.max(ends).as_py())
                before = latest if before is None else min(before, latest)
        return since, before

    def partition_labels(self, partition: TimePartition | None) -> tuple[str | None, str | None]:
        """The first and last partition that may hold selected rows (None: open); open
        unless `partition` is made of the selection's time column."""
        if partition is None or partition.time_column != self.selection.time_column:
            return None, None
        since, before = self.span()
        return (
            partition.label(since) if since is not None else None,
            partition.label(before) if before is not None else None,
        )

    def prefilter(
        self, partition: TimePartition | None = None, *, unmarked: str | None = None
    ) -> pc.Expression | None:
        """A dataset filter on the time and partition columns that keeps every selected row
        (exact without windows)."""
        terms: list[pc.Expression] = []
        time = self.selection.time_column
        since, before = self.span()
        if time is not None and since is not None:
            terms.append(pc.field(time) >= self._instant(since))
        if time is not None and before is not None:
            terms.append(pc.field(time) < self._instant(before))
        # No filter on the key: delta-rs writes text as `string_view`, which pyarrow cannot
        # compare with a `string` literal in row-group statistics; `mask` matches the keys.
        first, last = self.partition_labels(partition)
        if partition is not None and partition.column in self.schema.names:
            if first is not None:
                terms.append(pc.field(partition.column) >= first)
            if last is not None:
                terms.append(pc.field(partition.column) <= last)
        if unmarked is not None and unmarked in self.schema.names:
            terms.append(pc.field(unmarked).is_null())
        if not terms:
            return None
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term
        return combined

    def mask(self, batch: pa.RecordBatch, *, unmarked: str | None = None) -> pa.Array:
        """Which rows of `batch` are selected (and, with `unmarked`, not marked yet)."""
        selected = pa.array(np.ones(batch.num_rows, dtype=bool))
        time = self.selection.time_column
        if time is not None and self.selection.since is not None:
            after = pc.greater_equal(batch[time], self._instant(self.selection.since))
            selected = pc.and_(selected, pc.fill_null(after, False))
        if time is not None and self.selection.before is not None:
            earlier = pc.less(batch[time], self._instant(self.selection.before))
            selected = pc.and_(selected, pc.fill_null(earlier, False))
        if self.windows is not None:
            hit = np.zeros(batch.num_rows, dtype=bool)
            hit[self.matches(batch)[_ROW].to_numpy()] = True
            selected = pc.and_(selected, pa.array(hit))
        if self.exclude is not None:
            held = np.zeros(batch.num_rows, dtype=bool)
            held[self._within(batch, self.exclude, unknown=True)[_ROW].to_numpy()] = True
            selected = pc.and_(selected, pa.array(~held))
        if unmarked is not None and unmarked in batch.schema.names:
            selected = pc.and_(selected, pc.is_null(batch[unmarked]))
        return selected

    def matches(self, batch: pa.RecordBatch) -> pa.Table:
        """Each row of `batch` whose key has a window holding its time: the row's position
        (`placet_row`), `key`, and the window's `since` and `before`. A vectorized join on
        the key, then a filter on the bounds; a row in overlapping windows appears in each."""
        if self.windows is None:
            raise StoreError("a selection without key windows matches no window")
        return self._within(batch, self.windows, unknown=False)

    def _within(self, batch: pa.RecordBatch, windows: pa.Table, *, unknown: bool) -> pa.Table:
        """The rows of `batch` in `windows`; `unknown`: whether a row without a time is in a
        window that bounds time."""
        key = self.selection.key_column
        rows = {_ROW: pa.array(np.arange(batch.num_rows)), "key": batch[key]}
        time = self.selection.time_column
        if time is not None:
            rows["time"] = batch[time]
        joined = pa.table(rows).join(windows, keys="key", join_type="inner")
        if time is None or not _bounds_time(windows):
            return joined.select([_ROW, "key", "since", "before"])
        after = pc.or_kleene(
            pc.is_null(joined["since"]), pc.greater_equal(joined["time"], joined["since"])
        )
        earlier = pc.or_kleene(
            pc.is_null(joined["before"]), pc.less(joined["time"], joined["before"])
        )
        within = pc.fill_null(pc.and_kleene(after, earlier), unknown)
        return joined.filter(within).select([_ROW, "key", "since", "before"])

    def stream(
        self,
        dataset: ds.Dataset,
        columns: Sequence[str],
        *,
        partition: TimePartition | None = None,
        unmarked: str | None = None,
        batch_rows: int = 65_536,
    ) -> Iterator[pa.RecordBatch]:
        """The selected rows of `dataset` (`columns` only), batch by batch."""
        read = list(columns) + [
            name
            for name in (*self.selection.columns(), unmarked)
            if name is not None and name in self.schema.names and name not in columns
        ]
        scanner = dataset.scanner(
            columns=read,
            filter=self.prefilter(partition, unmarked=unmarked),
            batch_size=batch_rows,
        )
        for batch in scanner.to_batches():
            chosen = batch.filter(self.mask(batch, unmarked=unmarked))
            if chosen.num_rows:
                yield chosen.select(list(columns))

    def survey(
        self,
        dataset: ds.Dataset,
        *,
        by: str | None = None,
        remapped: Sequence[str] = (),
        partition: TimePartition | None = None,
        unmarked: str | None = None,
    ) -> Survey:
        """One scan of the columns the selection reads: how many rows it selects per value
        of `by` (a file, a partition; None: all under None) and the distinct selected
        values of each remapped column."""
        rows: dict[str | None, int] = {}
        values: dict[str, list[pa.Array]] = {name: [] for name in remapped}
        columns = list(dict.fromkeys([*([] if by is None else [by]), *remapped]))
        for batch in self.stream(
            dataset, columns or self.schema.names[:1], partition=partition, unmarked=unmarked
        ):
            groups = (
                [{"values": None, "counts": batch.num_rows}]
                if by is None
                else pc.value_counts(batch[by]).to_pylist()
            )
            for counted in groups:
                rows[counted["values"]] = rows.get(counted["values"], 0) + counted["counts"]
            for name in remapped:
                values[name].append(pc.unique(batch[name]))
        distinct = {
            name: pc.unique(
                pa.chunked_array(parts, dataset.schema.field(name).type).combine_chunks()
            )
            for name, parts in values.items()
        }
        return Survey(rows, distinct)

    def _instant(self, instant: datetime) -> pa.Scalar:
        time = self.selection.time_column
        if time is None:
            raise StoreError("a selection bounded in time must name its time column")
        return _instant_scalar(instant, self.schema.field(time).type)


@dataclass(frozen=True, slots=True)
class Survey:
    """What one scan of a selection found (`ArrowSelection.survey`)."""

    rows: dict[str | None, int]
    """Selected rows per value of the surveyed column."""
    distinct: dict[str, pa.Array]
    """The distinct selected values of each remapped column."""

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _bounds_time(windows: pa.Table) -> bool:
    rows = windows.num_rows
    return bool(windows["since"].null_count < rows or windows["before"].null_count < rows)


def _cast_windows(
    windows: pa.Table | None, selection: Selection, schema: pa.Schema, where: str
) -> pa.Table | None:
    """Windows in the types of the table's key and time columns."""
    if windows is None:
        return None
    key = schema.field(selection.key_column).type
    instant = (
        schema.field(selection.time_column).type
        if selection.time_column is not None
        else pa.timestamp("us", "UTC")
    )
    target = pa.schema([("key", key), ("since", instant), ("before", instant)])
    try:
        return windows.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise StoreError(
            f"{where}: the key windows do not fit the column {selection.key_column} ({key}): {exc}"
        ) from exc


def _check_instant_type(column: pa.Field, where: str) -> None:
    if not pa.types.is_timestamp(column.type):
        raise StoreError(
            f"{where}: the time column {column.name} holds {column.type}, not instants. "
            "Store the rows' time as a timestamp, or name another time column."
        )


def _instant_scalar(instant: datetime, instant_type: pa.DataType) -> pa.Scalar:
    utc = instant.astimezone(UTC)
    return pa.scalar(utc if instant_type.tz is not None else utc.replace(tzinfo=None), instant_type)


def _as_utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def rewritten_values(
    values: pa.Array, rewrite: Rewrite, mapping: tuple[pa.Array, pa.Array] | None = None
) -> pa.Array | pa.Scalar:
    """The column's new values under `rewrite`, for every row (the caller keeps them only
    for the rows it changes). A `Remap` needs its `mapping`: the distinct values and what
    they map to."""
    if isinstance(rewrite, Nullify):
        return pa.scalar(None, values.type)
    if isinstance(rewrite, Constant):
        return pa.scalar(rewrite.value, pa.string()).cast(values.type)
    if isinstance(rewrite, MaskTail):
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            raise StoreError(f"a tail can only be masked in text, not in {values.type}")
        hidden = pc.min_element_wise(pc.utf8_length(values), rewrite.digits)
        shown = pc.utf8_slice_codeunits(values, 0, -rewrite.digits)
        return pc.binary_join_element_wise(shown, pc.binary_repeat(rewrite.mask, hidden), "")
    if mapping is None:
        raise StoreError(f"the remap '{rewrite.name}' was given no mapping")
    distinct, mapped = mapping
    return pc.take(mapped, pc.index_in(values, value_set=distinct, skip_nulls=False))


def remap_distinct(
    distinct: pa.Array, rewrite: Remap, value_type: pa.DataType, where: str
) -> tuple[pa.Array, pa.Array]:
    """Map a column's distinct selected values in one vectorized call: (values, mapped)."""
    mapped = rewrite.function(distinct)
    if len(mapped) != len(distinct):
        raise StoreError(
            f"{where}: the remap '{rewrite.name}' gave {len(mapped)} values "
            f"for {len(distinct)} distinct values"
        )
    try:
        return distinct, mapped.cast(value_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise StoreError(
            f"{where}: the remap '{rewrite.name}' gives {mapped.type}, "
            f"which the column's type {value_type} cannot hold"
        ) from exc


@dataclass(frozen=True, slots=True)
class BatchEdit:
    """What a rewrite does to the selected rows of each batch: drop them (delete), or
    rewrite columns and stamp the mark (update)."""

    selection: ArrowSelection
    rewrites: Mapping[str, Rewrite] = field(default_factory=dict)
    mappings: Mapping[str, tuple[pa.Array, pa.Array]] = field(default_factory=dict)
    """Each remapped column's distinct values and what they map to."""
    mark: str | None = None
    at: datetime | None = None

    @property
    def is_delete(self) -> bool:
        """Whether the selected rows are dropped (else rewritten and marked)."""
        return self.mark is None

    def output_schema(self, physical: pa.Schema) -> pa.Schema:
        """The schema the rows are written back with: `physical`, and the mark."""
        if self.mark is None or self.mark in physical.names:
            return physical
        return physical.append(pa.field(self.mark, pa.timestamp("us", "UTC")))

    def apply(self, batch: pa.RecordBatch, schema: pa.Schema) -> tuple[pa.RecordBatch, int]:
        """The batch as it is written back, and how many of its rows changed."""
        if self.mark is not None and self.mark not in batch.schema.names:
            marks = pa.nulls(batch.num_rows, schema.field(self.mark).type)
            batch = batch.append_column(schema.field(self.mark), marks)
        selected = self.selection.mask(batch, unmarked=self.mark)
        changed = pc.sum(selected).as_py() or 0
        if self.is_delete:
            return batch.filter(pc.invert(selected)), changed
        if changed == 0:
            return batch, 0
        columns = []
        for column in batch.schema:
            old = batch[column.name]
            if column.name == self.mark:
                stamp = pa.scalar(self.at, pa.timestamp("us", "UTC")).cast(column.type)
                columns.append(pc.if_else(selected, stamp, old))
            elif column.name in self.rewrites:
                new = rewritten_values(
                    old, self.rewrites[column.name], self.mappings.get(column.name)
                )
                columns.append(pc.if_else(selected, new, old))
            else:
                columns.append(old)
        return pa.RecordBatch.from_arrays(columns, schema=schema), changed


class ParquetStore:
    """Tables as folders of Parquet files under `root` (`<root>/<table>/month=…/*.parquet`);
    `partitions` names the tables partitioned by the month or day of their time column."""

    def __init__(self, root: Path | str, partitions: Mapping[str, TimePartition] = {}) -> None:
        self.root = Path(root)
        self.partitions = dict(partitions)

    def describe(self) -> str:
        """The lake's folder."""
        return f"Parquet lake {self.root}"

    def schema(self, table: str) -> pa.Schema:
        """The columns of every file of the table together, partition columns included."""
        dataset = self._dataset(table)
        if not dataset.files:
            raise StoreError(
                f"the Parquet table '{table}' at {self._folder(table)} holds no files, so it "
                "has no columns yet"
            )
        return dataset.schema

    def find(
        self,
        table: str,
        selection: Selection,
        columns: Sequence[str] | None = None,
        *,
        batch_rows: int = 65_536,
    ) -> Iterator[pa.RecordBatch]:
        """The selected rows, streamed from the files their partitions and statistics allow."""
        dataset = self._dataset(table)
        prepared = ArrowSelection.prepare(selection, dataset.schema, self._where(table))
        wanted = list(columns) if columns is not None else dataset.schema.names
        self._check_columns(table, dataset.schema, wanted)
        if selection.is_empty or not dataset.files:
            return iter(())
        batches = prepared.stream(
            dataset, wanted, partition=self.partitions.get(table), batch_rows=batch_rows
        )
        return self._reading(table, batches)

    def _reading(self, table: str, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        try:
            yield from batches
        except (pa.ArrowException, OSError) as exc:
            raise self._cannot("read", table, exc) from exc

    def count(self, table: str, selection: Selection, *, unmarked: str | None = None) -> int:
        """How many rows are selected, counted over the key and time columns only."""
        dataset = self._dataset(table)
        if selection.is_empty or not dataset.files:
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
        except (pa.ArrowException, OSError) as exc:
            raise self._cannot("count", table, exc) from exc

    def delete(self, table: str, selection: Selection) -> Change:
        """Rewrite each file holding selected rows without them; a file left empty goes."""
        return self._rewrite(table, selection, {}, mark=None, at=None)

    def update(
        self,
        table: str,
        selection: Selection,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str,
        at: datetime,
    ) -> Change:
        """Rewrite each file holding selected rows not yet marked: the rewritten columns
        and `mark` (added to the file when missing, null for the other rows)."""
        if at.utcoffset() is None:
            raise StoreError(f"an update's instant {at.isoformat()} has no time zone")
        return self._rewrite(table, selection, rewrites, mark=mark, at=at)

    def purge(self, table: str) -> Purge:
        """Nothing to purge but leftovers of killed rewrites: each rewrite replaced or
        removed its files in place, and a Parquet folder keeps no old versions."""
        folder = self._folder(table)
        strays = _clear_temporary_files(folder)
        return Purge(
            files_removed=strays,
            complete=True,
            detail=(
                f"{folder} keeps no old versions: every delete and update replaced or removed "
                "the files holding the rows when it ran, so no file holds them now"
                + (
                    f"; removed {strays} temporary file(s) left by interrupted rewrites"
                    if strays
                    else ""
                )
                + "."
            ),
        )

    def close(self) -> None:
        """Nothing is held open between calls."""

    def _rewrite(
        self,
        table: str,
        selection: Selection,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str | None,
        at: datetime | None,
    ) -> Change:
        """Delete (no `mark`) or update the selected rows: one scan of the selection's
        columns finds the files that hold them (and the values to remap), then each such
        file, and only those, is rewritten through one `BatchEdit`."""
        folder = self._folder(table)
        _clear_temporary_files(folder)
        dataset = self._dataset(table)
        if selection.is_empty or not dataset.files:
            return Change(0)
        where = self._where(table)
        prepared = ArrowSelection.prepare(selection, dataset.schema, where)
        self._check_columns(table, dataset.schema, list(rewrites))
        try:
            found = prepared.survey(
                dataset,
                by=_FILENAME,
                remapped=[name for name, rewrite in rewrites.items() if isinstance(rewrite, Remap)],
                partition=self.partitions.get(table),
                unmarked=mark,
            )
            mappings = {
                name: remap_distinct(
                    found.distinct[name], rewrite, dataset.schema.field(name).type, where
                )
                for name, rewrite in rewrites.items()
                if isinstance(rewrite, Remap)
            }
            edit = BatchEdit(prepared, rewrites, mappings, mark, at)
            rows = rewritten = removed = 0
            for path in sorted(str(file) for file in found.rows):
                changed, kept = _rewrite_file(Path(path), edit)
                rows += changed
                if changed and kept:
                    rewritten += 1
                elif changed:
                    removed += 1
        except (pa.ArrowException, OSError) as exc:
            raise self._cannot("rewrite", table, exc) from exc
        log.info(
            "parquet table rewritten",
            extra={"table": table, "rows": rows, "rewritten": rewritten, "removed": removed},
        )
        return Change(rows, files_rewritten=rewritten, files_removed=removed)

    def _folder(self, table: str) -> Path:
        folder = self.root / table
        if not folder.is_dir():
            raise StoreError(
                f"there is no Parquet table '{table}' at {folder}. Check the data map's location."
            )
        return folder

    def _where(self, table: str) -> str:
        return f"the Parquet table '{table}' at {self.root / table}"

    def _dataset(self, table: str) -> ds.Dataset:
        """The table's files as one dataset whose schema unites every file's columns (a
        mark column exists only in the files an update rewrote)."""
        folder = self._folder(table)
        try:
            dataset = ds.dataset(
                folder,
                format="parquet",
                partitioning=ds.HivePartitioning.discover(infer_dictionary=False),
                ignore_prefixes=[".", "_"],
            )
            schemas = [fragment.physical_schema for fragment in dataset.get_fragments()]
            return dataset.replace_schema(pa.unify_schemas([dataset.schema, *schemas]))
        except (pa.ArrowException, OSError) as exc:
            raise self._cannot("open", table, exc) from exc

    def _check_columns(self, table: str, schema: pa.Schema, names: Sequence[str]) -> None:
        missing = [name for name in names if name not in schema.names]
        if missing:
            raise StoreError(f"{self._where(table)} has no column {', '.join(missing)}")

    def _cannot(self, doing: str, table: str, exc: Exception) -> StoreError:
        return StoreError(f"cannot {doing} {self._where(table)}: {exc}")


def _rewrite_file(path: Path, edit: BatchEdit) -> tuple[int, int]:
    """Rewrite one file through `edit`, batch by batch, into a hidden temporary file that
    then replaces it (or, with no row left, is dropped with it): (rows changed, rows kept)."""
    temporary = path.with_name(f".{path.name}.{uuid4().hex}{TEMPORARY_SUFFIX}")
    changed = kept = 0
    try:
        with pq.ParquetFile(path) as source:
            schema = edit.output_schema(source.schema_arrow)
            with pq.ParquetWriter(temporary, schema, compression=_codec(source)) as writer:
                for batch in source.iter_batches():
                    written, count = edit.apply(batch, schema)
                    changed += count
                    kept += written.num_rows
                    if written.num_rows:
                        writer.write_batch(written)
        if changed and kept:
            with temporary.open("rb") as written_file:
                os.fsync(written_file.fileno())
            os.replace(temporary, path)
        elif changed:
            temporary.unlink()
            path.unlink()
            _remove_empty_folders(path.parent)
    finally:
        temporary.unlink(missing_ok=True)
    return changed, kept


def _codec(source: pq.ParquetFile) -> str:
    """The compression the file was written with, to write its new version alike."""
    metadata = source.metadata
    if not (metadata.num_row_groups and metadata.num_columns):
        return "snappy"
    codec = str(metadata.row_group(0).column(0).compression).lower()
    return {"uncompressed": "none", "lz4_raw": "lz4"}.get(
        codec, codec if codec in _CODECS else "snappy"
    )


def _remove_empty_folders(folder: Path) -> None:
    """Remove a partition folder left empty, and its parents left empty (not the table's)."""
    while folder.name.count("=") == 1 and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _clear_temporary_files(folder: Path) -> int:
    """Remove the temporary files a killed rewrite left: each holds a file's new version
    that never replaced the old one, which is still in place."""
    strays = list(folder.rglob(f".*{TEMPORARY_SUFFIX}"))
    for stray in strays:
        stray.unlink(missing_ok=True)
    if strays:
        log.warning(
            "temporary files of an interrupted rewrite removed", extra={"files": len(strays)}
        )
    return len(strays)
