"""Retention's journal, legal holds and erasure tombstones in Placet's own database (the
ledger's): `SqlRetentionBook` implements `RetentionJournal` and `HoldBook`.

Nothing personal is written here: steps carry counts, tombstones keys by their keyed
pseudonym. Holds name the subscriber id they keep, which is what an operator's staff
quote when they place one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from placet.errors import RetentionError, StoreError
from placet.policy.model import CategoryId
from placet.retention.guard import HoldReason, HoldScope, LegalHold
from placet.retention.journal import RunRecord, StepRecord, Tombstone
from placet.stores.sql_database import (
    database_transaction,
    open_database,
)
from placet.stores.sql_schema import (
    erasure_tombstones,
    legal_holds,
    retention_runs,
    retention_steps,
)

__all__ = ["SqlRetentionBook", "open_retention_book"]


def open_retention_book(url: str, *, upgrade: bool = True) -> SqlRetentionBook:
    """The retention book in the database at `url` (the ledger's), upgraded or checked."""
    engine = open_database(url, upgrade=upgrade)
    return SqlRetentionBook(engine)


class SqlRetentionBook:
    """Runs, steps, holds and tombstones in the tables of a database at this revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ runs

    def unfinished_run(self) -> RunRecord | None:
        with self._transaction() as connection:
            row = connection.execute(
                select(retention_runs)
                .where(retention_runs.c.finished_at.is_(None))
                .order_by(retention_runs.c.started_at)
            ).first()
        return None if row is None else _run(row)

    def start_run(self, run: RunRecord) -> None:
        with self._transaction() as connection:
            connection.execute(insert(retention_runs).values(**_run_values(run)))

    def finish_run(self, run: RunRecord) -> None:
        with self._transaction() as connection:
            connection.execute(
                update(retention_runs)
                .where(retention_runs.c.run_id == run.run_id)
                .values(**_run_values(run))
            )

    def runs(self) -> list[RunRecord]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(retention_runs).order_by(retention_runs.c.started_at.desc())
            ).all()
        return [_run(row) for row in rows]

    # ------------------------------------------------------------------ steps

    def steps(self, run_id: str) -> list[StepRecord]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(retention_steps)
                .where(retention_steps.c.run_id == run_id)
                .order_by(retention_steps.c.step_no)
            ).all()
        return [_step(row) for row in rows]

    def start_step(self, step: StepRecord, tombstones: Sequence[Tombstone]) -> None:
        with self._transaction() as connection:
            connection.execute(
                retention_steps.delete().where(
                    retention_steps.c.run_id == step.run_id,
                    retention_steps.c.step_no == step.step_no,
                )
            )
            connection.execute(insert(retention_steps).values(**_step_values(step)))
            self._insert_tombstones(connection, tombstones)

    def finish_step(self, step: StepRecord) -> None:
        with self._transaction() as connection:
            connection.execute(
                update(retention_steps)
                .where(
                    retention_steps.c.run_id == step.run_id,
                    retention_steps.c.step_no == step.step_no,
                )
                .values(**_step_values(step))
            )

    # ------------------------------------------------------------------ tombstones

    def add_tombstones(self, tombstones: Sequence[Tombstone]) -> None:
        with self._transaction() as connection:
            self._insert_tombstones(connection, tombstones)

    def tombstones(self, dataset: str) -> Iterator[Tombstone]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(erasure_tombstones)
                .where(erasure_tombstones.c.dataset == dataset)
                .order_by(erasure_tombstones.c.recorded_at, erasure_tombstones.c.tombstone_id)
            ).all()
        for row in rows:
            yield Tombstone(
                tombstone_id=row.tombstone_id,
                dataset=row.dataset,
                action=row.action,
                key_pseudonym=row.key_pseudonym,
                since=row.since,
                before=row.before,
                reference=row.reference,
                recorded_at=row.recorded_at,
            )

    @staticmethod
    def _insert_tombstones(connection: Connection, tombstones: Sequence[Tombstone]) -> None:
        if not tombstones:
            return
        known = set(
            connection.execute(
                select(erasure_tombstones.c.tombstone_id).where(
                    erasure_tombstones.c.tombstone_id.in_(
                        [tombstone.tombstone_id for tombstone in tombstones]
                    )
                )
            ).scalars()
        )
        fresh = {
            tombstone.tombstone_id: {
                "tombstone_id": tombstone.tombstone_id,
                "dataset": tombstone.dataset,
                "action": tombstone.action,
                "key_pseudonym": tombstone.key_pseudonym,
                "since": tombstone.since,
                "before": tombstone.before,
                "reference": tombstone.reference,
                "recorded_at": tombstone.recorded_at,
            }
            for tombstone in tombstones
            if tombstone.tombstone_id not in known
        }
        if fresh:
            connection.execute(insert(erasure_tombstones), list(fresh.values()))

    # ------------------------------------------------------------------ holds

    def place(self, hold: LegalHold) -> None:
        scope = hold.scope
        try:
            with self._transaction() as connection:
                connection.execute(
                    insert(legal_holds).values(
                        hold_id=hold.hold_id,
                        subject=scope.subject,
                        dataset=scope.dataset,
                        categories=" ".join(sorted(scope.categories)),
                        records_from=scope.records_from,
                        records_until=scope.records_until,
                        record=scope.record,
                        reason=hold.reason.value,
                        description=hold.description,
                        placed_by=hold.placed_by,
                        placed_at=hold.placed_at,
                        until=hold.until,
                    )
                )
        except StoreError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise RetentionError(
                    f"a legal hold {hold.hold_id} exists already; give the new one another id"
                ) from exc
            raise

    def release(self, hold_id: str, at: datetime, by: str) -> LegalHold | None:
        with self._transaction() as connection:
            connection.execute(
                update(legal_holds)
                .where(legal_holds.c.hold_id == hold_id, legal_holds.c.released_at.is_(None))
                .values(released_at=at, released_by=by)
            )
            row = connection.execute(
                select(legal_holds).where(legal_holds.c.hold_id == hold_id)
            ).one_or_none()
        return None if row is None else _hold(row)

    def holds(self) -> list[LegalHold]:
        with self._transaction() as connection:
            rows = connection.execute(
                select(legal_holds).order_by(legal_holds.c.placed_at, legal_holds.c.hold_id)
            ).all()
        return [_hold(row) for row in rows]

    def _transaction(self) -> AbstractContextManager[Connection]:
        return database_transaction(self.engine, "retention journal")


def _run_values(run: RunRecord) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "started_at": run.started_at,
        "at": run.at,
        "policy_id": run.policy_id,
        "policy_version": run.policy_version,
        "estate": run.estate,
        "datamap_sha256": run.datamap_sha256,
        "actor": run.actor,
        "finished_at": run.finished_at,
        "outcome": None if run.outcome is None else json.dumps(run.outcome, sort_keys=True),
        "decision_id": run.decision_id,
    }


def _run(row: Row[Any]) -> RunRecord:
    return RunRecord(
        run_id=row.run_id,
        started_at=row.started_at,
        at=row.at,
        policy_id=row.policy_id,
        policy_version=row.policy_version,
        estate=row.estate,
        datamap_sha256=row.datamap_sha256,
        actor=row.actor,
        finished_at=row.finished_at,
        outcome=None if row.outcome is None else json.loads(row.outcome),
        decision_id=row.decision_id,
    )


def _step_values(step: StepRecord) -> dict[str, Any]:
    return {
        "run_id": step.run_id,
        "step_no": step.step_no,
        "dataset": step.dataset,
        "action": step.action,
        "rules": " ".join(step.rules),
        "shape": step.shape,
        "planned_rows": step.planned_rows,
        "started_at": step.started_at,
        "changed_rows": step.changed_rows,
        "left_rows": step.left_rows,
        "table_version": step.table_version,
        "detail": step.detail,
        "finished_at": step.finished_at,
    }


def _step(row: Row[Any]) -> StepRecord:
    return StepRecord(
        run_id=row.run_id,
        step_no=row.step_no,
        dataset=row.dataset,
        action=row.action,
        rules=tuple(str(row.rules).split()),
        shape=row.shape,
        planned_rows=row.planned_rows,
        started_at=row.started_at,
        changed_rows=row.changed_rows,
        left_rows=row.left_rows,
        table_version=row.table_version,
        detail=row.detail,
        finished_at=row.finished_at,
    )


def _hold(row: Row[Any]) -> LegalHold:
    return LegalHold(
        hold_id=row.hold_id,
        scope=HoldScope(
            subject=row.subject,
            dataset=row.dataset,
            categories=frozenset(CategoryId(name) for name in str(row.categories).split()),
            records_from=row.records_from,
            records_until=row.records_until,
            record=row.record,
        ),
        reason=HoldReason(row.reason),
        description=row.description,
        placed_by=row.placed_by,
        placed_at=row.placed_at,
        until=row.until,
        released_at=row.released_at,
        released_by=row.released_by,
    )
