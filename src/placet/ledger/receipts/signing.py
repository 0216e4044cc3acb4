"""Signing receipts as compact Ed25519 JWS, and verifying them offline with published keys.

A signed receipt is base64url(header) "." base64url(payload) "." base64url(signature), the
header being {"alg": "EdDSA", "kid": ..., "typ": "JOSE"} (RFC 7515, RFC 8037) and the
payload the receipt's canonical JSON. Keys are named by a key id (their RFC 7638 JWK
thumbprint unless one is given); the operator signs with its current key and publishes
every key receipts may still be verified with as a JWK Set, so keys can rotate. Pure:
keys are arguments (`generate_signing_key` alone draws randomness).
Imports nothing outside the standard library, pydantic, `cryptography` and `placet.ledger`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pydantic import ValidationError as PydanticValidationError

from placet.errors import ReceiptError, ReceiptVerificationError
from placet.ledger.canonical import canonical_bytes
from placet.ledger.receipts.record import SCHEMA_VERSION, Receipt

__all__ = [
    "ReceiptKeys",
    "SigningKey",
    "VerificationKey",
    "generate_signing_key",
    "jwk_thumbprint",
    "jwks_document",
    "keys_from_jwks",
    "open_jws",
    "receipt_payload",
    "sign_jws",
    "sign_receipt",
    "verify_receipt",
]

_KID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """The bytes of unpadded base64url text, refusing any text but their one encoding."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url without padding")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # Unused trailing bits would let two texts carry one signature: a token has one form.
    if _b64url(data) != text:
        raise ValueError("not in canonical base64url form")
    return data


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _check_kid(kid: str) -> str:
    if not _KID.fullmatch(kid):
        raise ReceiptError(
            f"'{kid}' is not a usable key id",
            "Use 1 to 128 letters, digits, '.', '_', ':' or '-' (or leave it out: the key's "
            "JWK thumbprint is used)",
        )
    return kid


def jwk_thumbprint(public_key: Ed25519PublicKey) -> str:
    """The key's RFC 7638 JWK thumbprint (SHA-256, base64url): the default key id."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw(public_key))}
    return _b64url(hashlib.sha256(canonical_bytes(members)).digest())


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A published public key, under its key id, that receipts are verified against."""

    kid: str
    public_key: Ed25519PublicKey

    def __post_init__(self) -> None:
        _check_kid(self.kid)

    def to_jwk(self) -> dict[str, str]:
        """The key as a public JWK (RFC 8037): no private part."""
        x = _b64url(_raw(self.public_key))
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": x,
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        }

    def to_pem(self) -> str:
        """The key as a PEM SubjectPublicKeyInfo, as `openssl pkey -pubout` writes it."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> VerificationKey:
        """A key read from a public Ed25519 JWK; a JWK holding a private part is refused."""
        if "d" in jwk:
            raise ReceiptError(
                f"the JWK '{jwk.get('kid')}' holds a private key",
                "Publish and pass only public keys: remove the 'd' member",
            )
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            raise ReceiptError(
                f"the JWK '{jwk.get('kid')}' is not an Ed25519 key (kty OKP, crv Ed25519)",
                "Receipts are signed with Ed25519 only; pass the operator's receipt keys",
            )
        try:
            public_key = Ed25519PublicKey.from_public_bytes(_b64url_decode(str(jwk.get("x"))))
        except ValueError as exc:
            raise ReceiptError(
                f"the JWK '{jwk.get('kid')}' has no valid 'x' (32 bytes, base64url)",
                "Copy the key again from the operator's JWKS",
            ) from exc
        kid = jwk.get("kid")
        return cls(kid if isinstance(kid, str) else jwk_thumbprint(public_key), public_key)

    @classmethod
    def from_pem(cls, pem: str, kid: str | None = None) -> VerificationKey:
        """A key read from PEM; its key id is its JWK thumbprint unless one is given."""
        try:
            public_key = serialization.load_pem_public_key(pem.encode("ascii"))
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise ReceiptError("the text is not a PEM public key", "Pass a PEM file") from exc
        if not isinstance(public_key, Ed25519PublicKey):
            raise ReceiptError("the PEM key is not an Ed25519 key", "Pass an Ed25519 key")
        return cls(kid or jwk_thumbprint(public_key), public_key)


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The private key that signs receipts, under its key id; its repr never shows it."""

    kid: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_kid(self.kid)

    @property
    def verification_key(self) -> VerificationKey:
        """The public half, to publish."""
        return VerificationKey(self.kid, self.private_key.public_key())

    def to_pem(self) -> str:
        """The private key as unencrypted PKCS#8 PEM: keep it as a secret, never publish it."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    @classmethod
    def from_pem(cls, pem: str, kid: str | None = None) -> SigningKey:
        """A key read from PKCS#8 PEM; its key id is its JWK thumbprint unless one is given."""
        try:
            private_key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise ReceiptError(
                "the receipt signing key is not an unencrypted PKCS#8 PEM private key",
                "Generate one with `openssl genpkey -algorithm ed25519`",
            ) from exc
        if not isinstance(private_key, Ed25519PrivateKey):
            raise ReceiptError(
                "the receipt signing key is not an Ed25519 key",
                "Generate one with `openssl genpkey -algorithm ed25519`",
            )
        return cls(kid or jwk_thumbprint(private_key.public_key()), private_key)


