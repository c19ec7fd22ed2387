"""Working time on real Chinese dates: holidays, make-up working days (调休), lunch breaks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows.adapters.calendar import BusinessCalendar, CalendarConfig

SHANGHAI = ZoneInfo("Asia/Shanghai")
calendar = BusinessCalendar()


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_national_day_break_is_skipped_and_the_make_up_saturday_counts() -> None:
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 7))
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday, make-up working day
    # Wednesday 30 September 17:00 + 2 working hours: one hour that day, then the next working
    # day is Thursday 8 October 09:00 -> 10:00.
    assert calendar.add_working_time(at(2026, 9, 30, 17), timedelta(hours=2)) == at(2026, 10, 8, 10)


def test_spring_festival_break_is_skipped_and_its_make_up_saturday_counts() -> None:
    assert calendar.is_working_day(date(2026, 2, 14))  # Saturday, make-up working day
    assert not calendar.is_working_day(date(2026, 2, 17))  # Spring Festival
    assert calendar.next_working_day(date(2026, 2, 15)) == date(2026, 2, 24)


def test_a_make_up_sunday_is_a_working_day() -> None:
    assert calendar.is_working_day(date(2026, 1, 4))


def test_the_lunch_break_is_not_working_time() -> None:
    assert calendar.add_working_time(at(2026, 11, 23, 11), timedelta(hours=2)) == at(2026, 11, 23, 14)
    assert calendar.working_time_between(at(2026, 11, 23, 11), at(2026, 11, 23, 14)) == timedelta(hours=2)


def test_a_start_outside_working_hours_begins_at_the_next_working_period() -> None:
    assert calendar.add_working_time(at(2026, 11, 23, 7), timedelta(hours=1)) == at(2026, 11, 23, 10)
    assert calendar.add_working_time(at(2026, 11, 23, 12, 30), timedelta(minutes=30)) == at(2026, 11, 23, 13, 30)


def test_exactly_the_rest_of_a_period_ends_at_its_end() -> None:
    assert calendar.add_working_time(at(2026, 11, 23, 17), timedelta(hours=1)) == at(2026, 11, 23, 18)


def test_friday_evening_plus_one_hour_is_monday_morning() -> None:
    assert calendar.add_working_time(at(2026, 11, 27, 18), timedelta(hours=1)) == at(2026, 11, 30, 10)


def test_working_days_are_counted_as_whole_working_days() -> None:
    assert calendar.add_working_days(at(2026, 11, 23, 10), 3) == at(2026, 11, 26, 10)


def test_working_time_between_inverts_adding_working_time() -> None:
    starts = [at(2026, 9, 28, h) + timedelta(minutes=17 * h) for h in range(0, 24, 3)]
    amounts = [timedelta(minutes=m) for m in (1, 45, 180, 481, 2400, 7000)]
    for start in starts:
        for amount in amounts:
            end = calendar.add_working_time(start, amount)
            assert calendar.working_time_between(start, end) == amount


def test_company_entries_override_the_public_schedule() -> None:
    company = BusinessCalendar(CalendarConfig(extra_holidays=frozenset({date(2026, 11, 23)}),
                                              extra_workdays=frozenset({date(2026, 11, 22)})))
    assert not company.is_working_day(date(2026, 11, 23))
    assert company.is_working_day(date(2026, 11, 22))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_time(datetime(2026, 11, 23, 9), timedelta(hours=1))


def test_results_are_in_utc() -> None:
    assert calendar.add_working_time(at(2026, 11, 23, 9), timedelta(hours=1)).tzinfo == UTC


def test_a_year_with_an_official_schedule_has_no_coverage_warning() -> None:
    assert calendar.coverage_warning(2026) is None


def test_a_year_without_a_schedule_is_still_counted_and_warned_about() -> None:
    warning = calendar.coverage_warning(2031)
    assert warning is not None and "2031" in warning
    assert calendar.add_working_time(at(2031, 3, 3, 9), timedelta(hours=8)) == at(2031, 3, 3, 18)
