"""Set up a meeting or a series, and change one, through forms: the API's request models and the
meeting services (`channels.meetings.series`, `channels.meetings.changes`), so the checks and
the permissions are the API's.

The repetition is picked from a few presets rather than typed as an RRULE: weekly on a weekday,
monthly on the n-th weekday, every n months (on the first meeting's day of the month), and
quarterly on the n-th weekday.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, Path
from starlette.responses import Response

from api.routes.meetings import MeetingCreate, MeetingUpdate
from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.forms import FieldErrors, validated
from channels import choices
from channels.meetings import changes, series
from channels.meetings.texts import KINDS
from channels.meetings.views import MeetingView
from channels.permissions import ChannelAction
from channels.regions import region_title
from workflows.domain.errors import InvalidInput
from workflows.domain.group_titles import TITLES as GROUP_TITLES
from workflows.domain.group_titles import group_title

router = APIRouter(prefix="/meetings")
MeetingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Picked = Annotated[list[str], Form(max_length=500)]
REPEATS = ("none", "weekly", "monthly_nth", "every_n_months", "quarterly")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NTHS = ("1", "2", "3", "4", "-1")
ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Europe/London",
         "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")
ALIASES = {"starts_at": "start_date", "rrule": "repeat"}


def rule_of(repeat: str, *, weekday: str, nth: str, interval: str) -> str | None:
    """The RRULE of a preset; ValueError for a value outside the presets' choices."""
    if repeat not in REPEATS or weekday not in WEEKDAYS or nth not in NTHS:
        raise ValueError(repeat)
    if repeat == "weekly":
        return f"FREQ=WEEKLY;BYDAY={weekday}"
    if repeat == "monthly_nth":
        return f"FREQ=MONTHLY;BYDAY={nth}{weekday}"
    if repeat == "quarterly":
        return f"FREQ=MONTHLY;INTERVAL=3;BYDAY={nth}{weekday}"
    if repeat == "every_n_months":
        if not interval.isdigit() or not 1 <= int(interval) <= 12:
            raise ValueError(interval)
        return f"FREQ=MONTHLY;INTERVAL={int(interval)}"
    return None


def _group_label(ui: Ui, name: str) -> str:
    prefix, _, code = name.partition(":")
    if prefix == "region" and code:
        return ui.gettext("Region %(region)s", region=region_title(code, ui.locale))
    zh, en = group_title(name)
    return zh if ui.locale == "zh" else en


def _choices(ui: Ui, picked_groups: list[str]) -> dict[str, Any]:
    users = choices.active_people(ui.svc)
    regions = {g for u in users for g in u.groups if g.startswith("region:")}
    groups = [*GROUP_TITLES, *sorted(regions | {g for g in picked_groups if g not in GROUP_TITLES})]
    return {"users": [(u.id, u.name) for u in users],
            "groups": [(g, _group_label(ui, g)) for g in groups],
            "kinds": [(k, zh if ui.locale == "zh" else en) for k, (zh, en) in KINDS.items()],
            "repeats": REPEATS, "weekdays": WEEKDAYS, "nths": NTHS, "zones": ZONES}


def _page(ui: Ui, *, values: dict[str, Any], errors: FieldErrors | None, meeting: MeetingView | None,
          status: int = 200) -> Response:
    return render.html(ui, "meeting_form.html", status=status, values=values, meeting=meeting,
                       errors=errors.by_field if errors else {}, **_choices(ui, values.get("attendee_groups", [])))


def _common(ui: Ui, users: list[str], groups: list[str]) -> dict[str, Any]:
    form = ui.form
    return {"title_zh": form.get("title_zh", "").strip() or None, "title_en": form.get("title_en", "").strip() or None,
            "duration_minutes": form.get("duration_minutes", "").strip(),
            "location": form.get("location", "").strip(), "video_url": form.get("video_url", "").strip() or None,
            "attendee_users": users, "attendee_groups": groups,
            "prepare_days": form.get("prepare_days", "").strip()}


def _shown(ui: Ui, users: list[str], groups: list[str]) -> dict[str, Any]:
    """The values typed, to show again with the errors."""
    return {**ui.form, "attendee_users": users, "attendee_groups": groups}