def generate_signing_key(kid: str | None = None) -> SigningKey:
    """A new random Ed25519 key; its key id is its JWK thumbprint unless one is given."""
    private_key = Ed25519PrivateKey.generate()
    return SigningKey(kid or jwk_thumbprint(private_key.public_key()), private_key)


def jwks_document(keys: Iterable[VerificationKey]) -> dict[str, Any]:
    """The JWK Set (RFC 7517) to publish, so receipts can be verified offline."""
    return {"keys": [key.to_jwk() for key in keys]}


def keys_from_jwks(document: Mapping[str, Any]) -> tuple[VerificationKey, ...]:
    """The keys of a published JWK Set, for `verify_receipt`."""
    keys = document.get("keys")
    if not isinstance(keys, list) or not all(isinstance(key, Mapping) for key in keys):
        raise ReceiptError(
            "the document is not a JWK Set (a JSON object whose 'keys' is a list of keys)",
            "Pass the operator's published JWKS document",
        )
    return tuple(VerificationKey.from_jwk(key) for key in keys)


@dataclass(frozen=True, slots=True)
class ReceiptKeys:
    """The operator's receipt keys: the current one signs, and every published one verifies.

    Rotate by signing with a new key while the old one stays published, so receipts it
    signed still verify; withdraw an old key only when its receipts may stop verifying.
    """

    current: SigningKey
    retired: tuple[VerificationKey, ...] = ()

    def __post_init__(self) -> None:
        kids = [key.kid for key in self.published]
        if len(set(kids)) != len(kids):
            raise ReceiptError(
                f"two receipt keys share a key id ({', '.join(kids)})",
                "Give each key its own id, or leave ids out to use JWK thumbprints",
            )

    @property
    def published(self) -> tuple[VerificationKey, ...]:
        """Every key a receipt may be verified against, the current one first."""
        return (self.current.verification_key, *self.retired)

    def sign(self, receipt: Receipt) -> str:
        """The receipt signed with the current key."""
        return sign_receipt(receipt, self.current.private_key, self.current.kid)

    def verify(self, token: str) -> Receipt:
        """The receipt a token holds, if any published key signed it."""
        return verify_receipt(token, self.published)

    def jwks(self) -> dict[str, Any]:
        """The JWK Set to publish."""
        return jwks_document(self.published)

    def rotate(self, new: SigningKey) -> ReceiptKeys:
        """Sign with `new` from now on; the current key stays published."""
        return ReceiptKeys(new, (self.current.verification_key, *self.retired))

    def withdraw(self, kid: str) -> ReceiptKeys:
        """Stop publishing a retired key: receipts it signed no longer verify."""
        if kid == self.current.kid:
            raise ReceiptError(
                f"key '{kid}' is the current receipt key",
                "Rotate to a new key first, then withdraw this one",
            )
        return ReceiptKeys(self.current, tuple(k for k in self.retired if k.kid != kid))


