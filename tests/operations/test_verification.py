"""Identity verification end to end: a code sent through a real local SMTP server, read back
from the message received, and confirmed; unknown subscribers get the same answer."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from placet.dsr import (
    ChallengeState,
    CodeChannel,
    CodeOutcome,
    MemoryOutbox,
    RequestState,
    SmsOutbox,
    SmtpOutbox,
    start_verification,
)
from placet.errors import RequestError
from placet.operations.verification import (
    CODE_SENT_ANSWER,
    confirm_code,
    request_code,
    verified_in_person,
)
from tests.dsr.builders import make_request, utc

KEY = bytes(range(32))
"""The tests' code key; never a production key."""
ASKED = utc(2025, 3, 15, 10)
ADDRESS = "jana@example.com"


@dataclass
class Collecting:
    """An aiosmtpd handler that keeps each message it receives."""

    received: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"


@dataclass
class RecordingSms:
    """An SMS gateway that records what it is asked to send, as a gateway's test double."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def send_sms(self, to: str, text: str) -> None:
        self.sent.append((to, text))


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpOutbox, Collecting]]:
    """A real SMTP server on 127.0.0.1 and a free port, and an outbox that sends to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collecting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpOutbox("127.0.0.1", port, "privacy@operator.example"), handler
    finally:
        controller.stop()


def code_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"one-time code is (\d{6})", body.get_content())
    assert found is not None
    return found.group(1)


def test_a_code_sent_by_smtp_verifies_the_request(smtp: tuple[SmtpOutbox, Collecting]) -> None:
    outbox, server = smtp
    request = start_verification(make_request(), actor="agent-7", at=ASKED)

    asked = request_code(request, CodeChannel.EMAIL, ADDRESS, outbox=outbox, key=KEY, at=ASKED)
    [received] = server.received
    code = code_in(received)
    confirmed = confirm_code(
        request, asked.challenge, code, key=KEY, at=ASKED + timedelta(minutes=3)
    )

    assert received["To"] == ADDRESS
    assert received["Subject"] == "Your code for request DSR-1"
    assert confirmed.outcome is CodeOutcome.VERIFIED
    assert confirmed.request.state is RequestState.VERIFIED
    step = confirmed.request.steps[-1]
    assert step.reason == "one-time code sent by e-mail to j***@example.com"
    assert step.actor == "one-time-code"


def test_an_unknown_subscriber_gets_the_same_answer_and_nothing_is_sent(
    smtp: tuple[SmtpOutbox, Collecting],
) -> None:
    outbox, server = smtp
    request = make_request()

    known = request_code(request, CodeChannel.EMAIL, ADDRESS, outbox=outbox, key=KEY, at=ASKED)
    unknown = request_code(request, CodeChannel.EMAIL, None, outbox=outbox, key=KEY, at=ASKED)

    assert unknown.answer == known.answer == CODE_SENT_ANSWER
    assert unknown.challenge is None
    assert len(server.received) == 1


def test_a_code_for_an_unknown_subscriber_reads_like_a_wrong_code() -> None:
    request = make_request()
    outbox = MemoryOutbox()
    known = request_code(request, CodeChannel.SMS, "+38344123456", outbox=outbox, key=KEY, at=ASKED)

    unknown = confirm_code(request, None, "123456", key=KEY, at=ASKED)
    wrong = confirm_code(request, known.challenge, "000000", key=KEY, at=ASKED)

    assert unknown.outcome is wrong.outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert unknown.answer == wrong.answer
    assert unknown.request.state is wrong.request.state is RequestState.RECEIVED


def test_a_code_sent_by_sms_goes_through_the_gateway() -> None:
    gateway = RecordingSms()
    request = make_request()

    asked = request_code(
        request,
        CodeChannel.SMS,
        "+38344123456",
        outbox=SmsOutbox(gateway),
        key=KEY,
        at=ASKED,
        random=lambda: 4321,
    )
    [(to, text)] = gateway.sent
    confirmed = confirm_code(request, asked.challenge, "004321", key=KEY, at=ASKED)

    assert to == "+38344123456"
    assert text.startswith("004321 is your code to confirm request DSR-1.")
    assert "never ask for it by phone" in text
    assert confirmed.request.steps[-1].reason == "one-time code sent by SMS to +383 44 *** 456"


def test_an_expired_code_leaves_the_request_unverified(
    smtp: tuple[SmtpOutbox, Collecting],
) -> None:
    outbox, server = smtp
    request = make_request()
    asked = request_code(request, CodeChannel.EMAIL, ADDRESS, outbox=outbox, key=KEY, at=ASKED)

    late = ASKED + timedelta(minutes=10)
    confirmed = confirm_code(
        request, asked.challenge, code_in(server.received[0]), key=KEY, at=late
    )

    assert confirmed.outcome is CodeOutcome.WRONG_OR_EXPIRED
    assert confirmed.challenge is not None
    assert confirmed.challenge.state is ChallengeState.EXPIRED
    assert confirmed.request.state is RequestState.RECEIVED


def test_an_e_mail_outbox_refuses_an_sms() -> None:
    request = make_request()
    outbox = SmtpOutbox("127.0.0.1", 1, "privacy@operator.example")
    with pytest.raises(RequestError, match="sends e-mail only"):
        request_code(request, CodeChannel.SMS, "+38344123456", outbox=outbox, key=KEY, at=ASKED)


def test_a_server_that_does_not_answer_is_an_error_naming_it_not_the_address() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outbox = SmtpOutbox("127.0.0.1", port, "privacy@operator.example", timeout=2)
    with pytest.raises(RequestError, match=f"SMTP server 127.0.0.1:{port}") as refused:
        request_code(make_request(), CodeChannel.EMAIL, ADDRESS, outbox=outbox, key=KEY, at=ASKED)
    assert ADDRESS not in str(refused.value)


def test_a_verified_request_is_sent_no_code_whoever_asks() -> None:
    request = verified_in_person(make_request(), actor="agent-12", document="ID card", at=ASKED)
    for address in (ADDRESS, None):
        with pytest.raises(RequestError, match="is verified: identity is verified only"):
            request_code(
                request, CodeChannel.EMAIL, address, outbox=MemoryOutbox(), key=KEY, at=ASKED
            )


def test_in_person_verification_records_the_document_and_the_agent() -> None:
    request = verified_in_person(make_request(), actor="agent-12", document="ID card", at=ASKED)

    assert request.state is RequestState.VERIFIED
    assert request.steps[-1].reason == "in person: ID card seen by agent-12"
    assert request.steps[-1].actor == "agent-12"


def test_in_person_verification_needs_the_document() -> None:
    with pytest.raises(RequestError, match="say which document was seen"):
        verified_in_person(make_request(), actor="agent-12", document=" ", at=ASKED)
