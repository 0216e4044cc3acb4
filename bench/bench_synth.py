"""Time writing synthetic CDRs to Parquet, against a bare pyarrow writer of the same columns.

    python bench/bench_synth.py [--rows N] [--operator ipko|ipnordic] [--chunk-rows N]
                                [--folder DIR] [--keep]

The estate is one month of ipko traffic with enough subscribers for about N CDRs. Measured
in the same run, each step in a fresh process (so that its peak memory, VmHWM, is its own):

- generating the CDRs alone, a chunk at a time, writing nothing;
- the baseline: the same columns, generated beforehand outside the clock (up to
  `--baseline-rows` of them), written by a bare `pyarrow.parquet.ParquetWriter` with the
  options the lake uses (`PARQUET_OPTIONS`) into one unsorted file;
- placet: generating and writing the CDRs into one unsorted Parquet file (one row group a
  chunk, the next chunk generated while the previous is written);
- placet: the same in the lake layout (`lake/cdrs/month=YYYY-MM/`, each month sorted by
  number, in files of about 125,000 rows: the clustered layout of docs/synth.md).

Rows per second are printed as a markdown table; nothing asserts on them. Every file is
read back and must hold the rows generated, or the run exits non-zero.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from benchlib import in_fresh_process, machine_line

from placet.synth import (
    DEFAULT_CHUNK_ROWS,
    PARQUET_OPTIONS,
    EstatePlan,
    OperatorName,
    draw_population,
    estate_tables,
    index_traffic,
    lake_schema,
    traffic_chunks,
    write_lake_table,
)
from placet.synth.sinks import ParquetFile
from placet.synth.traffic import CDRS_PER_SUBSCRIBER


def plan_for(operator: str, rows: int, chunk_rows: int) -> EstatePlan:
    subscribers = max(100, round(rows / CDRS_PER_SUBSCRIBER))
    return EstatePlan(OperatorName(operator), subscribers, 1, seed=1, chunk_rows=chunk_rows)


def cdr_stream(plan: EstatePlan) -> Any:
    """Every CDR chunk of the plan's one month, bucket after bucket."""
    index = index_traffic(draw_population(plan))
    month = plan.traffic_months[0]
    for bucket in range(index.buckets):
        yield from traffic_chunks(index, "cdrs", month, bucket, plan.chunk_rows)


def schema_of(plan: EstatePlan) -> pa.Schema:
    return lake_schema(estate_tables(plan.operator)["cdrs"])


def generate_only(plan: EstatePlan, folder: Path) -> tuple[int, float]:
    started = time.perf_counter()
    rows = sum(chunk.num_rows for chunk in cdr_stream(plan))
    return rows, time.perf_counter() - started


def bare_pyarrow(plan: EstatePlan, folder: Path, limit: int) -> tuple[int, float]:
    """The baseline: chunks already in memory, written by ParquetWriter alone."""
    chunks: list[pa.Table] = []
    held = 0
    for chunk in cdr_stream(plan):
        if held >= limit:
            break
        chunks.append(chunk)
        held += chunk.num_rows
    path = folder / "baseline.parquet"
    started = time.perf_counter()
    with pq.ParquetWriter(path, schema_of(plan), **PARQUET_OPTIONS) as writer:  # type: ignore[arg-type]
        for chunk in chunks:
            writer.write_table(chunk)
    return held, time.perf_counter() - started


def placet_one_file(plan: EstatePlan, folder: Path) -> tuple[int, float]:
    started = time.perf_counter()
    rows = 0
    with ParquetFile(folder / "unsorted.parquet", schema_of(plan)) as parquet:
        for chunk in cdr_stream(plan):
            parquet.write(chunk)
            rows += chunk.num_rows
    return rows, time.perf_counter() - started


def placet_lake(plan: EstatePlan, folder: Path) -> tuple[int, float]:
    started = time.perf_counter()
    rows = write_lake_table(index_traffic(draw_population(plan)), folder, "cdrs")
    return rows, time.perf_counter() - started


def measure(step: Callable[..., tuple[int, float]], *args: Any) -> tuple[int, float, int]:
    """Run one step in a fresh process: its rows, seconds and peak memory."""
    (rows, seconds), peak = in_fresh_process(step, *args)
    return rows, seconds, peak


def parquet_rows(paths: list[Path]) -> int:
    return sum(pq.ParquetFile(path).metadata.num_rows for path in paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5_000_000, help="about how many CDRs")
    parser.add_argument("--operator", choices=[name.value for name in OperatorName], default="ipko")
    parser.add_argument("--chunk-rows", type=int, default=DEFAULT_CHUNK_ROWS)
    parser.add_argument(
        "--baseline-rows", type=int, default=20_000_000, help="most CDRs the baseline holds"
    )
    parser.add_argument("--folder", type=Path, help="where to write (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the files afterwards")
    args = parser.parse_args()
    plan = plan_for(args.operator, args.rows, args.chunk_rows)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="placet-synth-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(machine_line(f"numpy {np.__version__}", f"pyarrow {pa.__version__}"))
    try:
        run(plan, folder, args.baseline_rows)
    finally:
        if not args.keep and args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


def run(plan: EstatePlan, folder: Path, baseline_rows: int) -> None:
    baseline_step = measure(bare_pyarrow, plan, folder, baseline_rows)
    steps = [
        ("generate only (no writing)", measure(generate_only, plan, folder)),
        ("bare pyarrow ParquetWriter, one file (baseline)", baseline_step),
        ("placet synth, one unsorted file", measure(placet_one_file, plan, folder)),
        ("placet synth, lake layout clustered by number", measure(placet_lake, plan, folder)),
    ]
    lake_files = sorted((folder / "lake" / "cdrs").glob("month=*/part-*.parquet"))
    checks = [
        ("one file holds every CDR", parquet_rows([folder / "unsorted.parquet"]) == steps[0][1][0]),
        ("the lake holds every CDR", parquet_rows(lake_files) == steps[0][1][0]),
    ]  # fmt: skip
    baseline = steps[1][1][0] / steps[1][1][1]
    print()
    print(
        f"{plan.operator} CDRs of one month, {plan.subscribers:,} subscribers, "
        f"chunks of {plan.chunk_rows:,} rows, {len(lake_files)} lake file(s)"
    )
    print()
    print("| step | rows | s | rows/s | ratio to baseline | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (rows, seconds, peak) in steps:
        rate = rows / seconds
        print(
            f"| {name} | {rows:,} | {seconds:.2f} | {rate:,.0f} | {rate / baseline:.2f}× "
            f"| {peak / 2**20:,.0f} |"
        )
    print()
    for name, passed in checks:
        print(f"check {name}: {'yes' if passed else 'NO'}")
    if not all(passed for _, passed in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
