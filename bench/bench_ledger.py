"""Time ledger appends, in batches and one at a time, on SQLite and PostgreSQL.

    python bench/bench_ledger.py [--events N] [--batch-size N] [--singles N]
                                 [--postgres URL | --no-postgres]

Builds N events of IPKO consent history beforehand (those of bench_import.py: consents,
withdrawals, objections, about four per subscriber) and measures in the same run:

- the chain alone: sealing every event (canonical body, SHA-256 over the previous hash),
  in Python, no database;
- the driver's floor (baseline): the sealed rows written by the driver itself
  (`executemany` on SQLite, `COPY` on PostgreSQL), one transaction per batch, nothing else;
  and the same into a table without its indexes (event id, idempotency key, subject and
  position), which shows what keeping them costs;
- `append_many` in batches: idempotency check, chain, rows, personal payloads, head and
  projection, one transaction per batch;
- `append_columns` of the same events held as columns (`EventColumns`, as the consent import
  builds them), in the same batches: the same rules, sealed and folded in columns;
- single durable appends: `append` of one event at a time, each its own committed
  transaction (SQLite in WAL mode, PostgreSQL with its default fsync), p50 and p99;
- the issue's reference rows: the raw driver's rate on the rows the issue measured its
  drivers with (three columns, `executemany` on SQLite, `COPY` on PostgreSQL; 300,000 and
  400,000 a second on its machine kind). The target of 100,000 appends a second is then
  scaled by how fast this machine is at that same work, and `append_columns` checked
  against it: the check does not forgive the ledger's own rows being wider than those.

Every figure is checked: the ledger verifies and holds every event after the runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Final

import polars as pl
import sqlalchemy
from bench_import import KEY, NOW, consent_history
from benchlib import POSTGRES_URL, databases, fresh_database, machine_line

from placet.ledger import GENESIS_HASH, ChainRow, LedgerEvent, seal_event
from placet.ledger.chain_columns import EventColumns, seal_columns
from placet.ledger.importing import consent_event_batches
from placet.policy import load_policy_set
from placet.stores.consent_import import check_consent_file
from placet.stores.sql_append import batch_writer
from placet.stores.sql_database import WRITE
from placet.stores.sql_ledger import open_ledger


def build_events(
    count: int, batch_size: int, folder: Path
) -> tuple[list[list[LedgerEvent]], list[EventColumns]]:
    """The batches of events, and the same batches as columns."""
    source = folder / "history.csv"
    consent_history(count).write_csv(source)
    checked = check_consent_file(source, policies=load_policy_set("ipko"), recorded_at=NOW)
    batches = list(consent_event_batches(checked, KEY, recorded_at=NOW, batch_size=batch_size))
    columns = [EventColumns.from_events(batch) for batch in batches]
    return batches, columns


def seal_all(batches: list[list[LedgerEvent]]) -> tuple[list[list[ChainRow]], float]:
    """Every event sealed in order; and the seconds it took."""
    sealed: list[list[ChainRow]] = []
    prev, seq = GENESIS_HASH, 0
    started = time.perf_counter()
    for batch in batches:
        rows = []
        for event in batch:
            seq += 1
            salt = bytes(32) if event.personal is not None else None
            row = seal_event(event, seq, prev, salt)
            rows.append(row)
            prev = row.hash
        sealed.append(rows)
    return sealed, time.perf_counter() - started


def seal_in_columns(batches: list[EventColumns]) -> tuple[list[pl.DataFrame], float]:
    """Every batch sealed in columns, in order; and the seconds it took."""
    sealed: list[pl.DataFrame] = []
    prev, seq = GENESIS_HASH, 1
    started = time.perf_counter()
    for batch in batches:
        frame, prev = seal_columns(batch, seq, prev)
        sealed.append(frame)
        seq += frame.height
    return sealed, time.perf_counter() - started


def driver_floor(url: str, sealed: list[list[ChainRow]] | list[pl.DataFrame]) -> float:
    """Seconds to write the sealed rows through the driver alone, a transaction a batch."""
    ledger = open_ledger(url)
    started = time.perf_counter()
    for rows in sealed:
        with ledger.engine.connect() as connection:
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                if isinstance(rows, pl.DataFrame):
                    batch_writer(connection).insert_sealed(rows)
                else:
                    batch_writer(connection).insert(rows)
    spent = time.perf_counter() - started
    ledger.engine.dispose()
    return spent


def without_indexes(url: str) -> None:
    """Put in place of the events table one with the same columns and no index or
    constraint (the old one is kept under another name): what the rows cost to write
    when no index has to be kept."""
    ledger = open_ledger(url)
    with ledger.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE ledger_events RENAME TO ledger_events_indexed")
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TABLE ledger_events AS SELECT * FROM ledger_events_indexed WHERE 0"
            )
        else:
            connection.exec_driver_sql(
                "CREATE TABLE ledger_events (LIKE ledger_events_indexed INCLUDING DEFAULTS)"
            )
    ledger.engine.dispose()


def batched_appends(url: str, batches: list[list[LedgerEvent]] | list[EventColumns]) -> float:
    ledger = open_ledger(url)
    started = time.perf_counter()
    for batch in batches:
        if isinstance(batch, EventColumns):
            ledger.append_columns(batch)
        else:
            ledger.append_many(batch)
    spent = time.perf_counter() - started
    report = ledger.verify()
    expected = sum(len(batch) if isinstance(batch, list) else batch.height for batch in batches)
    if not report.is_intact or report.verified != expected:
        raise SystemExit(f"the ledger does not verify after the batched appends: {report}")
    ledger.engine.dispose()
    return spent


def single_appends(url: str, events: list[LedgerEvent]) -> list[float]:
    """Milliseconds of each `append`, one committed transaction each."""
    ledger = open_ledger(url)
    latencies = []
    for event in events:
        started = time.perf_counter()
        ledger.append(event)
        latencies.append((time.perf_counter() - started) * 1000)
    if ledger.head().seq != len(events) or not ledger.verify().is_intact:
        raise SystemExit("the ledger does not verify after the single appends")
    ledger.engine.dispose()
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


ISSUE_DRIVER_RATES: Final = {"SQLite": 300_000, "PostgreSQL": 400_000}
"""What the issue's machine kind did with the raw drivers (executemany, COPY), per second,
on its reference rows (`reference_rows`)."""
ISSUE_TARGET_RATE: Final = 100_000
"""The issue's target for batched appends, per second, on that machine kind."""


