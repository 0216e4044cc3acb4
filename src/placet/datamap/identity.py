"""Identity over time: which subscriber held a key (a number, an address) at a record's instant.

A telephone number belongs to a subscriber only between two dates, and numbers are
recycled. Every find, export and erase therefore joins records to the assignments at the
record's own instant: a record made while nobody held the key belongs to nobody, and a
recycled number never hands the previous holder's records to the next.

An assignments frame has the columns `key`, `subject`, `valid_from` and `valid_to`
(`valid_to` null: still held; the interval includes `valid_from` and excludes
`valid_to`); the assignments of one key must not overlap. `assignments_from` builds it
from a dataset the data map names as an identity. Everything here is lazy polars: no row
reaches Python. Imports nothing outside polars and `placet.datamap.model`.
"""

from __future__ import annotations

import polars as pl

from placet.datamap.model import Identity

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "assignments_from",
    "records_of_subject",
    "resolve_subjects",
]

KEY = "key"
SUBJECT = "subject"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"
ASSIGNMENT_COLUMNS = (KEY, SUBJECT, VALID_FROM, VALID_TO)
"""The columns of an assignments frame, in order."""

_PREFIX = "__placet_assignment_"
"""Joined columns are renamed so that they never collide with the records' own."""


def assignments_from(frame: pl.LazyFrame, identity: Identity) -> pl.LazyFrame:
    """The assignments frame of `identity`, from the dataset it names (read by the caller)."""
    return frame.select(
        pl.col(identity.key.column).alias(KEY),
        pl.col(identity.subject_column).alias(SUBJECT),
        pl.col(identity.valid_from).alias(VALID_FROM),
        pl.col(identity.valid_to).alias(VALID_TO),
    )


def resolve_subjects(
    records: pl.LazyFrame,
    key_column: str,
    time_column: str,
    assignments: pl.LazyFrame,
    *,
    into: str = SUBJECT,
) -> pl.LazyFrame:
    """`records` with a column `into` naming who held `key_column` at `time_column`.

    The holder is the subject of the assignment with `valid_from <= t < valid_to` (or
    `valid_to` null). A record at an instant nobody held its key, or with no key or no
    instant, gets null: never the holder before or after. The rows come back ordered by
    `time_column` (nulls first), since the join runs along time. For example
    `resolve_subjects(cdrs, "a_number", "start_time", msisdn_assignments)` names the
    subscriber who made each call.
    """
    schema = records.collect_schema()
    if into in schema:
        raise ValueError(f"the records already have a column '{into}'; pass another `into`")
    time_type = schema[time_column]
    prefixed = {name: f"{_PREFIX}{name}" for name in ASSIGNMENT_COLUMNS}
    intervals = (
        assignments.select(
            pl.col(KEY).cast(schema[key_column]),
            pl.col(SUBJECT),
            pl.col(VALID_FROM).cast(time_type),
            pl.col(VALID_TO).cast(time_type),
        )
        .filter(pl.col(KEY).is_not_null() & pl.col(VALID_FROM).is_not_null())
        .rename(prefixed)
        .sort(prefixed[VALID_FROM])
    )
    # The latest assignment of the key that began at or before the record; it still has
    # to be running at the record's instant, or nobody held the key then.
    joined = records.sort(time_column, nulls_last=False).join_asof(
        intervals,
        left_on=time_column,
        right_on=prefixed[VALID_FROM],
        by_left=key_column,
        by_right=prefixed[KEY],
        strategy="backward",
        check_sortedness=False,
    )
    valid_to = pl.col(prefixed[VALID_TO])
    is_running = valid_to.is_null() | (pl.col(time_column) < valid_to)
    return joined.with_columns(
        pl.when(is_running).then(pl.col(prefixed[SUBJECT])).otherwise(None).alias(into)
    ).drop(*prefixed.values(), strict=False)


def records_of_subject(
    records: pl.LazyFrame,
    key_column: str,
    time_column: str,
    assignments: pl.LazyFrame,
    subject: object,
) -> pl.LazyFrame:
    """The rows of `records` whose key `subject` held at the row's instant.

    A number's previous holder keeps the rows of their time after it is recycled, and the
    next holder gets only the rows of theirs. Only rows bearing one of the subject's keys
    are read. Used with an other-party column (`b_number`) it finds the records in which
    the subject is the other party. The rows keep the records' columns, ordered by time.
    """
    keys = assignments.filter(pl.col(SUBJECT) == subject).select(KEY).unique()
    schema = records.collect_schema()
    candidates = records.join(
        keys.select(pl.col(KEY).cast(schema[key_column]).alias(key_column)),
        on=key_column,
        how="semi",
    )
    holders = assignments.join(keys, on=KEY, how="semi")
    marker = f"{_PREFIX}holder"
    return (
        resolve_subjects(candidates, key_column, time_column, holders, into=marker)
        .filter(pl.col(marker) == subject)
        .drop(marker)
    )
