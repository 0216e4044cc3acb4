"""The DPO's figures over the last months: consent rates per option, consents given and
withdrawn, subjects' requests by kind and how many were answered on time, retention runs.

Each function takes what it reads (the ledger, the request book, the retention book) and
the instant; none reads the clock. The consent figures fold the ledger's consent and
contract events at each month's start; they are the costly part, so the console keeps
them for the chain position and day they were computed for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import polars as pl
from sqlalchemy import Engine

from placet.dsr import RequestKind, SubjectRequest
from placet.ledger.activity import ACTIVITY_TYPES, consent_changes_per_month, consent_rates
from placet.retention.journal import RetentionJournal, RunRecord, StepRecord
from placet.stores.sql_columnar import events_of_types
from placet.stores.sql_ledger import SqlLedger

__all__ = [
    "ConsentFigures",
    "KindFigures",
    "RequestFigures",
    "RunFigures",
    "consent_figures",
    "month_starts",
    "request_figures",
    "retention_figures",
]


def month_starts(at: datetime, months: int) -> tuple[datetime, ...]:
    """The first instants (00:00 UTC) of the `months` months up to and including `at`'s."""
    year, month = at.astimezone(UTC).year, at.astimezone(UTC).month
    starts = []
    for _ in range(months):
        starts.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return tuple(reversed(starts))


@dataclass(frozen=True, slots=True)
class ConsentFigures:
    """Consent rates at instants, and the consents given and withdrawn month by month."""

    instants: tuple[datetime, ...]
    """The month starts, then the day the figures were computed for."""
    options: tuple[str, ...]
    rates: pl.DataFrame
    """`consent_rates`: at, option, holders, customers, rate."""
    changes: pl.DataFrame
    """`consent_changes_per_month`: month, option, given, withdrawn."""
    position: int
    """The ledger's chain position the figures are consistent with."""

    def rate_series(self) -> dict[str, tuple[float | None, ...]]:
        """Each option's rate at each instant, in order."""
        return {
            option: tuple(self.rates.filter(pl.col("option") == option)["rate"].to_list())
            for option in self.options
        }

    def customers(self) -> tuple[int, ...]:
        """The customers at each instant."""
        first = self.options[0] if self.options else None
        rows = self.rates.filter(pl.col("option") == first)
        return tuple(int(count) for count in rows["customers"].to_list())

    def per_month(self, column: str) -> dict[str, tuple[int, ...]]:
        """`given` or `withdrawn` per option, one count per month of `instants`' months."""
        months = self.instants[:-1]
        counts = {
            (row["month"], row["option"]): int(row[column])
            for row in self.changes.iter_rows(named=True)
        }
        return {
            option: tuple(counts.get((month, option), 0) for month in months)
            for option in self.options
        }


def consent_figures(
    ledger: SqlLedger | Engine, options: Sequence[str], *, at: datetime, months: int = 12
) -> ConsentFigures:
    """The consent figures of the `months` months up to `at`, for the consent `options`
    (ids): the rate at each month's start and at the start of `at`'s day."""
    events, position = events_of_types(ledger, ACTIVITY_TYPES)
    starts = month_starts(at, months)
    today = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    instants = (*starts, today)
    frame = events.lazy()
    return ConsentFigures(
        instants=instants,
        options=tuple(options),
        rates=consent_rates(frame, instants, options),
        changes=consent_changes_per_month(frame, starts[0], today + timedelta(days=1)),
        position=position,
    )


@dataclass(frozen=True, slots=True)
class KindFigures:
    """One kind of request over the period: received, closed, closed on time, and now;
    `kind` None for every kind together."""

    kind: RequestKind | None
    received: int = 0
    closed: int = 0
    on_time: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """The share of the requests closed in the period that were closed by their due
        date (extensions and pauses counted); None when none was closed."""
        return self.on_time / self.closed if self.closed else None


@dataclass(frozen=True, slots=True)
class RequestFigures:
    """The requests by kind, and those received each month by kind."""

    kinds: tuple[KindFigures, ...]
    months: tuple[datetime, ...]
    received: dict[RequestKind, tuple[int, ...]] = field(default_factory=dict)
    """Requests received in each month of `months`, per kind with any."""

    @property
    def total(self) -> KindFigures:
        """Every kind together."""
        return KindFigures(
            None,
            received=sum(one.received for one in self.kinds),
            closed=sum(one.closed for one in self.kinds),
            on_time=sum(one.on_time for one in self.kinds),
            open=sum(one.open for one in self.kinds),
            overdue=sum(one.overdue for one in self.kinds),
        )


def request_figures(
    requests: Iterable[SubjectRequest], *, at: datetime, months: int = 12
) -> RequestFigures:
    """Subjects' requests received or closed in the `months` months up to `at`, by kind,
    and those still open at `at`. A request is on time when its last step (fulfilled or
    rejected) came by its due date as it stood then."""
    starts = month_starts(at, months)
    since = starts[0]
    counts: dict[RequestKind, Counter[str]] = {}
    monthly: dict[RequestKind, Counter[datetime]] = {}
    for request in requests:
        tally = counts.setdefault(request.kind, Counter())
        if since <= request.received_at <= at:
            tally["received"] += 1
            month = request.received_at.astimezone(UTC).replace(
                day=1, hour=0, minute=0, second=0, microsecond=0
            )
            monthly.setdefault(request.kind, Counter())[month] += 1
        if request.is_final:
            if since <= request.last_at <= at:
                tally["closed"] += 1
                tally["on_time"] += request.last_at <= request.due_at
        else:
            tally["open"] += 1
            tally["overdue"] += request.is_overdue(at)
    kinds = tuple(
        KindFigures(
            kind,
            received=counts[kind]["received"],
            closed=counts[kind]["closed"],
            on_time=counts[kind]["on_time"],
            open=counts[kind]["open"],
            overdue=counts[kind]["overdue"],
        )
        for kind in RequestKind
        if kind in counts
    )
    received = {kind: tuple(monthly[kind][month] for month in starts) for kind in sorted(monthly)}
    return RequestFigures(kinds, starts, received)


_ACTIONS = ("delete", "anonymise", "restrict", "purge")


@dataclass(frozen=True, slots=True)
class RunFigures:
    """One retention run: its record, its steps and the rows each action changed."""

    run: RunRecord
    steps: tuple[StepRecord, ...]

    def rows(self, action: str) -> int:
        return sum(step.changed_rows or 0 for step in self.steps if step.action == action)

    @property
    def is_finished(self) -> bool:
        return self.run.finished_at is not None

    @property
    def is_verified(self) -> bool:
        """Did every step leave none of the rows it selected?"""
        return self.is_finished and all(not step.left_rows for step in self.steps)

    @property
    def actions(self) -> tuple[str, ...]:
        return _ACTIONS


def retention_figures(book: RetentionJournal, *, last: int = 12) -> tuple[RunFigures, ...]:
    """The `last` retention runs, oldest first, each with its steps."""
    runs: Sequence[RunRecord] = sorted(book.runs(), key=lambda run: run.started_at)[-last:]
    return tuple(RunFigures(run, tuple(book.steps(run.run_id))) for run in runs)
