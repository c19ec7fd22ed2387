"""What the meeting services hand back: plain, JSON-ready values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workflows.services.views import View


class AttendeeView(View):
    id: int
    login: str
    display_name: str
    email: str | None


class OccurrenceView(View):
    id: int
    meeting_id: int
    scheduled_at: datetime  # where the rule put it
    starts_at: datetime  # where it is (moved off a day off when `shift` is set)
    ends_at: datetime
    prepare_at: datetime  # when its agenda is generated
    shift: dict[str, str]  # from, to, reason (public_holiday, company_holiday, weekend), name_zh, name_en
    uid: str
    sequence: int
    status: str
    agenda_generated_at: datetime | None


class MeetingView(View):
    id: int
    kind: str
    title_zh: str
    title_en: str
    rrule: str | None
    starts_at: datetime
    duration_minutes: int
    timezone: str
    location: str
    video_url: str | None
    attendee_users: list[int]
    attendee_groups: list[str]
    prepare_days: int
    active: bool
    created_by: str
    created_at: datetime
    upcoming: list[OccurrenceView]


class DecisionView(View):
    id: int
    item_id: int
    occurrence_id: int
    outcome: str  # decided | deferred
    summary: str
    trigger: str | None
    instance_id: int | None
    from_state: str | None
    to_state: str | None
    approval_task_id: int | None
    decided_by: int | None
    decided_by_login: str
    decided_at: datetime


class ItemView(View):
    id: int
    key: str
    section: str
    position: int
    title_zh: str
    title_en: str
    ask_zh: str
    ask_en: str
    instance_id: int | None
    channel_id: str | None
    link: str | None
    facts: dict[str, Any]
    triggers: list[str]
    carried_from: int | None
    status: str
    decision: DecisionView | None


class SectionView(View):
    name: str
    title_zh: str
    title_en: str
    total: int  # items that qualified; at most `SECTION_LIMIT` are listed
    facts: dict[str, Any]
    items: list[ItemView]


class AgendaView(View):
    meeting: MeetingView
    occurrence: OccurrenceView
    generated_at: datetime | None
    window_start: datetime | None
    attendees: list[AttendeeView]
    present: list[int]
    sections: list[SectionView]
