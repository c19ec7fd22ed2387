"""Reading KPI files: CSV (UTF-8 with or without BOM, or GBK) and XLSX, into raw rows with line numbers.

Headers may be the English column names or the Chinese ones Excel users write (see `COLUMNS`).
Nothing here touches the database; `channels.kpi_import` checks the values.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from workflows.domain.errors import InvalidInput, Problem

log = logging.getLogger(__name__)

# What a KPI is called where people read it (agendas, alarms), in zh and en.
TITLES: dict[str, tuple[str, str]] = {
    "sales_actual": ("销售额", "Sales"), "sales_target": ("销售目标", "Sales target"),
    "attainment": ("销售达成率", "Sales attainment"), "satisfaction": ("客户满意度", "Customer satisfaction"),
    "on_time_rate": ("准时履约率", "On-time fulfilment"), "return_rate": ("退货率", "Return rate"),
    "activity": ("活跃度", "Activity"),
}

COLUMNS: dict[str, tuple[str, ...]] = {
    "channel_code": ("channel_code", "code", "channel", "渠道编码", "渠道代码", "渠道编号"),
    "period": ("period", "month", "月份", "期间", "统计月份"),
    "sales_target": ("sales_target", "target", "销售目标", "目标销售额"),
    "sales_actual": ("sales_actual", "sales", "actual", "销售额", "实际销售额"),
    "satisfaction": ("satisfaction", "客户满意度", "满意度"),
    "on_time_rate": ("on_time_rate", "on_time", "订单履约及时率", "履约及时率"),
    "return_rate": ("return_rate", "退货率"),
    "activity": ("activity", "渠道活跃度", "活跃度"),
}
REQUIRED = ("channel_code", "period", "sales_actual")
RATES = ("on_time_rate", "return_rate")
MAX_ROWS = 500_000
_ALIASES = {alias.lower(): name for name, aliases in COLUMNS.items() for alias in aliases}


@dataclass(frozen=True)
class RawRow:
    """One data row as read: `line` is its line in the file (the header is line 1)."""

    line: int
    values: dict[str, Any]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK (GB18030, its superset); anything else is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("the file cannot be read", [Problem(
        "file", "wrong encoding: save it as CSV UTF-8 (with or without BOM) or GBK, or as XLSX")])


def is_xlsx(data: bytes, filename: str | None) -> bool:
    return data.startswith(b"PK\x03\x04") or (filename or "").lower().endswith((".xlsx", ".xlsm"))


def header_map(header: list[Any]) -> dict[int, str]:
    """Column index -> field name; a missing required column or a repeated one is an error."""
    found: dict[int, str] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        name = _ALIASES.get(str(cell or "").strip().lower())
        if name is None:
            continue
        if name in found.values():
            problems.append(Problem(name, f"column {name!r} appears twice", line=1))
        found[index] = name
    problems += [Problem(name, f"missing column {name!r} (or one of: {', '.join(COLUMNS[name][3:]) or name})",
                         line=1) for name in REQUIRED if name not in found.values()]
    if problems:
        raise InvalidInput("the file's header is not valid", problems)
    return found


def read_csv(data: bytes) -> Iterator[RawRow]:
    text = decode(data)
    try:
        sample = text[:4096]
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, None)
    if header is None:
        raise InvalidInput("the file is empty", [Problem("file", "no header row and no data")])
    columns = header_map(header)
    line = reader.line_num
    for cells in reader:
        line, start = reader.line_num, line + 1
        if "".join(cells).strip():
            yield RawRow(line=start, values={name: cells[i] if i < len(cells) else None
                                             for i, name in columns.items()})


def read_xlsx(data: bytes) -> Iterator[RawRow]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows()
        header = next(rows, None)
        if header is None:
            raise InvalidInput("the file is empty", [Problem("file", "the first sheet has no header row")])
        columns = header_map([cell.value for cell in header])
        for line, cells in enumerate(rows, start=2):
            values: dict[str, Any] = {}
            for index, name in columns.items():
                cell = cells[index] if index < len(cells) else None
                value = getattr(cell, "value", None)
                if name in RATES and isinstance(value, (int, float)) and "%" in str(
                        getattr(cell, "number_format", "")):
                    value = value * 100  # a cell shown as 95% holds 0.95
                values[name] = value
            if any(v not in (None, "") for v in values.values()):
                yield RawRow(line=line, values=values)
    finally:
        book.close()


def read_rows(data: bytes, *, filename: str | None = None) -> list[RawRow]:
    """Every data row of a CSV or XLSX file; refuses files with more than `MAX_ROWS` rows."""
    xlsx = is_xlsx(data, filename)
    rows: list[RawRow] = []
    try:
        for row in read_xlsx(data) if xlsx else read_csv(data):
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise InvalidInput("the file is too large", [Problem("file", f"more than {MAX_ROWS} rows: split it")])
    except InvalidInput:
        raise
    except csv.Error as exc:
        raise InvalidInput("the file cannot be read", [Problem("file", f"not valid CSV: {exc}",
                                                               line=len(rows) + 2)]) from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook; all mean the same to the user
        if not xlsx:
            raise
        log.info("unreadable XLSX upload: %r", exc)
        raise InvalidInput("the file cannot be read", [Problem("file", "not a readable XLSX workbook")]) from exc
    return rows


def number(value: Any) -> float | None:
    """A cell as a number: `1,234.5`, `¥1234`, `95%` and numeric cells; None when empty; ValueError if bad."""
    kind = type(value)
    if value is None:
        return None
    if kind is bool:
        raise ValueError(value)
    if kind is str:
        try:  # the common case first: a plain decimal
            result = float(value)
        except ValueError:
            text = value.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
            if not text:
                return None
            result = float(text.removesuffix("%").strip())
    elif isinstance(value, (int, float)):
        result = float(value)
    else:
        raise ValueError(value)
    if not math.isfinite(result):
        raise ValueError(value)
    return result


def month_text(value: Any) -> str | None:
    """`2026-11`, `2026/11`, `2026-1`, `2026年11月`, `202611` or a date cell -> `2026-11`; None if not a month."""
    if isinstance(value, (datetime, date)):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value or "").strip().replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    if len(text) == 6 and text.isdigit():
        text = f"{text[:4]}-{text[4:]}"
    parts = text.split("-")
    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit() and len(parts[0]) == 4:
        year, number = int(parts[0]), int(parts[1])
        rest_is_day = len(parts) == 2 or (len(parts) == 3 and parts[2].isdigit())
        if 1 <= number <= 12 and 1900 < year < 2200 and rest_is_day:
            return f"{year:04d}-{number:02d}"
    return None
