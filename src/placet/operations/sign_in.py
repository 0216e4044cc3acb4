"""Signing a subscriber in by a one-time code sent to their number or e-mail address.

`send_sign_in_code` and `confirm_sign_in_code` reuse the primitives of the requests' codes
(`issue_code`, `check_code`: keyed digests, constant-time comparison, expiry, a limit of
attempts) with a book of their own, since a sign-in belongs to no request. The answers
never tell whether a subscriber exists: an address that names nobody gets a decoy
challenge, kept and counted like a real one, whose code nobody is sent. Nothing here reads
settings or the clock.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from placet.dsr.outbox import Message, Outbox
from placet.dsr.verification import (
    MIN_CODE_KEY_BYTES,
    CodeChallenge,
    CodeChannel,
    CodeOutcome,
    SignInChallenge,
    check_code,
    issue_code,
    mask_address,
)
from placet.errors import RequestError
from placet.ledger import ConsentLog, PseudonymKey
from placet.operations.recording import subject_ref
from placet.operations.sms_keywords import MsisdnHolder

__all__ = [
    "MAX_CODES_PER_ADDRESS",
    "SIGN_IN_TTL",
    "SIGN_IN_WINDOW",
    "SignInAsked",
    "SignInBook",
    "SignInChallenge",
    "SignInConfirmed",
    "SignInLimitError",
    "SubscriberDirectory",
    "confirm_sign_in_code",
    "ledger_directory",
    "send_sign_in_code",
    "subscriber_directory",
]

log = logging.getLogger(__name__)

SubscriberDirectory = Callable[[CodeChannel, str, datetime], "str | None"]
"""Who signs in with an address: `directory(channel, address, at)` is the identifier of the
subscriber whose number or e-mail address it is at `at`, or None for nobody."""

SIGN_IN_TTL = timedelta(minutes=10)
"""How long a sign-in code stays valid."""
SIGN_IN_WINDOW = timedelta(hours=1)
MAX_CODES_PER_ADDRESS = 5
"""Codes one address may be sent within `SIGN_IN_WINDOW`. Each code allows a few attempts;
without a cap a guesser would only need to ask again. Decoys count the same way, so the
cap tells nothing about who is a subscriber."""
_ATTEMPT_RETRIES = 20
_PURPOSE = "sign-in"
"""The `request_id` of a sign-in challenge: it is bound into the code's digest, so a
sign-in code can never confirm a request, nor a request's code sign anyone in."""


class SignInLimitError(RequestError):
    """Too many codes were asked for one address lately."""

    def __init__(self) -> None:
        super().__init__(
            f"This address was sent {MAX_CODES_PER_ADDRESS} sign-in codes within the last "
            "hour, the most it may be sent. Use a code already sent, or wait an hour."
        )


class SignInBook(Protocol):
    """Where sign-in challenges are kept (`placet.stores.sql_sign_in.SqlSignInBook`)."""

    def add(self, sent: SignInChallenge) -> None: ...
    def get(self, challenge_id: str) -> SignInChallenge | None: ...
    def sent_since(self, address_digest: str, since: datetime) -> int: ...
    def record_attempt(self, before: CodeChallenge, after: CodeChallenge) -> bool: ...


@dataclass(frozen=True, slots=True)
class SignInAsked:
    """The answer to a request for a sign-in code, the same whether or not one was sent:
    the challenge to offer the code against, and where the code went, masked."""

    challenge_id: str
    sent_to: str


@dataclass(frozen=True, slots=True)
class SignInConfirmed:
    """A code offered: `verified` with the subscriber it signs in, or `wrong-or-expired`
    (wrong, expired, used, locked, a decoy's or unknown) with no subscriber."""

    outcome: CodeOutcome
    subscriber: str | None
    how_verified: str = ""
    """Where the code went, as a request's `verified` step records it: "one-time code
    sent by SMS to +383 44 *** 456"."""


def send_sign_in_code(
    book: SignInBook,
    directory: SubscriberDirectory,
    channel: CodeChannel,
    address: str,
    *,
    outbox: Outbox,
    key: bytes,
    at: datetime,
    controller: str,
    language: str = "en",
    ttl: timedelta = SIGN_IN_TTL,
    random: Callable[[], int] | None = None,
) -> SignInAsked:
    """Send a sign-in code to `address` when `directory` names a subscriber for it, and keep
    the challenge (a decoy's when it names nobody). An address not of the channel's form is
    refused with `RequestError`, and a sixth code within the hour with `SignInLimitError`,
    for everyone alike, before the directory is asked."""
    _check_key(key)
    channel = CodeChannel(channel)
    normalised = _normalised(channel, address)
    sent_to = mask_address(channel, normalised)
    address_digest = _address_digest(key, channel, normalised)
    if book.sent_since(address_digest, at - SIGN_IN_WINDOW) >= MAX_CODES_PER_ADDRESS:
        raise SignInLimitError()
    subscriber = directory(channel, normalised, at)
    challenge, code = issue_code(
        _PURPOSE, channel, normalised, key=key, at=at, ttl=ttl, random=random
    )
    book.add(SignInChallenge(challenge, subscriber, address_digest))
    if subscriber is None:
        log.info("sign-in code asked; no subscriber matched")
        return SignInAsked(challenge.challenge_id, sent_to)
    outbox.send(sign_in_message(channel, normalised, code, controller, language, valid_for=ttl))
    log.info(
        "sign-in code sent",
        extra={"challenge": challenge.challenge_id, "channel": channel.value},
    )
    return SignInAsked(challenge.challenge_id, sent_to)


