"""The embedded scheduler for real: a Prefect server and a worker as child processes fire a timer.

Prefect's temporary server never runs schedules, so this is the proof that `serve` and `demo`
fire timers with nothing else started: the worker serves the loop deployments, starts the loops
at once, and the timer loop fires a timer a poll interval or so after it is due.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from channelops.bootstrap import build_services, prepare_database
from channelops.scheduler import start_embedded_scheduler
from channelops.settings import Settings
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance

pytestmark = pytest.mark.slow
WAIT = 90.0


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)
    return Settings(database_url=f"sqlite:///{tmp_path / 'channelops.db'}",
                    secret_key="test-secret-key-not-for-production-0123456789")


@pytest.fixture
def svc(settings: Settings) -> Iterator[Services]:
    services = build_services(settings)  # the real clock, as the worker's
    prepare_database(services, settings)
    yield services
    services.engine.dispose()


def yellow_card_due_in(svc: Services, seconds: float) -> tuple[int, int, datetime]:
    """A card escalation in yellow_card whose improvement deadline is moved to `seconds` from now."""
    inst = start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject={"type": "channel", "id": "C-1"})
    fire_trigger(svc, actor=SYSTEM, instance_id=inst.id, trigger="issue_yellow")
    due = svc.clock.now() + timedelta(seconds=seconds)
    with svc.uow() as uow:
        timer_id = uow.conn.execute(select(t.timers.c.id).where(t.timers.c.instance_id == inst.id,
                                                                t.timers.c.status == "scheduled")).scalar_one()
        uow.conn.execute(update(t.timers).where(t.timers.c.id == timer_id).values(due_at=due))
        uow.commit()
    return inst.id, timer_id, due


def wait_until_fired(svc: Services, timer_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with svc.uow(write=False) as uow:
            timer = dict(uow.conn.execute(select(t.timers).where(t.timers.c.id == timer_id)).mappings().one())
        if timer["status"] != "scheduled":
            return timer
        time.sleep(0.2)
    pytest.fail(f"timer {timer_id} had not fired {WAIT:.0f} s after the scheduler started")


def state_of(svc: Services, instance_id: int) -> str:
    with svc.uow(write=False) as uow:
        state: str = uow.conn.execute(select(t.instances.c.state).where(t.instances.c.id == instance_id)).scalar_one()
    return state


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux), 0 if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def memory(pids: dict[str, int]) -> dict[str, float]:
    """RSS in MB of the server, the worker and each flow run the worker started."""
    sizes = {name: round(rss_mb(pid), 1) for name, pid in pids.items()}
    for n, child in enumerate(children_of(pids["worker"])):
        sizes[f"flow run {n + 1}"] = round(rss_mb(child), 1)
    return sizes


def test_the_embedded_scheduler_fires_timers_about_a_poll_after_they_are_due(
    svc: Services, settings: Settings, tmp_path: Path
) -> None:
    first, first_timer, first_due = yellow_card_due_in(svc, 2)
    started = time.monotonic()
    with_scheduler = start_embedded_scheduler(settings, directory=tmp_path)
    try:
        fired = wait_until_fired(svc, first_timer)
        startup = time.monotonic() - started
        second, second_timer, second_due = yellow_card_due_in(svc, 3)
        refired = wait_until_fired(svc, second_timer)
        sizes = memory(with_scheduler.pids())
    finally:
        with_scheduler.stop()
    assert with_scheduler.pids() == {}
    assert (fired["status"], state_of(svc, first)) == ("fired", "red_card")
    assert (refired["status"], state_of(svc, second)) == ("fired", "red_card")
    lateness = (refired["fired_at"] - second_due).total_seconds()
    print(f"\nfirst timer fired {startup:.1f} s after the scheduler started "
          f"({(fired['fired_at'] - first_due).total_seconds():.2f} s after due); a timer due while it runs "
          f"fired {lateness:.2f} s after due; RSS MB: {sizes}")
    assert 0 <= lateness < 3.0  # the poll interval (1 s) plus a sweep, with room for a slow machine
