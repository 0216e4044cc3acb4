"""The HTTP benchmark runs end to end at a tiny scale: a real server, every answer checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_http_benchmark_serves_checked_decisions_and_prints_its_table() -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_http.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert any("in process: decide_for_subject (baseline)" in line for line in table)
    assert any("HTTP: GET /v1/health (floor)" in line for line in table)
    assert any("HTTP: POST /v1/decisions |" in line for line in table)
    assert any("HTTP: POST /v1/decisions:batch, batches of 50" in line for line in table)
