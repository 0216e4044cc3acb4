"""Verifying a requester's identity: send a one-time code, confirm it, or record that an
agent saw an identity document.

`request_code`, `confirm_code` and `verified_in_person` take what they need (the request,
the address the subscriber's records hold, the outbox, the code key, the instant) and
return the new values for the caller to keep. `send_request_code` and
`confirm_request_code` do the same on a request kept in a `CodeBook`, which keeps the
challenges too. Nothing here reads settings or the clock; the answers given to the
requester never tell whether a subscriber exists.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from placet.dsr import RequestState, Step, SubjectRequest, verified
from placet.dsr.outbox import (
    FolderOutbox,
    MemoryOutbox,
    Outbox,
    SmsOutbox,
    SmsSender,
    SmtpOutbox,
    code_message,
)
from placet.dsr.verification import (
    MIN_CODE_KEY_BYTES,
    CodeChallenge,
    CodeChannel,
    CodeOutcome,
    check_code,
    issue_code,
    mask_address,
)
from placet.errors import RequestError, SettingsError
from placet.operations.requests import RequestBook, load_request
from placet.settings import secret_from_hex

__all__ = [
    "CODE_SENT_ANSWER",
    "MAX_CODES_PER_REQUEST",
    "NO_ADDRESS",
    "AddressOf",
    "CodeAsked",
    "CodeBook",
    "CodeConfirmed",
    "Outboxes",
    "code_key_from_hex",
    "confirm_code",
    "confirm_request_code",
    "given_address",
    "open_outboxes",
    "plugged_in",
    "request_code",
    "send_request_code",
    "verified_in_person",
]

AddressOf = Callable[[str, CodeChannel], "str | None"]
"""Where the operator's records say a subscriber gets codes: `address_of(subscriber,
channel)`, the e-mail address or number (E.164) on record, or None when the subscriber is
unknown or has none for that channel."""

ATTEMPT_RETRIES = 20
MAX_CODES_PER_REQUEST = 5
"""Codes one request may be sent. Each code allows a few attempts, so without a cap a
guesser would only need to ask for codes again; with it, guessing a 6-digit code succeeds
once in 40,000 requests opened, each of which staff see. Requests for unknown subscribers
count their (decoy) challenges the same way, so the cap tells nothing either."""
NO_ADDRESS = "(no address on record)"
"""What a decoy challenge says it was sent to: staff see it in `placet dsr show`."""
_DECOY_ADDRESSES = {"email": "decoy@invalid.example", "sms": "+10000000000"}
"""How often a code is checked again when other attempts on the same challenge keep coming
first: each round, one of the racing attempts is stored."""


class CodeBook(RequestBook, Protocol):
    """A request book that also gives the subscriber a request is for and keeps the code
    challenges sent for it (`placet.stores.sql_requests.SqlRequestBook`)."""

    def subscriber(self, request_id: str) -> str | None: ...
    def add_challenge(self, challenge: CodeChallenge) -> None: ...
    def latest_challenge(self, request_id: str) -> CodeChallenge | None: ...
    def challenges(self, request_id: str) -> list[CodeChallenge]: ...
    def record_attempt(
        self,
        request: SubjectRequest,
        before: CodeChallenge,
        after: CodeChallenge,
        step: Step | None = None,
    ) -> bool: ...


log = logging.getLogger(__name__)

CODE_SENT_ANSWER = (
    "If the details match our records, a code has been sent. Enter it to confirm your request."
)
"""What the requester is told on asking for a code, whether or not one was sent."""

_ANSWERS = {
    CodeOutcome.VERIFIED: "Your identity is confirmed; we are handling your request.",
    CodeOutcome.WRONG_OR_EXPIRED: (
        "The code is wrong or has expired. Check it, or ask for a new code."
    ),
}


@dataclass(frozen=True, slots=True)
class CodeAsked:
    """The answer to a request for a code: `answer` for the requester, always the same;
    `challenge` for the caller to keep (None when no subscriber's address was known)."""

    answer: str
    challenge: CodeChallenge | None


@dataclass(frozen=True, slots=True)
class CodeConfirmed:
    """The result of a code offered: what the requester is told, the challenge to keep
    (None when none was sent) and the request, with a `verified` step when it was right."""

    outcome: CodeOutcome
    challenge: CodeChallenge | None
    request: SubjectRequest

    @property
    def answer(self) -> str:
        return _ANSWERS[self.outcome]


def request_code(
    request: SubjectRequest,
    channel: CodeChannel,
    address: str | None,
    *,
    outbox: Outbox,
    key: bytes,
    at: datetime,
    ttl: timedelta = timedelta(minutes=10),
    language: str = "en",
    random: Callable[[], int] | None = None,
    keep: Callable[[CodeChallenge], None] | None = None,
) -> CodeAsked:
    """Send a one-time code for `request` to `address`, the subscriber's e-mail address or
    number on record for `channel`; `address` is None when the details given match no
    subscriber, and then nothing is sent. The answer reads the same either way.

    `keep`, when given, is called with the new challenge before the code is sent, so that
    a code that arrives always has its challenge kept. A request that can no longer be
    verified (already verified, in progress, final), and a key too short, are refused with
    `RequestError` whatever the address, so the refusal tells nothing either. A delivery
    failure is raised: the operator must fix the outbox."""
    _check_verifiable(request)
    _check_code_key(key)
    channel = CodeChannel(channel)
    if address is None:
        log.info("code asked; no subscriber matched", extra={"request": request.request_id})
        if keep is None:
            return CodeAsked(CODE_SENT_ANSWER, None)
        # A decoy: a challenge whose code nobody was sent, kept like a real one, so that
        # attempts on it are counted and refused, and codes capped, exactly as for a
        # subscriber who exists.
        decoy, _ = issue_code(
            request.request_id,
            channel,
            _DECOY_ADDRESSES[channel.value],
            key=key,
            at=at,
            ttl=ttl,
        )
        keep(dataclasses.replace(decoy, sent_to=NO_ADDRESS))
        return CodeAsked(CODE_SENT_ANSWER, None)
    challenge, code = issue_code(
        request.request_id, channel, address, key=key, at=at, ttl=ttl, random=random
    )
    if keep is not None:
        keep(challenge)
    outbox.send(code_message(channel, address, code, request.request_id, language, valid_for=ttl))
    log.info(
        "one-time code sent",
        extra={
            "request": request.request_id,
            "challenge": challenge.challenge_id,
            "channel": str(channel),
        },
    )
    return CodeAsked(CODE_SENT_ANSWER, challenge)


def confirm_code(
    request: SubjectRequest,
    challenge: CodeChallenge | None,
    offered: str,
    *,
    key: bytes,
    at: datetime,
    actor: str = "one-time-code",
) -> CodeConfirmed:
    """Try the code `offered` against the challenge kept for `request` (None when none was
    sent, so that a made-up subscriber gets the same answer as a wrong code). A right code
    records the lifecycle's `verified` step, by `actor`, with where the code went as the
    reason."""
    _check_verifiable(request)
    if challenge is None:
        return CodeConfirmed(CodeOutcome.WRONG_OR_EXPIRED, None, request)
    if challenge.request_id != request.request_id:
        raise RequestError(
            f"Challenge {challenge.challenge_id} was issued for request "
            f"{challenge.request_id}, not {request.request_id}. Check the code against the "
            "challenge kept with its own request."
        )
    challenge, outcome = check_code(challenge, offered, key=key, at=at)
    log.info(
        "one-time code tried",
        extra={
            "request": request.request_id,
            "challenge": challenge.challenge_id,
            "state": str(challenge.state),
        },
    )
    if outcome is CodeOutcome.VERIFIED:
        request = verified(request, actor=actor, at=at, reason=challenge.how_verified)
    return CodeConfirmed(outcome, challenge, request)


def send_request_code(
    book: CodeBook,
    request_id: str,
    channel: CodeChannel,
    *,
    address_of: AddressOf,
    outbox: Outbox,
    key: bytes,
    at: datetime,
    ttl: timedelta = timedelta(minutes=10),
    language: str = "en",
    random: Callable[[], int] | None = None,
) -> CodeAsked:
    """Send a one-time code for the stored request to the address `address_of` gives for
    its subscriber, and keep the challenge in `book` as the request's latest (the one a
    code is checked against). The answer reads the same whether or not an address was
    found; an address on record that is unusable (not name@domain, not E.164) is logged
    for staff and answered as if there were none."""
    request = load_request(book, request_id)
    _check_verifiable(request)
    _check_code_key(key)
    channel = CodeChannel(channel)
    sent = len(book.challenges(request_id))
    if sent >= MAX_CODES_PER_REQUEST:
        raise RequestError(
            f"Request {request_id} has been sent {sent} codes, the most one request may be "
            "sent: verify the requester another way (in person, `placet dsr verify --how`), "
            "or reject the request and ask them to make a new one."
        )
    subscriber = book.subscriber(request_id)
    address = None if subscriber is None else address_of(subscriber, channel)
    if address is not None:
        try:
            mask_address(channel, address)
        except RequestError:
            log.warning(
                "address on record unusable for one-time codes",
                extra={"request": request_id, "channel": channel.value},
            )
            address = None
    return request_code(
        request,
        channel,
        address,
        outbox=outbox,
        key=key,
        at=at,
        ttl=ttl,
        language=language,
        random=random,
        keep=book.add_challenge,
    )


def confirm_request_code(
    book: CodeBook,
    request_id: str,
    offered: str,
    *,
    key: bytes,
    at: datetime,
    actor: str = "one-time-code",
) -> CodeConfirmed:
    """Try the code `offered` against the challenge sent last for the stored request, store
    the attempt and, when the code is right, the request's `verified` step with it.

    Every attempt is stored, over the attempt it was made after: when another attempt on
    the same challenge was stored first, the code is checked again against the challenge
    as it now stands, so that concurrent attempts never exceed the challenge's tries.
    Without a challenge (no code sent: an unknown subscriber) the answer is that of a wrong
    code, and nothing is stored."""
    _check_code_key(key)
    for _ in range(ATTEMPT_RETRIES):
        request = load_request(book, request_id)
        _check_verifiable(request)
        before = book.latest_challenge(request_id)
        confirmed = confirm_code(request, before, offered, key=key, at=at, actor=actor)
        if before is None or confirmed.challenge is None:
            return confirmed
        step = confirmed.request.steps[-1] if confirmed.outcome is CodeOutcome.VERIFIED else None
        if book.record_attempt(request, before, confirmed.challenge, step):
            return confirmed
        log.debug("code attempt raced another; checking again", extra={"request": request_id})
    raise RequestError(
        f"Request {request_id}: the code could not be checked, because other attempts on "
        f"the same code kept coming first ({ATTEMPT_RETRIES} times). Wait a moment and "
        "offer the code again."
    )


def given_address(channel: CodeChannel, address: str) -> AddressOf:
    """An `address_of` that answers `address`, given by an agent from the subscriber's
    records, for every subscriber; an address not of the channel's form is refused here,
    where the agent can correct it."""
    mask_address(channel, address)
    stripped = address.strip()

    def address_of(_subscriber: str, asked: CodeChannel) -> str | None:
        return stripped if CodeChannel(asked) is CodeChannel(channel) else None

    return address_of


def verified_in_person(
    request: SubjectRequest, *, actor: str, document: str, at: datetime
) -> SubjectRequest:
    """Record that `actor`, a staff id, saw `document` (an ID card, a passport) of the
    requester: the `verified` step with reason "in person: ID card seen by agent-12"."""
    if not document.strip():
        raise RequestError(
            f"Request {request.request_id}: say which document was seen (an ID card, a "
            "passport), without its number; it was blank."
        )
    reason = f"in person: {document.strip()} seen by {actor.strip()}"
    return verified(request, actor=actor, at=at, reason=reason)


def _check_code_key(key: bytes) -> None:
    # Checked before anything depends on the address: a short key refused only for known
    # subscribers would tell which ones exist.
    if len(key) < MIN_CODE_KEY_BYTES:
        raise RequestError(
            f"The key for one-time codes has {len(key)} bytes; it needs at least "
            f"{MIN_CODE_KEY_BYTES}. Set PLACET_CODE_KEY to one made with `python -c 'import "
            "secrets; print(secrets.token_hex(32))'`."
        )


