"""A meeting as the permission table sees it, and who is invited (groups resolved to their members).

Who may read, organise or decide: `channels/permissions.py`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from channels.permissions import ChannelAction, MeetingRef, allows, require
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork


def meeting_ref(meeting: Mapping[str, Any]) -> MeetingRef:
    return MeetingRef(attendee_users=meeting["attendee_users"], attendee_groups=meeting["attendee_groups"])


def may_read(actor: Actor, meeting: Mapping[str, Any]) -> bool:
    return allows(actor, ChannelAction.READ_MEETING, meeting_ref(meeting))


def require_read(actor: Actor, meeting: Mapping[str, Any]) -> None:
    require(actor, ChannelAction.READ_MEETING, meeting_ref(meeting),
            message=f"only the attendees of meeting {meeting['id']}, the committee, auditors and admins may read it")


def attendee_rows(uow: UnitOfWork, meeting: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The active users invited by id or through a group, by id."""
    users = uow.conn.execute(select(t.users.c.id, t.users.c.login, t.users.c.display_name, t.users.c.email,
                                    t.users.c.groups).where(t.users.c.active.is_(True))
                             .order_by(t.users.c.id)).mappings().all()
    invited, groups = set(meeting["attendee_users"]), set(meeting["attendee_groups"])
    return [dict(u) for u in users if u["id"] in invited or groups & set(u["groups"] or [])]
