"""Two migration runs at once, beside the engine's own steps: every instance moves exactly once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.integration.helpers import open_tasks
from tests.support.fixtures import UserFactory
from tests.support.migration import seed
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.migration import migrate_instances
from workflows.services.tasks import complete_task

COUNT = 16


def test_two_runs_and_task_decisions_at_once_move_each_instance_exactly_once(
        svc: Services, make_user: UserFactory) -> None:
    admin, market = make_user(admin=True), make_user("market")
    seeded = seed(svc, admin, reviewing=COUNT, parked=0)
    market_tasks = [next(x["id"] for x in open_tasks(svc, iid) if x["candidate_group"] == "market")
                    for iid in seeded.reviewing]
    errors: list[BaseException] = []

    def run(work: object) -> threading.Thread:
        def target() -> None:
            try:
                work()  # type: ignore[operator]
            except BaseException as exc:  # reported below
                errors.append(exc)
        thread = threading.Thread(target=target)
        thread.start()
        return thread

    def decide() -> None:  # each decision waits for the migration's lock on its instance, then goes on
        for task_id in market_tasks:
            complete_task(svc, actor=market, task_id=task_id, decision="approve")

    threads = [run(lambda: migrate_instances(svc, actor=admin, workflow="sop_review", to_version=2)),
               run(lambda: migrate_instances(svc, actor=admin, workflow="sop_review", to_version=2)),
               run(decide)]
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    with svc.uow(write=False) as uow:
        per = (select(t.audit_events.c.instance_id, func.count().label("n"))
               .where(t.audit_events.c.action == "migrated").group_by(t.audit_events.c.instance_id).subquery())
        audited = dict(uow.conn.execute(select(per.c.instance_id, per.c.n)).all())
        items = uow.conn.execute(select(func.count()).select_from(t.migration_items)
                                 .where(t.migration_items.c.status == "migrated")).scalar_one()
        versions = set(uow.conn.execute(select(t.instances.c.definition_version)
                                        .where(t.instances.c.workflow == "sop_review")).scalars())
        decided = uow.conn.execute(select(func.count()).select_from(t.tasks).where(
            t.tasks.c.id.in_(market_tasks), t.tasks.c.decision == "approve")).scalar_one()
    assert audited == dict.fromkeys(seeded.reviewing, 1)
    assert items == COUNT and versions == {2} and decided == COUNT
    for iid in seeded.reviewing:  # market decided (before or after the move), the others still open
        assert sorted(x["candidate_group"] for x in open_tasks(svc, iid)) == ["finance", "it"]
