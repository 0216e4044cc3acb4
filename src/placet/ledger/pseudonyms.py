"""How the ledger names subjects and binds their personal data without holding it in the chain.

A subject is named by a keyed pseudonym, HMAC-SHA-256(key, identifier): the same
subscriber always gets the same reference, and nobody without the key can compute it
from a phone number. Personal data kept as evidence is bound to its event by a salted
commitment, SHA-256(salt || canonical(payload)), which the chained body holds; once the
payload and its salt are deleted, the commitment reveals nothing and the chain still
verifies. The key is passed in by the caller: this module never reads the environment.
Imports nothing outside the standard library, `placet.errors` and `placet.ledger`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from placet.errors import PseudonymKeyError
from placet.ledger.canonical import canonical_bytes
from placet.ledger.events import SubjectRef

__all__ = [
    "MIN_KEY_BYTES",
    "PseudonymKey",
    "commit_encoded",
    "commit_payload",
    "pseudonymise_subject",
    "pseudonymise_subjects",
    "pseudonyms_by_identifier",
]

MIN_KEY_BYTES = 16
"""A shorter key could be found by trying every key against a known pseudonym."""
_BLOCK = 64
"""SHA-256's block size in bytes: HMAC pads its key to it."""


@dataclass(frozen=True, slots=True)
class PseudonymKey:
    """The secret that turns identifiers into pseudonyms; its repr never shows it."""

    secret: bytes = field(repr=False)
    _inner: Any = field(init=False, repr=False, compare=False)
    _outer: Any = field(init=False, repr=False, compare=False)
    _pads: tuple[bytes, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_BYTES:
            raise PseudonymKeyError(
                f"the key has {len(self.secret)} bytes; it needs at least {MIN_KEY_BYTES}"
            )
        # HMAC (RFC 2104) hashes the key, padded to SHA-256's block, XOR ipad, then the
        # message; and the key XOR opad, then that digest. Both padded keys are hashed once
        # here, and each pseudonym starts from copies: three times faster than `hmac.new`,
        # which pads and hashes the key again for every identifier.
        block = self.secret if len(self.secret) <= _BLOCK else hashlib.sha256(self.secret).digest()
        block = block.ljust(_BLOCK, b"\0")
        pads = (bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block))
        object.__setattr__(self, "_pads", pads)
        object.__setattr__(self, "_inner", hashlib.sha256(pads[0]))
        object.__setattr__(self, "_outer", hashlib.sha256(pads[1]))

    def __reduce__(self) -> tuple[type[PseudonymKey], tuple[bytes]]:
        # Pickled (to a worker process) as its secret: hash states do not pickle.
        return (PseudonymKey, (self.secret,))

    def hmac_pads(self) -> tuple[bytes, bytes]:
        """The key padded to SHA-256's block, XOR ipad and XOR opad (RFC 2104): what another
        engine needs to compute the same HMAC. As secret as the key itself."""
        return self._pads

    @classmethod
    def from_hex(cls, text: str) -> PseudonymKey:
        """The key written as hex digits, as `secrets.token_hex(32)` prints it."""
        try:
            return cls(bytes.fromhex(text.strip()))
        except ValueError as exc:
            raise PseudonymKeyError("the key is not written in hex digits") from exc


def pseudonymise_subject(identifier: str, key: PseudonymKey) -> SubjectRef:
    """The subject's reference in the ledger: 64 hex digits of HMAC-SHA-256(key, identifier).

    Give a stable identifier in one normal form (a customer number, or an MSISDN in E.164):
    `+38344123456` and `044 123 456` name the same subscriber but not the same pseudonym.
    """
    inner = key._inner.copy()
    inner.update(identifier.encode("utf-8"))
    outer = key._outer.copy()
    outer.update(inner.digest())
    return SubjectRef(outer.hexdigest())


def pseudonymise_subjects(identifiers: Iterable[str], key: PseudonymKey) -> list[SubjectRef]:
    """`pseudonymise_subject` of each identifier, in order, for a whole column at once: the
    loop calls no function per identifier but the hash's own (0.80 µs an identifier here,
    against 0.96 µs)."""
    inner_copy = key._inner.copy
    outer_copy = key._outer.copy
    pseudonyms: list[str] = []
    append = pseudonyms.append
    for identifier in identifiers:
        inner = inner_copy()
        inner.update(identifier.encode("utf-8"))
        outer = outer_copy()
        outer.update(inner.digest())
        append(outer.hexdigest())
    return cast(list[SubjectRef], pseudonyms)


def pseudonyms_by_identifier(
    identifiers: Iterable[str], key: PseudonymKey
) -> dict[str, SubjectRef]:
    """Each distinct identifier's pseudonym, each hashed once (`pseudonymise_subjects`)."""
    distinct = list(dict.fromkeys(identifiers))
    return dict(zip(distinct, pseudonymise_subjects(distinct, key), strict=True))


def commit_payload(payload: Mapping[str, str], salt: bytes) -> str:
    """SHA-256(salt || canonical(payload)) in hex: binds a payload without revealing it."""
    return commit_encoded(canonical_bytes(payload), salt)


def commit_encoded(encoded: bytes, salt: bytes) -> str:
    """`commit_payload` of the payload whose canonical encoding is `encoded` (as stored)."""
    return hashlib.sha256(salt + encoded).hexdigest()
