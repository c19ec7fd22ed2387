"""Cell values for spreadsheets: local times, JSON as text, and formulas made harmless.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel
and LibreOffice (CSV injection); as OWASP recommends, such a cell gets a leading `'`, which shows
the text as typed. Numbers, dates and booleans are never text, so a negative number stays a number.
`converter(column, zone)` is built once per column, so a million rows pay no per-cell dispatch.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from workflows.services.tabular import Column

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Convert = Callable[[Any], Any]


def guarded(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return guarded(value if isinstance(value, str) else str(value))


def _json(value: Any) -> Any:
    if value is None:
        return None
    return guarded(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _number(kind: type[int] | type[float]) -> Convert:
    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return kind(value)
        return _text(value)

    return convert


def _moment(zone: ZoneInfo) -> Convert:
    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo is not None else value
        if value is None or isinstance(value, date):
            return value
        return _text(value)

    return convert


def _bool(value: Any) -> Any:
    return None if value is None else bool(value)


def converter(column: Column, zone: ZoneInfo) -> Convert:
    """How a value of `column` becomes a cell: None, int, float, bool, naive local datetime, date or str."""
    if column.kind in ("datetime", "date"):
        return _moment(zone)
    if column.kind == "int":
        return _number(int)
    if column.kind == "float":
        return _number(float)
    if column.kind == "bool":
        return _bool
    if column.kind == "json":
        return _json
    return _text


def typed(column: Column, value: Any, zone: ZoneInfo) -> Any:
    """One value as a spreadsheet should hold it (see `converter`)."""
    return converter(column, zone)(value)
