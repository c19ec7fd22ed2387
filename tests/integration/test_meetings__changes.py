"""Changing a meeting updates the invitations already sent; cancelling one sends a cancellation."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import select

from channels.meetings.agendas import get_agenda, prepare_agenda
from channels.meetings.changes import cancel_occurrence, update_meeting
from channels.meetings.rendering import render
from tests.support.meetings import World, seed
from workflows.domain.errors import Conflict, InvalidInput, PermissionDenied
from workflows.persistence import tables as t
from workflows.services.context import Services


@pytest.fixture
def world(svc: Services) -> World:
    world = seed(svc)
    prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    return world


def _templates(svc: Services) -> list[str]:
    with svc.uow(write=False) as uow:
        return list(uow.conn.execute(select(t.outbox.c.template).where(t.outbox.c.template.like("meeting_%"))
                                     .order_by(t.outbox.c.id)).scalars())


def test_a_new_place_and_length_reach_the_invited_with_a_higher_sequence(svc: Services, world: World) -> None:
    update_meeting(svc, actor=world.committee, meeting_id=world.meeting.id,
                   changes={"location": "北京分公司 2 楼", "duration_minutes": 60})

    agenda = get_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    event = Calendar.from_ical(render(agenda, format="ics", lang="zh", stamp=svc.clock.now()).text).walk("VEVENT")[0]
    assert (str(event["LOCATION"]), int(event["SEQUENCE"])) == ("北京分公司 2 楼", 1)
    assert (event["DTEND"].dt - event["DTSTART"].dt).total_seconds() == 3600
    assert _templates(svc) == ["meeting_agenda"] * 4  # first invitation, then the update, to both attendees


def test_kind_start_and_rule_cannot_be_changed_and_nulls_are_refused(svc: Services, world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        update_meeting(svc, actor=world.committee, meeting_id=world.meeting.id,
                       changes={"rrule": "FREQ=WEEKLY", "location": None})
    assert {p.path for p in refused.value.problems} == {"rrule", "location"}
    with pytest.raises(PermissionDenied):
        update_meeting(svc, actor=world.member, meeting_id=world.meeting.id, changes={"location": "x"})


def test_cancelling_an_invited_occurrence_sends_a_cancellation(svc: Services, world: World) -> None:
    occurrence = world.meeting.upcoming[0]
    cancelled = cancel_occurrence(svc, actor=world.committee, meeting_id=world.meeting.id,
                                  occurrence_id=occurrence.id, reason="与季度会合并")

    assert (cancelled.status, cancelled.sequence) == ("cancelled", 1)
    agenda = get_agenda(svc, actor=world.committee, meeting_id=world.meeting.id, occurrence_id=occurrence.id)
    calendar = Calendar.from_ical(render(agenda, format="ics", lang="en", stamp=svc.clock.now()).text)
    assert str(calendar["METHOD"]) == "CANCEL" and str(calendar.walk("VEVENT")[0]["UID"]) == occurrence.uid
    assert _templates(svc)[-2:] == ["meeting_cancelled"] * 2
    assert get_agenda(svc, actor=world.committee, meeting_id=world.meeting.id).occurrence.id != occurrence.id
    again = cancel_occurrence(svc, actor=world.committee, meeting_id=world.meeting.id, occurrence_id=occurrence.id)
    assert again == cancelled and _templates(svc).count("meeting_cancelled") == 2


def test_an_occurrence_that_is_over_cannot_be_cancelled(svc: Services, world: World) -> None:
    occurrence = world.meeting.upcoming[0]
    svc.clock.set(occurrence.ends_at)  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        cancel_occurrence(svc, actor=world.committee, meeting_id=world.meeting.id, occurrence_id=occurrence.id)


def test_an_empty_change_changes_and_sends_nothing(svc: Services, world: World) -> None:
    before = _templates(svc)
    view = update_meeting(svc, actor=world.committee, meeting_id=world.meeting.id, changes={})
    assert view.location == "总部 3 楼" and _templates(svc) == before
