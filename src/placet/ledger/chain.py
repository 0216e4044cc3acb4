"""The hash chain: how an event becomes a chained body, and a stored row becomes an event again.

Each stored event has a body, the canonical encoding of everything about it except its
personal payload (which the body binds by a salted commitment), and a hash:
hash = SHA-256(prev_hash || canonical(body)), where prev_hash is the hash of the event
before it (32 zero bytes for the first). The body also holds the event's position, so
that an event moved elsewhere in the chain says where it belongs.
Imports nothing outside the standard library, pydantic, orjson, `placet.errors` and
`placet.ledger`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from pydantic import TypeAdapter, ValidationError

from placet.errors import IdempotencyConflictError, InvalidEventError
from placet.ledger.canonical import canonical_bytes, format_instant, parse_instant
from placet.ledger.events import EventData, EventType, LedgerEvent
from placet.ledger.pseudonyms import commit_encoded

__all__ = [
    "GENESIS_HASH",
    "ChainRow",
    "LedgerEntry",
    "chain_hash",
    "encode_event",
    "entry_from_row",
    "event_body",
    "event_fingerprint",
    "resent_entry",
    "seal_event",
]

GENESIS_HASH = "0" * 64
"""The previous hash of the first event: 32 zero bytes, in hex."""

_EVENT_DATA: TypeAdapter[EventData] = TypeAdapter(EventData)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """An event as the ledger holds it: its position, the hash before it and its own hash."""

    seq: int
    event: LedgerEvent
    prev_hash: str
    hash: str


class ChainRow(NamedTuple):
    """One stored event exactly as the database holds it, for `verify` and for reading back.

    `salt` and `payload` are None once the personal payload is removed (or if it had none).
    A named tuple, not a frozen dataclass: an import seals and reads back a million of
    them, and a tuple is built four times faster; its first ten fields are the events
    table's columns, in their order.
    """

    seq: int
    event_id: str
    idempotency_key: str
    subject_ref: str
    type: str
    effective_at: datetime
    recorded_at: datetime
    body: str
    prev_hash: str
    hash: str
    salt: str | None = None
    payload: str | None = None


def chain_hash(prev_hash: str, body: bytes) -> str:
    """SHA-256(prev_hash || body) in hex, with `prev_hash` given in hex."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


def event_body(
    event: LedgerEvent,
    seq: int,
    commitment: str | None,
    event_id: str | None = None,
    *,
    data: Any = None,
) -> dict[str, Any]:
    """The chained body of `event` at position `seq`: everything but its personal payload.

    `event_id` is `str(event.event_id)`, when the caller has it already; `data`, the
    event's data already encoded (`encode_event`). Enumerations stay members (they are
    `str`s, which JSON writes as their value).
    """
    return {
        "seq": seq,
        "event_id": event_id or str(event.event_id),
        "type": event.data.type,
        "subject": event.subject,
        "data": event.data.model_dump(mode="python", exclude={"type"}) if data is None else data,
        "effective_at": format_instant(event.effective_at),
        "recorded_at": format_instant(event.recorded_at),
        "collected_via": event.collected_via,
        "given_by": event.given_by,
        "actor": event.actor,
        "evidence": event.evidence,
        "policy": {"id": event.policy_id, "version": event.policy_version},
        "idempotency_key": event.idempotency_key,
        "personal_commitment": commitment,
    }


def encode_event(
    event: LedgerEvent, seq: int, commitment: str | None, event_id: str | None = None
) -> bytes:
    """`canonical_bytes(event_body(...))`, the chained body's bytes, written the fast way.

    The event's data is encoded once per distinct value and kept (`_encoded_data`): a
    batch's events share few, and that was half the time of sealing one. A property test
    holds this to `canonical_bytes` for any event.
    """
    body = event_body(event, seq, commitment, event_id, data=_encoded_data(event.data))
    return orjson.dumps(body, option=_BODY_OPTIONS)


