"""Meetings and meeting series: create, read, and lay out their occurrences ahead of time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import insert, select

from channels.meetings import recurrence
from channels.meetings import tables as m
from channels.meetings.access import may_read, require_read
from channels.meetings.texts import KINDS
from channels.meetings.views import MeetingView, OccurrenceView
from channels.permissions import ChannelAction, require
from workflows.domain.errors import InvalidInput, NotFound, Problem
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit

HORIZON = timedelta(days=400)  # occurrences are laid out this far ahead (a half-yearly series gets two)
UPCOMING_SHOWN = 6
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC")), datetime(2200, 1, 1, tzinfo=ZoneInfo("UTC"))


def problems_in(uow: UnitOfWork, *, kind: str, starts_at: datetime, timezone: str, attendee_users: Sequence[int],
              attendee_groups: Sequence[str], duration_minutes: int, prepare_days: int) -> list[Problem]:
    problems: list[Problem] = []
    if kind not in KINDS:
        problems.append(Problem("kind", f"must be one of {', '.join(KINDS)}"))
    if starts_at.utcoffset() is None:
        problems.append(Problem("starts_at", "needs a timezone, e.g. 2026-12-01T10:00:00+08:00"))
    elif not EARLIEST <= starts_at < LATEST:
        problems.append(Problem("starts_at", "must be between 2000 and 2200"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem("timezone", f"unknown time zone {timezone!r}"))
    if not 5 <= duration_minutes <= 24 * 60:
        problems.append(Problem("duration_minutes", "must be 5 to 1440"))
    if not 0 <= prepare_days <= 30:
        problems.append(Problem("prepare_days", "must be 0 to 30"))
    if attendee_groups:  # the groups admins defined (a deactivated one still names its members)
        groups = set(uow.conn.execute(select(t.groups.c.code).where(t.groups.c.code.in_(set(attendee_groups))))
                     .scalars())
        problems += [Problem("attendee_groups", f"unknown group {g!r}") for g in attendee_groups if g not in groups]
    if attendee_users:
        known = set(uow.conn.execute(select(t.users.c.id).where(t.users.c.id.in_(set(attendee_users)),
                                                               t.users.c.active.is_(True))).scalars())
        problems += [Problem("attendee_users", f"no active user with id {u}") for u in attendee_users
                     if u not in known]
    if not attendee_users and not attendee_groups:
        problems.append(Problem("attendee_users", "a meeting needs attendees: users, groups or both"))
    return problems


def create_meeting(
    svc: Services, *, actor: Actor, kind: str, starts_at: datetime, title_zh: str | None = None,
    title_en: str | None = None, rrule: str | None = None, duration_minutes: int = 90, timezone: str | None = None,
    location: str = "", video_url: str | None = None, attendee_users: Sequence[int] = (),
    attendee_groups: Sequence[str] = (), prepare_days: int = 2,
) -> MeetingView:
    """Create a single meeting (no `rrule`) or a series whose first occurrence is `starts_at`.

    Occurrences for the next `HORIZON` are laid out at once, each moved off a day off.

    Raises:
        PermissionDenied: the actor is neither on the committee nor an admin.
        InvalidInput: every problem with the input, listed (rule, time zone, attendees...).
    """
    require(actor, ChannelAction.ORGANISE_MEETINGS)
    zone = timezone or svc.calendar.config.timezone
    rule = recurrence.normalise_rule(rrule) if rrule else None
    now = svc.clock.now()
    with svc.uow() as uow:
        problems = problems_in(uow, kind=kind, starts_at=starts_at, timezone=zone, attendee_users=attendee_users,
                             attendee_groups=attendee_groups, duration_minutes=duration_minutes,
                             prepare_days=prepare_days)
        if problems:
            raise InvalidInput("the meeting is not valid", problems)
        if rule and not recurrence.expand(rule=rule, first=starts_at, zone=zone, start=starts_at,
                                          end=starts_at + timedelta(days=3660), limit=1):
            raise InvalidInput("the meeting is not valid", [Problem("rrule", "gives no date in ten years")])
        zh, en = KINDS[kind]
        values = {"kind": kind, "title_zh": title_zh or zh, "title_en": title_en or en, "rrule": rule,
                  "starts_at": starts_at, "duration_minutes": duration_minutes, "timezone": zone,
                  "location": location, "video_url": video_url, "attendee_users": sorted(set(attendee_users)),
                  "attendee_groups": sorted(set(attendee_groups)), "prepare_days": prepare_days, "active": True,
                  "created_by": actor.login, "created_at": now}
        meeting_id = uow.conn.execute(insert(m.meetings).returning(m.meetings.c.id), values).scalar_one()
        meeting = {**values, "id": meeting_id}
        lay_out(svc, uow, meeting=meeting, start=min(now, starts_at), now=now)
        audit(uow, now=now, actor=actor, entity_type="meeting", entity_id=meeting_id, action="created",
              data={"kind": kind, "rrule": rule, "starts_at": starts_at.isoformat()})
        view = meeting_view(uow, meeting, now=now)
        uow.commit()
    return view


def lay_out(svc: Services, uow: UnitOfWork, *, meeting: Mapping[str, Any], start: datetime, now: datetime) -> int:
    """Insert the occurrences of `meeting` in [start, now + HORIZON) that are not there yet; returns how many."""
    zone = meeting["timezone"]
    moments = recurrence.expand(rule=meeting["rrule"], first=meeting["starts_at"], zone=zone, start=start,
                                end=now + HORIZON)
    if not moments:
        return 0
    c = m.occurrences.c
    known = set(uow.conn.execute(select(c.scheduled_at).where(c.meeting_id == meeting["id"],
                                                              c.scheduled_at >= moments[0])).scalars())
    rows = [_occurrence(svc, meeting, moment, now=now) for moment in moments if moment not in known]
    if rows:
        uow.conn.execute(insert(m.occurrences), rows)
    return len(rows)


def _occurrence(svc: Services, meeting: Mapping[str, Any], moment: datetime, *, now: datetime) -> dict[str, Any]:
    placed = recurrence.place(moment, zone=meeting["timezone"], calendar=svc.calendar)
    return {"meeting_id": meeting["id"], "scheduled_at": moment, "starts_at": placed.starts_at,
            "ends_at": placed.starts_at + timedelta(minutes=meeting["duration_minutes"]),
            "prepare_at": prepare_moment(svc, placed.starts_at, days=meeting["prepare_days"]),
            "shift": placed.shift, "uid": f"meeting-{meeting['id']}-{moment:%Y%m%dT%H%M%SZ}@channelops",
            "sequence": 0, "status": "scheduled", "agenda_generated_at": None, "agenda_checksum": None,
            "window_start": None, "agenda_meta": {}, "distributed_sequence": None, "present_users": [],
            "created_at": now}


def prepare_moment(svc: Services, starts_at: datetime, *, days: int) -> datetime:
    """The start of working hours on the `days`-th working day before the meeting's day (its day for 0)."""
    zone = ZoneInfo(svc.calendar.config.timezone)
    day = starts_at.astimezone(zone).date()
    for _ in range(days):
        day -= timedelta(days=1)
        while not svc.calendar.is_working_day(day):
            day -= timedelta(days=1)
    opening = svc.calendar.config.periods[0][0]
    return min(datetime.combine(day, opening, zone).astimezone(ZoneInfo("UTC")), starts_at)


