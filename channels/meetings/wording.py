"""A meeting series' recurrence in words: 每月第一个周二 10:00 / first Tuesday of every month, 10:00.

Pure: reads the stored RRULE (see `recurrence.normalise_rule`) and the local start of the series.
Covers what the product offers (daily, weekly on days, monthly on a day or on the n-th weekday,
every N months, quarterly, half-yearly, yearly, with COUNT or UNTIL); any other rule is shown as
written rather than described wrongly.
"""

from __future__ import annotations

import re
from datetime import datetime

WEEKDAYS = {"MO": ("周一", "Monday"), "TU": ("周二", "Tuesday"), "WE": ("周三", "Wednesday"),
            "TH": ("周四", "Thursday"), "FR": ("周五", "Friday"), "SA": ("周六", "Saturday"), "SU": ("周日", "Sunday")}
ORDER = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ORDINALS = {1: ("第一个", "first"), 2: ("第二个", "second"), 3: ("第三个", "third"), 4: ("第四个", "fourth"),
            5: ("第五个", "fifth"), -1: ("最后一个", "last"), -2: ("倒数第二个", "second to last")}
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
KNOWN = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "BYMONTH", "COUNT", "UNTIL", "WKST"}
BYDAY = re.compile(r"^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$")


def describe(rule: str | None, first: datetime, locale: str) -> str:
    """The rule in words, in `locale` (`zh` or `en`), at the local time of `first` (the series' start
    in its own time zone); a single meeting (no rule) is 单次会议 / single meeting."""
    zh = locale == "zh"
    if not rule:
        return "单次会议" if zh else "single meeting"
    try:
        text = _describe(rule.upper().removeprefix("RRULE:"), first, zh)
    except (ValueError, KeyError):
        text = None
    return text if text is not None else rule


def _describe(rule: str, first: datetime, zh: bool) -> str | None:
    parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
    if not set(parts) <= KNOWN or ("BYMONTH" in parts and parts.get("FREQ") != "YEARLY"):
        return None
    freq, interval = parts.get("FREQ"), int(parts.get("INTERVAL", "1"))
    at = first.strftime("%H:%M")
    core: str | None
    days = [BYDAY.match(d) for d in parts.get("BYDAY", "").split(",") if d]
    if any(m is None for m in days):
        return None
    byday = [(int(m.group(1)) if m.group(1) else None, m.group(2)) for m in days if m]
    if "BYSETPOS" in parts and len(byday) == 1 and byday[0][0] is None:
        byday = [(int(parts["BYSETPOS"]), byday[0][1])]
    elif "BYSETPOS" in parts:
        return None
    if freq == "DAILY":
        if byday:
            return None
        core = ("每天" if interval == 1 else f"每 {interval} 天") if zh else \
            ("every day" if interval == 1 else f"every {interval} days")
    elif freq == "WEEKLY":
        names = [d for _, d in byday] or [ORDER[first.weekday()]]
        if any(n is not None for n, _ in byday):
            return None
        core = _weekly(sorted(names, key=ORDER.index), interval, zh)
    elif freq == "MONTHLY":
        core = _monthly(parts, byday, interval, first, zh)
    elif freq == "YEARLY":
        if byday or ("BYMONTHDAY" in parts and "," in parts["BYMONTHDAY"]):
            return None
        month = int(parts.get("BYMONTH", first.month))
        day = int(parts.get("BYMONTHDAY", first.day))
        every = ("每年" if interval == 1 else f"每 {interval} 年") if zh else \
            ("every year" if interval == 1 else f"every {interval} years")
        core = f"{every} {month} 月 {day} 日" if zh else f"{every} on {day} {MONTHS_EN[month - 1]}"
    else:
        return None
    if core is None:
        return None
    text = f"{core} {at}" if zh else f"{core}, {at}"
    if "COUNT" in parts:
        text += f"，共 {int(parts['COUNT'])} 次" if zh else f", {int(parts['COUNT'])} times"
    if "UNTIL" in parts:
        until = parts["UNTIL"][:8]
        last = f"{until[:4]}-{until[4:6]}-{until[6:8]}"
        text += f"，至 {last}" if zh else f", until {last}"
    return text


def _weekly(days: list[str], interval: int, zh: bool) -> str:
    if zh:
        listed = "、".join(WEEKDAYS[d][0] for d in days)
        return f"每{listed}" if interval == 1 else f"每 {interval} 周的{listed}"
    listed = _and([WEEKDAYS[d][1] for d in days])
    return f"every {listed}" if interval == 1 else f"every {interval} weeks on {listed}"


def _months(interval: int, zh: bool) -> tuple[str, str]:
    """(zh prefix, en suffix) of a monthly rhythm: 每月 / of every month, 每季度 / of every quarter..."""
    if interval == 1:
        return "每月", "of every month"
    if interval == 3:
        return "每季度", "of every quarter"
    if interval == 6:
        return "每半年", "every six months"
    if interval == 12:
        return "每年", "every year"
    return f"每 {interval} 个月的", f"every {interval} months"


def _monthly(parts: dict[str, str], byday: list[tuple[int | None, str]], interval: int, first: datetime,
             zh: bool) -> str | None:
    prefix, suffix = _months(interval, zh)
    if byday:
        if len(byday) != 1 or byday[0][0] not in ORDINALS:
            return None
        n, day = byday[0]
        assert n is not None
        ordinal = ORDINALS[n]
        return f"{prefix}{ordinal[0]}{WEEKDAYS[day][0]}" if zh else f"{ordinal[1]} {WEEKDAYS[day][1]} {suffix}"
    days = [int(d) for d in parts.get("BYMONTHDAY", str(first.day)).split(",")]
    if any(d == 0 or abs(d) > 31 for d in days):
        return None
    if zh:
        listed = "、".join("最后一天" if d == -1 else f"倒数第 {-d} 天" if d < 0 else f"{d} 日" for d in days)
        return f"{prefix} {listed}" if not listed.startswith(("最", "倒")) else f"{prefix}{listed}"
    listed = _and(["the last day" if d == -1 else f"day {-d} from the end" if d < 0 else f"day {d}"
                   for d in days])
    return f"on {listed} {suffix}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
