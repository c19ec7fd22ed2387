"""Notification targets: where a user's or a group's notifications go (an apprise URL each).

Targets are configuration, not code: an admin manages anyone's, a user their own. `targets_for`
turns an outbox recipient (`user:ID`, `login:L`, `group:G`, `role:R`) into the URLs to deliver
to; the outbox dispatcher calls it inside its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from workflows.adapters.notifier import redacted, scheme_of
from workflows.domain.errors import InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, UserRef, allows, require
from workflows.domain.principals import Actor, is_known_group
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit
from workflows.services.views import View

# Which apprise schemes each kind accepts (apprise turns e.g. a WeCom https URL into wecombot).
KINDS: dict[str, frozenset[str]] = {
    "email": frozenset({"mailto", "mailtos"}),
    "dingtalk": frozenset({"dingtalk"}),
    "feishu": frozenset({"feishu", "lark"}),
    "wecom": frozenset({"wecombot"}),
    "webhook": frozenset({"json", "jsons", "form", "forms", "xml", "xmls"}),
}
OWNER_TYPES = ("user", "group")


class TargetView(View):
    """A target as shown to people: the URL's passwords and tokens are masked."""

    id: int
    owner_type: str
    owner: str
    kind: str
    url: str
    locale: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class Target:
    """A resolved delivery target: the URL and the locale to write in."""

    id: int
    url: str
    locale: str
    user_id: int | None = None  # the user the target belongs to (None: a group's target)


def _view(row: Any) -> TargetView:
    return TargetView.model_validate({**dict(row), "url": redacted(row["url"])})


def _user_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else None


def _owner(*, owner_type: str, owner: str) -> UserRef:
    """Whose a target is, for the permission table (a group's target is no user's)."""
    user_id = _user_id(owner)
    return UserRef(user_id if owner_type == "user" and str(user_id) == owner else None)


def _problems(uow: UnitOfWork, *, owner_type: str, owner: str, kind: str, url: str,
              locale: str | None) -> list[Problem]:
    problems = []
    if owner_type == "user":
        user_id = _user_id(owner)
        if user_id is None or uow.conn.execute(select(t.users.c.id).where(t.users.c.id == user_id)).first() is None:
            problems.append(Problem("owner", f"no user with id {owner!r}"))
    elif owner_type == "group":
        if not is_known_group(owner):
            problems.append(Problem("owner", f"unknown group {owner!r}"))
    else:
        problems.append(Problem("owner_type", "must be user or group"))
    if kind not in KINDS:
        problems.append(Problem("kind", f"must be one of {', '.join(KINDS)}"))
    scheme = scheme_of(url)
    if scheme is None:
        problems.append(Problem("url", "apprise cannot read this URL"))
    elif kind in KINDS and scheme not in KINDS[kind]:
        problems.append(Problem("url", f"a {kind} target needs a {'/'.join(sorted(KINDS[kind]))}:// URL, "
                                       f"not {scheme}://"))
    if locale is not None and locale not in ("zh", "en"):
        problems.append(Problem("locale", "must be zh or en"))
    return problems


def add_target(svc: Services, *, actor: Actor, owner_type: str, owner: str, kind: str, url: str,
               locale: str | None = None) -> TargetView:
    """Add a target. Admins add any; a user adds targets for themself (owner = their user id).

    Raises:
        PermissionDenied: a non-admin adds a target for someone else or for a group.
        InvalidInput: unknown owner, kind or locale, or a URL apprise cannot use for that kind.
    """
    require(actor, Action.MANAGE_TARGETS, _owner(owner_type=owner_type, owner=owner))
    now = svc.clock.now()
    url = url.strip()
    with svc.uow() as uow:
        problems = _problems(uow, owner_type=owner_type, owner=owner, kind=kind, url=url, locale=locale)
        if problems:
            raise InvalidInput("the notification target is not valid", problems)
        values = {"owner_type": owner_type, "owner": owner, "kind": kind, "url": url, "locale": locale,
                  "active": True, "created_at": now}
        new_id = uow.conn.execute(insert(t.notification_targets).returning(t.notification_targets.c.id),
                                  values).scalar_one()
        audit(uow, now=now, actor=actor, entity_type="notification_target", entity_id=new_id, action="created",
              data={"owner_type": owner_type, "owner": owner, "kind": kind})
        uow.commit()
    return _view({**values, "id": new_id})


