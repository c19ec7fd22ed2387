"""SOP variants per channel type: the shipped onboarding and complaint definitions pick their variant
from the subject channel's type when an instance starts, and every later step follows it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.integration.helpers import open_tasks, task_for
from tests.support.channel_factories import channel
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.definitions import latest_definition_id
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import complete_task
from workflows.services.timers import fire_due_timers

DEPARTMENTS = ("market", "sales", "finance", "it")


@pytest.fixture
def people(make_user: UserFactory) -> dict[str, Actor]:
    return {"manager": make_user(roles=("channel_manager",)), **{g: make_user(g) for g in DEPARTMENTS}}


def submitted(svc: Services, people: dict[str, Actor], channel_type: str, subject_id: str = "NEW-1") -> int:
    data = {"channel_name": "测试渠道", "channel_type": channel_type, "region": "east"}
    inst = start_instance(svc, actor=people["manager"], workflow="channel_onboarding", data=data,
                          subject={"type": "channel", "id": subject_id})
    fire_trigger(svc, actor=people["manager"], instance_id=inst.id, trigger="submit")
    return inst.id


def variant_of(svc: Services, instance_id: int) -> str | None:
    with svc.uow(write=False) as uow:
        return uow.conn.execute(select(t.instances.c.variant).where(t.instances.c.id == instance_id)).scalar()


def approve(svc: Services, people: dict[str, Actor], instance_id: int, group: str) -> str:
    result = complete_task(svc, actor=people[group], task_id=task_for(svc, instance_id, group), decision="approve")
    return result.to_state


@pytest.mark.parametrize("channel_type", ["ecommerce", "social"])
def test_onboarding_an_online_channel_adds_an_it_review_that_approval_needs(
    svc: Services, people: dict[str, Actor], channel_type: str
) -> None:
    instance_id = submitted(svc, people, channel_type)

    assert variant_of(svc, instance_id) == "online"
    assert sorted(task["candidate_group"] for task in open_tasks(svc, instance_id)) == [
        "finance", "it", "market", "sales"]
    assert [approve(svc, people, instance_id, g) for g in ("market", "sales", "finance")] == ["under_review"] * 3
    assert approve(svc, people, instance_id, "it") == "approved"


@pytest.mark.parametrize("channel_type", ["direct_store", "agent"])
def test_onboarding_a_direct_store_or_agent_has_no_it_review(
    svc: Services, people: dict[str, Actor], channel_type: str
) -> None:
    instance_id = submitted(svc, people, channel_type)

    assert variant_of(svc, instance_id) is None
    assert sorted(task["candidate_group"] for task in open_tasks(svc, instance_id)) == ["finance", "market", "sales"]
    assert [approve(svc, people, instance_id, g) for g in ("market", "sales", "finance")] == [
        "under_review", "under_review", "approved"]


def test_a_registered_channel_is_onboarded_by_its_registered_type(svc: Services, people: dict[str, Actor]) -> None:
    shop = channel(svc, type="social", active=False)
    instance_id = submitted(svc, people, "direct_store", subject_id=shop.code)  # the registry wins over the form

    assert variant_of(svc, instance_id) == "online"
    assert "it" in {task["candidate_group"] for task in open_tasks(svc, instance_id)}


def test_request_changes_and_resubmit_reopen_the_it_review_too(svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people, "ecommerce")
    complete_task(svc, actor=people["it"], task_id=task_for(svc, instance_id, "it"), decision="request_changes")
    fire_trigger(svc, actor=people["manager"], instance_id=instance_id, trigger="resubmit")

    assert sorted(task["candidate_group"] for task in open_tasks(svc, instance_id)) == [
        "finance", "it", "market", "sales"]


def test_the_start_is_audited_with_its_variant(svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people, "ecommerce")
    with svc.uow(write=False) as uow:
        data = uow.conn.execute(select(t.audit_events.c.data).where(
            t.audit_events.c.instance_id == instance_id, t.audit_events.c.action == "started")).scalar_one()
    assert data["variant"] == "online"


def test_variants_are_compiled_once_with_their_definition(svc: Services) -> None:
    with svc.uow(write=False) as uow:
        definition_id = latest_definition_id(svc, uow, "channel_onboarding")
        base = svc.compiled(uow.conn, definition_id)
        online = svc.compiled(uow.conn, definition_id, "online")
        again = svc.compiled(uow.conn, definition_id, "online")
    assert online is again is base.variants["online"]
    assert online.tasks["department_review"][1].groups == ["market", "sales", "finance", "it"]
    assert base.tasks["department_review"][1].groups == ["market", "sales", "finance"]


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC)


def complaint(svc: Services, manager: Actor, code: str, severity: str) -> int:
    return start_instance(svc, actor=manager, workflow="complaint", data={"severity": severity},
                          subject={"type": "channel", "id": code}).id


def first_response(svc: Services, instance_id: int) -> tuple[datetime, int]:
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(select(t.sla_clocks.c.due_at, t.sla_clocks.c.target_seconds).where(
            t.sla_clocks.c.instance_id == instance_id, t.sla_clocks.c.goal == "first_response")).one()
    return row.due_at, row.target_seconds


@pytest.mark.parametrize(("severity", "store_due", "agent_due"), [
    ("high", shanghai(23, 11), shanghai(23, 14)),     # 2 vs 4 working hours from Monday 09:00 (lunch 12-13)
    ("normal", shanghai(23, 14), shanghai(23, 18)),   # 4 vs 8 working hours
    ("low", shanghai(23, 18), shanghai(25, 18)),      # 8 vs 24 working hours (one working day is 8 hours)
])
def test_complaints_about_direct_stores_have_tighter_first_response_goals(
    svc: Services, people: dict[str, Actor], severity: str, store_due: datetime, agent_due: datetime
) -> None:
    store, agent = channel(svc, type="direct_store"), channel(svc, type="agent")
    about_store = complaint(svc, people["manager"], store.code, severity)
    about_agent = complaint(svc, people["manager"], str(agent.id), severity)

    assert (variant_of(svc, about_store), variant_of(svc, about_agent)) == ("direct_store", None)
    assert first_response(svc, about_store)[0] == store_due
    assert first_response(svc, about_agent)[0] == agent_due
    assert first_response(svc, about_store)[1] * 2 <= first_response(svc, about_agent)[1]


def test_the_tighter_goal_escalates_a_direct_store_complaint_first(
    svc: Services, people: dict[str, Actor], clock: FixedClock
) -> None:
    store, agent = channel(svc, type="direct_store"), channel(svc, type="agent")
    about_store = complaint(svc, people["manager"], store.code, "high")
    about_agent = complaint(svc, people["manager"], agent.code, "high")
    clock.set(shanghai(23, 11))
    fire_due_timers(svc)

    with svc.uow(write=False) as uow:
        states = dict(uow.conn.execute(select(t.instances.c.id, t.instances.c.state).where(
            t.instances.c.id.in_([about_store, about_agent]))).all())
    assert (states[about_store], states[about_agent]) == ("escalated", "received")
