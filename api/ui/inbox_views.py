"""The inbox: tasks for me and my groups; claim, release and decide without reloading the page."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.definitions import parsed
from channels import task_subjects
from channels.task_subjects import REGION_TITLES, TYPE_TITLES
from workflows.domain.permissions import Action, TaskRef
from workflows.services import bulk_decisions, definitions, delegations, tasks
from workflows.services import inbox as cards
from workflows.services.views import TaskView

router = APIRouter(prefix="/inbox")
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SHOWN = 500
Due = cards.Due
Sort = cards.Sort
ChannelType = Literal["", "direct_store", "agent", "ecommerce", "social"]
Escalated = Literal["", "yes", "no"]


def workflow_titles(ui: Ui) -> dict[str, str]:
    return {d.name: (d.title_zh if ui.locale == "zh" else d.title_en) for d in definitions.list_definitions(ui.svc)}


def actionable(ui: Ui, items: list[TaskView]) -> set[int]:
    """The tasks the user may decide (the service's own rule; the service checks again)."""
    return {t.id for t in items if t.status == "open" and tasks.may_act(ui.user, t.model_dump())}


def _page(ui: Ui, *, workflow: str, assigned: Literal["group", "me"], due: Due, sort: Sort,
          channel_type: ChannelType, region: str, requester: str, escalated: Escalated = "") -> dict[str, Any]:
    """The inbox's cards for the filters, with what the filter form and the cards need."""
    subjects = task_subjects.channel_subjects(channel_type=channel_type or None, region=region or None)
    filters = cards.Filters(assigned=assigned, workflow=workflow or None, due=due, requester=requester or None,
                            escalated={"yes": True, "no": False}.get(escalated),
                            subject_type="channel" if subjects is not None else None, subjects=subjects,
                            subject_order=task_subjects.subject_name_order())
    page = cards.cards(ui.svc, actor=ui.user, filters=filters, sort=sort, limit=SHOWN)
    items = task_subjects.named(ui.svc, page.items)
    titles = workflow_titles(ui)
    if sort == "workflow":  # by the title people read, not the name
        items = sorted(items, key=lambda t: titles.get(t.workflow, t.workflow))
    return {"tasks": items, "total": page.total, "limit": SHOWN, "titles": titles,
            "actionable": actionable(ui, items), "workflow": workflow, "assigned": assigned, "due": due,
            "sort": sort, "channel_type": channel_type, "region": region, "requester": requester,
            "escalated": escalated, "type_titles": TYPE_TITLES, "region_titles": REGION_TITLES, "bulk": None,
            "assignable": assign_choices(ui, items)}


@router.get("")
def inbox(ui: UiDep, workflow: Annotated[str, Query(max_length=100)] = "",
          assigned: Literal["group", "me"] = "group", due: Due = "all", sort: Sort = "due",
          channel_type: ChannelType = "", region: Annotated[str, Query(max_length=50)] = "",
          requester: Annotated[str, Query(max_length=100)] = "", escalated: Escalated = "") -> Response:
    values = _page(ui, workflow=workflow, assigned=assigned, due=due, sort=sort, channel_type=channel_type,
                   region=region, requester=requester.strip(), escalated=escalated)
    if render.is_htmx(ui) and ui.request.headers.get("HX-Target") == "task-list":
        return render.html(ui, "_task_list.html", **values)
    return render.html(ui, "inbox.html", **values)


@router.post("/bulk")
def bulk(ui: PostDep, decision: Annotated[str, Form(max_length=40)],
         task_ids: Annotated[list[int], Form(max_length=bulk_decisions.MAX_BULK)] = [],  # noqa: B006 (FastAPI form)
         comment: Annotated[str, Form(max_length=4000)] = "") -> Response:
    """Decide the ticked tasks: each in its own transaction; the page lists what became of each."""
    chosen = list(dict.fromkeys(task_ids))
    result = bulk_decisions.decide_many(ui.svc, actor=ui.user, task_ids=chosen, decision=decision,
                                        comment=comment.strip() or None) if chosen else None
    values = _page(ui, workflow="", assigned="group", due="all", sort="due", channel_type="", region="",
                   requester="")
    return render.html(ui, "inbox.html", **{**values, "bulk": result, "bulk_decision": decision,
                                            "bulk_titles": _bulk_titles(ui, chosen)})


def _bulk_titles(ui: Ui, task_ids: list[int]) -> dict[int, str]:
    """The chosen tasks as people name them: the task's title and its subject, read in a few queries."""
    found = task_subjects.named(ui.svc, cards.by_ids(ui.svc, task_ids=task_ids[:bulk_decisions.MAX_BULK]))
    return {task.id: " · ".join(filter(None, [ui.fmt.pick(task.title_zh, task.title_en),
                                                task.context.subject_name if task.context else None]))
            for task in found}


def _task(ui: Ui, task_id: int) -> Response:
    task = task_subjects.named(ui.svc, [cards.card(ui.svc, task_id=task_id)])[0]
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
