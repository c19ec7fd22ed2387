"""The two loop flows are thin shells over one sweep loop (their bodies run without a server)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

import flows.outbox
import flows.sweeps
import flows.timers
from flows.serve import deployments, served
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.adapters.notifier import RecordingNotifier
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.records import notify
from workflows.services.targets import add_target


@pytest.fixture
def flows_use_the_test_services(svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flows.sweeps, "build_services", lambda: svc)


@pytest.mark.usefixtures("flows_use_the_test_services")
def test_the_timer_loop_fires_the_due_timers_and_counts_them(svc: Services, clock: FixedClock) -> None:
    for number in range(2):
        inst = start_instance(svc, actor=SYSTEM, workflow="card_escalation",
                              subject={"type": "channel", "id": f"C-{number}"})
        fire_trigger(svc, actor=SYSTEM, instance_id=inst.id, trigger="issue_yellow")
    clock.advance(timedelta(days=92))

    result = flows.timers.run_timer_loop.fn(max_seconds=0)

    assert result == {"passes": 1, "errors": 0, "fired": 2, "cancelled": 0, "failed": 0}
    assert flows.timers.run_timer_loop.fn(max_seconds=0)["fired"] == 0


@pytest.mark.usefixtures("flows_use_the_test_services")
def test_the_outbox_loop_delivers_the_due_notices_and_counts_them(
    svc: Services, make_user: UserFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier = RecordingNotifier(failing={"json://127.0.0.1:9/down"})
    monkeypatch.setattr(flows.outbox, "AppriseNotifier", lambda: notifier)
    up, down = make_user(), make_user()
    for user, url in ((up, "json://127.0.0.1:9/up"), (down, "json://127.0.0.1:9/down")):
        add_target(svc, actor=user, owner_type="user", owner=str(user.id), kind="webhook", url=url)
    with svc.uow() as uow:
        for user in (up, down):
            notify(uow, now=svc.clock.now(), instance_id=None, recipients=[f"user:{user.id}"],
                   template="task_opened", payload={"workflow": "complaint", "instance_id": 7, "task": "investigate"})
        uow.commit()

    result = flows.outbox.dispatch_outbox.fn(max_seconds=0)

    assert result == {"passes": 1, "errors": 0, "sent": 1, "retried": 1, "dead": 0}
    assert notifier.urls() == ["json://127.0.0.1:9/up"]


def test_a_worker_serves_the_two_loops_the_agendas_and_the_two_kpi_reviews() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:  # outside any event loop an earlier test left, as a worker
        names = [d.name for d in pool.submit(lambda: served(deployments())).result()]
    assert names == ["timers", "outbox", "agendas", "kpi-monthly", "kpi-quarterly"]
