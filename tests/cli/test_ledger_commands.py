"""`placet ledger verify|upgrade`: exit 0 with a count when intact, 1 naming the first bad event."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest
from typer.testing import CliRunner

from placet.cli.main import app
from placet.ledger.receipts import generate_signing_key, jwks_document
from placet.settings import get_settings
from placet.stores.sql_ledger import open_ledger
from tests.doc_pages import as_documented, console_steps, fenced_block
from tests.ledger.builders import at, consent_given
from tests.stores.conftest import an_audience_run, rewrite_from, run_sql


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
    monkeypatch.setenv("PLACET_DATABASE_URL", three_event_url)
    get_settings.cache_clear()
    try:
        code, output = ledger_command("verify")
    finally:
        get_settings.cache_clear()

    assert code == 0, output
    assert "3 events verified" in output


def test_ledger_verify_of_a_database_without_a_ledger_exits_1_with_advice(
    empty_sqlite_url: str,
) -> None:
    code, output = ledger_command("verify", "--database-url", empty_sqlite_url)

    assert code == 1
    assert "placet ledger upgrade" in output


def test_ledger_upgrade_creates_an_empty_ledger_that_verifies(empty_database_url: str) -> None:
    code, output = ledger_command("upgrade", "--database-url", empty_database_url)

    assert code == 0, output
    assert "schema revision" in output
    code, output = ledger_command("verify", "--database-url", empty_database_url)
    assert code == 0, output
    assert "intact: 0 events verified" in output


@pytest.fixture
def receipt_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The operator's signing key in PLACET_RECEIPT_SIGNING_KEY (its id in
    PLACET_RECEIPT_KEY_ID); its published JWKS file."""
    key = generate_signing_key("ipko-2026")
    (tmp_path / "key.pem").write_text(key.to_pem(), encoding="utf-8")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(jwks_document([key.verification_key])), encoding="utf-8")
    monkeypatch.setenv("PLACET_RECEIPT_SIGNING_KEY", str(tmp_path / "key.pem"))
    monkeypatch.setenv("PLACET_RECEIPT_KEY_ID", "ipko-2026")
    monkeypatch.setenv("PLACET_POLICY", "ipko")
    get_settings.cache_clear()
    yield jwks
    get_settings.cache_clear()


def test_a_checkpoint_signed_by_placet_ledger_checkpoint_is_checked_by_verify_until_cut_back(
    three_event_url: str, receipt_key: Path, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "checkpoint.jws"

    signed = ledger_command(
        "checkpoint", "--database-url", three_event_url, "--output", str(checkpoint)
    )
    held = ledger_command(
        "verify", "--database-url", three_event_url,
        "--checkpoint", str(checkpoint), "--keys", str(receipt_key),
    )  # fmt: skip
    ledger = open_ledger(three_event_url, upgrade=False)
    second = ledger.hash_at(2)
    run_sql(
        ledger,
        "DELETE FROM ledger_personal_payloads",
        "DELETE FROM ledger_events WHERE seq = 3",
        f"UPDATE ledger_head SET seq = 2, hash = '{second}'",
    )
    ledger.engine.dispose()
    cut = ledger_command(
        "verify", "--database-url", three_event_url,
        "--checkpoint", str(checkpoint), "--keys", str(receipt_key),
    )  # fmt: skip

    assert signed[0] == 0, signed[1]
    assert "events at position 3, decision records at 0" in signed[1]
    assert held[0] == 0, held[1]
    assert f"Checkpoint {checkpoint} (IPKO" in held[1]
    assert "the ledger still holds event 3 and decision record 0 as signed" in held[1]
    assert cut[0] == 1
    assert "intact: 2 events verified" in cut[1]
    assert "does not match the signed checkpoint" in cut[1]
    assert "the events' chain ends before position 3" in cut[1]


def test_placet_ledger_verify_wants_the_published_keys_with_a_checkpoint(
    three_event_url: str, tmp_path: Path
) -> None:
    code, output = ledger_command(
        "verify", "--database-url", three_event_url, "--checkpoint", str(tmp_path / "c.jws")
    )

    assert code == 2
    assert "--keys" in output


SIGNED_AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


class _SigningClock(datetime):
    """`placet ledger checkpoint`'s clock, at the page's instant."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return SIGNED_AT.astimezone(tz)


def test_the_verify_and_checkpoint_examples_of_the_ledger_page_answer_as_they_say(
    receipt_key: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each console example of docs/ledger.md's "Verifying" and "Signed checkpoints", in
    order, on a ledger of the page's size; the hashes and event ids the page abbreviates are
    this ledger's own, and each comment is what was done before the command."""
    monkeypatch.chdir(tmp_path)
    receipt_key.rename("jwks.json")
    monkeypatch.setenv("PLACET_DATABASE_URL", "sqlite:///placet.db")
    monkeypatch.setattr("placet.cli.ledger.datetime", _SigningClock)
    get_settings.cache_clear()
    ledger = open_ledger("sqlite:///placet.db")
    entries = ledger.append_many([consent_given(effective_at=at(n / 24)) for n in range(1204)])
    for _ in range(12):
        an_audience_run(ledger, SIGNED_AT)
    edit = "UPDATE ledger_events SET body = replace(body, '{}', '{}') WHERE seq = 5"

    def a_day_later() -> None:
        ledger.append_many([consent_given(effective_at=at(60 + n / 24)) for n in range(187)])
        for _ in range(2):
            an_audience_run(ledger, SIGNED_AT + timedelta(days=1))

    done_before: dict[str, Callable[[], None]] = {
        "after someone edited row 5 in SQL": lambda: run_sql(
            ledger, edit.format("agent-0042", "agent-0666")
        ),
        "a day later": a_day_later,
        "after a rewrite of everything": lambda: rewrite_from(
            ledger, "ledger_events", "ledger_head", 1
        ),
    }
    abbreviated: dict[str, Callable[[], str | None]] = {
        "9c1f": lambda: entries[-1].hash,
        "1f0c": lambda: str(entries[4].event.event_id),
        "4be1": lambda: ledger.head().hash,
        "77d0": lambda: ledger.hash_at(1204),
    }
    for after in ("From the command line, against", "### Signed checkpoints"):
        for arguments, comment, printed in console_steps(
            fenced_block("ledger.md", "console", after)
        ):
            if comment:
                done_before.pop(comment)()
            expected = printed
            for shown, value in abbreviated.items():
                expected = expected.replace(f"{shown}…", f"{(value() or '')[:4]}…")
            result = CliRunner().invoke(app, arguments)

            assert result.exit_code == (1 if "error:" in printed else 0), result.output
            assert as_documented(result.output, expected), (arguments, result.output)
        run_sql(ledger, edit.format("agent-0666", "agent-0042"))  # restored from a backup
    assert not done_before, f"docs/ledger.md no longer shows {sorted(done_before)}"
