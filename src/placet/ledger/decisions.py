"""Decisions that matter, recorded: what was decided, from which policy version and ledger position.

An audience run, a disclosure to a third party or an erasure is recorded as a
`DecisionRecord` in a hash chain of its own, beside the events' chain: the policy version
that decided, the ledger position (head sequence number and hash) whose state it read,
the instant it decided at (and what the ledger knew by then, for a replay), the request,
what came out (counts by reason, a digest of the subjects selected) and where the input
came from. With those, an audience run can be computed again later and compared
(`placet decisions replay`); any record can be shown as decided (`placet decisions show`),
and an auditor can tell which consents it rested on.

Its rows have the shape of the events' rows (`ChainRow`: the record id in `event_id`, the
kind in `type`, the instant decided at in `effective_at`, the subject, if any), so the one
`verify` checks both chains. Records carry no personal data: subjects by pseudonym, the
selected set by a digest.
Imports nothing outside the standard library, pydantic and `placet.ledger`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from placet.errors import InvalidEventError
from placet.ledger.canonical import canonical_bytes, format_instant, parse_instant
from placet.ledger.chain import ChainRow, chain_hash
from placet.ledger.events import SubjectRef, with_default_key

__all__ = [
    "DecisionEntry",
    "DecisionKind",
    "DecisionRecord",
    "SelectionDigest",
    "decision_fingerprint",
    "decision_from_row",
    "seal_decision",
]

_HASH = r"^[0-9a-f]{64}$"
_PSEUDONYM = r"^[0-9a-f]{64}$"
_POLICY_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"

Text = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class DecisionKind(StrEnum):
    """The decisions that are recorded."""

    AUDIENCE_RUN = "audience-run"
    """A campaign's audience selected from a subscriber table."""
    DISCLOSURE = "disclosure"
    """A subject's data disclosed to a recipient outside the controller."""
    ERASURE = "erasure"
    """A subject's data erased (or kept, and why)."""
    RETENTION_RUN = "retention-run"
    """A retention run over the estate: what each step deleted, anonymised or restricted."""


class DecisionRecord(BaseModel):
    """One decision that matters, with everything needed to compute it again.

    `ledger_seq` and `ledger_hash` name the events' chain head the decision read: a replay
    reads the ledger through that position only. `outcome` holds what came out (for an
    audience: `total`, `permitted`, `excluded` by reason), `selection_digest` the SHA-256 of
    the selected subjects' pseudonyms in order (see `SelectionDigest`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    record_id: UUID = Field(default_factory=uuid4)
    kind: DecisionKind
    recorded_at: AwareDatetime
    actor: Text
    """Who ran it: an API key's name, a staff id, a system name."""
    policy_id: Annotated[str, StringConstraints(pattern=_POLICY_ID)]
    policy_version: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    ledger_seq: int = Field(ge=0)
    ledger_hash: Annotated[str, StringConstraints(pattern=_HASH)]
    as_of: AwareDatetime
    """The instant the decision was made for."""
    known_at: AwareDatetime | None = None
    """When the decision read only what the ledger knew by an instant (a replay of a replay)."""
    subject: Annotated[SubjectRef, StringConstraints(pattern=_PSEUDONYM)] | None = None
    """The subject, for a decision about one (a disclosure, an erasure)."""
    request: dict[str, Any]
    """What was asked: the use (purpose, categories, channel, recipient, country, …)."""
    outcome: dict[str, Any]
    selection_digest: Annotated[str, StringConstraints(pattern=_HASH)] | None = None
    source: dict[str, str] = Field(default_factory=dict)
    """Where the input came from, e.g. {"table": "campaign.parquet", "sha256": "…"}."""
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=200)]

    @model_validator(mode="before")
    @classmethod
    def _default_idempotency_key(cls, value: Any) -> Any:
        return with_default_key(value, "record_id")

    @field_validator("request", "outcome")
    @classmethod
    def _canonical(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            canonical_bytes(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"it cannot be recorded: {exc}") from exc
        return value


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    """A decision record as the ledger holds it, at its position in the decisions' chain."""

    seq: int
    record: DecisionRecord
    prev_hash: str
    hash: str


class SelectionDigest:
    """SHA-256 over identifiers (the selected subjects' pseudonyms), one per line, in order.

    digest = SelectionDigest()
    digest.update(["3f…", "a0…"])
    digest.hexdigest()
    """

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def update(self, identifiers: list[SubjectRef] | list[str]) -> None:
        for identifier in identifiers:
            self._hash.update(identifier.encode("utf-8") + b"\n")

    def update_joined(self, joined: str) -> None:
        """`update` with one or more identifiers already joined by newlines, as a column's
        text is joined at once (`"a\\nb"` is `update(["a", "b"])`)."""
        self._hash.update(joined.encode("utf-8") + b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _body(record: DecisionRecord, seq: int) -> dict[str, Any]:
    # The keys `verify` compares with the row's columns are those of an event's body.
    return {
        "seq": seq,
        "event_id": str(record.record_id),
        "idempotency_key": record.idempotency_key,
        "subject": record.subject or "",
        "type": record.kind.value,
        "effective_at": format_instant(record.as_of),
        "recorded_at": format_instant(record.recorded_at),
        "decision": {
            "actor": record.actor,
            "policy": {"id": record.policy_id, "version": record.policy_version},
            "ledger": {"seq": record.ledger_seq, "hash": record.ledger_hash},
            "known_at": record.known_at,
            "request": record.request,
            "outcome": record.outcome,
            "selection_digest": record.selection_digest,
            "source": record.source,
        },
    }


def seal_decision(record: DecisionRecord, seq: int, prev_hash: str) -> ChainRow:
    """The row that stores `record` at position `seq` of the decisions' chain."""
    body = canonical_bytes(_body(record, seq))
    return ChainRow(
        seq=seq,
        event_id=str(record.record_id),
        idempotency_key=record.idempotency_key,
        subject_ref=record.subject or "",
        type=record.kind.value,
        effective_at=record.as_of,
        recorded_at=record.recorded_at,
        body=body.decode("utf-8"),
        prev_hash=prev_hash,
        hash=chain_hash(prev_hash, body),
    )


def decision_fingerprint(record: DecisionRecord) -> bytes:
    """What a re-sent record must repeat to be the same: all but its id and recording instant."""
    body = _body(record, 0)
    for volatile in ("seq", "event_id", "recorded_at"):
        del body[volatile]
    return canonical_bytes(body)


def decision_from_row(row: ChainRow) -> DecisionEntry:
    """The record a stored row holds."""
    try:
        body = json.loads(row.body)
        decision = body["decision"]
        known_at = decision["known_at"]
        record = DecisionRecord(
            record_id=body["event_id"],
            kind=body["type"],
            recorded_at=parse_instant(body["recorded_at"]),
            actor=decision["actor"],
            policy_id=decision["policy"]["id"],
            policy_version=decision["policy"]["version"],
            ledger_seq=decision["ledger"]["seq"],
            ledger_hash=decision["ledger"]["hash"],
            as_of=parse_instant(body["effective_at"]),
            known_at=None if known_at is None else parse_instant(known_at),
            subject=body["subject"] or None,
            request=decision["request"],
            outcome=decision["outcome"],
            selection_digest=decision["selection_digest"],
            source=decision["source"],
            idempotency_key=body["idempotency_key"],
        )
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise InvalidEventError(
            f"the stored decision record at position {row.seq} cannot be read ({exc})",
            "Run `placet ledger verify` to find what was changed",
        ) from exc
    return DecisionEntry(seq=row.seq, record=record, prev_hash=row.prev_hash, hash=row.hash)
