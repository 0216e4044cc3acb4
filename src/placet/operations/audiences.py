"""Select a campaign's audience: which subscribers of a table may this use reach, and why not.

The subscriber identifiers are read in chunks; each chunk's states come from the ledger's
projection in one read (or are replayed as of an instant), `select_subjects` decides the
chunk at once, and the permitted identifiers are yielded as they are found, so a caller
can stream them. The exclusion counts by reason are complete once the stream ends.

Every chunk reads the ledger as it stood when the selection began (its head then), so
appends made meanwhile do not split one audience between two states of the ledger; once
the stream ends, `Audience.record` records the run (policy version, ledger position,
counts, a digest of the selected pseudonyms) and `replay_audience` computes it again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Final
from uuid import UUID, uuid4

import polars as pl
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from placet.decide import Use, select_subjects, states_frame
from placet.decide.bulk import SUBJECT_NUMBERS, subject_numbers
from placet.errors import InvalidEventError, StoreError
from placet.ledger import (
    ChainHead,
    ConsentLog,
    DecisionEntry,
    DecisionKind,
    DecisionRecord,
    PseudonymKey,
    SelectionDigest,
    SubjectRef,
    pseudonymise_subject,
)
from placet.ledger.pseudonym_column import pseudonymise_column
from placet.operations.decision_replays import (
    ReplayOutcome,
    position_moved,
    recorded_decision,
)
from placet.policy import Policy, PolicySet
from placet.policy.model import CategoryId, PurposeId, RecipientId
from placet.policy.terms import Channel
from placet.stores.sql_columnar import states_now, states_of
from placet.stores.sql_database import database_cause, describe_database
from placet.stores.sql_ledger import SqlLedger

__all__ = [
    "NUMBERED_STAMP",
    "Audience",
    "AudienceCounts",
    "AudienceReplay",
    "NumberedSubscribers",
    "key_check",
    "number_subscribers",
    "query_subscriber_ids",
    "read_numbered_subscribers",
    "read_subscriber_column",
    "read_subscriber_ids",
    "replay_audience",
    "select_audience",
    "subscriber_column",
    "subscribers_csv",
    "use_request",
    "write_numbered_subscribers",
]

log = logging.getLogger(__name__)

DEFAULT_CHUNK = 10_000
"""Subscribers decided together: one ledger read and one vectorised decision per chunk."""


@dataclass(slots=True)
class AudienceCounts:
    """How many subscribers were decided, permitted, and excluded for each reason."""

    total: int = 0
    permitted: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    """Reason code (`no-consent`, `objection-direct-marketing`, …) → subscribers excluded."""


@dataclass(slots=True)
class Audience:
    """An audience being selected. Iterate `batches()` or `columns()` once, or call
    `count_all()`; `counts` is final after it.

    audience = select_audience(ledger, policies, key, ids, use, at=now)
    for batch in audience.batches():
        send(batch)
    audience.counts.excluded   # Counter({'no-consent': 812, 'consent-withdrawn': 40})
    """

    policy: Policy
    use: Use
    at: datetime
    known_at: datetime | None
    position: ChainHead
    """The ledger's head when the selection began: every chunk reads the ledger through it."""
    counts: AudienceCounts
    _subscribers: Iterable[str] | pl.Series | NumberedSubscribers
    """The subscriber identifiers, read once: a chunk at a time, or whole with a snapshot;
    or numbered beforehand, with their pseudonyms."""
    _ledger: ConsentLog
    _key: PseudonymKey
    _chunk_size: int = DEFAULT_CHUNK
    record_id: UUID = field(default_factory=uuid4)
    """The id `record` records the run under (known before the stream starts)."""
    digest: SelectionDigest = field(default_factory=SelectionDigest)
    """Of the selected subjects' pseudonyms, in order."""
    input_digest: SelectionDigest = field(default_factory=SelectionDigest)
    """Of the subscriber identifiers given, in order: a replay can tell it got the same."""
    snapshot: Path | None = None
    """A projection snapshot (`write_snapshot`) to read the states from, all at once."""
    _finished: bool = False

    @property
    def policy_version(self) -> str:
        return self.policy.version

    def batches(self) -> Iterator[list[str]]:
        """The permitted subscriber identifiers, chunk by chunk, in the table's order."""
        for column in self.columns():
            yield column.to_list()

    def columns(self) -> Iterator[pl.Series]:
        """`batches()` as columns (`identifier`, text), none empty: for a caller that writes
        them out (CSV, Arrow) without a Python string per subscriber."""
        if self.snapshot is not None:
            yield from self._from_snapshot(self.snapshot)
        elif isinstance(self._subscribers, NumberedSubscribers):
            for table in self._subscribers.table.iter_slices(self._chunk_size):
                permitted = self._select(table, self._states_frame)
                if len(permitted):
                    yield permitted
        else:
            for identifiers in _chunked(self._subscribers, self._chunk_size):
                permitted = self._decide(_column_of(identifiers), self._states_frame)
                if len(permitted):
                    yield permitted
        self._finished = True
        log.info(
            "audience selected",
            extra={
                "purpose": self.use.purpose,
                "policy_version": self.policy.version,
                "total": self.counts.total,
                "permitted": self.counts.permitted,
            },
        )

    def count_all(self) -> AudienceCounts:
        """Select every subscriber without keeping the permitted, for `counts` alone (a
        summary, a replay): the columns are dropped as they come, no string made a
        subscriber."""
        for _ in self.columns():
            pass
        return self.counts

    def permitted(self) -> Iterator[str]:
        """The permitted subscriber identifiers, one by one."""
        for batch in self.batches():
            yield from batch

    def record(
        self, *, actor: str, recorded_at: datetime, source: dict[str, str] | None = None
    ) -> DecisionEntry:
        """Record this run in the ledger's decision records; only once the stream has ended.

        `source` says where the subscribers came from, e.g. {"table": "campaign.csv"}; the
        SHA-256 of the identifiers given is added as `subscribers_sha256`.
        """
        if not self._finished:
            raise RuntimeError("record an audience once its batches() have all been read")
        record = DecisionRecord(
            record_id=self.record_id,
            kind=DecisionKind.AUDIENCE_RUN,
            recorded_at=recorded_at,
            actor=actor,
            policy_id=self.policy.policy_id,
            policy_version=self.policy.version,
            ledger_seq=self.position.seq,
            ledger_hash=self.position.hash,
            as_of=self.at,
            known_at=self.known_at,
            request=use_request(self.use),
            outcome=self.outcome(),
            selection_digest=self.digest.hexdigest(),
            source={**(source or {}), "subscribers_sha256": self.input_digest.hexdigest()},
            idempotency_key=str(self.record_id),
        )
        return self._ledger.record_decision(record)

    def outcome(self) -> dict[str, Any]:
        """The counts as a decision record holds them."""
        return {
            "total": self.counts.total,
            "permitted": self.counts.permitted,
            "excluded": dict(sorted(self.counts.excluded.items())),
        }

    def _from_snapshot(self, snapshot: Path) -> Iterator[pl.Series]:
        """Every identifier decided at once, over the snapshot's states and the events after
        its watermark (up to the selection's position); yielded in chunks."""
        if self.known_at is not None:
            raise ValueError("a snapshot answers for now: replay with known_at from the ledger")
        if not isinstance(self._ledger, SqlLedger):
            raise TypeError("a projection snapshot is read with a SQL ledger")
        subscribers = self._subscribers
        everyone = states_now(snapshot, self._ledger, self.at, through_seq=self.position.seq)
        if isinstance(subscribers, NumberedSubscribers):
            permitted = self._select(subscribers.table, lambda references: everyone)
        else:
            if isinstance(subscribers, pl.Series):
                identifiers = subscribers
            else:
                identifiers = _column_of(list(subscribers))
            permitted = self._decide(identifiers, lambda references: everyone)
        for start in range(0, len(permitted), self._chunk_size):
            yield permitted.slice(start, self._chunk_size)

    def _states_frame(self, references: pl.Series) -> pl.LazyFrame:
        """The chunk's states (one row a subject), from the ledger through the position."""
        subjects = [SubjectRef(reference) for reference in references.unique(maintain_order=True)]
        through = self.position.seq
        if self.known_at is None and isinstance(self._ledger, SqlLedger):
            return states_of(self._ledger, subjects, self.at, through_seq=through)
        if self.known_at is None:
            states = self._ledger.states(subjects, self.at, through_seq=through)
        else:
            states = self._ledger.states_as_of(
                subjects, self.at, known_at=self.known_at, through_seq=through
            )
        return states_frame(states).lazy()

    def _decide(
        self, identifiers: pl.Series, states: Callable[[pl.Series], pl.LazyFrame]
    ) -> pl.Series:
        """Decide `identifiers` over `states` (of at least their subjects); the permitted
        identifiers, in order."""
        references = _pseudonyms(identifiers, self._key)
        return self._select(pl.DataFrame([identifiers.alias("identifier"), references]), states)

    def _select(
        self, table: pl.DataFrame, states: Callable[[pl.Series], pl.LazyFrame]
    ) -> pl.Series:
        """Decide `table`'s subscribers (`identifier`, their pseudonyms as `subject`, and
        perhaps the pseudonyms' numbers) over `states`; the permitted identifiers, in order."""
        _digest_column(self.input_digest, table["identifier"])
        references = table["subject"]
        selection = select_subjects(self.policy, states(references), table, self.use, self.at)
        chosen = selection.permitted
        self.counts.total += table.height
        self.counts.permitted += chosen.height
        for reason, count in selection.excluded.items():
            self.counts.excluded[reason] += count
        _digest_column(self.digest, chosen["subject"])
        return chosen["identifier"]


