"""Department execution compliance: how each group handled the tasks it received in a month.

A task belongs to the group that first received it (`tasks.original_group`), also after an
escalation handed it on. Counts and the 12-month trend are aggregated in SQL; decision times (in
working hours, `worktime.WorkingTimeline`) are computed in Python over the month's rows only.
Reads never write.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from workflows.domain.errors import InvalidInput, NotFound, Problem
from workflows.domain.group_titles import group_title
from workflows.domain.principals import DEPARTMENT_GROUPS, Actor
from workflows.persistence import tables as t
from workflows.services.compliance_views import (
    ComplianceReport,
    GroupCompliance,
    MonthFigures,
    PersonFigures,
    WorkflowAttainment,
)
from workflows.services.context import Services
from workflows.services.groups import group_titles, known_codes
from workflows.services.report_access import require_report_reader
from workflows.services.report_sql import epoch
from workflows.services.reports import sla_report
from workflows.services.worktime import WorkingTimeline, spread

TREND_MONTHS = 12
DEPARTMENT_ORDER = ("market", "sales", "finance", "it")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
k = t.tasks.c


def month_bounds(period: str, zone: str, *, shift: int = 0) -> tuple[datetime, datetime]:
    """[start, end) of the month `period` (YYYY-MM) moved by `shift` months, in `zone`, as UTC.

    Raises:
        InvalidInput: `period` is not a month between 2000-01 and 2199-12.
    """
    found = _PERIOD.match(period)
    if found is None or not 2000 <= int(found.group(1)) <= 2199:
        raise InvalidInput("the period is not valid",
                           [Problem("period", "must be a month YYYY-MM between 2000-01 and 2199-12, e.g. 2026-11")])
    index = int(found.group(1)) * 12 + int(found.group(2)) - 1 + shift
    local = ZoneInfo(zone)
    start = datetime(index // 12, index % 12 + 1, 1, tzinfo=local)
    end = datetime((index + 1) // 12, (index + 1) % 12 + 1, 1, tzinfo=local)
    return start.astimezone(UTC), end.astimezone(UTC)


def _period_name(period: str, shift: int) -> str:
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + month - 1 + shift
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def compliance_report(svc: Services, *, actor: Actor, period: str, group: str | None = None) -> ComplianceReport:
    """The compliance of every group (or of `group`) for the month `period`, as of now.

    Raises:
        InvalidInput: `period` is not a month YYYY-MM.
        NotFound: `group` is not a known group and never received a task.
        PermissionDenied: see `report_access.require_report_reader`.
    """
    zone = svc.calendar.config.timezone
    start, end = month_bounds(period, zone)
    require_report_reader(actor, report="compliance", group=group)
    now = svc.clock.now()
    trend_start, _ = month_bounds(period, zone, shift=1 - TREND_MONTHS)
    exists = group is None or group in known_codes(svc)
    with svc.uow(write=False) as uow:
        if not exists and uow.conn.execute(
                select(k.id).where(k.original_group == group).limit(1)).first() is None:
            raise NotFound(f"no group {group!r}")
        trend = _trend(uow.conn, period=period, zone=zone, now=now, group=group, start=trend_start, end=end)
        rows = [_Task(*r) for r in uow.conn.execute(_month_query(uow.dialect, start=start, end=end, now=now,
                                                                   group=group))]
        people = _people(uow.conn, {r.person for r in rows})
        titles = {r.name: (r.title_zh, r.title_en) for r in uow.conn.execute(
            select(t.definitions.c.name, t.definitions.c.title_zh, t.definitions.c.title_en)
            .order_by(t.definitions.c.version))}
    names = [group] if group is not None else _groups(trend)
    by_group: dict[str, list[_Task]] = defaultdict(list)
    last = max([now.timestamp(), *(r.completed for r in rows if r.completed is not None)])
    timeline = WorkingTimeline(svc.calendar, first=start, last=datetime.fromtimestamp(last, UTC))
    for row in rows:
        if row.completed is not None:
            row.hours = timeline.at_epoch(row.completed) - timeline.at_epoch(row.created)
        by_group[row.group].append(row)
    attainment = _attainment(svc, workflows={r.workflow for r in rows}, start=start, end=end, titles=titles)
    known = group_titles(svc)
    groups = [_group(name, by_group.get(name, []), people=people, titles=known,
                     attainment=attainment, trend=trend.get(name, {}),
                     periods=[_period_name(period, s) for s in range(1 - TREND_MONTHS, 1)])
              for name in names]
    return ComplianceReport(period=period, start=start, end=end, as_of=now, groups=groups)


class _Task:
    """One task of the month: its group, what became of it, seconds since the epoch, who."""

    __slots__ = ("completed", "created", "escalated", "group", "hours", "kind", "person", "workflow")

    def __init__(self, group: str, kind: str, created: float, completed: float | None, escalated: bool,
                 completed_by: int | None, assignee_id: int | None, workflow: str) -> None:
        self.group, self.kind, self.created, self.completed = group, kind, created, completed
        self.escalated, self.workflow = bool(escalated), workflow
        # the person who decided it; for an overdue task, the one holding it
        self.person = completed_by if kind in ("on_time", "late") else assignee_id if kind == "overdue" else None
        self.hours = 0.0  # working seconds from received to decided, set once the timeline is built


def _kind(now: datetime) -> Any:
    completed, still_open = k.status == "completed", k.status == "open"
    return case((completed & (k.due_at.is_(None) | (k.completed_at <= k.due_at)), "on_time"), (completed, "late"),
                (still_open & (k.due_at <= now), "overdue"), (still_open, "open"), else_="cancelled")


def _month_query(dialect: str, *, start: datetime, end: datetime, now: datetime, group: str | None) -> Any:
    return (select(k.original_group, _kind(now), epoch(k.created_at, dialect), epoch(k.completed_at, dialect),
                   k.escalated_at.is_not(None), k.completed_by, k.assignee_id, t.instances.c.workflow)
            .join(t.instances, t.instances.c.id == k.instance_id)
            .where(k.created_at >= start, k.created_at < end, _grouped(group)))


def _grouped(group: str | None) -> Any:
    return k.original_group.is_not(None) if group is None else k.original_group == group


def _groups(trend: Mapping[str, Any]) -> list[str]:
    """The departments always, then every other group that received a task in the trend's months."""
    others = sorted(set(trend) - DEPARTMENT_GROUPS)
    return [*DEPARTMENT_ORDER, *others]


