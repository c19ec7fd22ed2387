"""Races and retries: exactly one winner, no double audit rows, idempotent replays."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.helpers import audit_actions, count, task_for
from tests.support.fixtures import UserFactory
from workflows.domain.errors import ChannelOpsError, Conflict
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import complete_task

DATA = {"channel_name": "n", "channel_type": "agent", "region": "north"}


def race(n: int, action: Callable[[], Any]) -> list[object]:
    """Run `action` in `n` threads released at once; returns results and errors."""
    barrier = threading.Barrier(n)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        try:
            result: object = action()
        except ChannelOpsError as exc:
            result = exc
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_completions_of_one_task_at_once_have_exactly_one_winner(svc: Services, make_user: UserFactory) -> None:
    manager, market = make_user(roles=("channel_manager",)), make_user("market")
    inst = start_instance(svc, actor=manager, workflow="channel_onboarding", data=DATA)
    fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    task_id = task_for(svc, inst.id, "market")
    outcomes = race(4, lambda: complete_task(svc, actor=market, task_id=task_id, decision="approve"))
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, Exception))
    assert count(svc, t.audit_events, t.audit_events.c.action == "task_completed") == 1


def test_two_triggers_on_one_instance_at_once_have_exactly_one_winner(
    svc: Services, make_user: UserFactory
) -> None:
    manager = make_user(roles=("channel_manager",))
    complaint = start_instance(svc, actor=manager, workflow="complaint", data={"severity": "low"})
    outcomes = race(4, lambda: fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="acknowledge"))
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert audit_actions(svc, complaint.id).count(("transition", "acknowledge")) == 1


def test_concurrent_approvals_by_all_departments_approve_exactly_once(
    svc: Services, make_user: UserFactory
) -> None:
    manager = make_user(roles=("channel_manager",))
    reviewers = {group: make_user(group) for group in ("market", "sales", "finance")}
    inst = start_instance(svc, actor=manager, workflow="channel_onboarding", data=DATA)
    fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    tasks = {group: task_for(svc, inst.id, group) for group in reviewers}
    order = iter(reviewers)
    lock = threading.Lock()

    def approve() -> object:
        with lock:
            group = next(order)
        return complete_task(svc, actor=reviewers[group], task_id=tasks[group], decision="approve")

    outcomes = race(3, approve)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert audit_actions(svc, inst.id).count(("transition", "approve")) == 1


def test_a_repeated_idempotency_key_returns_the_first_result_and_changes_nothing(
    svc: Services, make_user: UserFactory
) -> None:
    manager = make_user(roles=("channel_manager",))
    complaint = start_instance(svc, actor=manager, workflow="complaint", data={"severity": "low"})
    first = fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="acknowledge", idempotency_key="k-1")
    again = fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="acknowledge", idempotency_key="k-1")
    assert again == first
    assert audit_actions(svc, complaint.id).count(("transition", "acknowledge")) == 1


def test_an_idempotency_key_reused_for_another_request_is_a_conflict(svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    complaint = start_instance(svc, actor=manager, workflow="complaint", data={"severity": "low"})
    fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="acknowledge", idempotency_key="k-2")
    with pytest.raises(Conflict, match="different request"):
        fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="resolve", idempotency_key="k-2")


def test_a_stale_expected_revision_is_a_conflict(svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    complaint = start_instance(svc, actor=manager, workflow="complaint", data={"severity": "low"})
    fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="acknowledge")
    with pytest.raises(Conflict, match="revision"):
        fire_trigger(svc, actor=manager, instance_id=complaint.id, trigger="resolve",
                     expected_revision=complaint.revision)
