"""The company calendar: a year's company days off and make-up working days; administrators add
and remove them (`workflows.services.calendar_entries`, the API's service; MANAGE_CALENDAR)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from api.routes.calendar import CalendarEntryCreate
from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.forms import FieldErrors, validated
from workflows.domain.errors import Conflict, InvalidInput
from workflows.domain.permissions import Action
from workflows.services import calendar_entries

router = APIRouter(prefix="/calendar")
Year = Annotated[int | None, Query(ge=1970, le=2199)]


def _page(ui: Ui, *, year: int, values: dict[str, str], errors: FieldErrors | None, status: int = 200,
          removed: str = "") -> Response:
    ui.user  # noqa: B018 (signed-in users only; everyone reads)
    entries = calendar_entries.list_calendar_entries(ui.svc, year=year)
    coverage = ui.svc.calendar.coverage_warning(year)
    return render.html(ui, "calendar.html", status=status, year=year, entries=entries, values=values,
                       errors=errors.by_field if errors else {}, covered=coverage is None, removed=removed,
                       manager=ui.may(Action.MANAGE_CALENDAR))


@router.get("")
def calendar(ui: UiDep, year: Year = None, removed: Annotated[str, Query(max_length=10)] = "") -> Response:
    chosen = year or ui.svc.clock.now().year
    return _page(ui, year=chosen, values={"day": "", "kind": "holiday", "note": ""}, errors=None, removed=removed)


@router.post("")
def add_entry(ui: PostDep) -> Response:
    actor = ui.allowed(Action.MANAGE_CALENDAR)
    errors = FieldErrors(ui)
    values = {name: ui.form.get(name, "").strip() for name in ("day", "kind", "note")}
    body = validated(CalendarEntryCreate, values, errors)
    if body is not None:
        try:
            entry = calendar_entries.add_calendar_entry(ui.svc, actor=actor, day=body.day, kind=body.kind,
                                                        note=body.note)
            return render.redirect(ui, f"/calendar?year={entry.day.year}#day-{entry.day.isoformat()}")
        except InvalidInput as exc:
            errors.service(exc.problems)
        except Conflict:
            errors.add("day", ui.gettext("This day has an entry already: remove it first."))
    year = body.day.year if body is not None else ui.svc.clock.now().year
    return _page(ui, year=year, values=values, errors=errors, status=422)


@router.post("/{day}/remove")
def remove_entry(ui: PostDep, day: Annotated[date, Path()]) -> Response:
    actor = ui.allowed(Action.MANAGE_CALENDAR)
    calendar_entries.remove_calendar_entry(ui.svc, actor=actor, day=day)
    return render.redirect(ui, f"/calendar?year={day.year}&removed={day.isoformat()}")
