"""One-time codes that prove a requester holds the subscriber's e-mail address or number.

Pure: no I/O and no clock; every instant is passed in. Imports nothing outside the
standard library and `placet.errors`. A code is kept only as its keyed digest,
HMAC-SHA-256(key, challenge id || code), compared in constant time; it expires at
`expires_at` and locks after `max_attempts` tries. The requester learns only
`verified` or `wrong-or-expired`; the challenge's `state` tells staff which.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from placet.errors import RequestError

__all__ = [
    "MIN_CODE_KEY_BYTES",
    "ChallengeState",
    "CodeChallenge",
    "CodeChannel",
    "CodeOutcome",
    "SignInChallenge",
    "check_code",
    "issue_code",
    "mask_address",
]

MIN_CODE_KEY_BYTES = 16
"""A shorter key could be found by trying every key against a stored digest."""


class CodeChannel(StrEnum):
    """How a code reaches the requester; the values are those of `policy.terms.Channel`."""

    EMAIL = "email"
    SMS = "sms"

    @property
    def label(self) -> str:
        """The channel as a sentence names it: "by e-mail", "by SMS"."""
        return "e-mail" if self is CodeChannel.EMAIL else "SMS"


class ChallengeState(StrEnum):
    """Where a challenge stands, for staff: the requester is told only the outcome."""

    PENDING = "pending"
    """Sent; waiting for the code."""
    VERIFIED = "verified"
    """The right code came in time; it cannot be used again."""
    EXPIRED = "expired"
    """A code was offered at or after `expires_at`."""
    LOCKED = "locked"
    """`max_attempts` wrong codes were offered."""


class CodeOutcome(StrEnum):
    """What the requester is told about a code they offered."""

    VERIFIED = "verified"
    WRONG_OR_EXPIRED = "wrong-or-expired"
    """A wrong, expired, used or locked code, or none was sent: all read the same, so
    that an answer never tells whether a subscriber exists or how close a guess came."""


@dataclass(frozen=True, slots=True)
class CodeChallenge:
    """A code sent for a request: where (masked), its digest, its life and its attempts.

    It never holds the code, so that a stored challenge cannot be used to answer itself."""

    challenge_id: str
    request_id: str
    channel: CodeChannel
    sent_to: str
    """The masked address, as staff may see it: `j***@example.com`, `+383 44 *** 456`."""
    digest: str = field(repr=False)
    """HMAC-SHA-256(key, challenge id || code), in hex."""
    issued_at: datetime
    expires_at: datetime
    attempts_used: int
    max_attempts: int
    state: ChallengeState

    @property
    def attempts_left(self) -> int:
        return max(self.max_attempts - self.attempts_used, 0)

    @property
    def how_verified(self) -> str:
        """The reason recorded on the request's `verified` step."""
        return f"one-time code sent by {self.channel.label} to {self.sent_to}"


@dataclass(frozen=True, slots=True)
class SignInChallenge:
    """A code sent to sign a subscriber in (or, for a decoy, sent to nobody): the
    challenge, the subscriber it signs in (None for a decoy), and the address's keyed
    digest, by which the codes sent to one address are counted."""

    challenge: CodeChallenge
    subscriber: str | None
    address_digest: str


def issue_code(
    request_id: str,
    channel: CodeChannel,
    address: str,
    *,
    key: bytes,
    at: datetime,
    ttl: timedelta = timedelta(minutes=10),
    digits: int = 6,
    max_attempts: int = 5,
    random: Callable[[], int] | None = None,
    challenge_id: str | None = None,
) -> tuple[CodeChallenge, str]:
    """A new challenge for `request_id` and the code to send to `address`.

    The code is `digits` decimal digits drawn by `secrets` unless `random` is given
    (a function returning an integer in [0, 10**digits), for tests and demos). Send the
    code and keep the challenge; the code itself must not be stored."""
    _check_key(key)
    issued_at = _aware(at, "at")
    if not 4 <= digits <= 10:
        raise RequestError(f"A code has 4 to 10 digits; {digits} were asked. Use 6.")
    if max_attempts < 1:
        raise RequestError(f"A code needs at least one attempt; {max_attempts} were asked.")
    if ttl <= timedelta():
        raise RequestError(f"A code must live for some time; its ttl was {ttl}. Use 10 minutes.")
    if not request_id.strip():
        raise RequestError("A code is sent for a request; the request id was blank.")
    bound = 10**digits
    value = random() if random is not None else secrets.randbelow(bound)
    if not 0 <= value < bound:
        raise RequestError(
            f"The code source gave {value}, outside [0, {bound}) for a {digits}-digit code. "
            "Give a source that returns an integer in that range."
        )
    code = f"{value:0{digits}d}"
    identifier = challenge_id or secrets.token_hex(8)
    challenge = CodeChallenge(
        challenge_id=identifier,
        request_id=request_id,
        channel=CodeChannel(channel),
        sent_to=mask_address(channel, address),
        digest=_digest(key, identifier, code),
        issued_at=issued_at,
        expires_at=issued_at + ttl,
        attempts_used=0,
        max_attempts=max_attempts,
        state=ChallengeState.PENDING,
    )
    return challenge, code


