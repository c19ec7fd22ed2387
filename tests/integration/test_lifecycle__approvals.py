"""channel_lifecycle: every stage move needs the committee; exit opens a checklist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.integration.helpers import open_tasks, timers
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import Conflict, PermissionDenied
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import complete_task
from workflows.services.timers import fire_due_timers


@pytest.fixture
def committee(make_user: UserFactory) -> Actor:
    return make_user("committee")


@pytest.fixture
def manager(make_user: UserFactory) -> Actor:
    return make_user(roles=("channel_manager",))


def lifecycle(svc: Services) -> int:
    return start_instance(svc, actor=SYSTEM, workflow="channel_lifecycle", subject={"type": "channel", "id": "C-1"}).id


def test_a_suggested_move_opens_a_committee_task_and_moves_nothing(svc: Services, manager: Actor) -> None:
    instance_id = lifecycle(svc)
    result = fire_trigger(svc, actor=manager, instance_id=instance_id, trigger="advance", comment="增长强劲")
    assert (result.moved, result.to_state) == (False, "introduction")
    [task] = open_tasks(svc, instance_id)
    assert (task["id"], task["candidate_group"], task["trigger"]) == (result.approval_task_id, "committee", "advance")


def test_committee_approval_of_the_suggestion_moves_the_stage(
    svc: Services, manager: Actor, committee: Actor
) -> None:
    instance_id = lifecycle(svc)
    task_id = fire_trigger(svc, actor=manager, instance_id=instance_id, trigger="advance").approval_task_id
    assert task_id is not None
    assert complete_task(svc, actor=committee, task_id=task_id, decision="approve").to_state == "growth"


def test_a_pending_approval_is_reminded_and_then_reported_overdue_to_its_group(
    svc: Services, manager: Actor, clock: FixedClock
) -> None:
    instance_id = lifecycle(svc)
    task_id = fire_trigger(svc, actor=manager, instance_id=instance_id, trigger="advance").approval_task_id
    assert sorted(timer["kind"] for timer in timers(svc, instance_id)) == ["task_due", "task_reminder"]

    clock.advance(timedelta(days=30))
    assert fire_due_timers(svc).fired == 2

    with svc.uow(write=False) as uow:
        sent = uow.conn.execute(select(t.outbox.c.template, t.outbox.c.recipient)
                                .where(t.outbox.c.instance_id == instance_id)).all()
    assert ("task_reminder", "group:committee") in sent and ("task_overdue", "group:committee") in sent
    assert open_tasks(svc, instance_id)[0]["id"] == task_id  # still open, still the committee's


def test_an_approval_reminder_names_the_approval_by_its_title(svc: Services, manager: Actor,
                                                              clock: FixedClock) -> None:
    instance_id = lifecycle(svc)
    fire_trigger(svc, actor=manager, instance_id=instance_id, trigger="advance")
    clock.advance(timedelta(days=30))
    fire_due_timers(svc)

    with svc.uow(write=False) as uow:
        payload = uow.conn.execute(select(t.outbox.c.payload).where(
            t.outbox.c.instance_id == instance_id, t.outbox.c.template == "task_reminder")).scalar_one()
    assert (payload["task_title_zh"], payload["task_title_en"]) == ("审批：进入下一阶段", "Approve: Advance")


def test_deciding_an_approval_cancels_its_reminders(
    svc: Services, manager: Actor, committee: Actor
) -> None:
    instance_id = lifecycle(svc)
    task_id = fire_trigger(svc, actor=manager, instance_id=instance_id, trigger="advance").approval_task_id
    assert task_id is not None

    complete_task(svc, actor=committee, task_id=task_id, decision="reject")

    assert timers(svc, instance_id) == []


def test_a_rejected_suggestion_leaves_the_stage_alone(svc: Services, manager: Actor, committee: Actor) -> None:
    instance_id = lifecycle(svc)
    task_id = fire_trigger(svc, actor=manager, instance_id=instance_id, trigger="advance").approval_task_id
    assert task_id is not None
    result = complete_task(svc, actor=committee, task_id=task_id, decision="reject")
    assert (result.moved, result.to_state) == (False, "introduction")


def test_a_second_suggestion_while_one_is_pending_is_a_conflict(svc: Services, manager: Actor) -> None:
    instance_id = lifecycle(svc)
    fire_trigger(svc, actor=SYSTEM, instance_id=instance_id, trigger="advance")
    with pytest.raises(Conflict, match="already pending"):
        fire_trigger(svc, actor=manager, instance_id=instance_id, trigger="advance")


def test_the_committee_moves_through_every_stage_and_revives(svc: Services, committee: Actor) -> None:
    instance_id = lifecycle(svc)
    stages = [fire_trigger(svc, actor=committee, instance_id=instance_id, trigger="advance").to_state
              for _ in range(3)]
    assert stages == ["growth", "maturity", "decline"]
    assert fire_trigger(svc, actor=committee, instance_id=instance_id, trigger="revive").to_state == "growth"


def test_exit_opens_the_exit_checklist(svc: Services, committee: Actor, make_user: UserFactory) -> None:
    instance_id = lifecycle(svc)
    assert fire_trigger(svc, actor=committee, instance_id=instance_id, trigger="exit").to_state == "exit"
    checklist = {task["name"]: task for task in open_tasks(svc, instance_id)}
    assert set(checklist) == {"settle_accounts", "recover_stock", "revoke_authorisation"}
    finance = make_user("finance")
    done = complete_task(svc, actor=finance, task_id=checklist["settle_accounts"]["id"], decision="done")
    assert done.moved is False
    assert len(open_tasks(svc, instance_id)) == 2


def test_a_viewer_cannot_suggest_a_move(svc: Services, make_user: UserFactory) -> None:
    instance_id = lifecycle(svc)
    with pytest.raises(PermissionDenied):
        fire_trigger(svc, actor=make_user(roles=("viewer",)), instance_id=instance_id, trigger="advance")
