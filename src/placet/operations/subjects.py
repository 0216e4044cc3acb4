"""Read what the ledger knows of one subject: their state now or then, and their history."""

from __future__ import annotations

from datetime import datetime

from placet.decide import SubjectState
from placet.ledger import ConsentLog, LedgerEntry, PseudonymKey
from placet.operations.deciding import read_state
from placet.operations.recording import subject_ref

__all__ = ["subject_history", "subject_state"]


def subject_state(
    ledger: ConsentLog,
    key: PseudonymKey,
    subject: str,
    *,
    at: datetime,
    known_at: datetime | None = None,
) -> SubjectState:
    """The state of `subject` (an identifier) at `at`; with `known_at`, as known then."""
    return read_state(ledger, subject_ref(subject, key), at, known_at)


def subject_history(ledger: ConsentLog, key: PseudonymKey, subject: str) -> list[LedgerEntry]:
    """Every event about `subject` (an identifier), in the order recorded."""
    return list(ledger.history(subject_ref(subject, key)))
