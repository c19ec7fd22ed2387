"""Migration of running instances from older versions of a workflow to another version (docs/migration.md).

A migration plans each instance first, and the plan is what a dry run reports and what a real run
does: the state the instance goes to (same name by default, or the state map's), the open tasks it
keeps, cancels and gets, the timers and SLA clocks recomputed, and what blocks it.

A real run moves one instance per transaction. Inside it the instance is locked (as every step
locks it) and moved only if it is still on a source version, with the engine's revision check; so
a run killed half-way and asked again (it resumes its `migration_runs` row) moves the rest, and no
instance is moved twice. A step on the instance waits for the lock and then runs on the new
version; a caller holding the old revision (If-Match) gets a 409, as after any change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from workflows.domain.definition import TaskDef
from workflows.domain.errors import ConcurrentUpdate, InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, require
from workflows.domain.principals import Actor
from workflows.domain.rows import SLA_TIMER_KINDS, Instance, JsonObject, SlaClock, Task, Timer
from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import sla, steps
from workflows.services.context import Services
from workflows.services.instances import checked_data
from workflows.services.records import audit, notify
from workflows.services.task_timers import schedule_task_timers
from workflows.services.views import View

log = logging.getLogger(__name__)
BATCH = 500  # instances read per query in a dry run
MAX_INSTANCES = 10_000  # instance ids one request may name
MAX_MAP = 200  # entries of a state map
RETRIES = 3  # a per-instance transaction refused by a deadlock is tried again this often


class Blocker(View):
    """Why an instance cannot move: `state_unmapped`, `state_final`, `field_required`, `field_invalid`,
    `task_decided` (a task whose remaining parts all go away)."""

    code: str
    message: str
    state: str | None = None
    field: str | None = None


class TaskChange(View):
    task_id: int | None
    name: str
    group: str | None
    title_zh: str
    title_en: str
    due_at: datetime | None = None


class TimerChange(View):
    kind: str
    name: str
    due_at: datetime | None  # None: cancelled without a successor
    previous: datetime | None = None


class ClockChange(View):
    goal: str
    title_zh: str
    title_en: str
    status: str
    target_seconds_before: int | None
    target_seconds: int
    used_seconds: int
    due_at: datetime | None


class InstanceMigration(View):
    """One instance in a migration; `status` ready (dry run), migrated, blocked or unchanged (already there)."""

    instance_id: int
    subject_type: str | None
    subject_id: str | None
    from_version: int
    to_version: int
    from_state: str
    to_state: str | None
    status: str
    tasks_kept: list[TaskChange] = Field(default_factory=list)
    tasks_cancelled: list[TaskChange] = Field(default_factory=list)
    tasks_created: list[TaskChange] = Field(default_factory=list)
    timers: list[TimerChange] = Field(default_factory=list)
    clocks: list[ClockChange] = Field(default_factory=list)
    blockers: list[Blocker] = Field(default_factory=list)


class MigrationReport(View):
    workflow: str
    from_version: int | None
    to_version: int
    source_versions: list[int]
    state_map: dict[str, str]
    dry_run: bool
    run_id: int | None
    resumed: bool
    counts: dict[str, int]
    instances: list[InstanceMigration]


# --------------------------------------------------------------------------- planning (pure but for the calendar)

@dataclass
class _NewTask:
    spec: TaskDef
    group: str | None
    entry: int | None  # None: the instance's new revision (a task set opened afresh)
    due_at: datetime | None


@dataclass
class _Plan:
    view: InstanceMigration
    data: JsonObject
    cancel_tasks: list[int] = field(default_factory=list)
    cancel_timers: list[int] = field(default_factory=list)
    retime_tasks: list[tuple[Task, TaskDef, datetime | None]] = field(default_factory=list)
    new_tasks: list[_NewTask] = field(default_factory=list)
    new_timers: list[JsonObject] = field(default_factory=list)
    clock_updates: list[tuple[int, JsonObject]] = field(default_factory=list)
    clock_inserts: list[JsonObject] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.view.blockers)


def _task_change(compiled: CompiledWorkflow, task: Task, due_at: datetime | None = None) -> TaskChange:
    zh, en = compiled.task_title(task.name, task.trigger)
    return TaskChange(task_id=task.id, name=task.name, group=task.original_group, title_zh=zh, title_en=en,
                      due_at=due_at if due_at is not None else task.due_at)


def _timing(spec: TaskDef | None) -> tuple[Any, ...]:
    return (None,) if spec is None else (spec.due, tuple(spec.remind_before), spec.escalate_to)


def _fits(task: Task, spec: TaskDef | None) -> bool:
    if spec is None:
        return False
    return task.original_group in spec.groups if spec.groups else task.original_group is None


def _field_blockers(target: CompiledWorkflow, inst: Instance, svc: Services) -> tuple[JsonObject, list[Blocker]]:
    try:
        return checked_data(target.definition, inst.data, limits=svc.limits), []
    except InvalidInput as exc:
        blockers = []
        for problem in exc.problems:
            name = problem.path.removeprefix("data.")
            required = problem.message == "is required"
            blockers.append(Blocker(code="field_required" if required else "field_invalid", field=name,
                                    message=f"field {name!r} {problem.message} in version {target.version}"))
        return dict(inst.data), blockers


def plan_instance(svc: Services, *, inst: Instance, source: CompiledWorkflow, target: CompiledWorkflow,
                  state_map: Mapping[str, str], tasks: Sequence[Task], timers: Sequence[Timer], now: datetime) -> _Plan:
    """What migrating `inst` (read with its clocks, its non-cancelled tasks and scheduled timers) would do."""
    to_state = state_map.get(inst.state) or (inst.state if inst.state in target.states else None)
    view = InstanceMigration(instance_id=inst.id, subject_type=inst.subject_type, subject_id=inst.subject_id,
                             from_version=inst.definition_version, to_version=target.version, from_state=inst.state,
                             to_state=to_state, status="ready")
    data, blockers = _field_blockers(target, inst, svc)
    plan = _Plan(view=view, data=data)
    if to_state is None:
        blockers.insert(0, Blocker(code="state_unmapped", state=inst.state,
                                   message=f"state {inst.state!r} is not in version {target.version}: map it "
                                           f"(--map {inst.state}=NEW)"))
    elif to_state in target.final_states:
        blockers.insert(0, Blocker(code="state_final", state=to_state,
                                   message=f"state {to_state!r} is final: a running instance is not moved into it"))
    else:
        _plan_tasks(svc, plan, inst=inst, source=source, target=target, to_state=to_state, tasks=tasks,
                    timers=timers, blockers=blockers, now=now)
        _plan_state_timers(svc, plan, inst=inst, source=source, target=target, to_state=to_state, timers=timers)
        _plan_clocks(svc, plan, inst=inst, target=target, to_state=to_state, data=data, timers=timers, now=now)
    plan.view = plan.view.model_copy(update={"blockers": blockers, "status": "blocked" if blockers else "ready"})
    return plan


def _plan_tasks(svc: Services, plan: _Plan, *, inst: Instance, source: CompiledWorkflow, target: CompiledWorkflow,
                to_state: str, tasks: Sequence[Task], timers: Sequence[Timer], blockers: list[Blocker],
                now: datetime) -> None:
    state = target.states[to_state]
    specs = {spec.name: spec for spec in state.tasks}
    kept: list[TaskChange] = []
    cancelled: list[TaskChange] = []
    kept_entries: dict[str, int] = {}
    timer_changes: list[TimerChange] = []
    for task in (x for x in tasks if x.status == "open" and x.approval is None and x.name in specs):
        kept_entries[task.name] = task.entry  # the set of parts this task belongs to goes on
    for task in (x for x in tasks if x.status == "open"):
        if task.approval is not None:
            transition = target.by_trigger_source.get((task.trigger or "", to_state))
            if transition is not None and transition.approval is not None:
                kept.append(_task_change(source, task))
            else:
                plan.cancel_tasks.append(task.id)
                cancelled.append(_task_change(source, task))
            continue
        spec = specs.get(task.name)
        if not _fits(task, spec):
            plan.cancel_tasks.append(task.id)
            cancelled.append(_task_change(source, task))
            continue
        assert spec is not None
        old = source.tasks.get(task.name)
        if _timing(old[1] if old else None) != _timing(spec):
            due_at = svc.due(task.created_at, target.duration(spec.due)) if spec.due else None
            plan.retime_tasks.append((task, spec, due_at))
            for timer in timers:
                if timer.task_id == task.id:
                    plan.cancel_timers.append(timer.id)
            timer_changes.append(TimerChange(kind="task_due", name=task.name, due_at=due_at, previous=task.due_at))
            kept.append(_task_change(target, task, due_at))
        else:
            kept.append(_task_change(target, task))
    cancelled_ids = set(plan.cancel_tasks)
    for timer in timers:
        if timer.task_id is not None and timer.task_id in cancelled_ids:
            plan.cancel_timers.append(timer.id)
    created: list[TaskChange] = []
    for spec in state.tasks:
        due_at = None
        entry = kept_entries.get(spec.name)
        if entry is None:
            present: set[str | None] = set()
        else:
            present = {x.original_group for x in tasks
                       if x.name == spec.name and x.entry == entry and x.id not in cancelled_ids}
        groups: list[str | None] = [*spec.groups] or [None]
        for group in groups:
            if group in present:
                continue
            if due_at is None and spec.due:
                start = _set_start(tasks, spec.name, entry) if entry is not None else now
                due_at = svc.due(start, target.duration(spec.due))
            plan.new_tasks.append(_NewTask(spec=spec, group=group, entry=entry, due_at=due_at))
            zh, en = target.task_title(spec.name)
            created.append(TaskChange(task_id=None, name=spec.name, group=group, title_zh=zh, title_en=en,
                                      due_at=due_at))
    for name, entry in kept_entries.items():
        still_open = [x for x in tasks if x.name == name and x.entry == entry and x.status == "open"
                      and x.id not in cancelled_ids]
        if not still_open and not any(n.spec.name == name and n.entry == entry for n in plan.new_tasks):
            blockers.append(Blocker(code="task_decided", message=f"task {name!r} would have no open part left: "
                                                                 "decide it on the old version first"))
    plan.view = plan.view.model_copy(update={"tasks_kept": kept, "tasks_cancelled": cancelled,
                                             "tasks_created": created, "timers": timer_changes})


def _set_start(tasks: Sequence[Task], name: str, entry: int) -> datetime:
    """When the kept task set `name` was opened: its siblings' due dates run from there."""
    return min(x.created_at for x in tasks if x.name == name and x.entry == entry)


