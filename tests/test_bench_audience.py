"""The audience benchmark runs end to end on a small estate and prints its table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench_runs import run_bench


@pytest.mark.slow
def test_audience_benchmark_selects_the_same_subscribers_as_its_baseline(tmp_path: Path) -> None:
    result = run_bench("bench_audience.py", "--subscribers", "2000", "--folder", str(tmp_path))

    assert "| question | query | s | ratio to baseline |" in result.stdout
    assert "| as of | hand-written DuckDB query" in result.stdout
    assert "| as of | hand-written polars query" in result.stdout
    assert result.stdout.count("query (baseline) |") == 1
    assert "check as of: polars = DuckDB: same subscribers" in result.stdout
    assert "floor: reading the table and the events, nothing else" in result.stdout
    assert "floor: reading the table and the snapshot, nothing else" in result.stdout
    assert "ratio to the floor (reading, nothing else): as of " in result.stdout
    assert (
        "the now target in proportion: at most 0.17× to 0.25× the as-of baseline" in result.stdout
    )
    assert "| now | the same, the table carrying the numbers in order |" in result.stdout
    assert "check now: numbered table = pseudonyms: same subscribers" in result.stdout
    assert "DIFFERENT" not in result.stdout