def _check_verifiable(request: SubjectRequest) -> None:
    if request.state not in {RequestState.RECEIVED, RequestState.VERIFYING}:
        raise RequestError(
            f"Request {request.request_id} is {request.state}: identity is verified only "
            "while it is received or verifying, so no code is sent or checked for it."
        )


@dataclass(frozen=True, slots=True)
class Outboxes:
    """The outbox of each channel, as the settings give them; None where none is set."""

    email: Outbox | None = None
    sms: Outbox | None = None

    def for_channel(self, channel: CodeChannel) -> Outbox:
        """The outbox that sends by `channel`, or `SettingsError` saying which setting to set.

        Ask for it before looking an address up, so the refusal is the same for everyone."""
        channel = CodeChannel(channel)
        outbox = self.email if channel is CodeChannel.EMAIL else self.sms
        if outbox is not None:
            return outbox
        if channel is CodeChannel.EMAIL:
            raise SettingsError(
                "PLACET_OUTBOX",
                "is not set, so no code can be sent by e-mail",
                "Set it to smtp://host:port?from=privacy@operator.example (or folder:PATH "
                "for a demo) and restart",
            )
        raise SettingsError(
            "PLACET_SMS_GATEWAY",
            "is not set, so no code can be sent by SMS",
            "Set it to the operator's gateway as module:factory (or PLACET_OUTBOX to "
            "folder:PATH for a demo) and restart",
        )


