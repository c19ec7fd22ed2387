"""Reads: instance details, lists, history, inboxes. Reads never write."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, or_, select

from workflows.domain.errors import NotFound
from workflows.domain.principals import Actor
from workflows.domain.rows import Instance, Row, SlaClock, Task
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import sla, steps
from workflows.services.context import Services
from workflows.services.instances import available_triggers
from workflows.services.tasks import decisions_for
from workflows.services.users import login_of
from workflows.services.views import (
    AuditView,
    InstanceDetail,
    SlaView,
    TaskView,
    TimerView,
)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    limit: int
    offset: int


def _instance(uow: UnitOfWork, instance_id: int) -> Instance:
    row = uow.conn.execute(select(t.instances).where(t.instances.c.id == instance_id)).mappings().first()
    if row is None:
        raise NotFound(f"instance {instance_id} not found")
    return Instance.from_row(row)


def task_view(svc: Services, uow: UnitOfWork, row: Row, *, workflow: str, definition_id: int
              ) -> TaskView:
    """A task row (a `tasks` row, maybe with other columns) as its view, titled from its definition."""
    task = Task.from_row(row)
    compiled = svc.compiled(uow.conn, definition_id)
    zh, en = compiled.task_title(task.name, task.trigger)
    now = svc.clock.now()
    return TaskView(
        id=task.id, instance_id=task.instance_id, workflow=workflow, name=task.name, title_zh=zh, title_en=en,
        candidate_group=task.candidate_group, assignee_id=task.assignee_id, status=task.status,
        trigger=task.trigger, due_at=task.due_at, decision=task.decision, comment=task.comment,
        decisions=decisions_for(compiled, task), completed_by=task.completed_by,
        completed_at=task.completed_at, escalated_at=task.escalated_at, created_at=task.created_at,
        overdue=task.status == "open" and task.due_at is not None and task.due_at < now,
        on_behalf_of=task.on_behalf_of,
        on_behalf_of_login=login_of(uow.conn, task.on_behalf_of),
        follow_up_on=row["follow_up_on"],
    )


def get_instance(svc: Services, *, actor: Actor, instance_id: int) -> InstanceDetail:
    """An instance with its open tasks, scheduled timers, SLA clocks and the triggers `actor` may fire."""
    now = svc.clock.now()
    with svc.uow(write=False) as uow:
        inst = _instance(uow, instance_id)
        compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
        tasks = uow.conn.execute(select(t.tasks).where(t.tasks.c.instance_id == instance_id,
                                                       t.tasks.c.status == "open").order_by(t.tasks.c.id)).mappings()
        task_views = [task_view(svc, uow, r, workflow=inst.workflow, definition_id=inst.definition_id)
                      for r in tasks]
        timers = uow.conn.execute(select(t.timers).where(t.timers.c.instance_id == instance_id,
                                                         t.timers.c.status == "scheduled")
                                  .order_by(t.timers.c.due_at)).mappings()
        timer_views = [TimerView.model_validate(dict(r)) for r in timers]
        clocks = uow.conn.execute(select(t.sla_clocks).where(t.sla_clocks.c.instance_id == instance_id)
                                  .order_by(t.sla_clocks.c.id)).mappings()
        sla_views = [_sla_view(svc, SlaClock.from_row(c), now) for c in clocks]
    return InstanceDetail(instance=steps.summary(inst), tasks=task_views, timers=timer_views, sla=sla_views,
                          triggers=available_triggers(compiled, inst, actor))


def _sla_view(svc: Services, clock: SlaClock, now: datetime) -> SlaView:
    used = clock.used_seconds
    if clock.status == "running" and clock.running_since is not None:
        used += sla.elapsed(svc, working=clock.working, start=clock.running_since, end=now)
    return SlaView(goal=clock.goal, status=clock.status, target_seconds=clock.target_seconds,
                   used_seconds=used, remaining_seconds=max(clock.target_seconds - used, 0),
                   due_at=clock.due_at, working=clock.working,
                   breached=clock.breached_at is not None or used > clock.target_seconds)


def list_instances(svc: Services, *, workflow: str | None = None, state: str | None = None,
                   subject_id: str | None = None, subject_type: str | None = None, status: str | None = None,
                   limit: int = 50, offset: int = 0, q: str | None = None,
                   subjects: Sequence[tuple[str, str]] = ()) -> Page:
    """Instances, newest first, filtered by equality on each given column; `q` (at most
    `MAX_SEARCH` characters) keeps those whose data contains it (any case), or whose subject is
    among `subjects` (the subjects whose name matches it, found by their pack)."""
    conditions: list[ColumnElement[bool]] = []
    for column, value in ((t.instances.c.workflow, workflow), (t.instances.c.state, state),
                          (t.instances.c.subject_id, subject_id), (t.instances.c.subject_type, subject_type),
                          (t.instances.c.status, status)):
        if value is not None:
            conditions.append(column == value)
    if q is not None and q.strip():
        conditions.append(_search(q.strip()[:MAX_SEARCH], subjects))
    with svc.uow(write=False) as uow:
        total = uow.conn.execute(select(func.count()).select_from(t.instances).where(*conditions)).scalar_one()
        rows = uow.conn.execute(select(t.instances).where(*conditions).order_by(t.instances.c.id.desc())
                                .limit(limit).offset(offset)).mappings().all()
    return Page(items=[steps.summary(Instance.from_row(r)) for r in rows], total=int(total), limit=limit,
                offset=offset)


MAX_SEARCH = 100


def _search(text: str, subjects: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    """Data containing `text` (JSON stores non-ASCII as \\uXXXX escapes, on SQLite and PostgreSQL
    alike, so the text is searched in that form too), or one of `subjects`."""
    data = cast(t.instances.c.data, Text)
    escaped = json.dumps(text)[1:-1]
    found = [data.icontains(text, autoescape=True)]
    if escaped != text:
        found.append(data.icontains(escaped, autoescape=True))
    found.append(t.instances.c.subject_id.icontains(text, autoescape=True))
    for kind in sorted({k for k, _ in subjects}):
        ids = [i for k, i in subjects if k == kind]
        found.append((t.instances.c.subject_type == kind) & t.instances.c.subject_id.in_(ids))
    return or_(*found)


def history(svc: Services, *, instance_id: int) -> list[AuditView]:
    """The audit trail of an instance and its tasks, oldest first."""
    with svc.uow(write=False) as uow:
        _instance(uow, instance_id)
        rows = uow.conn.execute(select(t.audit_events).where(t.audit_events.c.instance_id == instance_id)
                                .order_by(t.audit_events.c.id)).mappings().all()
    return [AuditView.model_validate(dict(r)) for r in rows]


def inbox(svc: Services, *, actor: Actor, assigned: str = "group", status: str = "open",
          workflow: str | None = None, limit: int = 100, offset: int = 0, sort: str = "due") -> Page:
    """Tasks for `actor`: `me` = assigned to them; `group` = assigned to them or open to their groups.

    `sort`: `due` (by due date, undated last) or `follow_up` (by follow-up date, then due date;
    tasks without a follow-up date last)."""
    mine = t.tasks.c.assignee_id == actor.id
    if assigned == "me":
        who: ColumnElement[bool] = mine
    else:
        groups = sorted(actor.groups)
        who = or_(mine, (t.tasks.c.assignee_id.is_(None) & t.tasks.c.candidate_group.in_(groups)))
    query = (select(t.tasks, t.instances.c.workflow, t.instances.c.definition_id)
             .join(t.instances, t.instances.c.id == t.tasks.c.instance_id).where(who))
    if status != "all":
        query = query.where(t.tasks.c.status == status)
    if workflow:
        query = query.where(t.instances.c.workflow == workflow)
    with svc.uow(write=False) as uow:
        total = uow.conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        k = t.tasks.c
        order: tuple[Any, ...] = (k.due_at.is_(None), k.due_at, k.id)
        if sort == "follow_up":
            order = (k.follow_up_on.is_(None), k.follow_up_on, *order)
        rows = uow.conn.execute(query.order_by(*order).limit(limit).offset(offset)).mappings().all()
        items = [task_view(svc, uow, r, workflow=r["workflow"], definition_id=r["definition_id"]) for r in rows]
    return Page(items=items, total=int(total), limit=limit, offset=offset)




def get_task(svc: Services, *, task_id: int) -> TaskView:
    query = (select(t.tasks, t.instances.c.workflow, t.instances.c.definition_id)
             .join(t.instances, t.instances.c.id == t.tasks.c.instance_id).where(t.tasks.c.id == task_id))
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"task {task_id} not found")
        return task_view(svc, uow, row, workflow=row["workflow"], definition_id=row["definition_id"])
