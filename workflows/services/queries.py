"""Reads: instance details, lists, history, inboxes. Reads never write."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from workflows.domain.errors import NotFound
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import sla, steps
from workflows.services.context import Services
from workflows.services.instances import available_triggers
from workflows.services.tasks import decisions_for
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


def _instance(uow: UnitOfWork, instance_id: int) -> dict[str, Any]:
    row = uow.conn.execute(select(t.instances).where(t.instances.c.id == instance_id)).mappings().first()
    if row is None:
        raise NotFound(f"instance {instance_id} not found")
    return dict(row)


def task_view(svc: Services, uow: UnitOfWork, row: Mapping[str, Any], *, workflow: str, definition_id: int
              ) -> TaskView:
    compiled = svc.compiled(uow.conn, definition_id)
    found = compiled.tasks.get(row["name"])
    title = found[1].title if found and found[1].title else None
    if row["trigger"] is not None:
        transition = compiled.definition.transitions
        spec = next((x for x in transition if x.trigger == row["trigger"]), None)
        zh = f"审批：{spec.title.zh if spec and spec.title else row['trigger']}"
        en = f"Approve: {spec.title.en if spec and spec.title else row['trigger']}"
    else:
        zh, en = (title.zh, title.en) if title else (row["name"], row["name"])
    now = svc.clock.now()
    return TaskView(
        id=row["id"], instance_id=row["instance_id"], workflow=workflow, name=row["name"], title_zh=zh, title_en=en,
        candidate_group=row["candidate_group"], assignee_id=row["assignee_id"], status=row["status"],
        trigger=row["trigger"], due_at=row["due_at"], decision=row["decision"], comment=row["comment"],
        decisions=decisions_for(compiled, dict(row)), completed_by=row["completed_by"],
        completed_at=row["completed_at"], escalated_at=row["escalated_at"], created_at=row["created_at"],
        overdue=row["status"] == "open" and row["due_at"] is not None and row["due_at"] < now,
    )


def get_instance(svc: Services, *, actor: Actor, instance_id: int) -> InstanceDetail:
    """An instance with its open tasks, scheduled timers, SLA clocks and the triggers `actor` may fire."""
    now = svc.clock.now()
    with svc.uow(write=False) as uow:
        inst = _instance(uow, instance_id)
        compiled = svc.compiled(uow.conn, inst["definition_id"])
        tasks = uow.conn.execute(select(t.tasks).where(t.tasks.c.instance_id == instance_id,
                                                       t.tasks.c.status == "open").order_by(t.tasks.c.id)).mappings()
        task_views = [task_view(svc, uow, dict(r), workflow=inst["workflow"], definition_id=inst["definition_id"])
                      for r in tasks]
        timers = uow.conn.execute(select(t.timers).where(t.timers.c.instance_id == instance_id,
                                                         t.timers.c.status == "scheduled")
                                  .order_by(t.timers.c.due_at)).mappings()
        timer_views = [TimerView.model_validate(dict(r)) for r in timers]
        clocks = uow.conn.execute(select(t.sla_clocks).where(t.sla_clocks.c.instance_id == instance_id)
                                  .order_by(t.sla_clocks.c.id)).mappings()
        sla_views = [_sla_view(svc, dict(c), now) for c in clocks]
    return InstanceDetail(instance=steps.summary(inst), tasks=task_views, timers=timer_views, sla=sla_views,
                          triggers=available_triggers(compiled, inst, actor))


def _sla_view(svc: Services, clock: dict[str, Any], now: Any) -> SlaView:
    used = clock["used_seconds"]
    if clock["status"] == "running" and clock["running_since"] is not None:
        used += sla.elapsed(svc, working=clock["working"], start=clock["running_since"], end=now)
    return SlaView(goal=clock["goal"], status=clock["status"], target_seconds=clock["target_seconds"],
                   used_seconds=used, remaining_seconds=max(clock["target_seconds"] - used, 0),
                   due_at=clock["due_at"], working=clock["working"],
                   breached=clock["breached_at"] is not None or used > clock["target_seconds"])


def list_instances(svc: Services, *, workflow: str | None = None, state: str | None = None,
                   subject_id: str | None = None, subject_type: str | None = None, status: str | None = None,
                   limit: int = 50, offset: int = 0) -> Page:
    conditions: list[ColumnElement[bool]] = []
    for column, value in ((t.instances.c.workflow, workflow), (t.instances.c.state, state),
                          (t.instances.c.subject_id, subject_id), (t.instances.c.subject_type, subject_type),
                          (t.instances.c.status, status)):
        if value is not None:
            conditions.append(column == value)
    with svc.uow(write=False) as uow:
        total = uow.conn.execute(select(func.count()).select_from(t.instances).where(*conditions)).scalar_one()
        rows = uow.conn.execute(select(t.instances).where(*conditions).order_by(t.instances.c.id.desc())
                                .limit(limit).offset(offset)).mappings().all()
    return Page(items=[steps.summary(dict(r)) for r in rows], total=int(total), limit=limit, offset=offset)


def history(svc: Services, *, instance_id: int) -> list[AuditView]:
    """The audit trail of an instance and its tasks, oldest first."""
    with svc.uow(write=False) as uow:
        _instance(uow, instance_id)
        rows = uow.conn.execute(select(t.audit_events).where(t.audit_events.c.instance_id == instance_id)
                                .order_by(t.audit_events.c.id)).mappings().all()
    return [AuditView.model_validate(dict(r)) for r in rows]


def inbox(svc: Services, *, actor: Actor, assigned: str = "group", status: str = "open",
          workflow: str | None = None, limit: int = 100, offset: int = 0) -> Page:
    """Tasks for `actor`: `me` = assigned to them; `group` = assigned to them or open to their groups."""
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
        rows = uow.conn.execute(query.order_by(t.tasks.c.due_at.is_(None), t.tasks.c.due_at, t.tasks.c.id)
                                .limit(limit).offset(offset)).mappings().all()
        items = [task_view(svc, uow, dict(r), workflow=r["workflow"], definition_id=r["definition_id"]) for r in rows]
    return Page(items=items, total=int(total), limit=limit, offset=offset)




def get_task(svc: Services, *, task_id: int) -> TaskView:
    query = (select(t.tasks, t.instances.c.workflow, t.instances.c.definition_id)
             .join(t.instances, t.instances.c.id == t.tasks.c.instance_id).where(t.tasks.c.id == task_id))
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(query).mappings().first()
        if row is None:
            raise NotFound(f"task {task_id} not found")
        return task_view(svc, uow, dict(row), workflow=row["workflow"], definition_id=row["definition_id"])
