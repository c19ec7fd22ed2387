"""Published workflows for everyone: the list, a read-only version with its diagram, starting one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, UiDep
from api.ui.definitions import data_from_form, diagram, parsed
from api.ui.migration_views import offer
from api.ui.variants import variant_rows
from workflows.services import definitions, instances

router = APIRouter(prefix="/workflows")
Name = Annotated[str, Path(min_length=1, max_length=100)]
Version = Annotated[int | None, Query(ge=1, le=1_000_000)]


@router.get("")
def workflows(ui: UiDep) -> Response:
    ui.user  # noqa: B018 (signed-in users only)
    return render.html(ui, "workflows.html", definitions=definitions.list_definitions(ui.svc))


@router.get("/{name}")
def workflow(ui: UiDep, name: Name, version: Version = None) -> Response:
    ui.user  # noqa: B018
    view = definitions.get_definition(ui.svc, name=name, version=version)
    definition = parsed(ui.svc, view)
    return render.html(ui, "workflow.html", view=view, definition=definition,
                       versions=definitions.list_versions(ui.svc, name=name),
                       diagram=diagram(definition, locale=ui.locale),
                       published=ui.request.query_params.get("published"),
                       variants=variant_rows(definition, locale=ui.locale, gettext=ui.gettext),
                       behind=offer(ui, name) if view.version == definitions.get_definition(ui.svc, name=name).version
                       else {})


@router.get("/{name}/start")
def start_form(ui: UiDep, name: Name, subject_id: Annotated[str, Query(max_length=100)] = "") -> Response:
    """The start form; with `subject_id` (a channel's code or id) it shows the variant that would apply."""
    ui.user  # noqa: B018
    view = definitions.get_definition(ui.svc, name=name)
    definition = parsed(ui.svc, view)
    rows = variant_rows(definition, locale=ui.locale, gettext=ui.gettext)
    applies = None
    if rows and subject_id.strip():
        chosen = instances.preview_variant(ui.svc, workflow=name,
                                           subject={"type": definition.subject, "id": subject_id.strip()})
        applies = next((row for row in rows if row.name == chosen), None)
    return render.html(ui, "start.html", view=view, definition=definition, variants=rows, applies=applies,
                       subject_id=subject_id.strip())


@router.post("/{name}/start")
def start(ui: PostDep, name: Name, subject_type: Annotated[str, Form(max_length=100)] = "",
          subject_id: Annotated[str, Form(max_length=100)] = "") -> Response:
    definition = parsed(ui.svc, definitions.get_definition(ui.svc, name=name))
    subject = {"type": subject_type.strip() or definition.subject, "id": subject_id.strip()} if subject_id.strip() \
        else None
    started = instances.start_instance(ui.svc, actor=ui.user, workflow=name, subject=subject,
                                       data=data_from_form(definition, ui.form))
    return render.redirect(ui, f"/instances/{started.id}")
