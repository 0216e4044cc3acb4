"""Write a whole synthetic estate: SQL tables, the Parquet lake and the consent history,
table by table, a chunk at a time, reporting progress.

    <out>/estate.db                                     (unless a database URL is given)
    <out>/lake/<table>/month=YYYY-MM/part-<n>.parquet   cdrs, location_events, data_sessions
    <out>/lake/<table>/_delta_log/                      cdrs, location_events (Delta tables)
    <out>/consent-history.csv                           for `placet ledger import`

The lake's layout (`LakeLayout`) says how a month's rows are cut into files, never which
rows there are: clustered (sorted by the subject's number, files of number ranges) or
bucketed (one file a subscriber bucket, rows in the order they are drawn).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import deltalake
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from placet.synth.accounts import (
    complaint_rows,
    device_rows,
    invoice_rows,
    payment_rows,
    recording_rows,
    reservation_rows,
)
from placet.synth.consents import consent_history_rows, cookie_rows, marketing_rows
from placet.synth.people import (
    Population,
    assignment_rows,
    contract_rows,
    draw_population,
    subscriber_rows,
)
from placet.synth.plan import EstatePlan, Month
from placet.synth.sinks import PARQUET_OPTIONS, CsvFile, ParquetFile, SqlSink, in_chunks
from placet.synth.tables import lake_tables, sql_tables
from placet.synth.traffic import (
    TRAFFIC_TABLES,
    SortedRows,
    TrafficIndex,
    index_traffic,
    lake_schema,
    month_blocks,
    month_passes,
    sorted_month,
    traffic_rows,
)

__all__ = [
    "CONSENT_HISTORY_FILE",
    "SQLITE_FILE",
    "EstateReport",
    "LakeLayout",
    "LayoutKind",
    "ProgressReporter",
    "TableReport",
    "lake_file",
    "traffic_chunks",
    "write_estate",
    "write_lake_table",
]

log = logging.getLogger(__name__)

SQLITE_FILE = "estate.db"
CONSENT_HISTORY_FILE = "consent-history.csv"
MONTH_PARTITION = "month"
"""The lake tables' partition column: the month of the row's time, `YYYY-MM`."""

BlockRows = Callable[[Population, int], pa.Table]
SQL_ROWS: dict[str, BlockRows] = {
    "subscribers": subscriber_rows,
    "contracts": contract_rows,
    "msisdn_assignments": assignment_rows,
    "marketing_contacts": marketing_rows,
    "cookie_consents": cookie_rows,
    "invoices": invoice_rows,
    "payments": payment_rows,
    "complaints": complaint_rows,
    "call_recordings": recording_rows,
    "network_devices": device_rows,
    "dhcp_reservations": reservation_rows,
}
"""How each SQL table's rows are drawn for one block of subscribers."""

CLUSTERED_FILE_ROWS = 125_000
"""Rows of a clustered lake file (about 2.5 MiB of CDRs): what erasing one subscriber
rewrites a month, since delta-rs writes no deletion vectors (`docs/synth.md`)."""
CLUSTERED_ROW_GROUP_ROWS = 8_192
"""Rows of a clustered file's row group: what reading one subscriber reads a month."""
CLUSTERED_HELD_ROWS = 6_000_000
"""Rows sorted at once (about 0.4 GiB of CDRs): a month of more is drawn once per range of
numbers."""
WRITER_THREADS = 2
"""Threads writing a clustered month's files while the next range is drawn and sorted."""


class LayoutKind(StrEnum):
    """How a lake table's month is cut into files."""

    CLUSTERED = "clustered"
    """Rows sorted by the subject's number; files of consecutive numbers."""
    BUCKETED = "bucketed"
    """A file a subscriber bucket; rows in the order they are drawn."""


