"""Select a campaign's audience: which subscribers of a table may this use reach, and why not.

The subscriber identifiers are read in chunks; each chunk's states come from the ledger's
projection in one read (or are replayed as of an instant), `decide_bulk` decides the
chunk at once, and the permitted identifiers are yielded as they are found, so a caller
can stream them. The exclusion counts by reason are complete once the stream ends.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path

import polars as pl

from placet.decide import Outcome, Use, decide_bulk, states_frame
from placet.errors import InvalidEventError
from placet.ledger import ConsentLog, PseudonymKey
from placet.operations.recording import subject_ref
from placet.policy import Policy, PolicySet

__all__ = ["Audience", "AudienceCounts", "read_subscriber_ids", "select_audience"]

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
    """An audience being selected. Iterate `batches()` once; `counts` is final after it.

    audience = select_audience(ledger, policies, key, ids, use, at=now)
    for batch in audience.batches():
        send(batch)
    audience.counts.excluded   # Counter({'no-consent': 812, 'consent-withdrawn': 40})
    """

    policy: Policy
    use: Use
    at: datetime
    known_at: datetime | None
    counts: AudienceCounts
    _chunks: Iterator[list[str]]
    _ledger: ConsentLog
    _key: PseudonymKey

    @property
    def policy_version(self) -> str:
        return self.policy.version

    def batches(self) -> Iterator[list[str]]:
        """The permitted subscriber identifiers, chunk by chunk, in the table's order."""
        for identifiers in self._chunks:
            permitted = self._decide_chunk(identifiers)
            if permitted:
                yield permitted
        log.info(
            "audience selected",
            extra={
                "purpose": self.use.purpose,
                "policy_version": self.policy.version,
                "total": self.counts.total,
                "permitted": self.counts.permitted,
            },
        )

    def permitted(self) -> Iterator[str]:
        """The permitted subscriber identifiers, one by one."""
        for batch in self.batches():
            yield from batch

    def _decide_chunk(self, identifiers: list[str]) -> list[str]:
        references = [subject_ref(identifier, self._key) for identifier in identifiers]
        if self.known_at is None:
            states = self._ledger.states(references, self.at)
        else:
            states = self._ledger.states_as_of(references, self.at, known_at=self.known_at)
        frame = states_frame(states).with_columns(
            identifier=pl.Series(identifiers, dtype=pl.String)
        )
        decided = (
            decide_bulk(self.policy, frame.lazy(), self.use, self.at)
            .select("identifier", "outcome", "reason")
            .collect()
        )
        is_permit = decided["outcome"] == Outcome.PERMIT.value
        permitted = decided.filter(is_permit)["identifier"].to_list()
        excluded = decided.filter(~is_permit)["reason"].cast(pl.String).value_counts()
        self.counts.total += decided.height
        self.counts.permitted += len(permitted)
        for reason, count in excluded.iter_rows():
            self.counts.excluded[str(reason)] += int(count)
        return [str(identifier) for identifier in permitted]


def select_audience(
    ledger: ConsentLog,
    policies: PolicySet,
    key: PseudonymKey,
    subscribers: Iterable[str],
    use: Use,
    *,
    at: datetime,
    known_at: datetime | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> Audience:
    """The audience of `use` among `subscribers` (identifiers) at `at`, lazily decided.

    The policy version in force at `at` decides over each subscriber's state at `at`
    (from everything recorded, or with `known_at`, from what the ledger knew then).
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    policy = policies.in_force(at)
    return Audience(
        policy=policy,
        use=use,
        at=at,
        known_at=known_at,
        counts=AudienceCounts(),
        _chunks=_chunked(subscribers, chunk_size),
        _ledger=ledger,
        _key=key,
    )


def read_subscriber_ids(path: Path, column: str = "subscriber") -> Iterator[str]:
    """The subscriber identifiers in one column of a CSV or Parquet table, in order.

    Raises `InvalidEventError` naming the file when it has no such column.
    """
    if path.suffix.lower() in {".parquet", ".pq"}:
        frame = pl.scan_parquet(path)
    else:
        frame = pl.scan_csv(path, infer_schema=False)
    names = frame.collect_schema().names()
    if column not in names:
        raise InvalidEventError(
            f"{path} has no column '{column}' (its columns: {', '.join(names)})",
            "Name the column that holds the subscriber identifiers",
        )
    ids = frame.select(pl.col(column).cast(pl.String)).collect()[column]
    for value in ids:
        if value is not None and value.strip():
            yield value.strip()


def _chunked(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
