"""The DPO's report of the disclosure register over a period, as HTML and PDF.

The report lists every disclosure made in the period (confidential law-enforcement ones
too, marked: the report is for the DPO, not the subject), sums them up by recipient, kind
and transfer basis, lists the overrides of refusals, and shows what the register of
recipients asks the DPO to look at on the day it is made. `placet.operations` fills the
`DisclosureReport` from the register; this module only lays it out, in English.
Imports nothing outside the standard library and the notice's own rendering (Jinja2,
WeasyPrint).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import Markup

from placet.notices.notice import css_counter, pdf_from_html, template_environment

__all__ = [
    "DisclosureReport",
    "DisclosureRow",
    "RegisterFlagRow",
    "ReportTotal",
    "render_disclosure_report_html",
    "write_disclosure_report_pdf",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DisclosureRow:
    """One disclosure of the period, as the report shows it."""

    disclosure_id: str
    kind: str
    disclosed_at: datetime
    recipient: str
    """The policy's id of the recipient; '' for a transfer inherent to the service."""
    party: str
    """The actual company or body; '' when none was named."""
    purpose: str
    categories: tuple[str, ...]
    country: str
    """ISO 3166 code; '' when the data stayed in the controller's country."""
    transfer: str
    """The chapter V ground it left on (`none`, `within-eea`, a safeguard, `not-covered`)."""
    legal_ground: str
    reference: str
    subjects: int
    approved_by: str
    recorded_by: str
    policy_version: str
    records: tuple[str, ...]
    """What was handed over when not whole categories (a debt assignment's invoices)."""
    override_by: str
    """The DPO who recorded it despite a refusal; '' when the policy allowed it."""
    override_justification: str
    flags: tuple[tuple[str, str], ...]
    """Every refusal a DPO overrode and every flag, as (code, message)."""
    confidential_until: datetime | None
    """Until when the law keeps it from the subject's access answer; None: never."""

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_by)

    @property
    def to_whom(self) -> str:
        """`contractors (CallCo L.L.C.)`, or the party alone when there is no recipient id."""
        if self.recipient and self.party:
            return f"{self.recipient} ({self.party})"
        return self.recipient or self.party


@dataclass(frozen=True, slots=True)
class ReportTotal:
    """Disclosures and subjects under one heading of a summary.

    `subjects` adds up each disclosure's subjects: a subject in two disclosures counts twice.
    """

    key: str
    disclosures: int
    subjects: int


@dataclass(frozen=True, slots=True)
class RegisterFlagRow:
    """What the register of recipients asks the DPO to look at, on the report's day."""

    recipient: str
    flag: str
    about: str


@dataclass(frozen=True, slots=True)
class DisclosureReport:
    """The register over [since, before), and its recipients' flags at `at`."""

    controller: str
    policy_id: str
    policy_version: str
    since: datetime
    before: datetime
    at: datetime
    rows: tuple[DisclosureRow, ...]
    by_recipient: tuple[ReportTotal, ...]
    by_kind: tuple[ReportTotal, ...]
    by_transfer: tuple[ReportTotal, ...]
    register_flags: tuple[RegisterFlagRow, ...]

    @property
    def overrides(self) -> tuple[DisclosureRow, ...]:
        return tuple(row for row in self.rows if row.is_overridden)

    @property
    def subjects(self) -> int:
        return sum(row.subjects for row in self.rows)

    @property
    def confidential(self) -> int:
        return sum(row.confidential_until is not None for row in self.rows)


@dataclass(frozen=True, slots=True)
class _Layout:
    report: DisclosureReport
    rows: tuple[DisclosureRow, ...]
    left_out: int
    title: str
    period: str
    page_counter: Markup


def render_disclosure_report_html(report: DisclosureReport) -> str:
    """The report as one self-contained HTML page."""
    return _render(report, limit=None)


def write_disclosure_report_pdf(
    report: DisclosureReport, path: Path, *, max_rows: int = 5000
) -> int:
    """Print the report as a PDF at `path`; the disclosures it lists.

    WeasyPrint lays the whole document out in memory, so the list stops after `max_rows`
    disclosures and says how many more the CSV has; the summaries count them all. Needs
    the `pdf` extra.
    """
    html = _render(report, limit=max(max_rows, 0))
    Path(path).write_bytes(pdf_from_html(html))
    shown = min(len(report.rows), max(max_rows, 0))
    log.info("disclosure report printed", extra={"disclosures": shown})
    return shown


def _render(report: DisclosureReport, limit: int | None) -> str:
    rows = report.rows if limit is None else report.rows[:limit]
    title = f"Disclosure register report – {report.controller}"
    period = f"{_day(report.since)} to {_day(report.before)} (the last day excluded)"
    layout = _Layout(
        report=report,
        rows=rows,
        left_out=len(report.rows) - len(rows),
        title=title,
        period=period,
        page_counter=css_counter(f"{title} · page {{page}} of {{pages}}"),
    )
    template = template_environment().get_template("disclosure-report.html")
    return template.render(layout=layout, instant=_instant, day=_day)


def _day(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d}" if at.tzinfo else f"{at:%Y-%m-%d}"


def _instant(at: datetime | None) -> str:
    """`2025-07-01 10:30 UTC`; '' for none."""
    if at is None:
        return ""
    utc = at.astimezone(UTC) if at.tzinfo else at
    return f"{utc:%Y-%m-%d %H:%M} UTC"
