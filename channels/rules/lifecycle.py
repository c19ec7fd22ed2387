"""Lifecycle suggestions from the trend of quarterly sales over `trend_quarters` (default 2)
quarter-on-quarter changes, i.e. `trend_quarters + 1` quarters of data:

  introduction -> growth    (advance)  every change >= +growth_pct (default 10%)
  growth       -> maturity  (advance)  every change within +/- flat_pct (default 5%): growth flattened
  maturity     -> decline   (advance)  every change < -flat_pct: falling quarters
  decline      -> growth    (revive)   every change >= +growth_pct
  decline      -> exit      (exit)     every change < -flat_pct: still falling

A suggestion never moves the stage: it fires the trigger on the channel's `channel_lifecycle`
instance as `system`, which (by the definition) opens the committee's approval task. One
suggestion per channel and quarter, and none while an earlier one is still open.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import partial
from itertools import pairwise

from sqlalchemy import and_, insert, select, update

from channels import periods
from channels import tables as ct
from channels.links import active_instance_id, instance_states
from channels.rules.common import isolated, quarter_figures
from channels.thresholds import Thresholds
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.instances import fire_in
from workflows.services.steps import lock_instance

NEXT = {"introduction": "growth", "growth": "maturity", "maturity": "decline"}


def suggestion_for(stage: str, *, changes: list[float], limits: Thresholds) -> tuple[str, str] | None:
    """(trigger, destination) that the trend suggests for a channel in `stage`, or None."""
    growing = all(c >= limits.growth_pct for c in changes)
    falling = all(c < -limits.flat_pct for c in changes)
    flat = all(abs(c) <= limits.flat_pct for c in changes)
    if (stage == "introduction" and growing) or (stage == "growth" and flat) or (stage == "maturity" and falling):
        return "advance", NEXT[stage]
    if stage == "decline" and growing:
        return "revive", "growth"
    if stage == "decline" and falling:
        return "exit", "exit"
    return None


def close_decided(uow: UnitOfWork) -> None:
    """Open suggestions whose approval task was rejected or cancelled are declined."""
    s, k = ct.lifecycle_suggestions.c, t.tasks.c
    closed = select(k.id).where(k.status != "open")
    uow.conn.execute(update(ct.lifecycle_suggestions).where(and_(s.status == "open", s.task_id.in_(closed)))
                     .values(status="declined"))


def suggest(svc: Services, uow: UnitOfWork, *, quarter: str, limits: Thresholds, channels: list[int],
            now: datetime) -> Counter[str]:
    close_decided(uow)
    window = [periods.shift_quarter(quarter, -i) for i in range(limits.trend_quarters, -1, -1)]
    figures = quarter_figures(uow, quarters=window)
    stages = instance_states(uow, workflow="channel_lifecycle")
    s = ct.lifecycle_suggestions.c
    busy = {int(cid) for cid in uow.conn.execute(select(s.channel_id).where(
        (s.status == "open") | (s.period == quarter))).scalars()}
    counts: Counter[str] = Counter()
    for channel_id in channels:
        mine = figures.get(channel_id, {})
        if channel_id in busy or any(q not in mine or mine[q].actual <= 0 for q in window[:-1]) or (
                window[-1] not in mine):
            continue
        actuals = [mine[q].actual for q in window]
        changes = [round((b - a) / a * 100, 4) for a, b in pairwise(actuals)]
        if channel_id not in stages or suggestion_for(stages[channel_id], changes=changes, limits=limits) is None:
            continue  # the common case, decided without touching the instance
        isolated(uow, counts, f"lifecycle rule for channel {channel_id}", partial(
            _open, svc, uow, channel_id=channel_id, quarter=quarter, window=window, changes=changes, limits=limits,
            now=now))
    return counts


def _open(svc: Services, uow: UnitOfWork, *, channel_id: int, quarter: str, window: list[str],
          changes: list[float], limits: Thresholds, now: datetime) -> str | None:
    found = active_instance_id(uow, workflow="channel_lifecycle", channel_id=channel_id)
    if found is None:
        return None
    inst = lock_instance(uow, found)
    move = suggestion_for(inst.state, changes=changes, limits=limits)
    if move is None:
        return None
    trigger, dest = move
    compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
    if compiled.transition(trigger, inst.state).approval is None:
        return None  # this definition version would move at once: only the committee may do that
    trend = ", ".join(f"{q} {c:+.1f}%" for q, c in zip(window[1:], changes, strict=True))
    reason = f"季度销售额环比 / quarterly sales change: {trend}"
    result = fire_in(svc, uow, actor=SYSTEM, inst=inst, trigger=trigger, comment=f"suggested by the KPI rule: {reason}")
    uow.conn.execute(insert(ct.lifecycle_suggestions), {
        "channel_id": channel_id, "period": quarter, "from_stage": inst.state, "to_stage": dest,
        "trigger": trigger, "reason": reason, "instance_id": found, "task_id": result.approval_task_id,
        "status": "open", "created_at": now})
    return "suggestions"
