"""The estate plan benchmark runs end to end on a tiny estate and prints its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench" / "bench_estate_plan.py"


@pytest.mark.slow
def test_estate_plan_benchmark_counts_what_its_baseline_counts(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "| step | s | CPU s | ratio to baseline | peak RSS MiB |" in result.stdout
    assert "| bare store.count per dataset (baseline) |" in result.stdout
    assert "| placet plan_estate |" in result.stdout
    assert "check: the plan counts the same rows as the bare counts" in result.stdout
    assert "DIFFERENT" not in result.stdout
