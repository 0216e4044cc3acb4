"""The estate plan benchmark runs end to end on a tiny estate and prints its table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench_runs import run_bench


@pytest.mark.slow
def test_estate_plan_benchmark_counts_what_its_baseline_counts(tmp_path: Path) -> None:
    result = run_bench("bench_estate_plan.py", "--smoke", "--folder", str(tmp_path))

    assert "| step | s | CPU s | ratio to baseline | peak RSS MiB |" in result.stdout
    assert "| bare store.count per dataset (baseline) |" in result.stdout
    assert "| placet plan_estate |" in result.stdout
    assert "check: the plan counts the same rows as the bare counts" in result.stdout
    assert "DIFFERENT" not in result.stdout
