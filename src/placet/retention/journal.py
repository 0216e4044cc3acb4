"""What a retention run writes down as it goes, so that a run killed at any point is
finished by the next one with nothing lost, nothing done twice and counts that add up;
the legal holds; and the tombstones that let a restored backup be erased again.

A run is journalled before it acts: the run (`RunRecord`) when it starts, each step
(`StepRecord`: one dataset and one action) with the rows it found to act on *before* the
store changes anything, and the step's outcome *after* the store committed. A step found
started but not finished was interrupted between the two: the store may or may not have
committed. Its selection is idempotent (deleted rows are gone, changed rows are marked),
so the step is simply run again, and the rows the interrupted attempt changed are those
planned minus those still selected (`StepRecord.changed_before_restart`).

A `Tombstone` is written with the step, before the store changes: the dataset, the key's
keyed pseudonym (never the key) and the span of time erased, or for a sweep only the
instant before which every row went. `placet retention replay-erasures` reads them back.

Imports nothing outside the standard library and `placet.retention`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from placet.retention.guard import LegalHold

__all__ = [
    "HoldBook",
    "RetentionJournal",
    "RunRecord",
    "StepRecord",
    "Tombstone",
]


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    started_at: datetime
    at: datetime
    """The instant the run decides for (its retention cutoffs run up to it)."""
    policy_id: str
    policy_version: str
    estate: str
    datamap_sha256: str
    actor: str
    finished_at: datetime | None = None
    outcome: dict[str, Any] | None = None
    decision_id: str | None = None


@dataclass(frozen=True, slots=True)
class StepRecord:
    run_id: str
    step_no: int
    dataset: str
    action: str
    """delete, anonymise, restrict, or purge (a lake's physical phase)."""
    rules: tuple[str, ...]
    shape: str
    """How the rows were selected: `time-prefix` or `key-windows` (or `files`, a purge)."""
    planned_rows: int
    """The rows selected when the step started, before anything changed."""
    started_at: datetime
    changed_rows: int | None = None
    """The rows changed, this attempt and any interrupted one; None until finished."""
    left_rows: int | None = None
    """The rows still selected after the change (the verification; 0 when done)."""
    table_version: int | None = None
    detail: str | None = None
    finished_at: datetime | None = None

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    def changed_before_restart(self, still_selected: int) -> int:
        """The rows an interrupted attempt changed, given how many are selected now."""
        return max(self.planned_rows - still_selected, 0)


@dataclass(frozen=True, slots=True)
class Tombstone:
    tombstone_id: str
    """Derived from what it says, so writing it twice keeps one."""
    dataset: str
    action: str
    key_pseudonym: str | None
    """The keyed pseudonym of the key whose rows went; None: every row before `before`."""
    since: datetime | None
    before: datetime | None
    reference: str
    """The run (`run:<id>`) or request that erased."""
    recorded_at: datetime


class RetentionJournal(Protocol):
    """Where runs, their steps and tombstones are written (`placet.stores.sql_retention`)."""

    def unfinished_run(self) -> RunRecord | None:
        """The run that started and did not finish, if any (at most one)."""
        ...

    def start_run(self, run: RunRecord) -> None: ...

    def steps(self, run_id: str) -> list[StepRecord]: ...

    def start_step(self, step: StepRecord, tombstones: Sequence[Tombstone]) -> None:
        """Write the step as started and its tombstones, in one transaction."""
        ...

    def finish_step(self, step: StepRecord) -> None: ...

    def finish_run(self, run: RunRecord) -> None: ...

    def runs(self) -> list[RunRecord]:
        """Every run, the latest first."""
        ...

    def tombstones(self, dataset: str) -> Iterator[Tombstone]: ...

    def add_tombstones(self, tombstones: Sequence[Tombstone]) -> None: ...


class HoldBook(Protocol):
    """Where legal holds are kept."""

    def place(self, hold: LegalHold) -> None: ...

    def release(self, hold_id: str, at: datetime, by: str) -> LegalHold | None:
        """Release a hold in force; None when there is no such hold."""
        ...

    def holds(self) -> list[LegalHold]:
        """Every hold, released ones too, oldest first."""
        ...
