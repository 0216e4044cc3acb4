"""A retention run: the plan's steps executed through the stores, set-based, journalled,
guarded, verified and recorded; a killed run is finished by the next.

The steps run in their fixed order (`placet.operations.retention_plans`). Each is
journalled as started, with the rows it selects and its tombstones, before the store
changes anything; the change is one set-based call per selection; a count proves the rows
gone (or marked); the step is journalled as finished. Killed at any point, the next run
resumes the unfinished run at its own instant, skips finished steps and re-runs an
interrupted one, whose selection is idempotent, counting what the first attempt did as
planned minus still selected: nothing is lost, nothing is done twice, and the counts add
up. Named checkpoints (`CHECKPOINTS`) let a test kill the process exactly there.

When every step is done, each dataset that lost rows is purged (the physical phase: a
lake's old files, PostgreSQL's dead tuples), unless a hold meets it; the run is recorded
in the ledger's decision records, with counts and no personal data.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final
from uuid import uuid4

from placet.errors import RetentionError
from placet.ledger import ChainHead, DecisionEntry, DecisionKind, DecisionRecord, PseudonymKey
from placet.ledger import pseudonymise_subject as keyed_pseudonym
from placet.operations.retention_plans import (
    STEPS_PER_DATASET,
    EstatePlan,
    EstateStores,
    RetentionStep,
    StateLedger,
    plan_estate,
)
from placet.policy import Policy
from placet.policy.terms import RetentionAction
from placet.retention import DestructionScope, DestructivePath, LegalHold, OpenRequest, may_destroy
from placet.retention.anonymise import anonymisation_rewrites
from placet.retention.journal import RetentionJournal, RunRecord, StepRecord, Tombstone
from placet.stores.protocol import ANONYMISED_MARK, RESTRICTED_MARK, Change, Selection, Store

__all__ = ["CHECKPOINTS", "Checkpoint", "RunReport", "run_retention", "tombstone"]

log = logging.getLogger(__name__)

CHECKPOINTS: Final = (
    "run-started",
    "step-started",
    "step-changed",
    "step-finished",
    "purge-finished",
    "run-recorded",
)
"""The points a run passes, in order (steps and purges repeat), where a test may kill it."""

Checkpoint = Callable[[str], None]

_PURGE_STEP: Final = 9
_DESTROYING: Final = frozenset({RetentionAction.DELETE.value, RetentionAction.ANONYMISE.value})


@dataclass(frozen=True, slots=True)
class RunReport:
    run: RunRecord
    steps: tuple[StepRecord, ...]
    resumed: bool
    """Whether this run finished one an earlier process left unfinished."""

    @property
    def changed(self) -> int:
        """Rows deleted, anonymised or restricted, by every attempt of the run."""
        return sum(step.changed_rows or 0 for step in self.steps if step.action != "purge")

    @property
    def is_verified(self) -> bool:
        """Whether every step's verification found none of its rows left."""
        return all(step.left_rows == 0 for step in self.steps if step.action != "purge")


def run_retention(
    estate: EstateStores,
    policy: Policy,
    ledger: StateLedger,
    key: PseudonymKey,
    journal: RetentionJournal,
    *,
    at: datetime,
    actor: str,
    datamap_sha256: str,
    holds: Sequence[LegalHold] = (),
    open_requests: Sequence[OpenRequest] = (),
    checkpoint: Checkpoint | None = None,
    on_step: Callable[[StepRecord], None] | None = None,
    now: Callable[[], datetime] | None = None,
) -> RunReport:
    """Run retention at `at` over the estate, or finish the run a killed process left.

    An unfinished run is resumed at its own instant (its `at`, not this one), provided the
    policy version and the data map are those it started with.
    """
    clock = now or (lambda: datetime.now(UTC))
    run = journal.unfinished_run()
    resumed = run is not None
    if run is None:
        run = RunRecord(
            run_id=str(uuid4()),
            started_at=clock(),
            at=at,
            policy_id=policy.policy_id,
            policy_version=policy.version,
            estate=estate.datamap.estate,
            datamap_sha256=datamap_sha256,
            actor=actor,
        )
        journal.start_run(run)
    elif (run.policy_id, run.policy_version, run.datamap_sha256) != (
        policy.policy_id,
        policy.version,
        datamap_sha256,
    ):
        raise _mismatch(run)
    runner = _Runner(
        estate,
        policy,
        key,
        journal,
        run=run,
        holds=holds,
        passed=checkpoint or (lambda name: None),
        on_step=on_step or (lambda step: None),
        clock=clock,
    )
    runner.passed("run-started")
    # The position the run is decided from: read before the plan reads the ledger, so that
    # an event appended while it runs is not taken for one it saw.
    head = ledger.head()
    plan = plan_estate(
        estate, policy, ledger, key, at=run.at, holds=holds, open_requests=open_requests
    )
    steps = runner.execute(plan)
    outcome = _outcome(steps)
    entry = _record(ledger, run, outcome, clock(), head)
    runner.passed("run-recorded")
    finished = replace(
        run, finished_at=clock(), outcome=outcome, decision_id=str(entry.record.record_id)
    )
    journal.finish_run(finished)
    return RunReport(finished, steps, resumed)


