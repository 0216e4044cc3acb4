"""The one guard every destructive path asks: may this scope of data be destroyed now?

Retention runs, erasures on request, an administrator's deletes and the physical purge of
a lake all call `may_destroy` with what they are about to destroy (`DestructionScope`)
before they do it. What stops them:

- a **legal hold** (a dispute, a court order, a law-enforcement request, a regulator's
  inquiry) that is in force and whose scope meets the scope to destroy. A hold is scoped as
  narrowly as its reason: a subject, a dataset, data categories, a span of the records'
  own time, one record; a hold that names none of these is refused (`HoldScope`);
- an **open request** of the subject that needs their data: access, a printed copy or
  portability until answered (the answer must hold what was there), restriction until
  decided (GDPR Art. 18(1)(c): the subject may need the data for a legal claim);
- a **legal retention** still running: data a law obliges the operator to keep (tax law
  for invoices) is not erased on request before its cutoff (GDPR Art. 17(3)(b)). The
  caller passes that cutoff, which `retention_action` gives.

A sweep over many subjects (a retention run) is not stopped by one subject's hold: the
guard names the holds and requests that meet it (`GuardDecision.excluded`), and the run
leaves those rows out (`held_rows`). When a hold is released the guard lets the scope
through, so the deferred deletion happens at the next run.
Imports nothing outside the standard library, polars and `placet.policy`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import polars as pl

from placet.errors import RetentionError
from placet.policy.model import CategoryId
from placet.policy.terms import RightKind

__all__ = [
    "HOLDING_REQUESTS",
    "Blocker",
    "BlockerKind",
    "DestructionScope",
    "DestructivePath",
    "GuardDecision",
    "HoldReason",
    "HoldScope",
    "LegalHold",
    "OpenRequest",
    "held_rows",
    "may_destroy",
]


class HoldReason(StrEnum):
    """Why data must be kept beyond its retention."""

    DISPUTE = "dispute"
    COURT_ORDER = "court-order"
    LAW_ENFORCEMENT_REQUEST = "law-enforcement-request"
    REGULATOR_INQUIRY = "regulator-inquiry"


class DestructivePath(StrEnum):
    """Every way Placet destroys personal data; each one asks `may_destroy` first."""

    RETENTION_RUN = "retention-run"
    ERASURE_REQUEST = "erasure-request"
    ADMIN_DELETE = "admin-delete"
    LAKE_PURGE = "lake-purge"
    PSEUDONYMISATION = "pseudonymisation"
    """Identifiers replaced by keyed pseudonyms: the raw values are gone."""


HOLDING_REQUESTS = frozenset(
    {RightKind.ACCESS, RightKind.PRINTED_COPY, RightKind.PORTABILITY, RightKind.RESTRICTION}
)
"""Requests that hold the subject's data while they are open."""


