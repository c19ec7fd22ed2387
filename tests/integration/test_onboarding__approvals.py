"""channel_onboarding: all of market, sales and finance must approve."""

from __future__ import annotations

import pytest

from tests.integration.helpers import audit_actions, open_tasks, task_for
from tests.support.fixtures import UserFactory
from workflows.domain.errors import PermissionDenied, TaskClosed, TriggerNotAllowed
from workflows.domain.principals import Actor
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import complete_task

DATA = {"channel_name": "华东旗舰店", "channel_type": "direct_store", "region": "east"}


@pytest.fixture
def people(make_user: UserFactory) -> dict[str, Actor]:
    return {
        "manager": make_user(roles=("channel_manager",)),
        "market": make_user("market"),
        "sales": make_user("sales"),
        "finance": make_user("finance"),
    }


def submitted(svc: Services, people: dict[str, Actor]) -> int:
    inst = start_instance(svc, actor=people["manager"], workflow="channel_onboarding", data=DATA,
                          subject={"type": "channel", "id": "C-001"})
    fire_trigger(svc, actor=people["manager"], instance_id=inst.id, trigger="submit")
    return inst.id


def test_submitting_opens_one_review_task_for_each_department(svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people)
    groups = sorted(task["candidate_group"] for task in open_tasks(svc, instance_id))
    assert groups == ["finance", "market", "sales"]


def test_all_three_approvals_approve_the_application(svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people)
    first = complete_task(svc, actor=people["market"], task_id=task_for(svc, instance_id, "market"), decision="approve")
    second = complete_task(svc, actor=people["sales"], task_id=task_for(svc, instance_id, "sales"), decision="approve")
    last = complete_task(svc, actor=people["finance"], task_id=task_for(svc, instance_id, "finance"),
                         decision="approve", comment="账户资料齐全")
    assert (first.moved, second.moved) == (False, False)
    assert (last.moved, last.to_state, last.instance.status) == (True, "approved", "completed")
    assert ("transition", "approve") in audit_actions(svc, instance_id)


def test_one_rejection_rejects_and_cancels_the_other_reviews(svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people)
    complete_task(svc, actor=people["market"], task_id=task_for(svc, instance_id, "market"), decision="approve")
    result = complete_task(svc, actor=people["sales"], task_id=task_for(svc, instance_id, "sales"), decision="reject")
    assert result.to_state == "rejected"
    assert open_tasks(svc, instance_id) == []


def test_request_changes_sends_it_back_and_resubmission_reviews_afresh(
    svc: Services, people: dict[str, Actor]
) -> None:
    instance_id = submitted(svc, people)
    result = complete_task(svc, actor=people["finance"], task_id=task_for(svc, instance_id, "finance"),
                           decision="request_changes", comment="请补充营业执照")
    assert result.to_state == "changes_requested"
    assert open_tasks(svc, instance_id) == []
    again = fire_trigger(svc, actor=people["manager"], instance_id=instance_id, trigger="resubmit")
    assert again.to_state == "under_review"
    assert len(open_tasks(svc, instance_id)) == 3


def test_the_requester_may_not_approve_their_own_application(make_user: UserFactory, svc: Services) -> None:
    dual = make_user("market", roles=("channel_manager",))
    inst = start_instance(svc, actor=dual, workflow="channel_onboarding", data=DATA)
    fire_trigger(svc, actor=dual, instance_id=inst.id, trigger="submit")
    with pytest.raises(PermissionDenied, match="requester"):
        complete_task(svc, actor=dual, task_id=task_for(svc, inst.id, "market"), decision="approve")


def test_a_reviewer_of_another_department_cannot_decide_the_task(svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people)
    with pytest.raises(PermissionDenied):
        complete_task(svc, actor=people["sales"], task_id=task_for(svc, instance_id, "market"), decision="approve")


def test_a_completed_task_cannot_be_completed_again(svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people)
    task_id = task_for(svc, instance_id, "market")
    complete_task(svc, actor=people["market"], task_id=task_id, decision="approve")
    with pytest.raises(TaskClosed):
        complete_task(svc, actor=people["market"], task_id=task_id, decision="approve")


def test_withdrawal_is_possible_from_draft_and_from_changes_requested(svc: Services, people: dict[str, Actor]) -> None:
    draft = start_instance(svc, actor=people["manager"], workflow="channel_onboarding", data=DATA)
    assert fire_trigger(svc, actor=people["manager"], instance_id=draft.id, trigger="withdraw").to_state == "withdrawn"
    instance_id = submitted(svc, people)
    complete_task(svc, actor=people["sales"], task_id=task_for(svc, instance_id, "sales"), decision="request_changes")
    result = fire_trigger(svc, actor=people["manager"], instance_id=instance_id, trigger="withdraw")
    assert result.to_state == "withdrawn"


def test_withdrawing_under_review_is_refused(svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people)
    with pytest.raises(TriggerNotAllowed, match="not allowed in state 'under_review'"):
        fire_trigger(svc, actor=people["manager"], instance_id=instance_id, trigger="withdraw")


def test_review_task_is_due_in_three_working_days_with_a_reminder_one_day_before(
    svc: Services, people: dict[str, Actor]
) -> None:
    from tests.integration.helpers import timers

    instance_id = submitted(svc, people)
    kinds = {(timer["kind"], timer["due_at"].isoformat()) for timer in timers(svc, instance_id)}
    # Submitted Monday 09:00 Shanghai: 24 working hours end Wednesday 18:00; the reminder
    # one working day earlier is Tuesday 18:00 (UTC+8).
    assert ("task_due", "2026-11-25T10:00:00+00:00") in kinds
    assert ("task_reminder", "2026-11-24T10:00:00+00:00") in kinds


def test_a_task_cancelled_when_its_review_was_decided_cannot_be_completed_and_says_so(
        svc: Services, people: dict[str, Actor]) -> None:
    instance_id = submitted(svc, people)
    market = task_for(svc, instance_id, "market")
    complete_task(svc, actor=people["sales"], task_id=task_for(svc, instance_id, "sales"), decision="request_changes")
    with pytest.raises(TaskClosed, match=f"task {market} is already cancelled"):
        complete_task(svc, actor=people["market"], task_id=market, decision="approve")
