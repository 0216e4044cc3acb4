"""Time retention on a large CDR table: Placet's plan and run against the naive way, in the
same run.

    python bench/bench_retention.py [--rows N] [--months M] [--postgres-rows N]
                                    [--no-postgres] [--folder DIR] [--keep]

**Delta.** A synthetic IPKO CDR table of about N rows over M months, in the lake layout
(`month=YYYY-MM/part-<bucket>.parquet`, one file per month and subscriber bucket), made a
Delta table. IPKO keeps traffic data twelve months: the run decides for an instant in the
middle of the last month, so the cutoff falls inside a month, and that one partition must
be rewritten while the older ones go whole. Each step runs in a fresh process, so its peak
memory (VmHWM) is its own:

- plan: the dataset's split (`retention_shape`) and the count of the rows before the
  cutoff in the `DeltaStore`: what `placet retention plan` does for a dataset whose rows
  no subscriber's facts can make due otherwise (the traffic data of subscribers whose
  last contract ended less than 24 months ago);
- run: the `DeltaStore` delete of those rows, and the count that verifies them gone;
- naive: `DeltaTable.delete` with the predicate `start_time < cutoff` over the whole table,
  on a copy of the same table (hard links: Delta never changes a data file in place).

- whole partitions only: the same run with its cutoff moved to the first instant of the
  cutoff's month, so every month it removes goes whole, as a metadata-only commit.

Both tables must hold the same rows afterwards, or the run exits non-zero.

**PostgreSQL** (unless `--no-postgres`): the same CDRs, `--postgres-rows` of them, in a
table with indexes on the number and the time; Placet's plan and run through `SqlStore`,
against the bare `DELETE … WHERE start_time < …` through psycopg on a copy of the table.

Times are printed as markdown tables; nothing asserts on them.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy
from benchlib import (
    POSTGRES_URL,
    copy_cdrs,
    hard_link_copy,
    in_fresh_process,
    machine_line,
    postgres_answers,
    scratch_schema,
)
from deltalake import DeltaTable

from placet.policy import load_policy_set
from placet.policy.model import CategoryId
from placet.retention.spans import retention_shape
from placet.stores.delta_store import DeltaStore
from placet.stores.protocol import Selection, TimePartition
from placet.stores.sql_store import open_sql_store
from placet.synth import EstatePlan, OperatorName, draw_population, index_traffic
from placet.synth.estate import write_lake_table
from placet.synth.traffic import CDRS_PER_SUBSCRIBER

AT = datetime(2026, 5, 16, 12, tzinfo=UTC)
"""The instant decided for: mid-May, so the twelve-month cutoff falls inside May 2025."""
CATEGORIES = (CategoryId("location-data"), CategoryId("mobile-traffic-data"))
PARTITION = TimePartition("month", "start_time", "month")


def plan_for(rows: int, months: int) -> EstatePlan:
    subscribers = max(100, round(rows / (CDRS_PER_SUBSCRIBER * months)))
    return EstatePlan(OperatorName.IPKO, subscribers, months, seed=3)


def cutoff() -> datetime:
    shape = retention_shape(
        load_policy_set("ipko").in_force(AT), "traffic-and-location-data", CATEGORIES, AT
    )
    assert shape.prefix is not None
    return shape.prefix.before


def generate(plan: EstatePlan, out: Path) -> tuple[int, float]:
    """The lake's CDR table, written and made a Delta table (`write_lake_table`)."""
    started = time.perf_counter()
    rows = write_lake_table(index_traffic(draw_population(plan)), out, "cdrs")
    return rows, time.perf_counter() - started


def placet_plan(root: Path) -> dict[str, Any]:
    started = time.perf_counter()
    policy = load_policy_set("ipko").in_force(AT)
    shape = retention_shape(policy, "traffic-and-location-data", CATEGORIES, AT)
    assert shape.prefix is not None
    store = DeltaStore(root, {"cdrs": PARTITION})
    selection = Selection(time_column="start_time", before=shape.prefix.before)
    rows = store.count("cdrs", selection)
    return {"rows": rows, "seconds": time.perf_counter() - started}


