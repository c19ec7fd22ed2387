"""Fire due timers through the same engine path that a person's action takes.

Contract: safe to repeat and safe to run in several processes at once. Due timers are claimed
and fired in batches of `BATCH`, one transaction per batch (on PostgreSQL with ``FOR UPDATE SKIP
LOCKED``, so workers split the due rows; on SQLite the write transaction is exclusive), so a crash
half-way fires nothing twice and loses nothing. Instances are locked in id order within a batch,
so two workers' batches cannot deadlock on each other. If any timer of a batch fails, the whole
batch is rolled back and its timers are fired again one transaction each, which isolates the
failing one. A timer whose state was left meanwhile is cancelled, never fired. A timer that
fails is recorded with its error and retried; after MAX_ATTEMPTS it is marked failed and no
longer blocks the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from workflows.domain.errors import ChannelOpsError, GuardRefused, TriggerNotAllowed
from workflows.domain.principals import SYSTEM
from workflows.domain.rows import SLA_TIMER_KINDS, BadRow, Instance, JsonObject, Task, Timer
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import steps
from workflows.services.context import Services
from workflows.services.instances import fire_in
from workflows.services.records import audit, notify, recipients_for

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=1)
BATCH = 25
SWEEP = 1000
MAX_SWEEPS = 10_000  # a drain stops after this many sweeps (10 million timers) even if more are due


@dataclass(frozen=True)
class SweepResult:
    fired: int = 0
    cancelled: int = 0
    failed: int = 0

    def __add__(self, other: SweepResult) -> SweepResult:
        return SweepResult(fired=self.fired + other.fired, cancelled=self.cancelled + other.cancelled,
                           failed=self.failed + other.failed)

    @property
    def handled(self) -> int:
        return self.fired + self.cancelled + self.failed


def due_timer_ids(uow: UnitOfWork, *, now: datetime, limit: int) -> list[int]:
    rows = uow.conn.execute(
        select(t.timers.c.id).where(t.timers.c.status == "scheduled", t.timers.c.due_at <= now)
        .order_by(t.timers.c.due_at, t.timers.c.id).limit(limit)
    ).scalars()
    return list(rows)


def _claim_query(uow: UnitOfWork, *, now: datetime, size: int) -> Any:
    query = (select(t.timers).where(t.timers.c.status == "scheduled", t.timers.c.due_at <= now)
             .order_by(t.timers.c.due_at, t.timers.c.id).limit(size))
    return query.with_for_update(skip_locked=True) if uow.dialect == "postgresql" else query


def fire_due_timers(svc: Services, *, now: datetime | None = None, limit: int = SWEEP,
                    batch: int = BATCH) -> SweepResult:
    """Fire the timers due at `now` (default: the clock's now), up to `limit`, `batch` per transaction."""
    moment = now or svc.clock.now()
    outcomes: list[str] = []
    while len(outcomes) < limit:
        claimed, done = _fire_batch(svc, now=moment, size=max(1, min(batch, limit - len(outcomes))))
        if not claimed:
            break
        if done is None:  # the batch failed and was rolled back: one transaction per timer isolates the culprit
            done = [fire_timer(svc, timer_id=timer_id, now=moment) for timer_id in claimed]
        outcomes += done
    return SweepResult(fired=outcomes.count("fired"), cancelled=outcomes.count("cancelled"),
                       failed=outcomes.count("failed"))


def drain_due_timers(svc: Services, *, now: datetime | None = None,
                     progress: Callable[[SweepResult], None] | None = None) -> SweepResult:
    """Fire every timer due by `now` (default: the clock's now), sweep after sweep of `SWEEP`, until
    a sweep finds none left; timers that firing makes due by `now` fire too. `progress` gets the
    running total after each sweep.

    Ends: `now` stays fixed, and a timer that fails is due again only `RETRY_AFTER` later; at most
    `MAX_SWEEPS` sweeps run.
    """
    moment = now or svc.clock.now()
    total = SweepResult()
    for _ in range(MAX_SWEEPS):
        result = fire_due_timers(svc, now=moment)
        if result.handled == 0:
            break
        total += result
        if progress is not None:
            progress(total)
    return total


def _fire_batch(svc: Services, *, now: datetime, size: int) -> tuple[list[int], list[str] | None]:
    """Claim up to `size` due timers and fire them in one transaction.

    Returns the claimed ids and their outcomes, or the ids and None (nothing written) if any failed.
    """
    claimed: list[int] = []
    outcomes: dict[int, str] = {}
    try:
        with svc.uow() as uow:
            rows = [Timer.from_row(row) for row in uow.conn.execute(_claim_query(uow, now=now, size=size)).mappings()]
            claimed = [row.id for row in rows]
            seen: set[int] = set()
            for timer in sorted(rows, key=lambda row: (row.instance_id, row.id)):
                if timer.instance_id in seen and not _still_scheduled(uow, timer.id):
                    outcomes[timer.id] = "skipped"  # an earlier timer of its instance cancelled it just now
                    continue
                seen.add(timer.instance_id)
                inst = steps.lock_instance(uow, timer.instance_id)
                outcomes[timer.id] = _fire(svc, uow, timer=timer, inst=inst, now=now)
            for outcome in ("fired", "cancelled"):
                done = [timer_id for timer_id, result in outcomes.items() if result == outcome]
                if done:
                    uow.conn.execute(update(t.timers).where(t.timers.c.id.in_(done))
                                     .values(status=outcome, fired_at=now if outcome == "fired" else None))
            uow.commit()
    except Exception as exc:  # any failure: redo the batch one timer at a time
        log.info("a batch of %d timers rolled back (%s); firing them one at a time", len(claimed), exc)
        return claimed, None
    return claimed, [outcomes[timer_id] for timer_id in claimed]


def _still_scheduled(uow: UnitOfWork, timer_id: int) -> bool:
    status = uow.conn.execute(select(t.timers.c.status).where(t.timers.c.id == timer_id)).scalar()
    return status == "scheduled"


def fire_timer(svc: Services, *, timer_id: int, now: datetime) -> str:
    """Claim and fire one timer; returns fired, cancelled, failed or skipped (taken by another worker)."""
    try:
        with svc.uow() as uow:
            query = select(t.timers).where(t.timers.c.id == timer_id, t.timers.c.status == "scheduled")
            if uow.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = uow.conn.execute(query).mappings().first()
            if row is None:
                return "skipped"
            timer = Timer.from_row(row)
            inst = steps.lock_instance(uow, timer.instance_id)
            outcome = _fire(svc, uow, timer=timer, inst=inst, now=now)
            uow.conn.execute(update(t.timers).where(t.timers.c.id == timer_id)
                             .values(status=outcome, fired_at=now if outcome == "fired" else None))
            uow.commit()
            return outcome
    except Exception as exc:  # isolate the failing timer; the sweep goes on with the others
        log.warning("timer %s failed: %s", timer_id, exc, exc_info=not isinstance(exc, ChannelOpsError))
        _record_failure(svc, timer_id=timer_id, error=str(exc), now=now)
        return "failed"


def _record_failure(svc: Services, *, timer_id: int, error: str, now: datetime) -> None:
    with svc.uow() as uow:
        attempts = uow.conn.execute(select(t.timers.c.attempts).where(t.timers.c.id == timer_id)).scalar_one()
        status = "failed" if attempts + 1 >= MAX_ATTEMPTS else "scheduled"
        uow.conn.execute(update(t.timers).where(t.timers.c.id == timer_id).values(
            attempts=attempts + 1, last_error=error[:2000], status=status, due_at=now + RETRY_AFTER))
        uow.commit()


def _fire(svc: Services, uow: UnitOfWork, *, timer: Timer, inst: Instance, now: datetime) -> str:
    kind = timer.kind
    if inst.status != "active" and kind != "task_due":
        return "cancelled"
    reason = {"timer": timer.id, "kind": kind, "name": timer.name}
    if kind == "state":
        if inst.state != timer.state:
            return "cancelled"
        if timer.trigger is None:
            raise BadRow(f"timer {timer.id}: a state timer without a trigger")
        otherwise = _otherwise(svc, uow, timer=timer, inst=inst)
        if otherwise is None:
            fire_in(svc, uow, actor=SYSTEM, inst=inst, trigger=timer.trigger, internal=True, reason=reason)
            return "fired"
        try:
            fire_in(svc, uow, actor=SYSTEM, inst=inst, trigger=timer.trigger, internal=True, reason=reason)
        except GuardRefused as exc:  # a guard said no: the timer's `otherwise` trigger decides instead
            fire_in(svc, uow, actor=SYSTEM, inst=inst, trigger=otherwise, internal=True, comment=exc.detail,
                    reason={**reason, "refused": timer.trigger})
        return "fired"
    if kind in SLA_TIMER_KINDS:
        return _sla(svc, uow, timer=timer, inst=inst, now=now, reason=reason)
    return _task_timer(svc, uow, timer=timer, inst=inst, now=now)


def _otherwise(svc: Services, uow: UnitOfWork, *, timer: Timer, inst: Instance) -> str | None:
    """The `otherwise` trigger of the state timer `timer` (None when its definition names none)."""
    state = svc.compiled(uow.conn, inst.definition_id).states.get(inst.state)
    found = next((d for d in state.timers if d.name == timer.name), None) if state is not None else None
    return None if found is None else found.otherwise


def _sla(svc: Services, uow: UnitOfWork, *, timer: Timer, inst: Instance, now: datetime,
         reason: JsonObject) -> str:
    compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
    goal = next(g for g in compiled.definition.sla if g.name == timer.name)
    payload = steps.payload_for(inst, compiled, goal=goal.name)
    if timer.kind == "sla_warn":
        notify(uow, now=now, instance_id=inst.id, template="sla_warning", payload=payload,
               recipients=recipients_for(goal.warn_notify, requester_id=inst.requester_id, data=inst.data))
        return "fired"
    uow.conn.execute(update(t.sla_clocks).where(t.sla_clocks.c.instance_id == inst.id,
                                                t.sla_clocks.c.goal == goal.name).values(breached_at=now))
    inst = replace(inst, clocks=None)  # read again by the escalation below, now with breached_at set
    audit(uow, now=now, actor=SYSTEM, entity_type="instance", entity_id=inst.id, instance_id=inst.id,
          action="sla_breached", from_state=inst.state, data={"goal": goal.name})
    notify(uow, now=now, instance_id=inst.id, template="sla_breached", payload=payload,
           recipients=recipients_for(goal.breach_notify, requester_id=inst.requester_id, data=inst.data))
    if goal.breach and (goal.breach, inst.state) in compiled.by_trigger_source:
        try:
            fire_in(svc, uow, actor=SYSTEM, inst=inst, trigger=goal.breach, internal=True, reason=reason)
        except TriggerNotAllowed as exc:  # a guard said no: the breach itself stays recorded
            audit(uow, now=now, actor=SYSTEM, entity_type="instance", entity_id=inst.id, instance_id=inst.id,
                  action="breach_trigger_refused", trigger=goal.breach, comment=exc.detail)
    return "fired"


def _task_timer(svc: Services, uow: UnitOfWork, *, timer: Timer, inst: Instance, now: datetime) -> str:
    row = uow.conn.execute(select(t.tasks).where(t.tasks.c.id == timer.task_id)).mappings().first()
    task = None if row is None else Task.from_row(row)
    if task is None or task.status != "open":
        return "cancelled"
    compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
    recipient = f"user:{task.assignee_id}" if task.assignee_id else f"group:{task.candidate_group}"
    payload = steps.task_payload(inst, compiled, task_id=task.id, name=task.name, trigger=task.trigger,
                                 due_at=task.due_at)
    if timer.kind == "task_reminder":
        notify(uow, now=now, instance_id=inst.id, recipients=[recipient], template="task_reminder",
               payload=payload)
        return "fired"
    if timer.kind == "task_follow_up":  # the assignee's own follow-up date (`follow_ups`)
        day = row["follow_up_on"] if row is not None else None
        notify(uow, now=now, instance_id=inst.id, recipients=[recipient], template="task_follow_up",
               payload={**payload, "follow_up_on": day.isoformat() if day else None})
        return "fired"
    notify(uow, now=now, instance_id=inst.id, recipients=[recipient], template="task_overdue", payload=payload)
    escalate_to = timer.escalate_to
    if escalate_to and task.candidate_group != escalate_to:
        uow.conn.execute(update(t.tasks).where(t.tasks.c.id == task.id).values(
            candidate_group=escalate_to, assignee_id=None, escalated_at=now, on_behalf_of=None))
        audit(uow, now=now, actor=SYSTEM, entity_type="task", entity_id=task.id, instance_id=inst.id,
              action="task_escalated", data={"from": task.candidate_group, "to": escalate_to})
        notify(uow, now=now, instance_id=inst.id, recipients=[f"group:{escalate_to}"],
               template="task_escalated", payload=payload)
    return "fired"


def next_timer_due(svc: Services) -> datetime | None:
    """The earliest due time of a scheduled timer (past ones included), or None: what a
    long-lived sweeping loop sleeps until. Served by the (status, due_at) index."""
    with svc.uow(write=False) as uow:
        due: datetime | None = uow.conn.execute(
            select(func.min(t.timers.c.due_at)).where(t.timers.c.status == "scheduled")).scalar()
    return due
