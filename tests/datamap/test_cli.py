"""`placet datamap check` exits 0 on a clean map and 1, naming each problem, on a broken one."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from placet.cli.main import app
from tests.conftest import replace_once
from tests.datamap.conftest import SMALL_MAP, MapWriter, line_of

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args: str) -> tuple[int, str, BaseException | None]:
    result = runner.invoke(app, ["datamap", *args])
    return result.exit_code, result.output, result.exception


def test_check_of_the_example_map_exits_zero() -> None:
    code, output, _ = run("check", str(ROOT / "examples" / "datamap" / "ipko.yaml"))

    assert code == 0, output
    assert "valid" in output
    assert "policy 'ipko'" in output


def test_check_of_a_broken_map_exits_one_printing_each_problem(write_map: MapWriter) -> None:
    text = replace_once(SMALL_MAP, "cell_id: location-data", "cell_id: location-dta")
    path = write_map(text)

    code, output, _ = run("check", str(path))

    assert code == 1
    assert f"{path}:{line_of(text, 'location-dta')}" in output
    assert "[systems[1].datasets[0].columns.cell_id] unknown-category" in output
    assert "1 error, 0 warnings" in output


def test_check_with_only_warnings_exits_zero(write_map: MapWriter) -> None:
    path = write_map(replace_once(SMALL_MAP, "cell_id: location-data", "cell_id: identity"))

    code, output, _ = run("check", str(path))

    assert code == 0, output
    assert "warning" in output
    assert "category-outside-rule" in output


def test_check_against_another_policy_reports_the_mismatch(write_map: MapWriter) -> None:
    code, output, _ = run("check", str(write_map(SMALL_MAP)), "--policy", "ipnordic")

    assert code == 1
    assert "policy-mismatch" in output


def test_check_of_an_unreadable_map_prints_the_located_error(write_map: MapWriter) -> None:
    text = replace_once(SMALL_MAP, "time_column: start_time", "time_colum: start_time")
    path = write_map(text)

    code, output, _ = run("check", str(path))

    assert code == 1
    assert "did you mean 'time_column'?" in output
    assert f"{path}:{line_of(text, 'time_colum: start_time')}" in output
