"""`placet dsr …`: a request opened, taken through its steps with who and why, listed by
what is due and shown step by step; refusals are one line and exit status 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from placet.cli.dsr import dsr_app
from placet.cli.main import PlacetGroup
from placet.settings import get_settings

runner = CliRunner()
app = typer.Typer(cls=PlacetGroup, pretty_exceptions_enable=False)
app.add_typer(dsr_app, name="dsr")

SUBSCRIBER = "38344111222"
RECEIVED = "2026-03-15T09:30:00Z"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'placet.db'}"
    monkeypatch.setenv("PLACET_DATABASE_URL", url)
    monkeypatch.setenv("PLACET_PSEUDONYM_KEY", "11" * 32)
    monkeypatch.setenv("PLACET_POLICY", "ipko")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["dsr", *args])
    return result.exit_code, result.output


def open_request(kind: str = "access", received: str = RECEIVED) -> str:
    code, output = run(
        "open",
        "--kind",
        kind,
        "--subject",
        SUBSCRIBER,
        "--channel",
        "shop",
        "--actor",
        "shop-7",
        "--received",
        received,
        "--at",
        received,
    )
    assert code == 0, output
    return output.split()[1]


def test_a_request_goes_from_open_to_fulfilled_with_an_ipko_extension(database: str) -> None:
    request_id = open_request()
    assert request_id == "DSR-2026-000001"
    steps = [
        (
            "verify",
            "--how",
            "in person: ID card seen",
            "--actor",
            "shop-7",
            "--at",
            "2026-03-15T09:40:00Z",
        ),
        ("start", "--actor", "agent-9", "--at", "2026-03-16T08:00:00Z"),
        (
            "extend",
            "--reason",
            "twelve systems to search",
            "--notified",
            "2026-04-10T10:00:00Z",
            "--actor",
            "agent-9",
            "--at",
            "2026-04-10T11:00:00Z",
        ),
        ("fulfil", "--actor", "agent-9", "--at", "2026-05-20T12:00:00Z"),
    ]
    outputs = []
    for command, *options in steps:
        code, output = run(command, request_id, *options)
        assert code == 0, output
        outputs.append(output)

    assert "now verified" in outputs[0]
    # On IPKO's clock (`controller.timezone`): summer time by June.
    assert "due 2026-06-15 23:59 CEST" in outputs[2]
    assert "fulfilled by agent-9, now fulfilled" in outputs[3]


def test_show_lists_every_step_with_who_when_and_why(database: str) -> None:
    request_id = open_request()
    run(
        "verify",
        request_id,
        "--how",
        "in person: ID card seen",
        "--actor",
        "shop-7",
        "--at",
        "2026-03-15T09:40:00Z",
    )

    code, output = run("show", request_id, "--at", "2026-03-20T00:00:00Z")

    assert code == 0, output
    assert f"subscriber: {SUBSCRIBER}" in output
    assert "policy: ipko" in output
    # Shown on IPKO's clock: 09:30 UTC was 10:30 in Pristina; the deadline ends at midnight
    # there, 21:59 UTC once summer time has begun.
    assert "deadline: due 2026-04-15 23:59 CEST, 26 days 21 h left" in output
    assert "1. 2026-03-15 10:30 CET  opened  received  by shop-7" in output
    assert "2. 2026-03-15 10:40 CET  verified  received -> verified  by shop-7: in person" in output


def test_show_json_carries_the_steps_and_the_pause(database: str) -> None:
    request_id = open_request()
    run("ask-identity", request_id, "--actor", "agent-7", "--at", "2026-03-17T10:00:00Z")

    code, output = run("show", request_id, "--json", "--at", "2026-03-20T10:00:00Z")

    assert code == 0, output
    shown = json.loads(output)
    assert [step["kind"] for step in shown["steps"]] == ["opened", "verification-started"]
    assert shown["is_paused"] is True
    assert shown["paused_seconds"] == 3 * 24 * 3600


def test_list_due_within_a_week_shows_the_due_date_time_left_and_overdue(database: str) -> None:
    late = open_request(received="2026-02-01T09:00:00Z")
    soon = open_request(received="2026-03-15T09:30:00Z")
    open_request(received="2026-04-01T09:00:00Z")

    code, output = run("list", "--due-within", "7", "--at", "2026-04-10T00:00:00Z")

    assert code == 0, output
    lines = output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{late}  access  received  due 2026-03-01 23:59 CET, OVERDUE")
    assert lines[1] == (f"{soon}  access  received  due 2026-04-15 23:59 CEST, 5 days 21 h left")


def test_list_json_marks_a_paused_request(database: str) -> None:
    request_id = open_request()
    run("ask-identity", request_id, "--actor", "agent-7", "--at", "2026-03-17T10:00:00Z")

    code, output = run("list", "--open", "--json", "--at", "2026-03-18T10:00:00Z")

    assert code == 0, output
    [listed] = json.loads(output)
    assert listed["request_id"] == request_id
    assert listed["state"] == "verifying"
    assert listed["is_paused"] is True


def test_ipnordic_refuses_an_extension_with_the_policys_words(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLACET_POLICY", "ipnordic")
    get_settings.cache_clear()
    request_id = open_request(kind="erasure")

    code, output = run(
        "extend",
        request_id,
        "--reason",
        "complex",
        "--notified",
        "2026-03-20T10:00:00Z",
        "--actor",
        "dpo",
        "--at",
        "2026-03-20T10:00:00Z",
    )

    assert code == 1
    assert "cannot be extended" in output
    assert "no extension" in output
    assert "Traceback" not in output


def test_a_step_not_allowed_from_the_state_says_what_is(database: str) -> None:
    request_id = open_request()

    code, output = run("fulfil", request_id, "--actor", "agent-9", "--at", "2026-03-16T00:00Z")

    assert code == 1
    assert "'fulfilled' may follow only in-progress" in output


def test_an_unknown_request_is_one_line_and_exit_status_1(database: str) -> None:
    code, output = run("show", "DSR-2026-999999")

    assert code == 1
    assert "There is no request DSR-2026-999999" in output


def test_reject_needs_a_reason_and_records_it(database: str) -> None:
    request_id = open_request()

    code, output = run(
        "reject",
        request_id,
        "--reason",
        "not our subscriber",
        "--actor",
        "dpo",
        "--at",
        "2026-03-16T00:00:00Z",
    )

    assert code == 0, output
    assert "now rejected" in output
