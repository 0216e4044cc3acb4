"""`placet policy ropa` with the disclosure register of the database the settings name:
used when that database holds one of the policy, left out with `--no-register`, and
never needed: without a database the record is the policy's alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placet.cli.main import app
from placet.disclosures import Agreement, AgreementKind
from placet.policy import TransferSafeguard
from placet.settings import get_settings
from placet.stores.sql_disclosures import open_disclosure_book

runner = CliRunner()
AGREEMENT = Agreement(
    agreement_id="SCC-2022",
    recipient="third-country-suppliers",
    kind=AgreementKind.TRANSFER_SAFEGUARD,
    party="Nimbus Cloud GmbH",
    reference="SCC/2022/4",
    valid_from=datetime(2022, 1, 1, tzinfo=UTC),
    valid_until=datetime(2026, 3, 31, tzinfo=UTC),
    countries=("DE",),
    safeguard=TransferSafeguard.STANDARD_CONTRACTUAL_CLAUSES,
    recorded_by="dpo",
    recorded_at=datetime(2022, 1, 3, tzinfo=UTC),
)


def settings_of(monkeypatch: pytest.MonkeyPatch, database: Path, policy: str = "ipko") -> None:
    monkeypatch.setenv("PLACET_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("PLACET_POLICY", policy)
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database whose register holds IPKO's lapsed safeguard, named by the settings."""
    database = tmp_path / "placet.db"
    book = open_disclosure_book(f"sqlite:///{database}")
    book.add_agreement(AGREEMENT)
    book.engine.dispose()
    settings_of(monkeypatch, database)
    return database


def ropa_json(*options: str, policy: str = "ipko") -> tuple[int, dict[str, object], str]:
    result = runner.invoke(
        app, ["policy", "ropa", policy, "--format", "json", "--at", "2026-06-01", *options]
    )
    document = json.loads(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, document, result.output


def test_the_ropa_lists_the_register_of_the_settings_database(register: Path) -> None:
    code, document, output = ropa_json()

    assert code == 0, output
    recipients = {r["recipient_id"]: r for r in document["register"]["recipients"]}  # type: ignore[index]
    flags = [flag["flag"] for flag in recipients["third-country-suppliers"]["flags"]]
    assert "safeguard-expired" in flags
    (transfer,) = document["register"]["transfers"]  # type: ignore[index]
    assert (transfer["party"], transfer["country"], transfer["status"]) == (
        "Nimbus Cloud GmbH",
        "DE",
        "expired",
    )


def test_no_register_leaves_the_record_to_the_policy(register: Path) -> None:
    code, document, output = ropa_json("--no-register")

    assert code == 0, output
    assert "register" not in document


def test_the_ropa_needs_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nowhere" / "placet.db"
    settings_of(monkeypatch, missing)

    code, document, output = ropa_json()

    assert code == 0, output
    assert "register" not in document
    assert not missing.exists()


def test_asking_for_the_register_without_a_database_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_of(monkeypatch, tmp_path / "placet.db")

    code, _, output = ropa_json("--register")

    assert code != 0
    assert "no database" in output
    assert not (tmp_path / "placet.db").exists()


def test_the_register_of_another_policy_is_left_out(register: Path) -> None:
    code, document, output = ropa_json(policy="ipnordic")
    asked, _, refused = ropa_json("--register", policy="ipnordic")

    assert code == 0, output
    assert "register" not in document
    assert asked != 0
    assert "ipko" in refused
