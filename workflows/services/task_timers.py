"""A task's due time and reminders as timer rows, for state tasks and approval tasks alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert

from workflows.domain.durations import Duration
from workflows.domain.rows import Instance
from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services

_INSERT = insert(t.timers)


def schedule_task_timers(svc: Services, uow: UnitOfWork, *, compiled: CompiledWorkflow, inst: Instance,
                         task_id: int, name: str, due_at: datetime, due: Duration, remind_before: Sequence[str],
                         escalate_to: str | None, now: datetime) -> None:
    """Schedule the `task_due` timer (the overdue notice, and the move to `escalate_to` if any) and a
    `task_reminder` per `remind_before`, each that long ahead of `due_at` (which is `due` after `now`).

    They are cancelled when the task closes (`tasks`) or its state is left (`steps`).
    """
    moments = [("task_due", due_at)]
    moments += [("task_reminder", svc.before(due_at, now, due, compiled.duration(before))) for before in remind_before]
    uow.conn.execute(_INSERT, [
        {"kind": kind, "due_at": at, "instance_id": inst.id, "task_id": task_id, "name": name, "state": inst.state,
         "entry": inst.revision, "trigger": None, "status": "scheduled", "payload": {"escalate_to": escalate_to},
         "attempts": 0, "created_at": now}
        for kind, at in moments
    ])
