"""Instances: the list, one instance (diagram, history, tasks, timers, SLA), firing its triggers."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, UiDep
from api.ui.definitions import diagram, extra_data, parsed
from api.ui.inbox_views import actionable, assign_choices, workflow_titles
from channels import task_subjects
from workflows.services import definitions, instances, queries
from workflows.services import inbox as cards

router = APIRouter(prefix="/instances")
InstanceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Filter = Annotated[str, Query(max_length=100)]
PER_PAGE = 50


@router.get("")
def list_instances(ui: UiDep, workflow: Filter = "", state: Filter = "", status: Filter = "",
                   page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    ui.user  # noqa: B018 (signed-in users only)
    found = queries.list_instances(ui.svc, workflow=workflow or None, state=state or None, status=status or None,
                                   limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    query = {"workflow": workflow, "state": state, "status": status}
    return render.html(ui, "instances.html", page=found, number=page, per_page=PER_PAGE, query=query,
                       more=urlencode({**query, "page": page + 1}), less=urlencode({**query, "page": page - 1}),
                       titles=workflow_titles(ui))


@router.get("/{instance_id}")
def instance(ui: UiDep, instance_id: InstanceId, fired: Filter = "", approval: Filter = "") -> Response:
    detail = queries.get_instance(ui.svc, actor=ui.user, instance_id=instance_id)
    inst = detail.instance
    definition = parsed(ui.svc, definitions.get_definition(ui.svc, name=inst.workflow,
                                                           version=inst.definition_version))
    states = {s.name: ui.fmt.title(s.title, s.name) for s in definition.states}
    triggers = {t.trigger: ui.fmt.title(t.title, t.trigger) for t in definition.transitions}
    goal_titles = {g.name: ui.fmt.title(g.title, g.name) for g in definition.sla}
    return render.html(
        ui, "instance.html", detail=detail, inst=inst, definition=definition, states=states, triggers=triggers,
        history=queries.history(ui.svc, instance_id=instance_id), actionable=actionable(ui, detail.tasks),
        diagram=diagram(definition, locale=ui.locale, current=inst.state), fired=fired, approval=approval,
        titles=workflow_titles(ui), goal_titles=goal_titles, variant=definition.variant(inst.variant),
        assignable=assign_choices(ui, detail.tasks),
        open_tasks=task_subjects.named(ui.svc, cards.by_ids(ui.svc, task_ids=[t.id for t in detail.tasks])),
    )


@router.post("/{instance_id}/fire")
def fire(ui: PostDep, instance_id: InstanceId, trigger: Annotated[str, Form(max_length=100)],
         comment: Annotated[str, Form(max_length=4000)] = "", data: Annotated[str, Form(max_length=20_000)] = "",
         revision: Annotated[int | None, Form(ge=1)] = None) -> Response:
    result = instances.fire_trigger(ui.svc, actor=ui.user, instance_id=instance_id, trigger=trigger,
                                    comment=comment.strip() or None, data=extra_data(data) or None,
                                    expected_revision=revision)
    if result.approval_task_id is not None:
        return render.redirect(ui, f"/instances/{instance_id}?approval={result.approval_task_id}")
    return render.redirect(ui, f"/instances/{instance_id}?" + urlencode({"fired": trigger}))
