"""Several sweeping processes on PostgreSQL split the due timers; a killed one loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support import databases
from tests.support.fixtures import START
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance

ROOT = Path(__file__).resolve().parents[2]
LATER = START + timedelta(days=100)  # past every three-month improvement deadline
COUNT = 1000


@pytest.fixture
def yellow_cards(postgres_url: str, svc_pg: Services) -> int:
    for _ in range(COUNT):
        inst = start_instance(svc_pg, actor=SYSTEM, workflow="card_escalation")
        fire_trigger(svc_pg, actor=SYSTEM, instance_id=inst.id, trigger="issue_yellow")
    return COUNT


@pytest.fixture
def svc_pg(postgres_url: str, calendar: object, clock: object) -> Iterator[Services]:
    from channelops.bootstrap import build_registry
    from workflows.persistence.db import make_engine
    from workflows.services.definitions import publish_shipped

    databases.truncate_postgres(postgres_url)
    services = Services(engine=make_engine(postgres_url), clock=clock, calendar=calendar,  # type: ignore[arg-type]
                        registry=build_registry())
    publish_shipped(services, actor=SYSTEM)
    yield services
    services.engine.dispose()


def sweeper(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.support.sweeper", url, LATER.isoformat()],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def fired_once_each(svc: Services) -> tuple[int, int, int]:
    """(timers fired, deadline transitions audited, instances audited more than once)."""
    with svc.uow(write=False) as uow:
        fired = uow.conn.execute(select(func.count()).select_from(t.timers).where(t.timers.c.status == "fired",
                                                                                    t.timers.c.kind == "state"))
        audited = (select(t.audit_events.c.instance_id, func.count().label("n"))
                   .where(t.audit_events.c.trigger == "improvement_deadline")
                   .group_by(t.audit_events.c.instance_id).subquery())
        total = uow.conn.execute(select(func.coalesce(func.sum(audited.c.n), 0))).scalar_one()
        doubled = uow.conn.execute(select(func.count()).select_from(audited).where(audited.c.n > 1)).scalar_one()
        return int(fired.scalar_one()), int(total), int(doubled)


def test_two_workers_split_the_due_timers_and_fire_none_twice(
    postgres_url: str, svc_pg: Services, yellow_cards: int
) -> None:
    workers = [sweeper(postgres_url), sweeper(postgres_url)]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    counts = [int(output.strip().splitlines()[-1].split()[-1]) for output in outputs]
    assert sum(counts) == COUNT
    assert min(counts) > 0, f"one worker fired nothing: {counts}"
    assert fired_once_each(svc_pg) == (COUNT, COUNT, 0)


def test_a_worker_killed_mid_sweep_loses_nothing_and_doubles_nothing(
    postgres_url: str, svc_pg: Services, yellow_cards: int
) -> None:
    first = sweeper(postgres_url)
    assert first.stdout is not None
    deadline = time.monotonic() + 120
    for line in first.stdout:  # wait until it is well into the sweep
        if (line.startswith("progress") and int(line.split()[1]) >= 100) or time.monotonic() > deadline:
            break
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    first.stdout.close()
    partial = fired_once_each(svc_pg)
    assert 0 < partial[0] < COUNT, f"the kill should land mid-sweep: {partial}"
    second = sweeper(postgres_url)
    second.communicate(timeout=300)
    assert fired_once_each(svc_pg) == (COUNT, COUNT, 0)
