"""Withdrawals by the one-click unsubscribe link (RFC 8058) of marketing e-mails: a signed
token naming the subscriber by pseudonym, the option and the channel. See
`placet.operations.withdrawal_channels`."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Final

from placet.errors import AccessError, InvalidEventError, SettingsError
from placet.ledger import (
    CollectedVia,
    ConsentLog,
    LedgerEvent,
    PseudonymKey,
    SubjectRef,
)
from placet.operations.recording import Recorded, subject_ref
from placet.operations.withdrawal_channels import append_once, require_aware, withdrawal_event
from placet.policy import ConsentOption, Policy, PolicySet
from placet.policy.terms import Channel

__all__ = [
    "MIN_UNSUBSCRIBE_KEY_BYTES",
    "UnsubscribeKey",
    "UnsubscribeLink",
    "UnsubscribeLinkError",
    "Unsubscribed",
    "list_unsubscribe_headers",
    "read_unsubscribe_token",
    "unsubscribe",
    "unsubscribe_token",
]

log = logging.getLogger(__name__)


_TOKEN_VERSION: Final = 1
_TOKEN_CONTEXT: Final = b"placet unsubscribe link\x00"
_MAC_BYTES: Final = 32
_EPOCH: Final = date(1970, 1, 1).toordinal()
_TOKEN_TEXT = re.compile(r"^[A-Za-z0-9_-]{1,600}$")
_OPTION_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MIN_UNSUBSCRIBE_KEY_BYTES: Final = 16


class UnsubscribeLinkError(AccessError):
    """An unsubscribe link was altered, cut short or not made with the operator's key, or
    cannot be made as asked."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}. {fix}")


@dataclass(frozen=True, slots=True)
class UnsubscribeKey:
    """The secret that signs unsubscribe links (HMAC-SHA-256); its repr never shows it.

    Keep it apart from the pseudonym key: a link names the subscriber by pseudonym, and
    whoever holds this key can make links for anyone.
    """

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_UNSUBSCRIBE_KEY_BYTES:
            raise SettingsError(
                "PLACET_UNSUBSCRIBE_KEY",
                f"has {len(self.secret)} bytes; it needs at least {MIN_UNSUBSCRIBE_KEY_BYTES}",
                "Generate one with `python -c 'import secrets; print(secrets.token_hex(32))'`",
            )

    @classmethod
    def from_hex(cls, text: str) -> UnsubscribeKey:
        """The key written as hex digits, as `secrets.token_hex(32)` prints it."""
        try:
            return cls(bytes.fromhex(text.strip()))
        except ValueError as exc:
            raise SettingsError(
                "PLACET_UNSUBSCRIBE_KEY",
                "is not written in hex digits",
                "Generate one with `python -c 'import secrets; print(secrets.token_hex(32))'`",
            ) from exc


@dataclass(frozen=True, slots=True)
class UnsubscribeLink:
    """What a verified unsubscribe token says: whom, from which option, on which channel."""

    subject: SubjectRef
    option: str
    channel: Channel
    issued_on: date
    digest: str
    """SHA-256 of the token's bytes, in hex: the same link always has the same digest."""


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    """A link followed: what it said, and the withdrawal recorded (or found) for it."""

    link: UnsubscribeLink
    recorded: Recorded


def unsubscribe_token(
    subscriber: str,
    option: str,
    channel: Channel,
    key: UnsubscribeKey,
    issued_at: datetime,
    *,
    pseudonym_key: PseudonymKey,
) -> str:
    """An opaque, URL-safe token for the unsubscribe link of one mailing to one subscriber.

    It holds the subscriber's ledger pseudonym (never the identifier), the consent option,
    the channel and the day it was issued, signed with HMAC-SHA-256 under `key`. Put it in
    the link (`list_unsubscribe_headers`); `unsubscribe` verifies it.
    """
    require_aware(issued_at, "issued_at")
    if not _OPTION_ID.match(option):
        raise UnsubscribeLinkError(
            f"{option!r} is not a consent option's id", "Give the id (`current-offers`)"
        )
    subject = subject_ref(subscriber, pseudonym_key)
    day = issued_at.astimezone(UTC).date().toordinal() - _EPOCH
    payload = (
        bytes([_TOKEN_VERSION])
        + bytes.fromhex(subject)
        + day.to_bytes(3, "big")
        + _field(Channel(channel).value)
        + _field(option)
    )
    token = payload + _mac(key, payload)
    return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")


