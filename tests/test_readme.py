"""The README's tour runs as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placet.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def tour_commands() -> list[str]:
    tour = README.split("## A tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", tour, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.startswith("placet")]


def test_readme_starts_with_the_two_setup_commands() -> None:
    commands = re.findall(r"```console\n(.*?)\n```", README.split("## A tour")[0], re.DOTALL)
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_readme_tour_has_commands() -> None:
    assert len(tour_commands()) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("command", tour_commands())
def test_readme_tour_command_runs(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [
        str(ROOT / arg) if arg.startswith("examples/") else arg for arg in shlex.split(command)[1:]
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
