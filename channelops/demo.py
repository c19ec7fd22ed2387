"""Demo data: users for every role, ~30 channels, instances of all four workflows in many states."""

from __future__ import annotations

import random
from dataclasses import dataclass

from workflows.domain.principals import SYSTEM, Actor
from workflows.services import instances, tasks
from workflows.services.context import Services
from workflows.services.queries import inbox
from workflows.services.users import actor_for, add_user

PASSWORD = "demo1234"
USERS: list[tuple[str, str, list[str], list[str], bool]] = [
    # login, display name, groups, roles, admin
    ("admin", "系统管理员 Admin", [], [], True),
    ("chen.committee", "陈委员 Chen (committee)", ["committee"], [], False),
    ("li.market", "李市场 Li (market)", ["market"], [], False),
    ("wang.sales", "王销售 Wang (sales)", ["sales"], [], False),
    ("zhao.finance", "赵财务 Zhao (finance)", ["finance"], [], False),
    ("sun.it", "孙技术 Sun (IT)", ["it"], [], False),
    ("zhou.east", "周华东 Zhou (regional lead, east)", ["region:east"], [], False),
    ("liu.manager", "刘经理 Liu (channel manager)", [], ["channel_manager"], False),
    ("he.manager", "何经理 He (channel manager)", [], ["channel_manager"], False),
    ("audit", "审计 Audit (viewer)", [], ["viewer"], False),
]
TYPES = ("direct_store", "agent", "ecommerce", "social")
REGIONS = ("east", "south", "north", "west", "southwest")
CITIES = ("上海", "广州", "北京", "西安", "成都", "杭州", "深圳", "天津", "重庆", "南京")
KINDS = {"direct_store": "直营店", "agent": "代理商", "ecommerce": "电商旗舰店", "social": "社交电商"}


@dataclass(frozen=True)
class DemoChannel:
    code: str
    name: str
    type: str
    region: str


def demo_channels(count: int = 30) -> list[DemoChannel]:
    return [DemoChannel(code=f"C-{i + 1:03d}", name=f"{CITIES[i % len(CITIES)]}{KINDS[TYPES[i % 4]]}{i // 10 + 1}号",
                        type=TYPES[i % 4], region=REGIONS[i % len(REGIONS)]) for i in range(count)]


def seed(svc: Services) -> list[tuple[str, str]]:
    """Fill an empty, migrated database; returns (login, role description) for the printout."""
    for login, name, groups, roles, admin in USERS:
        add_user(svc, actor=SYSTEM, login=login, display_name=name, groups=groups, roles=roles, is_admin=admin,
                 password=PASSWORD)
    people = {login: actor_for(svc, login=login) for login, *_ in USERS}
    channels = demo_channels()
    rng = random.Random(7)
    _onboarding(svc, people, channels[:12])
    _complaints(svc, people, channels, rng)
    _cards(svc, people, channels[12:20])
    _lifecycles(svc, people, channels[20:])
    return [(login, name) for login, name, *_ in USERS]


def _subject(channel: DemoChannel) -> dict[str, str]:
    return {"type": "channel", "id": channel.code}


def _decide(svc: Services, actor: Actor, instance_id: int, decision: str, comment: str) -> None:
    task = next(t for t in inbox(svc, actor=actor).items if t.instance_id == instance_id)
    tasks.complete_task(svc, actor=actor, task_id=task.id, decision=decision, comment=comment)


