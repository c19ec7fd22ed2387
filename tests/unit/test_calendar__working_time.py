"""Working-time arithmetic on real Chinese dates (holidays 0.109 data, checked by hand against it).

2026 facts used here: Spring Festival days off Sun 02-15 … Mon 02-23, make-up Saturdays 02-14 and
02-28; Mid-Autumn Festival Fri 09-25; National Day days off Thu 10-01 … Wed 10-07, make-up Sun
09-20 and Sat 10-10; New Year days off Thu 01-01 … Sat 01-03, make-up Sun 01-04. Late November
2026 has no holidays (Mon 11-23, Fri 11-27, Sat 11-28, Mon 11-30).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows.adapters.calendar import BusinessCalendar, CalendarConfig

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)
calendar = BusinessCalendar()


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_national_day_break_is_skipped_and_make_up_saturday_counts() -> None:
    # Wed 30 Sep 17:00: one hour that day, the break, then Thu 8 Oct 09:00-10:00.
    assert calendar.add_working_time(at(2026, 9, 30, 17), 2 * HOUR) == at(2026, 10, 8, 10)
    # Fri 9 Oct 17:00: one hour that day, then the make-up Saturday 10 Oct.
    assert calendar.add_working_time(at(2026, 10, 9, 17), 2 * HOUR) == at(2026, 10, 10, 10)
    assert calendar.working_time_between(at(2026, 9, 30, 9), at(2026, 10, 10, 18)) == 4 * 8 * HOUR


def test_week_with_make_up_sunday_and_mid_autumn_friday_has_five_working_days() -> None:
    assert calendar.working_time_between(at(2026, 9, 20, 0), at(2026, 9, 27, 0)) == 5 * 8 * HOUR


def test_spring_festival_break_is_skipped_and_make_up_saturdays_count() -> None:
    assert calendar.add_working_time(at(2026, 2, 13, 17), 2 * HOUR) == at(2026, 2, 14, 10)
    assert calendar.add_working_time(at(2026, 2, 14, 17), 2 * HOUR) == at(2026, 2, 24, 10)
    assert calendar.add_working_days(at(2026, 2, 13, 10), 2) == at(2026, 2, 24, 10)
    assert calendar.working_time_between(at(2026, 2, 23, 0), at(2026, 3, 1, 0)) == 5 * 8 * HOUR  # Tue-Sat


def test_new_year_break_crosses_the_year_and_ends_on_make_up_sunday() -> None:
    assert calendar.add_working_time(at(2025, 12, 31, 17), 2 * HOUR) == at(2026, 1, 4, 10)


def test_lunch_break_is_not_working_time() -> None:
    assert calendar.add_working_time(at(2026, 11, 23, 11), 2 * HOUR) == at(2026, 11, 23, 14)
    assert calendar.working_time_between(at(2026, 11, 23, 11), at(2026, 11, 23, 14)) == 2 * HOUR
    assert calendar.working_time_between(at(2026, 11, 23, 12), at(2026, 11, 23, 13)) == timedelta(0)


def test_start_outside_working_hours_begins_at_next_working_period() -> None:
    assert calendar.add_working_time(at(2026, 11, 23, 7), HOUR) == at(2026, 11, 23, 10)
    assert calendar.add_working_time(at(2026, 11, 23, 12, 30), timedelta(minutes=30)) == at(2026, 11, 23, 13, 30)
    assert calendar.add_working_time(at(2026, 11, 28, 10), HOUR) == at(2026, 11, 30, 10)  # Saturday


def test_exactly_the_rest_of_a_period_ends_at_its_end_not_at_the_next_start() -> None:
    assert calendar.add_working_time(at(2026, 11, 23, 17), HOUR) == at(2026, 11, 23, 18)
    assert calendar.add_working_time(at(2026, 11, 23, 11), HOUR) == at(2026, 11, 23, 12)
    assert calendar.add_working_days(at(2026, 11, 23, 9), 1) == at(2026, 11, 23, 18)


def test_friday_evening_to_monday_skips_the_weekend() -> None:
    assert calendar.add_working_time(at(2026, 11, 27, 18), HOUR) == at(2026, 11, 30, 10)
    assert calendar.add_working_time(at(2026, 11, 27, 17, 30), HOUR) == at(2026, 11, 30, 9, 30)
    assert calendar.working_time_between(at(2026, 11, 27, 17), at(2026, 11, 30, 10)) == 2 * HOUR


def test_working_days_are_whole_working_days_of_eight_hours() -> None:
    assert calendar.working_day_length() == 8 * HOUR
    assert calendar.add_working_days(at(2026, 11, 23, 10), 3) == at(2026, 11, 26, 10)
    assert calendar.add_working_days(at(2026, 11, 27, 10), 1) == at(2026, 11, 30, 10)


def test_zero_amount_returns_the_start_in_utc() -> None:
    assert calendar.add_working_time(at(2026, 11, 28, 3), timedelta(0)) == at(2026, 11, 28, 3)
    assert calendar.add_working_days(at(2026, 11, 23, 10), 0).tzinfo is UTC


def test_results_are_utc_whatever_the_start_time_zone() -> None:
    from_utc = calendar.add_working_time(datetime(2026, 11, 23, 1, tzinfo=UTC), HOUR)  # 09:00 in Shanghai
    assert from_utc == datetime(2026, 11, 23, 2, tzinfo=UTC)
    assert from_utc.tzinfo is UTC
    assert calendar.add_working_time(at(2026, 11, 23, 9), HOUR).tzinfo is UTC


def test_working_time_between_is_zero_when_end_is_not_after_start() -> None:
    assert calendar.working_time_between(at(2026, 11, 23, 10), at(2026, 11, 23, 10)) == timedelta(0)
    assert calendar.working_time_between(at(2026, 11, 23, 11), at(2026, 11, 23, 10)) == timedelta(0)


def test_working_time_between_inverts_add_working_time_in_explicit_cases() -> None:
    cases = [
        (at(2026, 9, 30, 17), 2 * HOUR),
        (at(2026, 2, 14, 17), 2 * HOUR),
        (at(2025, 12, 31, 17, 45), 3 * HOUR),
        (at(2026, 11, 27, 18), HOUR),
        (at(2026, 11, 23, 12, 15), timedelta(minutes=1)),
    ]
    for start, amount in cases:
        assert calendar.working_time_between(start, calendar.add_working_time(start, amount)) == amount


def test_working_time_between_inverts_add_working_time_over_many_starts_and_amounts() -> None:
    # Starts every 25h13m from late December 2025 to late October 2026 (all the breaks above),
    # so they fall at every time of day, inside and outside working periods.
    first = at(2025, 12, 20, 0)
    starts = [first + k * timedelta(hours=25, minutes=13) for k in range(300)]
    amounts = [timedelta(seconds=s) for s in (1, 59 * 60, 3 * 3600, 8 * 3600, 8 * 3600 + 1, 100_003, 500_000)]
    for start in starts:
        for amount in amounts:
            end = calendar.add_working_time(start, amount)
            assert end > start
            assert calendar.working_time_between(start, end) == amount, (start, amount)
            assert calendar.working_time_between(start, end - timedelta(microseconds=1)) < amount  # earliest end


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_time(at(2026, 11, 23, 9), -HOUR)
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(at(2026, 11, 23, 9), -1)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 11, 23, 9)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_time(naive, HOUR)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_time_between(naive, at(2026, 11, 24, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_time_between(at(2026, 11, 22, 9), naive)


def test_daylight_saving_change_keeps_local_working_hours() -> None:
    # Europe/Berlin moves to summer time on Sun 2026-03-29; Fri 27 and Mon 30 March are working days.
    berlin = ZoneInfo("Europe/Berlin")
    german = BusinessCalendar(CalendarConfig(timezone="Europe/Berlin", country="DE"))
    friday = datetime(2026, 3, 27, 17, tzinfo=berlin)
    assert german.add_working_time(friday, 2 * HOUR) == datetime(2026, 3, 30, 10, tzinfo=berlin)
    assert german.add_working_time(friday, 2 * HOUR) == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert german.working_time_between(friday, datetime(2026, 3, 30, 10, tzinfo=berlin)) == 2 * HOUR


def test_company_entries_change_working_time_arithmetic() -> None:
    company = BusinessCalendar(CalendarConfig(extra_holidays=frozenset({at(2026, 10, 10, 0).date()})))
    # Without the make-up Saturday 10 Oct the next working day after Fri 9 Oct is Mon 12 Oct.
    assert company.add_working_time(at(2026, 10, 9, 17), 2 * HOUR) == at(2026, 10, 12, 10)


def test_custom_periods_set_the_working_day() -> None:
    late = BusinessCalendar(CalendarConfig(periods=((time(10), time(16)),)))
    assert late.working_day_length() == 6 * HOUR
    assert late.add_working_time(at(2026, 11, 23, 15), 2 * HOUR) == at(2026, 11, 24, 11)