def _encoded_data(data: EventData) -> orjson.Fragment:
    """The canonical JSON of an event's data (without its type), remembered by value."""
    encoded = _ENCODED_DATA.get(data)
    if encoded is None:
        if len(_ENCODED_DATA) >= _ENCODED_DATA_KEPT:
            _ENCODED_DATA.clear()
        encoded = _ENCODED_DATA[data] = orjson.Fragment(encode_data(data))
    return encoded


def encode_data(data: EventData) -> bytes:
    """The canonical JSON of an event's data without its type, as a chained body holds it."""
    return encode_body(data.model_dump(mode="python", exclude={"type"}))


_ENCODED_DATA: dict[EventData, orjson.Fragment] = {}
"""Event data encoded lately: the models are frozen, so equal data has one encoding."""
_ENCODED_DATA_KEPT = 65536


def event_fingerprint(event: LedgerEvent) -> bytes:
    """What a re-sent event must repeat to be the same request: all but its id and instants
    of recording, and its personal payload (which may be erased since)."""
    body = event_body(event, 0, None, _NO_ID, data=_encoded_data(event.data))
    for volatile in _VOLATILE:
        del body[volatile]
    return orjson.dumps(body, option=_BODY_OPTIONS)


_NO_ID = "-"
"""The event id a fingerprint's body is built with before the id is taken out again."""


_VOLATILE = ("seq", "event_id", "recorded_at", "personal_commitment")
"""What an event's chained body holds that a re-sent request need not repeat."""


def resent_entry(row: ChainRow, resent: LedgerEvent) -> LedgerEntry:
    """The entry `row` stores, for `resent`, an event sent again under its idempotency key.

    A re-sent event that is the stored one but for its id, its instant of recording and its
    personal payload is the same request; those three are then taken from the row, and no
    stored event is validated again (`entry_from_row` is five times slower, and a re-import
    meets one such row per event). Most re-sent events are told in one comparison: sealed
    with the row's position, id, instant of recording and commitment, they give the row's
    body byte for byte. Otherwise (a payload erased since, or another request) the stored
    body is read and compared on the fingerprint alone. Raises `IdempotencyConflictError`
    when `resent` is another request.
    """
    if _reseals_to(row, resent):
        event_id, recorded_at = UUID(row.event_id), row.recorded_at
    else:
        event_id, recorded_at = _fingerprinted(row, resent)
    try:
        personal = orjson.loads(row.payload) if row.payload is not None else None
    except ValueError as exc:
        raise _unreadable(row, exc) from exc
    original = resent.model_copy(
        update={"event_id": event_id, "recorded_at": recorded_at, "personal": personal}
    )
    return LedgerEntry(seq=row.seq, event=original, prev_hash=row.prev_hash, hash=row.hash)


def _reseals_to(row: ChainRow, resent: LedgerEvent) -> bool:
    """`resent`, sealed with the row's position, id, instant of recording and commitment,
    is the row's body byte for byte. The commitment is worked out from the row's salt and
    payload; a row whose payload was erased has none to work it out from, and says no."""
    commitment = None
    if row.salt is not None and row.payload is not None:
        try:
            salt = bytes.fromhex(row.salt)
        except ValueError:
            return False
        # The stored payload is its canonical text, which the commitment was taken over.
        commitment = commit_encoded(row.payload.encode("utf-8"), salt)
    body = event_body(resent, row.seq, commitment, row.event_id, data=_encoded_data(resent.data))
    body["recorded_at"] = format_instant(row.recorded_at)
    return orjson.dumps(body, option=_BODY_OPTIONS) == row.body.encode("utf-8")