def open_outboxes(url: str | None, *, sms_gateway: str | None = None) -> Outboxes:
    """The outboxes that the settings `PLACET_OUTBOX` (`url`) and `PLACET_SMS_GATEWAY`
    describe: `smtp://[user:password@]host[:port]?from=…[&starttls=true]` for e-mail,
    `folder:PATH` or `memory` for both channels, and `module:factory` for SMS."""
    outboxes = Outboxes() if url is None else _outboxes_of(url)
    if sms_gateway is not None:
        outboxes = Outboxes(email=outboxes.email, sms=SmsOutbox(_sms_sender(sms_gateway)))
    return outboxes


def code_key_from_hex(text: str) -> bytes:
    """The code key as `PLACET_CODE_KEY` holds it: hex digits, at least 16 bytes."""
    return secret_from_hex(
        text,
        "PLACET_CODE_KEY",
        least=MIN_CODE_KEY_BYTES,
        needed_for="one-time codes need a key of",
        fix=_CODE_KEY_FIX,
    )


_CODE_KEY_FIX = (
    "Set it to a key made with `python -c 'import secrets; print(secrets.token_hex(32))'` "
    "and restart"
)


def _outboxes_of(url: str) -> Outboxes:
    parts = urlsplit(url.strip())
    if parts.scheme == "smtp":
        query = parse_qs(parts.query)
        sender = query.get("from", [""])[0]
        if not parts.hostname or "@" not in sender:
            raise SettingsError(
                "PLACET_OUTBOX",
                "names an SMTP server without a host or a sender",
                "Write it as smtp://host:port?from=privacy@operator.example",
            )
        try:
            port = parts.port or 25
        except ValueError as exc:
            raise SettingsError(
                "PLACET_OUTBOX", "has a port that is not a number", "Write it as smtp://host:587"
            ) from exc
        starttls = query.get("starttls", ["false"])[0].lower() in {"true", "1", "yes"}
        email = SmtpOutbox(
            parts.hostname,
            port,
            sender,
            starttls=starttls,
            username=None if parts.username is None else unquote(parts.username),
            password=None if parts.password is None else unquote(parts.password),
        )
        return Outboxes(email=email)
    if parts.scheme == "folder" and parts.path:
        folder = FolderOutbox(Path(unquote(parts.path)))
        return Outboxes(email=folder, sms=folder)
    if url.strip() == "memory":
        memory = MemoryOutbox()
        return Outboxes(email=memory, sms=memory)
    raise SettingsError(
        "PLACET_OUTBOX",
        "is neither an smtp:// URL, a folder:PATH nor memory",
        "Write it as smtp://host:port?from=privacy@operator.example, or folder:PATH for a demo",
    )


def plugged_in(reference: str, setting: str, returns: str) -> Any:
    """What the factory a `module:factory` setting names returns, called with no argument:
    `SettingsError` naming `setting` when it cannot be imported or called. `returns` says
    what the factory should give back (`an object with send_sms(to, text)`)."""
    module_name, _, attribute = reference.strip().partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
        return factory()
    except (ImportError, AttributeError, ValueError, TypeError) as exc:
        raise SettingsError(
            setting,
            f"names '{reference}', which cannot be imported and called "
            f"({type(exc).__name__}: {exc})",
            f"Give it as module:factory, a function that returns {returns}, and restart",
        ) from exc


def _sms_sender(reference: str) -> SmsSender:
    sender = plugged_in(reference, "PLACET_SMS_GATEWAY", "an object with send_sms(to, text)")
    if not callable(getattr(sender, "send_sms", None)):
        raise SettingsError(
            "PLACET_SMS_GATEWAY",
            f"names '{reference}', which returned an object without send_sms(to, text)",
            "Give a factory that returns the gateway, and restart",
        )
    gateway: SmsSender = sender
    return gateway
