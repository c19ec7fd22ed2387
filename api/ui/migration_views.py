"""Migrating running instances (admins): choose versions, edit the state map, see the dry run, confirm."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from api.ui import render
from api.ui.context import PostDep, Ui, UiDep
from api.ui.definitions import parsed
from workflows.domain.definition import WorkflowDefinition
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.group_titles import group_title
from workflows.domain.permissions import Action
from workflows.services import definitions, migration
from workflows.services.migration import MigrationReport
from workflows.services.views import DefinitionView

router = APIRouter(prefix="/admin/workflows")
Name = Annotated[str, Path(min_length=1, max_length=100)]
Version = Annotated[int | None, Query(ge=1, le=1_000_000)]
MAP_PREFIX = "map."


def _versions(ui: Ui, name: str, to_version: int | None, from_version: int | None
              ) -> tuple[list[DefinitionView], DefinitionView, list[DefinitionView]]:
    versions = definitions.list_versions(ui.svc, name=name)
    target = next((v for v in versions if v.version == to_version), versions[-1]) if to_version else versions[-1]
    sources = [v for v in versions if (v.version == from_version if from_version else v.version < target.version)
               and v.version != target.version]
    return versions, target, sources


def _page(ui: Ui, name: str, *, to_version: int | None, from_version: int | None, state_map: dict[str, str],
          report: MigrationReport | None = None, status: int = 200) -> Response:
    versions, target, sources = _versions(ui, name, to_version, from_version)
    target_def = parsed(ui.svc, target)
    source_defs = {v.version: parsed(ui.svc, v) for v in sources}
    states: dict[str, str] = {}
    for definition in source_defs.values():
        for state in definition.states:
            if not state.final:  # no running instance is in a final state
                states.setdefault(state.name, ui.fmt.title(state.title, state.name))
    behind = migration.instances_behind(ui.svc, workflow=name)
    return render.html(ui, "migration.html", status=status, name=name, versions=versions, target=target,
                       target_def=target_def, sources=sources, from_version=from_version,
                       source_states=states, state_map=state_map, report=report, behind=behind,
                       titles=_titles(ui, [target_def, *source_defs.values()]), group=_group)


def _titles(ui: Ui, defs: list[WorkflowDefinition]) -> dict[str, dict[str, str]]:
    """State and field titles in the page's language (the target version's first)."""
    states: dict[str, str] = {}
    fields: dict[str, str] = {}
    for definition in defs:
        for state in definition.states:
            states.setdefault(state.name, ui.fmt.title(state.title, state.name))
        for key, spec in definition.fields.items():
            fields.setdefault(key, ui.fmt.title(spec.title, key))
    return {"states": states, "fields": fields}


def _group(locale: str, name: str | None) -> str:
    if name is None:
        return ""
    zh, en = group_title(name)
    return zh if locale == "zh" else en


@router.get("/{name}/migrate")
def migration_page(ui: UiDep, name: Name, to: Version = None, from_: Annotated[int | None, Query(
        alias="from", ge=1, le=1_000_000)] = None) -> Response:
    ui.allowed(Action.MIGRATE_INSTANCES)
    return _page(ui, name, to_version=to, from_version=from_, state_map={})


def _int(ui: Ui, key: str, *, required: bool) -> int | None:
    raw = ui.form.get(key, "").strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or len(raw) > 7 or int(raw) < 1:
        raise InvalidInput("the form is not valid", [Problem(key, "must be a version number")])
    return int(raw)


@router.post("/{name}/migrate")
def migrate(ui: PostDep, name: Name) -> Response:
    actor = ui.allowed(Action.MIGRATE_INSTANCES)
    to_version = _int(ui, "to_version", required=True)
    assert to_version is not None
    from_version = _int(ui, "from_version", required=False)
    state_map = {key.removeprefix(MAP_PREFIX): value.strip() for key, value in ui.form.items()
                 if key.startswith(MAP_PREFIX) and value.strip()}
    dry_run = ui.form.get("action") != "migrate"
    report = migration.migrate_instances(ui.svc, actor=actor, workflow=name, to_version=to_version,
                                         from_version=from_version, state_map=state_map, dry_run=dry_run)
    return _page(ui, name, to_version=to_version, from_version=from_version, state_map=state_map, report=report)


def offer(ui: Ui, name: str) -> dict[int, Any]:
    """Running instances per older version, for an admin's "migrate" offer on the workflow pages."""
    if not ui.may(Action.MIGRATE_INSTANCES):
        return {}
    return migration.instances_behind(ui.svc, workflow=name)
