"""Changing a user: an admin changes anything (groups, roles, e-mail, active: reactivation too); a
user changes only their own display name and language. Listing users with filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, UserRef, require
from workflows.domain.principals import ROLES, Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.groups import membership_problems
from workflows.services.records import audit
from workflows.services.users import implied_roles
from workflows.services.views import UserView

PROFILE = frozenset({"display_name", "locale"})
FIELDS = PROFILE | {"email", "groups", "roles", "is_admin", "active"}
ADMIN_ONLY = "only an admin may change a user's groups, roles, e-mail or active flag"


def _problems(changes: Mapping[str, Any]) -> list[Problem]:
    problems = [Problem(key, "cannot be changed") for key in sorted(set(changes) - FIELDS)]
    name = changes.get("display_name")
    if "display_name" in changes and not (isinstance(name, str) and len(name) <= 200):
        problems.append(Problem("display_name", "at most 200 characters"))
    email = changes.get("email")
    if email is not None and not (isinstance(email, str) and len(email) <= 320 and "@" in email.strip("@")):
        problems.append(Problem("email", "an e-mail address such as li@example.com"))
    if "locale" in changes and changes["locale"] not in ("zh", "en"):
        problems.append(Problem("locale", "must be zh or en"))
    for key in ("groups", "roles"):
        if key in changes and not (isinstance(changes[key], list | tuple) and all(isinstance(v, str)
                                                                                 for v in changes[key])):
            problems.append(Problem(key, "a list of names"))
    problems += [Problem("roles", f"unknown role {r!r}") for r in changes.get("roles") or () if r not in ROLES]
    for key in ("is_admin", "active"):
        if key in changes and not isinstance(changes[key], bool):
            problems.append(Problem(key, "true or false"))
    return problems


def _new_values(row: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The user's columns after `changes`: roles follow `is_admin` (or an `admin` role) and the groups."""
    values = dict(changes)
    if "display_name" in values:
        values["display_name"] = values["display_name"].strip() or row["login"]
    if "email" in values:
        values["email"] = (values["email"] or "").strip() or None
    if "roles" in values or "groups" in values or "is_admin" in values:
        roles = set(values.get("roles", row["roles"]))
        is_admin = values.get("is_admin", "admin" in roles if "roles" in values else row["is_admin"])
        groups = sorted(set(values.get("groups", row["groups"])))
        values.update(is_admin=is_admin, groups=groups,
                      roles=implied_roles(groups, roles - {"admin"}, is_admin=is_admin))
    return values


def update_user(svc: Services, *, actor: Actor, user_id: int, changes: Mapping[str, Any]) -> UserView:
    """Change user `user_id`: `display_name`, `locale` (the user themself, or an admin), `email`,
    `groups`, `roles`, `is_admin`, `active` (admins only; `active: true` reactivates).

    Groups must exist (a deactivated one only if the user is in it already). Deactivating ends the
    user's sessions. An admin cannot deactivate themself or take their own admin rights. One audit
    row holds every changed field as [old, new] (action `deactivated` / `reactivated` when the
    active flag changed, else `changed`).

    Raises:
        PermissionDenied: a non-admin changes anything but their own display name and language.
        InvalidInput: every problem listed; nothing is written. NotFound. Conflict: oneself.
    """
    if set(changes) <= PROFILE:
        require(actor, Action.EDIT_PROFILE, UserRef(user_id))
    else:
        require(actor, Action.MANAGE_USERS, message=ADMIN_ONLY)
    if problems := _problems(changes):
        raise InvalidInput("the change is not valid", problems)
    now = svc.clock.now()
    with svc.uow() as uow:
        row = uow.conn.execute(select(t.users).where(t.users.c.id == user_id)).mappings().first()
        if row is None:
            raise NotFound(f"user {user_id} not found")
        values = _new_values(dict(row), changes)
        if actor.id == user_id and (values.get("active") is False or values.get("is_admin") is False):
            raise Conflict("you cannot deactivate your own account or take your own admin rights")
        if "groups" in values and (problems := membership_problems(uow, values["groups"], keep=row["groups"])):
            raise InvalidInput("the change is not valid", problems)
        changed = {k: [row[k], v] for k, v in values.items() if row[k] != v}
        if changed:
            extra = {"session_epoch": t.users.c.session_epoch + 1} if values.get("active") is False else {}
            uow.conn.execute(update(t.users).where(t.users.c.id == user_id)
                             .values(**{k: v for k, (_, v) in changed.items()}, **extra))
            action = "changed"
            if "active" in changed:
                action = "reactivated" if values["active"] else "deactivated"
            audit(uow, now=now, actor=actor, entity_type="user", entity_id=user_id, action=action, data=changed)
        uow.commit()
    svc.actors.forget(user_id)
    return UserView.model_validate({**dict(row), **values})


def find_users(svc: Services, *, actor: Actor, group: str | None = None, role: str | None = None,
               active: bool | None = None, q: str | None = None) -> list[UserView]:
    """Users by login, filtered by group, role, active flag and a piece of the login or name (admins)."""
    require(actor, Action.MANAGE_USERS)
    query = select(t.users).order_by(t.users.c.login)
    if active is not None:
        query = query.where(t.users.c.active.is_(active))
    with svc.uow(write=False) as uow:
        rows = [dict(r) for r in uow.conn.execute(query).mappings().all()]
    needle = (q or "").strip().lower()
    return [UserView.model_validate(r) for r in rows
            if (group is None or group in r["groups"]) and (role is None or role in r["roles"])
            and (not needle or needle in r["login"].lower() or needle in r["display_name"].lower())]


def user_id_for(svc: Services, *, login: str) -> int:
    """The id of the user `login`, active or not (for the CLI)."""
    with svc.uow(write=False) as uow:
        found = uow.conn.execute(select(t.users.c.id).where(t.users.c.login == login)).scalar()
    if found is None:
        raise NotFound(f"no user {login!r}")
    return int(found)
