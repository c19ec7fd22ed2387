"""Follow-up dates: the assignee of an open task picks a day (distinct from the due date) on which
they want to come back to it; a reminder (`task_follow_up`) goes out that morning.

The reminder is a durable timer row like the task's due and reminder timers (`task_timers`), due
at the start of working time (09:00 by default) of that day, or of the next working day when that
day is a weekend or holiday in the business calendar. It is cancelled when the date is changed or
cleared, when the task closes, or when its state is left; when it fires, it goes to whoever holds
the task then (its group, if it was released meanwhile).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

from workflows.domain.errors import InvalidInput, NotFound, Problem, TaskClosed
from workflows.domain.permissions import Action, TaskRef, require
from workflows.domain.principals import Actor
from workflows.domain.rows import Instance, Task
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import steps
from workflows.services.context import Services
from workflows.services.queries import get_task
from workflows.services.records import audit
from workflows.services.views import TaskView

KIND = "task_follow_up"
LATEST = timedelta(days=366)  # a follow-up at most a year ahead


def reminder_at(svc: Services, day: date, *, now: datetime) -> datetime:
    """When the reminder for a follow-up on the local date `day` goes out: the start of the first
    working period of `day` (or of the next working day), never before `now`."""
    working_day = svc.calendar.next_working_day(day)
    intervals = svc.calendar.working_intervals(working_day)
    start = intervals[0][0] if intervals else datetime.combine(working_day, datetime.min.time(), _zone(svc))
    return max(start, now)


def _zone(svc: Services) -> ZoneInfo:
    return ZoneInfo(svc.calendar.config.timezone)


def set_follow_up(svc: Services, *, actor: Actor, task_id: int, day: date | None) -> TaskView:
    """Set (or with None clear) the follow-up date of an open task, as its assignee; audited."""
    now = svc.clock.now()
    today = now.astimezone(_zone(svc)).date()
    if day is not None and not today <= day <= today + LATEST:
        raise InvalidInput("the follow-up date is not valid", [Problem(
            "date", f"must be between today ({today.isoformat()}) and {(today + LATEST).isoformat()}")])
    with svc.uow() as uow:
        task, inst = _locked_task(uow, task_id)
        require(actor, Action.SET_FOLLOW_UP, TaskRef(assignee_id=task.assignee_id,
                                                     candidate_group=task.candidate_group))
        if task.status != "open":
            raise TaskClosed(f"task {task_id} is already {task.status}")
        current = uow.conn.execute(select(t.tasks.c.follow_up_on).where(t.tasks.c.id == task_id)).scalar()
        if current != day:
            uow.conn.execute(update(t.tasks).where(t.tasks.c.id == task_id).values(follow_up_on=day))
            uow.conn.execute(update(t.timers).where(t.timers.c.task_id == task_id, t.timers.c.kind == KIND,
                                                    t.timers.c.status == "scheduled").values(status="cancelled"))
            if day is not None:
                uow.conn.execute(insert(t.timers), {
                    "kind": KIND, "due_at": reminder_at(svc, day, now=now), "instance_id": inst.id,
                    "task_id": task_id, "name": task.name, "state": inst.state, "entry": inst.revision,
                    "trigger": None, "status": "scheduled", "payload": {"follow_up_on": day.isoformat()},
                    "attempts": 0, "created_at": now})
            audit(uow, now=now, actor=actor, entity_type="task", entity_id=task_id, instance_id=inst.id,
                  action="follow_up_set" if day is not None else "follow_up_cleared",
                  data={"task": task.name, "follow_up_on": day.isoformat() if day else None,
                        "before": current.isoformat() if current else None})
            uow.commit()
    return get_task(svc, task_id=task_id)


def _locked_task(uow: UnitOfWork, task_id: int) -> tuple[Task, Instance]:
    """The task and its instance, locked; on PostgreSQL the task is read again after the lock
    (SQLite's write transaction is exclusive from its start)."""
    query = select(t.tasks).where(t.tasks.c.id == task_id)
    row = uow.conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"task {task_id} not found")
    inst = steps.lock_instance(uow, row["instance_id"])
    if uow.dialect == "postgresql":
        row = uow.conn.execute(query).mappings().one()
    return Task.from_row(row), inst