def _mismatch(run: RunRecord) -> RetentionError:
    """Why `run` cannot be resumed with another policy or data map than it started with."""
    return RetentionError(
        f"retention run {run.run_id}, started {run.started_at.isoformat()}, did not finish; "
        f"it ran policy {run.policy_id} {run.policy_version} over a data map with SHA-256 "
        f"{run.datamap_sha256[:12]}…, not this one. Finish it with that policy and map."
    )


class _Runner:
    """One run's execution: its context, said once."""

    def __init__(
        self,
        estate: EstateStores,
        policy: Policy,
        key: PseudonymKey,
        journal: RetentionJournal,
        *,
        run: RunRecord,
        holds: Sequence[LegalHold],
        passed: Checkpoint,
        on_step: Callable[[StepRecord], None],
        clock: Callable[[], datetime],
    ) -> None:
        self._estate = estate
        self._policy = policy
        self._key = key
        self._journal = journal
        self._run = run
        self._holds = holds
        self.passed = passed
        self._on_step = on_step
        self._clock = clock
        self._stores: dict[str, Store] = {
            system.id: store for _, system, _, store in estate.located()
        }
        self._numbers = {dataset.id: number for number, _, dataset, _ in estate.located()}

    def execute(self, plan: EstatePlan) -> tuple[StepRecord, ...]:
        """Every step not finished yet, then the purges; every step's record."""
        done = {step.step_no: step for step in self._journal.steps(self._run.run_id)}
        # The datasets that say who held which number go last: the others' rows are found
        # through them, on a rerun too.
        identities = {identity.dataset for identity in self._estate.datamap.identities}
        for step in sorted(plan.steps, key=lambda step: step.dataset in identities):
            record = done.get(step.step_no)
            if record is not None and record.is_finished:
                continue
            done[step.step_no] = self._step(step, record)
            self._on_step(done[step.step_no])
        for number, record in sorted(done.items()):
            if not record.is_finished and record.action != "purge":
                # Interrupted after its change: the plan found nothing left to select.
                done[number] = self._finish_interrupted(record)
                self._on_step(done[number])
        for dataset in plan.datasets:
            purge = self._purge(dataset.dataset, dataset.system, done)
            if purge is not None:
                done[purge.step_no] = purge
                self._on_step(purge)
        return tuple(sorted(done.values(), key=lambda record: record.step_no))

    def _step(self, step: RetentionStep, record: StepRecord | None) -> StepRecord:
        """Journal the step, change the store, verify, journal the outcome."""
        store = self._stores[step.system]
        still = self._selected(store, step)
        if record is None:
            record = StepRecord(
                run_id=self._run.run_id,
                step_no=step.step_no,
                dataset=step.dataset,
                action=step.action.value,
                rules=step.rules,
                shape=step.shape,
                planned_rows=still,
                started_at=self._clock(),
            )
            reference = f"run:{self._run.run_id}"
            self._journal.start_step(record, _tombstones(step, self._key, reference, self._clock()))
        earlier = record.changed_before_restart(still)
        self.passed("step-started")
        changes = [self._change(step, store, selection) for selection in step.selections]
        self.passed("step-changed")
        left = self._selected(store, step)
        versions = [change.version for change in changes if change.version is not None]
        finished = replace(
            record,
            changed_rows=earlier + sum(change.rows for change in changes),
            left_rows=left,
            table_version=max(versions) if versions else None,
            detail=_detail(changes, left),
            finished_at=self._clock(),
        )
        self._journal.finish_step(finished)
        self.passed("step-finished")
        if left:
            log.warning(
                "retention step left rows selected",
                extra={"dataset": step.dataset, "action": step.action.value, "left": left},
            )
        return finished

    def _finish_interrupted(self, record: StepRecord) -> StepRecord:
        finished = replace(
            record,
            changed_rows=record.changed_before_restart(0),
            left_rows=0,
            detail="finished by the rerun: its change had been made; verified: none left",
            finished_at=self._clock(),
        )
        self._journal.finish_step(finished)
        self.passed("step-finished")
        return finished

    @staticmethod
    def _selected(store: Store, step: RetentionStep) -> int:
        return sum(
            store.count(step.table, selection, unmarked=step.mark) for selection in step.selections
        )

    def _change(self, step: RetentionStep, store: Store, selection: Selection) -> Change:
        if step.action is RetentionAction.DELETE:
            return store.delete(step.table, selection)
        if step.action is RetentionAction.ANONYMISE:
            dataset = self._estate.datamap.dataset(step.dataset)
            assert dataset is not None
            rewrites = anonymisation_rewrites(
                self._policy, dataset, keyring=None, pseudonymise=False
            ).rewrites
            return store.update(
                step.table, selection, rewrites, mark=ANONYMISED_MARK, at=self._run.at
            )
        return store.update(step.table, selection, {}, mark=RESTRICTED_MARK, at=self._run.at)

    def _purge(
        self, dataset_id: str, system: str, done: Mapping[int, StepRecord]
    ) -> StepRecord | None:
        """The physical phase for a dataset this run deleted or anonymised rows of."""
        step_no = self._numbers[dataset_id] * STEPS_PER_DATASET + _PURGE_STEP
        existing = done.get(step_no)
        if existing is not None and existing.is_finished:
            return existing
        if not any(
            step.dataset == dataset_id and step.action in _DESTROYING and (step.changed_rows or 0)
            for step in done.values()
        ):
            return None
        dataset = self._estate.datamap.dataset(dataset_id)
        assert dataset is not None
        record = StepRecord(
            run_id=self._run.run_id,
            step_no=step_no,
            dataset=dataset_id,
            action="purge",
            rules=(),
            shape="files",
            planned_rows=0,
            started_at=self._clock(),
        )
        self._journal.start_step(record, [])
        decision = may_destroy(
            DestructionScope(DestructivePath.LAKE_PURGE, dataset_id), self._holds, (), self._run.at
        )
        if not decision.allowed or decision.excluded:
            blockers = [*decision.blockers, *decision.excluded]
            detail = "deferred: " + "; ".join(blocker.explanation for blocker in blockers)
            finished = replace(record, changed_rows=0, detail=detail, finished_at=self._clock())
        else:
            purge = self._stores[system].purge(dataset.location)
            finished = replace(
                record,
                changed_rows=purge.files_removed,
                left_rows=0 if purge.complete else None,
                detail=f"{'complete' if purge.complete else 'incomplete'}: {purge.detail}",
                finished_at=self._clock(),
            )
        self._journal.finish_step(finished)
        self.passed("purge-finished")
        return finished


