"""The Parquet store: a lake table is a folder of (hive-partitioned) Parquet files, read
with pyarrow datasets and changed by rewriting only the files that hold selected rows.

Each changed file is written whole to a hidden temporary file beside it and moved over the
old one with `os.replace`, so a process killed mid-run leaves every file either old or new,
never half written; a rerun finishes the rest (deleted rows are gone, updated rows marked).
A Parquet folder has no log and no old versions, so it is changed by one writer at a time.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import uuid4

import pyarrow as pa
import pyarrow.parquet as pq

from placet.errors import StoreError
from placet.retention.rewrites import Remap, Rewrite
from placet.stores.lake_selection import ArrowSelection, BatchEdit, remap_distinct
from placet.stores.protocol import Change, Purge, Selection, TimePartition

if TYPE_CHECKING:
    # Imported where used, not here: pyarrow.dataset loads pandas, half a second that every
    # `placet` command would pay at start.
    import pyarrow.dataset as ds

__all__ = ["TEMPORARY_SUFFIX", "ParquetStore"]

log = logging.getLogger(__name__)

TEMPORARY_SUFFIX = ".placet-tmp"
"""Ends the hidden name (`.part-0.parquet.<id>.placet-tmp`) of a file being rewritten."""
_CODECS = frozenset({"snappy", "gzip", "brotli", "zstd", "lz4"})
_FILENAME = "__filename"
"""The field pyarrow's scanner fills with each row's file."""


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
        try:
            return prepared.count(dataset, partition=self.partitions.get(table), unmarked=unmarked)
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
        import pyarrow.dataset as ds  # where used: see the imports

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