_DIGESTED = 100_000
"""Identifiers joined into one text to digest at a time (about 7 MB of pseudonyms)."""


def _digest_column(digest: SelectionDigest, values: pl.Series) -> None:
    """`digest.update(values.to_list())`, without a Python string per value."""
    for start in range(0, len(values), _DIGESTED):
        digest.update_joined(values.slice(start, _DIGESTED).str.join("\n").item())


_SPACES: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""What `str.strip` strips: the characters for which `str.isspace` holds (polars' own
`strip_chars` leaves U+001C to U+001F). A test holds the two to each other."""


def _pseudonyms(identifiers: pl.Series, key: PseudonymKey) -> pl.Series:
    """`subject_ref` of each identifier, for the whole column at once."""
    stripped = identifiers.str.strip_chars(_SPACES)
    empty = (stripped.is_null() | (stripped == "")).arg_true()
    if len(empty):
        raise InvalidEventError(
            f"the subject identifier on row {empty[0] + 1} is empty",
            "Give the subscriber's identifier: a customer number or an MSISDN in E.164",
        )
    return pseudonymise_column(stripped, key)


def subscribers_csv(identifiers: pl.Series, *, line_terminator: str = "\n") -> str:
    """CSV rows of `identifiers` (one column, no header): quoted where an identifier holds a
    comma, a quote or a line break, as RFC 4180 says."""
    return pl.DataFrame([identifiers.alias("subscriber")]).write_csv(
        include_header=False, line_terminator=line_terminator
    )


def _column_of(identifiers: list[str]) -> pl.Series:
    return pl.Series("identifier", identifiers, dtype=pl.String)


def use_request(use: Use) -> dict[str, Any]:
    """A use as a decision record holds it."""
    return {
        "purpose": use.purpose,
        "categories": list(use.categories),
        "channel": None if use.channel is None else use.channel.value,
        "recipient": use.recipient,
        "country": use.country,
        "anonymised": use.anonymised,
    }


def select_audience(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subscribers: Iterable[str] | pl.Series | NumberedSubscribers,
    use: Use,
    *,
    at: datetime,
    known_at: datetime | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    position: ChainHead | None = None,
    snapshot: Path | None = None,
) -> Audience:
    """The audience of `use` among `subscribers` (identifiers) at `at`, lazily decided.

    The policy version in force at `at` decides over each subscriber's state at `at`
    (from everything recorded, or with `known_at`, from what the ledger knew then), as the
    ledger stood at `position` (default: its head now). With `snapshot`, a projection
    snapshot (`placet ledger snapshot`), the states now come from it and the events after
    its watermark, and the whole table is decided at once instead of a chunk at a time.
    `subscribers` may be a column (`read_subscriber_column`): with a snapshot it is decided
    without a Python string per subscriber but for their pseudonyms. Numbered beforehand
    (`read_numbered_subscribers`), they are neither pseudonymised nor sorted again.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if isinstance(subscribers, NumberedSubscribers) and subscribers.key_check != key_check(key):
        raise InvalidEventError(
            "the subscribers were numbered with another pseudonym key than this one",
            "Number the subscriber table again with `placet number-subscribers`",
        )
    policy = policies.in_force(at)
    return Audience(
        policy=policy,
        use=use,
        at=at,
        known_at=known_at,
        position=position or ledger.head(),
        counts=AudienceCounts(),
        _subscribers=(
            subscriber_column(subscribers) if isinstance(subscribers, pl.Series) else subscribers
        ),
        _ledger=ledger,
        _key=key,
        _chunk_size=chunk_size,
        snapshot=snapshot,
    )