def _plan_state_timers(svc: Services, plan: _Plan, *, inst: Instance, source: CompiledWorkflow,
                       target: CompiledWorkflow, to_state: str, timers: Sequence[Timer]) -> None:
    old = source.states.get(inst.state)
    new = target.states[to_state]
    if inst.state == to_state and old is not None and old.timers == new.timers:
        return
    changes = list(plan.view.timers)
    for timer in timers:
        if timer.kind == "state":
            plan.cancel_timers.append(timer.id)
            if not any(spec.name == timer.name for spec in new.timers):
                changes.append(TimerChange(kind="state", name=timer.name, due_at=None, previous=timer.due_at))
    for spec in new.timers:
        due_at = svc.due(inst.state_entered_at, target.duration(spec.after))
        previous = next((x.due_at for x in timers if x.kind == "state" and x.name == spec.name), None)
        plan.new_timers.append({"task_id": None, "kind": "state", "name": spec.name, "state": to_state,
                                "due_at": due_at, "trigger": spec.fire})
        changes.append(TimerChange(kind="state", name=spec.name, due_at=due_at, previous=previous))
    plan.view = plan.view.model_copy(update={"timers": changes})


def _target_seconds(svc: Services, target: CompiledWorkflow, text: str, now: datetime) -> tuple[int, bool]:
    duration = target.duration(text)
    span = svc.working_span(duration) if duration.working else svc.due(now, duration) - now
    return int(span.total_seconds()), duration.working


