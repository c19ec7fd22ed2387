from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from api.deps import CurrentActor, ServicesDep
from api.responses import json_view
from api.schemas import EventCreate, InstanceCreate, Page
from channels.queries import subjects_named
from workflows.domain.errors import InvalidInput, Problem
from workflows.services import instances, queries
from workflows.services.views import AuditView, InstanceDetail, InstanceSummary, StepResult

router = APIRouter(prefix="/instances", tags=["instances"])
InstanceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def _revision(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput("bad If-Match header", [Problem("If-Match", "expected the ETag of the instance")])
    return int(text)


@router.post("", response_model=InstanceSummary, status_code=201, summary="Start an instance")
def start(body: InstanceCreate, actor: CurrentActor, svc: ServicesDep,
          idempotency_key: IdempotencyKey = None) -> Response:
    return json_view(instances.start_instance(svc, actor=actor, workflow=body.workflow,
                                              subject=body.subject.model_dump() if body.subject else None,
                                              data=body.data, idempotency_key=idempotency_key), status_code=201)


@router.get("", response_model=Page[InstanceSummary], summary="Instances, newest first, paginated")
def list_instances(
    _: CurrentActor, svc: ServicesDep,
    workflow: Annotated[str | None, Query(max_length=100)] = None,
    state: Annotated[str | None, Query(max_length=100)] = None,
    subject_id: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    q: Annotated[str | None, Query(max_length=queries.MAX_SEARCH,
                                   description="text in the instance's data or its subject's name or code")] = None,
) -> Page[InstanceSummary]:
    page = queries.list_instances(svc, workflow=workflow, state=state, subject_id=subject_id, status=status,
                                  limit=limit, offset=offset, q=q, subjects=subjects_named(svc, q or ""))
    return Page[InstanceSummary](items=page.items, total=page.total, limit=page.limit, offset=page.offset)


@router.get("/{instance_id}", response_model=InstanceDetail, summary="State, data, open tasks, timers, SLA")
def get(instance_id: InstanceId, actor: CurrentActor, svc: ServicesDep, response: Response) -> InstanceDetail:
    detail = queries.get_instance(svc, actor=actor, instance_id=instance_id)
    response.headers["ETag"] = f'"{detail.instance.revision}"'
    return detail


@router.get("/{instance_id}/history", response_model=list[AuditView], summary="The audit trail, oldest first")
def history(instance_id: InstanceId, _: CurrentActor, svc: ServicesDep) -> list[AuditView]:
    return queries.history(svc, instance_id=instance_id)


@router.post("/{instance_id}/events", response_model=StepResult, summary="Fire a trigger",
             responses={202: {"description": "the trigger needs an approval: a task was opened",
                              "model": StepResult}})
def fire(instance_id: InstanceId, body: EventCreate, actor: CurrentActor, svc: ServicesDep,
         idempotency_key: IdempotencyKey = None,
         if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None) -> Response:
    result = instances.fire_trigger(svc, actor=actor, instance_id=instance_id, trigger=body.trigger,
                                    comment=body.comment, data=body.data, expected_revision=_revision(if_match),
                                    idempotency_key=idempotency_key)
    return json_view(result, status_code=200 if result.approval_task_id is None else 202,
                     headers={"ETag": f'"{result.instance.revision}"'})
