"""`placet dsr send-code` and `confirm-code`: a one-time code sent through the outbox the
settings name (a folder for the demo, a real SMTP server), confirmed or refused with the
same words for everyone; `placet dsr verify --how` records an in-person check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from placet.cli.dsr import dsr_app
from placet.cli.main import PlacetGroup
from placet.dsr.outbox import FolderOutbox
from placet.operations.verification import CODE_SENT_ANSWER
from placet.settings import get_settings
from tests.operations.smtp_server import code_in, running_smtp_server

runner = CliRunner()
app = typer.Typer(cls=PlacetGroup, pretty_exceptions_enable=False)
app.add_typer(dsr_app, name="dsr")

RECEIVED = "2026-03-15T09:30:00Z"
SENT = "2026-03-15T10:00:00Z"
WRONG_OR_EXPIRED = "The code is wrong or has expired. Check it, or ask for a new code."


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FolderOutbox]:
    """Placet's settings on a fresh SQLite file, codes written to a folder outbox."""
    monkeypatch.setenv("PLACET_DATABASE_URL", f"sqlite:///{tmp_path / 'placet.db'}")
    monkeypatch.setenv("PLACET_PSEUDONYM_KEY", "11" * 32)
    monkeypatch.setenv("PLACET_CODE_KEY", "22" * 32)
    monkeypatch.setenv("PLACET_POLICY", "ipko")
    monkeypatch.setenv("PLACET_OUTBOX", f"folder:{tmp_path / 'outbox'}")
    get_settings.cache_clear()
    yield FolderOutbox(tmp_path / "outbox")
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["dsr", *args])
    return result.exit_code, result.output


def open_request(subscriber: str = "38344111222") -> str:
    code, output = run(
        "open",
        "--kind",
        "access",
        "--subject",
        subscriber,
        "--channel",
        "web",
        "--actor",
        "portal",
        "--received",
        RECEIVED,
        "--at",
        RECEIVED,
    )
    assert code == 0, output
    return output.split()[1]


def send_code(request_id: str, *options: str) -> tuple[int, str]:
    return run("send-code", request_id, *options, "--at", SENT)


def test_a_code_sent_to_the_outbox_folder_verifies_the_request(outbox: FolderOutbox) -> None:
    request_id = open_request()

    status, sent = send_code(request_id, "--channel", "email", "--to", "jana@example.com")
    [message] = outbox.messages()
    status_confirmed, confirmed = run(
        "confirm-code",
        request_id,
        code_in(message.body),
        "--actor",
        "portal",
        "--at",
        "2026-03-15T10:04:00Z",
    )
    _, shown = run("show", request_id, "--at", "2026-03-16T00:00:00Z")

    assert (status, status_confirmed) == (0, 0), sent + confirmed
    assert sent == f"request {request_id}: {CODE_SENT_ANSWER}\n"
    assert message.to == "jana@example.com"
    assert "Your identity is confirmed" in confirmed
    assert "verified by portal, now verified" in confirmed
    assert "verified  received -> verified  by portal: one-time code sent by e-mail to " in shown
    assert "j***@example.com  verified, 1 of 5 attempts used" in shown


def test_a_wrong_code_exits_1_and_too_many_spend_the_code(outbox: FolderOutbox) -> None:
    request_id = open_request()
    send_code(request_id, "--channel", "sms", "--to", "+38344111222")
    [message] = outbox.messages()
    right = code_in(message.body)
    wrong = "000000" if right != "000000" else "111111"

    attempts = [
        run("confirm-code", request_id, wrong, "--actor", "portal", "--at", SENT) for _ in range(5)
    ]
    status, spent = run("confirm-code", request_id, right, "--actor", "portal", "--at", SENT)
    _, shown = run("show", request_id, "--json", "--at", SENT)

    assert set(attempts) == {(1, f"request {request_id}: {WRONG_OR_EXPIRED}\n")}
    assert (status, spent) == (1, f"request {request_id}: {WRONG_OR_EXPIRED}\n")
    [code] = json.loads(shown)["codes"]
    assert code["state"] == "locked"
    assert code["attempts_used"] == 6
    assert code["sent_to"] == "+383 44 *** 222"
    assert json.loads(shown)["state"] == "received"


def test_a_code_expires_after_ten_minutes(outbox: FolderOutbox) -> None:
    request_id = open_request()
    send_code(request_id, "--channel", "email", "--to", "jana@example.com")
    [message] = outbox.messages()

    status, output = run(
        "confirm-code",
        request_id,
        code_in(message.body),
        "--actor",
        "portal",
        "--at",
        "2026-03-15T10:10:00Z",
    )

    assert (status, output) == (1, f"request {request_id}: {WRONG_OR_EXPIRED}\n")


def test_send_and_confirm_answer_alike_for_a_request_without_a_code(
    outbox: FolderOutbox,
) -> None:
    sent_for = open_request("38344111222")
    never_sent_for = open_request("38344000000")
    send_code(sent_for, "--channel", "email", "--to", "jana@example.com")

    answers = [
        run("confirm-code", request_id, "123456", "--actor", "portal", "--at", SENT)
        for request_id in (sent_for, never_sent_for)
    ]

    assert [
        (status, output.replace(request_id, "ID"))
        for (status, output), request_id in zip(answers, (sent_for, never_sent_for), strict=True)
    ] == [(1, f"request ID: {WRONG_OR_EXPIRED}\n")] * 2


def test_a_code_is_sent_through_a_real_smtp_server(
    outbox: FolderOutbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_smtp_server() as server:
        monkeypatch.setenv("PLACET_OUTBOX", server.url)
        get_settings.cache_clear()
        request_id = open_request()

        status, output = send_code(request_id, "--channel", "email", "--to", "jana@example.com")

    assert status == 0, output
    [message] = server.received
    assert message["To"] == "jana@example.com"
    assert outbox.messages() == []
    status, output = run(
        "confirm-code", request_id, code_in(message), "--actor", "portal", "--at", SENT
    )
    assert status == 0, output


def test_a_malformed_address_is_refused_before_anything_is_sent(outbox: FolderOutbox) -> None:
    request_id = open_request()

    status, output = send_code(request_id, "--channel", "sms", "--to", "044 123 456")

    assert status == 1
    assert "not in E.164 form" in output
    assert outbox.messages() == []


def test_without_a_code_key_no_code_is_sent(
    outbox: FolderOutbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLACET_CODE_KEY")
    get_settings.cache_clear()
    request_id = open_request()

    status, output = send_code(request_id, "--channel", "email", "--to", "jana@example.com")

    assert status == 1
    assert "PLACET_CODE_KEY is not set" in output
    assert outbox.messages() == []


def test_agent_verifies_in_person_and_records_how(outbox: FolderOutbox) -> None:
    request_id = open_request()

    status, output = run(
        "verify", request_id, "--how", "passport seen at shop", "--actor", "shop-7", "--at", SENT
    )
    _, shown = run("show", request_id, "--json", "--at", SENT)

    assert status == 0, output
    step = json.loads(shown)["steps"][-1]
    assert (step["kind"], step["actor"], step["reason"]) == (
        "verified",
        "shop-7",
        "passport seen at shop",
    )
    status, refused = send_code(request_id, "--channel", "email", "--to", "jana@example.com")
    assert status == 1
    assert "is verified: identity is verified only" in refused
