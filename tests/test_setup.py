"""The README's two set-up commands install what they need, and CI runs the second one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PDF_PACKAGES = ("fonts-dejavu-core", "fonts-noto-core", "libpango-1.0-0", "libpangoft2-1.0-0")


@pytest.mark.parametrize("script", ["demo.sh", "test.sh"])
def test_setup_commands_install_the_system_packages_pdf_notices_need(script: str) -> None:
    text = (ROOT / "scripts" / script).read_text()
    assert "apt-get install" in text
    for package in PDF_PACKAGES:
        assert package in text, package


def test_test_command_installs_chromium_and_every_extra() -> None:
    text = (ROOT / "scripts" / "test.sh").read_text()
    assert "chromium" in text
    assert "-e '.[dev]'" in text


def test_demo_command_installs_placet_and_runs_the_demo() -> None:
    text = (ROOT / "scripts" / "demo.sh").read_text()
    assert "pip install" in text
    assert text.rstrip().endswith('placet demo "$@"')


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "exec bash scripts/test.sh" in ci
    assert "bash scripts/test.sh" in (ROOT / "README.md").read_text()


def test_a_test_run_that_collects_no_tests_fails() -> None:
    result = subprocess.run(
        # `-n 0` after the script's `-n auto`: collected in one process, no workers started.
        [
            "bash",
            "scripts/test.sh",
            "tests/test_setup.py",
            "-k",
            "no_test_has_this_name_at_all",
            "-n",
            "0",
        ],
        cwd=ROOT,
        env={**os.environ, "PLACET_TEST_QUICK": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "a run with no tests is a failure" in result.stderr


@pytest.mark.slow
def test_built_package_ships_both_reference_policies_and_the_ledger_migrations(
    tmp_path: Path,
) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("placet-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for operator in ("ipko", "ipnordic"):
        assert f"placet/_policies/{operator}/policy.yaml" in names
        assert f"placet/_policies/{operator}/coverage.yaml" in names
    assert "placet/notices/templates/notice.html" in names
    assert "placet/stores/migrations/env.py" in names
    assert "placet/stores/migrations/script.py.mako" in names
    assert "placet/stores/migrations/versions/ledger_0001_tables.py" in names


@pytest.mark.slow
def test_policy_benchmark_reports_each_step_with_its_ratio_to_the_baseline() -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_policy.py", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ipko |")]
    assert len(rows) == 10
    assert rows[0].endswith("| 1.0× |")


@pytest.mark.slow
def test_decision_benchmark_runs_at_small_scale_and_agrees_with_its_baseline() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "bench/bench_decide.py",
            "--subjects",
            "2000",
            "--calls",
            "200",
            "--repeat",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert "| placet decide_use (with explanation) |" in result.stdout
    assert "| hand-written polars query (baseline) |" in result.stdout


@pytest.mark.slow
def test_import_benchmark_runs_at_small_scale() -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_import.py", "--rows", "2000", "--no-postgres"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert "rows/s" in result.stdout or "rows/s" in result.stderr


@pytest.mark.slow
def test_ledger_benchmark_runs_at_small_scale_on_both_databases() -> None:
    result = subprocess.run(
        [sys.executable, "bench/bench_ledger.py", "--events", "2000", "--singles", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert "| append_many: chain, rows, payloads, head, projection | SQLite |" in result.stdout
    assert "| append_many: chain, rows, payloads, head, projection | PostgreSQL |" in result.stdout
    assert "| append_columns: the same, the batch held as columns | SQLite |" in result.stdout
    assert "| the same, into the table without its indexes | PostgreSQL |" in result.stdout
    assert "| single durable append | p50 ms | p99 ms |" in result.stdout
    for database, issues in (("SQLite", "300,000"), ("PostgreSQL", "400,000")):
        assert f"| the issue's reference rows (3 columns) by the driver alone | {database} |" in (
            result.stdout
        )
        row = re.search(
            rf"^\| append_columns against the scaled target \| {database} \| ([\d,]+) \| "
            rf"{issues} \| ([\d,]+) \| ([\d,]+) \| (yes|no) \|$",
            result.stdout,
            re.MULTILINE,
        )
        assert row is not None, result.stdout
        reference, target, rate = (int(group.replace(",", "")) for group in row.groups()[:3])
        assert abs(target - reference * 100_000 / int(issues.replace(",", ""))) <= 1
        assert (row.group(4) == "yes") == (rate >= target)
