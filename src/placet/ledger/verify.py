"""Verify the stored chain: find the first event that was altered, removed, inserted or reordered.

`verify` is a pure function over the stored rows in position order. It reads them once,
keeping only a short window of recent hashes, and reads on past the first broken position
only to tell what happened there. A chain's own hashes cannot show events cut off its end
or well-forged ones added after it; the chain head the store records with every append
(`ChainHead`) can, when it is passed in.
Imports nothing outside the standard library and `placet.ledger`.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from placet.ledger.canonical import parse_instant
from placet.ledger.chain import GENESIS_HASH, ChainRow, chain_hash
from placet.ledger.pseudonyms import commit_payload

__all__ = ["ChainHead", "ChainProblem", "ChainReport", "ProblemKind", "verify"]

_WINDOW = 256
"""How far back an insertion is traced: a run of this many forged events is still named."""


class ProblemKind(StrEnum):
    """What happened to the chain at the first bad position."""

    ALTERED = "altered"
    """An event's content, hash or columns were changed."""
    REMOVED = "removed"
    """One or more events are missing."""
    INSERTED = "inserted"
    """An event that the chain does not link was added."""
    REORDERED = "reordered"
    """Events were moved to other positions."""


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The position and hash of the last event: recorded with each append, or verified."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """The first bad position, what happened there and the event stored there, if any."""

    position: int
    kind: ProblemKind
    event_id: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What `verify` found: how many events verified, the last good head, the first problem."""

    verified: int
    head: ChainHead
    problem: ChainProblem | None = None

    @property
    def is_intact(self) -> bool:
        return self.problem is None


def verify(rows: Iterable[ChainRow], head: ChainHead | None = None) -> ChainReport:
    """Check every stored row in position order; report the first bad position, if any.

    `head` is the chain head the store recorded with its last append: with it, events cut
    off the end of the chain, or added after it, are found too.
    """
    remaining = iter(rows)
    recent: deque[_Verified] = deque([_Verified(0, GENESIS_HASH, "")], maxlen=_WINDOW)
    expected_prev = GENESIS_HASH
    position = 0
    for row in remaining:
        position += 1
        problem = _problem_at(
            row, position, expected_prev, recent=recent, head=head, remaining=remaining
        )
        if problem is not None:
            # The problem may lie before this row (an event replaced or inserted earlier).
            good = next(done for done in recent if done.position == problem.position - 1)
            return ChainReport(good.position, ChainHead(good.position, good.hash), problem)
        recent.append(_Verified(position, row.hash, row.event_id))
        expected_prev = row.hash
    if head is not None and position < head.seq:
        missing = head.seq - position
        problem = ChainProblem(
            position + 1,
            ProblemKind.REMOVED,
            None,
            f"the last {_events(missing)} are missing: the chain ends at position {position} "
            f"but the recorded head is at position {head.seq}",
        )
        return ChainReport(position, ChainHead(position, expected_prev), problem)
    return ChainReport(position, ChainHead(position, expected_prev))


@dataclass(frozen=True, slots=True)
class _Verified:
    """A verified event; position 0 stands for the genesis hash the first event follows."""

    position: int
    hash: str
    event_id: str


def _problem_at(
    row: ChainRow,
    position: int,
    expected_prev: str,
    *,
    recent: deque[_Verified],
    head: ChainHead | None,
    remaining: Iterator[ChainRow],
) -> ChainProblem | None:
    """None when `row` is sound at `position`; otherwise what happened here."""

    def problem(kind: ProblemKind, detail: str) -> ChainProblem:
        return ChainProblem(position, kind, row.event_id, detail)

    if head is not None and position > head.seq:
        return problem(
            ProblemKind.INSERTED,
            f"it was added after the last append the ledger recorded (head at position {head.seq})",
        )
    hash_matches = _hash_matches(row)
    body = _body(row) if hash_matches else None
    claimed = body.get("seq") if body is not None else None
    links = row.prev_hash == expected_prev
    flaw = _flaw(row, body) if body is not None else None
    replaced_head = head is not None and position == head.seq and row.hash != head.hash
    is_sound = hash_matches and links and flaw is None and claimed == position == row.seq
    if is_sound and not replaced_head:
        return None

    later = _Later.scan(
        remaining, row.prev_hash, expected_prev, position, is_misplaced=claimed != position
    )
    earlier = next((done for done in reversed(recent) if done.hash == row.prev_hash), None)
    if not links and later.predecessor_at is not None:
        return problem(
            ProblemKind.REORDERED,
            f"it follows the event stored at position {later.predecessor_at}, yet is stored "
            "before it",
        )
    if not links and earlier is not None:
        count = position - 1 - earlier.position
        first = next(done for done in recent if done.position == earlier.position + 1)
        return ChainProblem(
            first.position,
            ProblemKind.INSERTED,
            first.event_id,
            f"the event at position {position} follows position {earlier.position} directly: "
            f"{_events(count)} stored between them {_is(count)} not part of the chain",
        )
    if later.bypass_at is not None:
        count = later.bypass_at - position
        return problem(
            ProblemKind.INSERTED,
            f"the chain goes from position {position - 1} straight to the event stored at "
            f"position {later.bypass_at}: {_events(count)} from here on {_is(count)} not "
            "part of it",
        )
    if isinstance(claimed, int) and claimed != position and later.claimant_at is not None:
        return problem(
            ProblemKind.REORDERED,
            f"the event recorded at position {position} is stored at position "
            f"{later.claimant_at}; this one was recorded at position {claimed}",
        )
    if not hash_matches:
        return problem(
            ProblemKind.ALTERED,
            "its content does not match its hash: the body, the previous hash or the hash "
            "was changed",
        )
    if flaw is not None or not isinstance(claimed, int):
        return problem(ProblemKind.ALTERED, flaw or "its body is not a ledger event")
    if not links:
        return _broken_link(row, position, claimed, recent)
    if claimed != position:
        return problem(
            ProblemKind.ALTERED,
            f"it links to the event before it but says it was recorded at position {claimed}: "
            "the chain was rewritten from here on",
        )
    if row.seq != position:
        return problem(ProblemKind.ALTERED, f"its position column was changed to {row.seq}")
    return problem(
        ProblemKind.ALTERED,
        "its hash is not the one the ledger recorded as its head: the last event was replaced",
    )