@router.get("/new")
def new_meeting(ui: UiDep) -> Response:
    ui.allowed(ChannelAction.ORGANISE_MEETINGS)
    values = {"kind": "joint", "repeat": "monthly_nth", "weekday": "TU", "nth": "1", "interval": "2",
              "start_time": "10:00", "duration_minutes": "90", "timezone": ui.svc.calendar.config.timezone,
              "prepare_days": "2", "attendee_users": [], "attendee_groups": []}
    return _page(ui, values=values, errors=None, meeting=None)


def _starts_at(ui: Ui, errors: FieldErrors) -> datetime | None:
    form = ui.form
    try:
        zone = ZoneInfo(form.get("timezone", ""))
    except (ZoneInfoNotFoundError, ValueError):
        errors.add("timezone", ui.gettext("Unknown time zone."))
        return None
    try:
        day = date.fromisoformat(form.get("start_date", "").strip())
    except ValueError:
        errors.add("start_date", ui.gettext("Enter a date (YYYY-MM-DD)."))
        return None
    try:
        at = time.fromisoformat(form.get("start_time", "").strip())
    except ValueError:
        errors.add("start_time", ui.gettext("Enter a time (HH:MM)."))
        return None
    return datetime.combine(day, at, zone)


@router.post("/new")
def create_meeting(ui: PostDep, attendee_users: Picked = [], attendee_groups: Picked = []) -> Response:  # noqa: B006
    actor = ui.allowed(ChannelAction.ORGANISE_MEETINGS)
    errors = FieldErrors(ui, aliases=ALIASES)
    form = ui.form
    rule: str | None = None
    try:
        rule = rule_of(form.get("repeat", ""), weekday=form.get("weekday", ""), nth=form.get("nth", ""),
                       interval=form.get("interval", "").strip())
    except ValueError:
        errors.add("repeat", ui.gettext("Choose one of the options."))
    starts_at = _starts_at(ui, errors)
    data = {**_common(ui, attendee_users, attendee_groups), "kind": form.get("kind", ""), "rrule": rule,
            "starts_at": starts_at, "timezone": form.get("timezone", "")}
    body = validated(MeetingCreate, data, errors)
    if body is not None and not errors:
        try:
            view = series.create_meeting(ui.svc, actor=actor, video_url=str(body.video_url) if body.video_url else None,
                                         **body.model_dump(exclude={"video_url"}))
            return render.redirect(ui, f"/meetings/{view.id}")
        except InvalidInput as exc:
            errors.service(exc.problems)
    return _page(ui, values=_shown(ui, attendee_users, attendee_groups), errors=errors, meeting=None, status=422)


def _meeting(ui: Ui, meeting_id: int) -> MeetingView:
    ui.allowed(ChannelAction.ORGANISE_MEETINGS)
    return series.get_meeting(ui.svc, actor=ui.user, meeting_id=meeting_id)


@router.get("/{meeting_id}/edit")
def edit_meeting(ui: UiDep, meeting_id: MeetingId) -> Response:
    meeting = _meeting(ui, meeting_id)
    values = {"title_zh": meeting.title_zh, "title_en": meeting.title_en,
              "duration_minutes": str(meeting.duration_minutes), "location": meeting.location,
              "video_url": meeting.video_url or "", "prepare_days": str(meeting.prepare_days),
              "attendee_users": [str(u) for u in meeting.attendee_users], "attendee_groups": meeting.attendee_groups}
    return _page(ui, values=values, errors=None, meeting=meeting)


@router.post("/{meeting_id}/edit")
def update_meeting(ui: PostDep, meeting_id: MeetingId, attendee_users: Picked = [],  # noqa: B006
                   attendee_groups: Picked = []) -> Response:  # noqa: B006
    meeting = _meeting(ui, meeting_id)
    errors = FieldErrors(ui, aliases=ALIASES)
    body = validated(MeetingUpdate, _common(ui, attendee_users, attendee_groups), errors)
    if body is not None and not errors:
        fields = body.model_dump()
        fields["video_url"] = str(body.video_url) if body.video_url else None
        try:
            changes.update_meeting(ui.svc, actor=ui.user, meeting_id=meeting_id, changes=fields)
            return render.redirect(ui, f"/meetings/{meeting_id}")
        except InvalidInput as exc:
            errors.service(exc.problems)
    return _page(ui, values=_shown(ui, attendee_users, attendee_groups), errors=errors, meeting=meeting, status=422)
