"""Absence and delegation: a user away from one date to another names a substitute.

While an absence runs (company dates, both included; every workflow, or only those listed):
- a new task addressed to the absent user personally goes to the substitute, marked as held on the
  absent user's behalf (`tasks.on_behalf_of`); group tasks stay with the group, whose other members
  see them as before;
- the absent user's open tasks (claimed group tasks and personal ones) can be handed over to the
  substitute in one action (`hand_over`);
- the substitute decides *on behalf of* the absent user: the audit rows and the instance history name
  both people.

Chains are refused, not resolved: a substitute who is absent themselves during the range, and an absent
user who stands in for somebody else during it, are both refused with a message naming the other
absence. So a task moves at most one hop. Two absences of one user that overlap (in dates and
workflows) are refused too: which substitute would get the task?

Separation of duties holds through a substitute (`workflows.domain.permissions`, rule `decide_task`):
nobody decides on their own request, neither the requester as someone's substitute nor the requester's
substitute (while they stand in for them, for that workflow); nobody decides twice in one review.
A task whose requester may not decide it is not routed or handed to that requester as substitute:
it stays with the absent user (`hand_over` reports it as kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Connection

from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, UserRef, allows, require
from workflows.domain.principals import Actor
from workflows.domain.rows import Task
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import steps
from workflows.services.absences import ABSENT, RUNNING, SUB, covers, overlap, today
from workflows.services.context import Services
from workflows.services.records import audit, notify
from workflows.services.tasks import not_by_of
from workflows.services.views import View

MAX_DAYS = 366  # an absence longer than a year is a change of job, not an absence
MAX_WORKFLOWS = 50
MAX_NOTE = 200


class DelegationView(View):
    id: int
    user_id: int
    user_login: str
    user_name: str
    substitute_id: int
    substitute_login: str
    substitute_name: str
    starts_on: date
    ends_on: date
    workflows: list[str]
    note: str
    created_by: str
    created_at: datetime
    ended_at: datetime | None
    ended_by: str | None
    status: str  # planned, running, over, ended (ended early by someone)


class HandoverView(View):
    delegation_id: int
    substitute_login: str
    handed_over: list[int]
    kept: list[int]  # tasks the substitute may not decide (they asked for the decision themselves)


def _user(conn: Connection, login: str) -> Any:
    return conn.execute(select(t.users.c.id, t.users.c.login, t.users.c.display_name, t.users.c.active,
                               t.users.c.locale).where(t.users.c.login == login)).first()


def _known_workflows(conn: Connection) -> set[str]:
    return set(conn.execute(select(t.definitions.c.name).distinct()).scalars())


def _clashes(conn: Connection, *, column: Any, user_id: int, starts_on: date, ends_on: date,
             workflows: Sequence[str]) -> list[Any]:
    d = t.delegations.c
    rows = conn.execute(
        select(d.id, d.starts_on, d.ends_on, d.workflows, ABSENT.c.login.label("user_login"),
               SUB.c.login.label("substitute_login"))
        .join(SUB, SUB.c.id == d.substitute_id).join(ABSENT, ABSENT.c.id == d.user_id)
        .where(column == user_id, RUNNING, d.starts_on <= ends_on, d.ends_on >= starts_on)).all()
    return [row for row in rows if overlap(row.workflows or [], workflows)]


def add_delegation(
    svc: Services, *, actor: Actor, login: str | None, substitute: str, starts_on: date, ends_on: date,
    workflows: Iterable[str] = (), note: str = "",
) -> DelegationView:
    """Record that `login` (default: the actor) is away from `starts_on` to `ends_on`, with `substitute`.

    Raises InvalidInput (every problem at its field), Conflict (an overlapping absence or a chain),
    PermissionDenied (someone else's absence, unless an admin).
    """
    wanted = sorted(set(workflows))
    now = svc.clock.now()
    with svc.uow() as uow:
        conn = uow.conn
        user = _user(conn, login) if login else None
        if login and user is None:
            raise InvalidInput("the absence is not valid", [Problem("user", f"no user {login!r}")])
        user_id = user.id if user is not None else actor.id
        require(actor, Action.MANAGE_DELEGATIONS, UserRef(user_id))
        if user is None:
            assert actor.id is not None  # SELF holds only for a user
            user = conn.execute(select(t.users.c.id, t.users.c.login, t.users.c.display_name, t.users.c.active,
                                       t.users.c.locale).where(t.users.c.id == actor.id)).one()
        sub = _user(conn, substitute)
        problems = _problems(svc, conn, user=user, sub=sub, substitute=substitute, starts_on=starts_on,
                             ends_on=ends_on, workflows=wanted, note=note, now=now)
        if problems:
            raise InvalidInput("the absence is not valid", problems)
        _refuse_clashes(conn, user=user, sub=sub, starts_on=starts_on, ends_on=ends_on, workflows=wanted)
        values = {"user_id": user.id, "substitute_id": sub.id, "starts_on": starts_on, "ends_on": ends_on,
                  "workflows": wanted, "note": note.strip(), "created_by": actor.login, "created_at": now}
        new_id = int(conn.execute(t.delegations.insert().returning(t.delegations.c.id), values).scalar_one())
        audit(uow, now=now, actor=actor, entity_type="delegation", entity_id=new_id, action="delegation_created",
              data={"user": user.login, "substitute": sub.login, "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat(), "workflows": wanted, "note": note.strip()})
        notify(uow, now=now, instance_id=None, recipients=[f"user:{sub.id}"], template="delegation_created",
               payload={"absent": user.display_name or user.login, "absent_login": user.login,
                        "substitute": sub.display_name or sub.login, "starts_on": starts_on.isoformat(),
                        "ends_on": ends_on.isoformat(), "workflows": ", ".join(wanted), "note": note.strip(),
                        "actor": actor.login})
        uow.commit()
    return get_delegation(svc, actor=actor, delegation_id=new_id)


def _problems(svc: Services, conn: Connection, *, user: Any, sub: Any, substitute: str, starts_on: date,
              ends_on: date, workflows: list[str], note: str, now: datetime) -> list[Problem]:
    problems: list[Problem] = []
    if sub is None:
        problems.append(Problem("substitute", f"no user {substitute!r}"))
    elif not sub.active:
        problems.append(Problem("substitute", f"{sub.login} is deactivated and cannot stand in for anyone"))
    elif sub.id == user.id:
        problems.append(Problem("substitute", "nobody can stand in for themselves"))
    if ends_on < starts_on:
        problems.append(Problem("ends_on", "the absence ends before it starts"))
    elif ends_on < today(svc, now):
        problems.append(Problem("ends_on", "the absence is over already"))
    elif (ends_on - starts_on) >= timedelta(days=MAX_DAYS):
        problems.append(Problem("ends_on", f"an absence lasts at most {MAX_DAYS} days"))
    if len(workflows) > MAX_WORKFLOWS:
        problems.append(Problem("workflows", f"at most {MAX_WORKFLOWS} workflows"))
    elif unknown := [w for w in workflows if w not in _known_workflows(conn)]:
        problems.append(Problem("workflows", f"unknown workflow {unknown[0]!r}"))
    if len(note) > MAX_NOTE:
        problems.append(Problem("note", f"at most {MAX_NOTE} characters"))
    return problems


def _refuse_clashes(conn: Connection, *, user: Any, sub: Any, starts_on: date, ends_on: date,
                    workflows: list[str]) -> None:
    d = t.delegations.c
    def clashes(column: Any, user_id: int) -> list[Any]:
        return _clashes(conn, column=column, user_id=user_id, starts_on=starts_on, ends_on=ends_on,
                        workflows=workflows)

    if same := clashes(d.user_id, user.id):
        row = same[0]
        raise Conflict(f"{user.login} is already away from {row.starts_on} to {row.ends_on} "
                       f"(substitute {row.substitute_login}); end that absence first")
    if away := clashes(d.user_id, sub.id):
        row = away[0]
        raise Conflict(f"{sub.login} is away themselves from {row.starts_on} to {row.ends_on} "
                       f"(substitute {row.substitute_login}); choose another substitute")
    if standing := clashes(d.substitute_id, user.id):
        row = standing[0]
        raise Conflict(f"{user.login} stands in for {row.user_login} from {row.starts_on} to {row.ends_on}; "
                       f"give {row.user_login} another substitute first")


def _view(row: Any, *, day: date) -> DelegationView:
    if row.ended_at is not None:
        status = "ended"
    elif row.ends_on < day:
        status = "over"
    elif row.starts_on > day:
        status = "planned"
    else:
        status = "running"
    return DelegationView(
        id=row.id, user_id=row.user_id, user_login=row.user_login, user_name=row.user_name or row.user_login,
        substitute_id=row.substitute_id, substitute_login=row.substitute_login,
        substitute_name=row.substitute_name or row.substitute_login, starts_on=row.starts_on, ends_on=row.ends_on,
        workflows=list(row.workflows or []), note=row.note, created_by=row.created_by, created_at=row.created_at,
        ended_at=row.ended_at, ended_by=row.ended_by, status=status)


_LISTED = (select(t.delegations, ABSENT.c.login.label("user_login"), ABSENT.c.display_name.label("user_name"),
                  SUB.c.login.label("substitute_login"), SUB.c.display_name.label("substitute_name"))
           .join(SUB, SUB.c.id == t.delegations.c.substitute_id)
           .join(ABSENT, ABSENT.c.id == t.delegations.c.user_id))


def list_delegations(svc: Services, *, actor: Actor, login: str | None = None, current: bool = True,
                     limit: int = 200) -> list[DelegationView]:
    """Absences, the latest first: an admin's of everyone (or of `login`); a user's own and those they
    stand in for. `current`: only those not ended and not over."""
    d = t.delegations.c
    day = today(svc)
    query = _LISTED
    with svc.uow(write=False) as uow:
        if login is not None:
            user = _user(uow.conn, login)
            if user is None:
                raise NotFound(f"no user {login!r}")
            require(actor, Action.MANAGE_DELEGATIONS, UserRef(user.id))
            query = query.where(or_(d.user_id == user.id, d.substitute_id == user.id))
        elif not _sees_all(actor):
            require(actor, Action.MANAGE_DELEGATIONS, UserRef(actor.id))
            query = query.where(or_(d.user_id == actor.id, d.substitute_id == actor.id))
        if current:
            query = query.where(d.ended_at.is_(None), d.ends_on >= day)
        rows = uow.conn.execute(query.order_by(d.starts_on.desc(), d.id.desc()).limit(limit)).all()
    return [_view(row, day=day) for row in rows]


def _sees_all(actor: Actor) -> bool:
    return allows(actor, Action.MANAGE_DELEGATIONS, UserRef(None))


def get_delegation(svc: Services, *, actor: Actor, delegation_id: int) -> DelegationView:
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(_LISTED.where(t.delegations.c.id == delegation_id)).first()
    if row is None:
        raise NotFound(f"absence {delegation_id} not found")
    if actor.id != row.substitute_id:
        require(actor, Action.MANAGE_DELEGATIONS, UserRef(row.user_id))
    return _view(row, day=today(svc))


def end_delegation(svc: Services, *, actor: Actor, delegation_id: int) -> DelegationView:
    """End an absence now (the absent user, or an admin); tasks already handed over stay where they are."""
    now = svc.clock.now()
    with svc.uow() as uow:
        row = uow.conn.execute(_LISTED.where(t.delegations.c.id == delegation_id)).first()
        if row is None:
            raise NotFound(f"absence {delegation_id} not found")
        require(actor, Action.MANAGE_DELEGATIONS, UserRef(row.user_id))
        if row.ended_at is not None:
            raise Conflict(f"absence {delegation_id} was already ended by {row.ended_by}")
        uow.conn.execute(update(t.delegations).where(t.delegations.c.id == delegation_id)
                         .values(ended_at=now, ended_by=actor.login))
        audit(uow, now=now, actor=actor, entity_type="delegation", entity_id=delegation_id,
              action="delegation_ended", data={"user": row.user_login, "substitute": row.substitute_login,
                                               "starts_on": row.starts_on.isoformat(),
                                               "ends_on": row.ends_on.isoformat()})
        uow.commit()
    return get_delegation(svc, actor=actor, delegation_id=delegation_id)


def hand_over(svc: Services, *, actor: Actor, delegation_id: int) -> HandoverView:
    """Give the absent user's open tasks (claimed or personal, in the absence's workflows) to the substitute.

    Each task moved is audited on its instance and bumps the instance's revision; the substitute is
    told once. A task the substitute may not decide (they requested the decision) stays and is listed
    as kept. Allowed while the absence is planned or running, not once it is over or ended.
    """
    now = svc.clock.now()
    moved: list[int] = []
    kept: list[int] = []
    with svc.uow() as uow:
        row = uow.conn.execute(_LISTED.where(t.delegations.c.id == delegation_id)).first()
        if row is None:
            raise NotFound(f"absence {delegation_id} not found")
        require(actor, Action.MANAGE_DELEGATIONS, UserRef(row.user_id))
        view = _view(row, day=today(svc, now))
        if view.status in ("over", "ended"):
            raise Conflict(f"absence {delegation_id} is {view.status}; there is nobody to hand over to")
        sub_active = uow.conn.execute(select(t.users.c.active).where(t.users.c.id == row.substitute_id)).scalar()
        if not sub_active:
            raise Conflict(f"{row.substitute_login} is deactivated; end this absence and name another substitute")
        candidates = uow.conn.execute(
            select(t.tasks.c.id, t.tasks.c.instance_id, t.instances.c.workflow)
            .join(t.instances, t.instances.c.id == t.tasks.c.instance_id)
            .where(t.tasks.c.assignee_id == row.user_id, t.tasks.c.status == "open")
            .order_by(t.tasks.c.instance_id, t.tasks.c.id)).all()
        for found in candidates:
            if not covers(row.workflows or [], found.workflow):
                continue
            task, inst = _task_and_instance(uow, found.id, found.instance_id)
            if task.status != "open" or task.assignee_id != row.user_id:
                continue
            compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
            if not_by_of(compiled, task, inst) == row.substitute_id:
                kept.append(task.id)
                continue
            uow.conn.execute(update(t.tasks).where(t.tasks.c.id == task.id)
                             .values(assignee_id=row.substitute_id, on_behalf_of=row.user_id, claimed_at=now))
            audit(uow, now=now, actor=actor, entity_type="task", entity_id=task.id, instance_id=inst.id,
                  action="task_handed_over", data={"task": task.name, "from": row.user_login,
                                                   "to": row.substitute_login, "delegation": delegation_id})
            steps.touch(uow, inst, now)
            moved.append(task.id)
        audit(uow, now=now, actor=actor, entity_type="delegation", entity_id=delegation_id,
              action="tasks_handed_over", data={"user": row.user_login, "substitute": row.substitute_login,
                                                "tasks": moved, "kept": kept})
        if moved:
            notify(uow, now=now, instance_id=None, recipients=[f"user:{row.substitute_id}"],
                   template="delegation_handover",
                   payload={"absent": row.user_name or row.user_login, "absent_login": row.user_login,
                            "count": len(moved), "tasks": ", ".join(f"#{n}" for n in moved),
                            "ends_on": row.ends_on.isoformat(), "actor": actor.login})
        uow.commit()
    return HandoverView(delegation_id=delegation_id, substitute_login=row.substitute_login, handed_over=moved,
                        kept=kept)


def _task_and_instance(uow: UnitOfWork, task_id: int, instance_id: int) -> tuple[Any, Any]:
    inst = steps.lock_instance(uow, instance_id)
    row = uow.conn.execute(select(t.tasks).where(t.tasks.c.id == task_id)).mappings().one()
    return Task.from_row(row), inst


class PersonView(View):
    id: int
    login: str
    display_name: str


def people(svc: Services, *, group: str | None = None, limit: int = 500) -> list[PersonView]:
    """Active users by login (names only: what a substitute or an assignee is chosen from), maybe of one group.

    JSON group lists are filtered here, the same on SQLite and PostgreSQL.
    """
    query = (select(t.users.c.id, t.users.c.login, t.users.c.display_name, t.users.c.groups)
             .where(t.users.c.active.is_(True)).order_by(t.users.c.login))
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(query).all()
    found = [PersonView(id=r.id, login=r.login, display_name=r.display_name or r.login) for r in rows
             if group is None or group in (r.groups or [])]
    return found[:limit]
