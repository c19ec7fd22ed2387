"""The inbox: tasks for me and my groups; claim, release and decide without reloading the page."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.definitions import parsed
from api.ui.format import OVERDUE, SOON
from workflows.domain.permissions import Action, TaskRef
from workflows.services import definitions, delegations, queries, tasks
from workflows.services.views import TaskView

router = APIRouter(prefix="/inbox")
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SHOWN = 500
Due = Literal["all", "overdue", "soon"]
Sort = Literal["due", "created", "workflow", "follow_up"]


def workflow_titles(ui: Ui) -> dict[str, str]:
    return {d.name: (d.title_zh if ui.locale == "zh" else d.title_en) for d in definitions.list_definitions(ui.svc)}


def actionable(ui: Ui, items: list[TaskView]) -> set[int]:
    """The tasks the user may decide (the service's own rule; the service checks again)."""
    return {t.id for t in items if t.status == "open" and tasks.may_act(ui.user, t.model_dump())}


def _shown(ui: Ui, items: list[TaskView], due: Due, sort: Sort, titles: dict[str, str]) -> list[TaskView]:
    fmt = ui.fmt
    if due != "all":
        wanted = {OVERDUE} if due == "overdue" else {OVERDUE, SOON}
        items = [t for t in items if (mark := fmt.due(t.due_at)) is not None and mark.state in wanted]
    if sort == "created":
        return sorted(items, key=lambda t: (t.created_at, t.id), reverse=True)
    if sort == "workflow":
        return sorted(items, key=lambda t: (titles.get(t.workflow, t.workflow), t.id))
    return items  # the service's order: by due date (or follow-up date), undated last


@router.get("")
def inbox(ui: UiDep, workflow: Annotated[str, Query(max_length=100)] = "",
          assigned: Literal["group", "me"] = "group", due: Due = "all", sort: Sort = "due") -> Response:
    page = queries.inbox(ui.svc, actor=ui.user, assigned=assigned, workflow=workflow or None, limit=SHOWN,
                         sort="follow_up" if sort == "follow_up" else "due")
    titles = workflow_titles(ui)
    items = _shown(ui, page.items, due, sort, titles)
    values: dict[str, Any] = {"tasks": items, "total": page.total, "limit": SHOWN, "titles": titles,
                              "actionable": actionable(ui, items), "assignable": assign_choices(ui, items),
                              "workflow": workflow, "assigned": assigned, "due": due, "sort": sort}
    if render.is_htmx(ui) and ui.request.headers.get("HX-Target") == "task-list":
        return render.html(ui, "_task_list.html", **values)
    return render.html(ui, "inbox.html", **values)


def _task(ui: Ui, task_id: int) -> Response:
    task = queries.get_task(ui.svc, task_id=task_id)
    if not render.is_htmx(ui):
        return render.redirect(ui, "/inbox")
    return render.html(ui, "_task.html", task=task, titles=workflow_titles(ui), actionable=actionable(ui, [task]),
                       assignable=assign_choices(ui, [task]))


@router.post("/tasks/{task_id}/claim")
def claim(ui: PostDep, task_id: TaskId) -> Response:
    tasks.claim_task(ui.svc, actor=ui.user, task_id=task_id)
    return _task(ui, task_id)


@router.post("/tasks/{task_id}/release")
def release(ui: PostDep, task_id: TaskId) -> Response:
    tasks.release_task(ui.svc, actor=ui.user, task_id=task_id)
    return _task(ui, task_id)


@router.post("/tasks/{task_id}/complete")
def complete(ui: PostDep, task_id: TaskId, decision: Annotated[str, Form(max_length=40)],
             comment: Annotated[str, Form(max_length=4000)] = "",
             back: Annotated[str, Form(max_length=200)] = "/inbox") -> Response:
    result = tasks.complete_task(ui.svc, actor=ui.user, task_id=task_id, decision=decision,
                                 comment=comment.strip() or None)
    if not render.is_htmx(ui):
        return render.redirect(ui, render.safe_next(back))
    if back != "/inbox":  # decided on another page (the instance page): show it afresh
        return render.finish(ui, Response(status_code=204, headers={"HX-Refresh": "true"}))
    view = definitions.get_definition(ui.svc, name=result.instance.workflow, version=result.instance.definition_version)
    states = {s.name: ui.fmt.title(s.title, s.name) for s in parsed(ui.svc, view).states}
    return render.html(ui, "_decided.html", task_id=task_id, decision=decision, result=result, states=states)


def assign_choices(ui: Ui, items: list[TaskView]) -> dict[int, list[delegations.PersonView]]:
    """For each open task the user may assign (an admin, a lead of its group): whom it can go to."""
    members: dict[str | None, list[delegations.PersonView]] = {}
    found: dict[int, list[delegations.PersonView]] = {}
    for task in items:
        ref = TaskRef(assignee_id=task.assignee_id, candidate_group=task.candidate_group)
        if task.status != "open" or not ui.may(Action.ASSIGN_TASK, ref):
            continue
        if task.candidate_group not in members:
            members[task.candidate_group] = delegations.people(ui.svc, group=task.candidate_group)
        found[task.id] = [p for p in members[task.candidate_group] if p.id != task.assignee_id]
    return found
