"""The company calendar: days off and working days on top of the public holidays (admins write)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentActor, ServicesDep
from workflows.services import calendar_entries
from workflows.services.calendar_entries import NOTE_MAX, CalendarEntryView, CoverageView, EntryKind

router = APIRouter(prefix="/calendar", tags=["calendar"])


class CalendarEntryCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"day": "2026-12-31", "kind": "holiday",
                                                               "note": "公司年会"}]})
    day: dt.date
    kind: EntryKind
    note: str = Field(default="", max_length=NOTE_MAX)


@router.get("/entries", response_model=list[CalendarEntryView], summary="Company calendar entries, by day")
def list_entries(_: CurrentActor, svc: ServicesDep,
                 year: Annotated[int | None, Query(ge=1970, le=2199)] = None) -> list[CalendarEntryView]:
    return calendar_entries.list_calendar_entries(svc, year=year)


@router.post("/entries", response_model=CalendarEntryView, status_code=201,
             summary="Add a company day off or working day (admin); 409 if the day has one")
def add_entry(body: CalendarEntryCreate, actor: CurrentActor, svc: ServicesDep) -> CalendarEntryView:
    return calendar_entries.add_calendar_entry(svc, actor=actor, day=body.day, kind=body.kind, note=body.note)


@router.delete("/entries/{day}", status_code=204, response_class=Response,
               summary="Remove a company calendar entry (admin)")
def remove_entry(day: Annotated[dt.date, Path()], actor: CurrentActor, svc: ServicesDep) -> Response:
    calendar_entries.remove_calendar_entry(svc, actor=actor, day=day)
    return Response(status_code=204)


@router.get("/coverage", response_model=CoverageView,
            summary="Whether the holiday data covers a year; the warning to act on if not")
def coverage(_: CurrentActor, svc: ServicesDep, year: Annotated[int, Query(ge=1970, le=2199)]) -> CoverageView:
    return calendar_entries.calendar_coverage(svc, year=year)
