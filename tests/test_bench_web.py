"""The web benchmark runs end to end on the demo estate and prints its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench" / "bench_web.py"


@pytest.mark.slow
def test_web_benchmark_times_every_page_after_signing_in(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "| page | bytes | p50 ms | p95 ms | max ms | p95 ≤ 300 ms |" in result.stdout
    for page in ("/v1/health", "/privacy/notice?lang=sq", "/privacy/choices", "/console/ledger"):
        assert f"| `{page}` |" in result.stdout
