"""`ConsentLog`: what the ledger needs from a store, implemented in `placet.stores`.

Imports nothing outside the standard library, `placet.decide.state` and `placet.ledger`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from placet.decide.state import SubjectState
from placet.ledger.chain import LedgerEntry
from placet.ledger.chain_columns import EventColumns
from placet.ledger.decisions import DecisionEntry, DecisionKind, DecisionRecord
from placet.ledger.events import LedgerEvent, SubjectRef
from placet.ledger.verify import ChainHead, ChainReport

__all__ = ["ConsentLog"]


class ConsentLog(Protocol):
    """An append-only, hash-chained log of ledger events with a projection of each subject.

    Appends are all or nothing: a batch that fails leaves no event, no payload and no
    change to the projection behind. Re-sending an idempotency key returns the entry first
    recorded under it.
    """

    def append(self, event: LedgerEvent) -> LedgerEntry:
        """Record one event, or return the entry already recorded under its idempotency key."""
        ...

    def append_many(self, events: Sequence[LedgerEvent]) -> list[LedgerEntry]:
        """Record a batch in one transaction; one entry per event, in the order given."""
        ...

    def append_columns(self, columns: EventColumns) -> int:
        """Record a batch held as columns in one transaction, by the rules of `append_many`;
        how many of its events were recorded now (the others were, under their keys)."""
        ...

    def history(self, subject: SubjectRef) -> Sequence[LedgerEntry]:
        """Every event about `subject`, in the order recorded, with any personal payload left."""
        ...

    def entry(self, event_id: UUID) -> LedgerEntry | None:
        """The event recorded under `event_id`, or None when there is none."""
        ...

    def entry_by_key(self, idempotency_key: str) -> LedgerEntry | None:
        """The event recorded under an idempotency key, or None when there is none."""
        ...

    def state(self, subject: SubjectRef, at: datetime) -> SubjectState:
        """The subject's state at `at` from everything recorded (served by the projection)."""
        ...

    def state_as_of(
        self, subject: SubjectRef, as_of: datetime, *, known_at: datetime | None = None
    ) -> SubjectState:
        """The subject's state as of a past instant, replayed from their history."""
        ...

    def states(
        self, subjects: Sequence[SubjectRef], at: datetime, *, through_seq: int | None = None
    ) -> list[SubjectState]:
        """`state(subject, at)` of many subjects at once, in the order given.

        With `through_seq`, from the events recorded up to that position only.
        """
        ...

    def states_as_of(
        self,
        subjects: Sequence[SubjectRef],
        as_of: datetime,
        *,
        known_at: datetime | None = None,
        through_seq: int | None = None,
    ) -> list[SubjectState]:
        """`state_as_of(subject, as_of, known_at=…)` of many subjects at once, in order given."""
        ...

    def head(self) -> ChainHead:
        """The position and hash of the last event recorded."""
        ...

    def hash_at(self, seq: int) -> str | None:
        """The hash of the event at position `seq` (the genesis hash at 0), None past the end."""
        ...

    def decision_hash_at(self, seq: int) -> str | None:
        """`hash_at` in the decision records' chain."""
        ...

    def decisions_head(self) -> ChainHead:
        """The position and hash of the last decision record."""
        ...

    def record_decision(self, record: DecisionRecord) -> DecisionEntry:
        """Record a decision that matters, or return the one recorded under its key."""
        ...

    def decision(self, record_id: UUID) -> DecisionEntry | None:
        """The decision recorded under `record_id`, or None when there is none."""
        ...

    def decisions(
        self, kind: DecisionKind | None = None, *, last: int | None = None
    ) -> Sequence[DecisionEntry]:
        """The decisions recorded (of one kind), in the order recorded; with `last`, only
        the last that many."""
        ...

    def verify_decisions(self) -> ChainReport:
        """Check the decision records' chain."""
        ...

    def verify(self) -> ChainReport:
        """Check the whole chain; the report names the first bad position, if any."""
        ...

    def remove_personal_payload(self, subject: SubjectRef) -> int:
        """Delete every personal payload about `subject`; the chain still verifies.

        Returns how many payloads were deleted.
        """
        ...