@dataclass(frozen=True, slots=True)
class LakeLayout:
    """How the lake's traffic tables are cut into files: the same rows either way.

    Clustered (the default), a month's rows are sorted by the subject's number (`a_number`,
    `msisdn`) and cut into files of about `file_rows` rows, each ending where one number's
    rows end, in row groups of `row_group_rows`: one number's rows of a month are in one
    file and, mostly, one row group, which the statistics of the number column find.
    Bucketed (the naive layout), a month has a file a subscriber bucket, of up to about
    `ROWS_PER_FILE` CDRs, rows in the order they are drawn: finding one subscriber
    reads every file, and erasing them rewrites one file a month of millions of rows."""

    kind: LayoutKind = LayoutKind.CLUSTERED
    file_rows: int = CLUSTERED_FILE_ROWS
    row_group_rows: int = CLUSTERED_ROW_GROUP_ROWS
    held_rows: int = CLUSTERED_HELD_ROWS
    """Rows sorted at once: a month of more is drawn once per range of numbers."""

    def __post_init__(self) -> None:
        for name in ("file_rows", "row_group_rows", "held_rows"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")

    def describe(self) -> str:
        """The layout in a few words, for reports."""
        if self.kind is LayoutKind.BUCKETED:
            return "bucketed: a file a month and subscriber bucket"
        return (
            f"clustered by number: files of about {self.file_rows:,} rows, "
            f"row groups of {self.row_group_rows:,}"
        )


class ProgressReporter(Protocol):
    """Told how far each table has got (the CLI draws a bar per table)."""

    def start(self, table: str, steps: int) -> None: ...

    def advance(self, table: str, rows: int) -> None:
        """One step done, which wrote `rows` rows."""
        ...


@dataclass(frozen=True, slots=True)
class TableReport:
    """What was written of one table: where, how many rows, in how many seconds."""

    name: str
    where: str
    """sql, lake or csv."""
    rows: int
    seconds: float


@dataclass(frozen=True, slots=True)
class EstateReport:
    """What `write_estate` wrote."""

    plan: EstatePlan
    out: Path
    database_url: str
    buckets: int
    tables: tuple[TableReport, ...]
    layout: LakeLayout = LakeLayout()

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


class _Silent:
    def start(self, table: str, steps: int) -> None:
        pass

    def advance(self, table: str, rows: int) -> None:
        pass


def lake_file(out: Path, table: str, month: Month, part: int) -> Path:
    """Where a month's part of a lake table is written: its bucket's file (bucketed) or its
    `part`-th range of numbers (clustered)."""
    return out / "lake" / table / f"{MONTH_PARTITION}={month.label}" / f"part-{part:03d}.parquet"


def traffic_chunks(
    index: TrafficIndex, table: str, month: Month, bucket: int, chunk_rows: int
) -> Iterator[pa.Table]:
    """One month's bucket of a traffic table, block after block, in chunks."""
    blocks = month_blocks(index, month, bucket)
    drawn = (
        traffic_rows(table, index, month, bucket=bucket, block=number, lines=lines)
        for number, lines in enumerate(blocks)
    )
    return in_chunks(drawn, chunk_rows)


def _write_sql(population: Population, sink: SqlSink, name: str, progress: ProgressReporter) -> int:
    blocks = population.block_count()
    progress.start(name, blocks)
    written = 0
    drawn = (SQL_ROWS[name](population, block) for block in range(blocks))
    for chunk in in_chunks(_counted(drawn, name, progress), population.plan.chunk_rows):
        sink.insert(name, chunk)
        written += chunk.num_rows
    return written


def _counted(
    tables: Iterator[pa.Table], name: str, progress: ProgressReporter
) -> Iterator[pa.Table]:
    for table in tables:
        yield table
        progress.advance(name, table.num_rows)


def write_lake_table(
    index: TrafficIndex,
    out: Path,
    name: str,
    progress: ProgressReporter | None = None,
    layout: LakeLayout = LakeLayout(),
) -> int:
    """Write one traffic table into the lake in `layout`, replacing it; the rows written."""
    reporter: ProgressReporter = progress or _Silent()
    plan = index.population.plan
    spec = {spec.name: spec for spec in lake_tables(plan.operator)}[name]
    shutil.rmtree(out / "lake" / name, ignore_errors=True)
    if layout.kind is LayoutKind.CLUSTERED:
        written = _write_clustered(index, out, name, layout, reporter)
    else:
        written = _write_bucketed(index, out, name, reporter)
    if spec.is_delta:
        as_delta_table(out / "lake" / name)
    return written


def _write_bucketed(index: TrafficIndex, out: Path, name: str, reporter: ProgressReporter) -> int:
    plan = index.population.plan
    schema = _schema(plan, name)
    reporter.start(name, len(plan.traffic_months) * index.buckets)
    written = 0
    for month in plan.traffic_months:
        for bucket in range(index.buckets):
            rows = 0
            chunks = traffic_chunks(index, name, month, bucket, plan.chunk_rows)
            first = next(chunks, None)
            if first is not None:
                with ParquetFile(lake_file(out, name, month, bucket), schema) as parquet:
                    parquet.write(first)
                    rows += first.num_rows
                    for chunk in chunks:
                        parquet.write(chunk)
                        rows += chunk.num_rows
            written += rows
            reporter.advance(name, rows)
    return written


def _write_clustered(
    index: TrafficIndex, out: Path, name: str, layout: LakeLayout, reporter: ProgressReporter
) -> int:
    """Each range of numbers sorted in the calling thread while the range before it is cut
    into files written by `WRITER_THREADS` threads (one range in flight)."""
    plan = index.population.plan
    schema = _schema(plan, name)
    reporter.start(name, len(plan.traffic_months) * month_passes(name, index, layout.held_rows))
    written = 0
    with ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="lake-files") as writers:
        in_flight: list[Future[int]] = []
        for month in plan.traffic_months:
            files = _ClusteredFiles(out, name, month, schema, layout)
            for drawn in sorted_month(name, index, month, held_rows=layout.held_rows):
                written += _reported(in_flight, name, reporter)
                in_flight = [
                    writers.submit(files.write, drawn, start, end, part)
                    for start, end, part in files.cuts(drawn)
                ]
        written += _reported(in_flight, name, reporter)
    return written