def _broken_link(
    row: ChainRow, position: int, claimed: int, recent: deque[_Verified]
) -> ChainProblem:
    """The row is sound in itself but names a predecessor no stored event has: say why."""
    if claimed > position:
        missing = claimed - position
        return ChainProblem(
            position,
            ProblemKind.REMOVED,
            row.event_id,
            f"{_events(missing)} before it {_is(missing)} missing: it was recorded at position "
            f"{claimed} and names a previous hash no stored event has",
        )
    if claimed == position and recent[-1].position > 0:
        previous = recent[-1]
        return ChainProblem(
            previous.position,
            ProblemKind.ALTERED,
            previous.event_id,
            "it was changed and its hash recomputed: the event after it still names its old hash",
        )
    return ChainProblem(
        position,
        ProblemKind.ALTERED,
        row.event_id,
        "it does not follow the event before it"
        + (" (the first event must start from the genesis hash)" if position == 1 else ""),
    )


@dataclass(frozen=True, slots=True)
class _Later:
    """What the rows after a bad one say about it."""

    predecessor_at: int | None
    """Where the event this row names as its predecessor is stored, if later."""
    bypass_at: int | None
    """The first later row that follows the last good event directly."""
    claimant_at: int | None
    """The first later row recorded at this row's position."""

    @classmethod
    def scan(
        cls,
        remaining: Iterator[ChainRow],
        prev_hash: str,
        expected_prev: str,
        position: int,
        *,
        is_misplaced: bool,
    ) -> _Later:
        predecessor_at = bypass_at = claimant_at = None
        for at, row in enumerate(remaining, start=position + 1):
            if predecessor_at is None and row.hash == prev_hash:
                predecessor_at = at
            if bypass_at is None and row.prev_hash == expected_prev:
                bypass_at = at
            if is_misplaced and claimant_at is None and _claimed_position(row) == position:
                claimant_at = at
        return cls(predecessor_at, bypass_at, claimant_at)


def _hash_matches(row: ChainRow) -> bool:
    try:
        return chain_hash(row.prev_hash, row.body.encode("utf-8")) == row.hash
    except ValueError:
        return False


def _body(row: ChainRow) -> dict[str, Any] | None:
    try:
        body = json.loads(row.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _claimed_position(row: ChainRow) -> int | None:
    body = _body(row)
    claimed = body.get("seq") if body is not None else None
    return claimed if isinstance(claimed, int) else None


def _flaw(row: ChainRow, body: dict[str, Any]) -> str | None:
    """What is wrong with a row whose hash matches: its columns or its personal payload."""
    return _column_mismatch(row, body) or _payload_mismatch(row, body)


def _column_mismatch(row: ChainRow, body: dict[str, Any]) -> str | None:
    """The first column that says something else than the chained body."""
    try:
        expected = {
            "event_id": body["event_id"],
            "idempotency_key": body["idempotency_key"],
            "subject_ref": body["subject"],
            "type": body["type"],
            "effective_at": parse_instant(body["effective_at"]),
            "recorded_at": parse_instant(body["recorded_at"]),
        }
    except (KeyError, TypeError, ValueError):
        return "its body lacks a field every ledger event has"
    for column, value in expected.items():
        if getattr(row, column) != value:
            return f"its {column} column says {getattr(row, column)!s}, its body says {value!s}"
    return None


def _payload_mismatch(row: ChainRow, body: dict[str, Any]) -> str | None:
    """Whether a personal payload still stored matches the commitment its event holds."""
    if row.payload is None and row.salt is None:
        return None
    commitment = body.get("personal_commitment")
    if commitment is None:
        return "it has a personal payload, but its body commits to none"
    try:
        payload = json.loads(row.payload or "")
        salt = bytes.fromhex(row.salt or "")
    except ValueError:
        return "its personal payload is not readable"
    if not isinstance(payload, dict) or commit_payload(payload, salt) != commitment:
        return "its personal payload does not match the commitment in its body"
    return None


def _events(count: int) -> str:
    return f"{count} event{'s' if count != 1 else ''}"


def _is(count: int) -> str:
    return "is" if count == 1 else "are"
