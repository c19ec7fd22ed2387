"""The command line of absences and assignment: `delegation add|list|end|handover`, `task assign`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from channelops.cli import app
from tests.integration.helpers import task_for
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import claim_task
from workflows.services.users import actor_for, add_user

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_database")
# The CLI runs on the real clock: the company's today, in its time zone.
TODAY = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
UNTIL = TODAY + timedelta(days=3)


@pytest.fixture
def claimed(svc: Services) -> int:
    """A sales review claimed by zhang.san, of an onboarding that liu.manager asked for."""
    for login, groups, roles in (("liu.manager", [], ["channel_manager"]), ("zhang.san", ["sales"], []),
                                 ("li.si", ["sales"], []), ("ma.ke", ["market"], [])):
        add_user(svc, actor=SYSTEM, login=login, groups=groups, roles=roles)
    manager = actor_for(svc, login="liu.manager")
    inst = start_instance(svc, actor=manager, workflow="channel_onboarding",
                          data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=manager, instance_id=inst.id, trigger="submit")
    task_id = task_for(svc, inst.id, "sales")
    claim_task(svc, actor=actor_for(svc, login="zhang.san"), task_id=task_id)
    return task_id


def assignee(svc: Services, task_id: int) -> str | None:
    with svc.uow(write=False) as uow:
        return uow.conn.execute(select(t.users.c.login).join(t.tasks, t.tasks.c.assignee_id == t.users.c.id)
                                .where(t.tasks.c.id == task_id)).scalar()


def test_an_admin_scripts_an_absence_with_handover_and_lists_it(svc: Services, claimed: int) -> None:
    added = runner.invoke(app, ["delegation", "add", "zhang.san", "--to", "li.si", "--from", TODAY.isoformat(),
                                "--until", UNTIL.isoformat(), "--workflow", "channel_onboarding", "--handover"])
    assert added.exit_code == 0, added.output
    assert f"zhang.san\t-> li.si\t{TODAY} .. {UNTIL}\trunning\tchannel_onboarding" in added.output
    assert "handed over 1 task(s) to li.si" in added.output
    assert assignee(svc, claimed) == "li.si"
    listed = runner.invoke(app, ["delegation", "list"])
    assert listed.exit_code == 0 and listed.output.count("zhang.san\t-> li.si") == 1
    delegation_id = listed.output.split("\t", 1)[0]
    ended = runner.invoke(app, ["delegation", "end", delegation_id])
    assert ended.exit_code == 0 and "\tended\t" in ended.output
    assert runner.invoke(app, ["delegation", "list"]).output.strip() == "no absence"
    assert "\tended\t" in runner.invoke(app, ["delegation", "list", "--all", "--user", "li.si"]).output


def test_a_bad_absence_exits_1_with_each_problem(svc: Services, claimed: int) -> None:
    result = runner.invoke(app, ["delegation", "add", "zhang.san", "--to", "zhang.san", "--from", UNTIL.isoformat(),
                                 "--until", TODAY.isoformat()])
    assert result.exit_code == 1
    assert "substitute: nobody can stand in for themselves" in result.output
    assert "ends_on: the absence ends before it starts" in result.output
    unreadable = runner.invoke(app, ["delegation", "add", "zhang.san", "--to", "li.si", "--from", "tomorrow",
                                     "--until", UNTIL.isoformat()])
    assert unreadable.exit_code == 2 and "'tomorrow' is not a date" in unreadable.output


def test_task_assign_gives_a_task_to_a_member_and_refuses_a_non_member(svc: Services, claimed: int) -> None:
    done = runner.invoke(app, ["task", "assign", str(claimed), "li.si"])
    assert (done.exit_code, done.output.strip()) == (0, f"task {claimed} assigned to li.si")
    assert assignee(svc, claimed) == "li.si"
    refused = runner.invoke(app, ["task", "assign", str(claimed), "ma.ke"])
    assert refused.exit_code == 1 and "ma.ke is not a member of the task's group 'sales'" in refused.output
    as_member = runner.invoke(app, ["task", "assign", str(claimed), "zhang.san", "--as", "li.si"])
    assert as_member.exit_code == 1 and "only an admin or a lead of the task's group" in as_member.output