def _plan_clocks(svc: Services, plan: _Plan, *, inst: Instance, target: CompiledWorkflow, to_state: str,
                 data: JsonObject, timers: Sequence[Timer], now: datetime) -> None:
    clocks = {clock.goal: clock for clock in inst.clocks or ()}
    changes: list[ClockChange] = []
    sla_timers: list[JsonObject] = []

    def cancel(goal: str) -> None:
        plan.cancel_timers.extend(x.id for x in timers if x.kind in SLA_TIMER_KINDS and x.name == goal)

    for goal in target.definition.sla:
        title = (goal.title.zh, goal.title.en) if goal.title else (goal.name, goal.name)
        clock = clocks.get(goal.name)
        text = sla.goal_duration(target, goal, data)
        if clock is None:
            if to_state not in goal.start or text is None:
                continue
            seconds, working = _target_seconds(svc, target, text, now)
            used = sla.elapsed(svc, working=working, start=inst.state_entered_at, end=now)
            due = sla._schedule(svc, sla_timers, instance_id=inst.id, state=to_state, entry=0, goal=goal,
                                target=seconds, used=used, working=working, now=now)
            plan.clock_inserts.append({
                "instance_id": inst.id, "workflow": target.name, "goal": goal.name, "working": working,
                "target_seconds": seconds, "used_seconds": used, "status": "running",
                "started_at": inst.state_entered_at, "running_since": now, "due_at": due, "stopped_at": None,
                "breached_at": None})
            changes.append(ClockChange(goal=goal.name, title_zh=title[0], title_en=title[1], status="running",
                                       target_seconds_before=None, target_seconds=seconds, used_seconds=used,
                                       due_at=due))
            continue
        if clock.status not in ("running", "paused"):
            continue
        used = _used(svc, clock, now)
        seconds, working = _target_seconds(svc, target, text, now) if text else (clock.target_seconds, clock.working)
        values: JsonObject
        if to_state in goal.stop:
            status = "breached" if clock.breached_at is not None or used > seconds else "met"
            values = {"status": status, "used_seconds": used, "running_since": None, "stopped_at": now, "due_at": None}
        elif to_state in goal.pause:
            if clock.status == "paused" and seconds == clock.target_seconds:
                continue
            values = {"status": "paused", "used_seconds": used, "running_since": None, "due_at": None}
        else:
            unchanged = clock.status == "running" and seconds == clock.target_seconds and working == clock.working
            if unchanged:
                continue
            due = sla._schedule(svc, sla_timers, instance_id=inst.id, state=to_state, entry=0, goal=goal,
                                target=seconds, used=used, working=working, now=now)
            values = {"status": "running", "used_seconds": used, "running_since": now, "due_at": due}
        cancel(goal.name)
        values.update(target_seconds=seconds, working=working)
        plan.clock_updates.append((clock.id, values))
        changes.append(ClockChange(goal=goal.name, title_zh=title[0], title_en=title[1], status=values["status"],
                                   target_seconds_before=clock.target_seconds, target_seconds=seconds,
                                   used_seconds=used, due_at=values["due_at"]))
    names = {goal.name for goal in target.definition.sla}
    for clock in clocks.values():
        if clock.goal not in names and clock.status in ("running", "paused"):
            cancel(clock.goal)
            used = _used(svc, clock, now)
            plan.clock_updates.append((clock.id, {"status": "dropped", "used_seconds": used, "running_since": None,
                                                  "stopped_at": now, "due_at": None}))
            changes.append(ClockChange(goal=clock.goal, title_zh=clock.goal, title_en=clock.goal, status="dropped",
                                       target_seconds_before=clock.target_seconds,
                                       target_seconds=clock.target_seconds, used_seconds=used, due_at=None))
    for row in sla_timers:
        plan.new_timers.append({k: v for k, v in row.items() if k not in ("instance_id", "entry", "status",
                                                                         "payload", "attempts", "created_at")})
    plan.view = plan.view.model_copy(update={"clocks": changes})


