"""Demo data: users for every role, 30 registered channels with six quarters of KPI history (see
`channels.demo`), instances of all the workflows in many states, and meetings."""

from __future__ import annotations

import random

from channels.demo import seed_channels
from channels.views import ChannelView
from workflows.domain.principals import SYSTEM, Actor
from workflows.services import instances, tasks
from workflows.services.context import Services
from workflows.services.groups import add_group
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
    ("wu.southwest", "吴西南 Wu (regional lead, southwest)", ["region:southwest"], [], False),
    ("liu.manager", "刘经理 Liu (channel manager)", [], ["channel_manager"], False),
    ("he.manager", "何经理 He (channel manager)", [], ["channel_manager"], False),
    ("audit", "审计 Audit (viewer)", [], ["viewer"], False),
]
REGIONS = [("region:east", "东区", "East"), ("region:southwest", "西南区", "Southwest")]


def seed(svc: Services) -> list[tuple[str, str]]:
    """Fill an empty, migrated database; returns (login, role description) for the printout."""
    for code, zh, en in REGIONS:  # the shipped groups come with the database; regions are the company's
        add_group(svc, actor=SYSTEM, code=code, title_zh=zh, title_en=en)
    for login, name, groups, roles, admin in USERS:
        add_user(svc, actor=SYSTEM, login=login, display_name=name, groups=groups, roles=roles, is_admin=admin,
                 password=PASSWORD, email=f"{login}@example.com")
    people = {login: actor_for(svc, login=login) for login, *_ in USERS}
    channels = seed_channels(svc, people)  # registry, six quarters of KPIs, cards, alarms, stars, suggestions
    rng = random.Random(7)
    _onboarding(svc, people, channels[:12])
    _complaints(svc, people, channels, rng)
    from channels.meetings.demo import seed_meetings

    seed_meetings(svc, people)  # after the instances: the joint meeting's agenda is built from them
    return [(login, name) for login, name, *_ in USERS]


def _subject(channel: ChannelView) -> dict[str, str]:
    return {"type": "channel", "id": str(channel.id)}


def _decide(svc: Services, actor: Actor, instance_id: int, decision: str, comment: str) -> None:
    task = next(t for t in inbox(svc, actor=actor).items if t.instance_id == instance_id)
    tasks.complete_task(svc, actor=actor, task_id=task.id, decision=decision, comment=comment)


def _onboarding(svc: Services, people: dict[str, Actor], channels: list[ChannelView]) -> None:
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


def _complaints(svc: Services, people: dict[str, Actor], channels: list[ChannelView], rng: random.Random) -> None:
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
