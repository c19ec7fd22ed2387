"""Which days are working days: public holidays, make-up days (调休), company entries, data coverage.

Dates checked against holidays 0.109 (`holidays.China(years=...)`) before being asserted here.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from workflows.adapters.calendar import BusinessCalendar, CalendarConfig

calendar = BusinessCalendar()


def test_sunday_2026_01_04_is_a_make_up_working_day_after_new_year() -> None:
    assert calendar.is_working_day(date(2026, 1, 4))
    assert not calendar.is_working_day(date(2026, 1, 1))
    assert not calendar.is_working_day(date(2026, 1, 2))  # day off moved from Sunday 4 January
    assert calendar.next_working_day(date(2026, 1, 1)) == date(2026, 1, 4)


def test_spring_festival_2026_is_off_from_15_to_23_february_with_make_up_saturdays() -> None:
    off = [date(2026, 2, d) for d in range(15, 24)]
    assert not any(calendar.is_working_day(day) for day in off)
    assert calendar.is_working_day(date(2026, 2, 14))
    assert calendar.is_working_day(date(2026, 2, 28))
    assert calendar.next_working_day(date(2026, 2, 15)) == date(2026, 2, 24)


def test_national_day_2026_is_off_from_1_to_7_october_with_make_up_sunday_and_saturday() -> None:
    off = [date(2026, 10, d) for d in range(1, 8)]
    assert not any(calendar.is_working_day(day) for day in off)
    assert calendar.is_working_day(date(2026, 9, 20))
    assert calendar.is_working_day(date(2026, 10, 10))
    assert not calendar.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert calendar.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)


def test_ordinary_weekdays_work_and_weekends_rest() -> None:
    assert calendar.is_working_day(date(2026, 11, 23))  # Monday
    assert not calendar.is_working_day(date(2026, 11, 28))  # Saturday
    assert calendar.next_working_day(date(2026, 11, 23)) == date(2026, 11, 23)
    assert calendar.next_working_day(date(2026, 11, 28)) == date(2026, 11, 30)


def test_extra_holidays_and_workdays_override_the_public_schedule() -> None:
    company = BusinessCalendar(
        CalendarConfig(
            extra_holidays=frozenset({date(2026, 11, 23), date(2026, 10, 10)}),  # Monday, make-up Saturday
            extra_workdays=frozenset({date(2026, 11, 28), date(2026, 10, 5)}),  # Saturday, National Day
        )
    )
    assert not company.is_working_day(date(2026, 11, 23))
    assert not company.is_working_day(date(2026, 10, 10))
    assert company.is_working_day(date(2026, 11, 28))
    assert company.is_working_day(date(2026, 10, 5))
    assert company.next_working_day(date(2026, 10, 1)) == date(2026, 10, 5)


def test_a_day_that_is_both_an_extra_holiday_and_an_extra_workday_is_a_day_off() -> None:
    both = frozenset({date(2026, 11, 24)})
    company = BusinessCalendar(CalendarConfig(extra_holidays=both, extra_workdays=both))
    assert not company.is_working_day(date(2026, 11, 24))


def test_a_year_with_an_official_schedule_has_no_coverage_warning() -> None:
    assert calendar.coverage_warning(2025) is None
    assert calendar.coverage_warning(2026) is None


def test_a_year_without_an_official_schedule_is_warned_about_and_still_counted() -> None:
    warning = calendar.coverage_warning(2031)
    assert warning is not None and "2031" in warning and "make-up" in warning
    # Fallback: weekends plus the holidays the library computes by rule.
    assert not calendar.is_working_day(date(2031, 1, 1))  # New Year's Day, Wednesday
    assert not calendar.is_working_day(date(2031, 10, 1))  # National Day, Wednesday
    assert calendar.is_working_day(date(2031, 3, 3))  # an ordinary Monday


def test_make_up_days_entered_by_an_admin_count_in_an_uncovered_year() -> None:
    admin = BusinessCalendar(CalendarConfig(extra_workdays=frozenset({date(2031, 10, 4)})))  # a Saturday
    assert not calendar.is_working_day(date(2031, 10, 4))
    assert admin.is_working_day(date(2031, 10, 4))


def test_a_year_outside_the_holiday_data_is_warned_about() -> None:
    warning = calendar.coverage_warning(2101)
    assert warning is not None and "2101" in warning
    assert calendar.is_working_day(date(2101, 1, 3))  # a Monday: only weekends are known


def test_invalid_configurations_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        CalendarConfig(periods=())
    with pytest.raises(ValueError, match="must end after"):
        CalendarConfig(periods=((time(18), time(9)),))
    with pytest.raises(ValueError, match="overlap"):
        CalendarConfig(periods=((time(9), time(13)), (time(12), time(18))))
    with pytest.raises(ValueError, match="weekdays"):
        CalendarConfig(weekdays=frozenset({7}))
