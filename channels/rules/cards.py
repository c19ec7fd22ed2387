"""Quarterly attainment and the yellow / red card rule.

A quarter is *met* when sales attainment (sum of actual / sum of target over the quarter's
reported months) is at least `attainment_pass_pct` (default 100: exactly 100% is met).
`missed_quarters_for_yellow` (default 2) missed quarters in a row -> `issue_yellow` on the channel's
`card_escalation` instance (started if absent). A met quarter while the card is yellow ->
`recover`, which cancels the 3-month improvement timer; that durable timer, not this rule, turns
the card red. Only the channel's latest evaluated quarter drives the card, so re-running an older
quarter never undoes a later outcome.

The deadline does not trust the review to have run first (both fall at 03:00 on the 15th of the
first month of a quarter): its transition is guarded by `improvement_missed`, whose facts
(`improvement_facts`) are the channel's attainment in the latest quarter complete at the deadline,
summed from the stored KPI rows like the review sums them. A met quarter refuses the red card and
the timer's `otherwise` trigger (`recover`) lifts the yellow one, whichever job runs first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import insert, select, update

from channels import periods, thresholds
from channels import tables as ct
from channels.effects import subject_channel_id
from channels.links import active_instance_id, ensure_instance, instance_states, local_date
from channels.rules.common import QuarterFigures, isolated, quarter_figures
from channels.thresholds import Thresholds
from workflows.domain.principals import SYSTEM
from workflows.engine.registry import GuardContext, Registry
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import EffectContext, Services
from workflows.services.instances import fire_in
from workflows.services.steps import lock_instance


def evaluate_cards(svc: Services, uow: UnitOfWork, *, quarter: str, limits: Thresholds, channels: list[int],
                   now: datetime) -> Counter[str]:
    """Store each channel's quarter result and move its card; returns counts of what happened."""
    window = [periods.shift_quarter(quarter, -i) for i in range(limits.missed_quarters_for_yellow)]
    figures = quarter_figures(uow, quarters=window)
    later = _channels_with_later_results(uow, quarter)
    states = instance_states(uow, workflow="card_escalation")
    stored = _stored_results(uow, quarter)
    counts: Counter[str] = Counter()
    new_rows: list[dict[str, Any]] = []
    for channel_id in channels:
        mine = figures.get(channel_id, {})
        current = mine.get(quarter)
        if current is None:
            continue
        met = current.attainment >= limits.attainment_pass_pct
        counts["met" if met else "missed"] += 1
        values = {"sales_target": current.target, "sales_actual": current.actual, "attainment": current.attainment,
                  "met": met}
        old = stored.get(channel_id)
        if old is None:
            new_rows.append({**values, "channel_id": channel_id, "period": quarter, "card_action": None,
                             "evaluated_at": now})
        elif any(old[key] != value for key, value in values.items()):
            uow.conn.execute(update(ct.quarter_results).where(ct.quarter_results.c.id == old["id"])
                             .values(**values, evaluated_at=now))
        if channel_id in later:
            continue
        state = states.get(channel_id)
        missed_all = all(q in mine and mine[q].attainment < limits.attainment_pass_pct for q in window)
        if (missed_all and state in (None, "monitoring")) or (met and state == "yellow_card"):
            _flush(uow, new_rows)  # the card step records its action on the stored result
            isolated(uow, counts, f"card rule for channel {channel_id} in {quarter}", partial(
                _move_card, svc, uow, channel_id=channel_id, quarter=quarter, met=met, missed_streak=missed_all,
                figures=mine))
    _flush(uow, new_rows)
    return counts


def _flush(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    if rows:
        uow.conn.execute(insert(ct.quarter_results), rows)
        rows.clear()


def _stored_results(uow: UnitOfWork, quarter: str) -> dict[int, dict[str, Any]]:
    q = ct.quarter_results.c
    return {int(r["channel_id"]): dict(r) for r in uow.conn.execute(
        select(ct.quarter_results).where(q.period == quarter)).mappings()}


def _channels_with_later_results(uow: UnitOfWork, quarter: str) -> set[int]:
    q = ct.quarter_results.c
    return {int(cid) for cid in uow.conn.execute(select(q.channel_id).where(q.period > quarter).distinct()).scalars()}


def _move_card(svc: Services, uow: UnitOfWork, *, channel_id: int, quarter: str, met: bool, missed_streak: bool,
               figures: dict[str, QuarterFigures]) -> str | None:
    found = active_instance_id(uow, workflow="card_escalation", channel_id=channel_id)
    state = None if found is None else lock_instance(uow, found).state
    reason = ", ".join(f"{q} {f.attainment:g}%" for q, f in sorted(figures.items()))
    if missed_streak and state in (None, "monitoring"):
        inst = ensure_instance(svc, uow, workflow="card_escalation", channel_id=channel_id, actor=SYSTEM)
        fire_in(svc, uow, actor=SYSTEM, inst=inst, trigger="issue_yellow",
                comment=f"missed quarters: {reason}", data={"quarter": quarter, "attainment": reason})
        return _record(uow, channel_id=channel_id, quarter=quarter, action="issue_yellow")
    if met and state == "yellow_card":
        assert found is not None
        fire_in(svc, uow, actor=SYSTEM, inst=lock_instance(uow, found), trigger="recover",
                comment=f"back on target: {reason}", data={"quarter": quarter, "attainment": reason})
        return _record(uow, channel_id=channel_id, quarter=quarter, action="recover")
    return None


def _record(uow: UnitOfWork, *, channel_id: int, quarter: str, action: str) -> str:
    q = ct.quarter_results.c
    uow.conn.execute(update(ct.quarter_results).where(q.channel_id == channel_id, q.period == quarter)
                     .values(card_action=action))
    return action


def quarter_results(uow: UnitOfWork, channel_id: int) -> list[dict[str, Any]]:
    q = ct.quarter_results.c
    return [dict(r) for r in uow.conn.execute(select(ct.quarter_results).where(q.channel_id == channel_id)
                                              .order_by(q.period)).mappings()]


def improvement_facts(ctx: EffectContext) -> Mapping[str, Any]:
    """The latest quarter complete at `ctx.now` (the one that ended before the improvement deadline),
    the channel's attainment in it from the stored KPI rows (None: nothing reported), and whether
    that meets the pass mark. Read in the deadline step's transaction, before its guard runs."""
    channel_id = subject_channel_id(ctx)
    quarter = periods.previous_quarter(periods.quarter_of(periods.month_of(local_date(ctx.services, ctx.now))))
    if channel_id is None:
        return {"quarter": quarter, "attainment": None, "quarter_met": False}
    limits = thresholds.load(ctx.uow)
    found = quarter_figures(ctx.uow, quarters=[quarter], channel_ids=[channel_id]).get(channel_id, {}).get(quarter)
    attainment = None if found is None else found.attainment
    return {"quarter": quarter, "attainment": attainment,
            "quarter_met": attainment is not None and attainment >= limits.attainment_pass_pct}


def improvement_missed(ctx: GuardContext) -> bool:
    """True unless the channel met its target in the latest quarter complete at the deadline."""
    return not ctx.facts.get("quarter_met", False)


def register(registry: Registry[EffectContext]) -> None:
    """Name the card rule's guards in `registry` (called by the composition root)."""
    registry.guard("improvement_missed", improvement_missed, facts=improvement_facts)
