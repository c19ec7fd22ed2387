"""One Idempotency-Key sent by many callers at once: one instance, and every caller gets its answer."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.integration.helpers import count
from tests.support.fixtures import UserFactory
from workflows.domain.errors import Conflict
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import start_instance
from workflows.services.views import InstanceSummary

CALLERS = 12


def start_at_once(svc: Services, make_user: UserFactory, *, keys: list[str]) -> list[object]:
    """`start_instance` in one thread per key, released together; the results or errors, in key order."""
    manager = make_user(roles=("channel_manager",))
    barrier = threading.Barrier(len(keys))
    outcomes: list[object] = [None] * len(keys)

    def call(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high"},
                                             idempotency_key=keys[index])
        except Exception as exc:  # any failure is the finding
            outcomes[index] = exc

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_starts_with_one_key_create_one_instance_and_all_get_its_answer(
    svc: Services, make_user: UserFactory
) -> None:
    outcomes = start_at_once(svc, make_user, keys=["same-key"] * CALLERS)

    assert [type(o).__name__ for o in outcomes] == ["InstanceSummary"] * CALLERS
    first = outcomes[0]
    assert isinstance(first, InstanceSummary)
    assert all(o == first for o in outcomes)
    assert count(svc, t.instances, t.instances.c.workflow == "complaint") == 1
    assert count(svc, t.audit_events, t.audit_events.c.action == "started") == 1


def test_the_stored_answer_is_the_one_every_caller_got(svc: Services, make_user: UserFactory) -> None:
    [first, *_] = start_at_once(svc, make_user, keys=["kept"] * 4)
    assert isinstance(first, InstanceSummary)
    with svc.uow(write=False) as uow:
        stored = uow.conn.execute(select(t.idempotency_keys.c.response)
                                  .where(t.idempotency_keys.c.key == "kept")).scalar_one()
        rows = uow.conn.execute(select(func.count()).select_from(t.idempotency_keys)).scalar_one()
    assert (stored, rows) == (first.model_dump(mode="json"), 1)


def test_different_keys_at_once_start_one_instance_each(svc: Services, make_user: UserFactory) -> None:
    outcomes = start_at_once(svc, make_user, keys=[f"key-{i}" for i in range(6)])
    assert len({o.id for o in outcomes if isinstance(o, InstanceSummary)}) == 6
    assert count(svc, t.instances, t.instances.c.workflow == "complaint") == 6


def test_a_key_reused_for_another_workflow_is_still_a_conflict(svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    start_instance(svc, actor=manager, workflow="complaint", data={"severity": "low"}, idempotency_key="k")
    with pytest.raises(Conflict, match="idempotency key 'k' was already used for a different request"):
        start_instance(svc, actor=manager, workflow="channel_onboarding", idempotency_key="k",
                       data={"channel_name": "n", "channel_type": "agent", "region": "north"})
    assert count(svc, t.instances, t.instances.c.workflow == "channel_onboarding") == 0
