"""A real migration run killed with SIGKILL half-way, then run again: every instance ends migrated exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from tests.support.fixtures import UserFactory
from tests.support.migration import seed
from workflows.persistence import tables as t
from workflows.services.context import Services

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = 12
MIGRATE = ["workflow", "migrate", "sop_review", "--to-version", "2"]


def channelops(database_url: str, *args: str, delay: float = 0.0) -> subprocess.Popen[str]:
    env = {**os.environ, "CHANNELOPS_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
           "CHANNELOPS_TEST_MIGRATE_DELAY": str(delay)}
    return subprocess.Popen([sys.executable, "-c", "from channelops.cli import main; main()", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def facts(svc: Services) -> dict[str, object]:
    with svc.uow(write=False) as uow:
        def scalar(query: object) -> int:
            return int(uow.conn.execute(query).scalar_one())  # type: ignore[call-overload]

        audits = (select(t.audit_events.c.instance_id, func.count().label("n"))
                  .where(t.audit_events.c.action == "migrated").group_by(t.audit_events.c.instance_id).subquery())
        items = (select(t.migration_items.c.instance_id, func.count().label("n"))
                 .where(t.migration_items.c.status == "migrated").group_by(t.migration_items.c.instance_id).subquery())
        return {
            "on_v2": scalar(select(func.count()).select_from(t.instances).where(
                t.instances.c.workflow == "sop_review", t.instances.c.definition_version == 2)),
            "audited": scalar(select(func.count()).select_from(audits)),
            "audited_twice": scalar(select(func.count()).select_from(audits).where(audits.c.n > 1)),
            "items": scalar(select(func.count()).select_from(items)),
            "items_twice": scalar(select(func.count()).select_from(items).where(items.c.n > 1)),
            "it_tasks": scalar(select(func.count()).select_from(t.tasks).where(t.tasks.c.candidate_group == "it")),
            "runs": [tuple(r) for r in uow.conn.execute(select(t.migration_runs.c.status, t.migration_runs.c.migrated)
                                                        .order_by(t.migration_runs.c.id))],
        }


def test_a_run_killed_half_way_and_run_again_migrates_every_instance_exactly_once(
        svc: Services, make_user: UserFactory, database_url: str) -> None:
    seed(svc, make_user(admin=True), reviewing=INSTANCES, parked=0)
    with channelops(database_url, *MIGRATE, delay=0.3) as first:
        assert first.stdout is not None
        seen = []
        while len(seen) < 3:
            line = first.stdout.readline()
            assert line, f"the command ended early: {first.stderr.read() if first.stderr else ''}"
            if line.startswith("migrated instance"):
                seen.append(line)
        os.kill(first.pid, signal.SIGKILL)  # the next instance's transaction is open and sleeping
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        seen += [line for line in first.stdout.read().splitlines() if line.startswith("migrated instance")]

    half = facts(svc)
    assert len(seen) <= half["on_v2"] <= len(seen) + 1 < INSTANCES  # type: ignore[operator]
    assert half["audited"] == half["items"] == half["on_v2"] and half["it_tasks"] == half["on_v2"]
    assert half["runs"] == [("running", 0)]

    with channelops(database_url, *MIGRATE) as second:
        out, err = second.communicate(timeout=180)
    assert second.returncode == 0, err
    assert f"(resumed): {INSTANCES - int(half['on_v2'])} instances" in out  # type: ignore[call-overload]

    done = facts(svc)
    assert done == {"on_v2": INSTANCES, "audited": INSTANCES, "audited_twice": 0, "items": INSTANCES,
                    "items_twice": 0, "it_tasks": INSTANCES, "runs": [("done", INSTANCES)]}
