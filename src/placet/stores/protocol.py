"""The one small protocol every store connector implements: SQL databases, Delta tables,
Parquet folders and Spark all answer the same six calls.

A connector is opened on one system of the data map (a database, a lake root) and acts on
its tables by location (a table name, a folder under the root). Which rows a call acts on
is a `Selection`, evaluated inside the store, set-based:

- with `windows` (an Arrow table of `WINDOW_SCHEMA`): the rows whose key column holds a
  window's `key` while the row's time column lies in `[since, before)` of that window (a
  null bound is open). A recycled phone number is one key with several windows, one per
  holder, so one subscriber's rows never include the previous holder's;
- with `since` / `before`: the rows whose time column lies in `[since, before)`, and, with
  windows too, in both;
- with `exclude` (windows too, same key column): less the rows those windows select (what
  a legal hold keeps out of a sweep), and less the rows of an excluded key that have no
  time, which no window can place: the store errs on keeping;
- a row whose time column is null is never selected by a bound: the store errs on keeping.

Nothing is read into Python objects row by row: `find` streams Arrow record batches,
`delete` and `update` go out as one set-based statement, file rewrite or table commit per
call. `update` writes a **mark** column (`ANONYMISED_MARK`, `RESTRICTED_MARK`, added to the
table when missing) and never touches a row already marked, so every change can be re-run
after a crash and changes nothing twice: the second run finds the rows gone or marked.

Erasure in a lake has two phases: `delete` commits a new table version without the rows
(the logical phase; `Change.version`), and `purge` removes the files that still hold them
once the table's retention window allows (the physical phase; `Purge`). SQL stores purge
too: PostgreSQL's dead tuples stay on disk until VACUUM, MariaDB's until OPTIMIZE TABLE.

Imports nothing outside the standard library, pyarrow, `placet.errors` and the rewrites of
`placet.retention.rewrites`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol, runtime_checkable

import pyarrow as pa

from placet.errors import StoreError
from placet.retention.rewrites import Constant, MaskTail, Nullify, Remap, Rewrite
from placet.retention.spans import WINDOW_SCHEMA

__all__ = [
    "ANONYMISED_MARK",
    "MARKS",
    "PSEUDONYMISED_MARK",
    "RESTRICTED_MARK",
    "WINDOW_SCHEMA",
    "Change",
    "Constant",
    "MaskTail",
    "Nullify",
    "Purge",
    "Remap",
    "Rewrite",
    "Selection",
    "Store",
    "TimePartition",
    "key_windows",
]

ANONYMISED_MARK = "placet_anonymised_at"
"""The column an anonymising update stamps with its instant."""
RESTRICTED_MARK = "placet_restricted_at"
"""The column marking rows restricted (stored, not processed: GDPR Art. 18)."""
PSEUDONYMISED_MARK = "placet_pseudonymised_at"
"""The column a pseudonymising update stamps with its instant."""
MARKS = (ANONYMISED_MARK, RESTRICTED_MARK, PSEUDONYMISED_MARK)


def key_windows(
    keys: Sequence[str],
    since: Sequence[datetime | None] | None = None,
    before: Sequence[datetime | None] | None = None,
) -> pa.Table:
    """Windows for `keys` (bounds all open when not given), in `WINDOW_SCHEMA`."""
    count = len(keys)
    return pa.table(
        {
            "key": pa.array(keys, pa.string()),
            "since": pa.array(
                since if since is not None else [None] * count, pa.timestamp("us", "UTC")
            ),
            "before": pa.array(
                before if before is not None else [None] * count, pa.timestamp("us", "UTC")
            ),
        },
        schema=WINDOW_SCHEMA,
    )


@dataclass(frozen=True, slots=True)
class Selection:
    """Which rows of a table a call acts on (see the module's docstring)."""

    time_column: str | None = None
    """The column of the rows' instant; needed by any bound."""
    key_column: str | None = None
    """The column the windows' keys are compared with; needed by `windows`."""
    windows: pa.Table | None = field(default=None, compare=False)
    """Keys and their time spans, in `WINDOW_SCHEMA`; None: every key."""
    since: datetime | None = None
    before: datetime | None = None
    exclude: pa.Table | None = field(default=None, compare=False)
    """Keys and time spans whose rows are left out, in `WINDOW_SCHEMA` (compared with
    `key_column` and `time_column` as `windows` are); None: none."""

    def __post_init__(self) -> None:
        if self.windows is not None:
            if self.key_column is None:
                raise StoreError("a selection by key windows must name its key column")
            if not self.windows.schema.equals(WINDOW_SCHEMA):
                raise StoreError(
                    f"key windows must have the schema {WINDOW_SCHEMA}, not {self.windows.schema}"
                )
            has_bounds = self.windows["since"].null_count < len(self.windows) or self.windows[
                "before"
            ].null_count < len(self.windows)
        else:
            has_bounds = False
        if (has_bounds or self.since or self.before) and self.time_column is None:
            raise StoreError("a selection bounded in time must name its time column")
        for bound in (self.since, self.before):
            if bound is not None and bound.utcoffset() is None:
                raise StoreError(f"a selection's bound {bound.isoformat()} has no time zone")

    @property
    def is_empty(self) -> bool:
        """Whether it selects nothing at all (no windows given, or since ≥ before)."""
        if self.windows is not None and len(self.windows) == 0:
            return True
        return self.since is not None and self.before is not None and self.since >= self.before

    def columns(self) -> list[str]:
        """The table's columns the selection reads."""
        return [name for name in (self.key_column, self.time_column) if name is not None]


@dataclass(frozen=True, slots=True)
class TimePartition:
    """A lake table partitioned by the month (or day) of its rows' time column
    (`month=2026-03/`): a bound in time prunes whole partitions, and a sweep drops every
    partition wholly before its cutoff as a metadata-only commit, rewriting only the
    partition the cutoff falls in."""

    column: str
    """The partition column (`month`)."""
    time_column: str
    """The column whose instant it is the month or day of (`start_time`)."""
    unit: Literal["month", "day"] = "month"

    def label(self, instant: datetime) -> str:
        """The partition value of `instant` (UTC): `2026-03` or `2026-03-14`."""
        utc = instant.astimezone(UTC)
        return f"{utc:%Y-%m}" if self.unit == "month" else f"{utc:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class Change:
    """What a delete or update did."""

    rows: int
    """Rows deleted or changed."""
    version: int | None = None
    """The table version committed (a lake's logical phase); None for SQL."""
    files_rewritten: int = 0
    """Data files rewritten (lakes); whole files dropped count in `files_removed`."""
    files_removed: int = 0


@dataclass(frozen=True, slots=True)
class Purge:
    """What the physical phase removed, and whether anything selected by earlier changes
    may still be on disk."""

    files_removed: int
    complete: bool
    """True when no file holding deleted rows remains (or the store keeps none)."""
    detail: str


@runtime_checkable
class Store(Protocol):
    """One system of the estate (a database, a lake root), acting on its tables."""

    def describe(self) -> str:
        """The store for messages, without secrets (`postgresql://…@host/db`, a path)."""
        ...

    def schema(self, table: str) -> pa.Schema:
        """The table's columns; `StoreError` naming the table when it does not exist."""
        ...

    def find(
        self,
        table: str,
        selection: Selection,
        columns: Sequence[str] | None = None,
        *,
        batch_rows: int = 65_536,
    ) -> Iterator[pa.RecordBatch]:
        """The selected rows (`columns`, or all), streamed in batches of at most `batch_rows`."""
        ...

    def count(self, table: str, selection: Selection, *, unmarked: str | None = None) -> int:
        """How many rows are selected (and, with `unmarked`, do not have that mark yet)."""
        ...

    def delete(self, table: str, selection: Selection) -> Change:
        """Delete the selected rows, in one set-based change."""
        ...

    def update(
        self,
        table: str,
        selection: Selection,
        rewrites: Mapping[str, Rewrite],
        *,
        mark: str,
        at: datetime,
    ) -> Change:
        """Rewrite `rewrites`' columns of the selected rows not yet marked `mark`, and stamp
        `mark` with `at` (anonymise: a rewrite per identifying column; restrict: none)."""
        ...

    def purge(self, table: str) -> Purge:
        """The physical phase: remove what deleted and rewritten rows leave on disk."""
        ...

    def close(self) -> None: ...
