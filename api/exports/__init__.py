"""Exports as HTTP responses: any `Table` as CSV (UTF-8 with a BOM) or XLSX, streamed.

`respond(table, format=..., locale=..., timezone=..., today=...)` is the one line a route or a view
needs; headers come from the catalogs in the caller's language, times in the configured time zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from starlette.responses import StreamingResponse

from api.exports.csv_writer import csv_chunks
from api.exports.xlsx_writer import xlsx_chunks
from api.ui import i18n
from workflows.services.tabular import Table

Format = Literal["csv", "xlsx"]
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
TITLES = {"channels": "Channels", "kpis": "KPI rows", "cards": "Card history", "tasks": "Tasks",
          "instances": "Instances", "audit": "Audit trail", "sla": "SLA attainment"}


def filename(table: Table, *, format: Format, today: date) -> str:
    return f"channelops-{table.name}-{today.isoformat()}.{format}"


def chunks(table: Table, *, format: Format, locale: str, timezone: str) -> Iterator[bytes]:
    gettext = i18n.translations(locale).gettext
    headers = [gettext(column.title) for column in table.columns]
    zone = ZoneInfo(timezone)
    if format == "csv":
        return csv_chunks(table, headers=headers, zone=zone)
    return xlsx_chunks(table, headers=headers, zone=zone, title=gettext(TITLES.get(table.name, table.name)))


def respond(table: Table, *, format: Format, locale: str, timezone: str, today: date) -> StreamingResponse:
    """A streamed download of `table` (`attachment; filename="channelops-<name>-<today>.<format>"`)."""
    disposition = f'attachment; filename="{filename(table, format=format, today=today)}"'
    return StreamingResponse(chunks(table, format=format, locale=locale, timezone=timezone),
                             media_type=MEDIA_TYPES[format],
                             headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})
