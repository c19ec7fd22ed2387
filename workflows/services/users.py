"""Use cases on users: create, find, and turn a stored user into an Actor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, require
from workflows.domain.principals import DEPARTMENT_GROUPS, ROLES, Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.groups import membership_problems
from workflows.services.records import audit
from workflows.services.views import UserView

_LOGIN_OF = select(t.users.c.login).where(t.users.c.id == bindparam("uid"))
_NAME_OF = select(t.users.c.display_name).where(t.users.c.login == bindparam("login"))


def login_of(conn: Connection, user_id: int | None) -> str | None:
    """The login of user `user_id` (None for None, or for no such user)."""
    if user_id is None:
        return None
    login: str | None = conn.execute(_LOGIN_OF, {"uid": user_id}).scalar()
    return login


def display_name(svc: Services, login: str) -> str | None:
    """The name `login` goes by (None for no such user, or one without a name)."""
    with svc.uow(write=False) as uow:
        name: str | None = uow.conn.execute(_NAME_OF, {"login": login}).scalar()
    return (name.strip() or None) if name else None


def implied_roles(groups: Iterable[str], roles: Iterable[str], *, is_admin: bool) -> list[str]:
    """Roles follow from groups: committee members are `committee`, department groups `reviewer`."""
    found = set(roles)
    groups = set(groups)
    if "committee" in groups:
        found.add("committee")
    if groups & DEPARTMENT_GROUPS or any(g.startswith("region:") for g in groups):
        found.add("reviewer")
    if is_admin:
        found.add("admin")
    return sorted(found)


def actor_from_row(row: Mapping[str, Any]) -> Actor:
    return Actor(id=row["id"], login=row["login"], groups=frozenset(row["groups"]), roles=frozenset(row["roles"]),
                 is_admin=row["is_admin"], locale=row["locale"], session_epoch=row["session_epoch"])


def add_user(
    svc: Services, *, actor: Actor, login: str, groups: Iterable[str] = (), roles: Iterable[str] = (),
    is_admin: bool = False, password: str | None = None, display_name: str = "", email: str | None = None,
    locale: str = "zh",
) -> UserView:
    """Create a user (admins and the system only). Unknown groups or roles are refused, all listed."""
    require(actor, Action.MANAGE_USERS)
    groups, roles = sorted(set(groups)), sorted(set(roles))
    problems = [Problem("roles", f"unknown role {r!r}") for r in roles if r not in ROLES]
    if not login.strip() or len(login) > 100:
        problems.append(Problem("login", "must be 1 to 100 characters"))
    if locale not in ("zh", "en"):
        problems.append(Problem("locale", "must be zh or en"))
    if problems:
        raise InvalidInput("the user is not valid", problems)
    now = svc.clock.now()
    values = {"login": login.strip(), "display_name": display_name or login, "email": email,
              "password_hash": svc.passwords.hash(password) if password else None, "is_admin": is_admin,
              "roles": implied_roles(groups, roles, is_admin=is_admin), "groups": groups, "locale": locale,
              "active": True, "created_at": now}
    with svc.uow() as uow:
        if problems := membership_problems(uow, groups):
            raise InvalidInput("the user is not valid", problems)
        try:
            new_id = uow.conn.execute(insert(t.users).returning(t.users.c.id), values).scalar_one()
        except IntegrityError as exc:
            raise Conflict(f"a user with login {login!r} already exists") from exc
        audit(uow, now=now, actor=actor, entity_type="user", entity_id=new_id, action="created",
              data={"login": login, "groups": groups, "roles": values["roles"], "is_admin": is_admin})
        uow.commit()
    return UserView.model_validate({**values, "id": new_id})


def actor_for(svc: Services, *, login: str) -> Actor:
    """The active user `login` as an Actor."""
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(select(t.users).where(t.users.c.login == login)).mappings().first()
    if row is None or not row["active"]:
        raise NotFound(f"no active user {login!r}")
    return actor_from_row(dict(row))


def set_locale(svc: Services, *, actor: Actor, locale: str) -> None:
    """Remember the language `actor` reads the UI and notifications in (`zh` or `en`)."""
    if locale not in ("zh", "en"):
        raise InvalidInput("the language is not valid", [Problem("locale", "must be zh or en")])
    require(actor, Action.SET_LANGUAGE)
    assert actor.id is not None
    with svc.uow() as uow:
        uow.conn.execute(update(t.users).where(t.users.c.id == actor.id).values(locale=locale))
        uow.commit()
    svc.actors.forget(actor.id)
