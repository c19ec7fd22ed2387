"""Activating a channel: it becomes active and its `channel_lifecycle` instance starts in
`introduction` (whose effect records the stage and its date). Used by the onboarding approval's
effect, and by administrators registering a channel that already operates (`activate=True`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update

from channels import tables as ct
from channels.links import ensure_running, start_for_channel
from channels.rows import channel_row
from workflows.domain.errors import Conflict
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit

_ACTIVATE = update(ct.channels).where(ct.channels.c.id == bindparam("cid")).values(active=True,
                                                                                updated_at=bindparam("now"))


def activate_in(svc: Services, uow: UnitOfWork, *, actor: Actor, channel_id: int, now: datetime,
                instance_id: int | None = None, comment: str | None = None,
                channel: Mapping[str, Any] | None = None, new: bool = False) -> None:
    """Inside the caller's transaction; the lifecycle instance is started as `system`. `channel` is the
    channel's row when the caller has just read it locked (or written it), so it is not read again;
    `new`: the caller inserted it in this transaction, already active (`insert_channel(..., active=True)`),
    so it has no lifecycle yet and only its activation is recorded."""
    if channel is None:
        channel = channel_row(uow, channel_id, lock=True)
    if channel["stage"] == "exit":
        raise Conflict(f"channel {channel['code']} has exited; register a new channel instead")
    if new or not channel["active"]:
        if not new:
            uow.conn.execute(_ACTIVATE, {"cid": channel_id, "now": now})
        audit(uow, now=now, actor=actor, entity_type="channel", entity_id=channel_id, action="activated",
              instance_id=instance_id, from_state=channel["stage"], comment=comment)
    if new:
        start_for_channel(svc, uow, workflow="channel_lifecycle", channel=channel, actor=SYSTEM)
    else:
        ensure_running(svc, uow, workflow="channel_lifecycle", channel_id=channel_id, actor=SYSTEM, channel=channel)
