"""`placet dsr carry-out`: a verified request carried out on the synthetic IPKO estate from
the command line, the answer written where it says and the request fulfilled."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placet.cli.main import app
from placet.settings import get_settings
from tests.operations.conftest import KEY, reference_estate  # noqa: F401  (a fixture)
from tests.operations.estate_fixtures import MAP, OpenEstate, opened_estate

runner = CliRunner()
AT = "2026-12-01T00:00:00Z"


@pytest.fixture
def estate(reference_estate: Path, tmp_path: Path) -> Iterator[OpenEstate]:  # noqa: F811
    with opened_estate(reference_estate, tmp_path / "estate") as opened:
        yield opened


@pytest.fixture
def settings(estate: OpenEstate, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PLACET_DATABASE_URL", f"sqlite:///{estate.folder / 'placet.db'}")
    monkeypatch.setenv("PLACET_PSEUDONYM_KEY", KEY.secret.hex())
    monkeypatch.setenv("PLACET_POLICY", "ipko")
    monkeypatch.setenv("PLACET_DATAMAP", str(MAP))
    monkeypatch.setenv("PLACET_ANSWERS_DIR", str(estate.folder / "answers"))
    get_settings.cache_clear()
    yield estate.folder / "answers"
    get_settings.cache_clear()


def placet(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def verified_request(subscriber: str, kind: str) -> str:
    opened = placet(
        "dsr", "open", "--kind", kind, "--subject", subscriber, "--channel", "shop",
        "--actor", "shop-7", "--received", "2026-11-28T10:00:00Z", "--at", "2026-11-28T10:00:00Z",
    )  # fmt: skip
    request_id = opened.split()[1]
    placet("dsr", "verify", request_id, "--actor", "shop-7", "--how", "ID card",
           "--at", "2026-11-28T10:05:00Z")  # fmt: skip
    return request_id


def a_subscriber(estate: OpenEstate) -> str:
    with sqlite3.connect(estate.database) as connection:
        found: str = connection.execute(
            "SELECT subscriber_id FROM contracts ORDER BY subscriber_id LIMIT 1"
        ).fetchone()[0]
    return found


def test_carry_out_writes_the_access_answer_and_fulfils_the_request(
    estate: OpenEstate, settings: Path
) -> None:
    request_id = verified_request(a_subscriber(estate), "access")

    output = placet(
        "dsr", "carry-out", request_id, "--estate", str(estate.folder), "--language", "en",
        "--actor", "dpo-1", "--at", AT,
    )  # fmt: skip

    assert "now fulfilled" in output
    with zipfile.ZipFile(settings / request_id / "answer.zip") as package:
        assert "printed-copy.pdf" in package.namelist()
    assert "fulfilled" in placet("dsr", "show", request_id)


def test_carry_out_erases_the_subscriber_and_says_what_was_kept(
    estate: OpenEstate, settings: Path
) -> None:
    subscriber = a_subscriber(estate)
    request_id = verified_request(subscriber, "erasure")

    output = placet(
        "dsr", "carry-out", request_id, "--estate", str(estate.folder),
        "--actor", "dpo-1", "--at", AT,
    )  # fmt: skip

    assert "erased" in output
    assert "kept and restricted: invoices" in output
    with sqlite3.connect(estate.database) as connection:
        assert not connection.execute(
            "SELECT COUNT(*) FROM subscribers WHERE subscriber_id = ?", (subscriber,)
        ).fetchone()[0]


def test_carry_out_refuses_a_request_not_verified(estate: OpenEstate, settings: Path) -> None:
    opened = placet(
        "dsr", "open", "--kind", "access", "--subject", a_subscriber(estate), "--channel", "web",
        "--actor", "web", "--received", "2026-11-28T10:00:00Z", "--at", "2026-11-28T10:00:00Z",
    )  # fmt: skip
    result = runner.invoke(
        app,
        ["dsr", "carry-out", opened.split()[1], "--estate", str(estate.folder), "--actor", "x"],
    )

    assert result.exit_code == 1
    assert "verified" in result.output
