"""Meetings, their agendas (JSON, Markdown, HTML, iCalendar), decisions, attendance and minutes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import AnyHttpUrl, ConfigDict, Field

from api.deps import CurrentActor, ServicesDep
from api.schemas import Body
from channels.meetings import agendas, changes, decisions, series
from channels.meetings.rendering import render
from channels.meetings.views import AgendaView, DecisionView, MeetingView, OccurrenceView

router = APIRouter(prefix="/meetings", tags=["meetings"])
MeetingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
OccurrenceId = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="default: the next occurrence")]
Format = Annotated[Literal["json", "md", "html", "ics"], Query()]
Lang = Annotated[Literal["zh", "en"] | None, Query(description="default: the caller's locale")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
UserId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class MeetingCreate(Body):
    kind: Literal["joint", "kpi_review", "full_review", "other"] = Field(examples=["joint"])
    title_zh: str | None = Field(default=None, min_length=1, max_length=200, examples=["跨部门联席会议"])
    title_en: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: datetime = Field(description="the first (or only) occurrence, with a timezone",
                                examples=["2026-12-01T10:00:00+08:00"])
    rrule: str | None = Field(default=None, min_length=1, max_length=500, examples=["FREQ=MONTHLY;BYDAY=1TU"])
    duration_minutes: int = Field(default=90, ge=5, le=1440)
    timezone: str | None = Field(default=None, min_length=1, max_length=60, examples=["Asia/Shanghai"])
    location: str = Field(default="", max_length=300, examples=["总部 3 楼会议室"])
    video_url: AnyHttpUrl | None = Field(default=None, max_length=500)
    attendee_users: list[UserId] = Field(default_factory=list, max_length=500)
    attendee_groups: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50, examples=[["committee", "market", "sales", "finance", "it"]])
    prepare_days: int = Field(default=2, ge=0, le=30)


class MeetingUpdate(Body):
    """Only the fields given change; the start, the rule and the kind stay (create a new meeting for those)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"location": "总部 5 楼会议室",
                                                               "duration_minutes": 120}]})

    title_zh: str | None = Field(default=None, min_length=1, max_length=200)
    title_en: str | None = Field(default=None, min_length=1, max_length=200)
    duration_minutes: int | None = Field(default=None, ge=5, le=1440)
    location: str | None = Field(default=None, max_length=300)
    video_url: AnyHttpUrl | None = Field(default=None, max_length=500)
    attendee_users: list[UserId] | None = Field(default=None, max_length=500)
    attendee_groups: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(default=None,
                                                                                                max_length=50)
    prepare_days: int | None = Field(default=None, ge=0, le=30)


class Cancellation(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "与季度经营会冲突，顺延一周"}]})
    reason: str = Field(default="", max_length=2000)


class DecisionCreate(Body):
    item_id: UserId = Field(description="the agenda item decided on")
    summary: str = Field(min_length=1, max_length=10_000, examples=["同意终止合作"])
    outcome: Literal["decided", "deferred"] = "decided"
    trigger: str | None = Field(default=None, min_length=1, max_length=100, examples=["terminate"])
    data: dict[str, Any] = Field(default_factory=dict)


class AttendanceSet(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"present": [3, 5, 8]}]})
    present: list[UserId] = Field(max_length=500)
    occurrence: UserId | None = None


@router.get("", response_model=list[MeetingView], summary="The meetings and series the caller may read")
def list_meetings(actor: CurrentActor, svc: ServicesDep,
                  kind: Annotated[str | None, Query(max_length=30)] = None) -> list[MeetingView]:
    return series.list_meetings(svc, actor=actor, kind=kind)


@router.post("", response_model=MeetingView, status_code=201, summary="Create a meeting or a series (RRULE)")
def create(body: MeetingCreate, actor: CurrentActor, svc: ServicesDep) -> MeetingView:
    fields = body.model_dump(exclude={"video_url"})
    return series.create_meeting(svc, actor=actor, video_url=str(body.video_url) if body.video_url else None,
                                 **fields)


@router.patch("/{meeting_id}", response_model=MeetingView,
              summary="Change a meeting; invitations already sent are updated (SEQUENCE + 1)")
def patch(meeting_id: MeetingId, body: MeetingUpdate, actor: CurrentActor, svc: ServicesDep) -> MeetingView:
    fields = body.model_dump(exclude_unset=True)
    if "video_url" in fields:
        fields["video_url"] = str(body.video_url) if body.video_url else None
    return changes.update_meeting(svc, actor=actor, meeting_id=meeting_id, changes=fields)


