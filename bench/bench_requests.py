"""Time one subscriber's access request and erasure on a large CDR table: the clustered lake
layout against the bucketed one, and PostgreSQL against the row-by-row way, in the same run.

    python bench/bench_requests.py [--rows N] [--months M] [--file-rows N]
                                   [--row-group-rows N] [--postgres-rows N]
                                   [--subject-rows N] [--no-postgres]
                                   [--folder DIR] [--reuse] [--keep]
    python bench/bench_requests.py --smoke        # seconds: the test suite runs this

**Delta.** A synthetic IPKO CDR table of about N rows over M months is written twice, the
same rows, each made a Delta table partitioned by month (`placet.synth.LakeLayout`):

- bucketed (the naive layout): a file a month and subscriber bucket, about four million
  CDRs a file, rows in the order they were drawn (not sorted by number);
- clustered: each month sorted by the A-number, files of about `--file-rows` rows and row
  groups of about `--row-group-rows`, each cut where one number's rows end.

The subscriber is one with an average number of CDRs, found through the numbers they held,
each while they held it (`msisdn_assignments`' windows, as `find_subject_data` makes
them). Each step runs in a fresh process (its peak memory, VmHWM, its own), the bucketed
and the clustered table one after the other:

- access, own rows: `DeltaStore.find` of the subscriber's selection (key windows on
  `a_number`), every batch read, as an access answer reads them; timed twice in the
  process: the first request, then the same again (warm);
- access, other party: the same windows on `b_number` (the calls the subscriber
  received), which a sort by the A-number cannot prune;
- access, calls received from the terminating records (`cdrs_terminating`, written with the
  clustered table, sorted by the B-number): the same windows on its `b_number`, which is
  how `find_subject_data` finds them when the data map names the table (`found_in`);
- erasure, logical phase, on a hard-linked copy of the table: the count `erase_subject`
  makes first, `DeltaStore.delete` (a merge with the key windows), and the count that
  verifies none is left; the table's purge is not part of it;
- reference: `DeltaTable.delete("a_number IN (…)")`, delta-rs's own predicate delete of
  the numbers (without windows), on another copy.

**PostgreSQL** (unless `--no-postgres`): `--postgres-rows` CDRs in a table with a primary
key and an index on `(a_number, start_time)`, one subscriber holding `--subject-rows` of
them. Access is `SqlStore.find` (a server-side cursor, streamed in batches) against a bare
psycopg read of the same rows; erasure is `SqlStore.delete` (one statement) and its
verifying count, against the row-by-row way on a copy of the table made alike: the rows'
ids read, then one `UPDATE … SET a_number = NULL, b_number = NULL, cell_id = NULL WHERE
id = %s` per row, each committed on its own, as the best-known open-source peer masks a
row. When the first `--rowwise-sample` rows show the loop would take over two minutes, the
rest is not run: its time is the sample's scaled, and the table says so.

Times are printed as markdown tables; nothing asserts on them. The run exits non-zero if a
layout finds other rows than the other, or if rows are left after an erasure.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
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

from placet.stores.delta_store import DeltaStore
from placet.stores.protocol import Selection, TimePartition, key_windows
from placet.stores.sql_store import open_sql_store
from placet.synth import (
    EstatePlan,
    LakeLayout,
    LayoutKind,
    OperatorName,
    draw_population,
    index_traffic,
    write_lake_table,
)
from placet.synth.people import OPEN
from placet.synth.traffic import CDRS_PER_MONTH, CDRS_PER_SUBSCRIBER, TERMINATING_CDRS

PARTITION = TimePartition("month", "start_time")
SEED = 3
ROWS_DRAWN = 0.9
"""CDRs drawn per CDR the subscriber count aims at (contracts end, lines start late)."""
MONTH_US = 30.436875 * 86_400_000_000
TABLES = {
    LayoutKind.BUCKETED: ("cdrs",),
    LayoutKind.CLUSTERED: ("cdrs", TERMINATING_CDRS),
}
"""The tables written in each layout: the terminating records with the recommended one."""
SUBJECT_NUMBER = "+38347000001"
"""The PostgreSQL subscriber's number: outside IPKO's ranges, so no one else held it."""
ROWWISE_LIMIT_S = 120.0


def plan_for(rows: int, months: int) -> EstatePlan:
    subscribers = max(100, round(rows / (CDRS_PER_SUBSCRIBER * months * ROWS_DRAWN)))
    return EstatePlan(OperatorName.IPKO, subscribers, months, seed=SEED)


def layouts(file_rows: int, row_group_rows: int) -> dict[str, LakeLayout]:
    return {
        "bucketed": LakeLayout(LayoutKind.BUCKETED),
        "clustered": LakeLayout(
            LayoutKind.CLUSTERED, file_rows=file_rows, row_group_rows=row_group_rows
        ),
    }


# ---------------------------------------------------------------- the lake


def generate(
    plan: EstatePlan, out: Path, layout: LakeLayout, tables: tuple[str, ...]
) -> dict[str, Any]:
    """The CDR tables written in `layout`, each made a Delta table."""
    index = index_traffic(draw_population(plan))
    result = {}
    for table in tables:
        started = time.perf_counter()
        rows = write_lake_table(index, out, table, layout=layout)
        result[table] = {"rows": rows, "seconds": time.perf_counter() - started}
    return result


def table_facts(root: Path, table: str = "cdrs") -> dict[str, Any]:
    files = sorted((root / table).rglob("*.parquet"))
    groups = sum(pq.ParquetFile(path).metadata.num_row_groups for path in files)
    return {
        "files": len(files),
        "row_groups": groups,
        "bytes": sum(path.stat().st_size for path in files),
    }


def average_subscriber(plan: EstatePlan) -> tuple[str, pa.Table, float]:
    """The subscriber whose expected CDRs over the traffic months are nearest the mean of
    those with any; their key windows (each number they held, while they held it); and
    that expected count."""
    population = draw_population(plan)
    start, now = plan.traffic_start_us, plan.now_us
    held_until = population.held_until(np.arange(population.contracts))
    overlap = np.clip(held_until, start, now) - np.clip(population.contract_started, start, now)
    expected = CDRS_PER_MONTH * population.contract_activity * np.maximum(overlap, 0) / MONTH_US
    per_subscriber = np.bincount(
        population.contract_subscriber, weights=expected, minlength=population.subscribers
    )
    active = np.flatnonzero(per_subscriber > 0)
    mean = per_subscriber[active].mean()
    chosen = int(active[np.argmin(np.abs(per_subscriber[active] - mean))])
    contracts = np.flatnonzero(population.contract_subscriber == chosen)
    numbers = population.numbers.take(pa.array(population.contract_number[contracts]))
    ended = population.contract_ended[contracts]
    windows = key_windows(
        numbers.to_pylist(),
        [_instant(value) for value in population.contract_started[contracts]],
        [None if value == OPEN else _instant(value) for value in ended],
    )
    return f"C{chosen:09d}", windows, float(per_subscriber[chosen])


def _instant(microseconds: int) -> datetime:
    return datetime.fromtimestamp(int(microseconds) / 1_000_000, tz=UTC)


def access(root: Path, windows: pa.Table, column: str, table: str = "cdrs") -> dict[str, Any]:
    """Every row `find` gives for the windows on `column` of `table`, twice: the first
    request of the process, then the same again."""
    selection = Selection(time_column="start_time", key_column=column, windows=windows)
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        store = DeltaStore(root, {table: PARTITION})
        batches = store.find(table, selection)
        rows = sum(batch.num_rows for batch in batches)
        timings.append(time.perf_counter() - started)
    return {"rows": rows, "seconds": timings[0], "again": timings[1]}


def erase(root: Path, windows: pa.Table) -> dict[str, Any]:
    """The logical phase of `erase_subject` on one dataset: count, delete, verify."""
    selection = Selection(time_column="start_time", key_column="a_number", windows=windows)
    started = time.perf_counter()
    store = DeltaStore(root, {"cdrs": PARTITION})
    counted = store.count("cdrs", selection)
    after_count = time.perf_counter()
    change = store.delete("cdrs", selection)
    after_delete = time.perf_counter()
    left = store.count("cdrs", selection)
    ended = time.perf_counter()
    return {
        "rows": change.rows,
        "counted": counted,
        "left": left,
        "files_rewritten": change.files_rewritten,
        "count_seconds": after_count - started,
        "delete_seconds": after_delete - after_count,
        "verify_seconds": ended - after_delete,
        "seconds": ended - started,
    }


def predicate_delete(root: Path, windows: pa.Table) -> dict[str, Any]:
    """delta-rs's own delete of the subscriber's numbers, by predicate (no windows)."""
    numbers = ", ".join(f"'{number}'" for number in sorted(set(windows["key"].to_pylist())))
    started = time.perf_counter()
    metrics = DeltaTable(str(root / "cdrs")).delete(f"a_number IN ({numbers})")
    return {
        "rows": metrics["num_deleted_rows"],
        "files_rewritten": metrics["num_removed_files"],
        "seconds": time.perf_counter() - started,
    }


def prepared_tables(
    plan: EstatePlan, folder: Path, chosen: dict[str, LakeLayout], *, reuse: bool
) -> dict[str, Path]:
    """Each layout's pristine table, written unless `reuse` finds it written by the same
    plan and layout (`written.json`)."""
    roots = {}
    for name, layout in chosen.items():
        home = folder / name
        tables = TABLES[layout.kind]
        marker = {"plan": repr(plan), "layout": asdict(layout), "tables": tables}
        recorded = home / "written.json"
        root = home / "pristine"
        if reuse and recorded.is_file() and json.loads(recorded.read_text()) == _jsonable(marker):
            print(f"{name}: reusing {root}")
        else:
            shutil.rmtree(home, ignore_errors=True)
            written, memory = in_fresh_process(generate, plan, root, layout, tables)
            # write_lake_table writes under <out>/lake/<table>; each is moved up a level.
            for table in tables:
                (root / "lake" / table).rename(root / table)
            (root / "lake").rmdir()
            recorded.write_text(json.dumps(_jsonable(marker)))
            for table, result in written.items():
                print(f"{name}: generated {result['rows']:,} rows of {table} in "
                      f"{result['seconds']:.1f} s ({result['rows'] / result['seconds']:,.0f} "
                      f"rows/s)")  # fmt: skip
            print(f"{name}: peak {memory / 2**20:,.0f} MiB")
        roots[name] = root
    return roots


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def bench_delta(args: argparse.Namespace, folder: Path) -> None:
    plan = plan_for(args.rows, args.months)
    chosen = layouts(args.file_rows, args.row_group_rows)
    roots = prepared_tables(plan, folder, chosen, reuse=args.reuse)
    subscriber, windows, expected = average_subscriber(plan)
    print()
    print("| layout | rows | files | row groups | MiB | layout |")
    print("|---|---:|---:|---:|---:|---|")
    for name, root in roots.items():
        facts = table_facts(root)
        rows = sum(b.num_rows for b in DeltaTable(str(root / "cdrs")).to_pyarrow_dataset()
                   .to_batches(columns=[]))  # fmt: skip
        print(f"| {name} | {rows:,} | {facts['files']:,} | {facts['row_groups']:,} | "
              f"{facts['bytes'] / 2**20:,.0f} | {chosen[name].describe()} |")  # fmt: skip
    print(f"\nsubscriber {subscriber}: {len(windows)} number(s) held "
          f"({', '.join(sorted(set(windows['key'].to_pylist())))}), "
          f"about {expected:,.0f} CDRs expected")  # fmt: skip

    results: dict[str, dict[str, tuple[dict[str, Any], int]]] = {name: {} for name in roots}
    for name, root in roots.items():
        results[name]["own"] = in_fresh_process(access, root, windows, "a_number")
    for name, root in roots.items():
        results[name]["other"] = in_fresh_process(access, root, windows, "b_number")
    received = {
        name: in_fresh_process(access, root, windows, "b_number", TERMINATING_CDRS)
        for name, root in roots.items()
        if TERMINATING_CDRS in TABLES[chosen[name].kind]
    }
    for name, root in roots.items():
        copy = folder / name / "erased"
        hard_link_copy(root, copy)
        results[name]["erase"] = in_fresh_process(erase, copy, windows)
    for name, root in roots.items():
        copy = folder / name / "predicate"
        hard_link_copy(root, copy)
        results[name]["predicate"] = in_fresh_process(predicate_delete, copy, windows)

    print()
    print("| step | layout | s (first) | s (again) | rows | files rewritten | peak memory |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for step, label in (("own", "access: own rows (a_number)"),
                        ("other", "access: as the other party (b_number)")):  # fmt: skip
        for name in roots:
            found, memory = results[name][step]
            print(f"| {label} | {name} | {found['seconds']:.3f} | {found['again']:.3f} | "
                  f"{found['rows']:,} | | {memory / 2**20:,.0f} MiB |")  # fmt: skip
    for name, (found, memory) in received.items():
        print(f"| access: calls received, from `{TERMINATING_CDRS}` (b_number) | {name} | "
              f"{found['seconds']:.3f} | {found['again']:.3f} | {found['rows']:,} | | "
              f"{memory / 2**20:,.0f} MiB |")  # fmt: skip
    for name in roots:
        erased, memory = results[name]["erase"]
        print(f"| erasure, logical phase: count {erased['count_seconds']:.2f} s + delete "
              f"{erased['delete_seconds']:.2f} s + verify {erased['verify_seconds']:.2f} s | "
              f"{name} | {erased['seconds']:.2f} | | {erased['rows']:,} | "
              f"{erased['files_rewritten']} | {memory / 2**20:,.0f} MiB |")  # fmt: skip
    for name in roots:
        deleted, memory = results[name]["predicate"]
        print(f"| reference: delta-rs `delete(\"a_number IN (…)\")` | {name} | "
              f"{deleted['seconds']:.2f} | | {deleted['rows']:,} | {deleted['files_rewritten']} "
              f"| {memory / 2**20:,.0f} MiB |")  # fmt: skip

    own = {results[name]["own"][0]["rows"] for name in roots}
    other = {results[name]["other"][0]["rows"] for name in roots}
    erased_rows = {results[name]["erase"][0]["rows"] for name in roots}
    left = [results[name]["erase"][0]["left"] for name in roots]
    same_received = {found["rows"] for found, _ in received.values()} <= other
    print()
    print(f"check: both layouts find the same own rows: {'yes' if len(own) == 1 else 'NO'}; "
          f"the same other-party rows: {'yes' if len(other) == 1 else 'NO'}; "
          f"the terminating records the same calls received: "
          f"{'yes' if same_received else 'NO'}; "
          f"erase them: {'yes' if erased_rows == own else 'NO'}; "
          f"none left: {'yes' if not any(left) else 'NO'}")  # fmt: skip
    if len(own) != 1 or len(other) != 1 or not same_received or erased_rows != own or any(left):
        sys.exit(1)


# ---------------------------------------------------------------- PostgreSQL


POSTGRES_TABLES = {
    "cdrs_heap": "in arrival order (as loaded: month after month)",
    "cdrs_clustered": "clustered by (a_number, start_time) (`CLUSTER … USING` the index)",
    "cdrs_rowwise": "clustered, as `cdrs_clustered`",
}
"""The PostgreSQL tables, each made from the same loaded rows: two layouts for Placet, and
a copy of the clustered one for the row-by-row way."""


def load_postgres(plan: EstatePlan, url: str, rows: int, subject_rows: int) -> int:
    """The plan's CDRs (up to `rows`), every (rows // subject_rows)-th given the subject's
    number, into each of `POSTGRES_TABLES`, with a primary key and an index on
    (a_number, start_time)."""
    step = max(1, rows // subject_rows)

    def one_subscriber_in_every_step(
        columns: dict[str, pa.Array], first: int
    ) -> dict[str, pa.Array]:
        positions = np.arange(first, first + len(columns["a_number"]))
        subject = pa.array(positions % step == 0)
        return {**columns, "a_number": pc.if_else(subject, SUBJECT_NUMBER, columns["a_number"])}

    loaded = copy_cdrs(url, plan, rows, adjust=one_subscriber_in_every_step)
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        for table in POSTGRES_TABLES:
            connection.execute(sqlalchemy.text(
                f"CREATE TABLE {table} AS SELECT row_number() OVER () AS id, * FROM cdrs_load"
            ))  # fmt: skip
            connection.execute(sqlalchemy.text(f"ALTER TABLE {table} ADD PRIMARY KEY (id)"))
            connection.execute(sqlalchemy.text(
                f"CREATE INDEX {table}_number ON {table} (a_number, start_time)"
            ))  # fmt: skip
            # No autovacuum during the measures: it would start on one table's dead rows
            # while another is being changed.
            connection.execute(
                sqlalchemy.text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            )
            if table != "cdrs_heap":
                connection.execute(sqlalchemy.text(f"CLUSTER {table} USING {table}_number"))
        connection.execute(sqlalchemy.text("DROP TABLE cdrs_load"))
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in POSTGRES_TABLES:
            connection.execute(sqlalchemy.text(f"VACUUM (FREEZE, ANALYZE) {table}"))
        connection.execute(sqlalchemy.text("CHECKPOINT"))
    engine.dispose()
    return loaded


def _subject_selection() -> Selection:
    return Selection(
        time_column="start_time", key_column="a_number", windows=key_windows([SUBJECT_NUMBER])
    )


def postgres_find(url: str, table: str) -> dict[str, Any]:
    started = time.perf_counter()
    store = open_sql_store(url)
    rows = sum(batch.num_rows for batch in store.find(table, _subject_selection()))
    store.close()
    return {"rows": rows, "seconds": time.perf_counter() - started}


def postgres_bare_read(url: str, table: str) -> dict[str, Any]:
    """The floor: psycopg reading the same rows through a server-side cursor."""
    import psycopg

    started = time.perf_counter()
    rows = 0
    with (
        psycopg.connect(_psycopg_url(url)) as connection,
        connection.cursor(name="bench") as cursor,
    ):
        cursor.execute(
            "SELECT id, a_number, b_number, start_time, duration_s, service, cell_id "
            f"FROM {table} WHERE a_number = %s",
            (SUBJECT_NUMBER,),
        )
        while batch := cursor.fetchmany(10_000):
            rows += len(batch)
    return {"rows": rows, "seconds": time.perf_counter() - started}


def postgres_erase(url: str, table: str) -> dict[str, Any]:
    """The logical phase of `erase_subject` on one table: count, delete, verify."""
    started = time.perf_counter()
    store = open_sql_store(url)
    counted = store.count(table, _subject_selection())
    after_count = time.perf_counter()
    change = store.delete(table, _subject_selection())
    after_delete = time.perf_counter()
    left = store.count(table, _subject_selection())
    store.close()
    ended = time.perf_counter()
    return {
        "rows": change.rows,
        "counted": counted,
        "left": left,
        "count_seconds": after_count - started,
        "delete_seconds": after_delete - after_count,
        "verify_seconds": ended - after_delete,
        "seconds": ended - started,
    }


def postgres_rowwise(url: str, sample: int) -> dict[str, Any]:
    """The row-by-row way: the rows' ids read, then one UPDATE per row, each committed on
    its own; stopped after `sample` rows when the whole would take over two minutes."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(_psycopg_url(url), autocommit=True) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM cdrs_rowwise WHERE a_number = %s", (SUBJECT_NUMBER,)
            )
        ]
        done = 0
        for row_id in ids:
            connection.execute(
                "UPDATE cdrs_rowwise SET a_number = NULL, b_number = NULL, cell_id = NULL "
                "WHERE id = %s",
                (row_id,),
            )
            done += 1
            if done == sample:
                elapsed = time.perf_counter() - started
                if elapsed * len(ids) / sample > ROWWISE_LIMIT_S:
                    break
        elapsed = time.perf_counter() - started
    scaled = elapsed * len(ids) / done if done else 0.0
    return {"rows": len(ids), "done": done, "seconds": elapsed, "scaled": scaled}


