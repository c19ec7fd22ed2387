"""Demo channels with six quarters of KPI history, replayed month by month through the real rules.

`seed_channels` registers 30 channels (all types and regions; the first 12 pending, waiting for
their onboarding), sets some operating channels' lifecycle stages by committee decisions, then
replays the past: each month's report is imported on the 5th of the next month, the monthly
rules run on the 11th, the quarterly rules on the 15th after a quarter, and due timers fire. So
the demo shows what the rules really produced: yellow and red cards (a deadline that passed), a
recovery, alarms (two channels and their region), star ratings and five-star channels, missing and
late reports, and lifecycle suggestions waiting for the committee.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from channels import periods
from channels.evaluation import evaluate_period
from channels.kpi_import import import_records
from channels.links import active_instance_id, local_date
from channels.queries import open_lifecycle_suggestions
from channels.registry import create_channel
from channels.thresholds import DEFAULTS
from channels.views import ChannelView
from workflows.adapters.clock import Clock, FixedClock
from workflows.domain.principals import SYSTEM, Actor
from workflows.services.context import Services
from workflows.services.instances import fire_trigger
from workflows.services.queries import inbox
from workflows.services.tasks import complete_task
from workflows.services.timers import fire_due_timers

TYPES = ("direct_store", "agent", "ecommerce", "social")
REGIONS = ("east", "south", "north", "west", "southwest")
CITIES = ("上海", "广州", "北京", "西安", "成都", "杭州", "深圳", "天津", "重庆", "南京")
KINDS = {"direct_store": "直营店", "agent": "代理商", "ecommerce": "电商旗舰店", "social": "社交电商"}
PENDING = 12  # channels 1-12 wait for their onboarding
# channel index -> how its KPIs run over the six quarters (default: steady, on target)
PROFILES = {13: "red", 18: "red", 23: "red", 16: "yellow", 21: "yellow", 15: "recovered", 20: "grower",
            22: "decliner", 24: "alarm", 29: "alarm", 14: "star", 19: "star", 26: "star", 25: "rising"}
STAGES = {22: 2, 25: 1, 26: 1, 27: 2, 28: 3}  # channel index -> committee advances before the history
MISSING, LATE = 17, 12  # the first does not report the last month; the second reports it late


@dataclass(frozen=True)
class Plan:
    quarters: list[str]
    months: list[str]
    zone: ZoneInfo


def attainment(profile: str, quarter: int, rng: random.Random) -> float:
    """Percent of target for quarter 0..5 (5 = the last complete quarter)."""
    base = {"red": [104, 103, 90, 88, 86, 85], "yellow": [105, 104, 104, 103, 92, 89],
            "recovered": [104, 91, 90, 104, 106, 107], "grower": [103, 104, 103, 103, 118, 135],
            "decliner": [110, 111, 110, 110, 98, 86], "star": [112, 115, 114, 116, 117, 118],
            "rising": [104, 111, 118, 126, 134, 143]}
    return base.get(profile, [104, 106, 103, 105, 107, 106])[quarter] + rng.uniform(-1.5, 1.5)


def _moment(plan: Plan, month: str, day: int, now: datetime) -> datetime:
    moment = datetime.combine(periods.first_day(periods.shift_month(month, 1)).replace(day=day), time(9),
                              tzinfo=plan.zone)
    return min(moment, now - timedelta(hours=1))


def seed_channels(svc: Services, people: Mapping[str, Actor], *, count: int = 30) -> list[ChannelView]:
    """Register the demo channels and replay their history; returns them in code order."""
    real: Clock = svc.clock
    now = real.now()
    zone = ZoneInfo(svc.calendar.config.timezone)
    last_quarter = periods.previous_quarter(periods.quarter_of(periods.month_of(local_date(svc, now))))
    quarters = [periods.shift_quarter(last_quarter, i) for i in range(-5, 1)]
    months = [m for q in quarters for m in periods.months_of(q)]
    months.append(periods.previous_month(periods.month_of(local_date(svc, now))))
    plan = Plan(quarters=quarters, months=sorted(set(months)), zone=zone)
    start = datetime.combine(periods.first_day(plan.months[0]), time(9), tzinfo=zone) - timedelta(days=10)
    clock = FixedClock(start)
    svc.clock = clock
    try:
        channels = _register(svc, people, count=count)
        _replay(svc, people, plan, channels, clock, now)
    finally:
        svc.clock = real
    return channels


def _register(svc: Services, people: Mapping[str, Actor], *, count: int) -> list[ChannelView]:
    admin, committee = people["admin"], people["chen.committee"]
    channels = []
    for i in range(count):
        kind, region = TYPES[i % 4], REGIONS[i % len(REGIONS)]
        manager = people["liu.manager" if region in ("east", "north", "west") else "he.manager"]
        view = create_channel(svc, actor=admin, values={
            "code": f"C-{i + 1:03d}", "name": f"{CITIES[i % len(CITIES)]}{KINDS[kind]}{i // 10 + 1}号", "type": kind,
            "region": region, "manager_id": manager.id, "activate": i >= PENDING,
            "contacts": {"phone": f"400-800-{i + 1:04d}", "email": f"c{i + 1:03d}@channels.example.com"}})
        for _ in range(STAGES.get(i, 0)):
            _advance(svc, committee, view.id)
        channels.append(view)
    return channels


def _advance(svc: Services, committee: Actor, channel_id: int) -> None:
    with svc.uow(write=False) as uow:
        lifecycle = active_instance_id(uow, workflow="channel_lifecycle", channel_id=channel_id)
    assert lifecycle is not None
    fire_trigger(svc, actor=committee, instance_id=lifecycle, trigger="advance", comment="委员会年度评审：进入下一阶段")


def _rows(plan: Plan, channels: list[ChannelView], month: str, rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    quarter = plan.quarters.index(periods.quarter_of(month)) if periods.quarter_of(month) in plan.quarters else 5
    for i, channel in enumerate(channels):
        if i < PENDING or (i == MISSING and month == plan.months[-1]):
            continue
        profile = PROFILES.get(i, "steady")
        target = DEFAULTS.type_targets[channel.type]
        percent = attainment(profile, quarter, rng)
        if profile == "alarm" and month == plan.months[-1]:
            percent *= 0.55  # sales fall by 45% against the month before
        good = profile in ("star", "steady", "grower")
        rows.append({"channel_code": channel.code, "period": month, "sales_target": target,
                     "sales_actual": round(target * percent / 100, 2),
                     "satisfaction": round(rng.uniform(4.5, 4.9) if good else rng.uniform(3.2, 4.0), 1),
                     "on_time_rate": round(rng.uniform(96, 99.5) if good else rng.uniform(85, 92), 1),
                     "return_rate": round(rng.uniform(0.5, 1.5) if good else rng.uniform(3, 6), 1),
                     "activity": rng.randint(200, 900)})
    return rows


def _replay(svc: Services, people: Mapping[str, Actor], plan: Plan, channels: list[ChannelView], clock: FixedClock,
            now: datetime) -> None:
    rng = random.Random(20261127)
    for month in plan.months:
        rows = _rows(plan, channels, month, rng)
        late = [r for r in rows if r["channel_code"] == channels[LATE].code and month == plan.months[-1]]
        clock.set(_moment(plan, month, 5, now))
        import_records(svc, actor=SYSTEM, rows=[r for r in rows if r not in late])
        clock.set(_moment(plan, month, 11, now))
        if late:
            import_records(svc, actor=SYSTEM, rows=late)
        fire_due_timers(svc)
        evaluate_period(svc, actor=SYSTEM, period=month)
        if month == periods.months_of(periods.quarter_of(month))[-1]:
            clock.set(_moment(plan, month, 15, now))
            evaluate_period(svc, actor=SYSTEM, period=periods.quarter_of(month))  # before the day's timers
            fire_due_timers(svc)
            if periods.quarter_of(month) != plan.quarters[-1]:
                _committee_approves_suggestions(svc, people["chen.committee"])
    clock.set(now - timedelta(minutes=30))
    fire_due_timers(svc)
    committee = people["chen.committee"]
    review = next(t for t in inbox(svc, actor=committee, limit=500).items if t.name == "open_termination_review")
    complete_task(svc, actor=committee, task_id=review.id, decision="approve", comment="红牌后启动终止审查")


def _committee_approves_suggestions(svc: Services, committee: Actor) -> None:
    """The quarterly committee meeting approves the lifecycle suggestions before it."""
    with svc.uow(write=False) as uow:
        waiting = open_lifecycle_suggestions(uow)
    for suggestion in waiting:
        if suggestion.task_id is not None:
            complete_task(svc, actor=committee, task_id=suggestion.task_id, decision="approve",
                          comment=f"季度评审会：同意 / quarterly review: agreed ({suggestion.reason})")