def _onboarding(svc: Services, people: dict[str, Actor], channels: list[DemoChannel]) -> None:
    # draft, under review (fresh), under review (market approved), changes requested, approved, rejected...
    plans = ["draft", "review", "review_market", "review_two", "changes", "approved", "rejected", "review",
             "review_market", "approved", "withdrawn", "review"]
    for channel, plan in zip(channels, plans, strict=True):
        manager = people["liu.manager" if channel.region in ("east", "north") else "he.manager"]
        data = {"channel_name": channel.name, "channel_type": channel.type, "region": channel.region}
        inst = instances.start_instance(svc, actor=manager, workflow="channel_onboarding",
                                        subject=_subject(channel), data=data)
        if plan in ("draft", "withdrawn"):
            if plan == "withdrawn":
                instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="withdraw")
            continue
        instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit", comment="资料已齐备")
        if plan in ("review_market", "review_two", "approved", "rejected"):
            _decide(svc, people["li.market"], inst.id, "approve", "市场定位清晰")
        if plan in ("review_two", "approved"):
            _decide(svc, people["wang.sales"], inst.id, "approve", "销售预测合理")
        if plan == "approved":
            _decide(svc, people["zhao.finance"], inst.id, "approve", "资信良好")
        if plan == "rejected":
            _decide(svc, people["zhao.finance"], inst.id, "reject", "资信评级不达标")
        if plan == "changes":
            _decide(svc, people["wang.sales"], inst.id, "request_changes", "请补充近三个月销售流水")


def _complaints(svc: Services, people: dict[str, Actor], channels: list[DemoChannel], rng: random.Random) -> None:
    paths = [[], ["acknowledge"], ["acknowledge", "wait_customer"], ["acknowledge", "resolve"],
             ["escalate"], ["acknowledge", "resolve", "close"], ["acknowledge"], []]
    summaries = ["门店缺货导致订单取消", "物流延误超过5天", "退货退款未到账", "促销价格与页面不符",
                 "服务态度投诉", "商品质量问题", "发票开具错误", "售后电话无人接听"]
    for index, steps in enumerate(paths):
        channel = channels[rng.randrange(len(channels))]
        manager = people["liu.manager" if index % 2 else "he.manager"]
        inst = instances.start_instance(svc, actor=manager, workflow="complaint", subject=_subject(channel),
                                        data={"severity": ("high", "normal", "low")[index % 3],
                                              "summary": summaries[index], "handler": manager.login})
        for trigger in steps:
            instances.fire_trigger(svc, actor=manager, instance_id=inst.id, trigger=trigger)


def _cards(svc: Services, people: dict[str, Actor], channels: list[DemoChannel]) -> None:
    plans = ["monitoring", "yellow", "yellow", "recovered", "red", "review", "monitoring", "yellow"]
    committee = people["chen.committee"]
    for channel, plan in zip(channels, plans, strict=True):
        inst = instances.start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject=_subject(channel),
                                        data={})
        if plan == "monitoring":
            continue
        instances.fire_trigger(svc, actor=SYSTEM, instance_id=inst.id, trigger="issue_yellow",
                               comment="连续两个季度销售额未达标")
        if plan == "recovered":
            instances.fire_trigger(svc, actor=SYSTEM, instance_id=inst.id, trigger="recover", comment="本季度已达标")
        if plan in ("red", "review"):
            admin = people["admin"]
            # The three-month deadline is a timer; the demo shows its outcome by firing it as the system would.
            from workflows.services.queries import get_instance
            from workflows.services.timers import fire_timer

            timer = get_instance(svc, actor=admin, instance_id=inst.id).timers[0]
            fire_timer(svc, timer_id=timer.id, now=timer.due_at)
        if plan == "review":
            instances.fire_trigger(svc, actor=committee, instance_id=inst.id, trigger="start_termination_review")


def _lifecycles(svc: Services, people: dict[str, Actor], channels: list[DemoChannel]) -> None:
    committee, manager = people["chen.committee"], people["liu.manager"]
    for index, channel in enumerate(channels):
        inst = instances.start_instance(svc, actor=SYSTEM, workflow="channel_lifecycle", subject=_subject(channel),
                                        data={"channel_manager": manager.login})
        for _ in range(index % 4):
            instances.fire_trigger(svc, actor=committee, instance_id=inst.id, trigger="advance",
                                   comment="委员会季度评审通过")
        if index % 3 == 0:
            instances.fire_trigger(svc, actor=manager, instance_id=inst.id,
                                   trigger="advance" if index % 4 != 3 else "exit", comment="建议调整阶段")
