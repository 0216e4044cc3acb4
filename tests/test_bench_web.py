"""The web benchmark runs end to end on the demo estate and prints its table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench_runs import run_bench


@pytest.mark.slow
def test_web_benchmark_times_every_page_after_signing_in(tmp_path: Path) -> None:
    result = run_bench("bench_web.py", "--smoke", "--folder", str(tmp_path))

    assert "| page | bytes | p50 ms | p95 ms | max ms | p95 ≤ 300 ms |" in result.stdout
    pages = (
        "/v1/health",
        "/privacy/notice?lang=sq",
        "/privacy/choices",
        "/console/ledger",
        "/console/figures",
        "/console/retention",
        "/console/policy",
    )
    for page in pages:
        assert f"| `{page}` |" in result.stdout
    assert "| `POST /console/retention/plan (plan over the estate, once)` |" in result.stdout
