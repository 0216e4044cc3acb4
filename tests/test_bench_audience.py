"""The audience benchmark runs end to end on a small estate and prints its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench" / "bench_audience.py"


@pytest.mark.slow
def test_audience_benchmark_selects_the_same_subscribers_as_its_baseline(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--subscribers", "2000", "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| question | query | s | ratio to baseline |" in result.stdout
    assert "hand-written DuckDB query (baseline)" in result.stdout
    assert "DIFFERENT" not in result.stdout
