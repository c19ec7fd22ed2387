"""One step of an instance, inside the caller's transaction: the heart of the engine.

A step changes the state (with an optimistic revision check), writes the audit row, closes
the tasks and timers of the state it leaves, opens those of the state it enters, moves the SLA
clocks, writes the outbox rows and runs the named effects. It never commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, bindparam, insert, select, update

from workflows.domain.definition import NotificationDef, TaskDef
from workflows.domain.errors import ConcurrentUpdate, NotFound
from workflows.domain.principals import SYSTEM, Actor
from workflows.domain.rows import Instance, JsonObject, SlaClock
from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import absences, sla
from workflows.services.context import EffectContext, Services
from workflows.services.records import audit, notify, recipients_for
from workflows.services.task_timers import schedule_task_timers
from workflows.services.views import InstanceSummary

SUMMARY_FIELDS = tuple(InstanceSummary.model_fields)


_CLOCK_LABELS = [(c.name, f"clock_{c.name}") for c in t.sla_clocks.c]
_CLOCK_COLUMNS = [c.label(f"clock_{c.name}") for c in t.sla_clocks.c]
_WITH_CLOCKS = (select(t.instances, *_CLOCK_COLUMNS)
                .outerjoin(t.sla_clocks, t.sla_clocks.c.instance_id == t.instances.c.id))
_READ_INSTANCE = _WITH_CLOCKS.where(t.instances.c.id == bindparam("iid"))
_LOCK_INSTANCE = _READ_INSTANCE.with_for_update(of=t.instances)
_LOCK_INSTANCE_OF_TASK = (_WITH_CLOCKS.where(t.instances.c.id == select(t.tasks.c.instance_id)
                                             .where(t.tasks.c.id == bindparam("tid")).scalar_subquery())
                          .with_for_update(of=t.instances))
_TASK_LABELS = [(c.name, f"task_{c.name}") for c in t.tasks.c]
_READ_TASK_AND_INSTANCE = (_WITH_CLOCKS.add_columns(*(c.label(label) for c, (_, label)
                                                      in zip(t.tasks.c, _TASK_LABELS, strict=True)))
                           .join(t.tasks, t.tasks.c.instance_id == t.instances.c.id)
                           .where(t.tasks.c.id == bindparam("tid")))


def lock_instance(uow: UnitOfWork, instance_id: int) -> Instance:
    """Read an instance (with its SLA clocks, as `Instance.clocks`) for a write, in one query.

    On PostgreSQL the instance row stays locked until commit; on SQLite the write transaction
    is already exclusive.
    """
    query = _LOCK_INSTANCE if uow.dialect == "postgresql" else _READ_INSTANCE
    return _instance(uow.conn.execute(query, {"iid": instance_id}).mappings().all(),
                     missing=f"instance {instance_id} not found")


def lock_instance_of_task(uow: UnitOfWork, task_id: int) -> Instance:
    """`lock_instance` for the instance a task belongs to, found and locked in one statement (PostgreSQL:
    the caller reads the task once the lock is held)."""
    return _instance(uow.conn.execute(_LOCK_INSTANCE_OF_TASK, {"tid": task_id}).mappings().all(),
                     missing=f"task {task_id} not found")


def read_task_and_instance(uow: UnitOfWork, task_id: int) -> tuple[dict[str, Any], Instance]:
    """A task's row and its instance (with its SLA clocks) in one statement: for SQLite, whose write
    transaction is exclusive from its start (PostgreSQL locks the instance first, see `lock_instance_of_task`)."""
    rows = uow.conn.execute(_READ_TASK_AND_INSTANCE, {"tid": task_id}).mappings().all()
    inst = _instance(rows, missing=f"task {task_id} not found")
    return {name: rows[0][label] for name, label in _TASK_LABELS}, inst


def _instance(rows: Sequence[RowMapping], *, missing: str) -> Instance:
    if not rows:
        raise NotFound(missing)
    clocks = tuple(SlaClock.from_row({name: row[label] for name, label in _CLOCK_LABELS})
                   for row in rows if row["clock_id"] is not None)
    return Instance.from_row(rows[0], clocks=clocks)


def summary(inst: Instance) -> InstanceSummary:
    return InstanceSummary.model_validate({name: getattr(inst, name) for name in SUMMARY_FIELDS})


def payload_for(inst: Instance, compiled: CompiledWorkflow, **extra: Any) -> JsonObject:
    """The outbox payload every message about `inst` carries (workflow and state with titles), plus `extra`."""
    state = compiled.states.get(inst.state)
    title = state.title if state is not None else None
    return {
        "workflow": compiled.name,
        "workflow_title_zh": compiled.definition.title.zh,
        "workflow_title_en": compiled.definition.title.en,
        "instance_id": inst.id,
        "state": inst.state,
        "state_title_zh": title.zh if title else inst.state,
        "state_title_en": title.en if title else inst.state,
        "subject_type": inst.subject_type,
        "subject_id": inst.subject_id,
        **extra,
    }


def task_payload(inst: Instance, compiled: CompiledWorkflow, *, task_id: int, name: str, trigger: str | None,
                 due_at: datetime | None) -> JsonObject:
    """The payload of a message about a task: `payload_for` with the task, its titles and due time."""
    zh, en = compiled.task_title(name, trigger)
    return payload_for(inst, compiled, task_id=task_id, task=name, task_title_zh=zh, task_title_en=en,
                       due_at=due_at.isoformat() if due_at else None)


_MOVED = ("state", "data", "revision", "updated_at", "state_entered_at", "status", "closed_at")
_MOVE = update(t.instances).where(t.instances.c.id == bindparam("iid"),
                                  t.instances.c.revision == bindparam("old_revision"))


def apply_transition(
    svc: Services,
    uow: UnitOfWork,
    *,
    inst: Instance,
    compiled: CompiledWorkflow,
    trigger: str,
    dest: str,
    actor: Actor,
    now: datetime,
    comment: str | None = None,
    data: Mapping[str, Any] | None = None,
    reason: Mapping[str, Any] | None = None,
) -> Instance:
    """Move `inst` to `dest` and write everything that goes with it; returns the new instance."""
    source = inst.state
    final = dest in compiled.final_states
    new = inst.moved(state=dest, data={**inst.data, **(data or {})}, now=now, final=final)
    changed = uow.conn.execute(_MOVE, {"iid": inst.id, "old_revision": inst.revision,
                                       **{k: getattr(new, k) for k in _MOVED}}).rowcount
    if changed != 1:
        raise ConcurrentUpdate(f"instance {inst.id} was changed by someone else; reload and retry")
    audit(uow, now=now, actor=actor, entity_type="instance", entity_id=inst.id, instance_id=inst.id,
          action="transition", from_state=source, to_state=dest, trigger=trigger, comment=comment,
          data={**(data or {}), **({"reason": dict(reason)} if reason else {})})
    _leave(uow, compiled=compiled, inst=inst, final=final)
    transition = compiled.transition(trigger, source)
    _notify_all(uow, now=now, inst=new, compiled=compiled, notices=transition.notify, actor=actor,
                comment=comment, trigger=trigger)
    enter_state(svc, uow, compiled=compiled, inst=new, actor=actor, now=now, source=source, clocks=inst.clocks)
    _run_effects(svc, uow, names=transition.effects, inst=new, actor=actor, now=now, compiled=compiled)
    return new


_CANCEL_TASKS = (update(t.tasks).where(t.tasks.c.instance_id == bindparam("iid"), t.tasks.c.status == "open")
                 .values(status="cancelled"))
_CANCEL_STATE_TIMERS = (update(t.timers).where(t.timers.c.instance_id == bindparam("iid"),
                                               t.timers.c.status == "scheduled", ~sla.IS_SLA_TIMER)
                        .values(status="cancelled"))


def _leave(uow: UnitOfWork, *, compiled: CompiledWorkflow, inst: Instance, final: bool) -> None:
    """Cancel the open tasks and state-bound timers of the state being left.

    SLA timers belong to their clock: `sla.on_enter` cancels them when it stops or pauses the clock
    (also on entering a final state, which stops every clock).

    Skipped when the definition says nothing can be open in that state (the common fast path).
    """
    source = inst.state
    if compiled.may_have_tasks(source):
        uow.conn.execute(_CANCEL_TASKS, {"iid": inst.id})
    if compiled.may_have_timers(source):
        uow.conn.execute(_CANCEL_STATE_TIMERS, {"iid": inst.id})


def enter_state(svc: Services, uow: UnitOfWork, *, compiled: CompiledWorkflow, inst: Instance, actor: Actor,
                now: datetime, source: str | None, clocks: tuple[SlaClock, ...] | None = None) -> None:
    """Open the tasks and timers of the state `inst` is now in, move SLA clocks, notify, run effects.

    `clocks` are the instance's SLA clocks as read (locked) in this transaction, if they were.
    """
    state = compiled.states[inst.state]
    entry = inst.revision
    for task in state.tasks:
        open_tasks(svc, uow, compiled=compiled, inst=inst, task=task, now=now)
    for timer in state.timers:
        uow.conn.execute(_INSERT_TIMER, {
            "instance_id": inst.id, "task_id": None, "kind": "state", "name": timer.name, "state": state.name,
            "entry": entry, "due_at": svc.due(now, compiled.duration(timer.after)), "trigger": timer.fire,
            "status": "scheduled", "payload": {}, "attempts": 0, "created_at": now,
        })
    sla.on_enter(svc, uow, compiled=compiled, instance_id=inst.id, state=state.name, entry=entry,
                 data=inst.data, now=now, source=source, known=clocks)
    _notify_all(uow, now=now, inst=inst, compiled=compiled, notices=state.notify, actor=actor)
    _run_effects(svc, uow, names=state.effects, inst=inst, actor=actor, now=now, compiled=compiled)


_INSERT_TIMER = insert(t.timers)
_INSERT_TASK = insert(t.tasks).returning(t.tasks.c.id)
_USER_BY_LOGIN = select(t.users.c.id).where(t.users.c.login == bindparam("login"))


def open_tasks(svc: Services, uow: UnitOfWork, *, compiled: CompiledWorkflow, inst: Instance, task: TaskDef,
               now: datetime) -> None:
    """Open `task` of the state `inst` has just entered: one row per candidate group, with its timers.

    A task addressed to a user who is away goes to their substitute, held on their behalf (not when
    the substitute is the requester of a task the requester may not decide).
    """
    assignee = _assignee(uow, task.assignee, inst)
    stand = (absences.substitute_for(uow.conn, user_id=assignee, workflow=inst.workflow,
                                     day=absences.today(svc, now)) if assignee is not None else None)
    if stand is not None and task.requester_may_not_decide and stand.substitute_id == inst.requester_id:
        stand = None
    behalf = None
    if stand is not None:
        assignee, behalf = stand.substitute_id, stand.user_id
    due_duration = compiled.duration(task.due) if task.due else None
    due_at = svc.due(now, due_duration) if due_duration else None
    groups: list[str | None] = [*task.groups] or [None]
    for group in groups:
        task_id = uow.conn.execute(_INSERT_TASK, {
            "instance_id": inst.id, "name": task.name, "entry": inst.revision, "candidate_group": group,
            "original_group": group, "assignee_id": assignee, "status": "open", "trigger": None,
            "due_at": due_at, "payload": {}, "created_at": now, "on_behalf_of": behalf,
        }).scalar_one()
        if due_duration is not None and due_at is not None:
            schedule_task_timers(svc, uow, compiled=compiled, inst=inst, task_id=task_id, name=task.name,
                                 due_at=due_at, due=due_duration, remind_before=task.remind_before,
                                 escalate_to=task.escalate_to, now=now)
        recipient = f"user:{assignee}" if assignee else f"group:{group}"
        payload = task_payload(inst, compiled, task_id=task_id, name=task.name, trigger=None, due_at=due_at)
        if stand is not None:
            audit(uow, now=now, actor=SYSTEM, entity_type="task", entity_id=task_id, instance_id=inst.id,
                  action="task_routed", data={"task": task.name, "from": stand.user_login,
                                              "to": stand.substitute_login})
            payload = {**payload, "on_behalf_of": stand.user_login}
        notify(uow, now=now, instance_id=inst.id, recipients=[recipient], template="task_opened", payload=payload)
        for notice in task.notify:
            notify(uow, now=now, instance_id=inst.id, template=notice.template, payload=payload,
                   recipients=recipients_for(notice.to, requester_id=inst.requester_id, data=inst.data))


def _assignee(uow: UnitOfWork, rule: str | None, inst: Instance) -> int | None:
    if rule is None:
        return None
    if rule == "requester":
        return inst.requester_id
    kind, _, name = rule.partition(":")
    login = inst.data.get(name) if kind == "data" else None
    if not isinstance(login, str):
        return None
    user_id: int | None = uow.conn.execute(_USER_BY_LOGIN, {"login": login}).scalar()
    return user_id


def _notify_all(uow: UnitOfWork, *, now: datetime, inst: Instance, compiled: CompiledWorkflow,
                notices: list[NotificationDef], actor: Actor, comment: str | None = None,
                trigger: str | None = None) -> None:
    for notice in notices:
        notify(uow, now=now, instance_id=inst.id, template=notice.template,
               recipients=recipients_for(notice.to, requester_id=inst.requester_id, data=inst.data),
               payload=payload_for(inst, compiled, actor=actor.login, comment=comment, trigger=trigger))


def _run_effects(svc: Services, uow: UnitOfWork, *, names: list[str], inst: Instance, actor: Actor,
                 now: datetime, compiled: CompiledWorkflow) -> None:
    for name in names:
        svc.registry.effects[name](EffectContext(
            uow=uow, services=svc, actor=actor, instance_id=inst.id, workflow=compiled.name,
            subject_type=inst.subject_type, subject_id=inst.subject_id, state=inst.state,
            data=inst.data, now=now, requester_id=inst.requester_id,
        ))


_TOUCH = (update(t.instances)
          .where(t.instances.c.id == bindparam("iid"), t.instances.c.revision == bindparam("old_revision"))
          .values(revision=bindparam("new_revision"), updated_at=bindparam("now")))


def touch(uow: UnitOfWork, inst: Instance, now: datetime) -> Instance:
    """Bump the revision of an instance whose tasks changed but whose state did not."""
    changed = uow.conn.execute(_TOUCH, {"iid": inst.id, "old_revision": inst.revision,
                                        "new_revision": inst.revision + 1, "now": now}).rowcount
    if changed != 1:
        raise ConcurrentUpdate(f"instance {inst.id} was changed by someone else; reload and retry")
    return replace(inst, revision=inst.revision + 1, updated_at=now)