def occurrence_view(row: Mapping[str, Any]) -> OccurrenceView:
    return OccurrenceView.model_validate({name: row[name] for name in OccurrenceView.model_fields})


def meeting_view(uow: UnitOfWork, row: Mapping[str, Any], *, now: datetime) -> MeetingView:
    c = m.occurrences.c
    upcoming = uow.conn.execute(select(m.occurrences).where(c.meeting_id == row["id"], c.ends_at > now)
                                .order_by(c.starts_at).limit(UPCOMING_SHOWN)).mappings().all()
    fields = {name: row[name] for name in MeetingView.model_fields if name != "upcoming"}
    return MeetingView.model_validate({**fields, "upcoming": [occurrence_view(dict(o)) for o in upcoming]})


def meeting_row(uow: UnitOfWork, meeting_id: int) -> dict[str, Any]:
    row = uow.conn.execute(select(m.meetings).where(m.meetings.c.id == meeting_id)).mappings().first()
    if row is None:
        raise NotFound(f"meeting {meeting_id} not found")
    return dict(row)


def get_meeting(svc: Services, *, actor: Actor, meeting_id: int) -> MeetingView:
    """A meeting with its next occurrences. Raises NotFound, or PermissionDenied for a non-attendee."""
    with svc.uow(write=False) as uow:
        row = meeting_row(uow, meeting_id)
        require_read(actor, row)
        return meeting_view(uow, row, now=svc.clock.now())


def list_meetings(svc: Services, *, actor: Actor, kind: str | None = None) -> list[MeetingView]:
    """The active meetings `actor` may read, by first start."""
    query = select(m.meetings).where(m.meetings.c.active.is_(True)).order_by(m.meetings.c.starts_at)
    if kind is not None:
        query = query.where(m.meetings.c.kind == kind)
    with svc.uow(write=False) as uow:
        rows = [dict(r) for r in uow.conn.execute(query).mappings()]
        now = svc.clock.now()
        return [meeting_view(uow, row, now=now) for row in rows if may_read(actor, row)]