def placet_run(root: Path, before: datetime | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    store = DeltaStore(root, {"cdrs": PARTITION})
    selection = Selection(time_column="start_time", before=before or cutoff())
    change = store.delete("cdrs", selection)
    deleted = time.perf_counter() - started
    left = store.count("cdrs", selection)
    return {
        "rows": change.rows,
        "files_removed": change.files_removed,
        "files_rewritten": change.files_rewritten,
        "left": left,
        "delete_seconds": deleted,
        "seconds": time.perf_counter() - started,
    }


def naive_delete(root: Path) -> dict[str, Any]:
    started = time.perf_counter()
    table = DeltaTable(str(root / "cdrs"))
    metrics = table.delete(f"start_time < '{cutoff().isoformat()}'")
    return {
        "rows": metrics["num_deleted_rows"],
        "files_removed": metrics["num_removed_files"],
        "files_added": metrics["num_added_files"],
        "seconds": time.perf_counter() - started,
    }


def table_rows(root: Path) -> int:
    return sum(
        batch.num_rows
        for batch in DeltaTable(str(root / "cdrs")).to_pyarrow_dataset().to_batches(columns=[])
    )


def bench_delta(rows: int, months: int, folder: Path) -> None:
    plan = plan_for(rows, months)
    placet_root, naive_root = folder / "placet" / "lake", folder / "naive" / "lake"
    if not (placet_root / "cdrs" / "_delta_log").is_dir():
        shutil.rmtree(folder / "placet", ignore_errors=True)
        (written, seconds), memory = in_fresh_process(generate, plan, folder / "placet")
        print(f"generated {written:,} CDRs over {months} months in {seconds:.1f} s "
              f"({written / seconds:,.0f} rows/s, peak {memory / 2**20:,.0f} MiB)")  # fmt: skip
    shutil.rmtree(folder / "naive", ignore_errors=True)
    pristine = folder / "pristine" / "lake"
    if not pristine.is_dir():
        hard_link_copy(placet_root, pristine)
    shutil.rmtree(folder / "placet", ignore_errors=True)
    hard_link_copy(pristine, placet_root)
    hard_link_copy(pristine, naive_root)
    boundary_root = folder / "boundary" / "lake"
    shutil.rmtree(folder / "boundary", ignore_errors=True)
    hard_link_copy(pristine, boundary_root)
    total = table_rows(placet_root)
    files = sum(1 for _ in (placet_root / "cdrs").rglob("*.parquet"))
    print(f"table: {total:,} rows in {files} files; cutoff {cutoff().isoformat()}")

    planned, plan_memory = in_fresh_process(placet_plan, placet_root)
    ran, run_memory = in_fresh_process(placet_run, placet_root)
    naive, naive_memory = in_fresh_process(naive_delete, naive_root)
    month_start = cutoff().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    whole, whole_memory = in_fresh_process(placet_run, boundary_root, month_start)
    left, naive_left = table_rows(placet_root), table_rows(naive_root)
    if not (planned["rows"] == ran["rows"] == naive["rows"] and left == naive_left):
        sys.exit(f"the tables disagree: plan {planned}, run {ran}, naive {naive}")
    if ran["left"] != 0:
        sys.exit(f"{ran['left']} rows still selected after the run")
    print()
    print("| step | seconds | rows | files dropped whole | files rewritten | peak memory |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| Placet plan | {planned['seconds']:.2f} | {planned['rows']:,} | | | "
          f"{plan_memory / 2**20:,.0f} MiB |")  # fmt: skip
    print(f"| Placet run (delete {ran['delete_seconds']:.2f} s + verify) | {ran['seconds']:.2f} "
          f"| {ran['rows']:,} | {ran['files_removed']} | {ran['files_rewritten']} | "
          f"{run_memory / 2**20:,.0f} MiB |")  # fmt: skip
    print(f"| Placet run to the month's start (whole partitions only) | {whole['seconds']:.2f} "
          f"| {whole['rows']:,} | {whole['files_removed']} | {whole['files_rewritten']} | "
          f"{whole_memory / 2**20:,.0f} MiB |")  # fmt: skip
    print(f"| naive predicate delete | {naive['seconds']:.2f} | {naive['rows']:,} | | "
          f"{naive['files_added']} added, {naive['files_removed']} removed | "
          f"{naive_memory / 2**20:,.0f} MiB |")  # fmt: skip
    print(f"\nnaive delete / Placet run: {naive['seconds'] / ran['seconds']:.2f}; "
          f"{left:,} rows left in both tables")  # fmt: skip


def load_postgres(plan: EstatePlan, url: str, rows: int) -> int:
    """The plan's CDRs (up to `rows`) into `cdrs` and, as a copy, `cdrs_naive`."""
    loaded = copy_cdrs(url, plan, rows)
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        # Both tables are made the same way from the loaded rows, so neither starts in a
        # state (hint bits, cache) the other does not share.
        for table in ("cdrs", "cdrs_naive"):
            connection.execute(sqlalchemy.text(f"CREATE TABLE {table} AS SELECT * FROM cdrs_load"))
            connection.execute(sqlalchemy.text(f"CREATE INDEX ON {table} (start_time)"))
            connection.execute(sqlalchemy.text(f"CREATE INDEX ON {table} (a_number)"))
        connection.execute(sqlalchemy.text("DROP TABLE cdrs_load"))
        # No autovacuum during the measures: it would start on the first table's dead rows
        # while the second is being deleted from.
        for table in ("cdrs", "cdrs_naive"):
            connection.execute(
                sqlalchemy.text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            )
        connection.execute(sqlalchemy.text("ANALYZE cdrs"))
        connection.execute(sqlalchemy.text("ANALYZE cdrs_naive"))
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(sqlalchemy.text("VACUUM (FREEZE) cdrs"))
        connection.execute(sqlalchemy.text("VACUUM (FREEZE) cdrs_naive"))
        connection.execute(sqlalchemy.text("CHECKPOINT"))
    engine.dispose()
    return loaded


def postgres_plan(url: str) -> dict[str, Any]:
    started = time.perf_counter()
    store = open_sql_store(url)
    rows = store.count("cdrs", Selection(time_column="start_time", before=cutoff()))
    store.close()
    return {"rows": rows, "seconds": time.perf_counter() - started}


def postgres_run(url: str) -> dict[str, Any]:
    started = time.perf_counter()
    store = open_sql_store(url)
    selection = Selection(time_column="start_time", before=cutoff())
    change = store.delete("cdrs", selection)
    deleted = time.perf_counter() - started
    left = store.count("cdrs", selection)
    store.close()
    return {
        "rows": change.rows,
        "left": left,
        "delete_seconds": deleted,
        "seconds": time.perf_counter() - started,
    }


def postgres_bare(url: str) -> dict[str, Any]:
    engine = sqlalchemy.create_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        deleted = connection.execute(
            sqlalchemy.text("DELETE FROM cdrs_naive WHERE start_time < :cutoff"),
            {"cutoff": cutoff()},
        ).rowcount
    engine.dispose()
    return {"rows": deleted, "seconds": time.perf_counter() - started}


def bench_postgres(rows: int, months: int) -> None:
    if not postgres_answers(POSTGRES_URL):
        print(f"PostgreSQL left out: no server answers at {POSTGRES_URL}")
        return
    with scratch_schema(POSTGRES_URL) as url:
        started = time.perf_counter()
        loaded = load_postgres(plan_for(rows * 5 // 4, months), url, rows)
        print(f"\nPostgreSQL: loaded {loaded:,} CDRs (and a copy) with indexes on the number "
              f"and the time in {time.perf_counter() - started:.0f} s")  # fmt: skip
        # The bare delete goes first: the table it deletes from was written last, so the
        # order gives the baseline no warmer cache than Placet's.
        bare, _ = in_fresh_process(postgres_bare, url)
        planned, plan_memory = in_fresh_process(postgres_plan, url)
        ran, run_memory = in_fresh_process(postgres_run, url)
        if not (planned["rows"] == ran["rows"] == bare["rows"]) or ran["left"]:
            sys.exit(f"PostgreSQL disagrees: plan {planned}, run {ran}, bare {bare}")
        print()
        print("| PostgreSQL step | seconds | rows | peak memory |")
        print("|---|---:|---:|---:|")
        print(f"| Placet plan | {planned['seconds']:.2f} | {planned['rows']:,} | "
              f"{plan_memory / 2**20:,.0f} MiB |")  # fmt: skip
        print(f"| Placet run (delete {ran['delete_seconds']:.2f} s + verify) | "
              f"{ran['seconds']:.2f} | {ran['rows']:,} | "
              f"{run_memory / 2**20:,.0f} MiB |")  # fmt: skip
        print(f"| bare DELETE through psycopg | {bare['seconds']:.2f} | {bare['rows']:,} | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--postgres-rows", type=int, default=10_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--folder", type=Path, help="where the tables go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the tables afterwards")
    arguments = parser.parse_args()
    import deltalake
    import polars

    print(machine_line(f"deltalake {deltalake.__version__}", f"polars {polars.__version__}"))
    folder = arguments.folder or Path(tempfile.mkdtemp(prefix="placet-retention-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        bench_delta(arguments.rows, arguments.months, folder)
        if not arguments.no_postgres:
            bench_postgres(arguments.postgres_rows, arguments.months)
    finally:
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