@dataclass(frozen=True, slots=True)
class AudienceReplay(ReplayOutcome):
    """A recorded audience run computed again: the record, the new run, and what differs."""

    record: DecisionRecord
    audience: Audience
    differences: tuple[str, ...]
    """Empty when the run was reproduced exactly: same policy version, counts and selection."""


def replay_audience(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    record_id: UUID,
    subscribers: Iterable[str],
    *,
    chunk_size: int = DEFAULT_CHUNK,
) -> AudienceReplay:
    """Select the recorded audience again, from the same subscribers, as the ledger stood then.

    The run reads the ledger through the recorded position only, at the recorded instant
    (and `known_at`), with the policy version in force then; the selected pseudonyms'
    digest and the counts are compared with the record's. Raises `DecisionNotFoundError`
    when no audience run is recorded under `record_id`.
    """
    record = recorded_decision(ledger, record_id, DecisionKind.AUDIENCE_RUN)
    position = ChainHead(record.ledger_seq, record.ledger_hash)
    audience = select_audience(
        ledger,
        policies,
        key,
        subscribers,
        _recorded_use(record.request),
        at=record.as_of,
        known_at=record.known_at,
        chunk_size=chunk_size,
        position=position,
    )
    audience.count_all()
    differences = []
    recorded_input = record.source.get("subscribers_sha256")
    if recorded_input is not None and audience.input_digest.hexdigest() != recorded_input:
        differences.append("the subscribers given are not those the run was given")
    differences += position_moved(ledger, record, "the run")
    if audience.policy.version != record.policy_version:
        differences.append(
            f"policy version {audience.policy.version} is in force at {record.as_of.isoformat()} "
            f"now, the run used {record.policy_version}"
        )
    if audience.outcome() != record.outcome:
        differences.append(f"counts {audience.outcome()} differ from the recorded {record.outcome}")
    if audience.digest.hexdigest() != record.selection_digest:
        differences.append("the subscribers selected differ from those recorded")
    return AudienceReplay(record, audience, tuple(differences))


