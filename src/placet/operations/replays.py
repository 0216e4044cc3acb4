"""A recorded decision decided again, whatever its kind: the one door the CLI, the API and
the console replay a disclosure or an erasure by.

An audience run is replayed from the subscribers it was given (`replay_audience`), which
only the command line is handed; a retention run is not replayed (what it decided rests on
the rows it removed). Both are refused here with `DecisionNotReplayableError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from placet.disclosures import DisclosureBook
from placet.errors import DecisionNotFoundError, DecisionNotReplayableError
from placet.ledger import ConsentLog, DecisionKind, DecisionRecord
from placet.operations.decision_replays import ReplayOutcome
from placet.operations.disclosures import replay_disclosure_record
from placet.operations.erasure_records import replay_erasure_record
from placet.operations.requests import StaffBook
from placet.policy import PolicySet
from placet.retention import LegalHold

__all__ = ["REPLAYED_KINDS", "Replayed", "replay_recorded"]

REPLAYED_KINDS: Final = frozenset({DecisionKind.DISCLOSURE, DecisionKind.ERASURE})
"""The kinds `replay_recorded` replays."""


@dataclass(frozen=True, slots=True)
class Replayed(ReplayOutcome):
    """A recorded decision decided again: the record, and what differs (none: reproduced)."""

    record: DecisionRecord
    differences: tuple[str, ...]


def replay_recorded(
    ledger: ConsentLog,
    policies: PolicySet,
    record_id: UUID,
    *,
    disclosures: Callable[[], DisclosureBook],
    requests: StaffBook,
    holds: Callable[[], Iterable[LegalHold]],
) -> Replayed:
    """`replay_disclosure` or `replay_erasure`, by the kind of the record under `record_id`;
    the disclosure register and the legal holds are asked for only by the replay that reads
    them. Raises `DecisionNotFoundError` when there is no such record, and
    `DecisionNotReplayableError` for an audience run or a retention run."""
    entry = ledger.decision(record_id)
    if entry is None:
        raise DecisionNotFoundError(str(record_id))
    record = entry.record
    kind = record.kind
    if kind is DecisionKind.DISCLOSURE:
        disclosure = replay_disclosure_record(ledger, policies, disclosures(), record)
        return Replayed(record, disclosure.differences)
    if kind is DecisionKind.ERASURE:
        erasure = replay_erasure_record(ledger, requests, holds(), record)
        return Replayed(record, erasure.differences)
    if kind is DecisionKind.AUDIENCE_RUN:
        raise DecisionNotReplayableError(
            str(record_id),
            "an audience run is replayed from the subscribers it was given: run "
            f"`placet decisions replay {record_id} --subscribers FILE`",
        )
    raise DecisionNotReplayableError(
        str(record_id),
        f"it is of kind {kind.value}: what a retention run decided rests on rows it removed, "
        "and the data map and policy it read",
    )
