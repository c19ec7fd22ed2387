"""Meetings: upcoming meetings, the agenda (printable, .ics), recording decisions (committee)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, UiDep
from channels.meetings import agendas, changes, decisions, series
from channels.meetings.rendering import render as render_agenda
from channels.meetings.wording import describe
from channels.permissions import ChannelAction

router = APIRouter(prefix="/meetings")
MeetingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Occurrence = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


@router.get("")
def meetings(ui: UiDep) -> Response:
    found = series.list_meetings(ui.svc, actor=ui.user)
    words = {m.id: describe(m.rrule, m.starts_at.astimezone(ZoneInfo(m.timezone)), ui.locale) for m in found}
    return render.html(ui, "meetings.html", meetings=found, recurrence=lambda m: words[m.id])


@router.get("/{meeting_id}")
def meeting(ui: UiDep, meeting_id: MeetingId, occurrence: Occurrence = None, decided: str = "",
            prepared: str = "", cancelled: str = "") -> Response:
    agenda = agendas.get_agenda(ui.svc, actor=ui.user, meeting_id=meeting_id, occurrence_id=occurrence)
    return render.html(ui, "meeting.html", agenda=agenda, m=agenda.meeting, occ=agenda.occurrence,
                       committee=ui.may(ChannelAction.DECIDE_MEETING_ITEM),
                       organiser=ui.may(ChannelAction.ORGANISE_MEETINGS), decided=decided, prepared=prepared,
                       cancelled=cancelled, over=agenda.occurrence.ends_at <= ui.svc.clock.now())


@router.get("/{meeting_id}/agenda.ics")
def agenda_ics(ui: UiDep, meeting_id: MeetingId, occurrence: Occurrence = None) -> Response:
    agenda = agendas.get_agenda(ui.svc, actor=ui.user, meeting_id=meeting_id, occurrence_id=occurrence)
    result = render_agenda(agenda, format="ics", lang="zh" if ui.locale == "zh" else "en",
                           stamp=ui.svc.clock.now(), base_url=ui.svc.public_url)
    return render.finish(ui, Response(result.text, media_type=result.media_type, headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'}))


@router.post("/{meeting_id}/agenda")
def prepare(ui: PostDep, meeting_id: MeetingId, occurrence: Annotated[int | None, Form(ge=1)] = None) -> Response:
    view = agendas.prepare_agenda(ui.svc, actor=ui.user, meeting_id=meeting_id, occurrence_id=occurrence)
    return render.redirect(ui, f"/meetings/{meeting_id}?occurrence={view.occurrence.id}&prepared=1")


@router.post("/{meeting_id}/occurrences/{occurrence_id}/cancel")
def cancel(ui: PostDep, meeting_id: MeetingId, occurrence_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
           reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Cancel one date of the meeting (organisers); attendees who had its agenda get a cancellation."""
    changes.cancel_occurrence(ui.svc, actor=ui.user, meeting_id=meeting_id, occurrence_id=occurrence_id,
                              reason=reason.strip())
    return render.redirect(ui, f"/meetings/{meeting_id}?occurrence={occurrence_id}&cancelled=1")


@router.post("/{meeting_id}/decisions")
def decide(ui: PostDep, meeting_id: MeetingId, item_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
           summary: Annotated[str, Form(max_length=10_000)], occurrence: Annotated[int, Form(ge=1)],
           outcome: Annotated[str, Form(max_length=20)] = "decided",
           trigger: Annotated[str, Form(max_length=100)] = "") -> Response:
    decisions.record_decision(ui.svc, actor=ui.user, meeting_id=meeting_id, item_id=item_id, summary=summary,
                              outcome=outcome, trigger=trigger or None)
    return render.redirect(ui, f"/meetings/{meeting_id}?occurrence={occurrence}&decided={item_id}#item-{item_id}")
