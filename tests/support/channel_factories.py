"""Factories for channel-pack tests: channels with random codes and KPI rows written through the services."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from channels import tables as ct
from channels.kpi_import import import_records
from channels.registry import create_channel
from channels.views import ChannelView
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.users import actor_for, add_user

ADMIN_LOGIN = "kpi_admin"


def admin(svc: Services) -> Actor:
    with svc.uow(write=False) as uow:
        known = uow.conn.execute(select(t.users.c.id).where(t.users.c.login == ADMIN_LOGIN)).scalar()
    if known is None:
        from workflows.domain.principals import SYSTEM

        add_user(svc, actor=SYSTEM, login=ADMIN_LOGIN, is_admin=True)
    return actor_for(svc, login=ADMIN_LOGIN)


def channel(svc: Services, *, type: str = "agent", region: str = "east", manager: Actor | None = None,
            active: bool = True, code: str | None = None, monthly_target: float | None = None) -> ChannelView:
    """A registered channel (active in `introduction` unless `active=False`)."""
    values: dict[str, Any] = {"code": code or f"T-{uuid.uuid4().hex[:8]}", "name": "测试渠道", "type": type,
                              "region": region, "manager_id": manager.id if manager else None,
                              "monthly_target": monthly_target, "activate": active}
    return create_channel(svc, actor=admin(svc), values=values)


def report(svc: Services, code: str, sales: dict[str, float], *, target: float = 100.0,
           **metrics: float) -> None:
    """KPI rows for `code`: month -> sales actual, all against `target`."""
    rows = [{"channel_code": code, "period": month, "sales_target": target, "sales_actual": actual, **metrics}
            for month, actual in sales.items()]
    import_records(svc, actor=admin(svc), rows=rows)


def quarter_months(quarter: str) -> list[str]:
    from channels.periods import months_of

    return months_of(quarter)


def by_quarter(attainments: dict[str, float]) -> dict[str, float]:
    """quarter -> attainment percent, as monthly sales against a target of 100 (each month the same)."""
    return {month: value for quarter, value in attainments.items() for month in quarter_months(quarter)}


def channel_row(svc: Services, channel_id: int) -> dict[str, Any]:
    with svc.uow(write=False) as uow:
        return dict(uow.conn.execute(select(ct.channels).where(ct.channels.c.id == channel_id)).mappings().one())


def rows(svc: Services, table: Any, *where: Any) -> list[dict[str, Any]]:
    with svc.uow(write=False) as uow:
        return [dict(r) for r in uow.conn.execute(select(table).where(*where)).mappings()]


def instances_of(svc: Services, channel_id: int, workflow: str) -> list[dict[str, Any]]:
    i = t.instances.c
    return rows(svc, t.instances, i.workflow == workflow, i.subject_id == str(channel_id))


def outbox_to(svc: Services, recipient: str, template: str | None = None) -> list[dict[str, Any]]:
    o = t.outbox.c
    where: Iterable[Any] = [o.recipient == recipient] + ([o.template == template] if template else [])
    return rows(svc, t.outbox, *where)
