"""Durations as admins write them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workflows.domain.durations import Duration, DurationError


def test_working_days_and_hours_are_read_as_working_time() -> None:
    assert Duration.parse("3 working days") == Duration(3, "days", True)
    assert Duration.parse("1 working hour") == Duration(1, "hours", True)


def test_calendar_durations_have_a_calendar_span() -> None:
    assert Duration.parse("7 days").calendar_delta() == timedelta(days=7)
    assert Duration.parse("3 months") == Duration(3, "months", False)


@pytest.mark.parametrize("text", ["three days", "3 working months", "-1 days", "3 fortnights", ""])
def test_unreadable_durations_are_refused(text: str) -> None:
    with pytest.raises(DurationError):
        Duration.parse(text)