def receipt_payload(receipt: Receipt) -> bytes:
    """The bytes a receipt's signature covers: its canonical JSON (see `canonical_bytes`)."""
    return canonical_bytes(receipt.model_dump(mode="python"))


def sign_receipt(receipt: Receipt, private_key: Ed25519PrivateKey, kid: str) -> str:
    """The receipt as a compact JWS: base64url(header) . base64url(payload) . signature."""
    return sign_jws(receipt_payload(receipt), private_key, kid)


def verify_receipt(token: str, public_keys: Iterable[VerificationKey]) -> Receipt:
    """The receipt a compact JWS holds, once its signature verifies under a published key.

    Raises `ReceiptVerificationError` (with `code`) when it does not.
    """
    _, payload = open_jws(token, public_keys, what="receipt", fail=ReceiptVerificationError)
    try:
        return Receipt.model_validate(payload)
    except PydanticValidationError as exc:
        raise ReceiptVerificationError(
            "bad-payload",
            f"its payload is not a {SCHEMA_VERSION} receipt ({exc.error_count()} problems)",
        ) from exc


def sign_jws(payload: bytes, private_key: Ed25519PrivateKey, kid: str, *, typ: str = "JOSE") -> str:
    """`payload` as a compact Ed25519 JWS under key `kid`, its header naming `typ`."""
    header = canonical_bytes({"alg": "EdDSA", "kid": _check_kid(kid), "typ": typ})
    signing_input = f"{_b64url(header)}.{_b64url(payload)}"
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{_b64url(signature)}"


def open_jws(
    token: str,
    public_keys: Iterable[VerificationKey],
    *,
    what: str,
    fail: Callable[[str, str], Exception],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a compact JWS holding a `what` (a receipt, a checkpoint),
    once its EdDSA signature verifies under one of `public_keys`; otherwise raises
    `fail(code, problem)` with a code of `RECEIPT_FAILURE_CODES`."""
    keys = {key.kid: key for key in public_keys}
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise fail("malformed", f"it has {len(parts)} dot-separated parts, not three")
    header = _json_part(parts[0], "header", "malformed", fail)
    algorithm = header.get("alg")
    if algorithm != "EdDSA":
        raise fail(
            "algorithm",
            f"its header names the algorithm {algorithm!r}; {what}s are signed with EdDSA "
            f"(Ed25519) only, and unsigned ('none') {what}s are never accepted",
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or "crit" in header:
        raise fail("malformed", "its header has no key id ('kid'), or critical extensions")
    key = keys.get(kid)
    if key is None:
        published = ", ".join(sorted(keys)) or "none were given"
        raise fail(
            "unknown-key",
            f"it names key '{kid}', which is not among the published keys ({published})",
        )
    try:
        key.public_key.verify(_b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode())
    except (InvalidSignature, ValueError) as exc:
        raise fail(
            "bad-signature",
            f"the signature does not match its contents under key '{kid}': it was altered "
            "after signing or signed with another key",
        ) from exc
    return header, _json_part(parts[1], "payload", "bad-payload", fail)


def _json_part(
    text: str, part: str, code: str, fail: Callable[[str, str], Exception]
) -> dict[str, Any]:
    try:
        value = json.loads(_b64url_decode(text), object_pairs_hook=_unique_keys)
    except ValueError as exc:
        raise fail(code, f"its {part} is not base64url-encoded JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise fail(code, f"its {part} is not a JSON object")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member is given twice")
    return members