def _recorded_use(request: dict[str, Any]) -> Use:
    channel = request.get("channel")
    return Use(
        purpose=PurposeId(request["purpose"]),
        categories=tuple(CategoryId(category) for category in request["categories"]),
        channel=None if channel is None else Channel(channel),
        recipient=None if request.get("recipient") is None else RecipientId(request["recipient"]),
        country=request.get("country"),
        anonymised=bool(request.get("anonymised", False)),
    )


# ---------------------------------------------------------------------- numbered tables

NUMBERED_STAMP: Final = "placet.numbered_subscribers"
"""The Parquet metadata key that marks a numbered table; its value tells the pseudonym key
it was made with (`key_check`)."""
_NUMBERED_SCHEMA: Final[dict[str, pl.DataType]] = {
    "subscriber": pl.String(),
    "subject": pl.String(),
    **SUBJECT_NUMBERS,
}
"""A numbered table's columns as written, in order."""


@dataclass(frozen=True, slots=True)
class NumberedSubscribers:
    """Subscribers numbered once for many campaigns (`number_subscribers`): each identifier
    with its pseudonym and the pseudonym's numbers, in the order of the numbers, so that an
    audience neither pseudonymises nor sorts them again."""

    table: pl.DataFrame
    """`identifier`, `subject` and `SUBJECT_NUMBERS`, sorted by `subject_key`."""
    key_check: str
    """`key_check` of the pseudonym key they were numbered with."""


def key_check(key: PseudonymKey) -> str:
    """A short fingerprint of the pseudonym key, safe to write beside a table: 16 hex digits
    of the HMAC of a fixed text (nothing about the key can be learnt from it)."""
    return pseudonymise_subject("placet numbered subscribers", key)[:16]


def number_subscribers(identifiers: pl.Series, key: PseudonymKey) -> NumberedSubscribers:
    """The subscribers' pseudonyms and their numbers, in the numbers' order (ties keep the
    table's order): what `select_audience` reads fastest."""
    column = subscriber_column(identifiers)
    table = pl.DataFrame([column, _pseudonyms(column, key)])
    numbered = table.with_columns(subject_numbers(pl.col("subject"))).sort(
        next(iter(SUBJECT_NUMBERS)), maintain_order=True
    )
    return NumberedSubscribers(numbered, key_check(key))


