"""SLA clocks inside a step: start, pause, resume and stop as the instance changes state.

A clock measures working (or calendar) time between its start and stop states, not counting
time spent in pause states. Its warning and breach are timer rows (`sla_warn`, `sla_breach`)
scheduled for the moment the remaining budget runs out, so they survive restarts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update

from workflows.domain.definition import SlaDef
from workflows.domain.rows import JsonObject, SlaClock
from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services

SLA_KINDS = ("sla_warn", "sla_breach")
# Spelled out rather than IN (...): an expanding IN is re-rendered on every execution.
IS_SLA_TIMER = or_(t.timers.c.kind == "sla_warn", t.timers.c.kind == "sla_breach")


def goal_duration(compiled: CompiledWorkflow, goal: SlaDef, data: Mapping[str, Any]) -> str | None:
    if goal.goal_by:
        return goal.goals.get(str(data.get(goal.goal_by)))
    return goal.goal


def elapsed(svc: Services, *, working: bool, start: datetime, end: datetime) -> int:
    if working:
        return int(svc.calendar.working_time_between(start, end).total_seconds())
    return max(int((end - start).total_seconds()), 0)


def _deadline(svc: Services, *, working: bool, start: datetime, seconds: int) -> datetime:
    span = timedelta(seconds=max(seconds, 0))
    return svc.calendar.add_working_time(start, span) if working else start + span


def _schedule(svc: Services, timers: list[JsonObject], *, instance_id: int, state: str, entry: int,
              goal: SlaDef, target: int, used: int, working: bool, now: datetime) -> datetime:
    """Add the warning and breach timer rows of a clock running from `now` (`used` of `target` seconds
    spent) to `timers`; returns the breach moment."""
    due = _deadline(svc, working=working, start=now, seconds=target - used)
    rows = []
    warn_mark = target * goal.warn_at // 100
    if used < warn_mark:
        rows.append(("sla_warn", _deadline(svc, working=working, start=now, seconds=warn_mark - used)))
    rows.append(("sla_breach", due))
    timers.extend(
        {"instance_id": instance_id, "task_id": None, "kind": kind, "name": goal.name, "state": state,
         "entry": entry, "due_at": at, "trigger": goal.breach if kind == "sla_breach" else None,
         "status": "scheduled", "payload": {}, "attempts": 0, "created_at": now}
        for kind, at in rows
    )
    return due


_CLOCKS = select(t.sla_clocks).where(t.sla_clocks.c.instance_id == bindparam("iid"))
_INSERT_TIMER = insert(t.timers)
_INSERT_CLOCK = insert(t.sla_clocks)
_CANCEL = (update(t.timers).where(t.timers.c.instance_id == bindparam("iid"), t.timers.c.name == bindparam("goal"),
                                  IS_SLA_TIMER, t.timers.c.status == "scheduled").values(status="cancelled"))


def _cancel(uow: UnitOfWork, *, instance_id: int, goal: str) -> None:
    uow.conn.execute(_CANCEL, {"iid": instance_id, "goal": goal})


def on_enter(svc: Services, uow: UnitOfWork, *, compiled: CompiledWorkflow, instance_id: int, state: str,
             entry: int, data: Mapping[str, Any], now: datetime, source: str | None,
             known: tuple[SlaClock, ...] | None = None) -> None:
    """Move every SLA clock of the instance as entering `state` (from `source`) requires.

    `known` are the clocks as read with the instance in this transaction, if they were.
    """
    definition = compiled.definition
    if not definition.sla:
        return
    final = state in compiled.final_states
    fresh = source is None
    leaving_pause = source is not None and any(source in g.pause for g in definition.sla)
    if state not in compiled.sla_states and not final and not leaving_pause:
        return
    if known is None and not fresh:
        known = tuple(SlaClock.from_row(row) for row in uow.conn.execute(_CLOCKS, {"iid": instance_id}).mappings())
    clocks = {clock.goal: clock for clock in known or ()}
    timers: list[JsonObject] = []
    started: list[JsonObject] = []
    for goal in definition.sla:
        clock = clocks.get(goal.name)
        if clock is None or clock.status in ("met", "breached"):
            if clock is None and state in goal.start and not final:
                _start(svc, timers, started, compiled=compiled, goal=goal, instance_id=instance_id, state=state,
                       entry=entry, data=data, now=now)
            continue
        used = clock.used_seconds
        if clock.status == "running" and clock.running_since is not None:
            used += elapsed(svc, working=clock.working, start=clock.running_since, end=now)
        if state in goal.stop or final:
            _cancel(uow, instance_id=instance_id, goal=goal.name)
            breached = clock.breached_at is not None or used > clock.target_seconds
            _update(uow, clock.id, used_seconds=used, status="breached" if breached else "met",
                    running_since=None, stopped_at=now)
        elif state in goal.pause and clock.status == "running":
            _cancel(uow, instance_id=instance_id, goal=goal.name)
            _update(uow, clock.id, used_seconds=used, status="paused", running_since=None, due_at=None)
        elif state not in goal.pause and clock.status == "paused":
            due = _schedule(svc, timers, instance_id=instance_id, state=state, entry=entry, goal=goal,
                            target=clock.target_seconds, used=used, working=clock.working, now=now)
            _update(uow, clock.id, status="running", running_since=now, due_at=due)
    if timers:
        uow.conn.execute(_INSERT_TIMER, timers)
    if started:
        uow.conn.execute(_INSERT_CLOCK, started)


def _start(svc: Services, timers: list[JsonObject], started: list[JsonObject], *,
           compiled: CompiledWorkflow, goal: SlaDef, instance_id: int, state: str, entry: int,
           data: Mapping[str, Any], now: datetime) -> None:
    text = goal_duration(compiled, goal, data)
    if text is None:
        return
    duration = compiled.duration(text)
    target = int((svc.working_span(duration) if duration.working else svc.due(now, duration) - now).total_seconds())
    due = _schedule(svc, timers, instance_id=instance_id, state=state, entry=entry, goal=goal, target=target, used=0,
                    working=duration.working, now=now)
    started.append({
        "instance_id": instance_id, "workflow": compiled.name, "goal": goal.name, "working": duration.working,
        "target_seconds": target, "used_seconds": 0, "status": "running", "started_at": now,
        "running_since": now, "due_at": due, "stopped_at": None, "breached_at": None,
    })


_UPDATE_CLOCK = update(t.sla_clocks).where(t.sla_clocks.c.id == bindparam("cid"))


def _update(uow: UnitOfWork, clock_id: int, **values: Any) -> None:
    """SET exactly the given columns (the statement is built once; its SET clause follows the keys)."""
    uow.conn.execute(_UPDATE_CLOCK, {"cid": clock_id, **values})
