"""Business calendar: working hours on working days, with public holidays and make-up days (调休).

Holidays and make-up working days come from the `holidays` package, loaded lazily per year. For a
year it has no official schedule for, `coverage_warning` says so and an admin enters the published
schedule as company entries (`extra_holidays` / `extra_workdays`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays

MAX_IDLE_DAYS = 3660  # consecutive days without working time after which a computation gives up

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
# Countries that publish days off and make-up working days yearly: a year without any make-up day
# in the data means that year's schedule is missing.
_YEARLY_SCHEDULE_COUNTRIES = frozenset({"CN", "CHN"})
_Interval = tuple[datetime, datetime]


class _Year(NamedTuple):
    days_off: frozenset[date]
    make_up_days: frozenset[date]
    supported: bool


class _Day(NamedTuple):
    intervals: tuple[_Interval, ...]  # UTC, in order
    total: timedelta


@dataclass(frozen=True)
class CalendarConfig:
    """What counts as working time.

    Attributes:
        timezone: IANA time zone the periods and dates are read in.
        periods: Working periods of a working day, local wall-clock times, in order, not overlapping.
        weekdays: Regular working weekdays (0 = Monday … 6 = Sunday).
        extra_holidays: Company-specific days off; they win over everything else.
        extra_workdays: Company-specific working days, e.g. make-up days an admin enters for a
            year the holiday data does not cover yet.
        country: Country code for the `holidays` package.

    Raises:
        ValueError: No periods, a period that does not end after it starts, periods out of order
            or overlapping, or a weekday outside 0..6.
    """

    timezone: str = "Asia/Shanghai"
    periods: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13), time(18)))
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    country: str = "CN"

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("a working day needs at least one working period")
        previous_end: time | None = None
        for start, end in self.periods:
            if start >= end:
                raise ValueError(f"working period {start}-{end} must end after it starts, on the same day")
            if previous_end is not None and start < previous_end:
                raise ValueError("working periods must be in order and must not overlap")
            previous_end = end
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")


def _aware(moment: datetime, name: str) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"business calendar needs timezone-aware datetimes, got a naive {name}")
    return moment


class BusinessCalendar:
    """Working-time arithmetic for SLA clocks and due dates.

    Holiday data is loaded once per year and working intervals once per day, both cached on the
    instance; filling the caches is idempotent, so sharing one instance between threads is safe.
    """

    def __init__(self, config: CalendarConfig | None = None) -> None:
        """Builds a calendar (holiday data loads later, per year); `config` defaults to `CalendarConfig()`."""
        self.config = config if config is not None else CalendarConfig()
        self._zone = ZoneInfo(self.config.timezone)
        self._day_length = sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start) for start, end in self.config.periods),
            _ZERO,
        )
        self._years: dict[int, _Year] = {}
        self._days: dict[date, _Day] = {}

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            data = holidays.country_holidays(self.config.country, years=year)
            found = self._years[year] = _Year(
                days_off=frozenset(day for day in data if day.year == year),
                # weekend_workdays also holds a few make-up days of other years: keep this year's.
                make_up_days=frozenset(day for day in data.weekend_workdays if day.year == year),
                supported=data.start_year <= year <= data.end_year,
            )
        return found

    def _day(self, day: date) -> _Day:
        found = self._days.get(day)
        if found is None:
            if self.is_working_day(day):
                zone = self._zone
                intervals = tuple(
                    (datetime.combine(day, a, zone).astimezone(UTC), datetime.combine(day, b, zone).astimezone(UTC))
                    for a, b in self.config.periods
                )
                found = _Day(intervals, sum((end - begin for begin, end in intervals), _ZERO))
            else:
                found = _Day((), _ZERO)
            self._days[day] = found
        return found

    def is_working_day(self, day: date) -> bool:
        """Whether the local date `day` is a working day.

        Company entries decide first (a day in both lists is a day off), then the public make-up
        working days, the public holidays and the regular weekdays.
        """
        if day in self.config.extra_holidays:
            return False
        if day in self.config.extra_workdays:
            return True
        year = self._year(day.year)
        if day in year.make_up_days:
            return True
        return day.weekday() in self.config.weekdays and day not in year.days_off

    def next_working_day(self, day: date) -> date:
        """The first working day on or after the local date `day`.

        Raises:
            ValueError: No working day within `MAX_IDLE_DAYS` days.
        """
        for offset in range(MAX_IDLE_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_IDLE_DAYS} days of {day}")

    def working_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working periods of the local date `day` as UTC (start, end) pairs, in order; () on a day off."""
        return self._day(day).intervals

    def working_day_length(self) -> timedelta:
        """The working time of one working day: the sum of the configured periods (8h by default)."""
        return self._day_length

    def coverage_warning(self, year: int) -> str | None:
        """Says when the holiday data has nothing (or no official schedule) for `year`.

        Args:
            year: The calendar year to check.

        Returns:
            A message for an admin, or None when the data covers the year.
        """
        data, country = self._year(year), self.config.country
        if not data.supported:
            missing, used = "holiday data", "only weekends are used"
        elif country.upper() in _YEARLY_SCHEDULE_COUNTRIES and not data.make_up_days:
            missing = "official holiday schedule (make-up working days)"
            used = "weekends and the holidays it computes by rule are used"
        else:
            return None
        return (
            f"the holidays package has no {country} {missing} for {year}: {used}; "
            f"enter the published days off and make-up working days as company calendar entries"
        )

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment at which `amount` of working time has passed since `start`.

        A start outside working time begins at the next working period; an amount that exactly
        uses up a period ends at that period's end, not at the start of the next one.

        Args:
            start: A timezone-aware moment.
            amount: Working time to add, zero or more.

        Returns:
            The end moment in UTC (`start` itself, in UTC, for a zero amount).

        Raises:
            ValueError: `start` is naive, `amount` is negative, or no working time for
                `MAX_IDLE_DAYS` days in a row.
        """
        moment = _aware(start, "start").astimezone(UTC)
        if amount <= _ZERO:
            if amount < _ZERO:
                raise ValueError("working time to add must not be negative")
            return moment
        day = start.astimezone(self._zone).date()
        remaining = amount
        idle = 0
        while True:
            intervals, total = self._day(day)
            if not total:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise ValueError(f"no working time within {MAX_IDLE_DAYS} days")
            elif remaining > total and intervals[0][0] >= moment:
                idle = 0
                remaining -= total  # a whole working day ahead of the start
            else:
                idle = 0
                for begin, end in intervals:
                    if end <= moment:
                        continue
                    if begin < moment:
                        begin = moment
                    available = end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += _ONE_DAY

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """`add_working_time(start, days * working_day_length())`: the end moment in UTC.

        Raises:
            ValueError: `start` is naive or `days` is negative.
        """
        return self.add_working_time(start, days * self._day_length)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time inside [start, end).

        Args:
            start: A timezone-aware moment.
            end: A timezone-aware moment.

        Returns:
            The working time between the two, zero when `end` is not after `start`.

        Raises:
            ValueError: `start` or `end` is naive.
        """
        start, end = _aware(start, "start").astimezone(UTC), _aware(end, "end").astimezone(UTC)
        if end <= start:
            return _ZERO
        day = start.astimezone(self._zone).date()
        last = end.astimezone(self._zone).date()
        total = _ZERO
        while day <= last:
            intervals, day_total = self._day(day)
            if day_total:
                if intervals[0][0] >= start and intervals[-1][1] <= end:
                    total += day_total
                else:
                    for begin, finish in intervals:
                        overlap = min(finish, end) - max(begin, start)
                        if overlap > _ZERO:
                            total += overlap
            day += _ONE_DAY
        return total
