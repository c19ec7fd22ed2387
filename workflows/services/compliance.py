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

from sqlalchemy import and_, case, func, select

from workflows.domain.errors import InvalidInput, NotFound, Problem
from workflows.domain.group_titles import group_title
from workflows.domain.principals import DEPARTMENT_GROUPS, Actor, is_known_group
from workflows.persistence import tables as t
from workflows.services.compliance_views import (
    ComplianceReport,
    GroupCompliance,
    MonthFigures,
    PersonFigures,
    WorkflowAttainment,
)
from workflows.services.context import Services
from workflows.services.report_access import require_report_reader
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
    with svc.uow(write=False) as uow:
        if group is not None and not is_known_group(group) and uow.conn.execute(
                select(k.id).where(k.original_group == group).limit(1)).first() is None:
            raise NotFound(f"no group {group!r}")
        trend = _trend(uow.conn, period=period, zone=zone, now=now, group=group, start=trend_start, end=end)
        rows = [dict(r) for r in uow.conn.execute(
            select(k.original_group, k.status, k.created_at, k.completed_at, k.due_at, k.escalated_at,
                   k.completed_by, k.assignee_id, t.instances.c.workflow)
            .join(t.instances, t.instances.c.id == k.instance_id)
            .where(k.created_at >= start, k.created_at < end, _grouped(group))).mappings()]
        people = _people(uow.conn, {r["completed_by"] for r in rows} | {r["assignee_id"] for r in rows})
        titles = {r.name: (r.title_zh, r.title_en) for r in uow.conn.execute(
            select(t.definitions.c.name, t.definitions.c.title_zh, t.definitions.c.title_en)
            .order_by(t.definitions.c.version))}
    names = [group] if group is not None else _groups(trend)
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_group[row["original_group"]].append(row)
    timeline = WorkingTimeline(svc.calendar, first=start, last=max([now, *(r["completed_at"] or now for r in rows)]))
    attainment = _attainment(svc, workflows={r["workflow"] for r in rows}, start=start, end=end, titles=titles)
    groups = [_group(name, by_group.get(name, []), now=now, timeline=timeline, people=people,
                     attainment=attainment, trend=trend.get(name, {}),
                     periods=[_period_name(period, s) for s in range(1 - TREND_MONTHS, 1)])
              for name in names]
    return ComplianceReport(period=period, start=start, end=end, as_of=now, groups=groups)


def _grouped(group: str | None) -> Any:
    return k.original_group.is_not(None) if group is None else k.original_group == group


def _groups(trend: Mapping[str, Any]) -> list[str]:
    """The departments always, then every other group that received a task in the trend's months."""
    others = sorted(set(trend) - DEPARTMENT_GROUPS)
    return [*DEPARTMENT_ORDER, *others]


def _trend(conn: Any, *, period: str, zone: str, now: datetime, group: str | None, start: datetime,
           end: datetime) -> dict[str, dict[str, dict[str, int]]]:
    """Counts per group and month over the trend's months: one grouped query."""
    bounds = [month_bounds(period, zone, shift=s)[1] for s in range(1 - TREND_MONTHS, 0)]
    bucket = case(*((k.created_at < bound, index) for index, bound in enumerate(bounds)), else_=len(bounds))
    completed = k.status == "completed"
    on_time = and_(completed, (k.due_at.is_(None)) | (k.completed_at <= k.due_at))
    query = (select(bucket.label("bucket"), k.original_group.label("group"), func.count().label("received"),
                    _count(on_time).label("on_time"), _count(and_(completed, k.completed_at > k.due_at)).label("late"),
                    _count(and_(k.status == "open", k.due_at <= now)).label("overdue"),
                    _count(and_(k.status == "open", (k.due_at.is_(None)) | (k.due_at > now))).label("open"),
                    _count(k.status == "cancelled").label("cancelled"),
                    _count(k.escalated_at.is_not(None)).label("escalated"))
             .where(k.created_at >= start, k.created_at < end, _grouped(group))
             .group_by(bucket, k.original_group))
    found: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for row in conn.execute(query).mappings():
        found[row["group"]][_period_name(period, int(row["bucket"]) + 1 - TREND_MONTHS)] = {
            name: int(row[name] or 0) for name in ("received", "on_time", "late", "overdue", "open", "cancelled",
                                                   "escalated")}
    return found


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


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


