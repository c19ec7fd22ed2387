"""What variants of definitions about channels (`subject: channel`) select on: `channel_type`.

Read once when an instance starts (never per step): the subject channel's registered type, or, for a
channel not registered yet (an onboarding application), the `channel_type` in the instance data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select

from channels import tables as ct
from channels.rows import id_or_code
from channels.tables import CHANNEL_TYPES
from workflows.engine.registry import Registry, SubjectAttributes
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import EffectContext

# Built once, not at each start (a start reads one channel's type).
_TYPE_BY_ID = select(ct.channels.c.type).where(ct.channels.c.id == bindparam("key"))
_TYPE_BY_CODE = select(ct.channels.c.type).where(ct.channels.c.code == bindparam("key"))


def channel_attributes(uow: UnitOfWork, subject_id: str | None, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """`{"channel_type": ...}` of the channel named by id or code, else of the application's data."""
    if subject_id:
        key = id_or_code(subject_id)
        found = uow.conn.execute(_TYPE_BY_ID if isinstance(key, int) else _TYPE_BY_CODE, {"key": key}).scalar()
        if found is not None:
            return {"channel_type": found}
    value = data.get("channel_type")
    return {"channel_type": value} if isinstance(value, str) else {}


def register(registry: Registry[EffectContext]) -> None:
    """Name the channel attributes in `registry` (called by the composition root)."""
    registry.subject("channel", SubjectAttributes(values={"channel_type": CHANNEL_TYPES}, read=channel_attributes))
