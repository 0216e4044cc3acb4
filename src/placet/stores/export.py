"""Export the selected rows of any store to a file, streamed: a batch is written before the
next is read, so an export of millions of rows holds one batch in memory.

Formats: Parquet (the rows' own types), CSV (a header, instants in ISO 8601) and JSON Lines
(one object per row, instants in ISO 8601). A failed export leaves no file behind: the rows
go to a temporary file beside the target, moved over it once complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from placet.errors import StoreError
from placet.stores.protocol import Selection, Store

__all__ = ["Export", "ExportFormat", "export_rows"]


class ExportFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    JSONL = "jsonl"


@dataclass(frozen=True, slots=True)
class Export:
    path: Path
    rows: int
    batches: int


def export_rows(
    store: Store,
    table: str,
    selection: Selection,
    path: Path,
    export_format: ExportFormat,
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = 65_536,
) -> Export:
    """Write the rows `selection` picks in `table` to `path`, batch by batch."""
    batches = store.find(table, selection, columns, batch_rows=batch_rows)
    partial = path.with_name(f".{path.name}.partial")
    rows = written = 0
    try:
        with partial.open("wb") as sink:
            for batch in _writer(sink, batches, export_format):
                rows += batch
                written += 1
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Export(path, rows, written)


def _writer(
    sink: IO[bytes], batches: Iterator[pa.RecordBatch], export_format: ExportFormat
) -> Iterator[int]:
    """Write each batch to `sink`, yielding its row count."""
    first = next(batches, None)
    if first is None:
        if export_format is ExportFormat.PARQUET:
            raise StoreError("nothing selected: an empty Parquet export has no schema to write")
        return
    if export_format is ExportFormat.PARQUET:
        with pq.ParquetWriter(sink, first.schema) as parquet:
            for batch in _chain(first, batches):
                parquet.write_batch(batch)
                yield batch.num_rows
    elif export_format is ExportFormat.CSV:
        with pacsv.CSVWriter(sink, first.schema) as csv:
            for batch in _chain(first, batches):
                csv.write_batch(batch)
                yield batch.num_rows
    else:
        for batch in _chain(first, batches):
            for row in batch.to_pylist():
                sink.write(orjson.dumps(row, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC))
                sink.write(b"\n")
            yield batch.num_rows


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest
