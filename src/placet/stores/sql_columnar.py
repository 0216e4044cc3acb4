"""The ledger's tables as Parquet, and the states now from a snapshot and the events after it.

`write_events_parquet` streams the event log (or its events after a position) to Parquet
in `EVENT_SCHEMA`, batch by batch, decoding the stored bodies in polars; `write_snapshot`
writes the projection table as a Parquet snapshot whose watermark, the chain position it
is consistent with, is kept in the file's key-value metadata; `states_now` answers what
`SqlLedger.states` would from such a snapshot, however stale, by folding again the
subjects that events after its watermark touched; `states_of` answers it for some subjects
from the projection table itself, its rows decoded in columns rather than as objects.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from placet.decide.bulk import SUBJECT_NUMBERS, states_frame, subject_numbers
from placet.errors import StoreError
from placet.ledger.columnar import (
    CHANNEL_BITS,
    EVENT_SCHEMA,
    INSTANT,
    SNAPSHOT_SCHEMA,
    as_snapshot,
    fold_states,
    snapshot_states,
    stored_events_frame,
    with_subject_numbers,
)
from placet.ledger.events import EventType, SubjectRef
from placet.stores.sql_ledger import SqlLedger
from placet.stores.sql_schema import events, head, subject_states

__all__ = [
    "WATERMARK_KEY",
    "events_of_types",
    "parquet_metadata",
    "read_watermark",
    "states_now",
    "states_of",
    "write_events_parquet",
    "write_snapshot",
]

log = logging.getLogger(__name__)

WATERMARK_KEY: Final = b"placet.watermark"
"""Parquet key-value metadata: the chain position a snapshot (or event file) goes up to."""
_CHANNELS_KEY: Final = b"placet.channels"
_BATCH: Final = 50_000
_CHUNK: Final = 500
"""Subjects per `IN (…)` list: well under SQLite's and PostgreSQL's parameter limits."""


def write_events_parquet(
    ledger: SqlLedger | Engine, path: Path, *, after_seq: int = 0, batch_size: int = _BATCH
) -> int:
    """Write the events after position `after_seq`, in order, to a Parquet file at `path`.

    Returns the position of the last event written (`after_seq` when there is none), which
    is also stored as the file's watermark. Memory holds one batch of rows at a time.
    """
    query = (
        select(events.c.seq, events.c.body).where(events.c.seq > after_seq).order_by(events.c.seq)
    )
    last = after_seq
    schema = _arrow_schema(EVENT_SCHEMA)
    with _reading(ledger) as connection, pq.ParquetWriter(path, schema) as writer:
        result = connection.execution_options(stream_results=True, yield_per=batch_size).execute(
            query
        )
        for rows in result.partitions():
            frame = _decoded(rows)
            writer.write_table(frame.to_arrow().cast(schema))
            last = int(rows[-1][0])
        writer.add_key_value_metadata(parquet_metadata(last))
    log.info("ledger events written", extra={"after": after_seq, "through": last})
    return last


def write_snapshot(ledger: SqlLedger | Engine, path: Path, *, batch_size: int = _BATCH) -> int:
    """Write the projection table to a Parquet snapshot at `path`, in `SNAPSHOT_SCHEMA`.

    The rows and the chain head are read in one consistent snapshot of the database; the
    head's position is the snapshot's watermark, stored in its metadata and returned.
    """
    schema = _arrow_schema(SNAPSHOT_SCHEMA)
    with _reading(ledger) as connection, pq.ParquetWriter(path, schema) as writer:
        watermark = int(connection.execute(select(head.c.seq)).scalar_one())
        query = select(subject_states).order_by(subject_states.c.subject_ref)
        result = connection.execution_options(stream_results=True, yield_per=batch_size).execute(
            query
        )
        for rows in result.partitions():
            frame = _snapshot_rows(rows)
            writer.write_table(frame.to_arrow().cast(schema))
        writer.add_key_value_metadata(parquet_metadata(watermark))
    log.info("projection snapshot written", extra={"watermark": watermark})
    return watermark


def read_watermark(path: Path) -> int:
    """The chain position a snapshot or event file written here goes up to."""
    metadata = pq.read_metadata(path).metadata or {}
    if WATERMARK_KEY not in metadata:
        raise StoreError(
            f"{path} has no watermark: it was not written by placet. Write it again with "
            "write_snapshot or write_events_parquet."
        )
    channels = metadata.get(_CHANNELS_KEY, b"").decode()
    if channels != _channel_names():
        raise StoreError(
            f"{path} was written with another list of channels ({channels}); its channel "
            "masks cannot be read. Write it again with this version of placet."
        )
    return int(metadata[WATERMARK_KEY])


def states_now(
    snapshot: Path, ledger: SqlLedger | Engine, at: datetime, *, through_seq: int | None = None
) -> pl.LazyFrame:
    """Every subject's state at `at` from everything recorded, as `SqlLedger.states` has it.

    The snapshot's rows answer for the subjects no event after its watermark touched; the
    others, and those with an event taking effect after `at`, are folded again from their
    events, read with the list of them in one consistent snapshot of the database. With
    `through_seq`, only the events recorded up to that position count (as
    `SqlLedger.states(..., through_seq=)`); it may not be before the snapshot's watermark.
    A subject nothing was recorded about has no row (see `complete_states`).
    """
    watermark = read_watermark(snapshot)
    if through_seq is not None and through_seq < watermark:
        raise StoreError(
            f"{snapshot} holds the ledger up to position {watermark}, past the position "
            f"{through_seq} asked for. Use an older snapshot, or read the ledger itself."
        )
    rows = with_subject_numbers(pl.scan_parquet(snapshot))
    late = rows.filter(pl.col("effective_through") > at).select("subject").collect()
    with _reading(ledger) as connection:
        after = events.c.seq > watermark
        if through_seq is not None:
            after = after & (events.c.seq <= through_seq)
        touched = connection.execute(select(events.c.subject_ref).where(after).distinct())
        refold = sorted({*touched.scalars(), *late["subject"].to_list()})
        history = _events_of(connection, refold, through_seq)
    kept = snapshot_states(_without(rows, refold), at)
    if not refold:
        return kept
    return pl.concat([kept, fold_states(history.lazy(), at)], how="vertical")


def _without(rows: pl.LazyFrame, subjects: list[str]) -> pl.LazyFrame:
    """The snapshot's rows but those of `subjects`, picked out by their numbers where they
    are all pseudonyms (the subject strings, the largest column, are then not read)."""
    if not subjects:
        return rows
    named = pl.Series("subject", subjects, dtype=pl.String)
    numbers = named.to_frame().select(subject_numbers(pl.col("subject")))
    if numbers.null_count().sum_horizontal().item():
        return rows.filter(~pl.col("subject").is_in(named.implode()))
    key, check = SUBJECT_NUMBERS
    return rows.join(numbers.lazy(), on=[key, check], how="anti", maintain_order="left")


def states_of(
    ledger: SqlLedger, subjects: Sequence[str], at: datetime, *, through_seq: int | None = None
) -> pl.LazyFrame:
    """`SqlLedger.states(subjects, at, through_seq=...)` as a `STATE_SCHEMA` frame, one row a
    subject the ledger knows (a subject nothing was recorded about has none: decide it on
    the empty state, as `decide_subjects` does).

    The projection rows are decoded by polars (`snapshot_states`), not built into states
    one by one; a subject whose projection holds an event taking effect after `at`, or one
    recorded after `through_seq`, is replayed from their events by the ledger.
    """
    distinct = list(dict.fromkeys(subjects))
    rows: list[Any] = []
    with _reading(ledger) as connection:
        for start in range(0, len(distinct), _CHUNK):
            chunk = distinct[start : start + _CHUNK]
            query = select(subject_states).where(subject_states.c.subject_ref.in_(chunk))
            rows += connection.execute(query)
    stored = _snapshot_rows(rows)
    current = pl.col("effective_through").is_null() | (pl.col("effective_through") <= at)
    if through_seq is not None:
        current = current & (pl.col("last_seq") <= through_seq)
    later = stored.filter(~current)["subject"].to_list()
    replayed = ledger.states(
        [SubjectRef(subject) for subject in later], at, through_seq=through_seq
    )
    return pl.concat(
        [snapshot_states(stored.filter(current).lazy(), at), states_frame(replayed).lazy()],
        how="vertical",
    )


def _events_of(
    connection: Connection, subjects: Sequence[str], through_seq: int | None = None
) -> pl.DataFrame:
    frames = [pl.DataFrame(schema=EVENT_SCHEMA)]
    for start in range(0, len(subjects), _CHUNK):
        chunk = subjects[start : start + _CHUNK]
        query = (
            select(events.c.seq, events.c.body)
            .where(events.c.subject_ref.in_(chunk))
            .order_by(events.c.seq)
        )
        if through_seq is not None:
            query = query.where(events.c.seq <= through_seq)
        rows = connection.execute(query).all()
        if rows:
            frames.append(_decoded(rows))
    return pl.concat(frames)


def events_of_types(
    ledger: SqlLedger | Engine, types: Sequence[EventType], *, batch_size: int = _BATCH
) -> tuple[pl.DataFrame, int]:
    """Every event of the given types, in order, as an `EVENT_SCHEMA` frame, and the chain
    position it is consistent with (read in one snapshot of the database). The rows are
    read and decoded a batch at a time; the frame holds only the decoded columns."""
    frames = [pl.DataFrame(schema=EVENT_SCHEMA)]
    query = (
        select(events.c.seq, events.c.body)
        .where(events.c.type.in_([kind.value for kind in types]))
        .order_by(events.c.seq)
    )
    with _reading(ledger) as connection:
        position = int(connection.execute(select(head.c.seq)).scalar_one())
        result = connection.execution_options(stream_results=True, yield_per=batch_size).execute(
            query
        )
        frames += [_decoded(rows) for rows in result.partitions()]
    return pl.concat(frames), position


def _decoded(rows: Sequence[Any]) -> pl.DataFrame:
    """Stored (seq, body) rows as an `EVENT_SCHEMA` frame, the bodies decoded by polars."""
    seqs, bodies = zip(*rows, strict=True)
    return stored_events_frame(
        pl.DataFrame({"seq": seqs, "body": bodies}, schema={"seq": pl.Int64, "body": pl.String})
    )


_STORED_TYPES: Final[dict[str, pl.DataType]] = {
    "birth_date": pl.Date(),
    "objects_to_direct_marketing": pl.Boolean(),
    "restricted": pl.Boolean(),
    "business_opt_out": pl.Boolean(),
    "last_contract_end": INSTANT,
    "debt_settled_at": INSTANT,
    "business_opt_out_until": INSTANT,
    "effective_through": INSTANT,
    "last_seq": pl.Int64(),
}
_STORED: Final[dict[str, pl.DataType]] = {
    column.name: _STORED_TYPES.get(column.name, pl.String()) for column in subject_states.columns
}
"""The projection table's columns as they are read (JSON lists as text)."""
_GRANTS: Final = pl.List(
    pl.Struct({"option": pl.String(), "given_at": pl.String(), "channels": pl.List(pl.String())})
)
_TEXTS: Final = pl.List(pl.String())


