"""Running a benchmark script of `bench/` as the test suite does: a small run, as a
separate process, its output kept for the test to read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["run_bench"]

BENCH_DIR = Path(__file__).parent.parent / "bench"


def run_bench(
    script: str, *arguments: str, in_process: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `bench/<script>` with `arguments`, each of its steps in its own process as it
    measures them unless `in_process` (`PLACET_BENCH_IN_PROCESS`: a quicker run, for the
    steps' output and checks, not their timings); fail the test, with its output, unless
    it exits 0."""
    environment = {**os.environ, "PLACET_BENCH_IN_PROCESS": "1" if in_process else "0"}
    result = subprocess.run(
        [sys.executable, str(BENCH_DIR / script), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=environment,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result
