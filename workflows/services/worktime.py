"""Working time for many moments at once, and percentiles: what the reports compute in Python.

`BusinessCalendar.working_time_between` walks the days between two moments; a report that measures
tens of thousands of spans would walk the same days again and again. `WorkingTimeline` walks them
once: it lays the working periods of a range of days end to end and answers "working seconds since
the range began" for any moment with one binary search, so a span is the difference of two answers.
The calendar stays the one authority on what counts as working time (its `working_intervals`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from workflows.adapters.calendar import BusinessCalendar

Floats = npt.NDArray[np.float64]

MAX_DAYS = 40 * 366  # a longer timeline is refused: no report spans it
_DAY = timedelta(days=1)


class WorkingTimeline:
    """Working seconds elapsed at any moment of [first, last] (dates in the calendar's zone).

    Moments before the range count 0, moments after it count the whole range.
    """

    def __init__(self, calendar: BusinessCalendar, *, first: datetime, last: datetime) -> None:
        """Raises ValueError when the range is longer than `MAX_DAYS` days or a moment is naive."""
        local = ZoneInfo(calendar.config.timezone)
        day, end = first.astimezone(local).date(), last.astimezone(local).date()
        if (end - day).days > MAX_DAYS:
            raise ValueError(f"a working timeline covers at most {MAX_DAYS} days")
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._before: list[float] = []  # working seconds before each period starts
        total = 0.0
        while day <= end:
            for begin, finish in calendar.working_intervals(day):
                self._starts.append(begin.timestamp())
                self._ends.append(finish.timestamp())
                self._before.append(total)
                total += finish.timestamp() - begin.timestamp()
            day += _DAY

    def at(self, moment: datetime) -> float:
        """Working seconds from the start of the range up to `moment` (aware)."""
        return self.at_epoch(moment.timestamp())

    def at_epoch(self, seconds: float) -> float:
        index = bisect_right(self._starts, seconds) - 1
        if index < 0:
            return 0.0
        return self._before[index] + min(seconds, self._ends[index]) - self._starts[index]

    def at_epochs(self, seconds: Floats) -> Floats:
        """`at_epoch` of many moments at once (one vectorised binary search)."""
        starts, ends, before = (np.asarray(v, dtype=np.float64) for v in (self._starts, self._ends, self._before))
        index = np.searchsorted(starts, seconds, side="right") - 1
        inside = np.maximum(index, 0)
        found: Floats = np.where(index < 0, 0.0, before[inside] + np.minimum(seconds, ends[inside]) - starts[inside]) \
            if len(starts) else np.zeros_like(seconds)
        return found

    def between(self, start: datetime, end: datetime) -> float:
        """Working seconds in [start, end); 0 when `end` is not after `start`."""
        return max(self.at(end) - self.at(start), 0.0)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile of `values` by linear interpolation between the closest ranks
    (PostgreSQL's `percentile_cont`, numpy's default); None for no values. `values` must be sorted."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def hours(seconds: float | None) -> float | None:
    """Seconds as hours rounded to 0.01 (what the reports show); None stays None."""
    return None if seconds is None else round(seconds / 3600, 2)


def spread(seconds: list[float]) -> tuple[float | None, float | None]:
    """(p50, p90) of `seconds`, in hours rounded to 0.01; sorts `seconds` in place."""
    seconds.sort()
    return hours(percentile(seconds, 0.5)), hours(percentile(seconds, 0.9))
