"""Transitions that need an approval: firing one opens a task for the approving group."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from workflows.domain.errors import Conflict
from workflows.domain.principals import Actor
from workflows.domain.rows import ApprovalRequest, Instance
from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit, notify
from workflows.services.steps import payload_for
from workflows.services.task_timers import schedule_task_timers


def approval_task_name(trigger: str) -> str:
    return f"approve_{trigger}"


def request_approval(
    svc: Services, uow: UnitOfWork, *, compiled: CompiledWorkflow, inst: Instance, trigger: str,
    actor: Actor, comment: str | None, data: Mapping[str, Any] | None, now: datetime,
) -> int:
    """Open the approval task for `trigger` (one at a time per trigger and instance); returns its id.

    Its due time and reminders are scheduled like a state task's (cancelled when it closes).
    """
    transition = compiled.transition(trigger, inst.state)
    approval = transition.approval
    assert approval is not None
    pending = uow.conn.execute(
        select(t.tasks.c.id).where(t.tasks.c.instance_id == inst.id, t.tasks.c.trigger == trigger,
                                   t.tasks.c.status == "open")
    ).scalar()
    if pending is not None:
        raise Conflict(f"an approval of {trigger!r} is already pending as task {pending}")
    group, name = approval.group, approval_task_name(trigger)
    due = compiled.duration(approval.due) if approval.due else None
    due_at = svc.due(now, due) if due else None
    request = ApprovalRequest(requested_by=actor.id, requested_by_login=actor.login, comment=comment,
                              data=dict(data or {}))
    task_id = int(uow.conn.execute(insert(t.tasks).returning(t.tasks.c.id), {
        "instance_id": inst.id, "name": name, "entry": inst.revision, "candidate_group": group,
        "original_group": group, "assignee_id": None, "status": "open", "trigger": trigger, "due_at": due_at,
        "created_at": now, "payload": request.payload(),
    }).scalar_one())
    if due is not None and due_at is not None:
        schedule_task_timers(svc, uow, compiled=compiled, inst=inst, task_id=task_id, name=name, due_at=due_at,
                             due=due, remind_before=approval.remind_before, escalate_to=None, now=now)
    audit(uow, now=now, actor=actor, entity_type="task", entity_id=task_id, instance_id=inst.id,
          action="approval_requested", from_state=inst.state, trigger=trigger, comment=comment,
          data=dict(data or {}))
    notify(uow, now=now, instance_id=inst.id, recipients=[f"group:{group}"], template="approval_requested",
           payload=payload_for(inst, compiled, task_id=task_id, trigger=trigger, actor=actor.login,
                               comment=comment))
    return task_id
