"""Where one subscriber's rows are in the estate, for answering their requests: every
dataset of the data map, read through its store, streamed and masked for the answer.

A dataset keyed by subscriber id is searched by the id. A dataset keyed by a number (an
MSISDN, an IP address) is searched by each number the subscriber held, only while they held
it (the map's identities say when): a recycled number's previous or next holder is never
found. Two kinds of rows come back:

- the subscriber's own records (`Role.OWN`), in which another party's number (a CDR's
  B-number, the map's `other_party_keys`) is masked: it is that party's personal data;
- the records in which the subscriber is the other party (`Role.OTHER_PARTY`: their number
  as another subscriber's B-number). These are theirs too (Art. 15), but they describe
  another subscriber: the row owner's number is masked and the columns of a location
  category (where the *caller* was) are left out. Where the map says the same records are
  kept keyed by the other party (`found_in`: the switch's terminating records), they are
  that dataset's own rows and this dataset is not searched by the other party's column:
  no layout by the record's subject makes that search cheap.

Neither reference policy says how much of a number to mask (their texts never ask for it),
so an access answer masks the last `ACCESS_MASKED_DIGITS` digits, as an itemised bill does:
the subscriber can still tell a call to a known number from another, and a masked number
stands for ten thousand. Nothing here is held in memory beyond one batch of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

import polars as pl
import pyarrow as pa

from placet.datamap import Dataset, KeyKind, SubjectKey
from placet.datamap.identity import VALID_FROM, VALID_TO
from placet.operations.estate_rows import KEY, as_utc, clipped_windows, frame_of
from placet.operations.retention_plans import EstateStores
from placet.policy import Policy
from placet.policy.terms import CategoryFlag
from placet.retention.rewrites import MaskTail
from placet.stores.lake_selection import rewritten_values
from placet.stores.protocol import MARKS, PSEUDONYMISED_MARK, Selection, Store, key_windows

__all__ = [
    "ACCESS_MASKED_DIGITS",
    "USE_OF_LINES",
    "Role",
    "SubjectData",
    "SubjectRows",
    "Unsearchable",
    "find_subject_data",
    "key_holder",
    "without_use_of_lines",
]

ACCESS_MASKED_DIGITS: Final = 4
"""How many trailing digits of another party's number an access answer masks."""

_MASK: Final = MaskTail(ACCESS_MASKED_DIGITS)


class Role(StrEnum):
    """Whose records the rows are."""

    OWN = "own"
    """The subscriber's own records."""
    OTHER_PARTY = "other-party"
    """Another subscriber's records in which the subscriber is the other party."""


@dataclass(frozen=True, slots=True)
class SubjectRows:
    """The rows of one dataset that concern the subscriber, in one role: how to read them
    (streamed, masked) and how many there are."""

    system: str
    dataset: Dataset
    store: Store
    role: Role
    selection: Selection = field(compare=False)
    columns: tuple[str, ...]
    """The columns shown, in the table's order."""
    masked: tuple[str, ...]
    """Columns shown with another party's number masked."""
    left_out: tuple[str, ...]
    """Columns of the table not shown (another party's location)."""

    @property
    def name(self) -> str:
        """The file name of these rows in an answer: `cdrs`, `cdrs.other-party`."""
        suffix = "" if self.role is Role.OWN else f".{self.role.value}"
        return f"{self.dataset.id}{suffix}"

    def count(self) -> int:
        return self.store.count(self.dataset.location, self.selection)

    def batches(self, *, batch_rows: int = 65_536) -> Iterator[pa.RecordBatch]:
        """The rows, batch by batch, with `masked` columns masked."""
        found = self.store.find(
            self.dataset.location, self.selection, list(self.columns), batch_rows=batch_rows
        )
        for batch in found:
            yield _masked(batch, self.masked)


@dataclass(frozen=True, slots=True)
class Unsearchable:
    """A dataset the subscriber's rows cannot be found in, and why (said in the answer)."""

    dataset: str
    reason: str


