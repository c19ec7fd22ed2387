"""How values read on a page: local times, spans of (working) time, SLA marks, localized titles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from workflows.domain.definition import Localized
from workflows.services.context import Services
from workflows.services.groups import title_of

SOON = "soon"
OVERDUE = "overdue"
ON_TIME = "on_time"


@dataclass(frozen=True)
class DueMark:
    """Where a due date stands now: `overdue`, `soon` (less than a working day left) or `on_time`."""

    state: str
    working_seconds_left: int


@dataclass(frozen=True)
class Formatter:
    locale: str
    timezone: str
    svc: Services
    gettext: Callable[..., str]

    def when(self, moment: datetime | None) -> str:
        if moment is None:
            return "—"
        return moment.astimezone(ZoneInfo(self.timezone)).strftime("%Y-%m-%d %H:%M")

    def iso(self, moment: datetime) -> str:
        return moment.isoformat()

    def span(self, seconds: int | float) -> str:
        """`3 h 20 min` / `3小时20分钟`; days are not used, as working days are shorter than 24 h."""
        minutes = int(seconds) // 60
        hours, minutes = divmod(minutes, 60)
        if hours:
            return self.gettext("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
        return self.gettext("%(minutes)d min", minutes=minutes)

    def title(self, text: Localized | None, fallback: str) -> str:
        return text.get(self.locale) if text else fallback

    def pick(self, zh: str, en: str) -> str:
        return zh if self.locale == "zh" else en

    def group(self, code: str | None) -> str:
        """A group's title in this language (财务部 for `finance`), from the admins' groups."""
        return "—" if not code else title_of(self.svc, code, locale=self.locale)

    def due(self, due_at: datetime | None) -> DueMark | None:
        """The SLA mark of a due date, with the working time left (0 once overdue)."""
        if due_at is None:
            return None
        now = self.svc.clock.now()
        if due_at <= now:
            return DueMark(OVERDUE, 0)
        left = int(self.svc.calendar.working_time_between(now, due_at).total_seconds())
        soon = left < self.svc.calendar.working_day_length().total_seconds()
        return DueMark(SOON if soon else ON_TIME, left)
