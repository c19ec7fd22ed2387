"""Demo meetings: the monthly joint meeting, a quarterly KPI review and the half-yearly full review,
with the joint meeting's next agenda generated from the demo data (and sent to its attendees)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from channels.meetings.agendas import prepare_agenda
from channels.meetings.recurrence import expand
from channels.meetings.series import create_meeting
from channels.meetings.views import AgendaView
from workflows.domain.principals import Actor
from workflows.services.context import Services

DEPARTMENTS = ["committee", "market", "sales", "finance", "it"]


def _next_first_tuesday(svc: Services, *, hour: int, months: int = 1) -> datetime:
    """The first Tuesday at `hour` that is still ahead, in a month that fits an every-`months` rhythm."""
    zone = ZoneInfo(svc.calendar.config.timezone)
    now = svc.clock.now().astimezone(zone)
    anchor = datetime(now.year, 1, 1, hour, tzinfo=zone)
    found = expand(rule=f"FREQ=MONTHLY;INTERVAL={months};BYDAY=1TU", first=anchor, zone=zone.key,
                   start=now, end=now + timedelta(days=31 * months + 31), limit=1)
    return found[0]


def seed_meetings(svc: Services, people: Mapping[str, Actor]) -> AgendaView:
    """Create the three demo meetings (organised by the committee) and prepare the joint meeting's agenda."""
    chair = people["chen.committee"]
    managers = [people[login].id or 0 for login in ("liu.manager", "he.manager") if login in people]
    joint = create_meeting(svc, actor=chair, kind="joint", rrule="FREQ=MONTHLY;BYDAY=1TU",
                           starts_at=_next_first_tuesday(svc, hour=10), duration_minutes=120,
                           location="总部 3 楼第一会议室 / HQ, 3F meeting room 1",
                           video_url="https://meeting.example.com/channelops-joint",
                           attendee_groups=DEPARTMENTS, attendee_users=managers)
    create_meeting(svc, actor=chair, kind="kpi_review", rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=1TU",
                   starts_at=_next_first_tuesday(svc, hour=14, months=3), duration_minutes=90,
                   location="总部 3 楼第一会议室", attendee_groups=["committee", "sales", "finance"],
                   attendee_users=managers)
    create_meeting(svc, actor=chair, kind="full_review", rrule="FREQ=MONTHLY;INTERVAL=6;BYDAY=1TU",
                   starts_at=_next_first_tuesday(svc, hour=9, months=6), duration_minutes=240,
                   location="总部报告厅 / HQ auditorium", attendee_groups=DEPARTMENTS, attendee_users=managers)
    return prepare_agenda(svc, actor=chair, meeting_id=joint.id)
