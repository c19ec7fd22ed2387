"""The channel registry: create, change, list and read channels. Every change is audited.

Who may: administrators and channel managers create; an administrator changes any channel, a
channel manager only the channels they manage; every signed-in user reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from channels import tables as ct
from channels.activation import activate_in
from channels.permissions import ChannelAction, ChannelRef, allows, require
from channels.rows import channel_row
from channels.tables import CARDS, CHANNEL_TYPES, STAGES
from channels.views import ChannelPage, ChannelView
from workflows.domain.errors import Conflict, InvalidInput, Problem
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")
REGION = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")
EDITABLE = ("name", "type", "region", "contacts", "monthly_target", "manager_id")


_ACTIVE_USER = select(t.users.c.id).where(t.users.c.id == bindparam("uid"), t.users.c.active)
# A new code inserts; a taken one inserts nothing (and returns no id), in one statement.
_INSERT_NEW = {name: dialect.insert(ct.channels).on_conflict_do_nothing(index_elements=["code"])
               .returning(ct.channels.c.id) for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


def _problems(uow: UnitOfWork, values: Mapping[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    if "code" in values and not CODE.match(str(values["code"])):
        found.append(Problem("code", "1-50 letters, digits, '_', '.' or '-', starting with a letter or digit"))
    if "name" in values and not str(values["name"]).strip():
        found.append(Problem("name", "must not be empty"))
    if "type" in values and values["type"] not in CHANNEL_TYPES:
        found.append(Problem("type", f"must be one of {', '.join(CHANNEL_TYPES)}"))
    if "region" in values and not REGION.match(str(values["region"])):
        found.append(Problem("region", "a region code: lower-case letters, digits, '_' or '-' (e.g. east)"))
    target = values.get("monthly_target")
    if target is not None and not (isinstance(target, (int, float)) and 0 < target < 1e12):
        found.append(Problem("monthly_target", "must be a number greater than 0"))
    manager = values.get("manager_id")
    if manager is not None:
        exists = uow.conn.execute(_ACTIVE_USER, {"uid": manager}).scalar()
        if exists is None:
            found.append(Problem("manager_id", f"no active user {manager}"))
    return found


def insert_channel(uow: UnitOfWork, *, actor: Actor, values: Mapping[str, Any], now: Any,
                   comment: str | None = None, active: bool = False) -> dict[str, Any]:
    """Write a new channel (checked) inside the caller's transaction; returns the row. `active`: written
    active at once, for a caller that activates it next (`activation.activate_in(..., new=True)`)."""
    if problems := _problems(uow, values):
        raise InvalidInput("the channel is not valid", problems)
    row = {"code": values["code"], "name": str(values["name"]).strip(), "type": values["type"],
           "region": values["region"], "manager_id": values.get("manager_id"),
           "contacts": dict(values.get("contacts") or {}), "stage": "pending", "stars": None, "card": "none",
           "stage_dates": {}, "monthly_target": values.get("monthly_target"), "active": active,
           "created_at": now, "updated_at": now}
    new_id = uow.conn.execute(_INSERT_NEW[uow.dialect], row).scalar()
    if new_id is None:
        raise Conflict(f"a channel with code {values['code']!r} already exists")
    row["id"] = new_id
    audit(uow, now=now, actor=actor, entity_type="channel", entity_id=row["id"], action="created",
          to_state="pending", comment=comment, data={"code": row["code"], "name": row["name"]})
    return row


def create_channel(svc: Services, *, actor: Actor, values: Mapping[str, Any],
                   comment: str | None = None) -> ChannelView:
    """Register a channel in stage `pending`; it becomes active when its onboarding is approved.

    A channel manager who names no manager becomes the channel's manager, and may not name another.
    `activate=True` (administrators: a channel that already operates) activates it at once in
    `introduction` and starts its lifecycle.
    """
    require(actor, ChannelAction.REGISTER_CHANNEL)
    values = dict(values)
    if values.get("manager_id") not in (None, actor.id):
        require(actor, ChannelAction.ASSIGN_CHANNEL_MANAGER,
                message="a channel manager may only register channels they manage")
    if values.get("manager_id") is None and not allows(actor, ChannelAction.ASSIGN_CHANNEL_MANAGER):
        values["manager_id"] = actor.id  # a channel manager manages the channels they register
    activate = bool(values.pop("activate", False))
    if activate:
        require(actor, ChannelAction.REGISTER_ACTIVE_CHANNEL)
    now = svc.clock.now()
    with svc.uow() as uow:
        row = insert_channel(uow, actor=actor, values=values, now=now, comment=comment, active=activate)
        if activate:
            activate_in(svc, uow, actor=actor, channel_id=row["id"], now=now, comment=comment or "registered active",
                        channel=row, new=True)
            row = channel_row(uow, row["id"])
        uow.commit()
    return ChannelView.model_validate(row)


def update_channel(svc: Services, *, actor: Actor, channel_id: int, changes: Mapping[str, Any],
                   comment: str | None = None) -> ChannelView:
    """Change registry fields; stage, stars and card follow the workflows and rules, not edits."""
    unknown = [Problem(key, "cannot be changed here") for key in changes if key not in EDITABLE]
    if unknown:
        raise InvalidInput("the change is not valid", unknown)
    now = svc.clock.now()
    with svc.uow() as uow:
        row = channel_row(uow, channel_id, lock=True)
        require(actor, ChannelAction.CHANGE_CHANNEL, ChannelRef(manager_id=row["manager_id"]),
                message=f"you may not change channel {channel_id}")
        if "manager_id" in changes and changes["manager_id"] != row["manager_id"]:
            require(actor, ChannelAction.ASSIGN_CHANNEL_MANAGER)
        if problems := _problems(uow, changes):
            raise InvalidInput("the change is not valid", problems)
        diff = {key: value for key, value in changes.items() if row[key] != value}
        if diff:
            uow.conn.execute(update(ct.channels).where(ct.channels.c.id == channel_id).values(**diff, updated_at=now))
            audit(uow, now=now, actor=actor, entity_type="channel", entity_id=channel_id, action="changed",
                  comment=comment, data={key: {"from": row[key], "to": value} for key, value in diff.items()})
            row = {**row, **diff, "updated_at": now}
        uow.commit()
    return ChannelView.model_validate(row)


def list_channels(svc: Services, *, type: str | None = None, region: str | None = None,
                  stage: str | None = None, stars: int | None = None, card: str | None = None,
                  manager_id: int | None = None, q: str | None = None, limit: int = 50,
                  offset: int = 0) -> ChannelPage:
    """Channels by code, filtered; `q` matches code or name."""
    conditions = channel_filters(type=type, region=region, stage=stage, stars=stars, card=card,
                                 manager_id=manager_id, q=q)
    c = ct.channels.c
    with svc.uow(write=False) as uow:
        total = uow.conn.execute(select(func.count()).select_from(ct.channels).where(*conditions)).scalar_one()
        rows = uow.conn.execute(select(ct.channels).where(*conditions).order_by(c.code).limit(limit)
                                .offset(offset)).mappings().all()
    return ChannelPage(items=[ChannelView.model_validate(dict(r)) for r in rows], total=int(total), limit=limit,
                       offset=offset)


def channel_filters(*, type: str | None = None, region: str | None = None, stage: str | None = None,
                    stars: int | None = None, card: str | None = None, manager_id: int | None = None,
                    q: str | None = None) -> list[ColumnElement[bool]]:
    """The conditions of the channel list's filters (also the export's); InvalidInput for a bad value."""
    problems = [Problem(name, f"must be one of {', '.join(allowed)}")
                for name, value, allowed in (("type", type, CHANNEL_TYPES), ("stage", stage, (*STAGES, "pending")),
                                             ("card", card, CARDS)) if value is not None and value not in allowed]
    if problems:
        raise InvalidInput("bad filter", problems)
    c = ct.channels.c
    conditions: list[ColumnElement[bool]] = [column == value for column, value in (
        (c.type, type), (c.region, region), (c.stage, stage), (c.stars, stars), (c.card, card),
        (c.manager_id, manager_id)) if value is not None]
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        conditions.append(c.code.ilike(pattern) | c.name.ilike(pattern))
    return conditions
