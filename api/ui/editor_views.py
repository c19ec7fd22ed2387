"""The workflow editor (admins): write YAML, see its problems at their lines, preview, diff, publish."""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.definitions import diagram
from api.ui.migration_views import offer
from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.permissions import Action
from workflows.services import definitions

router = APIRouter(prefix="/admin/workflows")
Source = Annotated[str, Form()]  # bounded by the body limit (api/limits.py) and the service (CHANNELOPS_MAX_YAML_BYTES)
NEW = """name: my_workflow
title: {zh: 新流程, en: New workflow}
start: [admin]
states:
  - {name: open, title: {zh: 进行中, en: Open}, initial: true}
  - {name: done, title: {zh: 已完成, en: Done}, final: true}
transitions:
  - {trigger: finish, source: open, dest: done, allowed: [admin], title: {zh: 完成, en: Finish}}
"""


@router.get("")
def admin_workflows(ui: UiDep) -> Response:
    ui.allowed(Action.PUBLISH_DEFINITION)
    found = definitions.list_definitions(ui.svc)
    versions = {d.name: definitions.list_versions(ui.svc, name=d.name) for d in found}
    behind = {d.name: sum(offer(ui, d.name).values()) for d in found}
    return render.html(ui, "admin_workflows.html", definitions=found, versions=versions, behind=behind)


@router.get("/editor")
def editor(ui: UiDep, name: Annotated[str, Query(max_length=100)] = "",
           version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> Response:
    ui.allowed(Action.PUBLISH_DEFINITION)
    source = definitions.get_definition(ui.svc, name=name, version=version).source if name else NEW
    return render.html(ui, "editor.html", source=source, editing=name, **_feedback(ui, source))


@router.post("/check")
def check(ui: PostDep, source: Source) -> Response:
    ui.allowed(Action.VALIDATE_DEFINITION)
    return render.html(ui, "_editor_feedback.html", **_feedback(ui, source))


@router.post("/publish")
def publish(ui: PostDep, source: Source) -> Response:
    try:
        view = definitions.publish_definition(ui.svc, actor=ui.allowed(Action.PUBLISH_DEFINITION), source=source)
    except InvalidInput:
        feedback = _feedback(ui, source)
        return render.html(ui, "editor.html", status=422, source=source, editing=feedback["name"] or "", **feedback)
    return render.redirect(ui, f"/workflows/{view.name}?published={view.version}")


def _feedback(ui: Ui, source: str) -> dict[str, Any]:
    """Problems (with lines), the diagram of what parses, and the diff against the published version."""
    result = definitions.validate_definition(ui.svc, source)
    name = result.name
    published = None
    if name:
        try:
            published = definitions.get_definition(ui.svc, name=name)
        except NotFound:
            published = None
    diff = list(difflib.unified_diff(published.source.splitlines(), source.splitlines(), lineterm="",
                                     fromfile=f"{name} v{published.version}", tofile=ui.gettext("editor"))
                ) if published else []
    preview = diagram(result.definition, locale=ui.locale) if result.definition else ""
    return {"problems": result.problems, "valid": result.valid, "preview": preview, "diff": diff,
            "published": published, "name": name, "error_lines": sorted({p.line for p in result.problems if p.line})}
