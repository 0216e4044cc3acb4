"""A retention plan of a whole estate: every dataset of the data map, decided from the ledger.

For each dataset the map names, the rows' subject key and time column are read from the
store; keys other than the subscriber id are resolved through the map's identities at
each row's instant (a recycled number never hands the previous holder's rows to the next);
each subscriber's facts (type, the end of their last contract, debts settled) come from
the ledger, by their pseudonym; and `plan_dataset` sums up what each rule would do.
Nothing is changed anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

import polars as pl

from placet.datamap import (
    DataMap,
    Dataset,
    Identity,
    KeyKind,
    assignments_from,
    resolve_subjects,
)
from placet.datamap.identity import SUBJECT
from placet.datamap.scan import SystemLocation
from placet.decide import SubjectState
from placet.errors import DataMapError
from placet.ledger import PseudonymKey, SubjectRef, pseudonymise_subject
from placet.policy import Policy
from placet.retention import FACT_COLUMNS, LegalHold
from placet.retention.plan import SUBSCRIBER, PlanLine, plan_dataset

__all__ = ["DatasetReader", "RetentionPlan", "SubjectStates", "plan_retention"]

log = logging.getLogger(__name__)


class SubjectStates(Protocol):
    def states(self, subjects: Sequence[SubjectRef], at: datetime) -> list[SubjectState]: ...


class DatasetReader(Protocol):
    """Reads a dataset's columns as a lazy frame, the `instants` among them as UTC datetimes
    (`placet.stores.estate_tables.read_dataset`)."""

    def __call__(
        self,
        location: SystemLocation,
        table: str,
        columns: Sequence[str],
        *,
        instants: Sequence[str] = (),
    ) -> pl.LazyFrame: ...


@dataclass(frozen=True, slots=True)
class RetentionPlan:
    policy_id: str
    policy_version: str
    at: datetime
    lines: tuple[PlanLine, ...]

    @property
    def acts_on(self) -> int:
        """The rows the plan would delete, anonymise or restrict."""
        return sum(line.acts_on for line in self.lines)


def plan_retention(
    datamap: DataMap,
    locations: Sequence[SystemLocation],
    policy: Policy,
    ledger: SubjectStates,
    key: PseudonymKey,
    *,
    read: DatasetReader,
    at: datetime,
    holds: Sequence[LegalHold] = (),
) -> RetentionPlan:
    """What retention would do at `at` to every dataset of `datamap`, touching nothing."""
    estate = _Estate(datamap, {location.system: location for location in locations}, read)
    facts = _Facts(ledger, key, at)
    lines: list[PlanLine] = []
    for _, system, dataset in datamap.located_datasets():
        rows, subscribers = estate.subscribers(dataset)
        joined = rows.join(facts.of(subscribers).lazy(), on=SUBSCRIBER, how="left")
        lines += plan_dataset(policy, dataset, joined, at=at, holds=holds)
        log.info("retention planned", extra={"dataset": dataset.id, "system": system.id})
    return RetentionPlan(policy.policy_id, policy.version, at, tuple(lines))


class _Estate:
    """The estate's datasets as the data map places them; each identity's assignments are
    read once, however many datasets resolve their keys through it."""

    def __init__(
        self, datamap: DataMap, where: dict[str, SystemLocation], read: DatasetReader
    ) -> None:
        self._datamap = datamap
        self._read = read
        self._where = {
            dataset.id: where[system.id] for _, system, dataset in datamap.located_datasets()
        }
        self._assignments: dict[str, pl.DataFrame] = {}

    def subscribers(self, dataset: Dataset) -> tuple[pl.LazyFrame, list[str]]:
        """The dataset's time column and the subscriber each row belongs to; and every
        subscriber the rows can belong to (whose facts the plan needs)."""
        key = dataset.subject_key
        if key is None:
            raise DataMapError(
                f"dataset {dataset.id} has no subject key: retention cannot tell whose rows "
                "they are. Run `placet datamap check`."
            )
        instants = [dataset.time_column] if dataset.time_column else []
        rows = self._read(
            self._where[dataset.id], dataset.location, [key.column, *instants], instants=instants
        )
        if key.kind is KeyKind.SUBSCRIBER_ID:
            rows = rows.rename({key.column: SUBSCRIBER}).with_columns(
                pl.col(SUBSCRIBER).cast(pl.String)
            )
            return rows, _distinct(rows)
        identities = self._datamap.identities_for(key.kind)
        if not identities or dataset.time_column is None:
            # Nobody can be named: the rows are planned with no subscriber's facts.
            return rows.with_columns(pl.lit(None, dtype=pl.String).alias(SUBSCRIBER)), []
        assignments = self._assignments_of(identities[0]).lazy()
        resolved = resolve_subjects(
            rows, key.column, dataset.time_column, assignments, into=SUBSCRIBER
        )
        # The holders of the keys are the candidates: read from the small assignments table
        # rather than by a second pass over a large dataset.
        return resolved.drop(key.column), _distinct(assignments.rename({SUBJECT: SUBSCRIBER}))

    def _assignments_of(self, identity: Identity) -> pl.DataFrame:
        found = self._assignments.get(identity.id)
        if found is None:
            held_in = self._datamap.dataset(identity.dataset)
            if held_in is None:
                raise DataMapError(f"identity {identity.id} names no dataset of the map")
            frame = self._read(
                self._where[held_in.id],
                held_in.location,
                [
                    identity.key.column,
                    identity.subject_column,
                    identity.valid_from,
                    identity.valid_to,
                ],
                instants=[identity.valid_from, identity.valid_to],
            )
            found = (
                assignments_from(frame, identity)
                .with_columns(pl.col(SUBJECT).cast(pl.String))
                .collect()
            )
            self._assignments[identity.id] = found
        return found


def _distinct(rows: pl.LazyFrame) -> list[str]:
    return rows.select(pl.col(SUBSCRIBER).drop_nulls().unique()).collect()[SUBSCRIBER].to_list()


class _Facts:
    """Each subscriber's facts from the ledger in `FACT_COLUMNS` (the ledger records the
    subject's type, contracts and debts; the other anchors stay unknown here), asked of the
    ledger once per subscriber however many datasets hold their rows."""

    _SCHEMA: Final = {
        SUBSCRIBER: pl.String(),
        "subject_type": FACT_COLUMNS["subject_type"],
        "last_contract_end": FACT_COLUMNS["last_contract_end"],
        "debt_settled_at": FACT_COLUMNS["debt_settled_at"],
    }

    def __init__(self, ledger: SubjectStates, key: PseudonymKey, at: datetime) -> None:
        self._ledger = ledger
        self._key = key
        self._at = at
        self._known = pl.DataFrame(schema=self._SCHEMA)

    def of(self, subscribers: list[str]) -> pl.DataFrame:
        """The facts of `subscribers` (and of any asked before)."""
        asked = set(self._known[SUBSCRIBER].to_list())
        new = [subscriber for subscriber in subscribers if subscriber not in asked]
        if new:
            pseudonyms = [pseudonymise_subject(subscriber, self._key) for subscriber in new]
            states = self._ledger.states(pseudonyms, self._at)
            found = pl.DataFrame(
                {
                    SUBSCRIBER: new,
                    "subject_type": [state.subject_type for state in states],
                    "last_contract_end": [state.last_contract_end for state in states],
                    "debt_settled_at": [state.debt_settled_at for state in states],
                },
                schema=self._SCHEMA,
            )
            self._known = pl.concat([self._known, found])
        return self._known