def list_targets(svc: Services, *, actor: Actor, owner_type: str | None = None,
                 owner: str | None = None) -> list[TargetView]:
    """Active targets; a non-admin sees only their own."""
    query = select(t.notification_targets).where(t.notification_targets.c.active.is_(True))
    if not allows(actor, Action.MANAGE_TARGETS):  # no owner given: may they see everyone's?
        owner_type, owner = "user", str(actor.id)
    if owner_type is not None:
        query = query.where(t.notification_targets.c.owner_type == owner_type)
    if owner is not None:
        query = query.where(t.notification_targets.c.owner == owner)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(query.order_by(t.notification_targets.c.id)).mappings().all()
    return [_view(row) for row in rows]


def remove_target(svc: Services, *, actor: Actor, target_id: int) -> None:
    """Deactivate a target (kept, because delivery attempts refer to it)."""
    now = svc.clock.now()
    with svc.uow() as uow:
        row = uow.conn.execute(select(t.notification_targets).where(
            t.notification_targets.c.id == target_id, t.notification_targets.c.active.is_(True))).mappings().first()
        if row is None:
            raise NotFound(f"notification target {target_id} not found")
        require(actor, Action.MANAGE_TARGETS, _owner(owner_type=row["owner_type"], owner=row["owner"]))
        uow.conn.execute(update(t.notification_targets).where(t.notification_targets.c.id == target_id)
                         .values(active=False))
        audit(uow, now=now, actor=actor, entity_type="notification_target", entity_id=target_id,
              action="removed", data={"owner_type": row["owner_type"], "owner": row["owner"]})
        uow.commit()


_USERS = select(t.users.c.id, t.users.c.login, t.users.c.locale, t.users.c.groups, t.users.c.roles,
                t.users.c.is_admin).where(t.users.c.active.is_(True))


def targets_for(uow: UnitOfWork, recipient: str) -> list[Target] | None:
    """The active targets of an outbox recipient, one per URL (the first wins), in a stable order:
    a group's own targets first, then its members' by user id and target id.

    Returns None when the recipient is not of a known kind. An inactive or missing user has no targets.
    """
    kind, _, name = recipient.partition(":")
    if kind == "user":
        user_id = _user_id(name)
        users = [] if user_id is None else uow.conn.execute(_USERS.where(t.users.c.id == user_id)).mappings().all()
    elif kind == "login":
        users = uow.conn.execute(_USERS.where(t.users.c.login == name)).mappings().all()
    elif kind == "group":
        users = [u for u in uow.conn.execute(_USERS).mappings() if name in (u["groups"] or [])]
    elif kind == "role":
        users = [u for u in uow.conn.execute(_USERS).mappings()
                 if name in (u["roles"] or []) or (name == "admin" and u["is_admin"])]
    else:
        return None
    locales = {str(u["id"]): u["locale"] for u in users}
    found = _owned(uow, "group", [name]) if kind == "group" else []
    found += _owned(uow, "user", sorted(locales, key=int))
    unique: dict[str, Target] = {}
    for row in found:
        owner_locale = locales.get(row["owner"]) if row["owner_type"] == "user" else None
        locale = row["locale"] or owner_locale or "zh"
        owner_id = _user_id(row["owner"]) if row["owner_type"] == "user" else None
        unique.setdefault(row["url"], Target(id=row["id"], url=row["url"], locale=locale, user_id=owner_id))
    return list(unique.values())


def _owned(uow: UnitOfWork, owner_type: str, owners: list[str]) -> list[dict[str, Any]]:
    if not owners:
        return []
    c = t.notification_targets.c
    rows = uow.conn.execute(select(t.notification_targets).where(
        c.owner_type == owner_type, c.owner.in_(owners), c.active.is_(True))).mappings().all()
    order = {owner: index for index, owner in enumerate(owners)}
    return sorted((dict(r) for r in rows), key=lambda r: (order[r["owner"]], r["id"]))
