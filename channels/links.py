"""How channels and their workflow instances find each other.

A channel's instances have `subject_type='channel'` and `subject_id=str(channel.id)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from channels.rows import channel_row
from workflows.domain.principals import Actor
from workflows.domain.rows import Instance
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.instances import start_instance_in
from workflows.services.steps import lock_instance
from workflows.services.users import login_of


def local_date(svc: Services, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(svc.calendar.config.timezone)).date()


_ACTIVE_INSTANCE = (select(t.instances.c.id)
                    .where(t.instances.c.workflow == bindparam("workflow"), t.instances.c.subject_type == "channel",
                           t.instances.c.subject_id == bindparam("subject_id"), t.instances.c.status == "active")
                    .order_by(t.instances.c.id.desc()).limit(1))


def active_instance_id(uow: UnitOfWork, *, workflow: str, channel_id: int) -> int | None:
    """The channel's running instance of `workflow` (the newest, if several)."""
    found = uow.conn.execute(_ACTIVE_INSTANCE, {"workflow": workflow, "subject_id": str(channel_id)}).scalar()
    return None if found is None else int(found)


def instance_states(uow: UnitOfWork, *, workflow: str) -> dict[int, str]:
    """channel id -> the state of its running `workflow` instance (the newest, if several), in one query."""
    i = t.instances.c
    rows = uow.conn.execute(select(i.subject_id, i.state).where(
        i.workflow == workflow, i.subject_type == "channel", i.status == "active").order_by(i.id))
    return {int(subject): state for subject, state in rows if subject and subject.isdigit()}


def ensure_instance(svc: Services, uow: UnitOfWork, *, workflow: str, channel_id: int,
                    actor: Actor) -> Instance:
    """The channel's running `workflow` instance, locked; started (as `actor`) if it has none."""
    return lock_instance(uow, ensure_running(svc, uow, workflow=workflow, channel_id=channel_id, actor=actor))


def ensure_running(svc: Services, uow: UnitOfWork, *, workflow: str, channel_id: int, actor: Actor,
                   channel: Mapping[str, Any] | None = None) -> int:
    """The id of the channel's running `workflow` instance (not locked), started (as `actor`) if it has
    none; `channel` is its row if the caller has it.

    The manager is named in the data (`channel_manager`, which the definitions notify), not as the
    requester: the instance is the system's, and the manager is told once, not twice.
    """
    found = active_instance_id(uow, workflow=workflow, channel_id=channel_id)
    if found is not None:
        return found
    return start_for_channel(svc, uow, workflow=workflow, actor=actor,
                             channel=channel if channel is not None else channel_row(uow, channel_id))


def start_for_channel(svc: Services, uow: UnitOfWork, *, workflow: str, channel: Mapping[str, Any],
                      actor: Actor) -> int:
    """Start a `workflow` instance about `channel` (its row), without looking for a running one (the
    caller knows there is none); returns its id."""
    login = login_of(uow.conn, channel["manager_id"])
    started = start_instance_in(svc, uow, actor=actor, workflow=workflow,
                                subject={"type": "channel", "id": str(channel["id"])},
                                data={"channel_manager": login} if login else {})
    return started.id
