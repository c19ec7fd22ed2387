"""Who may read a meeting, who may change it, and who is invited (groups resolved to their members)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from workflows.domain.errors import PermissionDenied
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork


def is_committee(actor: Actor) -> bool:
    return actor.in_group("committee") or "committee" in actor.roles


def may_read(actor: Actor, meeting: Mapping[str, Any]) -> bool:
    """Attendees (by user or by group), the committee, admins, auditors (viewers read everything)."""
    return (actor.is_admin or actor.is_system or is_committee(actor) or "viewer" in actor.roles
            or (actor.id is not None and actor.id in meeting["attendee_users"])
            or bool(actor.groups & set(meeting["attendee_groups"])))


def require_read(actor: Actor, meeting: Mapping[str, Any]) -> None:
    if not may_read(actor, meeting):
        raise PermissionDenied(f"only the attendees of meeting {meeting['id']}, the committee and admins may read it")


def require_organiser(actor: Actor) -> None:
    """Meetings are set up and their agendas prepared by the committee or an admin (or the system)."""
    if not (actor.is_admin or actor.is_system or is_committee(actor)):
        raise PermissionDenied("only the committee or an admin may organise meetings")


def require_committee(actor: Actor) -> None:
    if not is_committee(actor):
        raise PermissionDenied("only committee members may record a meeting's decisions")


def attendee_rows(uow: UnitOfWork, meeting: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The active users invited by id or through a group, by id."""
    users = uow.conn.execute(select(t.users.c.id, t.users.c.login, t.users.c.display_name, t.users.c.email,
                                    t.users.c.groups).where(t.users.c.active.is_(True))
                             .order_by(t.users.c.id)).mappings().all()
    invited, groups = set(meeting["attendee_users"]), set(meeting["attendee_groups"])
    return [dict(u) for u in users if u["id"] in invited or groups & set(u["groups"] or [])]
