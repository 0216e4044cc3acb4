"""API keys with scopes: create (the plaintext shown once), list, revoke, and check a request's.

A key reads `placet_<key id>_<secret>`. Only its SHA-256 is stored (the secret has 256
bits, so a fast hash is enough: nobody can guess it), looked up by the key id and compared
in constant time. Keys live in a store that implements `ApiKeyStore` (`placet.stores`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from placet.errors import AuthenticationError, PermissionDeniedError, UnknownApiKeyError

__all__ = [
    "KEY_PREFIX",
    "ApiKey",
    "ApiKeyStore",
    "IssuedKey",
    "Scope",
    "StoredKey",
    "authenticate",
    "authorise",
    "create_key",
    "hash_key",
    "list_keys",
    "revoke_key",
]

log = logging.getLogger(__name__)

KEY_PREFIX = "placet"
_ID_BYTES = 8
_SECRET_BYTES = 32


class Scope(StrEnum):
    """What an API key may do. `admin` may do everything."""

    DECIDE = "decide"
    """Ask decisions and select audiences."""
    EVENTS_WRITE = "events:write"
    """Record consents, withdrawals, objections, restrictions, contracts."""
    SUBJECTS_READ = "subjects:read"
    """Read a subject's state and history, and their receipts."""
    REQUESTS_READ = "requests:read"
    """List subjects' requests and read one, with the subscriber it is for."""
    REQUESTS_WRITE = "requests:write"
    """Open subjects' requests and record their steps."""
    DISCLOSURES_READ = "disclosures:read"
    """Read the disclosure register: recipients and agreements, disclosures, law-enforcement
    requests."""
    DISCLOSURES_APPROVE = "disclosures:approve"
    """Record disclosures and agreements, and take law-enforcement requests' steps."""
    DPO_OVERRIDE = "dpo:override"
    """Record a disclosure the policy refuses, with the DPO's justification."""
    ADMIN = "admin"
    """Everything, including verifying the ledger."""


_SCOPE_NAMES = frozenset(scope.value for scope in Scope)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as stored: never its secret, only what it may do and whether it is live."""

    key_id: str
    name: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just created, with its plaintext: shown once, then only its hash is kept."""

    key: ApiKey
    plaintext: str


class StoredKey(Protocol):
    """A key as a store returns it: what `ApiKey` says, plus the SHA-256 of the key."""

    @property
    def key_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def scopes(self) -> tuple[str, ...]: ...
    @property
    def key_hash(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def revoked_at(self) -> datetime | None: ...


class ApiKeyStore(Protocol):
    """Where API keys are kept: their description and the SHA-256 of each key."""

    def add_key(
        self,
        key_id: str,
        name: str,
        scopes: Sequence[str],
        key_hash: str,
        created_at: datetime,
    ) -> None: ...

    def find_key(self, key_id: str) -> StoredKey | None:
        """The key with this id, or None."""
        ...

    def all_keys(self) -> Sequence[StoredKey]:
        """Every key, revoked ones too, oldest first."""
        ...

    def mark_revoked(self, key_id: str, at: datetime) -> StoredKey | None:
        """Revoke a key (a revoked key stays revoked); None when there is no such key."""
        ...


def hash_key(plaintext: str) -> str:
    """The SHA-256 of a key, in hex: what the store keeps."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_key(
    store: ApiKeyStore, scopes: Iterable[Scope | str], *, name: str, now: datetime
) -> IssuedKey:
    """A new key with `scopes`; its plaintext is in the result and nowhere else.

    create_key(store, ["decide"], name="campaign-tool", now=now).plaintext
    ->  "placet_3f9c0a1b2c3d4e5f_Qm9…"
    """
    wanted = frozenset(_scope(scope) for scope in scopes)
    if not wanted:
        raise ValueError(f"give a key at least one scope ({', '.join(Scope)})")
    key_id = secrets.token_hex(_ID_BYTES)
    plaintext = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    key = ApiKey(key_id=key_id, name=name, scopes=wanted, created_at=now)
    store.add_key(key_id, name, sorted(wanted), hash_key(plaintext), now)
    log.info("api key created", extra={"key_id": key_id, "scopes": sorted(wanted)})
    return IssuedKey(key, plaintext)


def list_keys(store: ApiKeyStore, *, include_revoked: bool = True) -> list[ApiKey]:
    """The keys, oldest first (never their secrets)."""
    keys = [_api_key(stored) for stored in store.all_keys()]
    return [key for key in keys if include_revoked or not key.is_revoked]


def revoke_key(store: ApiKeyStore, key_id: str, *, now: datetime) -> ApiKey:
    """Revoke a key: requests with it fail from now on. Raises `UnknownApiKeyError`."""
    revoked = store.mark_revoked(key_id, now)
    if revoked is None:
        raise UnknownApiKeyError(key_id)
    log.info("api key revoked", extra={"key_id": key_id})
    return _api_key(revoked)


def authenticate(store: ApiKeyStore, presented: str | None) -> ApiKey:
    """The live key `presented` is, or `AuthenticationError` saying what is wrong."""
    if not presented:
        raise AuthenticationError("The request carries no API key")
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise AuthenticationError("The API key is not a Placet key (placet_<id>_<secret>)")
    found = store.find_key(parts[1])
    expected = found.key_hash if found is not None else hash_key("placet_unknown_key")
    # Compare even when the id is unknown, so that timing does not tell which ids exist.
    matches = hmac.compare_digest(hash_key(presented.strip()), expected)
    if found is None or not matches:
        raise AuthenticationError("The API key is not valid")
    key = _api_key(found)
    if key.is_revoked:
        raise AuthenticationError(f"API key {key.key_id} was revoked")
    return key


def authorise(key: ApiKey, scope: Scope) -> None:
    """Raise `PermissionDeniedError` unless `key` has `scope` (or `admin`)."""
    if not key.allows(scope):
        raise PermissionDeniedError(key.key_id, scope.value, sorted(key.scopes))


def _api_key(stored: StoredKey) -> ApiKey:
    return ApiKey(
        key_id=stored.key_id,
        name=stored.name,
        scopes=frozenset(Scope(scope) for scope in stored.scopes if scope in _SCOPE_NAMES),
        created_at=stored.created_at,
        revoked_at=stored.revoked_at,
    )


def _scope(value: Scope | str) -> Scope:
    try:
        return Scope(value)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a scope; the scopes are {', '.join(Scope)}") from exc
