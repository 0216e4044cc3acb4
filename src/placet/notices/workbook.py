"""Write the record of processing to an XLSX workbook: a sheet of entries, a `Controller`
sheet, and any further titled sheets (the register's recipients and transfers).

Imports openpyxl and nothing from Placet; `placet.notices.ropa` hands it rows of text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["ENTRIES_SHEET", "TitledSheet", "write_workbook"]

ENTRIES_SHEET = "Processing activities"
CONTROLLER_SHEET = "Controller"
_MIN_WIDTH = 12
_MAX_SHEET_NAME = 31
"""The longest sheet name Excel accepts."""
_MAX_WIDTH = 60


@dataclass(frozen=True, slots=True)
class TitledSheet:
    """A further sheet: `name` on its tab, `title` in its first row, then a header row."""

    name: str
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]


def write_workbook(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    controller: Sequence[tuple[str, str]],
    title: str,
    sheets: Sequence[TitledSheet] = (),
) -> bytes:
    """The XLSX bytes: a bold, frozen header row, wrapped text and widths fitted to the text."""
    book = Workbook()
    sheet = book.active
    sheet.title = ENTRIES_SHEET
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    _style(sheet, header_rows=1)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    details = book.create_sheet(CONTROLLER_SHEET)
    for label, value in controller:
        details.append([label, value])
    _style(details, header_rows=0)
    for cell in details["A"]:
        cell.font = Font(bold=True)

    for extra in sheets:
        sheet = book.create_sheet(extra.name[:_MAX_SHEET_NAME])
        sheet.append([extra.title])
        sheet.append(list(extra.headers))
        for row in extra.rows:
            sheet.append(list(row))
        _style(sheet, header_rows=2, fitted_from=2)
        sheet.freeze_panes = "A3"

    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _style(sheet: Worksheet, header_rows: int, fitted_from: int = 1) -> None:
    """Wrap every cell at the top, bold the header rows, and size columns to their longest
    line from row `fitted_from` on (a title row above it may run across columns)."""
    widths: dict[int, int] = {}
    for row_number, row in enumerate(sheet.iter_rows(), start=1):
        for cell in row:
            if row_number <= header_rows:
                cell.font = Font(bold=True)
            if row_number < fitted_from:
                continue
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            longest = max((len(line) for line in str(cell.value or "").splitlines()), default=0)
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
