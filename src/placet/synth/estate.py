"""Write a whole synthetic estate: SQL tables, the Parquet lake and the consent history,
table by table, a chunk at a time, reporting progress.

    <out>/estate.db                                        (unless a database URL is given)
    <out>/lake/<table>/month=YYYY-MM/part-<bucket>.parquet  cdrs, location_events, data_sessions
    <out>/lake/<table>/_delta_log/                         cdrs, location_events (Delta tables)
    <out>/consent-history.csv                              for `placet ledger import`
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import deltalake
import pyarrow as pa

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
from placet.synth.sinks import CsvFile, ParquetFile, SqlSink, in_chunks
from placet.synth.tables import lake_tables, sql_tables
from placet.synth.traffic import (
    TRAFFIC_TABLES,
    TrafficIndex,
    index_traffic,
    lake_schema,
    month_blocks,
    traffic_rows,
)

__all__ = [
    "CONSENT_HISTORY_FILE",
    "SQLITE_FILE",
    "EstateReport",
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

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


class _Silent:
    def start(self, table: str, steps: int) -> None:
        pass

    def advance(self, table: str, rows: int) -> None:
        pass


def lake_file(out: Path, table: str, month: Month, bucket: int) -> Path:
    """Where a month's bucket of a lake table is written."""
    return out / "lake" / table / f"{MONTH_PARTITION}={month.label}" / f"part-{bucket:03d}.parquet"


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
    index: TrafficIndex, out: Path, name: str, progress: ProgressReporter | None = None
) -> int:
    """Write one traffic table into the lake layout, replacing it; the rows written."""
    reporter: ProgressReporter = progress or _Silent()
    plan = index.population.plan
    spec = {spec.name: spec for spec in lake_tables(plan.operator)}[name]
    schema = lake_schema(spec)
    shutil.rmtree(out / "lake" / name, ignore_errors=True)
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
    if spec.is_delta:
        as_delta_table(out / "lake" / name)
    return written


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
) -> EstateReport:
    """Write the estate `plan` describes under `out` (and its SQL tables into
    `database_url`, by default the SQLite file `out/estate.db`).

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
        rows = write_lake_table(index, out, name, reporter)
        reports.append(TableReport(name, "lake", rows, time.perf_counter() - started))
    started = time.perf_counter()
    rows = _write_consent_history(population, out / CONSENT_HISTORY_FILE, reporter)
    reports.append(TableReport("consent-history", "csv", rows, time.perf_counter() - started))
    log.info(
        "synthetic estate written",
        extra={"operator": plan.operator.value, "subscribers": plan.subscribers},
    )
    return EstateReport(plan, out, url, index.buckets, tuple(reports))
