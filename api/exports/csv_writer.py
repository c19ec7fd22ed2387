"""CSV for Excel: UTF-8 with a BOM (so Chinese text opens right), CRLF line ends, written in chunks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from api.exports.cells import converter
from workflows.services.tabular import Table

BOM = "\ufeff"
CHUNK = 64 * 1024


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # what Excel reads as a boolean
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")  # local time, which Excel reads as a date
    return value


def csv_chunks(table: Table, *, headers: Sequence[str], zone: ZoneInfo) -> Iterator[bytes]:
    """The file as byte chunks of about 64 KiB: the header row first, one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(headers)
    cells = [converter(column, zone) for column in table.columns]
    moments = {n for n, column in enumerate(table.columns) if column.kind in ("datetime", "bool")}
    try:
        for row in table.rows:
            values = [convert(value) for convert, value in zip(cells, row, strict=True)]
            for n in moments:
                values[n] = _plain(values[n])
            writer.writerow(values)
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    finally:
        close = getattr(table.rows, "close", None)
        if close is not None:
            close()
    yield buffer.getvalue().encode("utf-8")
