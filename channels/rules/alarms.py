"""Alarms: a channel's or a region's monthly sales fall by MORE than `alarm_drop_pct` (default 20)
against the previous month. Exactly the threshold is not an alarm.

Region figures sum the channels that reported both months, so a missing report does not look
like a fall. A new alarm, in the same transaction: the channel manager and the regional lead
group `region:<code>` are told through the outbox at once, and an `emergency_response` instance
opens its response task (assigned to the channel manager; for a region, to the first member of
the region group; unassigned, it is open to `sales`). Each alarm has a key
(`scope:who:metric:period`), so a re-run raises nothing twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import insert, select, update

from channels import periods
from channels import tables as ct
from channels.rules.common import isolated
from channels.thresholds import Thresholds
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.instances import start_instance_in
from workflows.services.records import audit, notify

METRIC = "sales_actual"


def change_pct(*, previous: float, current: float) -> float:
    """Relative change in percent, rounded to 6 decimals so that a 20% fall is exactly -20."""
    return round((current - previous) / previous * 100, 6)


def is_alarm(*, previous: float, current: float, drop_pct: float) -> bool:
    return previous > 0 and -change_pct(previous=previous, current=current) > drop_pct


def _sales(uow: UnitOfWork, month: str) -> dict[int, float]:
    k = ct.kpi_records.c
    return {int(cid): float(v) for cid, v in uow.conn.execute(
        select(k.channel_id, k.sales_actual).where(k.period == month))}


def evaluate_alarms(svc: Services, uow: UnitOfWork, *, month: str, limits: Thresholds, now: datetime
                    ) -> Counter[str]:
    current, previous = _sales(uow, month), _sales(uow, periods.previous_month(month))
    c = ct.channels.c
    channels = {int(r["id"]): dict(r) for r in uow.conn.execute(
        select(c.id, c.code, c.region, c.manager_id).where(c.id.in_(list(current)))).mappings()}
    both = [cid for cid in current if cid in previous and cid in channels]
    counts: Counter[str] = Counter()
    regions: dict[str, list[float]] = {}
    for cid in both:
        totals = regions.setdefault(channels[cid]["region"], [0.0, 0.0])
        totals[0] += previous[cid]
        totals[1] += current[cid]
        if is_alarm(previous=previous[cid], current=current[cid], drop_pct=limits.alarm_drop_pct):
            isolated(uow, counts, f"alarm for channel {cid}", partial(
                _raise, svc, uow, scope="channel", channel=channels[cid], region=channels[cid]["region"],
                month=month, previous=previous[cid], current=current[cid], now=now))
    for region, (before, after) in sorted(regions.items()):
        if is_alarm(previous=before, current=after, drop_pct=limits.alarm_drop_pct):
            isolated(uow, counts, f"alarm for region {region}", partial(
                _raise, svc, uow, scope="region", channel=None, region=region, month=month, previous=before,
                current=after, now=now))
    return counts


def _raise(svc: Services, uow: UnitOfWork, *, scope: str, channel: Mapping[str, Any] | None, region: str,
           month: str, previous: float, current: float, now: datetime) -> str | None:
    who = str(channel["id"]) if channel else region
    key = f"{scope}:{who}:{METRIC}:{month}"
    a = ct.channel_alarms.c
    if uow.conn.execute(select(a.id).where(a.key == key)).scalar() is not None:
        return None
    pct = change_pct(previous=previous, current=current)
    alarm_id = int(uow.conn.execute(insert(ct.channel_alarms).returning(a.id), {
        "key": key, "scope": scope, "channel_id": channel["id"] if channel else None, "region": region,
        "metric": METRIC, "period": month, "previous": previous, "current": current, "change_pct": pct,
        "raised_at": now, "instance_id": None}).scalar_one())
    label = channel["code"] if channel else f"region {region}"
    summary = f"{label} {month}: 销售额环比 {pct:+.1f}% / sales {pct:+.1f}% month on month"
    responder = _login(uow, channel["manager_id"]) if channel else _first_member(uow, f"region:{region}")
    inst = start_instance_in(svc, uow, actor=SYSTEM, workflow="emergency_response",
                             subject={"type": "channel", "id": str(channel["id"])} if channel
                             else {"type": "region", "id": region},
                             data={"scope": scope, "region": region, "metric": METRIC, "period": month,
                                   "change_pct": pct, "summary": summary,
                                   **({"responder": responder} if responder else {})})
    uow.conn.execute(update(ct.channel_alarms).where(a.id == alarm_id).values(instance_id=inst.id))
    recipients = [f"group:region:{region}"]
    if channel and channel["manager_id"] is not None:
        recipients.insert(0, f"user:{channel['manager_id']}")
    notify(uow, now=now, instance_id=inst.id, recipients=recipients, template="kpi_alarm", payload={
        "alarm_id": alarm_id, "scope": scope, "region": region, "metric": METRIC, "period": month,
        "previous": previous, "current": current, "change_pct": pct, "comment": summary,
        "workflow": "emergency_response", "workflow_title_zh": "应急响应", "workflow_title_en": "Emergency response",
        "instance_id": inst.id, "subject_type": "channel" if channel
        else "region", "subject_id": label})
    audit(uow, now=now, actor=SYSTEM, entity_type="channel" if channel else "region", entity_id=who,
          action="alarm_raised", instance_id=inst.id, comment=summary,
          data={"alarm_id": alarm_id, "metric": METRIC, "period": month, "previous": previous, "current": current,
                "change_pct": pct})
    return f"{scope}_alarms"


def _login(uow: UnitOfWork, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    login: str | None = uow.conn.execute(select(t.users.c.login).where(t.users.c.id == user_id,
                                                                       t.users.c.active)).scalar()
    return login


def _first_member(uow: UnitOfWork, group: str) -> str | None:
    """The regional lead: the longest-standing active member of the region group."""
    for login, groups in uow.conn.execute(select(t.users.c.login, t.users.c.groups).where(t.users.c.active)
                                          .order_by(t.users.c.id)):
        if group in (groups or []):
            return str(login)
    return None
