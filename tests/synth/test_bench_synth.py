"""The synth benchmark runs end to end on a small estate and prints its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_synth.py"


@pytest.mark.slow
def test_synth_benchmark_writes_every_cdr_and_prints_its_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--rows", "20000", "--chunk-rows", "5000",
         "--folder", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| step | rows | s | rows/s | ratio to baseline | peak RSS MiB |" in result.stdout
    assert "bare pyarrow ParquetWriter, one file (baseline)" in result.stdout
    assert "NO" not in result.stdout
