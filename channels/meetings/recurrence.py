"""When a meeting takes place: its recurrence rule (RFC 5545 RRULE, read by python-dateutil) and the
move of an occurrence that falls on a day off to the next working day.

Rules are expanded in the meeting's own time zone (Asia/Shanghai by default, no DST), so "the first
Tuesday at 10:00" stays 10:00 local time in every month, whatever UTC offset the zone has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import islice, takewhile
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import rrule, rrulestr

from workflows.adapters.calendar import BusinessCalendar
from workflows.domain.errors import InvalidInput, Problem

# More often than daily is not a meeting series; rules are refused rather than expanded forever.
ALLOWED_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
MAX_EXPANSION = 500


def normalise_rule(text: str) -> str:
    """An RRULE as stored: upper case, without the ``RRULE:`` prefix; checked for what meetings allow.

    Raises:
        InvalidInput: not an RRULE dateutil can read, a frequency more often than daily, a DTSTART
            inside the rule (the meeting's start is the DTSTART), or COUNT/UNTIL out of range.
    """
    rule = text.strip().upper().removeprefix("RRULE:").strip()
    parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
    problems: list[Problem] = []
    if "\n" in rule or "DTSTART" in rule:
        problems.append(Problem("rrule", "give only the RRULE value; the meeting's starts_at is its DTSTART"))
    elif parts.get("FREQ") not in ALLOWED_FREQS:
        problems.append(Problem("rrule", f"FREQ must be one of {', '.join(ALLOWED_FREQS)}"))
    elif "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_EXPANSION):
        problems.append(Problem("rrule", f"COUNT must be 1 to {MAX_EXPANSION}"))
    if not problems:
        try:
            _rule(rule, datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
        except (ValueError, TypeError, OverflowError) as exc:
            problems.append(Problem("rrule", f"not a valid RRULE: {exc}"))
    if problems:
        raise InvalidInput("the recurrence rule is not valid", problems)
    return rule


def _rule(rule: str, first: datetime) -> rrule:
    # UNTIL must be UTC when DTSTART is aware; dateutil enforces it (ValueError), which we report.
    parsed = rrulestr(rule, dtstart=first, unfold=False, forceset=False, ignoretz=False)
    if not isinstance(parsed, rrule):  # pragma: no cover - forceset=False and one rule give an rrule
        raise ValueError("one RRULE expected")
    return parsed


def expand(*, rule: str | None, first: datetime, zone: str, start: datetime, end: datetime,
           limit: int = MAX_EXPANSION) -> list[datetime]:
    """The occurrences in [start, end), as the rule puts them (before any holiday shift), in UTC.

    A meeting without a rule has its single `first` occurrence.
    """
    local_first = first.astimezone(ZoneInfo(zone))
    if rule is None:
        found = [local_first] if start <= local_first < end else []
    else:
        moments = _rule(rule, local_first).xafter(start.astimezone(ZoneInfo(zone)), inc=True)
        found = list(islice(takewhile(lambda moment: moment < end, moments), limit))
    return [moment.astimezone(ZoneInfo("UTC")) for moment in found]


@dataclass(frozen=True)
class Placement:
    """Where an occurrence really is; `shift` says why it moved (empty when it did not)."""

    starts_at: datetime
    shift: dict[str, str]


def place(moment: datetime, *, zone: str, calendar: BusinessCalendar) -> Placement:
    """Move an occurrence on a day off to the same local time on the next working day, and say why."""
    local = moment.astimezone(ZoneInfo(zone))
    day = local.date()
    if calendar.is_working_day(day):
        return Placement(starts_at=moment, shift={})
    target = calendar.next_working_day(day)
    moved = datetime.combine(target, local.timetz()).astimezone(ZoneInfo("UTC"))
    reason = _reason(day, calendar)
    return Placement(starts_at=moved, shift={
        "from": day.isoformat(), "to": target.isoformat(), "reason": reason,
        "name_zh": day_off_name(day, "zh") or "", "name_en": day_off_name(day, "en") or "",
    })


def _reason(day: date, calendar: BusinessCalendar) -> str:
    if day in calendar.config.extra_holidays:
        return "company_holiday"
    if day_off_name(day, "en", country=calendar.config.country):
        return "public_holiday"
    return "weekend"


@lru_cache(maxsize=64)
def _names(country: str, year: int, language: str) -> dict[date, str]:
    try:
        data = holidays.country_holidays(country, years=year, language=language)
    except (NotImplementedError, KeyError):
        return {}
    return dict(data.items())


def day_off_name(day: date, lang: str, *, country: str = "CN") -> str | None:
    """The public holiday's name on `day` in zh or en (None when it is not one)."""
    return _names(country, day.year, "zh_CN" if lang == "zh" else "en_US").get(day)
