"""The row format of a consent import: its columns, and what checking and importing report.

Imports nothing outside the standard library, polars, `placet.errors`, `placet.policy` and
`placet.ledger`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from placet.errors import RowProblem
from placet.ledger.events import CollectedVia, EventType, GivenBy
from placet.policy.terms import Channel

__all__ = [
    "ALL_DIRECT_MARKETING",
    "IMPORTED_EVENTS",
    "IMPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "CheckedRows",
    "ImportColumn",
    "ImportReport",
]


class ImportColumn(StrEnum):
    """The columns of a consent import, in the order the docs list them."""

    SUBJECT = "subject"
    """The subscriber's MSISDN (E.164) or customer id; pseudonymised, never stored."""
    EVENT = "event"
    """consent-given, consent-withdrawn, objection-made or objection-withdrawn."""
    OPTION_OR_PURPOSE = "option_or_purpose"
    """The consent option (consents) or the purpose (objections), by policy id."""
    CHANNELS = "channels"
    """Channels of a consent, separated by ';'; empty: every channel the option covers."""
    EFFECTIVE_AT = "effective_at"
    """When it took effect: ISO 8601 with a zone (2024-05-01T12:00:00Z)."""
    COLLECTED_VIA = "collected_via"
    """How it reached the operator: web, app, shop, call-centre, sms, email, paper, …"""
    GIVEN_BY = "given_by"
    """subject (when empty), representative or employer."""
    ACTOR = "actor"
    """Who or what recorded it: a staff id or a system name."""
    EVIDENCE = "evidence"
    """A reference to the evidence (a scanned form's id); optional."""
    IDEMPOTENCY_KEY = "idempotency_key"
    """The CRM's own id of the row; empty: derived from the row (`derive_idempotency_key`)."""


IMPORT_COLUMNS: tuple[ImportColumn, ...] = tuple(ImportColumn)
REQUIRED_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn.SUBJECT,
    ImportColumn.EVENT,
    ImportColumn.OPTION_OR_PURPOSE,
    ImportColumn.EFFECTIVE_AT,
    ImportColumn.COLLECTED_VIA,
    ImportColumn.ACTOR,
)
"""Columns the header must have and every row must fill; the others may be left out."""

IMPORTED_EVENTS: tuple[EventType, ...] = (
    EventType.CONSENT_GIVEN,
    EventType.CONSENT_WITHDRAWN,
    EventType.OBJECTION_MADE,
    EventType.OBJECTION_WITHDRAWN,
)
"""The events an import records; the others come from contract and billing systems."""

ALL_DIRECT_MARKETING = "all-direct-marketing"
"""In `option_or_purpose` of an objection: the objection to all direct marketing (Art. 21(2))."""

CONSENT_EVENTS = (EventType.CONSENT_GIVEN.value, EventType.CONSENT_WITHDRAWN.value)
OBJECTION_EVENTS = (EventType.OBJECTION_MADE.value, EventType.OBJECTION_WITHDRAWN.value)
CHANNEL_NAMES = tuple(channel.value for channel in Channel)
COLLECTION_NAMES = tuple(way.value for way in CollectedVia)
GIVEN_BY_NAMES = tuple(who.value for who in GivenBy)
MAX_TEXT = 500
"""The longest actor or evidence a ledger event holds."""
MAX_KEY = 200
"""The longest idempotency key a ledger event holds."""
HEADER_LINE = 1
FIRST_LINE = 2

COLUMN_NEEDS: Mapping[ImportColumn, str] = {
    ImportColumn.SUBJECT: "subject: give the subscriber's MSISDN in E.164 (+38344123456) "
    "or customer id",
    ImportColumn.EVENT: "event: give consent-given, consent-withdrawn, objection-made or "
    "objection-withdrawn",
    ImportColumn.OPTION_OR_PURPOSE: "consent option or purpose: give the consent option's id "
    f"for a consent, the purpose's id (or {ALL_DIRECT_MARKETING}) for an objection",
    ImportColumn.EFFECTIVE_AT: "instant: give when it took effect, as 2024-05-01T12:00:00Z",
    ImportColumn.COLLECTED_VIA: "way of collection: give one of " + ", ".join(COLLECTION_NAMES),
    ImportColumn.ACTOR: "actor: give the staff id or system name that recorded it",
}


@dataclass(frozen=True, slots=True)
class CheckedRows:
    """The rows of an import after `check_consent_rows`: the good ones, and every problem."""

    rows: int
    """Data rows read, not counting the header."""
    good: pl.DataFrame
    """The rows without problems, normalised, in the order to record them: by subject, then
    by the instant they took effect, then by line. Each subject's events are recorded
    together, so an import touches each subject's projection once (rather than once a batch)
    and folds their events in the order they took effect."""
    problems: tuple[RowProblem, ...]
    """Every problem, by line; the header's (line 1) first."""
    policy_id: str

    @property
    def bad_rows(self) -> int:
        """How many data rows have at least one problem."""
        return len({problem.line for problem in self.problems if problem.line != HEADER_LINE})

    @property
    def has_header_problem(self) -> bool:
        """The header is wrong: no row could be read, even with bad rows skipped."""
        return any(problem.line == HEADER_LINE for problem in self.problems)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: rows read, events recorded, rows skipped, problems, time taken."""

    source: str
    rows_read: int
    imported: int
    """New events recorded."""
    already_recorded: int
    """Good rows whose event the ledger already held (a re-import), or that repeat a row."""
    skipped: int
    """Bad rows left out (only when asked to skip them)."""
    problems: tuple[RowProblem, ...]
    seconds: float

    def __str__(self) -> str:
        rate = f", {self.rows_read / self.seconds:,.0f} rows/s" if self.seconds > 0 else ""
        return (
            f"Imported {self.imported} events from {self.source}: {self.rows_read} rows read, "
            f"{self.already_recorded} already recorded, {self.skipped} bad rows skipped "
            f"({self.seconds:.1f} s{rate})."
        )


GOOD_SCHEMA = pl.Schema(
    [
        ("line", pl.Int64()),
        ("subject", pl.String()),
        ("event", pl.String()),
        ("option_or_purpose", pl.String()),
        ("channels", pl.List(pl.String())),
        ("effective_at", pl.Datetime("us", "UTC")),
        ("collected_via", pl.String()),
        ("given_by", pl.String()),
        ("actor", pl.String()),
        ("evidence", pl.String()),
        ("idempotency_key", pl.String()),
        ("policy_version", pl.String()),
    ]
)
