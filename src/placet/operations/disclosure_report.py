"""The DPO's report of the disclosure register over a period: every disclosure made in it,
summed up by recipient, kind and transfer basis, the overrides, and the register's flags on
the day; written as CSV here, as HTML and PDF by `placet.notices.disclosure_report`.

Confidential law-enforcement disclosures are in the report, marked with the date their
confidentiality ends: it is for the DPO, who answers for the register, not for the subject.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Final

from placet.disclosures import Disclosure, DisclosureBook
from placet.errors import DisclosureError
from placet.notices.disclosure_report import (
    DisclosureReport,
    DisclosureRow,
    RegisterFlagRow,
    ReportTotal,
)
from placet.operations.disclosures import register_entries
from placet.policy import PolicySet

__all__ = [
    "CSV_COLUMNS",
    "DisclosureReport",
    "DisclosureRow",
    "RegisterFlagRow",
    "ReportTotal",
    "disclosure_report",
    "write_report_csv",
]

CSV_COLUMNS: Final = (
    "disclosure_id",
    "kind",
    "disclosed_at",
    "recipient",
    "party",
    "purpose",
    "categories",
    "country",
    "transfer_basis",
    "legal_ground",
    "reference",
    "records",
    "subjects",
    "approved_by",
    "recorded_by",
    "policy_version",
    "override_by",
    "override_justification",
    "flags",
    "flag_details",
    "confidential_until",
)
"""The CSV's header row; lists within a cell are separated by '; '."""

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def disclosure_report(
    book: DisclosureBook,
    policies: PolicySet,
    since: datetime,
    before: datetime,
    at: datetime,
) -> DisclosureReport:
    """The disclosures made in [since, before), oldest first, and the register's flags at `at`.

    disclosure_report(book, policies, since=jan_1, before=apr_1, at=now)
    """
    if before <= since:
        raise DisclosureError(
            f"the report's period ends ({before:%Y-%m-%d}) before it starts "
            f"({since:%Y-%m-%d}); give an end after the start"
        )
    rows = tuple(_row(disclosure) for disclosure in book.disclosures(since=since, before=before))
    policy = policies.in_force(at)
    flags = tuple(
        RegisterFlagRow(entry.recipient.id, flag.value, about)
        for entry in register_entries(book, policies, at)
        for flag, about in entry.flags
    )
    return DisclosureReport(
        controller=policy.controller.legal_name,
        policy_id=policy.policy_id,
        policy_version=policy.version,
        since=since,
        before=before,
        at=at,
        rows=rows,
        by_recipient=_totals(rows, lambda row: row.to_whom),
        by_kind=_totals(rows, lambda row: row.kind),
        by_transfer=_totals(rows, lambda row: row.transfer),
        register_flags=flags,
    )


def write_report_csv(report: DisclosureReport, path: Path) -> int:
    """Write one row per disclosure, under a header row, to `path`; the rows written.

    UTF-8 with a byte order mark, so that Excel shows ë, ç and č as written. A cell that
    begins like a spreadsheet formula (=, +, -, @) is led by an apostrophe, so that free
    text (a justification, a party's name) is never run as one.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_cells(row) for row in report.rows)
    Path(path).write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return len(report.rows)


def _row(disclosure: Disclosure) -> DisclosureRow:
    proposed = disclosure.proposed
    override = proposed.override
    confidentiality = proposed.confidentiality
    return DisclosureRow(
        disclosure_id=disclosure.disclosure_id,
        kind=disclosure.kind.value,
        disclosed_at=proposed.disclosed_at,
        recipient=proposed.recipient or "",
        party=proposed.party or "",
        purpose=proposed.purpose,
        categories=proposed.categories,
        country=proposed.country or "",
        transfer=disclosure.transfer,
        legal_ground=proposed.legal_ground or "",
        reference=proposed.reference or "",
        subjects=disclosure.subjects,
        approved_by=proposed.approved_by,
        recorded_by=disclosure.recorded_by,
        policy_version=f"{disclosure.policy_id} {disclosure.policy_version}",
        records=proposed.records,
        override_by="" if override is None else override.by,
        override_justification="" if override is None else override.justification,
        flags=disclosure.problems,
        confidential_until=None if confidentiality is None else confidentiality.until,
    )


def _totals(
    rows: Iterable[DisclosureRow], key: Callable[[DisclosureRow], str]
) -> tuple[ReportTotal, ...]:
    counted: dict[str, tuple[int, int]] = {}
    for row in rows:
        disclosures, subjects = counted.get(key(row), (0, 0))
        counted[key(row)] = (disclosures + 1, subjects + row.subjects)
    return tuple(
        ReportTotal(name, disclosures, subjects)
        for name, (disclosures, subjects) in sorted(counted.items())
    )


def _cells(row: DisclosureRow) -> list[str | int]:
    return [
        _text(row.disclosure_id),
        row.kind,
        row.disclosed_at.isoformat(),
        _text(row.recipient),
        _text(row.party),
        row.purpose,
        "; ".join(row.categories),
        row.country,
        row.transfer,
        _text(row.legal_ground),
        _text(row.reference),
        _text("; ".join(row.records)),
        row.subjects,
        _text(row.approved_by),
        _text(row.recorded_by),
        row.policy_version,
        _text(row.override_by),
        _text(row.override_justification),
        "; ".join(code for code, _ in row.flags),
        _text("; ".join(f"{code}: {message}" for code, message in row.flags)),
        "" if row.confidential_until is None else row.confidential_until.isoformat(),
    ]


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
