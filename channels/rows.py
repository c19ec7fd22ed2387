"""Reading one channel row (shared by the registry, the effects and the rules)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from channels import tables as ct
from workflows.domain.errors import NotFound
from workflows.persistence.uow import UnitOfWork


def channel_row(uow: UnitOfWork, channel_id: int, *, lock: bool = False) -> dict[str, Any]:
    query = select(ct.channels).where(ct.channels.c.id == channel_id)
    if lock and uow.dialect == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"channel {channel_id} not found")
    return dict(row)
