"""Audit and outbox rows are deferred to the unit of work's commit, and undone with a savepoint."""

from __future__ import annotations

import pytest

from tests.integration.helpers import count
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit, notify


def note(svc: Services, uow: UnitOfWork, clock: FixedClock, action: str) -> None:
    audit(uow, now=clock.now(), actor=SYSTEM, entity_type="test", entity_id=1, action=action)


def test_deferred_rows_are_written_by_the_commit_in_one_go(svc: Services, clock: FixedClock) -> None:
    with svc.uow() as uow:
        note(svc, uow, clock, "first")
        notify(uow, now=clock.now(), instance_id=None, recipients=["group:market", "group:sales"],
               template="task_opened", payload={})
        note(svc, uow, clock, "second")
        assert count(svc, t.audit_events, t.audit_events.c.entity_type == "test") == 0
        uow.commit()

    with svc.uow(write=False) as uow:
        actions = uow.conn.execute(t.audit_events.select().where(t.audit_events.c.entity_type == "test")
                                   .order_by(t.audit_events.c.id)).mappings().all()
    assert [row["action"] for row in actions] == ["first", "second"]
    assert count(svc, t.outbox) == 2


def test_a_unit_of_work_that_is_not_committed_writes_none_of_them(svc: Services, clock: FixedClock) -> None:
    with svc.uow() as uow:
        note(svc, uow, clock, "dropped")

    assert count(svc, t.audit_events, t.audit_events.c.entity_type == "test") == 0


def test_a_failed_savepoint_drops_its_own_rows_and_keeps_the_earlier_ones(svc: Services, clock: FixedClock) -> None:
    with svc.uow() as uow:
        note(svc, uow, clock, "kept")
        with pytest.raises(RuntimeError), uow.savepoint():
            note(svc, uow, clock, "undone")
            raise RuntimeError("this step fails")
        with uow.savepoint():
            note(svc, uow, clock, "also kept")
        uow.commit()

    with svc.uow(write=False) as uow:
        actions = uow.conn.execute(t.audit_events.select().where(t.audit_events.c.entity_type == "test")
                                   .order_by(t.audit_events.c.id)).mappings().all()
    assert [row["action"] for row in actions] == ["kept", "also kept"]
