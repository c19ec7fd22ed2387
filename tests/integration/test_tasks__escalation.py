"""An overdue task with `escalate_to` moves to that group, is marked escalated, is audited, and the
group is told; without `escalate_to` an overdue task only sends the overdue notice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.queries import inbox
from workflows.services.timers import fire_due_timers


def _submitted_onboarding(svc: Services, make_user: UserFactory) -> int:
    requester = make_user(roles=("channel_manager",))
    inst = start_instance(svc, actor=requester, workflow="channel_onboarding",
                          data={"channel_name": "宁波专卖店", "channel_type": "direct_store", "region": "east"})
    fire_trigger(svc, actor=requester, instance_id=inst.id, trigger="submit")
    return inst.id


def _tasks(svc: Services, instance_id: int) -> list[dict[str, object]]:
    with svc.uow(write=False) as uow:
        return [dict(r) for r in uow.conn.execute(select(t.tasks).where(t.tasks.c.instance_id == instance_id)
                                                  .order_by(t.tasks.c.id)).mappings()]


def _outbox(svc: Services, template: str) -> list[str]:
    with svc.uow(write=False) as uow:
        return sorted(str(r) for r in uow.conn.execute(select(t.outbox.c.recipient)
                                                        .where(t.outbox.c.template == template)).scalars())


def test_an_overdue_department_review_escalates_to_the_committee_and_tells_it(
        svc: Services, clock: FixedClock, make_user: UserFactory) -> None:
    instance_id = _submitted_onboarding(svc, make_user)
    committee = make_user("committee")
    assert inbox(svc, actor=committee).total == 0
    clock.set(clock.now() + timedelta(days=6))  # Monday + 6 days: past 3 working days
    fire_due_timers(svc, now=clock.now())
    tasks = _tasks(svc, instance_id)
    assert [(task["candidate_group"], task["escalated_at"] is not None) for task in tasks] == [("committee", True)] * 3
    assert inbox(svc, actor=committee).total == 3
    assert _outbox(svc, "task_escalated") == ["group:committee"] * 3
    assert _outbox(svc, "task_overdue") == ["group:finance", "group:market", "group:sales"]
    with svc.uow(write=False) as uow:
        moves = uow.conn.execute(select(t.audit_events.c.data)
                                 .where(t.audit_events.c.action == "task_escalated")).scalars()
        assert sorted(move["from"] for move in moves) == ["finance", "market", "sales"]


def test_a_task_is_not_escalated_before_it_is_due(svc: Services, clock: FixedClock,
                                                  make_user: UserFactory) -> None:
    instance_id = _submitted_onboarding(svc, make_user)
    clock.set(clock.now() + timedelta(days=2))  # Wednesday: the reminder is due, the deadline is not
    fire_due_timers(svc, now=clock.now())
    assert [task["escalated_at"] for task in _tasks(svc, instance_id)] == [None] * 3
    assert _outbox(svc, "task_escalated") == []