def _used(svc: Services, clock: SlaClock, now: datetime) -> int:
    used = clock.used_seconds
    if clock.status == "running" and clock.running_since is not None:
        used += sla.elapsed(svc, working=clock.working, start=clock.running_since, end=now)
    return used


# --------------------------------------------------------------------------- reading

_TASKS = select(t.tasks).where(t.tasks.c.instance_id.in_(bindparam("ids", expanding=True)),
                               t.tasks.c.status != "cancelled").order_by(t.tasks.c.id)
_TIMERS = select(t.timers).where(t.timers.c.instance_id.in_(bindparam("ids", expanding=True)),
                                 t.timers.c.status == "scheduled").order_by(t.timers.c.id)
_CLOCKS = select(t.sla_clocks).where(t.sla_clocks.c.instance_id.in_(bindparam("ids", expanding=True)))
_INSTANCES = select(t.instances).where(t.instances.c.id.in_(bindparam("ids", expanding=True)))


_TASKS_OF_ONE = select(t.tasks).where(t.tasks.c.instance_id == bindparam("iid"),
                                      t.tasks.c.status != "cancelled").order_by(t.tasks.c.id)
_TIMERS_OF_ONE = select(t.timers).where(t.timers.c.instance_id == bindparam("iid"),
                                        t.timers.c.status == "scheduled").order_by(t.timers.c.id)


def _children(uow: UnitOfWork, ids: list[int]) -> tuple[dict[int, list[Task]], dict[int, list[Timer]]]:
    """The non-cancelled tasks and scheduled timers of the instances `ids` (one instance: a statement that
    is compiled once, not an IN list rendered anew)."""
    tasks: dict[int, list[Task]] = {i: [] for i in ids}
    timers: dict[int, list[Timer]] = {i: [] for i in ids}
    one = len(ids) == 1
    task_rows = uow.conn.execute(_TASKS_OF_ONE, {"iid": ids[0]}) if one else uow.conn.execute(_TASKS, {"ids": ids})
    for row in task_rows.mappings():
        tasks[row["instance_id"]].append(Task.from_row(row))
    timer_rows = uow.conn.execute(_TIMERS_OF_ONE, {"iid": ids[0]}) if one else uow.conn.execute(_TIMERS, {"ids": ids})
    for row in timer_rows.mappings():
        timers[row["instance_id"]].append(Timer.from_row(row))
    return tasks, timers


