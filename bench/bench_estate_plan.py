"""Time the retention plan of a whole estate with its ledger, against one bare count per
dataset, in the same run.

    python bench/bench_estate_plan.py [--subscribers N] [--months M] [--at INSTANT]
                                      [--repeat R] [--folder DIR] [--reuse] [--keep]
    python bench/bench_estate_plan.py --smoke        # seconds: the test suite runs this

A synthetic IPKO estate is written first, outside every clock, as `placet synth
--subscribers N --months M --ledger` writes it: the SQL tables in SQLite, the lake (Delta
and Parquet), and the ledger (`placet.db`, SQLite) holding the estate's history and its
consent history, subjects named under a fixed benchmark key.

Then, each in a fresh process (so that its peak memory, VmHWM, is its own), with the
stores, the ledger and the retention book opened outside the clock:

- the baseline: for every dataset of `examples/datamap/ipko.yaml`, the bare count of its
  time prefix in its store (`store.count` of the rows before the cutoff of the dataset's
  dated rules, `retention_shape(...).prefix`) or, for a dataset without one, of all its
  rows: the least a plan must ask of the stores;
- placet: `plan_estate` over the whole estate, as `placet retention plan MAP --estate DIR
  --at INSTANT` runs it (the ledger's facts, the legal holds of the retention book).

Each is run `--repeat` times; the table shows the fastest run of each (the machine may be
shared), its CPU time (all of the process's threads) and its ratio. The plan must count
every dataset's rows as the baseline does, and each time-prefix step the rows the
baseline's prefix count found, or the run exits non-zero. Nothing asserts on the times.
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

import polars
import pyarrow
from benchlib import in_fresh_process, machine_line

from placet.datamap import SystemKind, load_datamap
from placet.datamap.scan import system_locations
from placet.ledger import PseudonymKey
from placet.operations import EstateStores, plan_estate
from placet.policy import load_policy_set
from placet.policy.model import CategoryId
from placet.retention.spans import retention_shape
from placet.stores.connect import open_stores
from placet.stores.consent_import import import_consent_history
from placet.stores.protocol import Selection
from placet.stores.sql_ledger import open_ledger
from placet.stores.sql_retention import open_retention_book
from placet.synth import CONSENT_HISTORY_FILE, EstatePlan, OperatorName, write_estate
from placet.synth.history import record_estate_history

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "examples" / "datamap" / "ipko.yaml"
KEY = PseudonymKey(bytes(range(32)))
"""The benchmark's pseudonym key; never a production key."""
AT = datetime(2026, 12, 1, tzinfo=UTC)
"""Six months after the estate's now: contracts have ended since, none of its traffic data
is twelve months old yet."""
FULL_ESTATE = 1_500_000
"""Subscribers of an estate with about 100 million CDRs (about 70 a subscriber a month)."""


# ---------------------------------------------------------------- the estate


def synthesise(folder: Path, subscribers: int, months: int) -> dict[str, Any]:
    """The estate under `folder/estate` and its ledger `folder/placet.db`, as `placet synth
    --ledger` writes them; what was written."""
    plan = EstatePlan(OperatorName.IPKO, subscribers, months, seed=1)
    started = time.perf_counter()
    report = write_estate(plan, folder / "estate")
    written = time.perf_counter() - started
    ledger = open_ledger(f"sqlite:///{folder / 'placet.db'}")
    history = record_estate_history(ledger, plan, KEY, recorded_at=plan.now)
    consents = import_consent_history(
        ledger,
        folder / "estate" / CONSENT_HISTORY_FILE,
        policies=load_policy_set("ipko"),
        key=KEY,
        recorded_at=plan.now,
    )
    ledger.engine.dispose()
    sql = sum(table.rows for table in report.tables if table.where == "sql")
    lake = sum(table.rows for table in report.tables if table.where == "lake")
    return {
        "sql_rows": sql,
        "lake_rows": lake,
        "events": history.events + consents.imported,
        "estate_seconds": written,
        "seconds": time.perf_counter() - started,
    }


