from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import CurrentActor, ServicesDep
from api.schemas import ValidationReport
from workflows.domain import permissions
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.permissions import Action
from workflows.services import definitions, diagrams
from workflows.services.views import DefinitionView

router = APIRouter(prefix="/workflows", tags=["workflows"])
WorkflowName = Annotated[str, Path(min_length=1, max_length=100)]
EXAMPLE_DEFINITION = """\
name: price_exception
title: {zh: 特价申请, en: Price exception}
subject: channel
start: [role:channel_manager]
states:
  - name: submitted
    title: {zh: 已提交, en: Submitted}
    initial: true
    tasks:
      - name: finance_review
        title: {zh: 财务审核, en: Finance review}
        groups: [finance]
        policy: any
        due: 2 working days
        decisions: [approve, reject]
        outcomes: {approve: approve, reject: reject}
  - name: approved
    title: {zh: 已批准, en: Approved}
    final: true
  - name: rejected
    title: {zh: 已驳回, en: Rejected}
    final: true
transitions:
  - {trigger: approve, source: submitted, dest: approved, allowed: [system]}
  - {trigger: reject, source: submitted, dest: rejected, allowed: [system]}
"""
YAML_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the definition's YAML text (docs/workflow-format.md)",
        "content": {"application/yaml": {"schema": {"type": "string"}, "example": EXAMPLE_DEFINITION},
                    "text/plain": {"schema": {"type": "string"}, "example": EXAMPLE_DEFINITION}},
    }
}


async def _yaml(request: Request) -> str:
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the body is not UTF-8 text", [Problem("(body)", "expected UTF-8 YAML text")]) from exc


def _detail(svc: ServicesDep, view: DefinitionView) -> dict[str, Any]:
    parsed = definitions.published_definition(svc, view)
    return {**view.model_dump(mode="json"), "definition": parsed.model_dump(mode="json") if parsed else None}


@router.get("", response_model=list[DefinitionView], summary="Published workflows, latest version of each")
def list_workflows(_: CurrentActor, svc: ServicesDep) -> list[DefinitionView]:
    return definitions.list_definitions(svc)


@router.post("/validate", response_model=ValidationReport, openapi_extra=YAML_BODY, summary="Check a definition")
async def validate(request: Request, actor: CurrentActor, svc: ServicesDep) -> ValidationReport:
    permissions.require(actor, Action.VALIDATE_DEFINITION)
    source = await _yaml(request)
    result = await anyio.to_thread.run_sync(definitions.validate_definition, svc, source)
    if result.refused:  # not a definition with problems: a text that is not read at all
        raise InvalidInput("the definition's text is refused", result.problems)
    errors = [{"path": p.path, "message": p.message, "line": p.line} for p in result.problems]
    return ValidationReport(valid=result.valid, errors=errors)


@router.post("", response_model=DefinitionView, status_code=201, openapi_extra=YAML_BODY,
             responses={200: {"model": DefinitionView, "description": "the latest version already has this text"}},
             summary="Publish a new version (422 with every problem if invalid; 200 if the text is already the latest)")
async def publish(request: Request, response: Response, actor: CurrentActor, svc: ServicesDep) -> DefinitionView:
    source = await _yaml(request)
    view = await anyio.to_thread.run_sync(partial(definitions.publish_definition, svc, actor=actor, source=source))
    if view.unchanged:
        response.status_code = 200  # the latest version already has this text: nothing was created
    return view


@router.get("/{name}", summary="One workflow: states, transitions, tasks, timers, SLA goals, source")
def get_workflow(name: WorkflowName, _: CurrentActor, svc: ServicesDep) -> dict[str, Any]:
    return _detail(svc, definitions.get_definition(svc, name=name))


@router.get("/{name}/versions", response_model=list[DefinitionView], summary="Every published version")
def versions(name: WorkflowName, _: CurrentActor, svc: ServicesDep) -> list[DefinitionView]:
    return definitions.list_versions(svc, name=name)


@router.get("/{name}/versions/{version}", summary="One version of a workflow")
def get_version(name: WorkflowName, version: Annotated[int, Path(ge=1, le=1_000_000)], _: CurrentActor,
                svc: ServicesDep) -> dict[str, Any]:
    return _detail(svc, definitions.get_definition(svc, name=name, version=version))


@router.get("/{name}/diagram", response_class=Response, summary="State diagram (Mermaid text or SVG)",
            responses={200: {"content": {"text/plain": {}, "image/svg+xml": {}}},
                       503: {"description": "SVG asked for, but Graphviz is not installed"}})
def diagram(
    name: WorkflowName, actor: CurrentActor, svc: ServicesDep,
    format: Literal["mermaid", "svg"] = "mermaid",
    instance: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    locale: Literal["zh", "en"] | None = None,
) -> Response:
    drawn = diagrams.draw(svc, actor=actor, name=name, fmt=format, instance_id=instance,
                          locale=locale or actor.locale)
    return Response(drawn.text, media_type=drawn.media_type)
