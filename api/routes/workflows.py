from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import CurrentActor, ServicesDep
from api.schemas import ValidationReport
from workflows.domain.diagram import mermaid
from workflows.domain.errors import InvalidInput, NotFound, PermissionDenied, Problem
from workflows.services import definitions, queries
from workflows.services.views import DefinitionView

router = APIRouter(prefix="/workflows", tags=["workflows"])
WorkflowName = Annotated[str, Path(min_length=1, max_length=100)]
YAML_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/yaml": {"schema": {"type": "string"}},
                    "text/plain": {"schema": {"type": "string"}}},
    }
}


async def _yaml(request: Request) -> str:
    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the body is not UTF-8 text", [Problem("(body)", "expected UTF-8 YAML text")]) from exc


def _detail(svc: ServicesDep, view: DefinitionView) -> dict[str, Any]:
    parsed = definitions.validate_definition(svc, view.source).definition
    return {**view.model_dump(mode="json"), "definition": parsed.model_dump(mode="json") if parsed else None}


@router.get("", response_model=list[DefinitionView], summary="Published workflows, latest version of each")
def list_workflows(_: CurrentActor, svc: ServicesDep) -> list[DefinitionView]:
    return definitions.list_definitions(svc)


@router.post("/validate", response_model=ValidationReport, openapi_extra=YAML_BODY, summary="Check a definition")
async def validate(request: Request, actor: CurrentActor, svc: ServicesDep) -> ValidationReport:
    if not actor.is_admin:
        raise PermissionDenied("only an admin may validate workflow definitions")
    result = definitions.validate_definition(svc, await _yaml(request))
    errors = [{"path": p.path, "message": p.message, "line": p.line} for p in result.problems]
    return ValidationReport(valid=result.valid, errors=errors)


@router.post("", response_model=DefinitionView, status_code=201, openapi_extra=YAML_BODY,
             summary="Publish a new version (422 with every problem if invalid)")
async def publish(request: Request, actor: CurrentActor, svc: ServicesDep) -> DefinitionView:
    return definitions.publish_definition(svc, actor=actor, source=await _yaml(request))


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


@router.get("/{name}/diagram", response_class=Response, summary="State diagram (Mermaid text)",
            responses={200: {"content": {"text/plain": {}}}})
def diagram(
    name: WorkflowName, actor: CurrentActor, svc: ServicesDep,
    format: Literal["mermaid"] = "mermaid",
    instance: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    locale: Literal["zh", "en"] | None = None,
) -> Response:
    view = definitions.get_definition(svc, name=name)
    current = None
    if instance is not None:
        detail = queries.get_instance(svc, actor=actor, instance_id=instance)
        if detail.instance.workflow != name:
            raise NotFound(f"instance {instance} is not a {name!r} instance")
        view = definitions.get_definition(svc, name=name, version=detail.instance.definition_version)
        current = detail.instance.state
    parsed = definitions.validate_definition(svc, view.source).definition
    assert parsed is not None
    text = mermaid(parsed, current=current, locale=locale or actor.locale)
    return Response(text, media_type="text/plain; charset=utf-8")