def reference_rows(url: str, count: int, batch_size: int) -> float:
    """Seconds for the raw driver to write `count` rows of three columns (a key, a short
    text, a number), a transaction a batch: `executemany` on SQLite, `COPY` row by row on
    PostgreSQL, the rows held as Python tuples. The work the issue measured its drivers'
    rates on, to tell how fast this machine is at it."""
    rows = [(number, f"subscriber-{number}", number % 97) for number in range(count)]
    engine = sqlalchemy.create_engine(url)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA journal_mode=WAL")  # as the ledger's database
        cursor.execute("CREATE TABLE bench_reference (id BIGINT PRIMARY KEY, name TEXT, v INT)")
        connection.commit()
        started = time.perf_counter()
        for first in range(0, count, batch_size):
            batch = rows[first : first + batch_size]
            if engine.dialect.name == "sqlite":
                cursor.executemany("INSERT INTO bench_reference VALUES (?, ?, ?)", batch)
            else:
                with cursor.copy("COPY bench_reference (id, name, v) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            connection.commit()
        spent = time.perf_counter() - started
    finally:
        connection.close()
        engine.dispose()
    return spent


def print_scaled_target(measured: list[tuple[str, float, float]], count: int) -> None:
    """The issue's target as this machine would have it: 100,000 appends a second where the
    raw driver wrote its reference rows at 300,000 (SQLite) or 400,000 (PostgreSQL), scaled
    by the reference rate measured here. Each (database, append_columns' seconds, the
    reference rows' seconds)."""
    print()
    print(
        "| the target on this machine | database | reference rows/s here | issue's | "
        "target here | append_columns/s | met |"
    )
    print("|---|---|---:|---:|---:|---:|---|")
    for database, appending, reference in measured:
        reference_rate = count / reference
        target = ISSUE_TARGET_RATE * reference_rate / ISSUE_DRIVER_RATES[database]
        rate = count / appending
        print(
            f"| append_columns against the scaled target | {database} | {reference_rate:,.0f} | "
            f"{ISSUE_DRIVER_RATES[database]:,} | {target:,.0f} | {rate:,.0f} | "
            f"{'yes' if rate >= target else 'no'} |"
        )


IN_COLUMNS: Final = "append_columns: the same, the batch held as columns"

Prepared = tuple[
    list[list[LedgerEvent]], list[EventColumns], list[list[ChainRow]], list[pl.DataFrame]
]
"""The events in batches, the same as columns, and both sealed: what each database is given."""


def measure_database(
    database: str,
    folder: Path,
    postgres: str,
    prepared: Prepared,
    singles: list[LedgerEvent],
) -> tuple[list[tuple[str, float]], list[float]]:
    """Each step's label and seconds on `database`, the driver's floor first, each step on a
    fresh database; and the single appends' milliseconds."""
    batches, column_batches, sealed, sealed_frames = prepared
    driver = "executemany" if database == "SQLite" else "COPY"
    steps: list[tuple[str, float]] = []
    with fresh_database(database, folder, postgres) as url:
        steps.append(
            (f"rows written by the driver alone ({driver}; baseline)", driver_floor(url, sealed))
        )
    with fresh_database(database, folder, postgres) as url:
        steps.append(
            (
                "rows written by the driver alone, their values made in columns",
                driver_floor(url, sealed_frames),
            )
        )
    with fresh_database(database, folder, postgres) as url:
        without_indexes(url)
        steps.append(
            ("the same, into the table without its indexes", driver_floor(url, sealed_frames))
        )
    with fresh_database(database, folder, postgres) as url:
        steps.append(
            ("append_many: chain, rows, payloads, head, projection", batched_appends(url, batches))
        )
    with fresh_database(database, folder, postgres) as url:
        steps.append((IN_COLUMNS, batched_appends(url, column_batches)))
    with fresh_database(database, folder, postgres) as url:
        latencies = single_appends(url, singles)
    return steps, latencies


def reference_in(database: str, folder: Path, postgres: str, count: int, batch_size: int) -> float:
    """`reference_rows` on a fresh database."""
    with fresh_database(database, folder, postgres) as url:
        return reference_rows(url, count, batch_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--singles", type=int, default=500)
    parser.add_argument("--postgres", default=POSTGRES_URL)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(machine_line(f"polars {pl.__version__}", f"SQLAlchemy {sqlalchemy.__version__}"))
    chosen = databases(args.postgres, no_postgres=args.no_postgres)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        batches, column_batches = build_events(args.events, args.batch_size, folder)
        count = sum(len(batch) for batch in batches)
        singles = [event for batch in batches for event in batch][: args.singles]
        sealed, chaining = seal_all(batches)
        sealed_frames, chaining_columns = seal_in_columns(column_batches)
        print(f"{count:,} events in batches of {args.batch_size:,}; {len(singles)} single appends")
        print()
        print("| step | database | seconds | events/s | ratio to the driver's floor |")
        print("|---|---|---:|---:|---:|")
        print(
            f"| seal the chain only (Python, no database) | | {chaining:.2f} | "
            f"{count / chaining:,.0f} | |"
        )
        print(
            f"| seal the chain in columns (seal_columns, no database) | | {chaining_columns:.2f} | "
            f"{count / chaining_columns:,.0f} | |"
        )
        latency_rows = []
        scaled = []
        for database in chosen:
            steps, latencies = measure_database(
                database,
                folder,
                args.postgres,
                (batches, column_batches, sealed, sealed_frames),
                singles,
            )
            floor = steps[0][1]
            steps.append(
                (
                    "the issue's reference rows (3 columns) by the driver alone",
                    reference_in(database, folder, args.postgres, count, args.batch_size),
                )
            )
            for label, seconds in steps:
                print(
                    f"| {label} | {database} | {seconds:.2f} | {count / seconds:,.0f} | "
                    f"{seconds / floor:.2f}× |"
                )
            latency_rows.append(
                (database, statistics.median(latencies), percentile(latencies, 0.99))
            )
            scaled.append((database, dict(steps)[IN_COLUMNS], steps[-1][1]))
        print_scaled_target(scaled, count)
        print()
        print("| single durable append | p50 ms | p99 ms |")
        print("|---|---:|---:|")
        for database, p50, p99 in latency_rows:
            print(f"| {database} | {p50:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()
