"""Follow-up dates over HTTP: the assignee of a task sets a day (distinct from its due date), is
reminded that morning at the start of working time (the next working day's if the day is off),
can move or clear it, and sorts the inbox by it; nobody else may set it. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from channelops.settings import Settings
from tests.support.fixtures import bearer
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import claim_task
from workflows.services.timers import fire_due_timers
from workflows.services.users import actor_for, add_user

TASKS = "/api/v1/tasks"


class World:
    def __init__(self, svc: Services, settings: Settings) -> None:
        add_user(svc, actor=SYSTEM, login="applicant", roles=["channel_manager"])
        self.reviewer = add_user(svc, actor=SYSTEM, login="reviewer", groups=["market"]).id
        self.colleague = add_user(svc, actor=SYSTEM, login="colleague", groups=["market"]).id
        self.headers = bearer(settings, self.reviewer)
        self.colleague_headers = bearer(settings, self.colleague)
        self.tasks = [self._market_task(svc, name) for name in ("甲", "乙", "丙")]
        for task_id in self.tasks:
            claim_task(svc, actor=actor_for(svc, login="reviewer"), task_id=task_id)

    @staticmethod
    def _market_task(svc: Services, name: str) -> int:
        applicant = actor_for(svc, login="applicant")
        inst = start_instance(svc, actor=applicant, workflow="channel_onboarding",
                              data={"channel_name": name, "channel_type": "agent", "region": "east"})
        fire_trigger(svc, actor=applicant, instance_id=inst.id, trigger="submit")
        with svc.uow(write=False) as uow:
            return int(uow.conn.execute(select(t.tasks.c.id).where(
                t.tasks.c.instance_id == inst.id, t.tasks.c.candidate_group == "market")).scalar_one())


@pytest.fixture
def world(svc: Services, settings: Settings) -> World:
    return World(svc, settings)


def follow_up_timers(svc: Services, task_id: int) -> list[tuple[datetime, str]]:
    with svc.uow(write=False) as uow:
        return [(r.due_at, r.status) for r in uow.conn.execute(
            select(t.timers.c.due_at, t.timers.c.status).where(t.timers.c.task_id == task_id,
                                                               t.timers.c.kind == "task_follow_up")
            .order_by(t.timers.c.id))]


def follow_up_messages(svc: Services) -> list[dict[str, Any]]:
    with svc.uow(write=False) as uow:
        return [dict(r) for r in uow.conn.execute(select(t.outbox.c.recipient, t.outbox.c.payload)
                                                  .where(t.outbox.c.template == "task_follow_up")).mappings()]


def test_the_assignee_sets_a_follow_up_date_and_is_reminded_that_morning(
        client: TestClient, svc: Services, clock: FixedClock, world: World) -> None:
    task_id = world.tasks[0]
    response = client.put(f"{TASKS}/{task_id}/follow-up", json={"date": "2026-11-25"}, headers=world.headers)
    assert response.status_code == 200, response.text
    assert response.json()["follow_up_on"] == "2026-11-25"
    assert response.json()["due_at"] != "2026-11-25"  # the due date is untouched
    morning = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai
    assert follow_up_timers(svc, task_id) == [(morning, "scheduled")]
    clock.set(morning - timedelta(minutes=1))
    fire_due_timers(svc)
    assert follow_up_messages(svc) == []
    clock.set(morning)
    fire_due_timers(svc)
    [message] = follow_up_messages(svc)
    assert message["recipient"] == f"user:{world.reviewer}"
    assert message["payload"]["follow_up_on"] == "2026-11-25"
    assert message["payload"]["task_title_zh"]
    with svc.uow(write=False) as uow:
        [row] = uow.conn.execute(select(t.audit_events.c.actor_login, t.audit_events.c.data).where(
            t.audit_events.c.action == "follow_up_set")).all()
    assert row.actor_login == "reviewer" and row.data["follow_up_on"] == "2026-11-25"


def test_a_follow_up_on_a_weekend_is_reminded_on_the_next_working_morning(
        client: TestClient, svc: Services, world: World) -> None:
    task_id = world.tasks[0]
    assert client.put(f"{TASKS}/{task_id}/follow-up", json={"date": "2026-11-28"},  # a Saturday
                      headers=world.headers).status_code == 200
    assert follow_up_timers(svc, task_id) == [(datetime(2026, 11, 30, 1, 0, tzinfo=UTC), "scheduled")]


def test_moving_or_clearing_the_date_cancels_the_earlier_reminder(
        client: TestClient, svc: Services, clock: FixedClock, world: World) -> None:
    task_id = world.tasks[0]
    client.put(f"{TASKS}/{task_id}/follow-up", json={"date": "2026-11-24"}, headers=world.headers)
    client.put(f"{TASKS}/{task_id}/follow-up", json={"date": "2026-11-25"}, headers=world.headers)
    assert [status for _, status in follow_up_timers(svc, task_id)] == ["cancelled", "scheduled"]
    cleared = client.delete(f"{TASKS}/{task_id}/follow-up", headers=world.headers)
    assert cleared.status_code == 200 and cleared.json()["follow_up_on"] is None
    assert [status for _, status in follow_up_timers(svc, task_id)] == ["cancelled", "cancelled"]
    clock.advance(timedelta(days=3))
    fire_due_timers(svc)
    assert follow_up_messages(svc) == []


def test_deciding_the_task_cancels_its_follow_up_reminder(
        client: TestClient, svc: Services, clock: FixedClock, world: World) -> None:
    task_id = world.tasks[0]
    client.put(f"{TASKS}/{task_id}/follow-up", json={"date": "2026-11-24"}, headers=world.headers)
    decided = client.post(f"{TASKS}/{task_id}/complete", json={"decision": "approve"}, headers=world.headers)
    assert decided.status_code == 200, decided.text
    clock.advance(timedelta(days=2))
    fire_due_timers(svc)
    assert follow_up_messages(svc) == []
    late = client.put(f"{TASKS}/{task_id}/follow-up", json={"date": "2026-11-30"}, headers=world.headers)
    assert late.status_code == 409
    assert "no longer open" in late.json()["title"].lower() or "completed" in late.json()["detail"]


def test_the_inbox_sorts_by_follow_up_date_with_undated_tasks_last(
        client: TestClient, world: World) -> None:
    first, second, third = world.tasks
    client.put(f"{TASKS}/{third}/follow-up", json={"date": "2026-11-24"}, headers=world.headers)
    client.put(f"{TASKS}/{first}/follow-up", json={"date": "2026-12-10"}, headers=world.headers)
    page = client.get(TASKS, params={"assigned": "me", "sort": "follow_up"}, headers=world.headers).json()
    assert [(item["id"], item["follow_up_on"]) for item in page["items"]] == [
        (third, "2026-11-24"), (first, "2026-12-10"), (second, None)]


def test_only_the_assignee_may_set_the_date_and_the_refusal_says_why(
        client: TestClient, world: World) -> None:
    refused = client.put(f"{TASKS}/{world.tasks[0]}/follow-up", json={"date": "2026-11-24"},
                         headers=world.colleague_headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "only the task's assignee may set its follow-up date: claim the task first"


@pytest.mark.parametrize(("body", "where"), [
    ({"date": "2026-11-22"}, "date"),  # yesterday
    ({"date": "2027-12-01"}, "date"),  # more than a year ahead
    ({"date": "next week"}, "date"),
    ({}, "date"),
])
def test_a_date_in_the_past_too_far_ahead_or_unreadable_is_a_422_naming_it(
        client: TestClient, world: World, body: dict[str, str], where: str) -> None:
    response = client.put(f"{TASKS}/{world.tasks[0]}/follow-up", json=body, headers=world.headers)
    assert response.status_code == 422, response.text
    assert where in response.text
    assert client.get(f"{TASKS}/{world.tasks[0]}", headers=world.headers).json()["follow_up_on"] is None
