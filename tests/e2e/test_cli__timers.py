"""`channelops timers run`: one sweep of the due timers by hand, against CHANNELOPS_DATABASE_URL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from channelops.cli import app
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import start_instance

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("cli_database")


def high_complaint(svc: Services, make_user: UserFactory) -> int:
    """A high-severity complaint: first-response warning due at 12:12 and breach at 14:00 the same day."""
    manager = make_user(roles=("channel_manager",))
    return start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high"}).id


def state_and_history(svc: Services, instance_id: int) -> tuple[str, list[tuple[str, datetime]]]:
    with svc.uow(write=False) as uow:
        state = uow.conn.execute(select(t.instances.c.state).where(t.instances.c.id == instance_id)).scalar_one()
        audit = uow.conn.execute(select(t.audit_events.c.action, t.audit_events.c.at).where(
            t.audit_events.c.instance_id == instance_id, t.audit_events.c.actor_login == "system")
            .order_by(t.audit_events.c.id)).all()
    return state, [(row.action, row.at) for row in audit]


def test_as_of_a_later_time_fires_what_is_due_by_then_once(svc: Services, make_user: UserFactory) -> None:
    complaint = high_complaint(svc, make_user)  # Monday 23 November 2026 09:00 Shanghai
    before = runner.invoke(app, ["timers", "run", "--as-of", "2026-11-23T12:00:00+08:00"])
    assert (before.exit_code, before.output.splitlines()[0]) == (0, "timers: 0 fired, 0 cancelled, 0 failed")
    due = runner.invoke(app, ["timers", "run", "--as-of", "2026-11-23T14:00:00+08:00"])
    assert (due.exit_code, due.output.splitlines()[0]) == (0, "timers: 2 fired, 0 cancelled, 0 failed"), due.output
    again = runner.invoke(app, ["timers", "run", "--as-of", "2026-11-23T14:00:00+08:00"])
    assert again.output.splitlines()[0] == "timers: 0 fired, 0 cancelled, 0 failed"
    state, history = state_and_history(svc, complaint)
    assert state == "escalated"
    breached_at = datetime(2026, 11, 23, 6, tzinfo=UTC)
    assert ("sla_breached", breached_at) in history and ("transition", breached_at) in history


def test_without_as_of_the_sweep_fires_what_is_due_now(
    svc: Services, make_user: UserFactory, clock: FixedClock
) -> None:
    clock.set(datetime(2020, 1, 6, 1, tzinfo=UTC))  # Monday 6 January 2020 09:00 Shanghai: long due
    complaint = high_complaint(svc, make_user)
    result = runner.invoke(app, ["timers", "run"])
    # Both goals' warnings and breaches: first response (4 working hours) and resolution (24).
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "timers: 4 fired, 0 cancelled, 0 failed"
    assert state_and_history(svc, complaint)[0] == "escalated"


@pytest.mark.parametrize("moment", ["2026-11-23T14:00:00", "next monday"])
def test_as_of_without_a_timezone_or_not_a_datetime_is_refused(moment: str) -> None:
    result = runner.invoke(app, ["timers", "run", "--as-of", moment])
    assert result.exit_code == 2
    assert "not an ISO datetime with a timezone" in result.output


def test_timers_run_also_sweeps_the_outbox() -> None:
    result = runner.invoke(app, ["timers", "run"])
    assert result.exit_code == 0, result.output
    assert "outbox: 0 sent, 0 to retry, 0 dead" in result.output
