"""Decide several tasks at once: one decision and one comment, each task in its own transaction.

A task that cannot be decided (already decided, not the caller's, a decision it does not offer)
does not stop the others: every task gets its own result, in the order asked.
"""

from __future__ import annotations

from typing import Literal

from workflows.domain.errors import (
    ChannelOpsError,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Problem,
    TaskClosed,
)
from workflows.domain.principals import Actor
from workflows.services.context import Services
from workflows.services.tasks import complete_task
from workflows.services.views import View

MAX_BULK = 100
Outcome = Literal["ok", "closed", "not_allowed", "not_found", "invalid", "conflict", "failed"]


class BulkItem(View):
    """What became of one task: `outcome` ok, or why not (`reason`, the service's message)."""

    task_id: int
    outcome: Outcome
    reason: str | None = None
    instance_id: int | None = None
    moved: bool = False
    from_state: str | None = None
    to_state: str | None = None


class BulkResult(View):
    decided: int
    failed: int
    items: list[BulkItem]


def _outcome(exc: ChannelOpsError) -> Outcome:
    if isinstance(exc, TaskClosed):
        return "closed"
    if isinstance(exc, PermissionDenied):
        return "not_allowed"
    if isinstance(exc, NotFound):
        return "not_found"
    if isinstance(exc, InvalidInput):
        return "invalid"
    if isinstance(exc, Conflict):
        return "conflict"
    return "failed"


def _reason(exc: ChannelOpsError) -> str:
    problems = getattr(exc, "problems", None) or []
    return "; ".join([str(exc), *(f"{p.path}: {p.message}" for p in problems)])[:500]


def decide_many(svc: Services, *, actor: Actor, task_ids: list[int], decision: str,
                comment: str | None = None) -> BulkResult:
    """Decide each of `task_ids` (at most `MAX_BULK`; one named twice counts once) with `decision`
    and `comment`.

    Raises:
        InvalidInput: no task, or more than `MAX_BULK`.
    """
    if not task_ids or len(task_ids) > MAX_BULK:
        raise InvalidInput("bad task list", [Problem("task_ids", f"name between 1 and {MAX_BULK} tasks")])
    items = []
    for task_id in dict.fromkeys(task_ids):  # a task named twice is decided (and reported) once
        try:
            step = complete_task(svc, actor=actor, task_id=task_id, decision=decision, comment=comment)
        except ChannelOpsError as exc:
            items.append(BulkItem(task_id=task_id, outcome=_outcome(exc), reason=_reason(exc)))
            continue
        items.append(BulkItem(task_id=task_id, outcome="ok", instance_id=step.instance.id, moved=step.moved,
                              from_state=step.from_state, to_state=step.to_state))
    decided = sum(1 for item in items if item.outcome == "ok")
    return BulkResult(decided=decided, failed=len(items) - decided, items=items)