# --------------------------------------------------------------------------- applying

_MOVE = (update(t.instances)
         .where(t.instances.c.id == bindparam("iid"), t.instances.c.revision == bindparam("old_revision"),
                t.instances.c.definition_id == bindparam("old_definition"))
         .values(definition_id=bindparam("definition_id"), definition_version=bindparam("definition_version"),
                 state=bindparam("state"), data=bindparam("data"), revision=bindparam("revision"),
                 updated_at=bindparam("now")))
_CANCEL_TASKS = (update(t.tasks).where(t.tasks.c.id.in_(bindparam("ids", expanding=True)), t.tasks.c.status == "open")
                 .values(status="cancelled"))
_CANCEL_TIMERS = (update(t.timers).where(t.timers.c.id.in_(bindparam("ids", expanding=True)),
                                         t.timers.c.status == "scheduled").values(status="cancelled"))
_UPDATE_CLOCK = update(t.sla_clocks).where(t.sla_clocks.c.id == bindparam("cid"))


def _apply(svc: Services, uow: UnitOfWork, *, plan: _Plan, inst: Instance, target: CompiledWorkflow, actor: Actor,
           run_id: int, now: datetime) -> None:
    to_state = plan.view.to_state
    assert to_state is not None
    moved = uow.conn.execute(_MOVE, {
        "iid": inst.id, "old_revision": inst.revision, "old_definition": inst.definition_id,
        "definition_id": target.definition_id, "definition_version": target.version, "state": to_state,
        "data": plan.data, "revision": inst.revision + 1, "now": now}).rowcount
    if moved != 1:
        raise ConcurrentUpdate(f"instance {inst.id} was changed by someone else; run the migration again")
    new = replace(inst, definition_id=target.definition_id, definition_version=target.version, state=to_state,
                  data=plan.data, revision=inst.revision + 1, updated_at=now, clocks=None)
    if plan.cancel_tasks:
        uow.conn.execute(_CANCEL_TASKS, {"ids": plan.cancel_tasks})
    if plan.cancel_timers:
        uow.conn.execute(_CANCEL_TIMERS, {"ids": sorted(set(plan.cancel_timers))})
    for task, spec, due_at in plan.retime_tasks:
        uow.conn.execute(update(t.tasks).where(t.tasks.c.id == task.id).values(due_at=due_at))
        if due_at is not None and spec.due:
            schedule_task_timers(svc, uow, compiled=target, inst=new, task_id=task.id, name=task.name, due_at=due_at,
                                 due=target.duration(spec.due), remind_before=spec.remind_before,
                                 escalate_to=spec.escalate_to, now=now)
    created: list[int] = []
    for item in plan.new_tasks:
        created.append(_open_task(svc, uow, target=target, inst=new, item=item, now=now))
    if plan.new_timers:
        uow.conn.execute(insert(t.timers), [{**row, "instance_id": inst.id, "entry": new.revision,
                                              "status": "scheduled", "payload": {}, "attempts": 0, "created_at": now}
                                             for row in plan.new_timers])
    for clock_id, values in plan.clock_updates:
        uow.conn.execute(_UPDATE_CLOCK, {"cid": clock_id, **values})
    if plan.clock_inserts:
        uow.conn.execute(insert(t.sla_clocks), plan.clock_inserts)
    audit(uow, now=now, actor=actor, entity_type="instance", entity_id=inst.id, instance_id=inst.id,
          action="migrated", from_state=inst.state, to_state=to_state,
          comment=f"version {inst.definition_version} → {target.version}",
          data={"from_version": inst.definition_version, "to_version": target.version, "run": run_id,
                "tasks_cancelled": plan.cancel_tasks, "tasks_created": created})


def _open_task(svc: Services, uow: UnitOfWork, *, target: CompiledWorkflow, inst: Instance, item: _NewTask,
               now: datetime) -> int:
    """One task row of the new version (its timers, its `task_opened` notice), as entering the state opens it."""
    spec = item.spec
    assignee = steps._assignee(uow, spec.assignee, inst)
    task_id: int = uow.conn.execute(insert(t.tasks).returning(t.tasks.c.id), {
        "instance_id": inst.id, "name": spec.name, "entry": item.entry if item.entry is not None else inst.revision,
        "candidate_group": item.group, "original_group": item.group, "assignee_id": assignee, "status": "open",
        "trigger": None, "due_at": item.due_at, "payload": {}, "created_at": now}).scalar_one()
    if item.due_at is not None and spec.due:
        schedule_task_timers(svc, uow, compiled=target, inst=inst, task_id=task_id, name=spec.name,
                             due_at=item.due_at, due=target.duration(spec.due), remind_before=spec.remind_before,
                             escalate_to=spec.escalate_to, now=now)
    recipient = f"user:{assignee}" if assignee else f"group:{item.group}"
    notify(uow, now=now, instance_id=inst.id, recipients=[recipient], template="task_opened",
           payload=steps.task_payload(inst, target, task_id=task_id, name=spec.name, trigger=None,
                                      due_at=item.due_at))
    return task_id


