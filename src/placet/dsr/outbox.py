"""Where one-time codes are sent from: an `Outbox` per channel, and the text of a code.

This module does I/O: `SmtpOutbox` talks to an SMTP server with the standard library's
`smtplib`, and `SmsOutbox` hands texts to a pluggable `SmsSender` (an operator's SMS
gateway). `MemoryOutbox` keeps what it is given, for the demo and the tests. Imports
nothing outside the standard library, `placet.errors` and `placet.dsr.verification`.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from placet.dsr.verification import CodeChannel
from placet.errors import RequestError

__all__ = [
    "MemoryOutbox",
    "Message",
    "Outbox",
    "SmsOutbox",
    "SmsSender",
    "SmtpOutbox",
    "code_message",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Message:
    """A message to one address; `subject` is left out of an SMS."""

    channel: CodeChannel
    to: str
    subject: str
    body: str = field(repr=False)


class Outbox(Protocol):
    """Something that delivers a message, or raises `RequestError` saying why it could not."""

    def send(self, message: Message) -> None: ...


class SmsSender(Protocol):
    """An SMS gateway: sends `text` to the number `to` (E.164), or raises."""

    def send_sms(self, to: str, text: str) -> None: ...


class SmtpOutbox:
    """Sends e-mail through an SMTP server, with STARTTLS and login where asked."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.starttls = starttls
        self.username = username
        self._password = password
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"SmtpOutbox({self.host!r}, {self.port}, {self.sender!r})"

    def send(self, message: Message) -> None:
        _check_channel(message, CodeChannel.EMAIL, "SmtpOutbox")
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = make_msgid()
        email.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username is not None:
                    smtp.login(self.username, self._password or "")
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            # The address stays out of the message: it is personal data, and staff find
            # the request by its id.
            raise RequestError(
                f"The e-mail could not be sent through the SMTP server {self.host}:"
                f"{self.port} ({type(exc).__name__}: {exc}). Check that the server "
                "answers and accepts this sender, then ask for a new code."
            ) from exc
        log.debug("e-mail handed to SMTP", extra={"host": self.host})


class SmsOutbox:
    """Sends SMS through the operator's gateway, given as an `SmsSender`."""

    def __init__(self, sender: SmsSender) -> None:
        self.sender = sender

    def send(self, message: Message) -> None:
        _check_channel(message, CodeChannel.SMS, "SmsOutbox")
        self.sender.send_sms(message.to, message.body)


class MemoryOutbox:
    """Keeps every message it is given, in order, instead of delivering it: the demo's
    outbox, where the one-time codes can be read, and the tests'."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)

    def sent_to(self, to: str) -> list[Message]:
        """The messages sent to `to`, oldest first."""
        return [message for message in self.messages if message.to == to]


_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Your code for request {request_id}",
        "email": (
            "Your one-time code is {code}.\n\n"
            "Enter it to confirm that you made request {request_id} about your personal "
            "data. It expires in {minutes} minutes.\n\n"
            "Our staff will never ask you for this code by phone. If you did not make "
            "this request, ignore this message: nothing happens without the code.\n"
        ),
        "sms": (
            "{code} is your code to confirm request {request_id}. It expires in {minutes} "
            "minutes. Our staff never ask for it by phone."
        ),
    },
}
"""The texts of a code message, by language; each names the code's purpose, its life, and
that staff never ask for it by phone, so that a caller who does is known for a fraud."""


def code_message(
    channel: CodeChannel,
    to: str,
    code: str,
    request_id: str,
    language: str = "en",
    *,
    valid_for: timedelta = timedelta(minutes=10),
) -> Message:
    """The message that carries `code` for `request_id` to `to`."""
    texts = _TEXTS.get(language)
    if texts is None:
        raise RequestError(
            f"There is no code message in '{language}'. Use one of: {', '.join(_TEXTS)}."
        )
    channel = CodeChannel(channel)
    minutes = max(int(valid_for.total_seconds() // 60), 1)
    values = {"code": code, "request_id": request_id, "minutes": minutes}
    return Message(
        channel=channel,
        to=to,
        subject=texts["subject"].format(**values),
        body=texts[channel.value].format(**values),
    )


def _check_channel(message: Message, channel: CodeChannel, outbox: str) -> None:
    if message.channel is not channel:
        raise RequestError(
            f"{outbox} sends {channel.label} only; it was given a message by "
            f"{message.channel.label}. Pass it to the outbox of that channel."
        )