def list_unsubscribe_headers(base_url: str, token: str) -> dict[str, str]:
    """The e-mail headers of one-click unsubscription (RFC 8058 §3.1) for a token.

    `base_url` is where this API's `/v1/unsubscribe` is reached from the internet; for
    `https://privacy.example.com/v1/unsubscribe` and the token `abc` the headers are

        List-Unsubscribe: <https://privacy.example.com/v1/unsubscribe/abc>
        List-Unsubscribe-Post: List-Unsubscribe=One-Click
    """
    if not base_url.startswith("https://"):
        raise UnsubscribeLinkError(
            f"the unsubscribe base URL {base_url!r} is not an https:// URL",
            "RFC 8058 needs an HTTPS URI in List-Unsubscribe: give the public https address "
            "of /v1/unsubscribe",
        )
    return {
        "List-Unsubscribe": f"<{base_url.rstrip('/')}/{token}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def read_unsubscribe_token(token: str, key: UnsubscribeKey) -> UnsubscribeLink:
    """Verify a token (in constant time) and say what it names; records nothing."""
    raw = _decode(token)
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, _mac(key, payload)):
        raise _not_valid()
    try:
        if payload[0] != _TOKEN_VERSION:
            raise ValueError("unknown version")
        subject = SubjectRef(payload[1:33].hex())
        issued_on = date.fromordinal(int.from_bytes(payload[33:36], "big") + _EPOCH)
        channel, rest = _read_field(payload[36:])
        option, rest = _read_field(rest)
        if rest or len(subject) != 64:
            raise ValueError("trailing bytes")
        return UnsubscribeLink(
            subject, option, Channel(channel), issued_on, hashlib.sha256(raw).hexdigest()
        )
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise _not_valid() from exc


def unsubscribe(
    ledger: ConsentLog,
    policies: PolicySet,
    key: UnsubscribeKey,
    token: str,
    *,
    at: datetime,
    actor: str = "unsubscribe-link",
) -> Unsubscribed:
    """Record the withdrawal an unsubscribe link asks for, effective at `at`.

    The option is withdrawn on the link's channel (entirely when the option does not list
    that channel). The same link followed again returns the withdrawal first recorded.
    """
    require_aware(at, "at")
    link = read_unsubscribe_token(token, key)
    idempotency_key = f"unsubscribe-{link.digest[:32]}"
    first = ledger.entry_by_key(idempotency_key)
    effective = at if first is None else first.event.effective_at

    def build(instant: datetime) -> list[LedgerEvent]:
        policy = policies.in_force(instant)
        option = _option_of(policy, link.option)
        covered = not option.channels or link.channel in option.channels
        return [
            withdrawal_event(
                policy,
                link.subject,
                option,
                frozenset({link.channel}) if covered else frozenset(),
                effective_at=instant,
                recorded_at=at,
                collected_via=CollectedVia.UNSUBSCRIBE_LINK,
                actor=actor,
                evidence=f"unsubscribe link of {link.issued_on.isoformat()} ({link.digest[:16]})",
                idempotency_key=idempotency_key,
                personal=None,
            )
        ]

    (recorded,) = append_once(ledger, build, effective)
    if recorded.created:
        log.info(
            "withdrawal by unsubscribe link recorded",
            extra={"subject": link.subject, "option": link.option, "channel": link.channel},
        )
    return Unsubscribed(link, recorded)


def _option_of(policy: Policy, option_id: str) -> ConsentOption:
    for option in policy.consent_options:
        if option.id == option_id:
            return option
    raise InvalidEventError(
        f"the unsubscribe link names consent option '{option_id}', which policy "
        f"{policy.policy_id} {policy.version} no longer has",
        "There is nothing left to withdraw under it; nothing was recorded",
    )


def _mac(key: UnsubscribeKey, payload: bytes) -> bytes:
    return hmac.new(key.secret, _TOKEN_CONTEXT + payload, hashlib.sha256).digest()


def _field(text: str) -> bytes:
    encoded = text.encode("utf-8")
    if len(encoded) > 255:
        raise UnsubscribeLinkError(
            f"{text[:40]!r}… is too long for an unsubscribe link", "Give a consent option's id"
        )
    return bytes([len(encoded)]) + encoded


def _read_field(data: bytes) -> tuple[str, bytes]:
    length = data[0]
    if len(data) < 1 + length:
        raise ValueError("cut short")
    return data[1 : 1 + length].decode("utf-8"), data[1 + length :]


def _decode(token: str) -> bytes:
    if not _TOKEN_TEXT.match(token):
        raise _not_valid()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise _not_valid() from exc
    # Only the text the operator issued: a last letter that differs in its unused bits
    # decodes to the same bytes, but is not the link that was sent.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
        raise _not_valid()
    return raw


def _not_valid() -> UnsubscribeLinkError:
    return UnsubscribeLinkError(
        "This unsubscribe link is not valid: it was altered, cut short or not made by the operator",
        "Nothing was recorded. Follow the link exactly as the e-mail gives it, or withdraw "
        "the consent another way the privacy notice names",
    )
