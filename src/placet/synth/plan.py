"""What estate to generate (operator, size, seed, "now"), and the random stream of each piece.

Every random draw comes from a numpy `Generator(PCG64)` seeded by (seed, table, indices of
the piece), so that any piece can be generated alone, in any order, and the chunk size
used to write the estate never changes its rows.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

import numpy as np

__all__ = [
    "BLOCK",
    "DAY_US",
    "DEFAULT_CHUNK_ROWS",
    "ESTATE_NOW",
    "EstatePlan",
    "Month",
    "OperatorName",
    "random_stream",
    "to_us",
]

DAY_US = 86_400_000_000
"""Microseconds in a day: every instant inside the generator is an int64 of microseconds
since 1970-01-01T00:00:00Z."""

BLOCK = 4096
"""Subscribers (or number assignments) drawn from one random stream. Part of the
determinism contract: changing it changes every estate."""

ESTATE_NOW = datetime(2026, 6, 1, tzinfo=UTC)
"""The default "now" of an estate: fixed, so that an estate depends on its seed alone."""


class OperatorName(StrEnum):
    """The operators whose estate `placet synth` writes (policies/ and examples/datamap/)."""

    IPKO = "ipko"
    IPNORDIC = "ipnordic"


def to_us(instant: datetime) -> int:
    """An aware instant as microseconds since the epoch."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware (UTC)")
    delta = instant - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month of traffic data: its label (`2026-05`), first instant and end."""

    label: str
    start_us: int
    end_us: int


DEFAULT_CHUNK_ROWS = 250_000
"""Rows generated, then written as one Parquet row group, at a time. A quarter of a million
keeps the generator and the writer (one chunk in flight) busy side by side: on the
development VM it wrote 5.4 million CDRs a second to one file, against 4.8–5.0 million with
chunks of a million (`bench/bench_synth.py`), in less memory; row groups of about 4 MiB also
let readers skip more by their statistics."""


@dataclass(frozen=True, slots=True)
class EstatePlan:
    """The estate to generate: whose, how many subscribers, how many months of traffic,
    from which seed, and what instant counts as now."""

    operator: OperatorName
    subscribers: int
    months: int
    seed: int
    now: datetime = ESTATE_NOW
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    """Rows held in memory before they are written: changes memory, never the rows."""

    def __post_init__(self) -> None:
        if self.subscribers < 1:
            raise ValueError(f"subscribers must be at least 1, not {self.subscribers}")
        if not 1 <= self.months <= 120:
            raise ValueError(f"months must be between 1 and 120, not {self.months}")
        if self.seed < 0:
            raise ValueError(f"the seed must be zero or positive, not {self.seed}")
        if self.chunk_rows < 1:
            raise ValueError(f"chunk_rows must be at least 1, not {self.chunk_rows}")
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware (UTC)")

    @property
    def now_us(self) -> int:
        return to_us(self.now)

    @property
    def traffic_months(self) -> tuple[Month, ...]:
        """The `months` calendar months of traffic data, oldest first, the last one holding
        the instant just before now (cut at now)."""
        last = datetime.fromtimestamp((self.now_us - 1) / 1_000_000, tz=UTC)
        year, month = last.year, last.month
        months: list[Month] = []
        for _ in range(self.months):
            start = datetime(year, month, 1, tzinfo=UTC)
            following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
            end = min(to_us(following), self.now_us)
            months.append(Month(f"{year:04d}-{month:02d}", to_us(start), end))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return tuple(reversed(months))

    @property
    def traffic_start_us(self) -> int:
        return self.traffic_months[0].start_us

    @property
    def today(self) -> date:
        return self.now.astimezone(UTC).date()


def random_stream(seed: int, table: str, *indices: int) -> np.random.Generator:
    """The random stream of one piece of one table: the same arguments give the same draws.

    rng = random_stream(7, "cdrs", month, bucket, block)
    """
    table_code = zlib.crc32(table.encode("utf-8"))
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence([seed, table_code, *indices]))
    )
