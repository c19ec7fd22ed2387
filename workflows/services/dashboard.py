"""Reads for the dashboard: counts of open instances and tasks. Reads never write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.views import View


class StateCount(View):
    workflow: str
    state: str
    count: int


class TaskCounts(View):
    open: int
    overdue: int
    due_soon: int  # open, not overdue, due before `soon`
    escalated: int


def open_instances_by_state(svc: Services) -> list[StateCount]:
    """Active instances per (workflow, state), by workflow then state."""
    i = t.instances.c
    query = (select(i.workflow, i.state, func.count().label("n")).where(i.status == "active")
             .group_by(i.workflow, i.state).order_by(i.workflow, i.state))
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(query).all()
    return [StateCount(workflow=r.workflow, state=r.state, count=int(r.n)) for r in rows]


def task_counts(svc: Services, *, soon: datetime) -> TaskCounts:
    """Open tasks: all, overdue now, due before `soon`, escalated."""
    c = t.tasks.c
    now = svc.clock.now()
    is_open = c.status == "open"
    with svc.uow(write=False) as uow:
        def count(*conditions: ColumnElement[bool]) -> int:
            return int(uow.conn.execute(select(func.count()).select_from(t.tasks).where(is_open, *conditions))
                       .scalar_one())

        return TaskCounts(open=count(), overdue=count(c.due_at < now), due_soon=count(c.due_at >= now, c.due_at < soon),
                          escalated=count(c.escalated_at.is_not(None)))


def dead_notifications(svc: Services) -> int:
    """How many notifications are dead (gave up after their last try); the dashboard shows it to admins."""
    with svc.uow(write=False) as uow:
        return int(uow.conn.execute(select(func.count()).select_from(t.outbox)
                                    .where(t.outbox.c.status == "dead")).scalar_one())
