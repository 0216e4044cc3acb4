"""Write the record of processing to an XLSX workbook: a sheet of entries and a `Controller` sheet.

Imports openpyxl and nothing from Placet; `placet.notices.ropa` hands it rows of text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["ENTRIES_SHEET", "write_workbook"]

ENTRIES_SHEET = "Processing activities"
CONTROLLER_SHEET = "Controller"
_MIN_WIDTH = 12
_MAX_WIDTH = 60


def write_workbook(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    controller: Sequence[tuple[str, str]],
    title: str,
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

    book.properties.title = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _style(sheet: Worksheet, header_rows: int) -> None:
    """Wrap every cell at the top, bold the header rows, and size columns to their longest line."""
    widths: dict[int, int] = {}
    for row_number, row in enumerate(sheet.iter_rows(), start=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if row_number <= header_rows:
                cell.font = Font(bold=True)
            longest = max((len(line) for line in str(cell.value or "").splitlines()), default=0)
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for column, width in widths.items():
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
