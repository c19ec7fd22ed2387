"""A seeded world for the compliance and process reports, driven through the real engine on a fixed clock.

Times are Shanghai. Working time: 09:00-12:00 and 13:00-18:00; Saturday 2026-10-10 is a make-up working day.

channel_onboarding (market, sales and finance review; due 3 working days; escalated to the committee):
  C  started and submitted Fri 10-09 17:00 (draft 0 h); finance (fin.one) approves Mon 10-12 10:00
     (10 working hours: 1 on Friday, 8 on the make-up Saturday, 1 on Monday); market and sales never decide.
  A  started Fri 10-30 17:00, submitted Mon 11-02 09:00 (draft 1 h): finance (fin.one) approves 11:00 (2 h),
     market (mkt.one) Tue 11-03 10:00 (9 h), sales (sales.one) Fri 11-06 10:00 (33 h, after the due
     time Thu 11-05 09:00) -> approved (under review 33 h; cycle 34 h).
  B  started Fri 11-06 15:00, submitted 17:00 (draft 2 h): finance (fin.two) approves Mon 11-09 10:00
     (2 h, over the weekend); market (mkt.one) requests changes 11:00 (3 h; sales' task is cancelled);
     the requester resubmits Tue 11-10 09:00 (changes requested 6 h; a rework loop).
  The sweep at Fri 11-13 09:00 escalates B's three new tasks and C's market and sales tasks to the
  committee; the committee (com.one) approves B's finance task Mon 11-16 10:00 (33 h, late).
refund (finance checks within 1 working day; SLA goal 4 working hours from review to done):
  R1 started Mon 11-16 09:00, finance (fin.one) approves 11:00: on time, SLA met.
  R2 started Mon 11-16 09:00, finance (fin.one) approves Tue 11-17 10:00: 9 h, late, SLA breached.
The reports are read as of Tue 12-01 09:00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.definitions import publish_definition
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import complete_task
from workflows.services.timers import fire_due_timers
from workflows.services.users import actor_for, add_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)
REFUND = """name: refund
title: {zh: 退款审批, en: Refund approval}
start: [role:channel_manager]
states:
  - name: review
    title: {zh: 财务审核, en: Finance review}
    initial: true
    tasks:
      - {name: check, title: {zh: 核对退款, en: Check the refund}, groups: [finance], decisions: [approve],
         outcomes: {approve: approve}, due: 1 working day}
  - {name: done, title: {zh: 已退款, en: Refunded}, final: true}
transitions:
  - {trigger: approve, source: review, dest: done, title: {zh: 批准, en: Approve}}
sla:
  - {name: decision, title: {zh: 审批时限, en: Decision}, start: [review], stop: [done], goal: 4 working hours}
"""
DATA = {"channel_name": "华东旗舰店", "channel_type": "direct_store", "region": "east"}


@dataclass
class ReportWorld:
    people: dict[str, Actor]
    ids: dict[str, int]


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def _person(svc: Services, login: str, *groups: str, roles: tuple[str, ...] = ()) -> Actor:
    add_user(svc, actor=SYSTEM, login=login, groups=groups, roles=roles, display_name=login.replace(".", " ").title())
    return actor_for(svc, login=login)


def open_task(svc: Services, instance_id: int, group: str) -> int:
    """The open task of `instance_id` that `group` received first (escalated or not)."""
    k = t.tasks.c
    with svc.uow(write=False) as uow:
        return int(uow.conn.execute(select(k.id).where(k.instance_id == instance_id, k.original_group == group,
                                                       k.status == "open")).scalar_one())


def seed_report_world(svc: Services, clock: FixedClock) -> ReportWorld:
    p = {"manager": _person(svc, "req.one", roles=("channel_manager",)), "fin1": _person(svc, "fin.one", "finance"),
         "fin2": _person(svc, "fin.two", "finance"), "mkt": _person(svc, "mkt.one", "market"),
         "sales": _person(svc, "sales.one", "sales"), "com": _person(svc, "com.one", "committee")}
    publish_definition(svc, actor=SYSTEM, source=REFUND)

    def decide(who: str, instance_id: int, group: str, when: datetime, decision: str = "approve") -> None:
        clock.set(when)
        complete_task(svc, actor=p[who], task_id=open_task(svc, instance_id, group), decision=decision)

    def onboarding(started: datetime, submitted: datetime) -> int:
        clock.set(started)
        instance_id = start_instance(svc, actor=p["manager"], workflow="channel_onboarding", data=DATA).id
        clock.set(submitted)
        fire_trigger(svc, actor=p["manager"], instance_id=instance_id, trigger="submit")
        return instance_id

    c = onboarding(at(10, 9, 17), at(10, 9, 17))
    decide("fin1", c, "finance", at(10, 12, 10))
    a = onboarding(at(10, 30, 17), at(11, 2, 9))
    decide("fin1", a, "finance", at(11, 2, 11))
    decide("mkt", a, "market", at(11, 3, 10))
    decide("sales", a, "sales", at(11, 6, 10))
    b = onboarding(at(11, 6, 15), at(11, 6, 17))
    decide("fin2", b, "finance", at(11, 9, 10))
    decide("mkt", b, "market", at(11, 9, 11), decision="request_changes")
    clock.set(at(11, 10, 9))
    fire_trigger(svc, actor=p["manager"], instance_id=b, trigger="resubmit")
    clock.set(at(11, 13, 9))
    fire_due_timers(svc)
    clock.set(at(11, 16, 9))
    r1 = start_instance(svc, actor=p["manager"], workflow="refund").id
    r2 = start_instance(svc, actor=p["manager"], workflow="refund").id
    decide("com", b, "finance", at(11, 16, 10))
    decide("fin1", r1, "finance", at(11, 16, 11))
    decide("fin1", r2, "finance", at(11, 17, 10))
    clock.set(AS_OF)
    return ReportWorld(people=p, ids={"a": a, "b": b, "c": c, "r1": r1, "r2": r2})
