"""Reports: SLA attainment per goal over the clocks stopped in a time window. Reads never write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select

from workflows.domain.errors import InvalidInput, Problem
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.definitions import latest_definition_id
from workflows.services.views import View

OPEN_BREACHES_SHOWN = 500
DEFAULT_WINDOW = timedelta(days=30)
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


class GoalAttainment(View):
    """One SLA goal: clocks stopped in the window, and open clocks already past their goal."""

    goal: str
    met: int
    breached: int
    attainment: float | None  # percent met of met + breached, rounded to 0.01; None when both are 0
    average_used_seconds: float | None  # working (or calendar) time used by the stopped clocks
    open_breached: int


class OpenBreach(View):
    instance_id: int
    goal: str
    status: str
    due_at: datetime | None
    breached_at: datetime | None


class SlaReport(View):
    workflow: str
    start: datetime
    end: datetime
    goals: list[GoalAttainment]
    open_breaches: list[OpenBreach]  # the first 500, oldest due first


def _window(svc: Services, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    given = {"start": start, "end": end}
    problems = [Problem(name, "needs a timezone, e.g. 2026-11-01T00:00:00+08:00")
                for name, moment in given.items() if moment is not None and moment.utcoffset() is None]
    problems += [Problem(name, "must be between 1970 and 2200") for name, moment in given.items()
                 if moment is not None and moment.utcoffset() is not None and not EARLIEST <= moment < LATEST]
    if problems:
        raise InvalidInput("the report window is not valid", problems)
    end = end or svc.clock.now()
    start = start or end - DEFAULT_WINDOW
    if start >= end:
        raise InvalidInput("the report window is not valid", [Problem("start", "must be before end")])
    return start, end


def _goals(svc: Services, workflow: str) -> list[str]:
    """The SLA goals of the latest version of `workflow`, in definition order."""
    with svc.uow(write=False) as uow:
        latest = latest_definition_id(svc, uow, workflow)
        return [goal.name for goal in svc.compiled(uow.conn, latest).definition.sla]


def sla_report(svc: Services, *, workflow: str, start: datetime | None = None, end: datetime | None = None
               ) -> SlaReport:
    """SLA attainment of `workflow` over the clocks stopped in [start, end).

    `end` defaults to now, `start` to 30 days before `end`. Per goal: how many stopped clocks
    met or breached it, the attainment in percent and the average time used; and how many clocks
    still running or paused are already breached now (the breach was recorded, or the due time
    or the budget is past), whatever the window. Goals of the latest version come in definition
    order; goals that only older versions had follow by name.

    Raises:
        InvalidInput: `start` or `end` is naive or outside 1970..2200, or `start` is not before `end`.
        NotFound: no such workflow.
    """
    start, end = _window(svc, start, end)
    names = _goals(svc, workflow)
    c = t.sla_clocks.c
    stopped = (select(c.goal, c.status, func.count().label("n"), func.sum(c.used_seconds).label("used"))
               .where(c.workflow == workflow, c.stopped_at >= start, c.stopped_at < end,
                      c.status.in_(("met", "breached")))
               .group_by(c.goal, c.status))
    late = (c.workflow == workflow) & c.status.in_(("running", "paused")) & or_(
        c.breached_at.is_not(None), c.used_seconds > c.target_seconds,
        (c.status == "running") & (c.due_at <= svc.clock.now()))
    with svc.uow(write=False) as uow:
        counts = {(r.goal, r.status): (int(r.n), int(r.used or 0)) for r in uow.conn.execute(stopped)}
        late_counts: dict[str, int] = {r.goal: int(r.n) for r in uow.conn.execute(
            select(c.goal, func.count().label("n")).where(late).group_by(c.goal))}
        shown = uow.conn.execute(select(c.instance_id, c.goal, c.status, c.due_at, c.breached_at)
                                 .where(late).order_by(c.due_at, c.id).limit(OPEN_BREACHES_SHOWN)).mappings().all()
    names += sorted(({goal for goal, _ in counts} | set(late_counts)) - set(names))
    goals = [_attainment(goal, counts, late_counts) for goal in names]
    return SlaReport(workflow=workflow, start=start, end=end, goals=goals,
                     open_breaches=[OpenBreach.model_validate(dict(row)) for row in shown])


def _attainment(goal: str, counts: dict[tuple[str, str], tuple[int, int]], late_counts: dict[str, int]
                ) -> GoalAttainment:
    met, met_used = counts.get((goal, "met"), (0, 0))
    breached, breached_used = counts.get((goal, "breached"), (0, 0))
    total = met + breached
    return GoalAttainment(
        goal=goal, met=met, breached=breached,
        attainment=round(100 * met / total, 2) if total else None,
        average_used_seconds=round((met_used + breached_used) / total, 1) if total else None,
        open_breached=late_counts.get(goal, 0),
    )
