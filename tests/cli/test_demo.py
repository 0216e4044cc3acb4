"""`placet demo` checks both reference policies and writes everything they publish."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placet.cli.demo import DOCUMENTS_RECORD, _write_documents
from placet.cli.main import app

LANGUAGES = {"ipko": ["en", "sq", "sr"], "ipnordic": ["da", "en"]}

# One worker runs this module's tests (`--dist loadgroup`): the demo is made once.
pytestmark = pytest.mark.xdist_group("placet-demo")


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("demo") / "placet-demo"
    result = CliRunner().invoke(app, ["demo", "--output", str(folder), "--no-serve"])
    assert result.exit_code == 0, result.output
    return folder, result.output


@pytest.mark.slow
def test_demo_writes_every_notice_in_every_language_and_format(
    demo_folder: tuple[Path, str],
) -> None:
    folder, _ = demo_folder
    for operator, languages in LANGUAGES.items():
        for language in languages:
            for extension in ("md", "html", "pdf"):
                path = folder / operator / f"notice-{language}.{extension}"
                assert path.stat().st_size > 1000, path
            assert (folder / operator / f"notice-{language}.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.slow
def test_demo_writes_ropa_and_dpv_export_for_each_operator(
    demo_folder: tuple[Path, str],
) -> None:
    folder, _ = demo_folder
    for operator in LANGUAGES:
        assert json.loads((folder / operator / "ropa.json").read_text())
        assert (folder / operator / "ropa.csv").read_text().count("\n") > 5
        assert (folder / operator / "ropa.xlsx").read_bytes()[:2] == b"PK"
        assert "@context" in json.loads((folder / operator / "policy.jsonld").read_text())


@pytest.mark.slow
def test_demo_prints_what_it_wrote_and_how_to_open_it(demo_folder: tuple[Path, str]) -> None:
    folder, output = demo_folder
    assert "is valid and clean" in output
    assert "index.html" in output
    index = (folder / "index.html").read_text()
    assert 'href="ipko/notice-sq.pdf"' in index


@pytest.mark.slow
def test_a_second_placet_demo_reuses_what_the_first_made(demo_folder: tuple[Path, str]) -> None:
    folder, first = demo_folder
    ledger = folder / "ipko" / "state" / "placet.db"
    written = ledger.stat().st_mtime_ns
    command = [sys.executable, "-c", "from placet.cli.main import main; main()"]

    second = subprocess.run(
        [*command, "demo", "--output", str(folder), "--no-serve"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert second.returncode == 0, second.stdout + second.stderr
    assert "demo estate and ledger made" in first
    assert "reused from an earlier run" in second.stdout
    # Nothing changed since: every document is reused, not rendered again.
    assert "23 files (23 unchanged since an earlier run, reused)" in second.stdout
    assert ledger.stat().st_mtime_ns == written


@pytest.mark.slow
def test_a_document_changed_since_or_made_by_another_placet_is_written_again(
    demo_folder: tuple[Path, str], tmp_path: Path
) -> None:
    folder, _ = demo_folder
    copy = tmp_path / "documents"
    for operator in LANGUAGES:
        shutil.copytree(folder / operator, copy / operator, ignore=shutil.ignore_patterns("state"))
    altered = copy / "ipko" / "notice-sq.md"
    altered.write_text("# edited by hand\n", encoding="utf-8")
    (copy / "ipko" / "ropa.csv").unlink()
    record = copy / "ipnordic" / DOCUMENTS_RECORD
    earlier = json.loads(record.read_text())
    record.write_text(json.dumps({**earlier, "made_from": "another placet"}))
    untouched = (copy / "ipko" / "notice-en.pdf").stat().st_mtime_ns

    written, reused = _write_documents(copy)

    assert len(written) == 23
    # ipko: all but the edited notice and the removed record; ipnordic: none (another maker).
    assert reused == 13 - 2
    assert altered.read_text(encoding="utf-8") == (folder / "ipko" / "notice-sq.md").read_text(
        encoding="utf-8"
    )
    assert (copy / "ipko" / "ropa.csv").read_bytes() == (folder / "ipko" / "ropa.csv").read_bytes()
    assert (copy / "ipko" / "notice-en.pdf").stat().st_mtime_ns == untouched
    assert json.loads(record.read_text())["made_from"] == earlier["made_from"]
