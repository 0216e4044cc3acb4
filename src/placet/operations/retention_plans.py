"""A retention plan of a whole estate: what is due in every dataset of the data map, as
the set-based steps a run executes (`placet.operations.retention_runs`), counted in the
stores, touching nothing.

Each dataset's rows split the cheap way (`placet.retention.spans`): the rows due whatever
their subject's facts (a time prefix, selected by time alone, which a month-partitioned
lake drops partition by partition without reading a row), and the rows of the few
subscribers whose ledger facts (the end of their last contract, debts settled) may make a
rule due, which alone are read and decided one by one and become key windows. Keys other
than the subscriber id resolve through the data map's identities at each row's instant, so
a recycled number never hands one holder's rows to another.

The guard (`may_destroy`) is asked for each dataset. A legal hold or an open request on
some subjects leaves their rows out of every step (excluded key windows, or the prefix cut
around a hold's span); one on the whole dataset, or one that names records a sweep cannot
tell apart, stops the dataset, and the plan says why.

Steps are numbered by their dataset's place in the map and their action, so that a rerun
of a killed run finds each again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Protocol

import polars as pl
import pyarrow as pa

from placet.datamap import DataMap, Dataset, Identity, KeyKind, System, assignments_from
from placet.datamap.identity import SUBJECT, VALID_FROM, VALID_TO, resolve_subjects
from placet.errors import DataMapError
from placet.ledger import (
    ChainHead,
    DecisionEntry,
    DecisionRecord,
    LedgerFacts,
    PseudonymKey,
    SubjectRef,
)
from placet.operations.estate_rows import (
    INSTANT,
    KEY,
    SUBSCRIBER,
    TIME,
    SubjectFacts,
    as_utc,
    clipped_windows,
    distinct_values,
    frame_of,
    read_keys_and_times,
)
from placet.policy import Policy
from placet.policy.model import CategoryId
from placet.policy.terms import RetentionAction
from placet.retention import (
    DestructionScope,
    DestructivePath,
    LegalHold,
    OpenRequest,
    held_rows,
    may_destroy,
    retention_frame,
)
from placet.retention.guard import HOLDING_REQUESTS
from placet.retention.spans import (
    RetentionShape,
    action_windows,
    could_fall_due,
    retention_shape,
)
from placet.stores.protocol import (
    ANONYMISED_MARK,
    RESTRICTED_MARK,
    Selection,
    Store,
)

__all__ = [
    "STEPS_PER_DATASET",
    "DatasetPlan",
    "EstatePlan",
    "EstateStores",
    "RetentionStep",
    "StateLedger",
    "plan_estate",
    "subject_windows",
]

log = logging.getLogger(__name__)


_MARKS: Final = {
    RetentionAction.ANONYMISE: ANONYMISED_MARK,
    RetentionAction.RESTRICT: RESTRICTED_MARK,
}
"""The mark an update stamps for an action (a delete leaves none: its rows are gone)."""

_ACTION_ORDER: Final = {
    RetentionAction.DELETE: 1,
    RetentionAction.ANONYMISE: 3,
    RetentionAction.RESTRICT: 5,
}
STEPS_PER_DATASET: Final = 10
"""Step numbers a dataset takes: its place in the map times this, plus its action's."""


class StateLedger(Protocol):
    """What retention asks of the ledger: subjects' facts, its head, and recording."""

    def facts(self, subjects: Sequence[SubjectRef], at: datetime) -> list[LedgerFacts]: ...

    def head(self) -> ChainHead: ...

    def record_decision(self, record: DecisionRecord) -> DecisionEntry: ...


@dataclass(frozen=True, slots=True)
class EstateStores:
    """The data map and an open store for each of its systems, by system id."""

    datamap: DataMap
    stores: Mapping[str, Store]

    def located(self) -> Iterator[tuple[int, System, Dataset, Store]]:
        """Every dataset, numbered in the map's order, with its system and store."""
        for number, (_, system, dataset) in enumerate(self.datamap.located_datasets()):
            store = self.stores.get(system.id)
            if store is None:
                raise DataMapError(
                    f"no store is open for system {system.id}: give its location "
                    "(`--connect SYSTEM=WHERE` or the environment variable its connection names)"
                )
            yield number, system, dataset, store