def _reported(in_flight: list[Future[int]], name: str, reporter: ProgressReporter) -> int:
    """Wait for a range's files; the rows they hold, reported as one step."""
    if not in_flight:
        return 0
    rows = sum(future.result() for future in in_flight)
    reporter.advance(name, rows)
    return rows


def _schema(plan: EstatePlan, name: str) -> pa.Schema:
    return lake_schema({spec.name: spec for spec in lake_tables(plan.operator)}[name])


@dataclass(slots=True)
class _ClusteredFiles:
    """The files of a month of a clustered lake table, cut from its sorted rows: files of
    about `file_rows` rows, each cut at the end of a number's rows (no number's rows of the
    month span two files), in row groups of `row_group_rows`."""

    out: Path
    name: str
    month: Month
    schema: pa.Schema
    layout: LakeLayout
    parts: int = 0

    def cuts(self, drawn: SortedRows) -> list[tuple[int, int, int]]:
        """Where the month's next files start and end in `drawn`, and their numbers."""
        numbers = drawn.numbers
        found = []
        start = 0
        while start < len(numbers):
            target = min(start + self.layout.file_rows, len(numbers))
            # The cut moves to the end of the rows of the number the target falls in.
            end = int(np.searchsorted(numbers, numbers[target - 1], side="right"))
            found.append((start, end, self.parts))
            self.parts += 1
            start = end
        return found

    def write(self, drawn: SortedRows, start: int, end: int, part: int) -> int:
        """Write one file, in one call: pyarrow cuts its row groups without the GIL."""
        path = lake_file(self.out, self.name, self.month, part)
        path.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(path, self.schema, **PARQUET_OPTIONS) as parquet:
            parquet.write_table(
                drawn.rows.slice(start, end - start), row_group_size=self.layout.row_group_rows
            )
        return end - start


def as_delta_table(folder: Path) -> None:
    """Make the month-partitioned Parquet files under `folder` a Delta table: a first
    commit that adds them as they are (no data is rewritten)."""
    partitions = deltalake.Schema(
        [deltalake.Field(MONTH_PARTITION, deltalake.schema.PrimitiveType("string"))]
    )
    deltalake.convert_to_deltalake(str(folder), partition_by=partitions, partition_strategy="hive")


def _write_consent_history(population: Population, path: Path, progress: ProgressReporter) -> int:
    blocks = population.block_count()
    progress.start("consent-history", blocks)
    written = 0
    with CsvFile(path, consent_history_rows(population, 0).schema) as csv:
        drawn = (consent_history_rows(population, block) for block in range(blocks))
        counted = _counted(drawn, "consent-history", progress)
        for chunk in in_chunks(counted, population.plan.chunk_rows):
            csv.write(chunk)
            written += chunk.num_rows
    return written


def write_estate(
    plan: EstatePlan,
    out: Path,
    *,
    database_url: str | None = None,
    progress: ProgressReporter | None = None,
    layout: LakeLayout = LakeLayout(),
) -> EstateReport:
    """Write the estate `plan` describes under `out` (and its SQL tables into
    `database_url`, by default the SQLite file `out/estate.db`), its lake in `layout`.

        plan = EstatePlan(OperatorName.IPKO, subscribers=1000, months=3, seed=7)
        write_estate(plan, Path("estate"))
    """
    reporter: ProgressReporter = progress or _Silent()
    out.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{out / SQLITE_FILE}"
    population = draw_population(plan)
    reports: list[TableReport] = []
    with SqlSink(url, sql_tables(plan.operator)) as sink:
        sink.create()
        for spec in sql_tables(plan.operator):
            started = time.perf_counter()
            rows = _write_sql(population, sink, spec.name, reporter)
            reports.append(TableReport(spec.name, "sql", rows, time.perf_counter() - started))
    index = index_traffic(population)
    for name in TRAFFIC_TABLES:
        started = time.perf_counter()
        rows = write_lake_table(index, out, name, reporter, layout)
        reports.append(TableReport(name, "lake", rows, time.perf_counter() - started))
    started = time.perf_counter()
    rows = _write_consent_history(population, out / CONSENT_HISTORY_FILE, reporter)
    reports.append(TableReport("consent-history", "csv", rows, time.perf_counter() - started))
    log.info(
        "synthetic estate written",
        extra={"operator": plan.operator.value, "subscribers": plan.subscribers},
    )
    return EstateReport(plan, out, url, index.buckets, tuple(reports), layout)