@router.post("/{meeting_id}/occurrences/{occurrence_id}/cancel", response_model=OccurrenceView,
             summary="Cancel one occurrence; attendees who were invited get a cancellation")
def cancel(meeting_id: MeetingId, occurrence_id: Annotated[int, Path(ge=1, le=2**31 - 1)], actor: CurrentActor,
           svc: ServicesDep, body: Cancellation | None = None) -> OccurrenceView:
    return changes.cancel_occurrence(svc, actor=actor, meeting_id=meeting_id, occurrence_id=occurrence_id,
                                     reason=body.reason if body else "")


@router.get("/{meeting_id}", response_model=MeetingView, summary="A meeting with its next occurrences")
def get(meeting_id: MeetingId, actor: CurrentActor, svc: ServicesDep) -> MeetingView:
    return series.get_meeting(svc, actor=actor, meeting_id=meeting_id)


def _rendered(agenda: AgendaView, *, format: str, lang: str | None, actor_locale: str, svc: ServicesDep,
              minutes: bool) -> Response:
    chosen = lang or ("en" if actor_locale == "en" else "zh")
    result = render(agenda, format=format, lang=chosen,  # type: ignore[arg-type]
                    stamp=svc.clock.now(), minutes=minutes, base_url=svc.public_url)
    disposition = "attachment" if format == "ics" else "inline"
    return Response(content=result.text, media_type=result.media_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{result.filename}"'})


_FORMATS: dict[int | str, dict[str, Any]] = {200: {
    "content": {"application/json": {}, "text/markdown": {}, "text/html": {}, "text/calendar": {}},
    "description": "the agenda in the format asked for"}}


@router.get("/{meeting_id}/agenda", summary="The agenda: json, md, html or ics", responses=_FORMATS,
            response_model=AgendaView)
def agenda(meeting_id: MeetingId, actor: CurrentActor, svc: ServicesDep, occurrence: OccurrenceId = None,
           format: Format = "json", lang: Lang = None) -> Response:
    view = agendas.get_agenda(svc, actor=actor, meeting_id=meeting_id, occurrence_id=occurrence)
    return _rendered(view, format=format, lang=lang, actor_locale=actor.locale, svc=svc, minutes=False)


@router.post("/{meeting_id}/agenda", response_model=AgendaView, summary="Generate the agenda now and send it out")
def prepare(meeting_id: MeetingId, actor: CurrentActor, svc: ServicesDep, occurrence: OccurrenceId = None,
            distribute: bool = True) -> AgendaView:
    return agendas.prepare_agenda(svc, actor=actor, meeting_id=meeting_id, occurrence_id=occurrence,
                                  distribute=distribute)


@router.post("/{meeting_id}/decisions", response_model=DecisionView, status_code=201,
             summary="Record a decision on an agenda item, optionally firing a workflow trigger")
def decide(meeting_id: MeetingId, body: DecisionCreate, actor: CurrentActor, svc: ServicesDep,
           idempotency_key: IdempotencyKey = None) -> DecisionView:
    return decisions.record_decision(svc, actor=actor, meeting_id=meeting_id, item_id=body.item_id,
                                     summary=body.summary, outcome=body.outcome, trigger=body.trigger,
                                     data=body.data or None, idempotency_key=idempotency_key)


@router.put("/{meeting_id}/attendance", response_model=list[int], summary="Who attended (committee)")
def attendance(meeting_id: MeetingId, body: AttendanceSet, actor: CurrentActor, svc: ServicesDep) -> list[int]:
    return decisions.record_attendance(svc, actor=actor, meeting_id=meeting_id, present=body.present,
                                       occurrence_id=body.occurrence)


@router.get("/{meeting_id}/minutes", summary="The minutes: decisions and attendance (json, md, html)",
            responses=_FORMATS, response_model=AgendaView)
def minutes(meeting_id: MeetingId, actor: CurrentActor, svc: ServicesDep, occurrence: OccurrenceId = None,
            format: Annotated[Literal["json", "md", "html"], Query()] = "json", lang: Lang = None) -> Response:
    view = agendas.get_agenda(svc, actor=actor, meeting_id=meeting_id, occurrence_id=occurrence)
    return _rendered(view, format=format, lang=lang, actor_locale=actor.locale, svc=svc, minutes=True)
