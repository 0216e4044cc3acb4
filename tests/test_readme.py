"""The README's tour runs as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placet.cli.main import app
from placet.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def tour_commands() -> list[str]:
    tour = README.split("## A tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```console\n(.*?)```", tour, flags=re.DOTALL)
    return [
        line
        for block in blocks
        for line in block.splitlines()
        if line.startswith(("placet", "export ")) and not line.startswith("placet serve")
    ]


def test_readme_starts_with_the_two_setup_commands() -> None:
    commands = re.findall(r"```console\n(.*?)\n```", README.split("## A tour")[0], re.DOTALL)
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_readme_tour_has_commands() -> None:
    assert len(tour_commands()) >= 8


@pytest.mark.slow
def test_readme_tour_runs_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLACET_PSEUDONYM_KEY", "ab" * 32)
    monkeypatch.setenv("PLACET_DATABASE_URL", f"sqlite:///{tmp_path / 'placet.db'}")
    for command in tour_commands():
        if command.startswith("export "):
            name, _, value = command.removeprefix("export ").partition("=")
            if "$(" not in value:  # the pseudonym key drawn at random is fixed above
                monkeypatch.setenv(name, value)
            continue
        args = [
            str(ROOT / arg) if arg.startswith("examples/") else arg
            for arg in shlex.split(command)[1:]
        ]
        get_settings.cache_clear()
        result = CliRunner().invoke(app, args)
        get_settings.cache_clear()
        assert result.exit_code == 0, f"{command}\n{result.output}"
        if args[:2] == ["retention", "plan"]:
            # The estate's subscribers are in the ledger: the plan has something to do.
            assert not re.search(r"(?<![\d,])0 rows would be", result.output), result.output
        if args[:2] == ["dsr", "list"]:
            assert "DSR-TOUR-1" in result.output, result.output
    written = {path.name for path in tmp_path.iterdir()}
    # What the tour writes goes where git ignores it (.gitignore).
    assert written <= {
        "placet-demo",
        "placet-answers",
        "placet.db",
        "placet.db-wal",
        "placet.db-shm",
    }
