"""The requests benchmark runs end to end on a tiny table and prints its tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench_runs import run_bench


@pytest.mark.slow
def test_requests_benchmark_finds_and_erases_the_same_rows_in_both_layouts(
    tmp_path: Path,
) -> None:
    result = run_bench("bench_requests.py", "--smoke", "--folder", str(tmp_path))

    assert "| step | layout | s (first) | s (again) | rows | files rewritten | peak memory |" in (
        result.stdout
    )
    assert "| access: own rows (a_number) | clustered |" in result.stdout
    assert "| access: own rows (a_number) | bucketed |" in result.stdout
    assert "| access: calls received, from `cdrs_terminating` (b_number) | clustered |" in (
        result.stdout
    )
    assert "the terminating records the same calls received: yes" in result.stdout
    assert "check: both layouts find the same own rows: yes" in result.stdout
    assert "none left: yes" in result.stdout
    assert "NO" not in result.stdout
