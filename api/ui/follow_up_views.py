"""A task's own page (`/inbox/tasks/{id}`): what it is, its due date, and its follow-up date, which
its assignee sets or clears here (`follow_ups.set_follow_up`, the same rule as the API)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, UiDep
from api.ui.inbox_views import actionable, workflow_titles
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.permissions import Action, TaskRef, allows
from workflows.services import follow_ups, queries

router = APIRouter(prefix="/inbox/tasks")
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/{task_id}")
def task_page(ui: UiDep, task_id: TaskId, saved: Annotated[str, Query(max_length=10)] = "") -> Response:
    task = queries.get_task(ui.svc, task_id=task_id)
    may_follow_up = task.status == "open" and allows(
        ui.user, Action.SET_FOLLOW_UP, TaskRef(assignee_id=task.assignee_id, candidate_group=task.candidate_group))
    today = ui.svc.clock.now().astimezone(ZoneInfo(ui.settings.timezone)).date()
    return render.html(ui, "task.html", task=task, titles=workflow_titles(ui), actionable=actionable(ui, [task]),
                       may_follow_up=may_follow_up, saved=saved, today=today, latest=today + follow_ups.LATEST)


@router.post("/{task_id}/follow-up")
def set_follow_up(ui: PostDep, task_id: TaskId, day: Annotated[str, Form(alias="date", max_length=10)] = "",
                  clear: Annotated[str, Form(max_length=10)] = "") -> Response:
    chosen = None
    if not clear:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput("the follow-up date is not valid",
                               [Problem("date", "choose a day, e.g. 2026-12-01")]) from None
    follow_ups.set_follow_up(ui.svc, actor=ui.user, task_id=task_id, day=chosen)
    return render.redirect(ui, f"/inbox/tasks/{task_id}?saved={'cleared' if chosen is None else 'set'}")
