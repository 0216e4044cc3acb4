"""What every replay of a recorded decision starts with: the record, of the kind asked, and
whether the ledger still holds the event at the position it read; and what each ends with
(`ReplayOutcome`)."""

from __future__ import annotations

from uuid import UUID

from placet.errors import DecisionNotFoundError
from placet.ledger import ConsentLog, DecisionKind, DecisionRecord

__all__ = ["ReplayOutcome", "position_moved", "recorded_decision"]


class ReplayOutcome:
    """What a replay tells, whatever the decision's kind: the record, and what differs now
    (nothing: reproduced). Each replay's result is a dataclass with these two fields."""

    __slots__ = ()

    record: DecisionRecord
    differences: tuple[str, ...]

    @property
    def reproduced(self) -> bool:
        return not self.differences


def recorded_decision(ledger: ConsentLog, record_id: UUID, kind: DecisionKind) -> DecisionRecord:
    """The record of kind `kind` under `record_id`; `DecisionNotFoundError` when there is none."""
    entry = ledger.decision(record_id)
    if entry is None or entry.record.kind != kind:
        raise DecisionNotFoundError(str(record_id), kind.value)
    return entry.record


def position_moved(ledger: ConsentLog, record: DecisionRecord, what: str) -> list[str]:
    """The difference to report when the ledger's event at the recorded position is not the
    one `what` (the run, the decision, the erasure) read; none when it is."""
    if ledger.hash_at(record.ledger_seq) == record.ledger_hash:
        return []
    return [
        f"the ledger's event at position {record.ledger_seq} is not the one {what} read "
        "(run `placet ledger verify`)"
    ]