@dataclass(frozen=True, slots=True)
class HoldScope:
    """What a hold keeps: every field given narrows it; `categories` empty means all of the
    named data. At least a subject, a dataset or a record must be named."""

    subject: str | None = None
    dataset: str | None = None
    categories: frozenset[CategoryId] = frozenset()
    records_from: datetime | None = None
    """The earliest instant of the records held (their time column), inclusive."""
    records_until: datetime | None = None
    """The instant the held records end before, exclusive."""
    record: str | None = None

    def __post_init__(self) -> None:
        if self.subject is None and self.dataset is None and self.record is None:
            raise RetentionError(
                "a legal hold must name a subject, a dataset or a record: a hold on "
                "everything stops every deletion. Scope it as narrowly as its reason."
            )
        if (
            self.records_from is not None
            and self.records_until is not None
            and self.records_until <= self.records_from
        ):
            raise RetentionError(
                f"a legal hold's records_until ({self.records_until.isoformat()}) must be "
                f"after its records_from ({self.records_from.isoformat()})"
            )

    def describe(self, shown: Callable[[str], str] = str) -> str:
        """What the hold keeps, in words; `shown` writes the subject (to mask it, say)."""
        parts = [
            f"subject {shown(self.subject)}" if self.subject else "",
            f"dataset {self.dataset}" if self.dataset else "",
            f"categories {', '.join(sorted(self.categories))}" if self.categories else "",
            f"records from {self.records_from.date()}" if self.records_from else "",
            f"records before {self.records_until.date()}" if self.records_until else "",
            f"record {self.record}" if self.record else "",
        ]
        return "; ".join(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class LegalHold:
    hold_id: str
    scope: HoldScope
    reason: HoldReason
    description: str
    placed_by: str
    placed_at: datetime
    until: datetime | None = None
    """When it lapses by itself; None: until released."""
    released_at: datetime | None = None
    released_by: str | None = None

    def is_in_force(self, at: datetime) -> bool:
        if at < self.placed_at:
            return False
        if self.released_at is not None and self.released_at <= at:
            return False
        return self.until is None or at < self.until


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """A subject's request not yet answered."""

    request_id: str
    subject: str
    kind: RightKind


@dataclass(frozen=True, slots=True)
class DestructionScope:
    """What a destructive path is about to destroy: in one dataset, the rows of one subject
    (or of all, for a sweep), of some categories, in a span of their time column."""

    path: DestructivePath
    dataset: str
    categories: frozenset[CategoryId] = frozenset()
    """The categories destroyed; empty: the whole rows."""
    subject: str | None = None
    """None: rows of many subjects (a sweep)."""
    records_from: datetime | None = None
    records_until: datetime | None = None
    record: str | None = None
    legal_retention_until: datetime | None = None
    """Until when a law obliges the operator to keep these records (from
    `retention_action`); an erasure on request waits for it."""


class BlockerKind(StrEnum):
    LEGAL_HOLD = "legal-hold"
    OPEN_REQUEST = "open-request"
    LEGAL_RETENTION = "legal-retention"


@dataclass(frozen=True, slots=True)
class Blocker:
    """One reason why (part of) a scope may not be destroyed now."""

    kind: BlockerKind
    reference: str
    """The hold's or request's id, or the cutoff of the legal retention."""
    subject: str | None
    """Whose data it keeps; None: everyone's in the scope."""
    explanation: str


@dataclass(frozen=True, slots=True)
class GuardDecision:
    allowed: bool
    """Whether the scope may be destroyed now (a sweep: apart from `excluded`)."""
    blockers: tuple[Blocker, ...] = ()
    """What stops the whole scope."""
    excluded: tuple[Blocker, ...] = ()
    """What a sweep must leave out: the rows of these subjects (see `held_rows`)."""

    @property
    def explanation(self) -> str:
        if not self.allowed:
            return "Not now: " + "; ".join(blocker.explanation for blocker in self.blockers)
        if self.excluded:
            return f"Allowed, leaving out {len(self.excluded)} held part(s) of the scope."
        return "Allowed: no hold, open request or legal retention meets the scope."


def may_destroy(
    scope: DestructionScope,
    holds: Iterable[LegalHold],
    open_requests: Iterable[OpenRequest],
    at: datetime,
) -> GuardDecision:
    """Whether `scope` may be destroyed at `at`, and what stops it or must be left out."""
    meeting = [hold for hold in holds if hold.is_in_force(at) and _meets(hold.scope, scope)]
    found = [
        Blocker(
            BlockerKind.LEGAL_HOLD,
            hold.hold_id,
            hold.scope.subject,
            f"legal hold {hold.hold_id} ({hold.reason.value}: {hold.description})",
        )
        for hold in meeting
    ]
    found += [
        Blocker(
            BlockerKind.OPEN_REQUEST,
            request.request_id,
            request.subject,
            f"open {request.kind.value} request {request.request_id} of the subject",
        )
        for request in open_requests
        if request.kind in HOLDING_REQUESTS
        and (scope.subject is None or request.subject == scope.subject)
    ]
    if (
        scope.path is DestructivePath.ERASURE_REQUEST
        and scope.legal_retention_until is not None
        and at < scope.legal_retention_until
    ):
        until = scope.legal_retention_until
        when = (
            "until their retention cutoff, not known yet (a contract still runs)"
            if until.year == datetime.max.year
            else f"until {until.date()}"
        )
        found.append(
            Blocker(
                BlockerKind.LEGAL_RETENTION,
                until.isoformat(),
                scope.subject,
                f"a law obliges the operator to keep these records {when} (GDPR Art. 17(3)(b))",
            )
        )
    if scope.subject is None:
        # A sweep goes on without the held rows (`held_rows`); only a hold on every row of
        # the dataset stops it.
        every_row = {hold.hold_id for hold in meeting if _keeps_every_row(hold.scope)}
        whole = tuple(blocker for blocker in found if blocker.reference in every_row)
        parts = tuple(blocker for blocker in found if blocker.reference not in every_row)
        return GuardDecision(not whole, whole, parts)
    return GuardDecision(not found, tuple(found))


def _keeps_every_row(hold: HoldScope) -> bool:
    return (
        hold.subject is None
        and hold.record is None
        and hold.records_from is None
        and hold.records_until is None
    )


def _meets(hold: HoldScope, scope: DestructionScope) -> bool:
    """Whether a hold's scope and the scope to destroy share any data."""
    if hold.subject is not None and scope.subject is not None and hold.subject != scope.subject:
        return False
    if hold.dataset is not None and hold.dataset != scope.dataset:
        return False
    if hold.record is not None and scope.record is not None and hold.record != scope.record:
        return False
    if hold.categories and scope.categories and not hold.categories & scope.categories:
        return False
    return _spans_meet(
        hold.records_from, hold.records_until, scope.records_from, scope.records_until
    )


def _spans_meet(
    first_from: datetime | None,
    first_until: datetime | None,
    second_from: datetime | None,
    second_until: datetime | None,
) -> bool:
    if first_until is not None and second_from is not None and first_until <= second_from:
        return False
    return not (second_until is not None and first_from is not None and second_until <= first_from)


def held_rows(
    rows: pl.LazyFrame,
    holds: Sequence[LegalHold],
    *,
    dataset: str,
    subject_column: str,
    time_column: str | None = None,
    record_column: str | None = None,
    at: datetime,
) -> pl.Expr:
    """True for the rows of `dataset` that a hold in force keeps (for a sweep to leave out).

    A hold's categories keep whole rows (a sweep deletes rows). Without a time or record
    column, a hold's span or record cannot be told apart and the subject's rows are all
    kept: the guard errs on keeping. `rows` is only read for its schema; use the
    expression in `filter` or `with_columns`.
    """
    names = rows.collect_schema().names()
    for column in (subject_column, time_column, record_column):
        if column is not None and column not in names:
            raise RetentionError(f"dataset {dataset} has no column '{column}' for its holds")
    held = pl.lit(False)
    for hold in holds:
        scope = hold.scope
        if not hold.is_in_force(at) or (scope.dataset is not None and scope.dataset != dataset):
            continue
        keeps = pl.lit(True)
        if scope.subject is not None:
            keeps &= pl.col(subject_column) == scope.subject
        if time_column is not None and scope.records_from is not None:
            keeps &= pl.col(time_column) >= scope.records_from
        if time_column is not None and scope.records_until is not None:
            keeps &= pl.col(time_column) < scope.records_until
        if record_column is not None and scope.record is not None:
            keeps &= pl.col(record_column) == scope.record
        held |= keeps
    return held
