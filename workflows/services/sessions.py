"""Ending a user's sessions: "log out everywhere", and what a password change implies.

A user's `session_epoch` is carried in every session cookie and access token issued to them;
raising it ends all of them. This process forgets the cached user at once; other API processes
notice within CHANNELOPS_ACTOR_CACHE_SECONDS. Long-lived API tokens (`cop_...`) are not sessions
and stay valid: revoke them one by one.
"""

from __future__ import annotations

from sqlalchemy import select, update

from workflows.domain.errors import InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, UserRef, require
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit

MIN_PASSWORD = 8


def _bump(uow: UnitOfWork, *, user_id: int, **values: object) -> int:
    """Raise the user's epoch (and set `values`); the new epoch."""
    epoch = uow.conn.execute(update(t.users).where(t.users.c.id == user_id)
                             .values(session_epoch=t.users.c.session_epoch + 1, **values)
                             .returning(t.users.c.session_epoch)).scalar()
    if epoch is None:
        raise NotFound(f"user {user_id} not found")
    return int(epoch)


def end_sessions(svc: Services, *, actor: Actor, user_id: int) -> int:
    """Log `user_id` out everywhere: every session cookie and access token issued so far stops
    working (oneself, or an admin for anyone). Returns the new epoch."""
    require(actor, Action.END_SESSIONS, UserRef(user_id))
    now = svc.clock.now()
    with svc.uow() as uow:
        epoch = _bump(uow, user_id=user_id)
        audit(uow, now=now, actor=actor, entity_type="user", entity_id=user_id, action="sessions_ended",
              data={"session_epoch": epoch})
        uow.commit()
    svc.actors.forget(user_id)
    return epoch


def change_password(svc: Services, *, actor: Actor, user_id: int, password: str) -> int:
    """Set a new password for `user_id` (oneself, or an admin for anyone) and end their sessions:
    whoever knew the old password is logged out. Returns the new epoch."""
    require(actor, Action.END_SESSIONS, UserRef(user_id))
    if len(password) < MIN_PASSWORD or len(password) > 200:
        raise InvalidInput("the password is not valid",
                           [Problem("password", f"must be {MIN_PASSWORD} to 200 characters")])
    hashed = svc.passwords.hash(password)
    now = svc.clock.now()
    with svc.uow() as uow:
        if uow.conn.execute(select(t.users.c.id).where(t.users.c.id == user_id)).first() is None:
            raise NotFound(f"user {user_id} not found")
        epoch = _bump(uow, user_id=user_id, password_hash=hashed)
        audit(uow, now=now, actor=actor, entity_type="user", entity_id=user_id, action="password_changed",
              data={"session_epoch": epoch})
        uow.commit()
    svc.actors.forget(user_id)
    return epoch
