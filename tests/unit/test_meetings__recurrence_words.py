"""A meeting series' recurrence reads as words, in Chinese and English, for every rule the product offers."""

from __future__ import annotations

from datetime import datetime

import pytest

from channels.meetings.wording import describe

FIRST = datetime(2026, 12, 1, 10, 0)  # a Tuesday, 10:00 local time

RULES = [
    ("FREQ=MONTHLY;BYDAY=1TU", "每月第一个周二 10:00", "first Tuesday of every month, 10:00"),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU", "每季度第一个周二 10:00", "first Tuesday of every quarter, 10:00"),
    ("FREQ=MONTHLY;INTERVAL=6;BYDAY=1TU", "每半年第一个周二 10:00", "first Tuesday every six months, 10:00"),
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR", "每 2 个月的最后一个周五 10:00", "last Friday every 2 months, 10:00"),
    ("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2", "每月第二个周二 10:00", "second Tuesday of every month, 10:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "每月 15 日 10:00", "on day 15 of every month, 10:00"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "每月最后一天 10:00", "on the last day of every month, 10:00"),
    ("FREQ=WEEKLY", "每周二 10:00", "every Tuesday, 10:00"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", "每 2 周的周一、周三 10:00",
     "every 2 weeks on Monday and Wednesday, 10:00"),
    ("FREQ=DAILY;COUNT=5", "每天 10:00，共 5 次", "every day, 10:00, 5 times"),
    ("FREQ=YEARLY;UNTIL=20300101T000000Z", "每年 12 月 1 日 10:00，至 2030-01-01",
     "every year on 1 December, 10:00, until 2030-01-01"),
]


@pytest.mark.parametrize(("rule", "zh", "en"), RULES)
def test_a_rule_the_product_offers_reads_as_words_in_both_languages(rule: str, zh: str, en: str) -> None:
    assert describe(rule, FIRST, "zh") == zh
    assert describe(rule, FIRST, "en") == en


def test_a_single_meeting_says_so_and_a_rule_it_cannot_word_is_shown_as_written() -> None:
    assert describe(None, FIRST, "zh") == "单次会议"
    assert describe(None, FIRST, "en") == "single meeting"
    assert describe("FREQ=MONTHLY;BYDAY=1TU,3TH", FIRST, "zh") == "FREQ=MONTHLY;BYDAY=1TU,3TH"
    assert describe("FREQ=MONTHLY;BYWEEKNO=3", FIRST, "en") == "FREQ=MONTHLY;BYWEEKNO=3"