@dataclass(frozen=True, slots=True)
class RetentionStep:
    """One set-based change to one dataset: an action on the rows its selections pick."""

    step_no: int
    dataset: str
    table: str
    system: str
    action: RetentionAction
    rules: tuple[str, ...]
    shape: str
    """`time-prefix`: selected by time alone; `key-windows`: by keys and their spans."""
    selections: tuple[Selection, ...] = field(compare=False)
    rows: int
    """The rows the selections pick now."""
    before: datetime | None = None
    """For a time prefix: every row before this instant is due."""
    windows: int = 0
    """For key windows: how many."""

    @property
    def mark(self) -> str | None:
        """The mark an update stamps (None: a delete)."""
        return _MARKS.get(self.action)

    @property
    def selected_by(self) -> str:
        """How the step picks its rows, in words."""
        if self.shape == "time-prefix" and self.before is not None:
            return f"time before {self.before.isoformat()}"
        return f"{self.windows:,} key window(s)"


@dataclass(frozen=True, slots=True)
class DatasetPlan:
    dataset: str
    system: str
    rows: int
    """Every row of the dataset."""
    steps: tuple[RetentionStep, ...]
    left_out: tuple[str, ...] = ()
    """The holds and requests whose rows every step leaves out."""
    blocked: str | None = None
    """Why nothing may be done to the dataset now (a hold on all of it), if so."""

    @property
    def acts_on(self) -> int:
        return sum(step.rows for step in self.steps)

    @property
    def kept(self) -> int:
        return self.rows - self.acts_on

    @property
    def kept_note(self) -> str:
        """Why rows are kept beyond the policy's rules, if any are: a hold on the whole
        dataset, or the holds and requests every step leaves out."""
        if self.blocked:
            return f"blocked: {self.blocked}"
        if self.left_out:
            return f"leaves out {', '.join(self.left_out)}"
        return ""


@dataclass(frozen=True, slots=True)
class EstatePlan:
    policy_id: str
    policy_version: str
    at: datetime
    datasets: tuple[DatasetPlan, ...]

    @property
    def steps(self) -> list[RetentionStep]:
        return [step for dataset in self.datasets for step in dataset.steps]

    @property
    def acts_on(self) -> int:
        return sum(dataset.acts_on for dataset in self.datasets)


def plan_estate(
    estate: EstateStores,
    policy: Policy,
    ledger: StateLedger,
    key: PseudonymKey,
    *,
    at: datetime,
    holds: Sequence[LegalHold] = (),
    open_requests: Sequence[OpenRequest] = (),
) -> EstatePlan:
    """What retention would do at `at` to every dataset of the estate, touching nothing."""
    planner = _Planner(estate, policy, ledger, key, at=at, holds=holds, open_requests=open_requests)
    plans = tuple(
        planner.plan(number, system, dataset, store)
        for number, system, dataset, store in estate.located()
    )
    return EstatePlan(policy.policy_id, policy.version, at, plans)


def subject_windows(
    estate: EstateStores,
    policy: Policy,
    ledger: StateLedger,
    key: PseudonymKey,
    *,
    at: datetime,
) -> _Planner:
    """What finds one subscriber's rows in any dataset (`windows_of`) and the cutoff the
    law keeps them until (`legal_cutoff`), reading each identity's assignments once."""
    return _Planner(estate, policy, ledger, key, at=at, holds=(), open_requests=())


