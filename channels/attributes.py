"""What variants of definitions about channels (`subject: channel`) select on: `channel_type`.

Read once when an instance starts (never per step): the subject channel's registered type, or, for a
channel not registered yet (an onboarding application), the `channel_type` in the instance data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from channels import tables as ct
from channels.tables import CHANNEL_TYPES
from workflows.engine.registry import Registry, SubjectAttributes
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import EffectContext


def channel_attributes(uow: UnitOfWork, subject_id: str | None, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """`{"channel_type": ...}` of the channel named by id or code, else of the application's data."""
    if subject_id:
        c = ct.channels.c
        by_id = subject_id.isdigit() and len(subject_id) < 10  # an id fits an INTEGER column
        condition = c.id == int(subject_id) if by_id else c.code == subject_id
        found = uow.conn.execute(select(c.type).where(condition)).scalar()
        if found is not None:
            return {"channel_type": found}
    value = data.get("channel_type")
    return {"channel_type": value} if isinstance(value, str) else {}


def register(registry: Registry[EffectContext]) -> None:
    """Name the channel attributes in `registry` (called by the composition root)."""
    registry.subject("channel", SubjectAttributes(values={"channel_type": CHANNEL_TYPES}, read=channel_attributes))
