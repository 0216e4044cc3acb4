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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import polars as pl

from placet.datamap import DataMap, Dataset, KeyKind, assignments_from, resolve_subjects
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


DatasetReader = Callable[[SystemLocation, str, Sequence[str], Sequence[str]], pl.LazyFrame]
"""Reads (location, table, columns, instants among them) as a lazy frame
(`placet.stores.estate_tables.read_dataset`)."""


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
    where = {location.system: location for location in locations}
    lines: list[PlanLine] = []
    for _, system, dataset in datamap.located_datasets():
        rows = _subscribers(datamap, where, dataset, read)
        subscribers = rows.select(pl.col(SUBSCRIBER).drop_nulls().unique()).collect()
        facts = _facts(subscribers[SUBSCRIBER].to_list(), ledger, key, at)
        joined = rows.join(facts.lazy(), on=SUBSCRIBER, how="left")
        lines += plan_dataset(policy, dataset, joined, at=at, holds=holds)
        log.info("retention planned", extra={"dataset": dataset.id, "system": system.id})
    return RetentionPlan(policy.policy_id, policy.version, at, tuple(lines))


def _subscribers(
    datamap: DataMap, where: dict[str, SystemLocation], dataset: Dataset, read: DatasetReader
) -> pl.LazyFrame:
    """The dataset's time column and the subscriber each row belongs to."""
    key = dataset.subject_key
    if key is None:
        raise DataMapError(
            f"dataset {dataset.id} has no subject key: retention cannot tell whose rows "
            "they are. Run `placet datamap check`."
        )
    system = next(system for _, system, found in datamap.located_datasets() if found is dataset)
    instants = [dataset.time_column] if dataset.time_column else []
    rows = read(where[system.id], dataset.location, [key.column, *instants], instants)
    if key.kind is KeyKind.SUBSCRIBER_ID:
        return rows.rename({key.column: SUBSCRIBER}).with_columns(
            pl.col(SUBSCRIBER).cast(pl.String)
        )
    identities = datamap.identities_for(key.kind)
    if not identities or dataset.time_column is None:
        # Nobody can be named: the rows are planned with no subscriber's facts.
        return rows.with_columns(pl.lit(None, dtype=pl.String).alias(SUBSCRIBER))
    identity = identities[0]
    held_in = datamap.dataset(identity.dataset)
    if held_in is None:
        raise DataMapError(f"identity {identity.id} names no dataset of the map")
    holder = next(system for _, system, found in datamap.located_datasets() if found is held_in)
    columns = [identity.key.column, identity.subject_column, identity.valid_from, identity.valid_to]
    assignments = read(
        where[holder.id], held_in.location, columns, [identity.valid_from, identity.valid_to]
    )
    resolved = resolve_subjects(
        rows,
        key.column,
        dataset.time_column,
        assignments_from(assignments, identity),
        into=SUBSCRIBER,
    )
    return resolved.drop(key.column)


def _facts(
    subscribers: list[str], ledger: SubjectStates, key: PseudonymKey, at: datetime
) -> pl.DataFrame:
    """Each subscriber's facts from the ledger, in `FACT_COLUMNS` (the ledger records the
    subject's type, contracts and debts; the other anchors stay unknown here)."""
    pseudonyms = [pseudonymise_subject(subscriber, key) for subscriber in subscribers]
    states = ledger.states(pseudonyms, at)
    return pl.DataFrame(
        {
            SUBSCRIBER: subscribers,
            "subject_type": [state.subject_type for state in states],
            "last_contract_end": [state.last_contract_end for state in states],
            "debt_settled_at": [state.debt_settled_at for state in states],
        },
        schema={
            SUBSCRIBER: pl.String(),
            "subject_type": FACT_COLUMNS["subject_type"],
            "last_contract_end": FACT_COLUMNS["last_contract_end"],
            "debt_settled_at": FACT_COLUMNS["debt_settled_at"],
        },
    )
