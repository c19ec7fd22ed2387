from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Response

from api.deps import CurrentActor, ServicesDep
from api.responses import json_view
from api.schemas import BulkDecision, FollowUp, Page, TaskAssign, TaskComplete
from channels import task_subjects
from workflows.services import bulk_decisions, follow_ups, queries, tasks
from workflows.services import inbox as cards
from workflows.services.views import StepResult, TaskView

router = APIRouter(prefix="/tasks", tags=["tasks"])
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", response_model=Page[TaskView], summary="My inbox: tasks for me or my groups, with context")
def inbox(
    actor: CurrentActor, svc: ServicesDep,
    assigned: Literal["me", "group"] = "group",
    status: Literal["open", "completed", "cancelled", "all"] = "open",
    workflow: Annotated[str | None, Query(max_length=100)] = None,
    due: Annotated[cards.Due, Query(description="overdue; soon: overdue or less than a working day left")] = "all",
    requester: Annotated[str | None, Query(max_length=100, description="part of the requester's login or name")
                         ] = None,
    escalated: bool | None = None,
    channel_type: Literal["direct_store", "agent", "ecommerce", "social"] | None = None,
    region: Annotated[str | None, Query(max_length=50)] = None,
    sort: Annotated[cards.Sort, Query(description="due (default), created (newest first), workflow, requester, "
                                                  "subject (the channel's name), follow_up (by follow-up date, "
                                                  "then due date; undated last)")] = "due",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Page[TaskView]:
    subjects = task_subjects.channel_subjects(channel_type=channel_type, region=region)
    filters = cards.Filters(assigned=assigned, status=status, workflow=workflow, due=due, requester=requester,
                            escalated=escalated, subject_type="channel" if subjects is not None else None,
                            subjects=subjects, subject_order=task_subjects.subject_name_order())
    page = cards.cards(svc, actor=actor, filters=filters, sort=sort, limit=limit, offset=offset)
    return Page[TaskView](items=task_subjects.named(svc, page.items), total=page.total, limit=page.limit,
                          offset=page.offset)


@router.post("/bulk-decisions", response_model=bulk_decisions.BulkResult,
             summary="Decide several tasks with one decision and comment, each in its own transaction")
def bulk(body: BulkDecision, actor: CurrentActor, svc: ServicesDep) -> bulk_decisions.BulkResult:
    return bulk_decisions.decide_many(svc, actor=actor, task_ids=body.task_ids, decision=body.decision,
                                      comment=body.comment)


@router.get("/{task_id}", response_model=TaskView, summary="One task")
def get(task_id: TaskId, _: CurrentActor, svc: ServicesDep) -> TaskView:
    return queries.get_task(svc, task_id=task_id)


@router.post("/{task_id}/claim", response_model=TaskView, summary="Take a task from my group")
def claim(task_id: TaskId, actor: CurrentActor, svc: ServicesDep) -> TaskView:
    tasks.claim_task(svc, actor=actor, task_id=task_id)
    return queries.get_task(svc, task_id=task_id)


@router.post("/{task_id}/release", response_model=TaskView, summary="Give a claimed task back")
def release(task_id: TaskId, actor: CurrentActor, svc: ServicesDep) -> TaskView:
    tasks.release_task(svc, actor=actor, task_id=task_id)
    return queries.get_task(svc, task_id=task_id)


@router.post("/{task_id}/complete", response_model=StepResult, summary="Decide: approve, reject, request changes")
def complete(task_id: TaskId, body: TaskComplete, actor: CurrentActor, svc: ServicesDep,
             idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None
             ) -> Response:
    return json_view(tasks.complete_task(svc, actor=actor, task_id=task_id, decision=body.decision,
                                         comment=body.comment, idempotency_key=idempotency_key))


@router.post("/{task_id}/assign", response_model=TaskView,
             summary="Assign an open task to a named member of its group (admin, or a lead of the group)")
def assign(task_id: TaskId, body: TaskAssign, actor: CurrentActor, svc: ServicesDep) -> TaskView:
    tasks.assign_task(svc, actor=actor, task_id=task_id, login=body.login)
    return queries.get_task(svc, task_id=task_id)


@router.put("/{task_id}/follow-up", response_model=TaskView,
            summary="Set my follow-up date on a task I hold (a reminder goes out that morning)")
def set_follow_up(task_id: TaskId, body: FollowUp, actor: CurrentActor, svc: ServicesDep) -> TaskView:
    return follow_ups.set_follow_up(svc, actor=actor, task_id=task_id, day=body.date)


@router.delete("/{task_id}/follow-up", response_model=TaskView, summary="Clear my follow-up date on a task")
def clear_follow_up(task_id: TaskId, actor: CurrentActor, svc: ServicesDep) -> TaskView:
    return follow_ups.set_follow_up(svc, actor=actor, task_id=task_id, day=None)