class _Planner:
    def __init__(
        self,
        estate: EstateStores,
        policy: Policy,
        ledger: StateLedger,
        key: PseudonymKey,
        *,
        at: datetime,
        holds: Sequence[LegalHold],
        open_requests: Sequence[OpenRequest],
    ) -> None:
        self._estate = estate
        self._policy = policy
        self._at = at
        self._holds = [hold for hold in holds if hold.is_in_force(at)]
        self._requests = [request for request in open_requests if request.kind in HOLDING_REQUESTS]
        self._facts = SubjectFacts(ledger, key, at)
        self._assignments: dict[str, pl.DataFrame] = {}

    def plan(self, number: int, system: System, dataset: Dataset, store: Store) -> DatasetPlan:
        key = dataset.subject_key
        if key is None:
            raise DataMapError(
                f"dataset {dataset.id} has no subject key: retention cannot tell whose rows "
                "they are. Run `placet datamap check`."
            )
        rows = store.count(dataset.location, Selection())
        categories = dataset.categories
        shape = retention_shape(self._policy, dataset.record_type, categories, self._at)
        decision = may_destroy(
            DestructionScope(DestructivePath.RETENTION_RUN, dataset.id, frozenset(categories)),
            self._holds,
            self._requests,
            self._at,
        )
        meeting = [hold for hold in self._holds if _meets_dataset(hold, dataset.id)]
        if not decision.allowed or any(
            hold.scope.record is not None and hold.scope.subject is None for hold in meeting
        ):
            return DatasetPlan(
                dataset.id,
                system.id,
                rows,
                (),
                blocked=decision.explanation
                if not decision.allowed
                else "a legal hold names records the run cannot tell apart",
            )
        left_out = tuple(blocker.reference for blocker in decision.excluded)
        exclude = self._excluded_windows(dataset, meeting)
        spans = _hold_spans(meeting)
        steps: list[RetentionStep] = []
        base = number * STEPS_PER_DATASET
        if dataset.time_column is not None and shape.prefix is not None and not shape.every_row:
            selections = tuple(
                Selection(
                    time_column=dataset.time_column,
                    key_column=key.column,
                    since=since,
                    before=before,
                    exclude=exclude,
                )
                for since, before in _cut(shape.prefix.before, spans)
            )
            mark = _MARKS.get(shape.prefix.action)
            count = sum(
                store.count(dataset.location, selection, unmarked=mark) for selection in selections
            )
            if count:
                steps.append(
                    RetentionStep(
                        base + _ACTION_ORDER[shape.prefix.action] - 1,
                        dataset.id,
                        dataset.location,
                        system.id,
                        shape.prefix.action,
                        shape.prefix.rules,
                        "time-prefix",
                        selections,
                        count,
                        before=shape.prefix.before,
                    )
                )
        steps += self._decided_steps(
            base, system, dataset, store, shape=shape, categories=categories
        )
        return DatasetPlan(dataset.id, system.id, rows, tuple(steps), left_out)

    def _decided_steps(
        self,
        base: int,
        system: System,
        dataset: Dataset,
        store: Store,
        *,
        shape: RetentionShape,
        categories: tuple[CategoryId, ...],
    ) -> list[RetentionStep]:
        """The steps of the rows decided one by one: every row, or the rows after the
        prefix of the subscribers on whom a rule may fall due by their facts."""
        key = dataset.subject_key
        assert key is not None
        time_column = dataset.time_column
        if time_column is None or (not shape.fact_rules and not shape.every_row):
            return []
        since = shape.prefix.before if shape.prefix is not None and not shape.every_row else None
        if shape.every_row:
            selection = Selection(time_column=time_column, key_column=key.column)
        else:
            candidates = self._candidates(dataset, store, shape)
            windows = self.windows_of(dataset, candidates, since=since, until=None)
            if windows.num_rows == 0:
                return []
            selection = Selection(time_column=time_column, key_column=key.column, windows=windows)
        rows = read_keys_and_times(store, dataset.location, selection, key.column, time_column)
        if since is not None:
            rows = rows.filter(pl.col(TIME) >= since)
        decided = self._decide(dataset, rows, categories)
        steps = []
        for action in (RetentionAction.DELETE, RetentionAction.ANONYMISE, RetentionAction.RESTRICT):
            acting = decided.filter(pl.col("retention_action") == action.value)
            if acting.is_empty():
                continue
            windows = action_windows(decided, key_column=KEY, time_column=TIME, action=action)
            if windows.num_rows == 0:
                continue
            chosen = Selection(time_column=time_column, key_column=key.column, windows=windows)
            count = store.count(dataset.location, chosen, unmarked=_MARKS.get(action))
            if count == 0:
                continue
            rules = tuple(sorted(set(acting["retention_rule"].drop_nulls().to_list())))
            steps.append(
                RetentionStep(
                    base + _ACTION_ORDER[action],
                    dataset.id,
                    dataset.location,
                    system.id,
                    action,
                    rules,
                    "key-windows",
                    (chosen,),
                    count,
                    windows=windows.num_rows,
                )
            )
        return steps

    def _decide(
        self, dataset: Dataset, rows: pl.DataFrame, categories: tuple[CategoryId, ...]
    ) -> pl.DataFrame:
        """Each row (`KEY`, `TIME`) with its subscriber, their facts, the decision and
        whether a hold or an open request keeps it (`held`)."""
        resolved = self._resolve(dataset, rows.lazy())
        subscribers = resolved.select(pl.col(SUBSCRIBER).drop_nulls().unique()).collect()
        facts = self._facts.of(subscribers[SUBSCRIBER].to_list())
        joined = resolved.join(facts.lazy(), on=SUBSCRIBER, how="left")
        decided = retention_frame(
            self._policy,
            joined,
            record_type=dataset.record_type,
            categories=categories,
            time_column=TIME,
            at=self._at,
        )
        held = held_rows(
            joined,
            self._holds,
            dataset=dataset.id,
            subject_column=SUBSCRIBER,
            time_column=TIME,
            at=self._at,
        ) | pl.col(SUBSCRIBER).is_in([request.subject for request in self._requests])
        return decided.with_columns(held=held.fill_null(False)).collect()

    def _resolve(self, dataset: Dataset, rows: pl.LazyFrame) -> pl.LazyFrame:
        key = dataset.subject_key
        assert key is not None
        if key.kind is KeyKind.SUBSCRIBER_ID:
            return rows.with_columns(pl.col(KEY).alias(SUBSCRIBER))
        assignments = self._assignments_for(key.kind)
        if assignments is None:
            return rows.with_columns(pl.lit(None, dtype=pl.String).alias(SUBSCRIBER))
        return resolve_subjects(rows, KEY, TIME, assignments.lazy(), into=SUBSCRIBER)

    def _candidates(self, dataset: Dataset, store: Store, shape: RetentionShape) -> list[str]:
        """The subscribers of the dataset on whom a fact rule may be due at `at`."""
        key = dataset.subject_key
        assert key is not None
        if key.kind is KeyKind.SUBSCRIBER_ID:
            subscribers = distinct_values(store, dataset.location, key.column)
        else:
            assignments = self._assignments_for(key.kind)
            if assignments is None:
                return []
            subscribers = assignments[SUBJECT].drop_nulls().unique().to_list()
        facts = self._facts.of(subscribers)
        due = facts.filter(
            pl.col(SUBSCRIBER).is_in(subscribers) & could_fall_due(shape.fact_rules, self._at)
        )
        return sorted(due[SUBSCRIBER].to_list())

    def windows_of(
        self,
        dataset: Dataset,
        subscribers: Sequence[str],
        *,
        since: datetime | None,
        until: datetime | None,
    ) -> pa.Table:
        """Key windows selecting the rows of `subscribers` in `[since, until)`: their own
        id, or each key they held while they held it."""
        key = dataset.subject_key
        assert key is not None
        if key.kind is KeyKind.SUBSCRIBER_ID:
            frame = pl.DataFrame(
                {KEY: list(subscribers), VALID_FROM: None, VALID_TO: None},
                schema={KEY: pl.String, VALID_FROM: INSTANT, VALID_TO: INSTANT},
            )
        else:
            assignments = self._assignments_for(key.kind)
            if assignments is None:
                frame = pl.DataFrame(
                    schema={KEY: pl.String, VALID_FROM: INSTANT, VALID_TO: INSTANT}
                )
            else:
                frame = assignments.filter(pl.col(SUBJECT).is_in(list(subscribers))).select(
                    pl.col("key").alias(KEY), VALID_FROM, VALID_TO
                )
        return clipped_windows(frame, since, until)

    def legal_cutoff(self, dataset: Dataset, store: Store, subject: str) -> datetime | None:
        """The latest instant the dataset's own rule keeps `subject`'s rows until
        (`datetime.max` while one is not known yet: a contract still runs)."""
        key = dataset.subject_key
        if key is None or dataset.time_column is None:
            return None
        windows = self.windows_of(dataset, [subject], since=None, until=None)
        selection = Selection(
            time_column=dataset.time_column, key_column=key.column, windows=windows
        )
        rows = read_keys_and_times(
            store, dataset.location, selection, key.column, dataset.time_column
        )
        if rows.is_empty():
            return None
        categories = tuple(
            sorted({CategoryId(column.category) for column in dataset.columns.values()})
        )
        decided = self._decide(dataset, rows, categories)
        own = decided.filter(pl.col("retention_action") != RetentionAction.DELETE.value)
        if own.is_empty():
            return None
        if own["delete_at"].null_count():
            return datetime.max.replace(tzinfo=UTC)
        latest: datetime = own["delete_at"].max()  # type: ignore[assignment]
        return latest

    def _excluded_windows(self, dataset: Dataset, holds: list[LegalHold]) -> pa.Table | None:
        """Windows of the rows holds and open requests keep from a sweep of `dataset`."""
        parts = [
            self.windows_of(
                dataset,
                [hold.scope.subject],
                since=hold.scope.records_from,
                until=hold.scope.records_until,
            )
            for hold in holds
            if hold.scope.subject is not None
        ]
        parts += [
            self.windows_of(dataset, [request.subject], since=None, until=None)
            for request in self._requests
        ]
        if not parts:
            return None
        return pa.concat_tables(parts)

    def _assignments_for(self, kind: KeyKind) -> pl.DataFrame | None:
        identities = self._estate.datamap.identities_for(kind)
        if not identities:
            return None
        return self._assignments_of(identities[0])

    def _assignments_of(self, identity: Identity) -> pl.DataFrame:
        found = self._assignments.get(identity.id)
        if found is None:
            datamap = self._estate.datamap
            held_in = datamap.dataset(identity.dataset)
            if held_in is None:
                raise DataMapError(f"identity {identity.id} names no dataset of the map")
            store = next(
                store for _, _, dataset, store in self._estate.located() if dataset.id == held_in.id
            )
            columns = [
                identity.key.column,
                identity.subject_column,
                identity.valid_from,
                identity.valid_to,
            ]
            frame = frame_of(store.find(held_in.location, Selection(), columns), columns)
            found = (
                assignments_from(
                    frame.lazy().with_columns(
                        as_utc(frame, identity.valid_from), as_utc(frame, identity.valid_to)
                    ),
                    identity,
                )
                .with_columns(pl.col(SUBJECT).cast(pl.String), pl.col("key").cast(pl.String))
                .collect()
            )
            self._assignments[identity.id] = found
        return found


def _meets_dataset(hold: LegalHold, dataset: str) -> bool:
    return hold.scope.dataset is None or hold.scope.dataset == dataset


def _hold_spans(holds: list[LegalHold]) -> list[tuple[datetime | None, datetime | None]]:
    """The time spans that holds on every subject of the dataset keep."""
    return [
        (hold.scope.records_from, hold.scope.records_until)
        for hold in holds
        if hold.scope.subject is None
        and hold.scope.record is None
        and (hold.scope.records_from is not None or hold.scope.records_until is not None)
    ]


def _cut(
    before: datetime, spans: list[tuple[datetime | None, datetime | None]]
) -> list[tuple[datetime | None, datetime]]:
    """`[-inf, before)` less the held spans `[from, until)` (None: unbounded), in pieces."""
    pieces: list[tuple[datetime | None, datetime]] = [(None, before)]
    for held_from, held_until in spans:
        cut: list[tuple[datetime | None, datetime]] = []
        for since, until in pieces:
            if held_from is not None and (since is None or held_from > since):
                cut.append((since, min(until, held_from)))
            if held_until is not None and held_until < until:
                cut.append((held_until if since is None else max(since, held_until), until))
        pieces = cut
    return pieces
