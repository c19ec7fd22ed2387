"""The iCalendar invitation parses with icalendar and carries the right attendees, time zone, UID and
SEQUENCE; the outbox delivers it attached to e-mails and as a summary to chat targets."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from channels.meetings.agendas import prepare_agenda
from channels.meetings.rendering import render
from tests.support.meetings import FIRST_TUESDAY, World, seed
from tests.support.receivers import free_port
from workflows.adapters.notifier import AppriseNotifier, RecordingNotifier
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.outbox import dispatch_outbox
from workflows.services.targets import add_target


@pytest.fixture
def world(svc: Services) -> World:
    return seed(svc)


def _event(text: str) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(text)
    return calendar, calendar.walk("VEVENT")[0]


def test_invite_carries_attendees_time_zone_uid_and_method(svc: Services, world: World) -> None:
    agenda = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    text = render(agenda, format="ics", lang="en", stamp=svc.clock.now()).text

    calendar, event = _event(text)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    start = event["DTSTART"].dt  # type: ignore[index]
    assert (str(start.tzinfo), start.hour, start.date().isoformat()) == ("Asia/Shanghai", 10, "2026-12-01")
    assert str(event["UID"]) == f"meeting-{world.meeting.id}-20261201T020000Z@channelops"  # type: ignore[index]
    attendees = sorted(str(a) for a in event["ATTENDEE"])  # type: ignore[index]
    assert attendees == ["mailto:chen@example.com", "mailto:li@example.com"]
    assert str(event["LOCATION"]) == "总部 3 楼" and int(event["SEQUENCE"]) == 0  # type: ignore[index]


def test_uid_is_stable_and_sequence_grows_when_the_agenda_changes(svc: Services, world: World) -> None:
    first = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    unchanged = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    card = start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject={"type": "channel", "id": "9"})
    fire_trigger(svc, actor=SYSTEM, instance_id=card.id, trigger="issue_yellow")  # a new item for the agenda
    second = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)

    _, before = _event(render(first, format="ics", lang="zh", stamp=svc.clock.now()).text)
    _, after = _event(render(second, format="ics", lang="zh", stamp=svc.clock.now()).text)
    assert str(after["UID"]) == str(before["UID"])  # type: ignore[index]
    assert unchanged.occurrence.sequence == 0
    assert (int(before["SEQUENCE"]), int(after["SEQUENCE"])) == (0, 1)  # type: ignore[index]


def test_email_targets_get_the_invite_attached_and_chat_targets_a_summary(svc: Services, world: World) -> None:
    add_target(svc, actor=SYSTEM, owner_type="user", owner=str(world.committee.id), kind="email",
               url="mailto://chen:pw@example.com?to=chen@example.com")
    add_target(svc, actor=SYSTEM, owner_type="user", owner=str(world.member.id), kind="webhook",
               url="json://127.0.0.1:9/hook")
    prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    notifier = RecordingNotifier()

    dispatch_outbox(svc, notifier=notifier)

    mail = next(s for s in notifier.sent if s.url.startswith("mailto") and s.title.startswith("会议议程"))
    chat = next(s for s in notifier.sent if s.url.startswith("json") and s.title.startswith("Agenda"))
    assert [a.filename for a in mail.attachments] == [f"meeting-{world.meeting.id}-20261201.ics"]
    _, event = _event(mail.attachments[0].content)
    assert str(event["SUMMARY"]) == "跨部门联席会议"  # type: ignore[index]
    assert chat.attachments == () and chat.title.startswith("Agenda: Cross-department joint meeting")
    assert f"{svc.public_url}/meetings/{world.meeting.id}?occurrence=" in chat.body  # the web UI page, absolute


def test_an_occurrence_on_a_holiday_says_so_in_every_rendering(svc: Services, world: World) -> None:
    from channels.meetings.series import create_meeting

    svc.clock.set(FIRST_TUESDAY - timedelta(days=70))  # type: ignore[attr-defined]  # late September
    meeting = create_meeting(svc, actor=world.committee, kind="kpi_review", starts_at=FIRST_TUESDAY.replace(
        month=10, day=6), attendee_groups=["committee"])
    agenda = prepare_agenda(svc, actor=world.committee, meeting_id=meeting.id, distribute=False)

    assert agenda.occurrence.shift["to"] == "2026-10-08"
    assert "顺延至 2026-10-08" in render(agenda, format="md", lang="zh", stamp=svc.clock.now()).text
    assert "2026-10-08" in render(agenda, format="html", lang="en", stamp=svc.clock.now()).text
    _, event = _event(render(agenda, format="ics", lang="en", stamp=svc.clock.now()).text)
    assert event["DTSTART"].dt.day == 8  # type: ignore[index]


class _Mailbox:
    """An SMTP server on 127.0.0.1 (aiosmtpd) that keeps whole messages, attachments included."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def test_the_invite_arrives_attached_to_a_real_email(svc: Services, world: World) -> None:
    mailbox, port = _Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        add_target(svc, actor=SYSTEM, owner_type="user", owner=str(world.committee.id), kind="email",
                   url=f"mailto://channelops@example.com?smtp=127.0.0.1&port={port}&mode=insecure"
                       "&to=chen@example.com")
        prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
        dispatch_outbox(svc, notifier=AppriseNotifier(timeout=10))
    finally:
        controller.stop()

    mail = next(m for m in mailbox.messages if str(m["Subject"]).startswith("会议议程"))
    name = f"meeting-{world.meeting.id}-20261201.ics"
    (invite,) = [part for part in mail.iter_attachments() if part.get_filename() == name]
    assert invite.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(invite.get_content())
    assert str(calendar["METHOD"]) == "REQUEST"