@dataclass(frozen=True, slots=True)
class SubjectData:
    """Everything the estate holds about one subscriber, as readers of rows."""

    subscriber: str
    found: tuple[SubjectRows, ...]
    unsearchable: tuple[Unsearchable, ...]
    withheld: tuple[SubjectRows, ...] = ()
    """Rows found but left out of the answer (`without_use_of_lines`)."""

    def of(self, dataset_id: str, role: Role = Role.OWN) -> SubjectRows | None:
        return next(
            (rows for rows in self.found if rows.dataset.id == dataset_id and rows.role is role),
            None,
        )


USE_OF_LINES: Final = frozenset(
    {CategoryFlag.TRAFFIC, CategoryFlag.LOCATION, CategoryFlag.COMMUNICATIONS_CONTENT}
)
"""The flags of the data that record how a line was used, where and what was said."""


def without_use_of_lines(data: SubjectData, policy: Policy) -> SubjectData:
    """`data` less the datasets that record how the subscriber's lines were used (traffic,
    location, the content of calls), for a business subscriber: those lines are used by
    people, its employees among them, whose calls and whereabouts are their own personal
    data (GDPR Art. 15(4): a copy "shall not adversely affect the rights and freedoms of
    others"; ipnordic 004 collects employees' data "via din arbejdsgiver"), and a business
    has no right of access of its own (Art. 4(1), Recital 14). Each user can ask for their
    own records. The datasets left out are kept in `withheld`, so the answer names them."""
    flagged = {
        category.id for category in policy.data_categories if USE_OF_LINES & set(category.flags)
    }
    kept: list[SubjectRows] = []
    withheld: list[SubjectRows] = list(data.withheld)
    for rows in data.found:
        held = {column.category for column in rows.dataset.columns.values()}
        (withheld if held & flagged else kept).append(rows)
    return replace(data, found=tuple(kept), withheld=tuple(withheld))


def find_subject_data(estate: EstateStores, policy: Policy, subscriber: str) -> SubjectData:
    """Where `subscriber`'s rows are, dataset by dataset (nothing is read but the numbers
    they held and each table's columns)."""
    held: dict[KeyKind, pa.Table] = {}

    def windows(kind: KeyKind) -> pa.Table:
        if kind is KeyKind.SUBSCRIBER_ID:
            return key_windows([subscriber])
        if kind not in held:
            held[kind] = _held_keys(estate, kind, subscriber)
        return held[kind]

    found: list[SubjectRows] = []
    unsearchable: list[Unsearchable] = []
    located = {dataset.id for _, _, dataset, _ in estate.located()}
    for _, system, dataset, store in estate.located():
        if dataset.subject_key is None:
            unsearchable.append(Unsearchable(dataset.id, "the data map names no subject key"))
            continue
        table = store.schema(dataset.location).names
        if PSEUDONYMISED_MARK in table:
            unsearchable.append(
                Unsearchable(
                    dataset.id,
                    "its identifiers are pseudonymised: nothing in it names the subscriber",
                )
            )
            continue
        keys: list[tuple[Role, SubjectKey]] = [(Role.OWN, dataset.subject_key)]
        keys += [
            (Role.OTHER_PARTY, other)
            for other in dataset.other_party_keys
            if other.found_in is None or other.found_in not in located
        ]
        for role, subject_key in keys:
            chosen = windows(subject_key.kind)
            if len(chosen) == 0:
                continue
            if dataset.time_column is None and _bounded(chosen):
                unsearchable.append(
                    Unsearchable(
                        dataset.id,
                        f"its {subject_key.column} names numbers held by several subscribers "
                        "over time, and it has no time column to tell whose a row is",
                    )
                )
                continue
            selection = Selection(
                time_column=dataset.time_column, key_column=subject_key.column, windows=chosen
            )
            found.append(
                _rows(
                    system.id,
                    dataset,
                    store,
                    role=role,
                    key=subject_key,
                    selection=selection,
                    table=table,
                    policy=policy,
                )
            )
    return SubjectData(subscriber, tuple(found), tuple(unsearchable))