def _snapshot_rows(stored: Sequence[Any]) -> pl.DataFrame:
    """Rows of the projection table as read, their JSON lists decoded by polars."""
    rows = pl.DataFrame([tuple(row) for row in stored], schema=_STORED, orient="row")
    grants = pl.col("consents").str.json_decode(_GRANTS)
    given_at = (
        pl.element()
        .struct.field("given_at")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", time_unit="us", time_zone="UTC")
    )
    decoded = rows.select(
        subject=pl.col("subject_ref"),
        subject_type=pl.col("subject_type"),
        birth_date=pl.col("birth_date").cast(pl.Date),
        consents=grants.list.eval(
            pl.struct(pl.element().struct.field("option"), pl.element().struct.field("channels"))
        ),
        consent_given_at=grants.list.eval(given_at),
        **{
            name: pl.col(name).str.json_decode(_TEXTS)
            for name in ("withdrawn", "objections", "contracts", "debts")
        },
        **{
            name: pl.col(name).cast(pl.Boolean)
            for name in ("objects_to_direct_marketing", "restricted", "business_opt_out")
        },
        **{
            name: pl.col(name).cast(INSTANT)
            for name in (
                "last_contract_end",
                "debt_settled_at",
                "business_opt_out_until",
                "effective_through",
            )
        },
        last_seq=pl.col("last_seq").cast(pl.Int64),
    )
    return as_snapshot(decoded.lazy()).collect()


def parquet_metadata(watermark: int) -> dict[bytes, bytes]:
    """The key-value metadata of a snapshot or event file placet writes: the chain position
    it goes up to (`read_watermark`) and the channels its masks' bits stand for."""
    return {WATERMARK_KEY: str(watermark).encode(), _CHANNELS_KEY: _channel_names().encode()}


def _channel_names() -> str:
    return ",".join(channel.value for channel in CHANNEL_BITS)


def _arrow_schema(schema: dict[str, pl.DataType]) -> pa.Schema:
    return pl.DataFrame(schema=schema).to_arrow().schema


def _reading(ledger: SqlLedger | Engine) -> AbstractContextManager[Connection]:
    """One consistent read of the ledger's database, as `SqlLedger.consistent_read` does."""
    opened = ledger if isinstance(ledger, SqlLedger) else SqlLedger(ledger)
    return opened.consistent_read()