def confirm_sign_in_code(
    book: SignInBook, challenge_id: str, offered: str, *, key: bytes, at: datetime
) -> SignInConfirmed:
    """Try `offered` against the challenge `challenge_id`; every attempt is stored over the
    one it was made after, so that attempts made at once never exceed the code's tries."""
    _check_key(key)
    for _ in range(_ATTEMPT_RETRIES):
        stored = book.get(challenge_id)
        if stored is None:
            return SignInConfirmed(CodeOutcome.WRONG_OR_EXPIRED, None)
        after, outcome = check_code(stored.challenge, offered, key=key, at=at)
        if not book.record_attempt(stored.challenge, after):
            continue
        log.info("sign-in code tried", extra={"challenge": challenge_id, "state": str(after.state)})
        if outcome is CodeOutcome.VERIFIED and stored.subscriber is not None:
            return SignInConfirmed(outcome, stored.subscriber, after.how_verified)
        return SignInConfirmed(CodeOutcome.WRONG_OR_EXPIRED, None)
    raise RequestError(
        "The sign-in code could not be checked, because other attempts on the same code "
        "kept coming first. Wait a moment and offer the code again."
    )


def ledger_directory(ledger: ConsentLog, key: PseudonymKey) -> SubscriberDirectory:
    """A directory for operators that name subscribers by their number or e-mail address:
    the address itself, when the ledger holds events about that subject."""

    def directory(_channel: CodeChannel, address: str, _at: datetime) -> str | None:
        known = ledger.history(subject_ref(address, key))
        return address if known else None

    return directory


def subscriber_directory(
    ledger: ConsentLog, key: PseudonymKey, msisdn_holder: MsisdnHolder | None
) -> SubscriberDirectory:
    """Numbers resolved by `msisdn_holder` (the estate's MSISDN identity) when there is one,
    and everything else by `ledger_directory`."""
    by_ledger = ledger_directory(ledger, key)
    if msisdn_holder is None:
        return by_ledger

    def directory(channel: CodeChannel, address: str, at: datetime) -> str | None:
        if CodeChannel(channel) is CodeChannel.SMS:
            return msisdn_holder(address, at)
        return by_ledger(channel, address, at)

    return directory


_TEXTS: dict[str, tuple[str, str]] = {
    "en": (
        "Your sign-in code",
        "{code} is your code to sign in to the {controller} privacy center. It expires in "
        "{minutes} minutes. Our staff never ask for it by phone.",
    ),
    "sq": (
        "Kodi juaj i hyrjes",
        "{code} është kodi juaj për të hyrë në qendrën e privatësisë së {controller}. "
        "Skadon pas {minutes} minutash. Stafi ynë nuk jua kërkon kurrë me telefon.",
    ),
    "sr": (
        "Vaš kod za prijavu",
        "{code} je vaš kod za prijavu u centar za privatnost {controller}. Ističe za "
        "{minutes} minuta. Naše osoblje ga nikada ne traži telefonom.",
    ),
    "da": (
        "Din login-kode",
        "{code} er din kode til at logge ind i {controller}s privatlivscenter. Den udløber "
        "om {minutes} minutter. Vores medarbejdere beder aldrig om den i telefonen.",
    ),
}
"""The sign-in message by language (English where a language is missing); each names the
code's use and life, and that staff never ask for it by phone."""


def sign_in_message(
    channel: CodeChannel,
    to: str,
    code: str,
    controller: str,
    language: str = "en",
    *,
    valid_for: timedelta = SIGN_IN_TTL,
) -> Message:
    """The message that carries a sign-in `code` to `to`."""
    subject, body = _TEXTS.get(language, _TEXTS["en"])
    minutes = max(int(valid_for.total_seconds() // 60), 1)
    text = body.format(code=code, controller=controller, minutes=minutes)
    return Message(channel=CodeChannel(channel), to=to, subject=subject, body=text)


def _normalised(channel: CodeChannel, address: str) -> str:
    text = address.strip()
    if channel is CodeChannel.EMAIL:
        return text.lower()
    number = "".join(character for character in text if character not in " ().-")
    return "+" + number[2:] if number.startswith("00") else number


def _address_digest(key: bytes, channel: CodeChannel, address: str) -> str:
    message = f"{_PURPOSE}\x00{channel.value}\x00{address}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _check_key(key: bytes) -> None:
    if len(key) < MIN_CODE_KEY_BYTES:
        raise RequestError(
            f"The key for one-time codes has {len(key)} bytes; it needs at least "
            f"{MIN_CODE_KEY_BYTES}. Set PLACET_CODE_KEY to one made with `python -c 'import "
            "secrets; print(secrets.token_hex(32))'`."
        )