_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    """INSERT a run's row for an instance, or overwrite it (built once per dialect: building it costs more
    than running it)."""
    found = _UPSERTS.get(dialect)
    if found is None:
        statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(t.migration_items)
        found = _UPSERTS[dialect] = statement.on_conflict_do_update(
            index_elements=["run_id", "instance_id"],
            set_={"status": statement.excluded.status, "detail": statement.excluded.detail,
                  "at": statement.excluded.at})
    return found


def _record(uow: UnitOfWork, *, run_id: int, view: InstanceMigration, now: datetime) -> None:
    """The run's row for this instance (a resumed run overwrites what it found blocked before)."""
    uow.conn.execute(_upsert(uow.dialect), {
        "run_id": run_id, "instance_id": view.instance_id, "from_version": view.from_version,
        "to_version": view.to_version, "status": view.status,
        "detail": {"to_state": view.to_state, "blockers": [b.message for b in view.blockers]}, "at": now})


# --------------------------------------------------------------------------- the use case

@dataclass(frozen=True)
class _Scope:
    workflow: str
    target: CompiledWorkflow
    sources: dict[int, int]  # version -> definition id
    state_map: dict[str, str]
    from_version: int | None
    instance_ids: list[int] | None


def _versions(uow: UnitOfWork, workflow: str) -> dict[int, int]:
    rows = uow.conn.execute(select(t.definitions.c.version, t.definitions.c.id)
                            .where(t.definitions.c.name == workflow)).all()
    return {int(r.version): int(r.id) for r in rows}


def _scope(svc: Services, uow: UnitOfWork, *, workflow: str, to_version: int, from_version: int | None,
           state_map: Mapping[str, str], instance_ids: Sequence[int] | None) -> _Scope:
    versions = _versions(uow, workflow)
    if not versions:
        raise NotFound(f"no published workflow named {workflow!r}")
    if to_version not in versions:
        raise NotFound(f"workflow {workflow!r} has no version {to_version}")
    if from_version is not None and from_version not in versions:
        raise NotFound(f"workflow {workflow!r} has no version {from_version}")
    if from_version == to_version:
        raise InvalidInput("nothing to migrate", [Problem("from_version", "must differ from to_version")])
    if len(state_map) > MAX_MAP:
        raise InvalidInput("the state map is too long", [Problem("map", f"at most {MAX_MAP} entries")])
    if instance_ids is not None and len(instance_ids) > MAX_INSTANCES:
        raise InvalidInput("too many instances", [Problem("instances", f"at most {MAX_INSTANCES} ids")])
    target = svc.compiled(uow.conn, versions[to_version])
    sources = {v: i for v, i in versions.items() if (v == from_version if from_version is not None else v < to_version)}
    known = {s for v in sources.values() for s in svc.compiled(uow.conn, v).states}
    problems = []
    for old, new in state_map.items():
        if old not in known:
            problems.append(Problem(f"map.{old}", f"no source version has a state {old!r}"))
        if new not in target.states:
            problems.append(Problem(f"map.{old}", f"version {to_version} has no state {new!r}"))
    if problems:
        raise InvalidInput("the state map is not valid", problems)
    return _Scope(workflow=workflow, target=target, sources=sources, state_map=dict(state_map),
                  from_version=from_version, instance_ids=list(instance_ids) if instance_ids is not None else None)


