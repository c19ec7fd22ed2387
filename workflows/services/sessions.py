"""Ending a user's sessions: "log out everywhere", and what a password change implies.

A user's `session_epoch` is carried in every session cookie and access token issued to them;
raising it ends all of them. This process forgets the cached user at once; other API processes
notice within CHANNELOPS_ACTOR_CACHE_SECONDS. Long-lived API tokens (`cop_...`) are not sessions
and stay valid: revoke them one by one.
"""

from __future__ import annotations

from sqlalchemy import select, update

from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem, TooManyRequests
from workflows.domain.permissions import Action, UserRef, require
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import throttle
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


def change_password(svc: Services, *, actor: Actor, user_id: int, password: str,
                    action: str = "password_changed") -> int:
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
        audit(uow, now=now, actor=actor, entity_type="user", entity_id=user_id, action=action,
              data={"session_epoch": epoch})
        uow.commit()
    svc.actors.forget(user_id)
    return epoch


def reset_password(svc: Services, *, actor: Actor, user_id: int, password: str) -> int:
    """An admin sets `user_id`'s password without knowing the old one (audited `password_reset`);
    the user's sessions end. Returns the new epoch. Hashes (≈0.3 s of CPU)."""
    require(actor, Action.RESET_PASSWORD)
    return change_password(svc, actor=actor, user_id=user_id, password=password, action="password_reset")


def change_own_password(svc: Services, *, actor: Actor, old_password: str, new_password: str,
                        address: str = "unknown") -> int:
    """The signed-in user changes their password, giving the old one; every session of theirs ends
    (the caller starts a new one with the returned epoch).

    A wrong old password counts as a failed login for the user's name and `address`, so a stolen
    session cannot guess it faster than the login page allows. Hashes twice (≈0.6 s of CPU).

    Raises:
        InvalidInput: the old password is wrong, or the new one is too short or long.
        TooManyRequests: too many wrong passwords lately. Conflict: the user has no password.
    """
    require(actor, Action.CHANGE_PASSWORD, UserRef(actor.id))
    assert actor.id is not None
    if len(new_password) < MIN_PASSWORD or len(new_password) > 200:
        raise InvalidInput("the password is not valid",
                           [Problem("new_password", f"must be {MIN_PASSWORD} to 200 characters")])
    now = svc.clock.now()
    with svc.uow(write=False) as uow:
        wait = throttle.seconds_locked(uow, now=now, login=actor.login, address=address)
        hashed = uow.conn.execute(select(t.users.c.password_hash).where(t.users.c.id == actor.id)).scalar()
    if wait:
        raise TooManyRequests("too many wrong passwords; try again later", retry_after=wait)
    if hashed is None:
        raise Conflict("you have no password to change; ask an admin to set one")
    if not svc.passwords.verify(old_password, hashed):
        with svc.uow() as uow:
            locked = throttle.record_failure(uow, policy=svc.login_policy, now=now, login=actor.login,
                                             address=address)
            uow.commit()
        if locked:
            raise TooManyRequests("too many wrong passwords; try again later", retry_after=locked)
        raise InvalidInput("the password was not changed",
                           [Problem("old_password", "is not your current password")])
    return change_password(svc, actor=actor, user_id=actor.id, password=new_password)