def _classify(row: Mapping[str, Any], now: datetime) -> str:
    if row["status"] == "completed":
        return "on_time" if row["due_at"] is None or row["completed_at"] <= row["due_at"] else "late"
    if row["status"] == "open":
        return "overdue" if row["due_at"] is not None and row["due_at"] <= now else "open"
    return "cancelled"


def _counts(classes: Iterable[str], escalated: int) -> dict[str, Any]:
    counts: dict[str, Any] = {"on_time": 0, "late": 0, "overdue": 0, "open": 0, "cancelled": 0}
    for name in classes:
        counts[name] += 1
    counts["received"] = sum(counts.values())
    counts["escalated"] = escalated
    counts["on_time_rate"] = _rate(counts["on_time"], counts["on_time"] + counts["late"] + counts["overdue"])
    return counts


def _group(name: str, rows: list[dict[str, Any]], *, now: datetime, timeline: WorkingTimeline,
           people: Mapping[int, tuple[str, str]], attainment: Mapping[str, WorkflowAttainment],
           trend: Mapping[str, Mapping[str, int]], periods: list[str]) -> GroupCompliance:
    classes = [_classify(r, now) for r in rows]
    counts = _counts(classes, sum(r["escalated_at"] is not None for r in rows))
    decided = [timeline.between(r["created_at"], r["completed_at"]) for r in rows if r["status"] == "completed"]
    median, p90 = spread(decided)
    sla = [attainment[w] for w in sorted({r["workflow"] for r in rows})]
    met, breached = sum(a.met for a in sla), sum(a.breached for a in sla)
    zh, en = group_title(name)
    return GroupCompliance(
        group=name, title_zh=zh, title_en=en, **counts, median_hours=median, p90_hours=p90,
        sla_attainment=_rate(met, met + breached), sla=sla,
        people=_per_person(rows, classes, timeline=timeline, people=people),
        trend=[MonthFigures(period=p, **_trend_counts(trend.get(p))) for p in periods])


def _trend_counts(found: Mapping[str, int] | None) -> dict[str, Any]:
    counts: dict[str, Any] = dict(found or {})
    if counts:
        counts["on_time_rate"] = _rate(counts["on_time"], counts["on_time"] + counts["late"] + counts["overdue"])
    return counts


def _per_person(rows: list[dict[str, Any]], classes: list[str], *, timeline: WorkingTimeline,
                people: Mapping[int, tuple[str, str]]) -> list[PersonFigures]:
    """Who decided the group's tasks (on time or late), and who holds its overdue ones, by login."""
    mine: dict[int, list[tuple[dict[str, Any], str]]] = defaultdict(list)
    for row, kind in zip(rows, classes, strict=True):
        person = row["completed_by"] if kind in ("on_time", "late") else row["assignee_id"]
        if person is not None and kind in ("on_time", "late", "overdue"):
            mine[person].append((row, kind))
    found = []
    for user_id, items in mine.items():
        counts = _counts((kind for _, kind in items), sum(r["escalated_at"] is not None for r, _ in items))
        median, p90 = spread([timeline.between(r["created_at"], r["completed_at"]) for r, kind in items
                              if kind != "overdue"])
        login, display = people.get(user_id, (str(user_id), ""))
        found.append(PersonFigures(user_id=user_id, login=login, display_name=display, **counts,
                                   median_hours=median, p90_hours=p90))
    return sorted(found, key=lambda p: p.login)

