"""`channelops agenda MEETING_ID`: generates a missing agenda, prints it in every format and language."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from typer.testing import CliRunner

from channelops.cli import app
from tests.support.meetings import World, seed
from workflows.persistence import tables as t
from workflows.services.context import Services

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_database")


@pytest.fixture
def world(svc: Services) -> World:
    return seed(svc)


def _agenda_mails(svc: Services) -> int:
    with svc.uow(write=False) as uow:
        return int(uow.conn.execute(select(func.count()).select_from(t.outbox)
                                    .where(t.outbox.c.template == "meeting_agenda")).scalar_one())


def test_agenda_generates_a_missing_agenda_sends_it_and_prints_markdown(svc: Services, world: World) -> None:
    occurrence = world.meeting.upcoming[0].id
    result = runner.invoke(app, ["agenda", str(world.meeting.id), "--occurrence", str(occurrence), "--lang", "en"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Cross-department joint meeting · Agenda")
    assert "## Pending terminations (1)" in result.output
    assert _agenda_mails(svc) == 2  # chen and li


def test_agenda_prints_the_stored_one_without_sending_again_and_an_ics_that_parses(svc: Services,
                                                                                   world: World) -> None:
    args = ["agenda", str(world.meeting.id), "--occurrence", str(world.meeting.upcoming[0].id)]
    runner.invoke(app, args)
    result = runner.invoke(app, [*args, "--format", "ics"])

    assert result.exit_code == 0, result.output
    event = Calendar.from_ical(result.output).walk("VEVENT")[0]
    assert str(event["UID"]) == world.meeting.upcoming[0].uid
    assert _agenda_mails(svc) == 2


def test_agenda_of_an_unknown_meeting_says_so_and_exits_1(world: World) -> None:
    result = runner.invoke(app, ["agenda", "999"])
    assert result.exit_code == 1
    assert "meeting 999 not found" in result.output
