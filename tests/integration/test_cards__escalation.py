"""card_escalation: yellow card, recovery, the three-month deadline, the termination review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.helpers import open_tasks, timers
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import PermissionDenied
from workflows.domain.principals import SYSTEM, Actor
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import complete_task
from workflows.services.timers import fire_due_timers


@pytest.fixture
def committee(make_user: UserFactory) -> Actor:
    return make_user("committee")


def yellow(svc: Services) -> int:
    inst = start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject={"type": "channel", "id": "C-7"})
    fire_trigger(svc, actor=SYSTEM, instance_id=inst.id, trigger="issue_yellow", comment="two missed quarters")
    return inst.id


def red(svc: Services, clock: FixedClock) -> int:
    instance_id = yellow(svc)
    clock.advance(timedelta(days=92))
    fire_due_timers(svc)
    return instance_id


def test_a_yellow_card_schedules_the_three_month_improvement_deadline(svc: Services) -> None:
    instance_id = yellow(svc)
    [deadline] = timers(svc, instance_id)
    assert (deadline["trigger"], deadline["due_at"].date().isoformat()) == ("improvement_deadline", "2027-02-23")


def test_recovery_cancels_the_deadline(svc: Services, clock: FixedClock) -> None:
    instance_id = yellow(svc)
    assert fire_trigger(svc, actor=SYSTEM, instance_id=instance_id, trigger="recover").to_state == "monitoring"
    clock.advance(timedelta(days=100))
    assert fire_due_timers(svc).fired == 0
    assert timers(svc, instance_id) == []


def test_the_deadline_timer_turns_the_yellow_card_red(svc: Services, clock: FixedClock) -> None:
    instance_id = red(svc, clock)
    [task] = open_tasks(svc, instance_id)
    assert (task["name"], task["candidate_group"]) == ("open_termination_review", "committee")


def test_the_committee_terminates_after_the_review(svc: Services, clock: FixedClock, committee: Actor) -> None:
    instance_id = red(svc, clock)
    complete_task(svc, actor=committee, task_id=open_tasks(svc, instance_id)[0]["id"], decision="approve")
    [decision] = open_tasks(svc, instance_id)
    result = complete_task(svc, actor=committee, task_id=decision["id"], decision="approve", comment="终止合作")
    assert (result.to_state, result.instance.status) == ("terminated", "completed")


def test_a_reprieve_starts_a_new_improvement_period(svc: Services, clock: FixedClock, committee: Actor) -> None:
    instance_id = red(svc, clock)
    fire_trigger(svc, actor=committee, instance_id=instance_id, trigger="start_termination_review")
    result = fire_trigger(svc, actor=committee, instance_id=instance_id, trigger="reprieve")
    assert result.to_state == "yellow_card"
    assert [timer["trigger"] for timer in timers(svc, instance_id)] == ["improvement_deadline"]


def test_only_the_system_or_an_admin_issues_cards(svc: Services, make_user: UserFactory) -> None:
    inst = start_instance(svc, actor=SYSTEM, workflow="card_escalation")
    with pytest.raises(PermissionDenied):
        fire_trigger(svc, actor=make_user(roles=("channel_manager",)), instance_id=inst.id, trigger="issue_yellow")
