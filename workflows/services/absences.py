"""Who stands in for whom today: the look-ups the engine makes while tasks open and are decided
(the use cases on absences are in `workflows.services.delegations`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from workflows.persistence import tables as t
from workflows.services.context import Services


@dataclass(frozen=True)
class Stand:
    """Someone standing in for an absent user: who, and for whom."""

    substitute_id: int
    substitute_login: str
    user_id: int
    user_login: str


def today(svc: Services, now: datetime | None = None) -> date:
    """The company date (in the business calendar's time zone) of `now`."""
    moment = now if now is not None else svc.clock.now()
    return moment.astimezone(ZoneInfo(svc.calendar.config.timezone)).date()


def covers(workflows: Sequence[str], workflow: str | None) -> bool:
    return not workflows or workflow is None or workflow in workflows


def overlap(first: Sequence[str], second: Sequence[str]) -> bool:
    return not first or not second or bool(set(first) & set(second))


SUB = t.users.alias("substitute")
ABSENT = t.users.alias("absent")
RUNNING = t.delegations.c.ended_at.is_(None)


def running_on(day: date | ColumnElement[date]) -> ColumnElement[bool]:
    d = t.delegations.c
    return and_(d.ended_at.is_(None), d.starts_on <= day, d.ends_on >= day)


_SUBSTITUTES = (select(t.delegations.c.workflows, t.delegations.c.substitute_id,
                       SUB.c.login.label("substitute_login"), ABSENT.c.login.label("user_login"))
                .join(SUB, SUB.c.id == t.delegations.c.substitute_id)
                .join(ABSENT, ABSENT.c.id == t.delegations.c.user_id)
                .where(t.delegations.c.user_id == bindparam("uid"), running_on(bindparam("day", type_=Date())),
                       SUB.c.active.is_(True))
                .order_by(t.delegations.c.id))


def substitute_for(conn: Connection, *, user_id: int, workflow: str, day: date) -> Stand | None:
    """Who stands in for `user_id` on `day` in `workflow` (an active substitute), or None (asked for
    every personal task that opens: built once)."""
    rows = conn.execute(_SUBSTITUTES, {"uid": user_id, "day": day}).all()
    for row in rows:
        if covers(row.workflows or [], workflow):
            return Stand(substitute_id=row.substitute_id, substitute_login=row.substitute_login, user_id=user_id,
                         user_login=row.user_login)
    return None


_DEPUTIES = (select(t.delegations.c.workflows, t.delegations.c.substitute_id)
             .where(t.delegations.c.user_id == bindparam("uid"), running_on(bindparam("day", type_=Date()))))


def deputies_of(conn: Connection, *, user_id: int, workflow: str, day: date) -> frozenset[int]:
    """The users standing in for `user_id` on `day` in `workflow` (asked on every decision: one
    statement built once)."""
    rows = conn.execute(_DEPUTIES, {"uid": user_id, "day": day}).all()
    return frozenset(row.substitute_id for row in rows if covers(row.workflows or [], workflow))