class _Opened:
    """The estate's stores, ledger and retention book, opened as the CLI opens them."""

    def __init__(self, folder: Path) -> None:
        self.datamap = load_datamap(MAP)
        estate = folder / "estate"
        overrides = {
            system.id: f"sqlite:///{estate / 'estate.db'}"
            if system.kind is SystemKind.SQL
            else str(estate / "lake")
            for system in self.datamap.systems
        }
        self.stores = open_stores(self.datamap, system_locations(self.datamap, overrides, {}))
        self.ledger = open_ledger(f"sqlite:///{folder / 'placet.db'}")
        self.book = open_retention_book(f"sqlite:///{folder / 'placet.db'}")
        self.policy = load_policy_set(self.datamap.policy).in_force(AT)

    def close(self) -> None:
        for store in self.stores.values():
            store.close()
        self.ledger.engine.dispose()
        self.book.engine.dispose()


# ---------------------------------------------------------------- the measured steps


def bare_counts(folder: Path, at: datetime) -> dict[str, Any]:
    """One `store.count` per dataset: its time prefix, or all its rows."""
    opened = _Opened(folder)
    estate = EstateStores(opened.datamap, opened.stores)
    started, cpu = time.perf_counter(), time.process_time()
    counted: dict[str, tuple[int, int | None]] = {}
    for _, _, dataset, store in estate.located():
        categories = tuple(sorted({CategoryId(c.category) for c in dataset.columns.values()}))
        shape = retention_shape(opened.policy, dataset.record_type, categories, at)
        if dataset.time_column is not None and shape.prefix is not None and not shape.every_row:
            prefix = Selection(time_column=dataset.time_column, before=shape.prefix.before)
            counted[dataset.id] = (-1, store.count(dataset.location, prefix))
        else:
            counted[dataset.id] = (store.count(dataset.location, Selection()), None)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # Outside the clock: every dataset's rows, for the check against the plan.
    for _, _, dataset, store in estate.located():
        rows, prefix_rows = counted[dataset.id]
        if rows < 0:
            counted[dataset.id] = (store.count(dataset.location, Selection()), prefix_rows)
    opened.close()
    return {"seconds": seconds, "cpu": cpu, "counted": counted}


def placet_plan(folder: Path, at: datetime) -> dict[str, Any]:
    """`plan_estate` as `placet retention plan` runs it."""
    opened = _Opened(folder)
    estate = EstateStores(opened.datamap, opened.stores)
    holds = opened.book.holds()
    started, cpu = time.perf_counter(), time.process_time()
    planned = plan_estate(estate, opened.policy, opened.ledger, KEY, at=at, holds=holds)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    opened.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "acts_on": planned.acts_on,
        "datasets": {
            dataset.dataset: {
                "rows": dataset.rows,
                "steps": [
                    (step.action.value, step.shape, step.rows, step.windows)
                    for step in dataset.steps
                ],
            }
            for dataset in planned.datasets
        },
    }


# ---------------------------------------------------------------- running them


def fastest(step: Any, repeat: int, *args: Any) -> tuple[dict[str, Any], int]:
    """The fastest of `repeat` runs of `step`, each in a fresh process, and its peak memory."""
    runs = [in_fresh_process(step, *args) for _ in range(repeat)]
    return min(runs, key=lambda run: run[0]["seconds"])


def disagreements(baseline: dict[str, Any], planned: dict[str, Any]) -> list[str]:
    """Where the plan counts other rows than the bare counts."""
    found = []
    for dataset, (rows, prefix_rows) in baseline["counted"].items():
        plan = planned["datasets"][dataset]
        if plan["rows"] != rows:
            found.append(f"{dataset}: the plan counts {plan['rows']:,} rows, the store {rows:,}")
        prefix = [rows for _, shape, rows, _ in plan["steps"] if shape == "time-prefix"]
        if prefix and prefix != [prefix_rows]:
            found.append(f"{dataset}: the prefix step selects {prefix}, the count {prefix_rows}")
    return found


