"""What services hand back: plain, JSON-ready values (also stored for idempotent replays)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class InstanceSummary(View):
    id: int
    workflow: str
    definition_version: int
    subject_type: str | None
    subject_id: str | None
    state: str
    status: str
    revision: int
    data: dict[str, Any]
    requester_id: int | None
    created_at: datetime
    updated_at: datetime
    state_entered_at: datetime
    closed_at: datetime | None
    variant: str | None = None  # the definition's variant it runs under, or None


class TaskView(View):
    id: int
    instance_id: int
    workflow: str
    name: str
    title_zh: str
    title_en: str
    candidate_group: str | None
    assignee_id: int | None
    status: str
    trigger: str | None
    due_at: datetime | None
    decision: str | None
    comment: str | None
    decisions: list[str]
    completed_by: int | None
    completed_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime
    overdue: bool
    # Absence and delegation: the absent user its assignee holds it for (or, decided, decided it for).
    on_behalf_of: int | None = None
    on_behalf_of_login: str | None = None
    follow_up_on: date | None = None  # the assignee's follow-up date (local), distinct from the due date
    # What an inbox card shows besides the task (GET /tasks, the inbox); None elsewhere.
    context: TaskContext | None = None


class CardValue(View):
    """One labelled value on an inbox card: a key field of the definition, or a fact about the subject."""

    name: str
    title_zh: str
    title_en: str
    value: Any
    value_zh: str
    value_en: str


class PeerDecision(View):
    """Another reviewer's task of the same review (an all-of or n-of policy): who, and what so far."""

    task_id: int
    group: str | None
    group_zh: str
    group_en: str
    status: str
    decision: str | None
    decided_by: str | None
    comment: str | None


class TaskContext(View):
    """A task's instance at a glance: subject, requester, key fields, the other reviewers, the SLA."""

    state: str
    state_zh: str
    state_en: str
    group_zh: str | None
    group_en: str | None
    subject_type: str | None
    subject_id: str | None
    subject_name: str | None = None
    subject_facts: list[CardValue] = []
    requester_id: int | None
    requester_name: str | None
    fields: list[CardValue]
    policy: str | None
    peers: list[PeerDecision]
    sla_due_at: datetime | None
    sla_breached: bool


class TimerView(View):
    id: int
    kind: str
    name: str
    trigger: str | None
    due_at: datetime
    status: str


class SlaView(View):
    goal: str
    status: str
    target_seconds: int
    used_seconds: int
    remaining_seconds: int
    due_at: datetime | None
    breached: bool
    working: bool


class InstanceDetail(View):
    instance: InstanceSummary
    tasks: list[TaskView]
    timers: list[TimerView]
    sla: list[SlaView]
    triggers: list[str]


class StepResult(View):
    """The outcome of a trigger or a task decision."""

    instance: InstanceSummary
    trigger: str | None
    from_state: str
    to_state: str
    moved: bool
    approval_task_id: int | None = None


class AuditView(View):
    id: int
    at: datetime
    actor_id: int | None
    actor_login: str
    action: str
    entity_type: str
    entity_id: str
    from_state: str | None
    to_state: str | None
    trigger: str | None
    comment: str | None
    data: dict[str, Any]


class AuditEntry(AuditView):
    """One row of the whole audit trail: an `AuditView` with the instance it belongs to, if any."""

    instance_id: int | None


class AuditPageView(View):
    """A page of the audit trail, newest first; pass `next_cursor` as `cursor` for the next one."""

    items: list[AuditEntry]
    next_cursor: int | None
    limit: int


class DefinitionView(View):
    id: int
    name: str
    version: int
    title_zh: str
    title_en: str
    checksum: str
    published_by: str
    published_at: datetime
    source: str
    # True when a publish found this exact text already the latest version, so none was added.
    unchanged: bool = False


class UserView(View):
    id: int
    login: str
    display_name: str
    email: str | None
    is_admin: bool
    roles: list[str]
    groups: list[str]
    locale: str
    active: bool
