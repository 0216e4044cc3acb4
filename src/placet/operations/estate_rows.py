"""The rows a retention plan reads from the stores, and the facts it reads from the ledger:
each dataset's keys and times (instants as UTC, whatever the store keeps them as), a
column's distinct values, key windows clipped to a span, and each subscriber's facts,
asked of the ledger once however many datasets hold their rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Final, Protocol

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from placet.datamap.identity import VALID_FROM, VALID_TO
from placet.ledger import LedgerFacts, PseudonymKey, SubjectRef, pseudonymise_subjects
from placet.retention import FACT_COLUMNS
from placet.retention.spans import WINDOW_SCHEMA
from placet.stores.protocol import Selection, Store

__all__ = [
    "KEY",
    "SUBSCRIBER",
    "TIME",
    "FactSource",
    "SubjectFacts",
    "as_utc",
    "clipped_windows",
    "distinct_values",
    "frame_of",
    "read_keys_and_times",
]

SUBSCRIBER: Final = "subscriber"
"""The column naming the subscriber a row belongs to (null: nobody)."""
KEY: Final = "key"
"""A row's subject key, as text."""
TIME: Final = "time"
"""A row's instant, in UTC."""
INSTANT: Final = pl.Datetime("us", "UTC")


class FactSource(Protocol):
    """What the facts are read from: the ledger (`SqlLedger.facts`)."""

    def facts(self, subjects: Sequence[SubjectRef], at: datetime) -> list[LedgerFacts]:
        """Each subject's retention facts at `at`, in order."""
        ...


def clipped_windows(
    frame: pl.DataFrame, since: datetime | None, until: datetime | None
) -> pa.Table:
    """`frame`'s key spans (`VALID_FROM`, `VALID_TO`) clipped to `[since, until)`."""
    lower = pl.col(VALID_FROM)
    upper = pl.col(VALID_TO)
    if since is not None:
        lower = pl.when(lower.is_null() | (lower < since)).then(pl.lit(since)).otherwise(lower)
    if until is not None:
        upper = pl.when(upper.is_null() | (upper > until)).then(pl.lit(until)).otherwise(upper)
    clipped = frame.select(
        pl.col(KEY).alias("key"),
        lower.cast(INSTANT).alias("since"),
        upper.cast(INSTANT).alias("before"),
    ).filter(
        pl.col("key").is_not_null()
        & (
            pl.col("since").is_null()
            | pl.col("before").is_null()
            | (pl.col("since") < pl.col("before"))
        )
    )
    arrow = clipped.to_arrow()
    return pa.table(
        [arrow[name].cast(WINDOW_SCHEMA.field(name).type) for name in WINDOW_SCHEMA.names],
        schema=WINDOW_SCHEMA,
    )


def frame_of(batches: Iterator[pa.RecordBatch], columns: Sequence[str]) -> pl.DataFrame:
    read = list(batches)
    if not read:
        return pl.DataFrame({name: [] for name in columns})
    frame = pl.from_arrow(pa.Table.from_batches(read))
    assert isinstance(frame, pl.DataFrame)
    return frame


def as_utc(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A time column as UTC datetimes (SQLite keeps them as text, some stores naive)."""
    dtype = frame.schema[name]
    column = pl.col(name)
    if dtype == pl.String:
        return column.str.to_datetime(time_unit="us", time_zone="UTC")
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        return column.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    return column.cast(INSTANT)


def read_keys_and_times(
    store: Store, table: str, selection: Selection, key_column: str, time_column: str
) -> pl.DataFrame:
    """The selected rows' key (`KEY`, as text) and time (`TIME`, UTC)."""
    frame = frame_of(
        store.find(table, selection, [key_column, time_column]), [key_column, time_column]
    )
    return frame.select(
        pl.col(key_column).cast(pl.String).alias(KEY), as_utc(frame, time_column).alias(TIME)
    )


def distinct_values(store: Store, table: str, column: str) -> list[str]:
    """The distinct values of a column as text, in order: each batch's own distinct values,
    then theirs, in Arrow; only the distinct values become Python strings."""
    parts = [pc.unique(batch.column(0)) for batch in store.find(table, Selection(), [column])]
    if not parts:
        return []
    values = pc.unique(pa.concat_arrays(parts)).drop_null()
    if pa.types.is_string(values.type) or pa.types.is_integer(values.type):
        # Arrow writes these as `str` does; UTF-8 in byte order is text in code point order.
        texts = values.cast(pa.string())
        return texts.take(pc.sort_indices(texts)).to_pylist()  # type: ignore[no-any-return]
    return sorted({str(value) for value in values.to_pylist()})


class SubjectFacts:
    """Each subscriber's facts from the ledger in `FACT_COLUMNS`, asked once each. The
    ledger records the subject's type, contracts (and whether there ever was one) and
    debts; the other anchors (claims time-barred, a purpose fulfilled) are not recorded,
    so stay unknown: their rules wait."""

    _SCHEMA: Final = {SUBSCRIBER: pl.String(), **FACT_COLUMNS}

    def __init__(self, ledger: FactSource, key: PseudonymKey, at: datetime) -> None:
        self._ledger = ledger
        self._key = key
        self._at = at
        self._known = pl.DataFrame(schema=self._SCHEMA)
        self._asked: set[str] = set()

    def of(self, subscribers: Sequence[str]) -> pl.DataFrame:
        """The facts of `subscribers` (and of any asked before)."""
        new = [subscriber for subscriber in subscribers if subscriber not in self._asked]
        if new:
            pseudonyms = pseudonymise_subjects(new, self._key)
            facts = self._ledger.facts(pseudonyms, self._at)
            recorded = LedgerFacts._fields
            found = (
                pl.DataFrame(
                    {
                        SUBSCRIBER: new,
                        **{name: [fact[i] for fact in facts] for i, name in enumerate(recorded)},
                    },
                    schema_overrides={name: self._SCHEMA[name] for name in recorded},
                )
                .with_columns(
                    pl.lit(None, dtype=dtype).alias(name)
                    for name, dtype in FACT_COLUMNS.items()
                    if name not in recorded
                )
                .select(list(self._SCHEMA))
            )
            self._known = pl.concat([self._known, found])
            self._asked.update(new)
        return self._known
