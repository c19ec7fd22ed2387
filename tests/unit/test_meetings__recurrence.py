"""Recurrence rules in Asia/Shanghai, across month ends, and the move off days off."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from channels.meetings.recurrence import expand, normalise_rule, place
from channels.meetings.texts import shift_note
from workflows.adapters.calendar import BusinessCalendar, CalendarConfig
from workflows.domain.errors import InvalidInput

SH = ZoneInfo("Asia/Shanghai")


def _local(moments: list[datetime]) -> list[datetime]:
    return [m.astimezone(SH).replace(tzinfo=None) for m in moments]


def test_first_tuesday_at_ten_stays_ten_oclock_local_every_month() -> None:
    moments = expand(rule="FREQ=MONTHLY;BYDAY=1TU", first=datetime(2026, 1, 6, 10, tzinfo=SH), zone="Asia/Shanghai",
                     start=datetime(2026, 1, 1, tzinfo=SH), end=datetime(2026, 5, 1, tzinfo=SH))
    assert _local(moments) == [datetime(2026, 1, 6, 10), datetime(2026, 2, 3, 10), datetime(2026, 3, 3, 10),
                               datetime(2026, 4, 7, 10)]


def test_month_end_rule_follows_short_months_and_leap_day() -> None:
    moments = expand(rule="FREQ=MONTHLY;BYMONTHDAY=-1", first=datetime(2027, 12, 31, 15, tzinfo=SH),
                     zone="Asia/Shanghai", start=datetime(2027, 12, 1, tzinfo=SH), end=datetime(2028, 4, 1, tzinfo=SH))
    assert [m.date() for m in _local(moments)] == [date(2027, 12, 31), date(2028, 1, 31), date(2028, 2, 29),
                                                   date(2028, 3, 31)]


def test_quarterly_and_half_yearly_series() -> None:
    quarterly = expand(rule="FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU", first=datetime(2027, 1, 5, 14, tzinfo=SH),
                       zone="Asia/Shanghai", start=datetime(2027, 1, 1, tzinfo=SH), end=datetime(2028, 1, 1, tzinfo=SH))
    half = expand(rule="FREQ=MONTHLY;INTERVAL=6", first=datetime(2027, 1, 15, 9, tzinfo=SH), zone="Asia/Shanghai",
                  start=datetime(2027, 1, 1, tzinfo=SH), end=datetime(2028, 1, 1, tzinfo=SH))
    assert [m.month for m in _local(quarterly)] == [1, 4, 7, 10]
    assert _local(half) == [datetime(2027, 1, 15, 9), datetime(2027, 7, 15, 9)]


def test_a_single_meeting_has_one_occurrence() -> None:
    first = datetime(2026, 12, 8, 15, tzinfo=SH)
    assert expand(rule=None, first=first, zone="Asia/Shanghai", start=first, end=datetime(2027, 1, 1, tzinfo=SH)) \
        == [first]


def test_first_tuesday_in_the_national_day_week_moves_to_the_next_working_day() -> None:
    placed = place(datetime(2026, 10, 6, 10, tzinfo=SH), zone="Asia/Shanghai", calendar=BusinessCalendar())

    assert placed.starts_at.astimezone(SH).replace(tzinfo=None) == datetime(2026, 10, 8, 10)
    assert (placed.shift["from"], placed.shift["to"], placed.shift["reason"]) == ("2026-10-06", "2026-10-08",
                                                                                 "public_holiday")
    assert "顺延至 2026-10-08" in (shift_note(placed.shift, "zh") or "")
    assert "to 2026-10-08" in (shift_note(placed.shift, "en") or "")


def test_a_working_day_is_not_moved_and_a_company_day_off_is() -> None:
    calendar = BusinessCalendar(CalendarConfig(extra_holidays=frozenset({date(2026, 12, 1)})))
    assert place(datetime(2026, 11, 3, 10, tzinfo=SH), zone="Asia/Shanghai", calendar=calendar).shift == {}
    moved = place(datetime(2026, 12, 1, 10, tzinfo=SH), zone="Asia/Shanghai", calendar=calendar)
    assert (moved.shift["to"], moved.shift["reason"]) == ("2026-12-02", "company_holiday")


@pytest.mark.parametrize("rule", ["FREQ=HOURLY", "FREQ=MONTHLY;BYDAY=XX", "nonsense", "FREQ=WEEKLY;COUNT=0",
                                  "FREQ=MONTHLY;UNTIL=20270101", "DTSTART:20260101T000000\nRRULE:FREQ=DAILY"])
def test_rules_that_are_not_meeting_series_are_refused_with_a_reason(rule: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_rule(rule)
    assert refused.value.problems[0].path == "rrule"


def test_a_rule_is_stored_without_its_prefix_in_upper_case() -> None:
    assert normalise_rule("rrule:freq=monthly;byday=1tu") == "FREQ=MONTHLY;BYDAY=1TU"
