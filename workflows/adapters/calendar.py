"""Business calendar: working hours on working days, with public holidays and make-up days (调休).

Public holidays and the Chinese make-up working days come from the `holidays` package. For a
year the package has no official schedule for yet, `coverage_warning` says so; the calendar
then counts weekends and the fixed-date holidays the package still knows, and an admin can
enter the State Council's schedule as company entries (`extra_holidays` / `extra_workdays`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

Interval = tuple[datetime, datetime]
MAX_DAYS = 3660


@dataclass(frozen=True)
class CalendarConfig:
    timezone: str = "Asia/Shanghai"
    periods: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13), time(18)))
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)
    country: str = "CN"


class BusinessCalendar:
    """Working-time arithmetic. Thread-safe for reading; caches are filled idempotently."""

    def __init__(self, config: CalendarConfig | None = None) -> None:
        self.config = config or CalendarConfig()
        self._zone = ZoneInfo(self.config.timezone)
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        self._days: dict[date, tuple[Interval, ...]] = {}
        self._day_length = sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start) for start, end in self.config.periods),
            timedelta(0),
        )
        if self._day_length <= timedelta(0):
            raise ValueError("a working day needs at least one working period")

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        found = self._years.get(year)
        if found is None:
            data = holidays.country_holidays(self.config.country, years=year)
            days_off = frozenset(d for d in data if d.year == year)
            workdays = frozenset(d for d in getattr(data, "weekend_workdays", ()) if d.year == year)
            found = self._years[year] = (days_off, workdays)
        return found

    def is_working_day(self, day: date) -> bool:
        """True on a working day: company entries first, then public holidays and make-up days."""
        if day in self.config.extra_holidays:
            return False
        if day in self.config.extra_workdays:
            return True
        days_off, workdays = self._year(day.year)
        if day in workdays:
            return True
        return day not in days_off and day.weekday() in self.config.weekdays

    def next_working_day(self, day: date) -> date:
        """The first working day on or after `day`."""
        for offset in range(MAX_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_DAYS} days of {day}")

    def working_day_length(self) -> timedelta:
        return self._day_length

    def coverage_warning(self, year: int) -> str | None:
        """A message when the holiday source has no make-up-day schedule for `year`, else None."""
        if self._year(year)[1] or self.config.country != "CN":
            return None
        return (f"no official holiday schedule for {year} in the holidays data: weekends and fixed-date holidays "
                f"are used; enter the published schedule as company calendar entries")

    def _intervals(self, day: date) -> tuple[Interval, ...]:
        found = self._days.get(day)
        if found is None:
            if self.is_working_day(day):
                found = tuple(
                    (datetime.combine(day, start, self._zone).astimezone(UTC),
                     datetime.combine(day, end, self._zone).astimezone(UTC))
                    for start, end in self.config.periods
                )
            else:
                found = ()
            self._days[day] = found
        return found

    def _local_day(self, moment: datetime) -> date:
        if moment.tzinfo is None:
            raise ValueError("business calendar needs timezone-aware datetimes")
        return moment.astimezone(self._zone).date()

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment when `amount` of working time has passed after `start` (UTC).

        Raises:
            ValueError: `start` is naive or `amount` is negative.
        """
        day = self._local_day(start)
        if amount < timedelta(0):
            raise ValueError("working time to add must not be negative")
        moment = start.astimezone(UTC)
        if amount == timedelta(0):
            return moment
        remaining = amount
        for _ in range(MAX_DAYS):
            for begin, end in self._intervals(day):
                if end <= moment:
                    continue
                begin = max(begin, moment)
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        raise ValueError(f"{amount} of working time does not fit in {MAX_DAYS} days")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        return self.add_working_time(start, days * self._day_length)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); zero when end is not after start."""
        first, last = self._local_day(start), self._local_day(end)
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        day = first
        while day <= last:
            for begin, finish in self._intervals(day):
                overlap = min(finish, end) - max(begin, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total
