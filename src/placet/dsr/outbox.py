"""Where one-time codes are sent from: an `Outbox` per channel, and the text of a code.

This module does I/O: `SmtpOutbox` talks to an SMTP server with the standard library's
`smtplib`, and `SmsOutbox` hands texts to a pluggable `SmsSender` (an operator's SMS
gateway). `MemoryOutbox` keeps what it is given, for the tests, and `FolderOutbox` writes
each message to a file, for the demo. Imports nothing outside the standard library,
`placet.errors` and `placet.dsr.verification`.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from placet.dsr.verification import CodeChannel
from placet.errors import RequestError

__all__ = [
    "FolderOutbox",
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


class FolderOutbox:
    """Writes each message, e-mail or SMS, to a file of its own in `folder` instead of
    delivering it: the demo's outbox, where the one-time codes can be read.

    The files hold the codes and the addresses in clear: never point a production
    setting at it. Each file is an RFC 5322 message (`.eml`), named after the instant it
    was written, so the folder lists oldest first; `X-Placet-Channel` says the channel."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"FolderOutbox({str(self.folder)!r})"

    def send(self, message: Message) -> None:
        # Lines unwrapped and unencoded (8bit), so that the code reads as sent in any editor.
        written = EmailMessage(policy=default_policy.clone(max_line_length=None))
        written["X-Placet-Channel"] = message.channel.value
        written["To"] = message.to
        written["Subject"] = message.subject
        written["Date"] = formatdate(usegmt=True)
        written.set_content(message.body, cte="8bit")
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with (self.folder / name).open("xb") as file:
                file.write(written.as_bytes())
        except OSError as exc:
            raise RequestError(
                f"The message could not be written to the outbox folder {self.folder} "
                f"({type(exc).__name__}: {exc}). Check that the folder is writable, then "
                "ask for a new code."
            ) from exc
        log.debug("message written to the outbox folder", extra={"folder": str(self.folder)})

    def messages(self) -> list[Message]:
        """The messages written so far, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.eml")):
            parsed = message_from_bytes(path.read_bytes(), policy=default_policy)
            body = parsed.get_body(preferencelist=("plain",))
            content = body.get_content() if isinstance(body, EmailMessage) else ""
            found.append(
                Message(
                    channel=CodeChannel(str(parsed["X-Placet-Channel"])),
                    to=str(parsed["To"]),
                    subject=str(parsed["Subject"]),
                    body=content,
                )
            )
        return found


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