def write_numbered_subscribers(numbered: NumberedSubscribers, path: Path) -> None:
    """Write a numbered table as Parquet (`subscriber`, `subject`, the numbers), stamped with
    its key's check. It holds the identifiers: keep it as the subscriber table is kept."""
    numbered.table.rename({"identifier": "subscriber"}).select(
        list(_NUMBERED_SCHEMA)
    ).write_parquet(path, metadata={NUMBERED_STAMP: numbered.key_check})


def read_numbered_subscribers(path: Path, key: PseudonymKey) -> NumberedSubscribers | None:
    """The numbered table in `path`, or None when it is not one (no stamp: a plain table).

    Raises `InvalidEventError` when it was numbered with another pseudonym key (the key was
    rotated since: number the table again), or its columns are not a numbered table's.
    """
    if path.suffix.lower() not in {".parquet", ".pq"}:
        return None
    stamp = pl.read_parquet_metadata(path).get(NUMBERED_STAMP)
    if stamp is None:
        return None
    if stamp != key_check(key):
        raise InvalidEventError(
            f"{path} was numbered with another pseudonym key than the one configured",
            "Number the subscriber table again with `placet number-subscribers`",
        )
    table = pl.read_parquet(path)
    if dict(table.schema) != _NUMBERED_SCHEMA:
        raise InvalidEventError(
            f"{path} is stamped as a numbered table but holds {dict(table.schema)}",
            "Number the subscriber table again with `placet number-subscribers`",
        )
    return NumberedSubscribers(table.rename({"subscriber": "identifier"}), stamp)


def read_subscriber_ids(path: Path, column: str = "subscriber") -> Iterator[str]:
    """The subscriber identifiers in one column of a CSV, Parquet or Arrow IPC table, in order,
    stripped of surrounding spaces, the empty left out.

    Raises `InvalidEventError` naming the file when it has no such column.
    """
    yield from read_subscriber_column(path, column)


def read_subscriber_column(path: Path, column: str = "subscriber") -> pl.Series:
    """`read_subscriber_ids` as one column, for `select_audience` to decide at once.

    Raises `InvalidEventError` naming the file when it has no such column.
    """
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        frame = pl.scan_parquet(path)
    elif suffix in {".arrow", ".feather", ".ipc"}:
        frame = pl.scan_ipc(path)
    else:
        frame = pl.scan_csv(path, infer_schema=False)
    names = frame.collect_schema().names()
    if column not in names:
        raise InvalidEventError(
            f"{path} has no column '{column}' (its columns: {', '.join(names)})",
            "Name the column that holds the subscriber identifiers",
        )
    return subscriber_column(frame.select(pl.col(column)).collect()[column])


def subscriber_column(values: pl.Series) -> pl.Series:
    """Subscriber identifiers as text, stripped of surrounding spaces, the empty left out."""
    stripped = values.cast(pl.String).str.strip_chars()
    return stripped.filter(stripped.is_not_null() & (stripped != "")).alias("identifier")


def query_subscriber_ids(
    url: str, query: str, column: str | None = None, *, batch_size: int = DEFAULT_CHUNK
) -> Iterator[str]:
    """The subscriber identifiers a SQL query returns (its `column`, or its first), in order.

    The rows are streamed from the database `batch_size` at a time, never all held. The
    query runs read-only as far as the database allows: give a SELECT.
    """
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execution_options(
                stream_results=True, yield_per=batch_size
            ).execute(text(query))
            names = list(result.keys())
            if column is not None and column not in names:
                raise InvalidEventError(
                    f"the subscriber query returns no column '{column}' (it returns: "
                    f"{', '.join(names)})",
                    "Name a column the query selects, or select the identifiers first",
                )
            position = names.index(column) if column is not None else 0
            for rows in result.partitions():
                values = pl.Series([row[position] for row in rows], dtype=pl.String, strict=False)
                yield from subscriber_column(values)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot run the subscriber query on {describe_database(url)}: "
            f"{database_cause(exc)}. Check the query and the database URL."
        ) from exc
    finally:
        engine.dispose()


def _chunked(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