def _trend(conn: Any, *, period: str, zone: str, now: datetime, group: str | None, start: datetime,
           end: datetime) -> dict[str, dict[str, dict[str, int]]]:
    """Counts per group and month over the trend's months: one grouped query, summed up here."""
    bounds = [month_bounds(period, zone, shift=s)[1] for s in range(1 - TREND_MONTHS, 0)]
    bucket = case(*((k.created_at < bound, index) for index, bound in enumerate(bounds)), else_=len(bounds))
    kind, escalated = _kind(now), k.escalated_at.is_not(None)
    query = (select(bucket, k.original_group, kind, escalated, func.count())
             .where(k.created_at >= start, k.created_at < end, _grouped(group))
             .group_by(bucket, k.original_group, kind, escalated))
    found: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for index, name, what, was_escalated, n in conn.execute(query):
        month = _period_name(period, int(index) + 1 - TREND_MONTHS)
        counts = found[name].setdefault(month, dict.fromkeys(
            ("received", "on_time", "late", "overdue", "open", "cancelled", "escalated"), 0))
        counts[what] += n
        counts["received"] += n
        counts["escalated"] += n if was_escalated else 0
    return found


def _people(conn: Any, ids: Iterable[int | None]) -> dict[int, tuple[str, str]]:
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    u = t.users.c
    return {r.id: (r.login, r.display_name) for r in conn.execute(
        select(u.id, u.login, u.display_name).where(u.id.in_(wanted)))}


def _attainment(svc: Services, *, workflows: set[str], start: datetime, end: datetime,
                titles: Mapping[str, tuple[str, str]]) -> dict[str, WorkflowAttainment]:
    """Per workflow, its SLA goals taken together over the clocks stopped in the month (`sla_report`)."""
    found = {}
    for name in sorted(workflows):
        goals = sla_report(svc, workflow=name, start=start, end=end).goals
        met, breached = sum(g.met for g in goals), sum(g.breached for g in goals)
        zh, en = titles.get(name, (name, name))
        found[name] = WorkflowAttainment(workflow=name, title_zh=zh, title_en=en, met=met, breached=breached,
                                         attainment=_rate(met, met + breached))
    return found


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def _counts(classes: Iterable[str], escalated: int) -> dict[str, Any]:
    counts: dict[str, Any] = {"on_time": 0, "late": 0, "overdue": 0, "open": 0, "cancelled": 0}
    for name in classes:
        counts[name] += 1
    counts["received"] = sum(counts.values())
    counts["escalated"] = escalated
    counts["on_time_rate"] = _rate(counts["on_time"], counts["on_time"] + counts["late"] + counts["overdue"])
    return counts


def _group(name: str, rows: list[_Task], *, people: Mapping[int, tuple[str, str]],
           titles: Mapping[str, tuple[str, str]],
           attainment: Mapping[str, WorkflowAttainment], trend: Mapping[str, Mapping[str, int]],
           periods: list[str]) -> GroupCompliance:
    counts = _counts((r.kind for r in rows), sum(r.escalated for r in rows))
    median, p90 = spread([r.hours for r in rows if r.completed is not None])
    sla = [attainment[w] for w in sorted({r.workflow for r in rows})]
    met, breached = sum(a.met for a in sla), sum(a.breached for a in sla)
    zh, en = titles.get(name) or group_title(name)
    return GroupCompliance(
        group=name, title_zh=zh, title_en=en, **counts, median_hours=median, p90_hours=p90,
        sla_attainment=_rate(met, met + breached), sla=sla, people=_per_person(rows, people=people),
        trend=[MonthFigures(period=p, **_trend_counts(trend.get(p))) for p in periods])


def _trend_counts(found: Mapping[str, int] | None) -> dict[str, Any]:
    counts: dict[str, Any] = dict(found or {})
    if counts:
        counts["on_time_rate"] = _rate(counts["on_time"], counts["on_time"] + counts["late"] + counts["overdue"])
    return counts


def _per_person(rows: list[_Task], *, people: Mapping[int, tuple[str, str]]) -> list[PersonFigures]:
    """Who decided the group's tasks (on time or late), and who holds its overdue ones, by login."""
    mine: dict[int, list[_Task]] = defaultdict(list)
    for row in rows:
        if row.person is not None:
            mine[row.person].append(row)
    found = []
    for user_id, items in mine.items():
        counts = _counts((r.kind for r in items), sum(r.escalated for r in items))
        median, p90 = spread([r.hours for r in items if r.completed is not None])
        login, display = people.get(user_id, (str(user_id), ""))
        found.append(PersonFigures(user_id=user_id, login=login, display_name=display, **counts,
                                   median_hours=median, p90_hours=p90))
    return sorted(found, key=lambda p: p.login)
