"""Absences with a substitute (`/absences`): record one's own (an admin: anyone's), end it, hand over the
open tasks; assigning a task to a named member (admins and group leads) from the task's card."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, UiDep
from api.ui.inbox_views import workflow_titles
from workflows.domain.permissions import Action, UserRef
from workflows.services import absences, delegations, tasks
from workflows.services.delegations import MAX_NOTE, MAX_WORKFLOWS

router = APIRouter()
DelegationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Login = Annotated[str, Form(max_length=100)]


@router.get("/absences")
def absence_page(ui: UiDep, recorded: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
             ended: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
             handed: Annotated[int | None, Query(ge=0, le=100_000)] = None,
             kept: Annotated[int | None, Query(ge=0, le=100_000)] = None,
             past: bool = False) -> Response:
    actor = ui.user
    everyone = ui.may(Action.MANAGE_DELEGATIONS, UserRef(None))
    listed = delegations.list_delegations(ui.svc, actor=actor, current=not past)
    today = absences.today(ui.svc)
    return render.html(ui, "absences.html", listed=listed, everyone=everyone, people=delegations.people(ui.svc),
                       titles=workflow_titles(ui), today=today.isoformat(),
                       until=(today + dt.timedelta(days=4)).isoformat(), recorded=recorded, ended=ended,
                       handed=handed, kept=kept, past=past, note_max=MAX_NOTE)


@router.post("/absences")
def record(ui: PostDep, substitute: Login, starts_on: Annotated[dt.date, Form()],
           ends_on: Annotated[dt.date, Form()], user: Login = "",
           note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
           workflows: Annotated[list[str] | None, Form(max_length=MAX_WORKFLOWS)] = None) -> Response:
    made = delegations.add_delegation(ui.svc, actor=ui.user, login=user.strip() or None,
                                      substitute=substitute.strip(), starts_on=starts_on, ends_on=ends_on,
                                      workflows=workflows or [], note=note)
    return render.redirect(ui, f"/absences?recorded={made.id}")


@router.post("/absences/{delegation_id}/end")
def end(ui: PostDep, delegation_id: DelegationId) -> Response:
    delegations.end_delegation(ui.svc, actor=ui.user, delegation_id=delegation_id)
    return render.redirect(ui, f"/absences?ended={delegation_id}")


@router.post("/absences/{delegation_id}/handover")
def handover(ui: PostDep, delegation_id: DelegationId) -> Response:
    done = delegations.hand_over(ui.svc, actor=ui.user, delegation_id=delegation_id)
    return render.redirect(ui, f"/absences?handed={len(done.handed_over)}&kept={len(done.kept)}")


@router.post("/inbox/tasks/{task_id}/assign")
def assign(ui: PostDep, task_id: TaskId, login: Login,
           back: Annotated[str, Form(max_length=200)] = "/inbox") -> Response:
    tasks.assign_task(ui.svc, actor=ui.user, task_id=task_id, login=login.strip())
    return render.redirect(ui, render.safe_next(back))

