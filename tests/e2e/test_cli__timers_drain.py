"""`channelops timers run` drains: every timer due by --as-of fires, in as many sweeps as it takes, then
every due notification is delivered; a failure makes the exit code non-zero (issue 13, break 9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update
from typer.testing import CliRunner

from channelops.cli import app
from tests.integration.helpers import count
from tests.support.fixtures import UserFactory
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_database")
AS_OF = "2026-11-23T14:00:00+08:00"
MOMENT = datetime(2026, 11, 23, 6, tzinfo=UTC)
COPIES = 1_050  # with the complaint's own: more than one sweep of 1,000 and many more rows than 100


def copy_warning_timers(svc: Services, instance_id: int, copies: int) -> None:
    """`copies` more first-response warnings of one complaint, all due by AS_OF (each notifies its requester)."""
    with svc.uow() as uow:
        warning = uow.conn.execute(select(t.timers).where(t.timers.c.instance_id == instance_id,
                                                          t.timers.c.kind == "sla_warn")
                                   .order_by(t.timers.c.due_at)).mappings().first()
        assert warning is not None
        row = {k: v for k, v in warning.items() if k != "id"}
        uow.conn.execute(insert(t.timers), [{**row, "due_at": MOMENT - timedelta(minutes=1)}] * copies)
        uow.commit()


def due_timers(svc: Services) -> int:
    return count(svc, t.timers, t.timers.c.status == "scheduled", t.timers.c.due_at <= MOMENT)


def test_every_timer_due_by_as_of_fires_and_every_notification_is_sent(
    svc: Services, make_user: UserFactory
) -> None:
    manager = make_user(roles=("channel_manager",))
    complaint = start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high"})
    copy_warning_timers(svc, complaint.id, COPIES)
    assert due_timers(svc) > 1_000

    result = runner.invoke(app, ["timers", "run", "--as-of", AS_OF])

    assert result.exit_code == 0, result.output
    assert due_timers(svc) == 0
    fired = count(svc, t.timers, t.timers.c.status == "fired")
    assert fired > 1_000
    assert result.output.splitlines()[0] == f"timers: {fired} fired, 0 cancelled, 0 failed"
    with svc.uow(write=False) as uow:
        by_status = dict(uow.conn.execute(select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status)).all())
    assert by_status.get("sent", 0) > COPIES and set(by_status) == {"sent"}
    assert result.output.splitlines()[1] == f"outbox: {by_status['sent']} sent, 0 to retry, 0 dead"


def test_a_timer_that_fails_makes_the_exit_code_one_and_the_others_still_fire(svc: Services) -> None:
    cards = []
    for number in range(3):
        card = start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject={"type": "channel",
                                                                                      "id": f"C-{number}"})
        fire_trigger(svc, actor=SYSTEM, instance_id=card.id, trigger="issue_yellow")
        cards.append(card.id)
    with svc.uow() as uow:
        uow.conn.execute(update(t.timers).where(t.timers.c.instance_id == cards[1])
                         .values(trigger="no_such_trigger"))
        uow.commit()

    result = runner.invoke(app, ["timers", "run", "--as-of", "2027-03-01T09:00:00+08:00"])

    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "timers: 2 fired, 0 cancelled, 1 failed"
