"""`placet synth` from the command line: a bar per table, then rows and seconds per table."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from placet.cli.synth import synth

runner = CliRunner()


def synth_app() -> typer.Typer:
    app = typer.Typer()
    app.command(name="synth")(synth)

    @app.command(name="other")
    def other() -> None:
        """Makes `synth` a named command, as it is under `placet`."""

    return app


def test_synth_writes_an_estate_and_summarises_each_table(tmp_path: Path) -> None:
    result = runner.invoke(
        synth_app(),
        ["synth", "--operator", "ipnordic", "--subscribers", "150", "--months", "1",
         "--seed", "3", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "cdrs" in result.stdout
    assert "consent-history" in result.stdout
    assert (tmp_path / "estate.db").is_file()
    assert (tmp_path / "consent-history.csv").is_file()
    assert list((tmp_path / "lake" / "cdrs").glob("month=*/part-*.parquet"))


def test_synth_refuses_zero_months(tmp_path: Path) -> None:
    result = runner.invoke(synth_app(), ["synth", "--months", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert not (tmp_path / "estate.db").exists()
