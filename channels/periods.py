"""Reporting periods: months `YYYY-MM` and quarters `YYYY-Qn`. Pure functions, no I/O."""

from __future__ import annotations

import re
from datetime import date

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def is_month(text: str) -> bool:
    return bool(_MONTH.match(text))


def is_quarter(text: str) -> bool:
    return bool(_QUARTER.match(text))


def parse_month(text: str) -> tuple[int, int]:
    """`2026-11` -> (2026, 11); ValueError for anything else."""
    found = _MONTH.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a month (expected YYYY-MM, e.g. 2026-11)")
    return int(found.group(1)), int(found.group(2))


def parse_quarter(text: str) -> tuple[int, int]:
    found = _QUARTER.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not a quarter (expected YYYY-Qn, e.g. 2026-Q3)")
    return int(found.group(1)), int(found.group(2))


def month(year: int, number: int) -> str:
    return f"{year:04d}-{number:02d}"


def shift_month(period: str, by: int) -> str:
    year, number = parse_month(period)
    index = year * 12 + number - 1 + by
    return month(index // 12, index % 12 + 1)


def previous_month(period: str) -> str:
    return shift_month(period, -1)


def quarter_of(period: str) -> str:
    year, number = parse_month(period)
    return f"{year:04d}-Q{(number - 1) // 3 + 1}"


def months_of(quarter: str) -> list[str]:
    year, number = parse_quarter(quarter)
    return [month(year, 3 * (number - 1) + i) for i in (1, 2, 3)]


def shift_quarter(quarter: str, by: int) -> str:
    year, number = parse_quarter(quarter)
    index = year * 4 + number - 1 + by
    return f"{index // 4:04d}-Q{index % 4 + 1}"


def previous_quarter(quarter: str) -> str:
    return shift_quarter(quarter, -1)


def first_day(period: str) -> date:
    year, number = parse_month(period)
    return date(year, number, 1)


def report_deadline(period: str, *, day: int) -> date:
    """The day by which a month's report is due: `day` of the following month."""
    return first_day(shift_month(period, 1)).replace(day=day)


def month_of(day: date) -> str:
    return month(day.year, day.month)


def reporting_deadline(period: str, *, day: int, frequency: str) -> date:
    """When a month's report is due for a channel reporting `frequency`: monthly, by `day` of the next
    month; quarterly, by `day` of the month after the month's quarter (with its quarter's other months)."""
    if frequency == "quarterly":
        return report_deadline(months_of(quarter_of(period))[-1], day=day)
    return report_deadline(period, day=day)


def months_due(period: str, *, frequency: str) -> list[str]:
    """The months whose reports fall due with `period`'s deadline: itself for a monthly reporter; for a
    quarterly one, its quarter's months when `period` closes the quarter, else none."""
    if frequency != "quarterly":
        return [period]
    quarter = months_of(quarter_of(period))
    return quarter if period == quarter[-1] else []
