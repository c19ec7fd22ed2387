"""The sweep fires due timers in batches, one transaction per batch, and isolates a failing timer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, update

from tests.integration.helpers import audit_actions, timers
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.queries import get_instance
from workflows.services.timers import MAX_ATTEMPTS, RETRY_AFTER, fire_due_timers


def yellow_cards(svc: Services, count: int) -> list[int]:
    ids = []
    for number in range(count):
        inst = start_instance(svc, actor=SYSTEM, workflow="card_escalation",
                              subject={"type": "channel", "id": f"C-{number}"})
        fire_trigger(svc, actor=SYSTEM, instance_id=inst.id, trigger="issue_yellow")
        ids.append(inst.id)
    return ids


def state(svc: Services, instance_id: int) -> str:
    return get_instance(svc, actor=SYSTEM, instance_id=instance_id).instance.state


def deadline_fired(svc: Services, instance_id: int) -> int:
    return audit_actions(svc, instance_id).count(("transition", "improvement_deadline"))


def test_a_batch_fires_each_of_its_due_timers_exactly_once(svc: Services, clock: FixedClock) -> None:
    ids = yellow_cards(svc, 7)
    clock.advance(timedelta(days=92))

    result = fire_due_timers(svc, batch=3)

    assert result.fired == 7
    assert [state(svc, i) for i in ids] == ["red_card"] * 7
    assert [deadline_fired(svc, i) for i in ids] == [1] * 7
    assert fire_due_timers(svc, batch=3).fired == 0


def test_a_failing_timer_is_recorded_while_the_rest_of_its_batch_fires(svc: Services, clock: FixedClock) -> None:
    ids = yellow_cards(svc, 4)
    broken = timers(svc, ids[1])[0]["id"]
    with svc.uow() as uow:
        uow.conn.execute(update(t.timers).where(t.timers.c.id == broken).values(trigger="no_such_trigger"))
        uow.commit()
    clock.advance(timedelta(days=92))

    result = fire_due_timers(svc, batch=10)

    assert (result.fired, result.failed) == (3, 1)
    assert [state(svc, i) for i in ids] == ["red_card", "yellow_card", "red_card", "red_card"]
    [timer] = timers(svc, ids[1])
    assert timer["attempts"] == 1
    assert "no_such_trigger" in timer["last_error"]
    assert timer["due_at"] == clock.now() + RETRY_AFTER
    assert [deadline_fired(svc, i) for i in ids] == [1, 0, 1, 1]


def test_a_timer_that_keeps_failing_is_given_up_after_the_last_attempt(svc: Services, clock: FixedClock) -> None:
    [instance_id, _] = yellow_cards(svc, 2)
    broken = timers(svc, instance_id)[0]["id"]
    with svc.uow() as uow:
        uow.conn.execute(update(t.timers).where(t.timers.c.id == broken).values(trigger="no_such_trigger"))
        uow.commit()
    clock.advance(timedelta(days=92))

    for _ in range(MAX_ATTEMPTS + 2):
        fire_due_timers(svc)
        clock.advance(RETRY_AFTER)

    [timer] = timers(svc, instance_id, status="failed")
    assert timer["attempts"] == MAX_ATTEMPTS


def test_a_timer_cancelled_by_an_earlier_one_in_the_same_batch_does_not_fire(
    svc: Services, clock: FixedClock
) -> None:
    [instance_id] = yellow_cards(svc, 1)
    first = timers(svc, instance_id)[0]
    with svc.uow() as uow:
        twin = {key: value for key, value in first.items() if key != "id"}
        uow.conn.execute(insert(t.timers).values(**twin))
        uow.commit()
    clock.advance(timedelta(days=92))

    result = fire_due_timers(svc, batch=10)

    assert result.fired == 1
    assert deadline_fired(svc, instance_id) == 1
    assert state(svc, instance_id) == "red_card"
    assert timers(svc, instance_id, status="scheduled") == []