def _detail(changes: list[Change], left: int) -> str:
    rewritten = sum(change.files_rewritten for change in changes)
    removed = sum(change.files_removed for change in changes)
    parts = []
    if rewritten or removed:
        parts.append(f"{removed} file(s) dropped whole, {rewritten} rewritten")
    parts.append("verified: none left" if left == 0 else f"{left} row(s) still selected")
    return "; ".join(parts)


def _tombstones(
    step: RetentionStep, key: PseudonymKey, reference: str, at: datetime
) -> list[Tombstone]:
    """What a destroying step erases, keys by pseudonym, written before it runs."""
    if step.action is RetentionAction.RESTRICT:
        return []
    found = []
    for selection in step.selections:
        if selection.windows is None:
            found.append(
                tombstone(
                    step.dataset,
                    step.action.value,
                    None,
                    (selection.since, selection.before),
                    reference=reference,
                    at=at,
                )
            )
            continue
        for window in selection.windows.to_pylist():
            found.append(
                tombstone(
                    step.dataset,
                    step.action.value,
                    keyed_pseudonym(str(window["key"]), key),
                    (window["since"], window["before"]),
                    reference=reference,
                    at=at,
                )
            )
    return found


def tombstone(
    dataset: str,
    action: str,
    pseudonym: str | None,
    span: tuple[datetime | None, datetime | None],
    *,
    reference: str,
    at: datetime,
) -> Tombstone:
    """A tombstone whose id is derived from what it says (written twice, kept once)."""
    since, before = span
    said = "|".join(
        [
            dataset,
            action,
            pseudonym or "",
            since.isoformat() if since else "",
            before.isoformat() if before else "",
        ]
    )
    return Tombstone(
        tombstone_id=hashlib.sha256(said.encode()).hexdigest()[:32],
        dataset=dataset,
        action=action,
        key_pseudonym=pseudonym,
        since=since,
        before=before,
        reference=reference,
        recorded_at=at,
    )


def _outcome(steps: tuple[StepRecord, ...]) -> dict[str, object]:
    """What the run did, by dataset and action, for the ledger's record: counts only."""
    changed: dict[str, dict[str, int]] = {}
    purges: dict[str, str] = {}
    totals: dict[str, int] = {}
    for step in steps:
        if step.action == "purge":
            purges[step.dataset] = step.detail or ""
            continue
        rows = step.changed_rows or 0
        by_action = changed.setdefault(step.dataset, {})
        by_action[step.action] = by_action.get(step.action, 0) + rows
        by_action["left"] = by_action.get("left", 0) + (step.left_rows or 0)
        totals[step.action] = totals.get(step.action, 0) + rows
    return {"changed": changed, "purges": purges, "totals": totals, "steps": len(steps)}


def _record(
    ledger: StateLedger,
    run: RunRecord,
    outcome: dict[str, object],
    recorded_at: datetime,
    head: ChainHead,
) -> DecisionEntry:
    record = DecisionRecord(
        kind=DecisionKind.RETENTION_RUN,
        recorded_at=recorded_at,
        actor=run.actor,
        policy_id=run.policy_id,
        policy_version=run.policy_version,
        ledger_seq=head.seq,
        ledger_hash=head.hash,
        as_of=run.at,
        request={"estate": run.estate, "run_id": run.run_id},
        outcome=outcome,
        source={"datamap_sha256": run.datamap_sha256},
        idempotency_key=f"retention-run:{run.run_id}",
    )
    return ledger.record_decision(record)
