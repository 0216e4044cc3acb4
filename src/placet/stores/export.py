"""Export the selected rows of any store to a file, streamed: a batch is written before the
next is read, so an export of millions of rows holds one batch in memory.

Formats: Parquet (the rows' own types), CSV (a header, instants in ISO 8601), JSON Lines
(one object per row) and JSON (one array of objects); in JSON, instants are ISO 8601 in
UTC, decimals are strings (never rounded through a float) and bytes are base64. A failed
export leaves no file behind: the rows go to a temporary file beside the target, moved over
it once complete.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Final, Protocol

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from placet.errors import StoreError
from placet.stores.protocol import Selection, Store

__all__ = [
    "BinarySink",
    "Export",
    "ExportFormat",
    "export_rows",
    "json_rows",
    "write_batches",
]

_JSON_OPTIONS: Final = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


class BinarySink(Protocol):
    """Where rows are written: a file opened for bytes, a zip member, a hashing wrapper."""

    def write(self, data: bytes, /) -> object: ...


class ExportFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    JSONL = "jsonl"
    JSON = "json"


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
            for batch in write_batches(sink, batches, export_format):
                rows += batch
                written += 1
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Export(path, rows, written)


def write_batches(
    sink: BinarySink, batches: Iterator[pa.RecordBatch], export_format: ExportFormat
) -> Iterator[int]:
    """Write each batch to `sink` as it comes, yielding its row count (nothing is kept)."""
    first = next(batches, None)
    if first is None:
        if export_format is ExportFormat.PARQUET:
            raise StoreError("nothing selected: an empty Parquet export has no schema to write")
        if export_format is ExportFormat.JSON:
            sink.write(b"[]")
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
    elif export_format is ExportFormat.JSON:
        separator = b"[\n"
        for batch in _chain(first, batches):
            for row in json_rows(batch):
                sink.write(separator)
                sink.write(row)
                separator = b",\n"
            yield batch.num_rows
        sink.write(b"\n]" if separator != b"[\n" else b"[]")
    else:
        for batch in _chain(first, batches):
            for row in json_rows(batch):
                sink.write(row)
                sink.write(b"\n")
            yield batch.num_rows


def json_rows(batch: pa.RecordBatch) -> Iterator[bytes]:
    """Each row of `batch` as one JSON object (see the module's docstring for the types)."""
    for row in batch.to_pylist():
        yield orjson.dumps(row, default=_json_value, option=_JSON_OPTIONS)


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"a value of type {type(value).__name__} cannot be written as JSON")


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest
