"""Transitions that need an approval: firing one opens a task for the approving group."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from workflows.domain.definition import ApprovalDef
from workflows.domain.errors import Conflict
from workflows.domain.principals import Actor
from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit, notify
from workflows.services.steps import payload_for


def approval_task_name(trigger: str) -> str:
    return f"approve_{trigger}"


def request_approval(
    svc: Services, uow: UnitOfWork, *, compiled: CompiledWorkflow, inst: Mapping[str, Any], trigger: str,
    actor: Actor, comment: str | None, data: Mapping[str, Any] | None, now: datetime,
) -> int:
    """Open the approval task for `trigger` (one at a time per trigger and instance); returns its id."""
    transition = compiled.transition(trigger, inst["state"])
    assert transition.approval is not None
    pending = uow.conn.execute(
        select(t.tasks.c.id).where(t.tasks.c.instance_id == inst["id"], t.tasks.c.trigger == trigger,
                                   t.tasks.c.status == "open")
    ).scalar()
    if pending is not None:
        raise Conflict(f"an approval of {trigger!r} is already pending as task {pending}")
    group = transition.approval.group
    due_at = svc.due(now, compiled.duration(transition.approval.due)) if transition.approval.due else None
    task_id = int(uow.conn.execute(insert(t.tasks).returning(t.tasks.c.id), {
        "instance_id": inst["id"], "name": approval_task_name(trigger), "entry": inst["revision"],
        "candidate_group": group, "original_group": group, "assignee_id": None, "status": "open",
        "trigger": trigger, "due_at": due_at, "created_at": now,
        "payload": {"requested_by": actor.id, "requested_by_login": actor.login, "comment": comment,
                    "data": dict(data or {})},
    }).scalar_one())
    if due_at is not None and transition.approval.due:
        _schedule(svc, uow, compiled=compiled, inst=inst, task_id=task_id, trigger=trigger, now=now, due_at=due_at,
                  approval=transition.approval)
    audit(uow, now=now, actor=actor, entity_type="task", entity_id=task_id, instance_id=inst["id"],
          action="approval_requested", from_state=inst["state"], trigger=trigger, comment=comment,
          data=dict(data or {}))
    notify(uow, now=now, instance_id=inst["id"], recipients=[f"group:{group}"], template="approval_requested",
           payload=payload_for(inst, compiled, task_id=task_id, trigger=trigger, actor=actor.login,
                               comment=comment))
    return task_id


def _schedule(svc: Services, uow: UnitOfWork, *, compiled: CompiledWorkflow, inst: Mapping[str, Any], task_id: int,
              trigger: str, now: datetime, due_at: datetime, approval: ApprovalDef) -> None:
    """The approval task's overdue notice and reminders, like a state task's (cancelled when it closes)."""
    assert approval.due is not None
    due_duration = compiled.duration(approval.due)
    rows = [{"kind": "task_due", "due_at": due_at}]
    rows += [{"kind": "task_reminder", "due_at": svc.before(due_at, now, due_duration, compiled.duration(before))}
             for before in approval.remind_before]
    uow.conn.execute(insert(t.timers), [
        {**row, "instance_id": inst["id"], "task_id": task_id, "name": approval_task_name(trigger),
         "state": inst["state"], "entry": inst["revision"], "trigger": None, "status": "scheduled",
         "payload": {}, "attempts": 0, "created_at": now}
        for row in rows
    ])