def _selected(uow: UnitOfWork, scope: _Scope) -> tuple[list[int], list[Instance]]:
    """The ids of the running instances on a source version, and the named ones already on the target."""
    i = t.instances.c
    query = (select(i.id).where(i.workflow == scope.workflow, i.status == "active",
                                i.definition_version.in_(list(scope.sources) or [-1])).order_by(i.id))
    if scope.instance_ids is None:
        return [int(x) for x in uow.conn.execute(query).scalars()], []
    wanted = sorted(set(scope.instance_ids))
    found = {int(x) for x in uow.conn.execute(query.where(i.id.in_(wanted))).scalars()} if wanted else set()
    rest = [x for x in wanted if x not in found]
    there: list[Instance] = []
    problems = []
    if rest:
        rows = {r["id"]: r for r in uow.conn.execute(_INSTANCES, {"ids": rest}).mappings()}
        for index, iid in enumerate(scope.instance_ids):
            row = rows.get(iid)
            if iid in found:
                continue
            if (row is not None and row["workflow"] == scope.workflow and row["status"] == "active"
                    and row["definition_version"] == scope.target.version):
                if all(x.id != iid for x in there):
                    there.append(Instance.from_row(row))
                continue
            problems.append(Problem(f"instances.{index}", f"instance {iid} is not a running {scope.workflow!r} "
                                                          f"instance on version {_versions_text(scope)}"))
    if problems:
        raise InvalidInput("some instances cannot be migrated by this request", problems)
    return sorted(found), there


def _versions_text(scope: _Scope) -> str:
    return ", ".join(str(v) for v in sorted(scope.sources)) or "(none)"


def _unchanged(inst: Instance) -> InstanceMigration:
    return InstanceMigration(instance_id=inst.id, subject_type=inst.subject_type, subject_id=inst.subject_id,
                             from_version=inst.definition_version, to_version=inst.definition_version,
                             from_state=inst.state, to_state=inst.state, status="unchanged")


def _counts(views: Iterable[InstanceMigration]) -> dict[str, int]:
    counts = {"total": 0, "ready": 0, "migrated": 0, "blocked": 0, "unchanged": 0}
    for view in views:
        counts["total"] += 1
        counts[view.status] = counts.get(view.status, 0) + 1
    return counts


Progress = Callable[[InstanceMigration], None]


def migrate_instances(
    svc: Services, *, actor: Actor, workflow: str, to_version: int, from_version: int | None = None,
    state_map: Mapping[str, str] | None = None, instance_ids: Sequence[int] | None = None, dry_run: bool = False,
    progress: Progress | None = None, before_commit: Callable[[int], None] | None = None,
) -> MigrationReport:
    """Plan (`dry_run`) or carry out the migration of `workflow`'s running instances to `to_version`.

    Sources: the instances on `from_version`, or on every version below `to_version`; `instance_ids`
    narrows them (an id already on `to_version` is reported unchanged). A state maps to the state of
    the same name unless `state_map` says otherwise. `progress` hears of each instance when its
    transaction has ended; `before_commit` is called inside it, just before it commits (for tests).

    Raises:
        PermissionDenied: the actor is not an admin.
        NotFound: no such workflow or version.
        InvalidInput: the map names unknown states, or an id is not a running instance of a source version.
    """
    require(actor, Action.MIGRATE_INSTANCES)
    with svc.uow(write=False) as uow:
        scope = _scope(svc, uow, workflow=workflow, to_version=to_version, from_version=from_version,
                       state_map=dict(state_map or {}), instance_ids=instance_ids)
        ids, there = _selected(uow, scope)
    views = [_unchanged(inst) for inst in there]
    run_id, resumed = (None, False) if dry_run else _start_run(svc, scope, actor)
    if dry_run:
        for start in range(0, len(ids), BATCH):
            views += _dry_batch(svc, scope, ids[start:start + BATCH], progress)
    else:
        assert run_id is not None
        for iid in ids:
            view = _migrate_one(svc, scope, iid, actor=actor, run_id=run_id, before_commit=before_commit)
            if view is None:
                continue
            views.append(view)
            if progress is not None:
                progress(view)
        _finish_run(svc, run_id)
    return MigrationReport(workflow=workflow, from_version=from_version, to_version=to_version,
                           source_versions=sorted(scope.sources), state_map=scope.state_map, dry_run=dry_run,
                           run_id=run_id, resumed=resumed, counts=_counts(views), instances=views)


def _dry_batch(svc: Services, scope: _Scope, ids: list[int], progress: Progress | None) -> list[InstanceMigration]:
    now = svc.clock.now()
    views = []
    with svc.uow(write=False) as uow:
        clocks: dict[int, list[SlaClock]] = {i: [] for i in ids}
        for row in uow.conn.execute(_CLOCKS, {"ids": ids}).mappings():
            clocks[row["instance_id"]].append(SlaClock.from_row(row))
        tasks, timers = _children(uow, ids)
        rows = uow.conn.execute(_INSTANCES.order_by(t.instances.c.id), {"ids": ids}).mappings().all()
        for row in rows:
            inst = Instance.from_row(row, clocks=tuple(clocks[row["id"]]))
            source = svc.compiled(uow.conn, inst.definition_id, inst.variant)
            target = svc.compiled(uow.conn, scope.target.definition_id, inst.variant)  # the same variant, by name
            plan = plan_instance(svc, inst=inst, source=source, target=target, state_map=scope.state_map,
                                 tasks=tasks[inst.id], timers=timers[inst.id], now=now)
            views.append(plan.view)
            if progress is not None:
                progress(plan.view)
    return views


