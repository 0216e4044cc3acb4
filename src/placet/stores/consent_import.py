"""Import consent history from a CRM export (CSV or Parquet) into the ledger, all or nothing.

The file is read with polars and every row is checked before anything is written
(`placet.ledger.importing`); the good rows then become events a batch at a time and are
appended through the ledger's `append_many`, so memory holds the file's columns and one
batch of events, never a million events. A file with any bad row imports nothing, unless
the caller asks to skip bad rows: then the good rows are imported and the bad ones reported.
"""

from __future__ import annotations

import csv
import logging
import time
from datetime import datetime
from pathlib import Path

import polars as pl

from placet.errors import ImportRejectedError, StoreError
from placet.ledger import ConsentLog, PseudonymKey
from placet.ledger.importing import (
    CheckedRows,
    ImportReport,
    check_consent_rows,
    consent_column_batches,
)
from placet.policy import PolicySet
from placet.stores.bulk import fewer_collections

__all__ = [
    "BATCH_SIZE",
    "check_consent_file",
    "import_consent_history",
    "scan_consent_file",
]

log = logging.getLogger(__name__)

BATCH_SIZE = 50_000
"""Events per `append_many`: each batch is one transaction, holding the chain head."""

_FORMATS = {".csv": "CSV", ".parquet": "Parquet", ".pq": "Parquet"}


def import_consent_history(
    ledger: ConsentLog,
    source: Path,
    *,
    policies: PolicySet,
    key: PseudonymKey,
    recorded_at: datetime,
    skip_bad_rows: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Check every row of `source` and record the good ones in `ledger`.

    All or nothing: when any row is bad, nothing is imported and `ImportRejectedError`
    carries every problem. With `skip_bad_rows`, the good rows are imported and the report
    lists the problems of the others; a wrong header still imports nothing. Rows already in
    the ledger (by idempotency key) are not recorded again, so importing a file twice adds
    nothing. `recorded_at` is the instant of the import, read from the clock by the caller.

        report = import_consent_history(ledger, Path("crm.csv"), policies=load_policy_set("ipko"),
                                        key=key, recorded_at=datetime.now(UTC))
    """
    started = time.perf_counter()
    checked = check_consent_file(source, policies=policies, recorded_at=recorded_at)
    if checked.has_header_problem or (checked.problems and not skip_bad_rows):
        log.warning(
            "consent import rejected",
            extra={"rows": checked.rows, "bad_rows": checked.bad_rows},
        )
        raise ImportRejectedError(str(source), checked.problems, checked.rows)
    imported = 0
    batches = consent_column_batches(checked, key, recorded_at=recorded_at, batch_size=batch_size)
    with fewer_collections():
        for columns in batches:
            imported += ledger.append_columns(columns)
    report = ImportReport(
        source=str(source),
        rows_read=checked.rows,
        imported=imported,
        already_recorded=checked.good.height - imported,
        skipped=checked.bad_rows,
        problems=checked.problems,
        seconds=time.perf_counter() - started,
    )
    log.info(
        "consent history imported",
        extra={
            "rows": report.rows_read,
            "imported": report.imported,
            "already_recorded": report.already_recorded,
            "skipped": report.skipped,
        },
    )
    return report


def check_consent_file(source: Path, *, policies: PolicySet, recorded_at: datetime) -> CheckedRows:
    """Every row of `source` checked, nothing imported: the good rows and every problem."""
    frame = scan_consent_file(source)
    try:
        return check_consent_rows(frame, policies, recorded_at)
    except pl.exceptions.PolarsError as exc:
        raise StoreError(_unreadable(source, exc)) from exc


def scan_consent_file(source: Path) -> pl.LazyFrame:
    """The rows of a CSV file (every column as text) or a Parquet file, read lazily."""
    kind = _FORMATS.get(source.suffix.lower())
    if kind is None:
        raise StoreError(
            f"{source} is neither a CSV (.csv) nor a Parquet (.parquet) file. Export the "
            "consent history as one of them, with the columns docs/ledger.md lists."
        )
    if not source.is_file():
        raise StoreError(f"there is no file {source}. Check the path.")
    if kind == "CSV":
        # Every column as text: a customer id keeps its leading zeros, and the checks, not
        # the reader, decide what a value means.
        return pl.scan_csv(source, infer_schema=False, encoding="utf8")
    return pl.scan_parquet(source)


def _unreadable(source: Path, exc: Exception) -> str:
    cause = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    kind = _FORMATS[source.suffix.lower()]
    if kind == "Parquet":
        return f"cannot read {source} as Parquet ({cause}). Write it again as Parquet, or as CSV."
    ragged = _first_ragged_line(source)
    where = (
        f" Line {ragged[0]} has {ragged[1]} fields but the header has {ragged[2]}: quote "
        "fields that hold a comma."
        if ragged
        else ""
    )
    return (
        f"cannot read {source} as CSV ({cause}).{where} Save it as UTF-8 CSV, separated by "
        "commas, with a header row."
    )


def _first_ragged_line(source: Path) -> tuple[int, int, int] | None:
    """The first row with more fields than the header: (line, its fields, the header's)."""
    try:
        with source.open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            header = next(reader, [])
            for row in reader:
                if len(row) > len(header):
                    return reader.line_num, len(row), len(header)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None
