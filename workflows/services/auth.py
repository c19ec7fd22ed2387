"""Authentication and user administration: passwords, long-lived API tokens, deactivation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update

from workflows.domain.errors import Conflict, NotFound, Unauthenticated
from workflows.domain.permissions import Action, UserRef, require
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.records import audit
from workflows.services.users import actor_from_row
from workflows.services.views import UserView, View

TOKEN_PREFIX = "cop_"
ENDED = "this session has ended (logged out, or the password changed); log in again"


class ApiTokenView(View):
    id: int
    user_id: int
    name: str
    prefix: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedToken(View):
    token: str
    info: ApiTokenView




_USER = select(t.users).where(t.users.c.id == bindparam("uid"))


def known_actor(svc: Services, *, user_id: int, epoch: int | None = None) -> Actor | None:
    """The actor `user_id` if this process read it within the cache time, without touching the
    database (None otherwise): lets a caller skip the worker thread that `actor_by_id` may need.

    `epoch` is the session epoch a cookie or access token carries (None: no session, e.g. an API
    token). An older one than the cached user's has ended (Unauthenticated); a newer one means the
    cache is behind another process (None: read the user again).
    """
    cached = svc.actors.get(user_id)
    if cached is None or epoch is None or epoch == cached.session_epoch:
        return cached
    if epoch < cached.session_epoch:
        raise Unauthenticated(ENDED)
    return None


def actor_by_id(svc: Services, *, user_id: int, epoch: int | None = None) -> Actor:
    """The active user `user_id` as an actor (briefly cached: see `Services.actors`), if the session
    epoch `epoch` (when given) is still the user's."""
    cached = known_actor(svc, user_id=user_id, epoch=epoch)
    if cached is not None:
        return cached
    stamp = svc.actors.stamp()
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(_USER, {"uid": user_id}).mappings().first()
    if row is None or not row["active"]:
        raise Unauthenticated("the account behind this token is no longer active")
    actor = actor_from_row(dict(row))
    svc.actors.put(user_id, actor, stamp=stamp)
    if epoch is not None and epoch != actor.session_epoch:
        raise Unauthenticated(ENDED)
    return actor


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(svc: Services, *, actor: Actor, user_id: int, name: str,
                    expires_at: datetime | None = None) -> IssuedToken:
    """Create a token for `user_id`; the token itself is returned only here, only its hash is kept."""
    require(actor, Action.MANAGE_USERS)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = svc.clock.now()
    with svc.uow() as uow:
        if uow.conn.execute(select(t.users.c.id).where(t.users.c.id == user_id)).first() is None:
            raise NotFound(f"user {user_id} not found")
        values = {"user_id": user_id, "name": name, "token_hash": _digest(token), "prefix": token[:12],
                  "created_by": actor.login, "created_at": now, "expires_at": expires_at,
                  "last_used_at": None, "revoked_at": None}
        token_id = uow.conn.execute(insert(t.api_tokens).returning(t.api_tokens.c.id), values).scalar_one()
        audit(uow, now=now, actor=actor, entity_type="user", entity_id=user_id, action="api_token_issued",
              data={"token_id": token_id, "name": name})
        uow.commit()
    return IssuedToken(token=token, info=ApiTokenView.model_validate({**values, "id": token_id}))


def revoke_api_token(svc: Services, *, actor: Actor, token_id: int, user_id: int | None = None) -> None:
    require(actor, Action.MANAGE_USERS)
    now = svc.clock.now()
    with svc.uow() as uow:
        row = uow.conn.execute(select(t.api_tokens).where(t.api_tokens.c.id == token_id)).mappings().first()
        if row is None or (user_id is not None and row["user_id"] != user_id):
            raise NotFound(f"API token {token_id} not found")
        if row["revoked_at"] is None:
            uow.conn.execute(update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(revoked_at=now))
            audit(uow, now=now, actor=actor, entity_type="user", entity_id=row["user_id"],
                  action="api_token_revoked", data={"token_id": token_id})
        uow.commit()


def list_api_tokens(svc: Services, *, actor: Actor, user_id: int) -> list[ApiTokenView]:
    require(actor, Action.MANAGE_USERS)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.api_tokens).where(t.api_tokens.c.user_id == user_id)
                                .order_by(t.api_tokens.c.id)).mappings().all()
    return [ApiTokenView.model_validate(dict(r)) for r in rows]


def actor_for_api_token(svc: Services, *, token: str) -> Actor:
    """The user behind a valid, unrevoked, unexpired API token."""
    now = svc.clock.now()
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(select(t.api_tokens).where(t.api_tokens.c.token_hash == _digest(token))
                               ).mappings().first()
    if row is None or row["revoked_at"] is not None:
        raise Unauthenticated("this API token is not valid (unknown or revoked)")
    if row["expires_at"] is not None and row["expires_at"] <= now:
        raise Unauthenticated("this API token has expired")
    return actor_by_id(svc, user_id=row["user_id"])


def list_users(svc: Services, *, actor: Actor) -> list[UserView]:
    require(actor, Action.MANAGE_USERS)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.users).order_by(t.users.c.login)).mappings().all()
    return [UserView.model_validate(dict(r)) for r in rows]


def deactivate_user(svc: Services, *, actor: Actor, user_id: int) -> UserView:
    require(actor, Action.MANAGE_USERS)
    if actor.id == user_id:
        raise Conflict("you cannot deactivate your own account")
    now = svc.clock.now()
    with svc.uow() as uow:
        row = uow.conn.execute(select(t.users).where(t.users.c.id == user_id)).mappings().first()
        if row is None:
            raise NotFound(f"user {user_id} not found")
        # A new epoch too, so the sessions stay ended should the user be activated again.
        uow.conn.execute(update(t.users).where(t.users.c.id == user_id)
                         .values(active=False, session_epoch=t.users.c.session_epoch + 1))
        audit(uow, now=now, actor=actor, entity_type="user", entity_id=user_id, action="deactivated")
        uow.commit()
    svc.actors.forget(user_id)
    return UserView.model_validate({**dict(row), "active": False})


def get_user(svc: Services, *, actor: Actor, user_id: int) -> UserView:
    """A user's record: admins read anyone, everyone reads themselves."""
    require(actor, Action.READ_USER, UserRef(user_id))
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(select(t.users).where(t.users.c.id == user_id)).mappings().first()
    if row is None:
        raise NotFound(f"user {user_id} not found")
    return UserView.model_validate(dict(row))
