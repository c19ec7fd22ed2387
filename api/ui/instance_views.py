"""Instances: the list, one instance (diagram, history, tasks, timers, SLA), firing its triggers."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.definitions import diagram, extra_data, parsed
from api.ui.inbox_views import actionable, assign_choices, workflow_titles
from channels import task_subjects
from channels.queries import channel_names, subjects_named
from workflows.services import definitions, instances, queries
from workflows.services import inbox as cards

router = APIRouter(prefix="/instances")
InstanceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Filter = Annotated[str, Query(max_length=100)]
PER_PAGE = 50


@router.get("")
def list_instances(ui: UiDep, workflow: Filter = "", state: Filter = "", status: Filter = "",
                   q: Annotated[str, Query(max_length=queries.MAX_SEARCH)] = "",
                   page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    ui.user  # noqa: B018 (signed-in users only)
    found = queries.list_instances(ui.svc, workflow=workflow or None, state=state or None, status=status or None,
                                   limit=PER_PAGE, offset=(page - 1) * PER_PAGE, q=q or None,
                                   subjects=subjects_named(ui.svc, q))
    query = {"workflow": workflow, "state": state, "status": status, "q": q}
    titles = workflow_titles(ui)
    states = _state_choices(ui, [workflow] if workflow else list(titles))
    channels = channel_names(ui.svc, (int(i.subject_id) for i in found.items
                                      if i.subject_type == "channel" and (i.subject_id or "").isdigit()))
    subjects = {i.id: subject_of(ui, i.subject_type, i.subject_id, channels) for i in found.items}
    return render.html(ui, "instances.html", page=found, number=page, per_page=PER_PAGE, query=query,
                       more=urlencode({**query, "page": page + 1}), less=urlencode({**query, "page": page - 1}),
                       titles=titles, states=states, subjects=subjects)


def _state_choices(ui: Ui, workflows: list[str]) -> list[tuple[str, str]]:
    """(state, title) for the filter: the states of the chosen workflow, or of all of them (a state
    shared by several workflows under the same title is offered once; different titles are joined)."""
    titles: dict[str, list[str]] = {}
    for workflow in workflows:
        for name, title in ui.names.states(workflow):
            if title not in titles.setdefault(name, []):
                titles[name].append(title)
    return sorted(((name, " / ".join(t)) for name, t in titles.items()), key=lambda c: c[1])


def subject_of(ui: Ui, kind: str | None, ident: str | None,
               channels: dict[int, str] | None = None) -> tuple[str, str | None]:
    """(what to call an instance's subject, a link to it): 渠道 华东旗舰店 → /channels/4."""
    if not ident:
        return "", None
    if kind == "channel" and ident.isdigit():
        names = channels if channels is not None else channel_names(ui.svc, [int(ident)])
        name = names.get(int(ident))
        if name is not None:
            return ui.gettext("channel %(name)s", name=name), f"/channels/{ident}"
        return ui.gettext("channel #%(id)s", id=ident), None
    if kind == "region":
        return ui.gettext("region %(region)s", region=ui.names.region(ident)), None
    return f"{kind or ui.gettext('subject')} {ident}", None


@router.get("/{instance_id}")
def instance(ui: UiDep, instance_id: InstanceId, fired: Filter = "", approval: Filter = "") -> Response:
    detail = queries.get_instance(ui.svc, actor=ui.user, instance_id=instance_id)
    inst = detail.instance
    definition = parsed(ui.svc, definitions.get_definition(ui.svc, name=inst.workflow,
                                                           version=inst.definition_version))
    ui.names.use(definition)
    subject_name, subject_link = subject_of(ui, inst.subject_type, inst.subject_id)
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
        subject_name=subject_name, subject_link=subject_link,
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