def _migrate_one(svc: Services, scope: _Scope, iid: int, *, actor: Actor, run_id: int,
                 before_commit: Callable[[int], None] | None) -> InstanceMigration | None:
    """Move one instance in its own transaction; None if it is no longer on a source version (moved by a
    concurrent run, or closed meanwhile)."""
    for attempt in range(1, RETRIES + 1):
        try:
            with svc.uow() as uow:
                inst = steps.lock_instance(uow, iid)
                if inst.status != "active" or inst.definition_version not in scope.sources:
                    return None
                now = svc.clock.now()
                source = svc.compiled(uow.conn, inst.definition_id, inst.variant)
                target = svc.compiled(uow.conn, scope.target.definition_id, inst.variant)  # the same variant, by name
                tasks, timers = _children(uow, [iid])
                plan = plan_instance(svc, inst=inst, source=source, target=target, state_map=scope.state_map,
                                     tasks=tasks[iid], timers=timers[iid], now=now)
                if plan.blocked:
                    view = plan.view
                else:
                    _apply(svc, uow, plan=plan, inst=inst, target=target, actor=actor, run_id=run_id, now=now)
                    view = plan.view.model_copy(update={"status": "migrated"})
                _record(uow, run_id=run_id, view=view, now=now)
                if before_commit is not None:
                    before_commit(iid)
                uow.commit()
                return view
        except OperationalError as exc:  # a deadlock with a timer worker on PostgreSQL: try again
            if attempt == RETRIES:
                raise
            log.info("migrating instance %s: attempt %d failed (%s); trying again", iid, attempt, exc)
    return None


def _start_run(svc: Services, scope: _Scope, actor: Actor) -> tuple[int, bool]:
    """A new run row, or the unfinished run of the very same migration (resumed)."""
    r = t.migration_runs.c
    with svc.uow() as uow:
        rows = uow.conn.execute(select(t.migration_runs).where(
            r.workflow == scope.workflow, r.to_version == scope.target.version, r.status == "running")
            .order_by(r.id)).mappings().all()
        for row in rows:
            if (row["from_version"] == scope.from_version and row["state_map"] == scope.state_map
                    and row["instance_ids"] == scope.instance_ids):
                return int(row["id"]), True
        now = svc.clock.now()
        run_id = int(uow.conn.execute(insert(t.migration_runs).returning(r.id), {
            "workflow": scope.workflow, "from_version": scope.from_version, "to_version": scope.target.version,
            "state_map": scope.state_map, "instance_ids": scope.instance_ids, "status": "running",
            "started_by": actor.login, "started_at": now, "finished_at": None, "migrated": 0, "blocked": 0,
        }).scalar_one())
        audit(uow, now=now, actor=actor, entity_type="definition", entity_id=scope.target.definition_id,
              action="migration_started", data={"run": run_id, "workflow": scope.workflow,
                                                 "to_version": scope.target.version,
                                                 "from_version": scope.from_version, "map": scope.state_map})
        uow.commit()
    return run_id, False


def _finish_run(svc: Services, run_id: int) -> None:
    items = t.migration_items.c
    with svc.uow() as uow:
        counts: dict[str, int] = dict(uow.conn.execute(select(items.status, func.count()).where(items.run_id == run_id)
                                       .group_by(items.status)).all())
        uow.conn.execute(update(t.migration_runs).where(t.migration_runs.c.id == run_id).values(
            status="done", finished_at=svc.clock.now(), migrated=int(counts.get("migrated", 0)),
            blocked=int(counts.get("blocked", 0))))
        uow.commit()


def instances_behind(svc: Services, *, workflow: str) -> dict[int, int]:
    """Running instances of `workflow` per version older than its latest: what the editor offers to migrate."""
    i = t.instances.c
    with svc.uow(write=False) as uow:
        latest = uow.conn.execute(select(func.max(t.definitions.c.version))
                                  .where(t.definitions.c.name == workflow)).scalar()
        if latest is None:
            return {}
        rows = uow.conn.execute(select(i.definition_version, func.count()).where(
            i.workflow == workflow, i.status == "active", i.definition_version < latest)
            .group_by(i.definition_version).order_by(i.definition_version)).all()
    return {int(v): int(n) for v, n in rows}
