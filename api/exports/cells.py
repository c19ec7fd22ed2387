"""Cell values for spreadsheets: local times, JSON as text, and formulas made harmless.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel
and LibreOffice (CSV injection); as OWASP recommends, such a cell gets a leading `'`, which shows
the text as typed. Numbers, dates and booleans are never text, so a negative number stays a number.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from workflows.services.tabular import Column

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored (UTC) time as a naive local time: spreadsheets have no time zones."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def typed(column: Column, value: Any, zone: ZoneInfo) -> Any:
    """The value as a spreadsheet should hold it: None, int, float, bool, datetime, date or str."""
    if value is None:
        return None
    if column.kind == "datetime" and isinstance(value, datetime):
        return local(value, zone)
    if column.kind in ("date", "datetime") and isinstance(value, date):
        return value
    if column.kind == "int" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if column.kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if column.kind == "bool":
        return bool(value)
    if column.kind == "json" or isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return guarded(str(value))
