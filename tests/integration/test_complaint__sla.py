"""complaint: every transition, and SLA clocks in working time that pause while waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.integration.helpers import count
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import InvalidInput, TriggerNotAllowed
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.timers import fire_due_timers
from workflows.services.views import InstanceSummary


@pytest.fixture
def manager(make_user: UserFactory) -> Actor:
    return make_user(roles=("channel_manager",))


def new_complaint(svc: Services, manager: Actor, severity: str = "high") -> InstanceSummary:
    return start_instance(svc, actor=manager, workflow="complaint", data={"severity": severity, "summary": "漏发货"},
                          subject={"type": "channel", "id": "C-9"})


def clocks(svc: Services, instance_id: int) -> dict[str, dict[str, object]]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.sla_clocks).where(t.sla_clocks.c.instance_id == instance_id)).mappings()
        return {row["goal"]: dict(row) for row in rows}


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour - 8, minute, tzinfo=UTC)


def test_severity_sets_the_first_response_goal_in_working_hours(svc: Services, manager: Actor) -> None:
    complaint = new_complaint(svc, manager, "high")
    first = clocks(svc, complaint.id)["first_response"]
    # Monday 09:00 + 4 working hours, skipping the 12:00-13:00 lunch break = 14:00.
    assert first["due_at"] == shanghai(23, 14)
    assert first["target_seconds"] == 4 * 3600


def test_acknowledging_in_time_meets_the_first_response_goal(
    svc: Services, manager: Actor, clock: FixedClock
) -> None:
    complaint = new_complaint(svc, manager)
    clock.set(shanghai(23, 10, 30))
    fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="acknowledge")
    first = clocks(svc, complaint.id)["first_response"]
    assert (first["status"], first["used_seconds"]) == ("met", 90 * 60)


def test_first_response_breach_warns_then_escalates_the_complaint(
    svc: Services, manager: Actor, clock: FixedClock
) -> None:
    complaint = new_complaint(svc, manager)
    clock.set(shanghai(23, 14))
    result = fire_due_timers(svc)
    assert result.fired == 2
    with svc.uow(write=False) as uow:
        state = uow.conn.execute(select(t.instances.c.state).where(t.instances.c.id == complaint.id)).scalar()
        templates = set(uow.conn.execute(select(t.outbox.c.template).where(t.outbox.c.instance_id == complaint.id))
                        .scalars())
    assert state == "escalated"
    assert {"sla_warning", "sla_breached", "complaint_escalated"} <= templates
    assert clocks(svc, complaint.id)["first_response"]["status"] == "breached"


def test_waiting_for_the_customer_pauses_the_resolution_clock(
    svc: Services, manager: Actor, clock: FixedClock
) -> None:
    complaint = new_complaint(svc, manager, "normal")
    clock.set(shanghai(23, 10))
    fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="acknowledge")
    clock.set(shanghai(23, 11))
    fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="wait_customer")
    paused = clocks(svc, complaint.id)["resolution"]
    assert (paused["status"], paused["used_seconds"]) == ("paused", 2 * 3600)
    assert count(svc, t.timers, t.timers.c.instance_id == complaint.id, t.timers.c.status == "scheduled") == 0
    clock.set(shanghai(26, 9))
    fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="customer_replied")
    resumed = clocks(svc, complaint.id)["resolution"]
    assert resumed["status"] == "running"
    assert svc.calendar.working_time_between(shanghai(26, 9), resumed["due_at"]) == timedelta(hours=70)


def test_resolve_close_and_reopen_within_seven_days(svc: Services, manager: Actor, clock: FixedClock) -> None:
    complaint = new_complaint(svc, manager)
    for trigger in ("acknowledge", "resolve"):
        fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger=trigger)
    clock.advance(timedelta(days=6))
    assert fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="reopen").to_state == "investigating"
    fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="resolve")
    closed = fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="close")
    assert (closed.to_state, closed.instance.status) == ("closed", "completed")


def test_reopening_after_seven_days_is_refused_by_the_guard(
    svc: Services, manager: Actor, clock: FixedClock
) -> None:
    complaint = new_complaint(svc, manager)
    for trigger in ("acknowledge", "resolve"):
        fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger=trigger)
    clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(TriggerNotAllowed, match="entered_state_within"):
        fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="reopen")


def test_an_escalated_complaint_is_resolved_from_escalation(svc: Services, manager: Actor) -> None:
    complaint = new_complaint(svc, manager, "low")
    assert fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="escalate").to_state == "escalated"
    assert fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="resolve").to_state == "resolved"


def test_closing_stops_every_clock_and_cancels_sla_timers(svc: Services, manager: Actor) -> None:
    complaint = new_complaint(svc, manager)
    for trigger in ("acknowledge", "resolve", "close"):
        fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger=trigger)
    assert {c["status"] for c in clocks(svc, complaint.id).values()} == {"met"}
    assert count(svc, t.timers, t.timers.c.instance_id == complaint.id, t.timers.c.status == "scheduled") == 0


def test_a_complaint_without_severity_is_refused_and_nothing_is_written(svc: Services, manager: Actor) -> None:
    before = count(svc, t.instances)
    with pytest.raises(InvalidInput) as error:
        start_instance(svc, actor=manager, workflow="complaint", data={"severity": "urgent"})
    assert [p.path for p in error.value.problems] == ["data.severity"]
    assert count(svc, t.instances) == before


def test_data_sent_with_a_trigger_is_checked_against_the_fields(svc: Services, manager: Actor) -> None:
    complaint = new_complaint(svc, manager)
    with pytest.raises(InvalidInput) as error:
        fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="acknowledge", data={"severity": "huge"})
    assert [p.path for p in error.value.problems] == ["data.severity"]
