"""`placet ledger verify|upgrade`: exit 0 with a count when intact, 1 naming the first bad event."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from placet.cli.main import app
from placet.stores.sql_ledger import open_ledger
from tests.ledger.builders import at, consent_given
from tests.stores.conftest import run_sql


@pytest.fixture
def three_event_url(database_url: str) -> str:
    ledger = open_ledger(database_url)
    ledger.append_many([consent_given(effective_at=at(day)) for day in range(3)])
    ledger.engine.dispose()
    return database_url


def ledger_command(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["ledger", *arguments])
    return result.exit_code, result.output


def test_ledger_verify_says_how_many_events_verified_and_exits_0(three_event_url: str) -> None:
    code, output = ledger_command("verify", "--database-url", three_event_url)

    assert code == 0, output
    assert "intact: 3 events verified" in output


def test_ledger_verify_names_the_first_bad_event_and_exits_1(three_event_url: str) -> None:
    ledger = open_ledger(three_event_url, upgrade=False)
    run_sql(ledger, "UPDATE ledger_events SET body = replace(body, 'ipko', 'ipkx') WHERE seq = 2")

    code, output = ledger_command("verify", "--database-url", three_event_url)

    assert code == 1
    assert "broken at position 2" in output
    assert "altered" in output


def test_ledger_verify_reads_the_database_url_setting(
    three_event_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from placet.settings import get_settings

    monkeypatch.setenv("PLACET_DATABASE_URL", three_event_url)
    get_settings.cache_clear()
    try:
        code, output = ledger_command("verify")
    finally:
        get_settings.cache_clear()

    assert code == 0, output
    assert "3 events verified" in output


def test_ledger_verify_of_a_database_without_a_ledger_exits_1_with_advice(
    sqlite_url: str,
) -> None:
    code, output = ledger_command("verify", "--database-url", sqlite_url)

    assert code == 1
    assert "placet ledger upgrade" in output


def test_ledger_upgrade_creates_an_empty_ledger_that_verifies(database_url: str) -> None:
    code, output = ledger_command("upgrade", "--database-url", database_url)

    assert code == 0, output
    assert "schema revision" in output
    code, output = ledger_command("verify", "--database-url", database_url)
    assert code == 0, output
    assert "intact: 0 events verified" in output