def _rows(
    system: str,
    dataset: Dataset,
    store: Store,
    *,
    role: Role,
    key: SubjectKey,
    selection: Selection,
    table: list[str],
    policy: Policy,
) -> SubjectRows:
    shown = [name for name in table if name not in MARKS]
    if role is Role.OWN:
        masked = [other.column for other in dataset.other_party_keys if other.column in shown]
        left_out: list[str] = []
    else:
        owner = dataset.subject_key
        assert owner is not None
        left_out = [
            name
            for name in shown
            if name not in dataset.columns
            or CategoryFlag.LOCATION in policy.category(dataset.columns[name].category).flags
        ]
        left_out = [name for name in left_out if name not in {key.column, dataset.time_column}]
        shown = [name for name in shown if name not in left_out]
        masked = [owner.column] + [
            other.column
            for other in dataset.other_party_keys
            if other.column != key.column and other.column in shown
        ]
    return SubjectRows(
        system=system,
        dataset=dataset,
        store=store,
        role=role,
        selection=selection,
        columns=tuple(shown),
        masked=tuple(masked),
        left_out=tuple(left_out),
    )


def _held_keys(estate: EstateStores, kind: KeyKind, subscriber: str) -> pa.Table:
    """Windows of the keys of `kind` the subscriber held, each while they held it, read
    from the identities' own datasets by the subscriber's id."""
    parts = []
    for identity in estate.datamap.identities_for(kind):
        located = _located(estate, identity.dataset)
        if located is None:
            continue
        dataset, store = located
        columns = [identity.key.column, identity.valid_from, identity.valid_to]
        selection = Selection(key_column=identity.subject_column, windows=key_windows([subscriber]))
        frame = frame_of(store.find(dataset.location, selection, columns), columns)
        if frame.is_empty():
            continue
        spans = frame.select(
            pl.col(identity.key.column).cast(pl.String).alias(KEY),
            as_utc(frame, identity.valid_from).alias(VALID_FROM),
            as_utc(frame, identity.valid_to).alias(VALID_TO),
        )
        parts.append(clipped_windows(spans, None, None))
    if not parts:
        return key_windows([])
    return pa.concat_tables(parts)


def _located(estate: EstateStores, dataset_id: str) -> tuple[Dataset, Store] | None:
    return next(
        ((dataset, store) for _, _, dataset, store in estate.located() if dataset.id == dataset_id),
        None,
    )


def _bounded(windows: pa.Table) -> bool:
    rows = len(windows)
    return bool(windows["since"].null_count < rows or windows["before"].null_count < rows)


def _masked(batch: pa.RecordBatch, columns: tuple[str, ...]) -> pa.RecordBatch:
    if not columns:
        return batch
    arrays = list(batch.columns)
    fields = list(batch.schema)
    for name in columns:
        index = batch.schema.get_field_index(name)
        values = batch.column(index)
        if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
            values = values.cast(pa.string())
        masked = rewritten_values(values, _MASK)
        assert isinstance(masked, pa.Array)
        arrays[index] = masked
        fields[index] = pa.field(name, masked.type)
    return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))


def key_holder(estate: EstateStores, kind: KeyKind, key: str, at: datetime) -> str | None:
    """The subscriber who held `key` (a number) at `at`, by the map's identities of its
    kind; None when nobody did (the number was free, or no identity maps the kind)."""
    for identity in estate.datamap.identities_for(kind):
        located = _located(estate, identity.dataset)
        if located is None:
            continue
        dataset, store = located
        columns = [identity.subject_column, identity.valid_from, identity.valid_to]
        selection = Selection(key_column=identity.key.column, windows=key_windows([key]))
        frame = frame_of(store.find(dataset.location, selection, columns), columns)
        if frame.is_empty():
            continue
        held = frame.with_columns(
            as_utc(frame, identity.valid_from), as_utc(frame, identity.valid_to)
        ).filter(
            (pl.col(identity.valid_from) <= at)
            & (pl.col(identity.valid_to).is_null() | (pl.col(identity.valid_to) > at))
        )
        if held.height:
            return str(held[identity.subject_column][0])
    return None