def run(folder: Path, subscribers: int, at: datetime, repeat: int) -> None:
    baseline, baseline_memory = fastest(bare_counts, repeat, folder, at)
    planned, plan_memory = fastest(placet_plan, repeat, folder, at)
    base = baseline["seconds"]
    print()
    print(f"Retention plan of the estate at {at.isoformat()} (fastest of {repeat}, each run "
          "in its own process)")  # fmt: skip
    print()
    print("| step | s | CPU s | ratio to baseline | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    print(f"| bare store.count per dataset (baseline) | {base:.2f} | {baseline['cpu']:.2f} | "
          f"1.00× | {baseline_memory / 2**20:,.0f} |")  # fmt: skip
    print(f"| placet plan_estate | {planned['seconds']:.2f} | {planned['cpu']:.2f} | "
          f"{planned['seconds'] / base:.2f}× | {plan_memory / 2**20:,.0f} |")  # fmt: skip
    print()
    print("| dataset | rows | steps (action, selected by, rows, windows) |")
    print("|---|---:|---|")
    for dataset, plan in planned["datasets"].items():
        steps = "; ".join(
            f"{action} {shape} {rows:,}" + (f" ({windows:,} windows)" if windows else "")
            for action, shape, rows, windows in plan["steps"]
        )
        print(f"| {dataset} | {plan['rows']:,} | {steps or 'keep all'} |")
    print()
    print(f"{planned['acts_on']:,} rows would be deleted, anonymised or restricted")
    if subscribers >= 10_000:
        scale = FULL_ESTATE / subscribers
        plan_scaled, base_scaled = planned["seconds"] * scale, base * scale
        print(f"scaled linearly to {FULL_ESTATE:,} subscribers: plan about {plan_scaled:,.0f} s, "
              f"baseline about {base_scaled:,.1f} s")  # fmt: skip
    problems = disagreements(baseline, planned)
    for problem in problems:
        print(f"check: DIFFERENT: {problem}")
    if problems:
        sys.exit(1)
    print("check: the plan counts the same rows as the bare counts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=3, help="months of traffic data")
    parser.add_argument("--at", type=datetime.fromisoformat, default=AT, help="ISO 8601, UTC")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step")
    parser.add_argument("--folder", type=Path, help="where the estate goes (default: temp)")
    parser.add_argument("--reuse", action="store_true", help="reuse an estate in --folder")
    parser.add_argument("--keep", action="store_true", help="keep the estate afterwards")
    parser.add_argument("--smoke", action="store_true", help="a tiny run, for the test suite")
    args = parser.parse_args()
    if args.smoke:
        args.subscribers, args.months, args.repeat = 300, 2, 1
    at = args.at if args.at.tzinfo else args.at.replace(tzinfo=UTC)
    print(machine_line(f"polars {polars.__version__}", f"pyarrow {pyarrow.__version__}"))
    folder = args.folder or Path(tempfile.mkdtemp(prefix="placet-estate-plan-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not (args.reuse and (folder / "placet.db").is_file()):
            shutil.rmtree(folder / "estate", ignore_errors=True)
            (folder / "placet.db").unlink(missing_ok=True)
            written, memory = in_fresh_process(synthesise, folder, args.subscribers, args.months)
            print(f"estate: {args.subscribers:,} subscribers, {args.months} months: "
                  f"{written['sql_rows']:,} SQL rows, {written['lake_rows']:,} lake rows, "
                  f"{written['events']:,} ledger events; written in {written['seconds']:.0f} s "
                  f"(outside every clock, peak {memory / 2**20:,.0f} MiB)")  # fmt: skip
        else:
            print(f"estate: reused from {folder}")
        run(folder, args.subscribers, at, args.repeat)
    finally:
        if not args.keep and args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
