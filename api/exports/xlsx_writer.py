"""XLSX through openpyxl's write-only mode: rows go to a temporary file on disk as they are read,
then the finished workbook (also on disk) is sent in chunks. Memory stays flat for any row count;
the first byte leaves once the last row is written (a zip's directory comes at its end).
A sheet holds at most 1,048,576 rows; longer exports go on in further sheets (`title 2`, ...).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from api.exports.cells import typed
from workflows.services.tabular import Table

CHUNK = 64 * 1024
SHEET_ROWS = 1_048_576  # Excel's limit, the header row included
SPOOL = 8 * 1024 * 1024  # a workbook up to this size stays in memory


def _clean(value: Any) -> Any:
    """Strings without the control characters XML cannot hold (openpyxl would refuse them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _sheet(book: Workbook, title: str, number: int, headers: Sequence[str]) -> WriteOnlyWorksheet:
    name = (title if number == 1 else f"{title} {number}")[:31]
    sheet: WriteOnlyWorksheet = book.create_sheet(title=name)
    bold = Font(bold=True)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


def xlsx_chunks(table: Table, *, headers: Sequence[str], zone: ZoneInfo, title: str) -> Iterator[bytes]:
    """The workbook as byte chunks of 64 KiB."""
    book = Workbook(write_only=True)
    title = "".join(ch for ch in title if ch not in "[]:*?/\\") or "export"
    sheets, written = 1, 1
    sheet = _sheet(book, title, sheets, headers)
    columns = table.columns
    try:
        for row in table.rows:
            if written >= SHEET_ROWS:
                sheets, written = sheets + 1, 1
                sheet = _sheet(book, title, sheets, headers)
            sheet.append([_clean(typed(column, value, zone)) for column, value in zip(columns, row, strict=True)])
            written += 1
    finally:
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL) as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk
