"""The working timeline agrees with the business calendar, over holidays and make-up days; percentiles."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from workflows.adapters.calendar import BusinessCalendar
from workflows.services.worktime import WorkingTimeline, percentile, spread

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def timeline() -> WorkingTimeline:
    return WorkingTimeline(BusinessCalendar(), first=at(9, 1, 0), last=at(12, 31, 0))


def test_national_day_does_not_count_and_the_make_up_saturday_does(timeline: WorkingTimeline) -> None:
    # Wednesday 09-30 17:00 to Thursday 10-08 10:00: 1 h, then 10-01..10-07 off, then 1 h
    assert timeline.between(at(9, 30, 17), at(10, 8, 10)) == 2 * 3600
    # Friday 10-09 17:00 to Monday 10-12 10:00: 1 h + 8 h on Saturday 10-10 (a make-up day) + 1 h
    assert timeline.between(at(10, 9, 17), at(10, 12, 10)) == 10 * 3600


def test_the_lunch_hour_and_the_night_do_not_count(timeline: WorkingTimeline) -> None:
    assert timeline.between(at(11, 2, 11), at(11, 2, 14)) == 2 * 3600
    assert timeline.between(at(11, 2, 17, 30), at(11, 3, 9, 30)) == 3600
    assert timeline.between(at(11, 3, 10), at(11, 3, 9)) == 0


def test_it_agrees_with_the_calendar_on_many_spans(timeline: WorkingTimeline) -> None:
    calendar = BusinessCalendar()
    start = at(9, 3, 7, 13)
    for n in range(400):
        begin = start + timedelta(minutes=397 * n)
        end = begin + timedelta(minutes=(n * 733) % 20000)
        assert timeline.between(begin, end) == calendar.working_time_between(begin, end).total_seconds()


def test_percentiles_interpolate_between_the_closest_ranks() -> None:
    assert percentile([2.0, 2.0, 2.0, 9.0, 33.0], 0.9) == pytest.approx(23.4)
    assert percentile([3.0, 9.0], 0.5) == 6.0
    assert percentile([], 0.5) is None
    assert spread([9 * 3600.0, 3 * 3600.0]) == (6.0, 8.4)


def test_many_moments_at_once_give_what_each_gives_alone(timeline: WorkingTimeline) -> None:
    moments = [at(8, 20, 9), at(9, 30, 17), at(10, 3, 12), at(10, 10, 12, 30), at(11, 2, 12, 15),
               at(11, 2, 13, 45), at(12, 31, 23, 59), at(12, 31, 23, 59) + timedelta(days=3)]
    seconds = np.array([m.timestamp() for m in moments])
    assert timeline.at_epochs(seconds).tolist() == [timeline.at(m) for m in moments]
    assert timeline.at_epochs(seconds)[0] == 0.0  # before the range
