"""The requests benchmark runs end to end on a tiny table and prints its tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench" / "bench_requests.py"


@pytest.mark.slow
def test_requests_benchmark_finds_and_erases_the_same_rows_in_both_layouts(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
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