def _fingerprinted(row: ChainRow, resent: LedgerEvent) -> tuple[UUID, datetime]:
    """The stored event's id and instant of recording, once `resent` is found to carry the
    fingerprint read from the stored body; `IdempotencyConflictError` when it does not."""
    try:
        body = orjson.loads(row.body)
        stored = {name: value for name, value in body.items() if name not in _VOLATILE}
        event_id, recorded_at = UUID(body["event_id"]), parse_instant(body["recorded_at"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _unreadable(row, exc) from exc
    if orjson.dumps(stored, option=_BODY_OPTIONS) != event_fingerprint(resent):
        raise IdempotencyConflictError(resent.idempotency_key, row.seq)
    return event_id, recorded_at


def _unreadable(row: ChainRow, exc: Exception) -> InvalidEventError:
    return InvalidEventError(
        f"the stored event at position {row.seq} cannot be read ({exc})",
        "Run `placet ledger verify` to find what was changed",
    )


def encode_body(body: dict[str, Any]) -> bytes:
    """`canonical_bytes(body)` for a body built by `event_body`, in one pass of orjson.

    Event models hold no floats (a test walks their fields), so the generic encoder's
    refusal of floats has nothing to catch here; a property test holds the two encoders to
    the same bytes for any event. Instants and dates go to `_encode_value`, for the
    canonical text form rather than orjson's own.
    """
    return orjson.dumps(body, default=_encode_value, option=_BODY_OPTIONS)


def _encode_value(value: Any) -> Any:
    """The canonical form of what JSON cannot write itself: instants, dates, sets, enums."""
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_encode_value(item) if isinstance(item, Enum) else item for item in value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no canonical encoding")


_BODY_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def seal_event(
    event: LedgerEvent,
    seq: int,
    prev_hash: str,
    salt: bytes | None,
    event_id: str | None = None,
) -> ChainRow:
    """The row that stores `event` at position `seq` after the event hashed `prev_hash`.

    `salt` (random, 32 bytes) is needed when the event carries a personal payload.
    `event_id` is `str(event.event_id)`, when the caller has it already.
    """
    commitment = payload_text = salt_text = None
    if event.personal is not None:
        if salt is None:
            raise InvalidEventError(
                f"event {event.event_id} carries a personal payload but no salt was given",
                "Seal it with a random salt (secrets.token_bytes(32))",
            )
        payload = canonical_bytes(event.personal)
        commitment = commit_encoded(payload, salt)
        payload_text = payload.decode("utf-8")
        salt_text = salt.hex()
    event_id = event_id or str(event.event_id)
    body = encode_event(event, seq, commitment, event_id)
    return ChainRow(
        seq=seq,
        event_id=event_id,
        idempotency_key=event.idempotency_key,
        subject_ref=event.subject,
        type=event.type.value,
        effective_at=event.effective_at,
        recorded_at=event.recorded_at,
        body=body.decode("utf-8"),
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, body),
        salt=salt_text,
        payload=payload_text,
    )


def entry_from_row(row: ChainRow) -> LedgerEntry:
    """The event a stored row holds, with its personal payload if it is still there."""
    try:
        body = json.loads(row.body)
        personal = json.loads(row.payload) if row.payload is not None else None
        event = _event_from_body(body, personal)
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise _unreadable(row, exc) from exc
    return LedgerEntry(seq=row.seq, event=event, prev_hash=row.prev_hash, hash=row.hash)


def _event_from_body(body: Mapping[str, Any], personal: dict[str, str] | None) -> LedgerEvent:
    data = _EVENT_DATA.validate_python({"type": EventType(body["type"]), **body["data"]})
    return LedgerEvent(
        event_id=body["event_id"],
        subject=body["subject"],
        data=data,
        effective_at=body["effective_at"],
        recorded_at=body["recorded_at"],
        collected_via=body["collected_via"],
        given_by=body["given_by"],
        actor=body["actor"],
        evidence=body["evidence"],
        policy_id=body["policy"]["id"],
        policy_version=body["policy"]["version"],
        idempotency_key=body["idempotency_key"],
        personal=personal,
    )