def check_code(
    challenge: CodeChallenge, offered: str, *, key: bytes, at: datetime
) -> tuple[CodeChallenge, CodeOutcome]:
    """The challenge after `offered` is tried at `at`, and what the requester is told.

    Every attempt counts, even on a challenge that is no longer pending. The code is
    accepted only while the challenge is pending, before `expires_at`; the attempt that
    uses the last try locks it unless it was right. Spaces in `offered` are ignored."""
    _check_key(key)
    at = _aware(at, "at")
    candidate = re.sub(r"\s+", "", offered)
    # Digests of equal length, compared in constant time: how long the comparison takes
    # says nothing about how many leading digits were right.
    matches = hmac.compare_digest(
        _digest(key, challenge.challenge_id, candidate).encode("ascii"),
        challenge.digest.encode("ascii"),
    )
    used = challenge.attempts_used + 1
    state = challenge.state
    if state is ChallengeState.PENDING:
        if at >= challenge.expires_at:
            state = ChallengeState.EXPIRED
        elif matches:
            state = ChallengeState.VERIFIED
        elif used >= challenge.max_attempts:
            state = ChallengeState.LOCKED
    accepted = challenge.state is ChallengeState.PENDING and state is ChallengeState.VERIFIED
    outcome = CodeOutcome.VERIFIED if accepted else CodeOutcome.WRONG_OR_EXPIRED
    return replace(challenge, attempts_used=used, state=state), outcome


def mask_address(channel: CodeChannel, address: str) -> str:
    """The address with most of it hidden, to tell staff and the requester where a code
    went: `jana@example.com` -> `j***@example.com`, `+38344123456` -> `+383 44 *** 456`."""
    if CodeChannel(channel) is CodeChannel.EMAIL:
        local, at_sign, domain = address.strip().rpartition("@")
        if not at_sign or not local or "." not in domain:
            raise RequestError(
                "The e-mail address to send a code to is not of the form name@domain. "
                "Correct it in the subscriber's records."
            )
        return f"{local[0]}***@{domain.lower()}"
    number = re.sub(r"[\s().-]", "", address)
    if not re.fullmatch(r"\+[1-9]\d{6,14}", number):
        raise RequestError(
            "The number to send a code to is not in E.164 form (+, country code, number, "
            "such as +38344123456). Correct it in the subscriber's records."
        )
    digits = number[1:]
    country = digits[: _country_code_length(digits)]
    national = digits[len(country) :]
    if len(national) < 8:
        return f"+{country} *** {national[-2:]}"
    return f"+{country} {national[:2]} *** {national[-3:]}"


_SHORT_COUNTRY_CODES = frozenset({20, 27, *range(30, 35), 36, 39, 40, 41, *range(43, 50)}) | (
    frozenset({*range(51, 59), *range(60, 67), 81, 82, 84, 86, *range(90, 96), 98})
)
"""The two-digit country calling codes (ITU-T E.164); 1 and 7 have one digit, every
other code three. Calling codes are prefix-free, so the first digits decide."""


def _country_code_length(digits: str) -> int:
    if digits[0] in "17":
        return 1
    return 2 if int(digits[:2]) in _SHORT_COUNTRY_CODES else 3


def _digest(key: bytes, challenge_id: str, code: str) -> str:
    # The challenge id is bound in, so that a digest copied to another challenge, or the
    # digests of two challenges compared, tell nothing about either code.
    message = f"{challenge_id}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _check_key(key: bytes) -> None:
    if len(key) < MIN_CODE_KEY_BYTES:
        raise RequestError(
            f"The key for one-time codes has {len(key)} bytes; it needs at least "
            f"{MIN_CODE_KEY_BYTES}. Generate one with `python -c 'import secrets; "
            "print(secrets.token_hex(32))'` and keep it out of the database."
        )


def _aware(instant: datetime, what: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise RequestError(
            f"{what} {instant.isoformat()} has no time zone. Pass a timezone-aware instant, "
            "such as datetime(2025, 3, 15, 9, 30, tzinfo=UTC)."
        )
    return instant.astimezone(UTC)
