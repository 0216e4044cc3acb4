"""An erasure's decision record, and its replay: the guard asked again, from the registers.

An erasure decides, dataset by dataset, whether the subscriber's rows may go now: the
guard (`may_destroy`) weighs the legal holds in force, the subscriber's other open
requests and a legal retention. `erasure_record` writes what it weighed into the ledger's
record of the erasure: the ids of the holds in force and of the open requests, and for
each dataset the guard was asked about, the categories, the legal retention's cutoff and
what stopped it. No identifier goes in: holds and requests by id, the subject by pseudonym.

`replay_erasure` asks the guard again: the holds in force at the erasure's instant, read
from the hold register as it stands now; the subscriber's requests open then, from the
request book's steps; each dataset's scope as recorded (its cutoff came from rows the
erasure removed, so it is taken from the record). It reports each difference: a hold
released back to before the erasure, placed with an earlier date, or removed; a request
whose steps were changed; a dataset the guard would now decide otherwise. How many rows
went cannot be replayed: they are gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from placet.dsr import FINAL_STATES, SubjectRequest
from placet.errors import DecisionNotReplayableError
from placet.ledger import (
    ChainHead,
    ConsentLog,
    DecisionKind,
    DecisionRecord,
    format_instant,
    parse_instant,
)
from placet.operations.decision_replays import (
    ReplayOutcome,
    position_moved,
    recorded_decision,
)
from placet.operations.erasures import DatasetErasure
from placet.operations.requests import StaffBook
from placet.policy import Policy
from placet.policy.model import CategoryId
from placet.retention import (
    DestructionScope,
    DestructivePath,
    GuardDecision,
    LegalHold,
    OpenRequest,
    may_destroy,
)

__all__ = ["ErasureReplay", "erasure_record", "replay_erasure", "replay_erasure_record"]


def erasure_record(
    request: SubjectRequest,
    policy: Policy,
    head: ChainHead,
    *,
    settled: Sequence[DatasetErasure],
    holds: Iterable[LegalHold],
    open_requests: Sequence[OpenRequest],
    outcome: dict[str, Any],
    actor: str,
    at: datetime,
) -> DecisionRecord:
    """The record of `request`'s erasure, carried out at `at` from ledger position `head`:
    each dataset of `settled` with what the guard weighed, beside the rest of the `outcome`
    (what was restricted, removed from the ledger, left to purge)."""
    datasets = [
        {
            "dataset": erasure.dataset,
            "outcome": erasure.outcome.value,
            "rows": erasure.rows,
            "explanation": erasure.explanation,
            "purged": erasure.purge.complete if erasure.purge else None,
            "guard": _guarded(erasure),
        }
        for erasure in settled
    ]
    return DecisionRecord(
        kind=DecisionKind.ERASURE,
        recorded_at=at,
        actor=actor,
        policy_id=policy.policy_id,
        policy_version=policy.version,
        ledger_seq=head.seq,
        ledger_hash=head.hash,
        as_of=at,
        subject=request.subject,
        request={
            "request": request.request_id,
            "kind": request.kind.value,
            "holds": _in_force(holds, at),
            "open_requests": sorted(other.request_id for other in open_requests),
        },
        outcome={**outcome, "datasets": datasets},
        idempotency_key=f"erasure:{request.request_id}:{at.isoformat()}",
    )


def _guarded(erasure: DatasetErasure) -> dict[str, Any] | None:
    scope, decision = erasure.scope, erasure.decision
    if scope is None or decision is None:
        return None
    until = scope.legal_retention_until
    return {
        "categories": sorted(scope.categories),
        "legal_retention_until": None if until is None else format_instant(until),
        "allowed": decision.allowed,
        "blockers": _blockers(decision),
    }


def _blockers(decision: GuardDecision) -> list[list[str]]:
    return [[blocker.kind.value, blocker.reference] for blocker in decision.blockers]


def _in_force(holds: Iterable[LegalHold], at: datetime) -> list[str]:
    return sorted(hold.hold_id for hold in holds if hold.is_in_force(at))


# ---------------------------------------------------------------------- replay


@dataclass(frozen=True, slots=True)
class ErasureReplay(ReplayOutcome):
    """A recorded erasure's guard asked again: the record, each dataset's new answer, and
    what differs."""

    record: DecisionRecord
    decisions: tuple[tuple[str, GuardDecision], ...]
    """(dataset, the guard's answer now), for each dataset the guard was asked about."""
    differences: tuple[str, ...]


def replay_erasure(
    ledger: ConsentLog,
    requests: StaffBook,
    holds: Iterable[LegalHold],
    record_id: UUID,
) -> ErasureReplay:
    """Ask the guard again about each dataset a recorded erasure weighed, from the hold
    register (`holds`, as it stands now) and the request book as they say things stood at
    the erasure's instant, and compare with the record.

    Raises `DecisionNotFoundError` when no erasure is recorded under `record_id`, and
    `DecisionNotReplayableError` for a record made before erasure records held what the
    guard weighed.
    """
    record = recorded_decision(ledger, record_id, DecisionKind.ERASURE)
    return replay_erasure_record(ledger, requests, holds, record)


def replay_erasure_record(
    ledger: ConsentLog,
    requests: StaffBook,
    holds: Iterable[LegalHold],
    record: DecisionRecord,
) -> ErasureReplay:
    """`replay_erasure` of an erasure's record already read."""
    asked = record.request
    if "holds" not in asked or "open_requests" not in asked:
        raise DecisionNotReplayableError(
            str(record.record_id), "it was made before erasure records held what the guard weighed"
        )
    at = record.as_of
    differences = position_moved(ledger, record, "the erasure")
    request_id = str(asked["request"])
    subscriber = requests.subscriber(request_id)
    if subscriber is None or record.subject is None:
        differences.append(f"the request book no longer names request {request_id}'s subscriber")
        return ErasureReplay(record, (), tuple(differences))
    held = [hold for hold in holds if hold.is_in_force(at)]
    _compare(differences, "holds in force", _in_force(held, at), asked["holds"], at)
    others = [
        OpenRequest(other.request_id, subscriber, right)
        for other in requests.all()
        if other.subject == record.subject
        and other.request_id != request_id
        and _open_at(other, at)
        and (right := other.kind.right) is not None
    ]
    _compare(
        differences,
        "requests open",
        sorted(other.request_id for other in others),
        asked["open_requests"],
        at,
    )
    decisions = []
    for dataset in record.outcome.get("datasets", []):
        guard = dataset.get("guard")
        if guard is None:
            continue
        until = guard["legal_retention_until"]
        scope = DestructionScope(
            DestructivePath.ERASURE_REQUEST,
            dataset["dataset"],
            frozenset(CategoryId(category) for category in guard["categories"]),
            subject=subscriber,
            legal_retention_until=None if until is None else parse_instant(until),
        )
        decision = may_destroy(scope, held, others, at)
        decisions.append((scope.dataset, decision))
        if decision.allowed != guard["allowed"] or _blockers(decision) != guard["blockers"]:
            differences.append(
                f"dataset {scope.dataset}: the guard now answers "
                f"{_answer(decision.allowed, _blockers(decision))}, the erasure was answered "
                f"{_answer(guard['allowed'], guard['blockers'])}"
            )
    return ErasureReplay(record, tuple(decisions), tuple(differences))


def _open_at(request: SubjectRequest, at: datetime) -> bool:
    """Whether `request` was open at `at`, by its steps: opened by then, and the last step
    taken by then did not close it."""
    taken = [step for step in request.steps if step.at <= at]
    return bool(taken) and taken[-1].to_state not in FINAL_STATES


def _compare(
    differences: list[str], what: str, now: list[str], recorded: list[str], at: datetime
) -> None:
    if now != sorted(recorded):
        differences.append(
            f"{what} at {at.isoformat()} by the registers now: {_ids(now)}; "
            f"the erasure weighed {_ids(sorted(recorded))}"
        )


def _ids(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "none"


def _answer(allowed: bool, blockers: list[list[str]]) -> str:
    if allowed:
        return "allowed"
    return "not now (" + "; ".join(f"{kind} {reference}" for kind, reference in blockers) + ")"
