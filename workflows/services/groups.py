"""Groups defined by admins: list, create, change (titles, description, active); the titles every
page shows instead of codes; the groups a definition or a user may name.

Every group a process knows is read once and kept for `Services.group_cache` (a change made in this
process counts at once, one made in another within its ttl). Membership and validation checks that
write read the table inside their own transaction instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem
from workflows.domain.group_titles import code_problem, group_title, is_region
from workflows.domain.permissions import Action, require
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit
from workflows.services.views import View

EDITABLE = ("title_zh", "title_en", "description", "active")
_ALL = "all"


class GroupView(View):
    code: str
    title_zh: str
    title_en: str
    description: str
    active: bool
    region: bool
    members: int = 0  # active users in the group (only in lists)
    created_at: datetime
    updated_at: datetime


def _view(row: Mapping[str, Any], members: int = 0) -> GroupView:
    return GroupView.model_validate({**dict(row), "region": is_region(row["code"]), "members": members})


def all_groups(svc: Services) -> dict[str, GroupView]:
    """Every group by code, active or not (cached; see the module's docstring). No permission check:
    titles are shown to everyone who sees a code."""
    cached = svc.group_cache.get(_ALL)
    if cached is not None:
        return cast(dict[str, GroupView], cached)
    stamp = svc.group_cache.stamp()
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.groups).order_by(t.groups.c.code)).mappings().all()
    found = {row["code"]: _view(dict(row)) for row in rows}
    svc.group_cache.put(_ALL, found, stamp=stamp)
    return found


def group_titles(svc: Services) -> dict[str, tuple[str, str]]:
    """(zh, en) title by group code, for every group the database knows."""
    return {code: (g.title_zh, g.title_en) for code, g in all_groups(svc).items()}


def title_of(svc: Services, code: str, *, locale: str) -> str:
    """The title of group `code` in `locale` (`zh` or `en`); a code the database does not know is
    shown as `group_title` makes it."""
    found = all_groups(svc).get(code)
    zh, en = (found.title_zh, found.title_en) if found is not None else group_title(code)
    return zh if locale == "zh" else en


def known_codes(svc: Services) -> frozenset[str]:
    """The codes of every group, active or not: what a definition may name (a deactivated group
    stays nameable, so a definition that names it can still be published again)."""
    return frozenset(all_groups(svc))


def membership_problems(uow: UnitOfWork, groups: Iterable[str], *, keep: Iterable[str] = (),
                        path: str = "groups") -> list[Problem]:
    """Why a user cannot be in `groups`: a group that does not exist, or one that is deactivated
    (unless the user is in it already: `keep`). Read in the caller's transaction."""
    wanted = sorted(set(groups))
    if not wanted:
        return []
    rows = uow.conn.execute(select(t.groups.c.code, t.groups.c.active).where(t.groups.c.code.in_(wanted))).all()
    active = {row.code: row.active for row in rows}
    kept = set(keep)
    problems = [Problem(path, f"unknown group {g!r}: an admin creates it first") for g in wanted if g not in active]
    problems += [Problem(path, f"group {g!r} is deactivated") for g in wanted
                 if g in active and not active[g] and g not in kept]
    return problems


def list_groups(svc: Services, *, actor: Actor, active: bool | None = None, region: bool | None = None
                ) -> list[GroupView]:
    """The groups with their number of active members; filtered by `active` and `region` when given."""
    require(actor, Action.READ_GROUPS)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.groups).order_by(t.groups.c.code)).mappings().all()
        memberships = uow.conn.execute(select(t.users.c.groups).where(t.users.c.active.is_(True))).scalars().all()
    counts: dict[str, int] = {}
    for names in memberships:
        for name in set(names or ()):
            counts[name] = counts.get(name, 0) + 1
    found = [_view(dict(row), counts.get(row["code"], 0)) for row in rows]
    return [g for g in found if (active is None or g.active == active) and (region is None or g.region == region)]


def get_group(svc: Services, *, actor: Actor, code: str) -> GroupView:
    require(actor, Action.READ_GROUPS)
    found = next((g for g in list_groups(svc, actor=actor) if g.code == code), None)
    if found is None:
        raise NotFound(f"no group {code!r}")
    return found


def _title_problems(values: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for key in ("title_zh", "title_en"):
        if key in values and not (isinstance(values[key], str) and 1 <= len(values[key].strip()) <= 100):
            problems.append(Problem(key, "a title is 1 to 100 characters"))
    if "description" in values and not (isinstance(values["description"], str) and len(values["description"]) <= 500):
        problems.append(Problem("description", "at most 500 characters"))
    if "active" in values and not isinstance(values["active"], bool):
        problems.append(Problem("active", "true or false"))
    return problems


def add_group(svc: Services, *, actor: Actor, code: str, title_zh: str, title_en: str,
              description: str = "") -> GroupView:
    """Create group `code` (admins). A region's group is `region:<code>`. Codes are never reused.

    Raises:
        InvalidInput: a bad code or title (every problem listed). Conflict: the code exists.
    """
    require(actor, Action.MANAGE_GROUPS)
    values = {"title_zh": title_zh, "title_en": title_en, "description": description}
    problems = _title_problems(values)
    if reason := code_problem(code):
        problems.insert(0, Problem("code", reason))
    if problems:
        raise InvalidInput("the group is not valid", problems)
    now = svc.clock.now()
    row = {"code": code, "title_zh": title_zh.strip(), "title_en": title_en.strip(), "description": description,
           "active": True, "created_at": now, "updated_at": now}
    with svc.uow() as uow:
        try:
            uow.conn.execute(insert(t.groups), row)
        except IntegrityError as exc:
            raise Conflict(f"a group {code!r} already exists") from exc
        audit(uow, now=now, actor=actor, entity_type="group", entity_id=code, action="created",
              data={"title_zh": row["title_zh"], "title_en": row["title_en"], "description": description})
        uow.commit()
    svc.group_cache.clear()
    return _view(row)


def update_group(svc: Services, *, actor: Actor, code: str, changes: Mapping[str, Any]) -> GroupView:
    """Change a group's titles, description or active flag (admins); the code never changes.

    The audit row holds each changed field as [old, new]. Deactivating keeps the members (tasks
    still reach them) but no one new may join.
    """
    require(actor, Action.MANAGE_GROUPS)
    unknown = sorted(set(changes) - set(EDITABLE))
    problems = [Problem(key, "cannot be changed") for key in unknown] + _title_problems(changes)
    if problems:
        raise InvalidInput("the change is not valid", problems)
    values = {k: (v.strip() if k.startswith("title_") else v) for k, v in changes.items()}
    now = svc.clock.now()
    with svc.uow() as uow:
        row = uow.conn.execute(select(t.groups).where(t.groups.c.code == code)).mappings().first()
        if row is None:
            raise NotFound(f"no group {code!r}")
        changed = {k: [row[k], v] for k, v in values.items() if row[k] != v}
        if changed:
            uow.conn.execute(update(t.groups).where(t.groups.c.code == code)
                             .values(**{k: v for k, (_, v) in changed.items()}, updated_at=now))
            audit(uow, now=now, actor=actor, entity_type="group", entity_id=code, action="changed", data=changed)
        uow.commit()
    svc.group_cache.clear()
    return _view({**dict(row), **values, "updated_at": now if changed else row["updated_at"]})
