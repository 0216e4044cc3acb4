"""Running a benchmark script of `bench/` as the test suite does: a small run, as a
separate process, its output kept for the test to read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["run_bench"]

BENCH_DIR = Path(__file__).parent.parent / "bench"


def run_bench(script: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `bench/<script>` with `arguments`; fail the test, with its output, unless it
    exits 0."""
    result = subprocess.run(
        [sys.executable, str(BENCH_DIR / script), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result
