"""A seeded world for meeting tests: one instance or row behind every agenda section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select

from channels import tables as ch
from channels.meetings.series import create_meeting
from channels.meetings.views import MeetingView
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.definitions import publish_definition
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.queries import get_instance
from workflows.services.timers import fire_due_timers, fire_timer
from workflows.services.users import actor_for, add_user

PROPOSAL = """name: improvement_proposal
title: {zh: 改进提案, en: Improvement proposal}
start: [role:channel_manager]
states:
  - {name: submitted, initial: true}
  - {name: funded, final: true}
  - {name: declined, final: true}
transitions:
  - {trigger: fund, source: submitted, dest: funded, allowed: [group:committee]}
  - {trigger: decline, source: submitted, dest: declined, allowed: [group:committee]}
"""
# Friday 2026-11-27 09:00 in Shanghai: two working days before the first Tuesday of December.
PREPARE_DAY = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
FIRST_TUESDAY = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@dataclass
class World:
    committee: Actor
    member: Actor
    manager: Actor
    meeting: MeetingView
    ids: dict[str, int]


def person(svc: Services, login: str, *, groups: tuple[str, ...] = (), roles: tuple[str, ...] = (),
           email: str | None = None, locale: str = "zh") -> Actor:
    add_user(svc, actor=SYSTEM, login=login, groups=groups, roles=roles, email=email, display_name=login.title(),
             locale=locale)
    return actor_for(svc, login=login)


def joint_meeting(svc: Services, *, committee: Actor, users: list[int]) -> MeetingView:
    return create_meeting(svc, actor=committee, kind="joint", starts_at=FIRST_TUESDAY, rrule="FREQ=MONTHLY;BYDAY=1TU",
                          location="总部 3 楼", video_url="https://meet.example.com/joint",
                          attendee_users=users, attendee_groups=["committee", "finance"])


def seed(svc: Services) -> World:
    """Seed every section on Monday 2026-11-23; the clock is left on Friday 2026-11-27 09:00."""
    committee = person(svc, "chen", groups=("committee",), email="chen@example.com")
    member = person(svc, "li", groups=("market",), email="li@example.com", locale="en")
    manager = person(svc, "liu", roles=("channel_manager",))
    ids: dict[str, int] = {}
    channel_id = _channel(svc)
    ids["channel"] = channel_id
    subject = {"type": "channel", "id": str(channel_id)}
    ids["yellow"] = start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject=subject).id
    fire_trigger(svc, actor=SYSTEM, instance_id=ids["yellow"], trigger="issue_yellow")
    ids["review"] = start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject=subject).id
    fire_trigger(svc, actor=SYSTEM, instance_id=ids["review"], trigger="issue_yellow")
    timer = get_instance(svc, actor=SYSTEM, instance_id=ids["review"]).timers[0]
    fire_timer(svc, timer_id=timer.id, now=timer.due_at)
    fire_trigger(svc, actor=committee, instance_id=ids["review"], trigger="start_termination_review")
    onboarding = start_instance(svc, actor=manager, workflow="channel_onboarding",
                                data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=manager, instance_id=onboarding.id, trigger="submit")
    ids["onboarding"] = onboarding.id
    ids["complaint"] = start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high"}).id
    lifecycle = start_instance(svc, actor=SYSTEM, workflow="channel_lifecycle", subject=subject)
    ids["lifecycle"] = lifecycle.id
    step = fire_trigger(svc, actor=manager, instance_id=lifecycle.id, trigger="advance")
    assert step.approval_task_id is not None
    ids["approval"] = step.approval_task_id
    ids["suggested"] = start_instance(svc, actor=SYSTEM, workflow="channel_lifecycle", subject=subject).id
    publish_definition(svc, actor=SYSTEM, source=PROPOSAL)
    ids["proposal"] = start_instance(svc, actor=manager, workflow="improvement_proposal",
                                     data={"title": "社群团购试点"}).id
    _channel_rows(svc, channel_id=channel_id, ids=ids)
    svc.clock.set(PREPARE_DAY)  # type: ignore[attr-defined]
    fire_due_timers(svc)  # review tasks past due (escalated to the committee), complaint SLA breached
    meeting = joint_meeting(svc, committee=committee, users=[member.id or 0])
    return World(committee=committee, member=member, manager=manager, meeting=meeting, ids=ids)


def _channel(svc: Services) -> int:
    now = svc.clock.now()
    with svc.uow() as uow:
        new_id = uow.conn.execute(insert(ch.channels).returning(ch.channels.c.id), {
            "code": "C-777", "name": "杭州代理商", "type": "agent", "region": "east", "contacts": {}, "stage": "growth",
            "card": "yellow", "stage_dates": {}, "active": True, "created_at": now, "updated_at": now}).scalar_one()
        uow.commit()
    return int(new_id)


def _channel_rows(svc: Services, *, channel_id: int, ids: dict[str, int]) -> None:
    now = svc.clock.now()
    with svc.uow() as uow:
        ids["alarm"] = uow.conn.execute(insert(ch.channel_alarms).returning(ch.channel_alarms.c.id), {
            "key": "sales:east:2026-10", "scope": "region", "region": "east", "metric": "sales_actual",
            "period": "2026-10",
            "previous": 100.0, "current": 70.0, "change_pct": -30.0, "raised_at": now}).scalar_one()
        uow.conn.execute(insert(ch.star_ratings), [
            {"channel_id": channel_id, "period": "2026-11", "stars": 5, "score": 96.5, "rated_at": now},
            {"channel_id": channel_id, "period": "2026-10", "stars": 5, "score": 91.0, "rated_at": now}])
        ids["suggestion"] = uow.conn.execute(insert(ch.lifecycle_suggestions).returning(
            ch.lifecycle_suggestions.c.id), {
            "channel_id": channel_id, "period": "2026-Q3", "from_stage": "introduction", "to_stage": "growth",
            "trigger": "advance", "reason": "连续两个季度增长超过 20%", "instance_id": ids["suggested"],
            "status": "open", "created_at": now}).scalar_one()
        uow.commit()


def review_tasks(svc: Services, instance_id: int) -> list[int]:
    with svc.uow(write=False) as uow:
        return list(uow.conn.execute(select(t.tasks.c.id).where(t.tasks.c.instance_id == instance_id,
                                                                t.tasks.c.status == "open")
                                     .order_by(t.tasks.c.id)).scalars())
