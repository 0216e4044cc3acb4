"""Bulk import of consent history: the rows of a CRM export, their checks, and their events.

A row records one consent given or withdrawn, or one objection made or withdrawn (the
columns are in `IMPORT_COLUMNS` and docs/ledger.md, "Importing"). `check_consent_rows`
checks every row of a frame against the policy version in force at the row's instant,
vectorised in polars, and returns every problem with its line (the header is line 1) and
its fix; `consent_column_batches` turns the good rows into ledger events held as columns a
batch at a time (`consent_event_batches`, into `LedgerEvent`s), naming each subject by its
keyed pseudonym, so the identifier never enters the chain.
Pure: reads no file, database, clock or environment; the caller passes the frame, the
policy versions, the pseudonym key and the instant of the import.
"""

from placet.errors import RowProblem
from placet.ledger.importing.checks import check_consent_rows
from placet.ledger.importing.events import (
    consent_column_batches,
    consent_event_batches,
    consent_events,
    derive_idempotency_key,
)
from placet.ledger.importing.format import (
    ALL_DIRECT_MARKETING,
    IMPORT_COLUMNS,
    IMPORTED_EVENTS,
    REQUIRED_COLUMNS,
    CheckedRows,
    ImportColumn,
    ImportReport,
)

__all__ = [
    "ALL_DIRECT_MARKETING",
    "IMPORTED_EVENTS",
    "IMPORT_COLUMNS",
    "REQUIRED_COLUMNS",
    "CheckedRows",
    "ImportColumn",
    "ImportReport",
    "RowProblem",
    "check_consent_rows",
    "consent_column_batches",
    "consent_event_batches",
    "consent_events",
    "derive_idempotency_key",
]
