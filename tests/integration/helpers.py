"""Small readers used by several integration tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from workflows.persistence import tables as t
from workflows.services.context import Services


def count(svc: Services, table: Any, *where: Any) -> int:
    with svc.uow(write=False) as uow:
        return int(uow.conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def open_tasks(svc: Services, instance_id: int) -> list[dict[str, Any]]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.tasks).where(t.tasks.c.instance_id == instance_id,
                                                      t.tasks.c.status == "open").order_by(t.tasks.c.id))
        return [dict(r) for r in rows.mappings()]


def task_for(svc: Services, instance_id: int, group: str) -> int:
    return next(int(task["id"]) for task in open_tasks(svc, instance_id) if task["candidate_group"] == group)


def timers(svc: Services, instance_id: int, status: str = "scheduled") -> list[dict[str, Any]]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.timers).where(t.timers.c.instance_id == instance_id,
                                                       t.timers.c.status == status).order_by(t.timers.c.due_at))
        return [dict(r) for r in rows.mappings()]


def audit_actions(svc: Services, instance_id: int) -> list[tuple[str, str | None]]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.audit_events.c.action, t.audit_events.c.trigger)
                                .where(t.audit_events.c.instance_id == instance_id).order_by(t.audit_events.c.id))
        return [(r.action, r.trigger) for r in rows]