def _psycopg_url(url: str) -> str:
    return (
        sqlalchemy.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def bench_postgres(args: argparse.Namespace) -> None:
    if not postgres_answers(POSTGRES_URL):
        print(f"\nPostgreSQL left out: no server answers at {POSTGRES_URL}")
        return
    with scratch_schema(POSTGRES_URL) as url:
        started = time.perf_counter()
        plan = plan_for(args.postgres_rows * 5 // 4, args.months)
        loaded = load_postgres(plan, url, args.postgres_rows, args.subject_rows)
        print(f"\nPostgreSQL: {loaded:,} CDRs loaded into each of {len(POSTGRES_TABLES)} tables "
              f"(primary key, index on (a_number, start_time)) in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        for table, layout in POSTGRES_TABLES.items():
            print(f"- `{table}`: {layout}")
        steps: list[tuple[str, str, dict[str, Any], int]] = []
        for table in ("cdrs_heap", "cdrs_clustered"):
            found, memory = in_fresh_process(postgres_find, url, table)
            steps.append(("access: `SqlStore.find`, streamed", table, found, memory))
        bare, memory = in_fresh_process(postgres_bare_read, url, "cdrs_rowwise")
        steps.append(("access: bare psycopg read, server-side cursor (floor)", "cdrs_rowwise",
                      bare, memory))  # fmt: skip
        erased = {}
        for table in ("cdrs_heap", "cdrs_clustered"):
            erased[table], memory = in_fresh_process(postgres_erase, url, table)
            done = erased[table]
            label = (f"erasure: count {done['count_seconds']:.2f} s + `SqlStore.delete` "
                     f"{done['delete_seconds']:.2f} s + verify "
                     f"{done['verify_seconds']:.2f} s")  # fmt: skip
            steps.append((label, table, done, memory))
        rowwise, memory = in_fresh_process(postgres_rowwise, url, args.rowwise_sample)
        if rowwise["done"] == rowwise["rows"]:
            note, rowwise_seconds = "all rows", rowwise["seconds"]
        else:
            note = (f"{rowwise['done']:,} rows in {rowwise['seconds']:.1f} s, scaled to "
                    f"{rowwise['rows']:,}")  # fmt: skip
            rowwise_seconds = rowwise["scaled"]
        steps.append((f"erasure, row by row: one UPDATE per row by id, each committed ({note})",
                      "cdrs_rowwise", {**rowwise, "seconds": rowwise_seconds}, memory))  # fmt: skip
        print()
        print("| PostgreSQL step | table | s | rows | peak memory |")
        print("|---|---|---:|---:|---:|")
        for label, table, result, memory in steps:
            print(f"| {label} | {table} | {result['seconds']:.2f} | {result['rows']:,} | "
                  f"{memory / 2**20:,.0f} MiB |")  # fmt: skip
        best = erased["cdrs_clustered"]["seconds"]
        print(
            f"\nrow by row / Placet erasure on the clustered table: {rowwise_seconds / best:,.0f}×"
        )
        counts = {result["rows"] for _, _, result, _ in steps}
        left = [done["left"] for done in erased.values()]
        print(f"check: every way finds the subscriber's {bare['rows']:,} rows: "
              f"{'yes' if len(counts) == 1 else 'NO'}; none left after the erasures: "
              f"{'yes' if not any(left) else 'NO'}")  # fmt: skip
        if len(counts) != 1 or any(left):
            sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000_000, help="about how many CDRs")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--file-rows", type=int, default=LakeLayout().file_rows)
    parser.add_argument("--row-group-rows", type=int, default=LakeLayout().row_group_rows)
    parser.add_argument("--postgres-rows", type=int, default=10_000_000)
    parser.add_argument("--subject-rows", type=int, default=100_000)
    parser.add_argument("--rowwise-sample", type=int, default=5_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-delta", action="store_true", help="the PostgreSQL part only")
    parser.add_argument("--folder", type=Path, help="where the tables go (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse tables written before")
    parser.add_argument("--keep", action="store_true", help="keep the tables afterwards")
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for the test suite")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.months, args.file_rows, args.row_group_rows = 300_000, 3, 20_000, 2_000
        args.postgres_rows, args.subject_rows, args.rowwise_sample = 20_000, 500, 100
    import deltalake
    import polars

    print(machine_line(f"deltalake {deltalake.__version__}", f"pyarrow {pa.__version__}",
                       f"polars {polars.__version__}"))  # fmt: skip
    print(f"command: python bench/bench_requests.py {' '.join(sys.argv[1:])}")
    folder = args.folder or Path(tempfile.mkdtemp(prefix="placet-requests-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not args.no_delta:
            bench_delta(args, folder)
        if not args.no_postgres:
            bench_postgres(args)
    finally:
        if not args.keep and args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
