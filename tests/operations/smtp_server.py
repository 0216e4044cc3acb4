"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the tests that send one-time codes."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class SmtpServer:
    """The server's address and every message it received, oldest first."""

    host: str
    port: int
    received: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"

    @property
    def url(self) -> str:
        """The server as `PLACET_OUTBOX` names it."""
        return f"smtp://{self.host}:{self.port}?from=privacy@operator.example"


@contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    """Start a server on a free port, and stop it after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = SmtpServer("127.0.0.1", port)
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def code_in(text: str | EmailMessage) -> str:
    """The six-digit code of a code message (an e-mail, or its text)."""
    if isinstance(text, EmailMessage):
        body = text.get_body(preferencelist=("plain",))
        assert body is not None
        text = str(body.get_content())
    found = re.search(r"\b(\d{6})\b", text)
    assert found is not None, text
    return found.group(1)
