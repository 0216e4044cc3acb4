"""The consent ledger in SQLite or PostgreSQL, through SQLAlchemy Core: `SqlLedger`.

Every append runs in one transaction that holds the chain head: `BEGIN IMMEDIATE` on
SQLite, a `SELECT … FOR UPDATE` of the `ledger_head` row on PostgreSQL. Inside it the
events, their personal payloads, the new head and the subjects' projected states are
written together, so a failed append leaves nothing behind and appends from many
processes form one linear chain.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import polars as pl
from sqlalchemy import (
    Engine,
    Row,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    column,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from placet.decide.state import SubjectState
from placet.errors import (
    DuplicateEventError,
    IdempotencyConflictError,
    StoreError,
)
from placet.ledger import (
    GENESIS_HASH,
    ChainHead,
    ChainReport,
    ChainRow,
    Happened,
    LedgerEntry,
    LedgerEvent,
    LedgerFacts,
    SubjectProjection,
    SubjectRef,
    apply_events,
    entry_from_row,
    event_fingerprint,
    project_events,
    replay,
    resent_entry,
    seal_event,
    verify,
)
from placet.ledger.chain_columns import EventColumns, encode_bodies, seal_columns
from placet.ledger.columnar import event_columns_frame, fold_projections
from placet.ledger.decisions import (
    DecisionEntry,
    DecisionKind,
    DecisionRecord,
    decision_fingerprint,
    decision_from_row,
    seal_decision,
)
from placet.stores import sql_schema as tables
from placet.stores.bulk import fewer_collections
from placet.stores.projection_cache import ProjectionCache
from placet.stores.sql_append import BatchWriter, batch_writer
from placet.stores.sql_database import (
    WRITE,
    check_schema,
    create_ledger_engine,
    database_cause,
    describe_database,
    is_postgresql,
    upgrade_database,
)
from placet.stores.sql_projection import EMPTY_SET, projection_from_row, projection_rows
from placet.stores.sql_schema import (
    decision_head,
    decisions,
    head,
    personal_payloads,
    subject_states,
)

__all__ = ["SqlLedger", "open_ledger"]

log = logging.getLogger(__name__)

_CHUNK = 500
"""Keys per `IN (…)` list: well under SQLite's and PostgreSQL's parameter limits."""
_FACTS_CHUNK = 5_000
"""Subjects a query when only their facts' columns are read (under SQLite's 32,766 bound
variables)."""
_SALT_BYTES = 32
_READ_BATCH = 5000

_ROW_COLUMNS = (
    tables.events.c.seq,
    tables.events.c.event_id,
    tables.events.c.idempotency_key,
    tables.events.c.subject_ref,
    tables.events.c.type,
    tables.events.c.effective_at,
    tables.events.c.recorded_at,
    tables.events.c.body,
    tables.events.c.prev_hash,
    tables.events.c.hash,
    personal_payloads.c.salt,
    personal_payloads.c.payload,
)


def open_ledger(url: str, *, upgrade: bool = True) -> SqlLedger:
    """The ledger in the database at `url`, its schema upgraded first (or only checked)."""
    engine = create_ledger_engine(url)
    if engine.dialect.name == "sqlite" and not upgrade:
        database = engine.url.database
        if database not in {None, "", ":memory:"} and not _exists(database or ""):
            raise StoreError(
                f"there is no ledger database at {database}. Check PLACET_DATABASE_URL, or "
                "create it with `placet ledger upgrade`."
            )
    if upgrade:
        upgrade_database(engine)
    else:
        check_schema(engine)
    return SqlLedger(engine)


def _exists(path: str) -> bool:
    return Path(path).is_file()


class SqlLedger:
    """`ConsentLog` on a SQL database whose schema is at this version (see `open_ledger`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cache = ProjectionCache()
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._integrity_error: type[Exception] = engine.dialect.loaded_dbapi.IntegrityError

    # ------------------------------------------------------------------ appending

    def append(self, event: LedgerEvent) -> LedgerEntry:
        """Record one event, or return the entry already recorded under its idempotency key."""
        return self.append_many([event])[0]

    def append_many(self, events: Sequence[LedgerEvent]) -> list[LedgerEntry]:
        """Record a batch in one transaction; one entry per event, in the order given.

        All or nothing: a conflict or a failure anywhere leaves no trace of the batch.
        """
        if not events:
            return []
        written: _Written | None = None
        with fewer_collections():
            fresh = _distinct_requests(events)
            with self._appending() as connection:
                recorded, written = self._append_locked(connection, fresh)
        if written is not None:  # committed: keep the projections for the next append
            self._cache.store(written.start, written.end, written.projections)
        return [recorded[event.idempotency_key] for event in events]

    def _append_locked(
        self, connection: Connection, fresh: list[LedgerEvent]
    ) -> tuple[dict[str, LedgerEntry], _Written | None]:
        writer = batch_writer(connection)
        seq, prev_hash = writer.lock_head()
        start = seq
        keys = [event.idempotency_key for event in fresh]
        stored = {row.idempotency_key: row for row in writer.recorded_rows(keys)}
        # A key already recorded returns its entry, if the event is the same request.
        recorded = {
            event.idempotency_key: resent_entry(stored[event.idempotency_key], event)
            for event in fresh
            if event.idempotency_key in stored
        }
        new_events = [event for event in fresh if event.idempotency_key not in recorded]
        if not new_events:
            return recorded, None
        event_ids = [str(event.event_id) for event in new_events]
        rows: list[ChainRow] = []
        for event, event_id in zip(new_events, event_ids, strict=True):
            seq += 1
            salt = secrets.token_bytes(_SALT_BYTES) if event.personal is not None else None
            row = seal_event(event, seq, prev_hash, salt, event_id)
            rows.append(row)
            prev_hash = row.hash
        with self._ids_checked(event_ids):
            writer.insert(rows)
        writer.set_head(seq, prev_hash)
        last_seq = {row.subject_ref: row.seq for row in rows}
        projections = self._project(connection, writer, start, last_seq, new_events)
        log.info("ledger events appended", extra={"count": len(rows), "head": seq})
        for row, event in zip(rows, new_events, strict=True):
            recorded[event.idempotency_key] = LedgerEntry(row.seq, event, row.prev_hash, row.hash)
        return recorded, _Written(start, seq, projections)

    def append_columns(self, columns: EventColumns) -> int:
        """Record a batch held as columns (a bulk import's) in one transaction; how many of
        its events were recorded now, the others having been recorded before under their
        idempotency keys.

        The rules of `append_many`, without one `LedgerEvent` an event: all or nothing; a key
        re-sent with the same event adds nothing, with another fails the batch
        (`IdempotencyConflictError`); the bodies are written from the columns
        (`seal_columns`) and the projections folded from them.
        """
        if columns.height == 0:
            return 0
        written: _Written | None = None
        with fewer_collections():
            distinct = _distinct_columns(columns)
            with self._appending() as connection:
                written = self._append_columns_locked(connection, distinct)
        if written is None:
            return 0
        self._cache.store(written.start, written.end, written.projections)
        return written.end - written.start

    def _append_columns_locked(
        self, connection: Connection, columns: EventColumns
    ) -> _Written | None:
        writer = batch_writer(connection)
        start, prev_hash = writer.lock_head()
        keys = columns.frame.get_column("idempotency_key")
        recorded = writer.recorded_frame(keys.to_list())
        if recorded.height:
            _check_resent(columns, recorded, writer)
            columns = columns.filter(~keys.is_in(recorded.get_column("idempotency_key")))
            if columns.height == 0:
                return None
        # The projections of subjects new to the ledger are folded in columns on a thread
        # of their own while this one seals and writes the events: polars lets go of the
        # interpreter while it folds, and SQLite and PostgreSQL's drivers while they write.
        # Only this thread uses the connection.
        subjects = columns.frame.get_column("subject_ref")
        projections = self._current_projections(writer, start, subjects.unique().sort().to_list())
        known = subjects.is_in(list(projections))
        seqs = pl.int_range(start + 1, start + 1 + columns.height, dtype=pl.Int64, eager=True)
        with ThreadPoolExecutor(1, thread_name_prefix="placet-fold") as beside:
            new_rows = beside.submit(_new_projection_rows, columns, seqs, ~known)
            sealed, last_hash = seal_columns(columns, start + 1, prev_hash)
            end = start + sealed.height
            with self._ids_checked(sealed.get_column("event_id")):
                writer.insert_sealed(sealed)
            writer.set_head(end, last_hash)
            if known.any():
                projections = self._fold_columns(
                    connection, writer, projections, columns.filter(known), seqs.filter(known)
                )
            rows = new_rows.result()
        if rows is not None:
            writer.save_projection_rows(rows)
        log.info("ledger events appended", extra={"count": sealed.height, "head": end})
        return _Written(start, end, projections)

    def _rows_by_key(self, connection: Connection, keys: list[str]) -> dict[str, ChainRow]:
        found: dict[str, ChainRow] = {}
        for chunk in _slices(keys, _CHUNK):
            query = _rows_query().where(tables.events.c.idempotency_key.in_(chunk))
            for row in connection.execute(query):
                found[row.idempotency_key] = _chain_row(row)
        return found

    # ------------------------------------------------------------------ projection

    def _project(
        self,
        connection: Connection,
        writer: BatchWriter,
        head: int,
        last_seq: dict[str, int],
        new_events: Sequence[Happened],
    ) -> dict[SubjectRef, SubjectProjection]:
        """Fold the batch into the subjects' projected states: one read, one upsert."""
        subjects = sorted({event.subject for event in new_events})
        projections = self._current_projections(writer, head, subjects)
        return self._fold(connection, writer, projections, last_seq, new_events)

    def _current_projections(
        self, writer: BatchWriter, head: int, subjects: list[SubjectRef]
    ) -> dict[SubjectRef, SubjectProjection]:
        """The stored projections of those of `subjects` that have one: those this process
        wrote at the current head from memory, the others in one read."""
        projections = self._cache.lookup(head, subjects)
        unknown = [subject for subject in subjects if subject not in projections]
        if unknown:
            projections.update((found.subject, found) for found in writer.projections(unknown))
        return projections

    def _fold(
        self,
        connection: Connection,
        writer: BatchWriter,
        projections: dict[SubjectRef, SubjectProjection],
        last_seq: dict[str, int],
        new_events: Sequence[Happened],
    ) -> dict[SubjectRef, SubjectProjection]:
        """Fold `new_events` onto the subjects' current `projections` (none: a new subject)
        and save the results: one upsert."""
        runs: dict[SubjectRef, list[Happened]] = {}
        for event in new_events:
            runs.setdefault(event.subject, []).append(event)
        backdated: set[SubjectRef] = set()
        for subject, run in runs.items():
            current = projections.get(subject) or SubjectProjection(subject=subject)
            if _in_effect_order(current.effective_through, run):
                projections[subject] = apply_events(current, run)
            else:
                # An event that takes effect before what is already folded in changes the
                # order of the fold: that subject is replayed from their whole history.
                backdated.add(subject)
        # Their histories (this batch's events included) are read 500 subjects a query.
        for chunk in _slices(sorted(backdated), _CHUNK):
            histories = self._histories(connection, list(chunk), through_seq=None)
            for subject in chunk:
                projections[subject] = project_events(subject, histories[subject])
        subjects = sorted(runs)
        writer.save_projections([(projections[subject], last_seq[subject]) for subject in subjects])
        return {subject: projections[subject] for subject in subjects}

    def _fold_columns(
        self,
        connection: Connection,
        writer: BatchWriter,
        projections: dict[SubjectRef, SubjectProjection],
        columns: EventColumns,
        seqs: pl.Series,
    ) -> dict[SubjectRef, SubjectProjection]:
        """`_fold` of events held as columns (at positions `seqs`) about subjects that have
        a projection stored already."""
        last_seq = dict(
            columns.frame.select("subject_ref", seqs.alias("seq"))
            .group_by("subject_ref")
            .agg(pl.col("seq").max())
            .iter_rows()
        )
        return self._fold(connection, writer, projections, last_seq, columns.happenings())

    def _projections(
        self, connection: Connection, subjects: list[SubjectRef]
    ) -> dict[SubjectRef, SubjectProjection]:
        stored = self._stored_projections(connection, subjects)
        return {subject: projection for subject, (projection, _) in stored.items()}

    def _stored_projections(
        self, connection: Connection, subjects: list[SubjectRef]
    ) -> dict[SubjectRef, tuple[SubjectProjection, int]]:
        """Each subject's stored projection and the position of the last event folded in."""
        found: dict[SubjectRef, tuple[SubjectProjection, int]] = {}
        for chunk in _slices(subjects, _CHUNK):
            query = select(subject_states).where(subject_states.c.subject_ref.in_(chunk))
            for row in connection.execute(query):
                projection = projection_from_row(row)
                found[projection.subject] = (projection, int(row.last_seq))
        return found

    def projection(self, subject: SubjectRef) -> SubjectProjection | None:
        """The subject's projected state as stored, or None if nothing was recorded about them."""
        with self._transaction() as connection:
            found = self._projections(connection, [subject])
        return found.get(subject)

    # ------------------------------------------------------------------ reading

    def history(self, subject: SubjectRef) -> list[LedgerEntry]:
        """Every event about `subject`, in the order recorded, with any personal payload left."""
        with self._transaction() as connection:
            return self._history(connection, subject)

    def _history(self, connection: Connection, subject: SubjectRef) -> list[LedgerEntry]:
        query = (
            _rows_query()
            .where(tables.events.c.subject_ref == subject)
            .order_by(tables.events.c.seq)
        )
        return [entry_from_row(_chain_row(row)) for row in connection.execute(query)]

    def entry(self, event_id: UUID) -> LedgerEntry | None:
        """The event recorded under `event_id`, or None when there is none."""
        query = _rows_query().where(tables.events.c.event_id == str(event_id))
        with self._transaction() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else entry_from_row(_chain_row(row))

    def entry_by_key(self, idempotency_key: str) -> LedgerEntry | None:
        """The event recorded under an idempotency key, or None when there is none."""
        with self._transaction() as connection:
            row = self._rows_by_key(connection, [idempotency_key]).get(idempotency_key)
        return None if row is None else entry_from_row(row)

    def state(self, subject: SubjectRef, at: datetime) -> SubjectState:
        """The subject's state at `at` from everything recorded.

        Served by the projection, unless an event recorded about the subject takes effect
        after `at`: then replayed from their history.
        """
        with self._transaction() as connection:
            projection = self._projections(connection, [subject]).get(subject)
            if projection is None:
                return SubjectState(subject=subject, as_of=at)
            through = projection.effective_through
            if through is None or through <= at:
                return projection.state(at)
            history = self._history(connection, subject)
        return replay([entry.event for entry in history], at, subject=subject)

    def state_as_of(
        self, subject: SubjectRef, as_of: datetime, *, known_at: datetime | None = None
    ) -> SubjectState:
        """The subject's state as of `as_of`, replayed from their history.

        With `known_at`, only from the events recorded by then.
        """
        history = self.history(subject)
        return replay([entry.event for entry in history], as_of, subject=subject, known_at=known_at)

    def states(
        self, subjects: Sequence[SubjectRef], at: datetime, *, through_seq: int | None = None
    ) -> list[SubjectState]:
        """`state(subject, at)` of many subjects, in the order given: one read per 500.

        With `through_seq`, from the events recorded up to that ledger position only (a
        projection changed by a later event is replayed instead), so that reads spread over
        several transactions all answer for one position. A subject nothing was recorded
        about has the empty state.
        """
        found: dict[SubjectRef, SubjectState] = {}
        distinct = list(dict.fromkeys(subjects))
        with self._transaction() as connection:
            for chunk in _slices(distinct, _CHUNK):
                stored = self._stored_projections(connection, list(chunk))
                later = []
                for subject, (projection, last_seq) in stored.items():
                    through = projection.effective_through
                    changed_since = through_seq is not None and last_seq > through_seq
                    if (through is None or through <= at) and not changed_since:
                        found[subject] = projection.state(at)
                    else:
                        later.append(subject)
                histories = self._histories(connection, later, through_seq=through_seq)
                for subject, events in histories.items():
                    found[subject] = replay(events, at, subject=subject)
        return [
            found.get(subject) or SubjectState(subject=subject, as_of=at) for subject in subjects
        ]

    def facts(self, subjects: Sequence[SubjectRef], at: datetime) -> list[LedgerFacts]:
        """Each subject's type, the end of their last contract, when their debts were
        settled and whether they never had a contract, at `at`, in the order given: what
        retention needs of `states`, read from the projection's own columns a few thousand
        subjects a query, without building whole states. A subject whose projection holds
        events taking effect after `at` is replayed; one nothing was recorded about has
        none of them (and is not known never to have had a contract)."""
        found: dict[SubjectRef, LedgerFacts] = {}
        # In the projection's key order, so that each query reads neighbouring index pages.
        distinct = sorted(set(subjects))
        later: list[SubjectRef] = []
        with self._transaction() as connection:
            read = _FactsRead.on(connection.dialect.name, at)
            for chunk in _slices(distinct, _FACTS_CHUNK):
                rows = connection.execute(read.query, {"subjects": read.subjects(chunk)}).all()
                for subject, subject_type, ended, settled, never, is_current in rows:
                    if is_current:
                        found[subject] = LedgerFacts(
                            subject_type, read.instant(ended), read.instant(settled), bool(never)
                        )
                    else:
                        later.append(subject)
        for subject, state in zip(later, self.states(later, at) if later else [], strict=True):
            found[subject] = LedgerFacts.of(state)
        return [found.get(subject, LedgerFacts()) for subject in subjects]

    def states_as_of(
        self,
        subjects: Sequence[SubjectRef],
        as_of: datetime,
        *,
        known_at: datetime | None = None,
        through_seq: int | None = None,
    ) -> list[SubjectState]:
        """`state_as_of` of many subjects, in the order given, replayed from their histories.

        With `through_seq`, from the events recorded up to that ledger position only.
        """
        found: dict[SubjectRef, SubjectState] = {}
        distinct = list(dict.fromkeys(subjects))
        with self._transaction() as connection:
            for chunk in _slices(distinct, _CHUNK):
                histories = self._histories(connection, list(chunk), through_seq=through_seq)
                for subject, events in histories.items():
                    found[subject] = replay(events, as_of, subject=subject, known_at=known_at)
        return [
            found.get(subject) or SubjectState(subject=subject, as_of=as_of) for subject in subjects
        ]

    def _histories(
        self, connection: Connection, subjects: list[SubjectRef], *, through_seq: int | None
    ) -> dict[SubjectRef, list[LedgerEvent]]:
        """The events of each subject that has any (up to `through_seq`), in recorded order."""
        histories: dict[SubjectRef, list[LedgerEvent]] = defaultdict(list)
        if not subjects:
            return histories
        query = (
            _rows_query()
            .where(tables.events.c.subject_ref.in_(subjects))
            .order_by(tables.events.c.seq)
        )
        if through_seq is not None:
            query = query.where(tables.events.c.seq <= through_seq)
        for row in connection.execute(query):
            entry = entry_from_row(_chain_row(row))
            histories[entry.event.subject].append(entry.event)
        return histories

    def hash_at(self, seq: int) -> str | None:
        """The hash of the event at position `seq` (the genesis hash at 0), None past the end."""
        return self._hash_at(tables.events, seq)

    def decision_hash_at(self, seq: int) -> str | None:
        """`hash_at` in the decision records' chain."""
        return self._hash_at(decisions, seq)

    def _hash_at(self, chain: Table, seq: int) -> str | None:
        if seq == 0:
            return GENESIS_HASH
        with self._transaction() as connection:
            found = connection.execute(select(chain.c.hash).where(chain.c.seq == seq)).scalar()
        return None if found is None else str(found)

    def decisions_head(self) -> ChainHead:
        """The position and hash of the last decision record."""
        return self._head_of(decision_head)

    def head(self) -> ChainHead:
        """The position and hash of the last event, as recorded with the last append."""
        return self._head_of(head)

    def _head_of(self, chain_head: Table) -> ChainHead:
        with self._transaction() as connection:
            row = connection.execute(select(chain_head.c.seq, chain_head.c.hash)).one()
        return ChainHead(int(row.seq), str(row.hash))

    def verify(self) -> ChainReport:
        """Check the whole chain, in one consistent snapshot of the database."""
        with self.consistent_read() as connection:
            recorded = connection.execute(select(head.c.seq, head.c.hash)).one()
            result = connection.execution_options(yield_per=_READ_BATCH).execute(
                _rows_query().order_by(tables.events.c.seq)
            )
            rows = (_chain_row(row) for row in result)
            return verify(rows, ChainHead(int(recorded.seq), str(recorded.hash)))

    # ------------------------------------------------------------------ decision records

    def record_decision(self, record: DecisionRecord) -> DecisionEntry:
        """Record a decision that matters, or return the one recorded under its key."""
        with self._transaction(write=True) as connection:
            current = connection.execute(
                select(decision_head.c.seq, decision_head.c.hash).with_for_update()
            ).one()
            recorded = connection.execute(
                select(*_DECISION_COLUMNS).where(
                    decisions.c.idempotency_key == record.idempotency_key
                )
            ).one_or_none()
            if recorded is not None:
                original = decision_from_row(_chain_row(recorded))
                if decision_fingerprint(original.record) != decision_fingerprint(record):
                    raise IdempotencyConflictError(record.idempotency_key, original.seq)
                return original
            row = seal_decision(record, int(current.seq) + 1, str(current.hash))
            connection.execute(
                insert(decisions), {name: getattr(row, name) for name in _DECISION_NAMES}
            )
            connection.execute(update(decision_head).values(seq=row.seq, hash=row.hash))
        log.info(
            "decision recorded",
            extra={"kind": record.kind.value, "record": str(record.record_id), "seq": row.seq},
        )
        return DecisionEntry(row.seq, record, row.prev_hash, row.hash)

    def decision(self, record_id: UUID) -> DecisionEntry | None:
        """The decision recorded under `record_id`, or None when there is none."""
        query = select(*_DECISION_COLUMNS).where(decisions.c.event_id == str(record_id))
        with self._transaction() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else decision_from_row(_chain_row(row))

    def decisions(
        self, kind: DecisionKind | None = None, *, last: int | None = None
    ) -> list[DecisionEntry]:
        """The decisions recorded (of one kind), in the order recorded; with `last`, only
        the last that many (one query from the end, however many there are)."""
        query = select(*_DECISION_COLUMNS).order_by(decisions.c.seq.desc())
        if kind is not None:
            query = query.where(decisions.c.type == kind.value)
        if last is not None:
            query = query.limit(max(last, 0))
        with self._transaction() as connection:
            rows = connection.execute(query).all()
        return [decision_from_row(_chain_row(row)) for row in reversed(rows)]

    def verify_decisions(self) -> ChainReport:
        """Check the decision records' chain, as `verify` checks the events'."""
        with self.consistent_read() as connection:
            recorded = connection.execute(select(decision_head.c.seq, decision_head.c.hash)).one()
            result = connection.execution_options(yield_per=_READ_BATCH).execute(
                select(*_DECISION_COLUMNS).order_by(decisions.c.seq)
            )
            rows = (_chain_row(row) for row in result)
            return verify(rows, ChainHead(int(recorded.seq), str(recorded.hash)))

    # ------------------------------------------------------------------ erasure

    def remove_personal_payload(self, subject: SubjectRef) -> int:
        """Delete every personal payload about `subject`; returns how many were deleted."""
        with self._transaction(write=True) as connection:
            result = connection.execute(
                delete(personal_payloads).where(personal_payloads.c.subject_ref == subject)
            )
        removed = int(result.rowcount or 0)
        log.info("personal payload removed", extra={"subject": subject, "payloads": removed})
        return removed

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def consistent_read(self) -> Iterator[Connection]:
        """A read transaction that sees one consistent state of the database throughout
        (REPEATABLE READ on PostgreSQL; SQLite's transactions always do)."""
        with self._transaction(snapshot=True) as connection:
            yield connection

    @contextmanager
    def _ids_checked(self, event_ids: Sequence[str] | pl.Series) -> Iterator[None]:
        """Around the insert of an append's new rows: the events table's unique index on
        the event id refuses an id recorded before (looking each up beforehand probed that
        index twice an event), and the refusal is told as `_IdRefusedError` with the ids."""
        try:
            yield
        except self._integrity_error as exc:
            raise _IdRefusedError(event_ids, exc) from exc

    @contextmanager
    def _appending(self) -> Iterator[Connection]:
        """The write transaction of an append. Where its insert was refused (`_ids_checked`),
        nothing of it is left, and the event id recorded before is named
        (`DuplicateEventError`)."""
        try:
            with self._transaction(write=True) as connection:
                yield connection
        except _IdRefusedError as refused:
            with self._transaction() as connection:
                known = batch_writer(connection).known_event_id(list(refused.event_ids))
            if known is None:  # another unique index refused the rows
                raise self._store_error(refused.error) from refused.error
            raise DuplicateEventError(known) from refused.error

    @contextmanager
    def _transaction(self, *, write: bool = False, snapshot: bool = False) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                # execution_options() changes the connection itself, before its transaction.
                if write:
                    connection.execution_options(**{WRITE: True})
                if snapshot and is_postgresql(connection):
                    connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    yield connection
        except (SQLAlchemyError, self._driver_error) as exc:
            # The append's own statements run on the driver (sql_append): its errors too.
            raise self._store_error(exc) from exc

    def _store_error(self, exc: Exception) -> StoreError:
        return StoreError(
            f"cannot use the ledger database {describe_database(self.engine)}: "
            f"{database_cause(exc)}. Nothing was changed. Check that it is reachable and "
            "upgraded (`placet ledger upgrade`), then retry."
        )


class _IdRefusedError(Exception):
    """An append's rows refused by a unique index of the events table (`_ids_checked`)."""

    def __init__(self, event_ids: Sequence[str] | pl.Series, error: Exception) -> None:
        super().__init__("an event id of the batch is recorded already")
        self.event_ids = event_ids
        self.error = error


@dataclass(frozen=True, slots=True)
class _Written:
    """What an append wrote: the head it moved from `start` to `end`, and the projections."""

    start: int
    end: int
    projections: dict[SubjectRef, SubjectProjection]


def _new_projection_rows(
    columns: EventColumns, seqs: pl.Series, new: pl.Series
) -> pl.DataFrame | None:
    """The projection rows of the subjects of a batch held as columns that have none yet
    (`new`; at positions `seqs`), folded in columns (`fold_projections`, which a property
    test holds to `project_events`); None when there are none. Those subjects are left
    out of the projections an append returns (and so of this process's cache); the others
    are folded onto their stored projections one by one (`_fold`)."""
    if not new.any():
        return None
    events = event_columns_frame(columns.filter(new), seqs.filter(new))
    return projection_rows(fold_projections(events.lazy()).collect())


def _distinct_requests(batch: Sequence[LedgerEvent]) -> list[LedgerEvent]:
    """The batch without repeats of an idempotency key; a key repeated with another event,
    or an event id under two keys, fails the whole batch."""
    by_key: dict[str, LedgerEvent] = {}
    keys_by_id: dict[UUID, str] = {}
    for event in batch:
        first = by_key.setdefault(event.idempotency_key, event)
        if first is not event and event_fingerprint(first) != event_fingerprint(event):
            raise IdempotencyConflictError(event.idempotency_key, None)
        key = keys_by_id.setdefault(event.event_id, event.idempotency_key)
        if key != event.idempotency_key:
            raise DuplicateEventError(str(event.event_id))
    return list(by_key.values())


def _distinct_columns(columns: EventColumns) -> EventColumns:
    """`_distinct_requests` of a batch held as columns: the first row of each idempotency
    key, when its other rows are the same request; a key repeated with another event, or an
    event id under two keys, fails the whole batch."""
    frame = columns.frame
    keys = frame.get_column("idempotency_key")
    if keys.is_duplicated().any():
        repeated = frame.with_row_index("_row").filter(keys.is_duplicated())
        for (key,), group in repeated.group_by("idempotency_key", maintain_order=True):
            first, *others = (columns.event(index) for index in group.get_column("_row"))
            if any(event_fingerprint(other) != event_fingerprint(first) for other in others):
                raise IdempotencyConflictError(str(key), None)
        columns = EventColumns(
            frame.unique("idempotency_key", keep="first", maintain_order=True), columns.data
        )
    event_ids = columns.frame.get_column("event_id")
    if event_ids.is_duplicated().any():
        raise DuplicateEventError(str(event_ids.filter(event_ids.is_duplicated())[0]))
    return columns


def _check_resent(columns: EventColumns, recorded: pl.DataFrame, writer: BatchWriter) -> None:
    """Raise `IdempotencyConflictError` unless each row of `columns` whose key is among the
    `recorded` events (`BatchWriter.recorded_frame`) is the request recorded under it.

    Most are told in columns: sealed with the stored row's position, id and instant of
    recording, they give its body byte for byte. The others (a stored row with a personal
    payload, or a body that differs) are read whole and compared one by one, as
    `append_many` does.
    """
    resent = (
        columns.frame.with_row_index("_row")
        .join(recorded, on="idempotency_key", how="inner", maintain_order="left")
        .with_columns(recorded_at=pl.col("_recorded_at"))
    )
    as_recorded = EventColumns(resent.select(columns.frame.columns), columns.data)
    bodies = encode_bodies(
        as_recorded, resent.get_column("_seq"), event_ids=resent.get_column("_event_id")
    )
    same = (bodies == resent.get_column("_body")) & resent.get_column("_plain")
    others = resent.filter(~same).select("_row", "idempotency_key")
    if others.height == 0:
        return
    stored = writer.recorded_rows(others.get_column("idempotency_key").to_list())
    by_key = {row.idempotency_key: row for row in stored}
    for index, key in others.iter_rows():
        resent_entry(by_key[key], columns.event(index))  # raises when another request


def _slices(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """`items` in slices of `size` (itertools.batched is Python 3.12)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows_query() -> Any:
    return select(*_ROW_COLUMNS).select_from(
        tables.events.outerjoin(
            personal_payloads, personal_payloads.c.event_id == tables.events.c.event_id
        )
    )


_DECISION_NAMES = tuple(column.name for column in decisions.columns)
_DECISION_COLUMNS = tuple(decisions.columns)


def _in_effect_order(through: datetime | None, run: Sequence[Happened]) -> bool:
    """`run` takes effect in the order given, none before `through` (the latest instant
    already folded in): it can be folded onto the projection as it stands."""
    latest = through
    for event in run:
        if latest is not None and event.effective_at < latest:
            return False
        latest = event.effective_at
    return True


def _chain_row(row: Row[Any]) -> ChainRow:
    return ChainRow(
        seq=int(row.seq),
        event_id=row.event_id,
        idempotency_key=row.idempotency_key,
        subject_ref=row.subject_ref,
        type=row.type,
        effective_at=row.effective_at,
        recorded_at=row.recorded_at,
        body=row.body,
        prev_hash=row.prev_hash,
        hash=row.hash,
        salt=getattr(row, "salt", None),
        payload=getattr(row, "payload", None),
    )


@dataclass(frozen=True, slots=True)
class _FactsRead:
    """How `SqlLedger.facts` reads the projection's fact columns of the subjects bound as
    `subjects`, and whether the projection answers for `at` (no event takes effect after
    it). As `SubjectProjection.state`: no end while a contract runs, no settlement while a
    debt is outstanding, decided in the query by the stored form of an empty set. On SQLite
    the subjects go as one JSON list (not thousands of bound variables) and the instants are
    read as their stored text, parsed once rather than by SQLAlchemy's processors and then
    the column type's."""

    query: Select[Any]
    subjects: Callable[[Sequence[SubjectRef]], Any]
    """The value bound as `subjects`."""
    instant: Callable[[Any], Any]
    """A read instant as an aware UTC one."""

    @classmethod
    def on(cls, dialect: str, at: datetime) -> _FactsRead:
        columns = subject_states.c
        ended = case((columns.contracts == EMPTY_SET, columns.last_contract_end))
        settled = case((columns.debts == EMPTY_SET, columns.debt_settled_at))
        never = and_(columns.contracts == EMPTY_SET, columns.last_contract_end.is_(None)).label(
            "never_had_contract"
        )
        # Compared in the database: SQLite's instants are UTC text of one fixed width
        # (`UTCDateTime`), which orders as time does.
        is_current = (columns.effective_through <= at).label("is_current")
        if dialect != "sqlite":
            return cls(
                select(
                    columns.subject_ref, columns.subject_type, ended, settled, never, is_current
                ).where(columns.subject_ref.in_(bindparam("subjects", expanding=True))),
                list,
                _same,
            )
        listed: Select[Any] = select(column("value")).select_from(
            func.json_each(bindparam("subjects"))
        )
        return cls(
            select(
                columns.subject_ref,
                columns.subject_type,
                type_coerce(ended, String()),
                type_coerce(settled, String()),
                never,
                is_current,
            ).where(columns.subject_ref.in_(listed)),
            _json_list,
            _text_instant,
        )


def _json_list(subjects: Sequence[SubjectRef]) -> str:
    return json.dumps(list(subjects))


def _text_instant(text: str | None) -> datetime | None:
    """An instant as SQLite keeps it (naive UTC text), aware."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _same(value: Any) -> Any:
    return value
