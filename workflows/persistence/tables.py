"""The tables. The schema changes only through Alembic migrations (see `migrations/`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from workflows.persistence.types import UTCDateTime

MOVES = "action IN ('started', 'transition')"  # the audit rows that change an instance's state


def _json() -> Any:
    return Field(default_factory=dict, sa_type=JSON)


def _when(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=100, unique=True)
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    password_hash: str | None = Field(default=None, max_length=400)
    is_admin: bool = False
    roles: list[str] = Field(default_factory=list, sa_type=JSON)
    groups: list[str] = Field(default_factory=list, sa_type=JSON)
    locale: str = Field(default="zh", max_length=10)
    active: bool = True
    created_at: datetime = _when()
    # Carried in session cookies and access tokens; raising it ends every session of the user.
    session_epoch: int = 0


class LoginThrottle(SQLModel, table=True):
    """Failed logins per login name (`kind` "login") or client address (`kind` "address") in the
    current window, and the lockout they caused. Rows are deleted once their window and lockout are over."""

    __tablename__ = "login_throttles"
    kind: str = Field(max_length=10, primary_key=True)
    subject: str = Field(max_length=200, primary_key=True)
    failures: int = 0
    window_started_at: datetime = _when()
    locked_until: datetime | None = _when(nullable=True)


class WorkflowDefinitionRow(SQLModel, table=True):
    __tablename__ = "workflow_definitions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_definition_version"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    version: int
    title_zh: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    source: str = Field(sa_type=Text)
    checksum: str = Field(max_length=64)
    published_by: str = Field(max_length=100)
    published_at: datetime = _when()


class InstanceRow(SQLModel, table=True):
    __tablename__ = "workflow_instances"
    __table_args__ = (
        Index("ix_instances_workflow_state", "workflow", "state"),
        Index("ix_instances_subject", "subject_type", "subject_id"),
        Index("ix_instances_workflow_created", "workflow", "created_at"),  # reports: a workflow's cohort
        Index("ix_instances_workflow_closed", "workflow", "closed_at"),  # reports: weekly throughput
    )
    id: int | None = Field(default=None, primary_key=True)
    definition_id: int = Field(foreign_key="workflow_definitions.id")
    workflow: str = Field(max_length=100)
    definition_version: int
    subject_type: str | None = Field(default=None, max_length=50)
    subject_id: str | None = Field(default=None, max_length=100)
    state: str = Field(max_length=100)
    status: str = Field(default="active", max_length=20)
    data: dict[str, Any] = _json()
    requester_id: int | None = Field(default=None, foreign_key="users.id")
    revision: int = 1
    created_at: datetime = _when()
    updated_at: datetime = _when()
    state_entered_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    # the definition's variant the instance runs under, chosen at start (migration 0008)
    variant: str | None = Field(default=None, max_length=100)


class TaskRow(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_status_group", "status", "candidate_group"),
        Index("ix_tasks_assignee_status", "assignee_id", "status"),
        Index("ix_tasks_instance_status", "instance_id", "status"),
        Index("ix_tasks_created_group", "created_at", "original_group"),  # reports: a month of tasks
    )
    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="workflow_instances.id")
    name: str = Field(max_length=100)
    entry: int = Field(description="the instance revision at which the task's state was entered")
    candidate_group: str | None = Field(default=None, max_length=100)
    original_group: str | None = Field(default=None, max_length=100)
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    status: str = Field(default="open", max_length=20)
    trigger: str | None = Field(default=None, max_length=100)
    due_at: datetime | None = _when(nullable=True)
    decision: str | None = Field(default=None, max_length=20)
    comment: str | None = Field(default=None, sa_type=Text)
    payload: dict[str, Any] = _json()
    completed_by: int | None = Field(default=None, foreign_key="users.id")
    completed_at: datetime | None = _when(nullable=True)
    claimed_at: datetime | None = _when(nullable=True)
    escalated_at: datetime | None = _when(nullable=True)
    created_at: datetime = _when()
    # The absent user the assignee holds the task for (routed or handed over to their substitute), and,
    # once decided, the person the decider decided for (docs/admin.md, "Absence and delegation").
    on_behalf_of: int | None = Field(default=None)
    follow_up_on: date | None = None  # the assignee's follow-up date (local), reminded that morning


class TimerRow(SQLModel, table=True):
    __tablename__ = "timers"
    __table_args__ = (
        Index("ix_timers_status_due", "status", "due_at"),
        Index("ix_timers_instance_status", "instance_id", "status"),
        Index("ix_timers_task_status", "task_id", "status"),  # a task's reminders, cancelled when it closes
    )
    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="workflow_instances.id")
    task_id: int | None = Field(default=None, foreign_key="tasks.id")
    kind: str = Field(max_length=30)
    name: str = Field(max_length=100)
    state: str = Field(max_length=100)
    entry: int
    due_at: datetime = _when()
    trigger: str | None = Field(default=None, max_length=100)
    status: str = Field(default="scheduled", max_length=20)
    payload: dict[str, Any] = _json()
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _when()
    fired_at: datetime | None = _when(nullable=True)


class SlaClockRow(SQLModel, table=True):
    __tablename__ = "sla_clocks"
    __table_args__ = (UniqueConstraint("instance_id", "goal", name="uq_sla_instance_goal"),)
    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="workflow_instances.id")
    workflow: str = Field(max_length=100)
    goal: str = Field(max_length=100)
    working: bool = True
    target_seconds: int
    used_seconds: int = 0
    status: str = Field(default="running", max_length=20)
    started_at: datetime = _when()
    running_since: datetime | None = _when(nullable=True)
    due_at: datetime | None = _when(nullable=True)
    stopped_at: datetime | None = _when(nullable=True, index=True)
    breached_at: datetime | None = _when(nullable=True, index=True)  # SLA breaches since the last meeting


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    instance_id: int | None = Field(default=None, foreign_key="workflow_instances.id")
    recipient: str = Field(max_length=200)
    template: str = Field(max_length=100)
    payload: dict[str, Any] = _json()
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = _when()
    created_at: datetime = _when()
    sent_at: datetime | None = _when(nullable=True)
    last_error: str | None = Field(default=None, sa_type=Text)


class AuditEvent(SQLModel, table=True):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_instance", "instance_id", "id"),
        Index("ix_audit_entity", "entity_type", "entity_id"),
        # the process report reads the state changes of a cohort of instances since a moment
        Index("ix_audit_moves", "at", "instance_id", postgresql_where=text(MOVES), sqlite_where=text(MOVES)),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    actor_id: int | None = None
    actor_login: str = Field(max_length=100)
    entity_type: str = Field(max_length=30)
    entity_id: str = Field(max_length=100)
    instance_id: int | None = None
    action: str = Field(max_length=50)
    from_state: str | None = Field(default=None, max_length=100)
    to_state: str | None = Field(default=None, max_length=100)
    trigger: str | None = Field(default=None, max_length=100)
    comment: str | None = Field(default=None, sa_type=Text)
    data: dict[str, Any] = _json()


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("actor", "key", name="uq_idempotency_actor_key"),)
    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=100)
    key: str = Field(max_length=200)
    scope: str = Field(max_length=200)
    response: dict[str, Any] = _json()
    created_at: datetime = _when()


class ApiToken(SQLModel, table=True):
    """A long-lived token for another system; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_by: str = Field(max_length=100)
    created_at: datetime = _when()
    expires_at: datetime | None = _when(nullable=True)
    last_used_at: datetime | None = _when(nullable=True)
    revoked_at: datetime | None = _when(nullable=True)


class NotificationTarget(SQLModel, table=True):
    """Where a user's or a group's notifications go: an apprise URL (mailto, dingtalk, feishu, wecombot, json)."""

    __tablename__ = "notification_targets"
    __table_args__ = (Index("ix_targets_owner", "owner_type", "owner"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_type: str = Field(max_length=10)
    owner: str = Field(max_length=100)
    kind: str = Field(max_length=20)
    url: str = Field(sa_type=Text)
    locale: str | None = Field(default=None, max_length=10)
    active: bool = True
    created_at: datetime = _when()


class DeliveryAttempt(SQLModel, table=True):
    """One try to deliver one outbox row to one target, with its outcome."""

    __tablename__ = "delivery_attempts"
    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="outbox.id", index=True)
    target_id: int | None = Field(default=None, foreign_key="notification_targets.id")
    at: datetime = _when()
    ok: bool
    error: str | None = Field(default=None, sa_type=Text)
    duration_ms: int = 0


class CalendarEntry(SQLModel, table=True):
    """A company-specific day off (`holiday`) or working day (`workday`), entered by an admin."""

    __tablename__ = "calendar_entries"
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    kind: str = Field(max_length=10)
    note: str = Field(default="", max_length=200)
    created_by: str = Field(max_length=100)
    created_at: datetime = _when()


class Delegation(SQLModel, table=True):
    """An absence: from `starts_on` to `ends_on` (both included, company dates) `user_id`'s new tasks go
    to `substitute_id`, for every workflow or only those listed in `workflows`."""

    __tablename__ = "delegations"
    __table_args__ = (Index("ix_delegations_user_ends", "user_id", "ends_on"),
                      Index("ix_delegations_substitute_ends", "substitute_id", "ends_on"))
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    substitute_id: int = Field(foreign_key="users.id")
    starts_on: date
    ends_on: date
    workflows: list[str] = Field(default_factory=list, sa_type=JSON)
    note: str = Field(default="", max_length=200)
    created_by: str = Field(max_length=100)
    created_at: datetime = _when()
    ended_at: datetime | None = _when(nullable=True)
    ended_by: str | None = Field(default=None, max_length=100)



class MigrationRun(SQLModel, table=True):
    """One real run of `workflow migrate`: which versions, with which state map; `status` running or done.

    A run killed half-way stays `running`; the same migration asked again resumes it."""

    __tablename__ = "migration_runs"
    __table_args__ = (Index("ix_migration_runs_workflow_status", "workflow", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    workflow: str = Field(max_length=100)
    from_version: int | None = None
    to_version: int
    state_map: dict[str, Any] = _json()
    instance_ids: list[int] | None = Field(default=None, sa_type=JSON)
    status: str = Field(default="running", max_length=20)
    started_by: str = Field(max_length=100)
    started_at: datetime = _when()
    finished_at: datetime | None = _when(nullable=True)
    migrated: int = 0
    blocked: int = 0


class MigrationItem(SQLModel, table=True):
    """What a run did to one instance: `migrated` (in the instance's own transaction) or `blocked` (why)."""

    __tablename__ = "migration_items"
    __table_args__ = (UniqueConstraint("run_id", "instance_id", name="uq_migration_item"),
                      Index("ix_migration_items_instance", "instance_id"))
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="migration_runs.id")
    instance_id: int = Field(foreign_key="workflow_instances.id")
    from_version: int
    to_version: int
    status: str = Field(max_length=20)
    detail: dict[str, Any] = _json()
    at: datetime = _when()

class NotificationPreference(SQLModel, table=True):
    """A user's choice of channels: `muted` stops every message to their own targets; `channels` maps a
    kind of message (`task_assigned`, `reminder`, ...) to the target kinds that receive it (absent: all)."""

    __tablename__ = "notification_preferences"
    user_id: int = Field(foreign_key="users.id", primary_key=True)
    muted: bool = False
    channels: dict[str, Any] = _json()
    updated_at: datetime = _when()
class ActionLink(SQLModel, table=True):
    """A signed decision link in a task's notification, issued to one user: used once, until it expires.

    The link itself carries only this row's id and the action, signed with the app secret; the row
    makes it single-use (`used_at`) and revocable (`revoked_at`). One row per notification and user.
    """

    __tablename__ = "action_links"
    __table_args__ = (UniqueConstraint("outbox_id", "user_id", name="uq_action_link_outbox_user"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="tasks.id", index=True)
    user_id: int = Field(foreign_key="users.id")
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    created_at: datetime = _when()
    expires_at: datetime = _when()
    used_at: datetime | None = _when(nullable=True)
    used_action: str | None = Field(default=None, max_length=40)
    revoked_at: datetime | None = _when(nullable=True)
    revoked_reason: str | None = Field(default=None, max_length=40)


metadata = SQLModel.metadata
users = User.__table__  # type: ignore[attr-defined]
definitions = WorkflowDefinitionRow.__table__  # type: ignore[attr-defined]
instances = InstanceRow.__table__  # type: ignore[attr-defined]
tasks = TaskRow.__table__  # type: ignore[attr-defined]
timers = TimerRow.__table__  # type: ignore[attr-defined]
sla_clocks = SlaClockRow.__table__  # type: ignore[attr-defined]
outbox = OutboxRow.__table__  # type: ignore[attr-defined]
audit_events = AuditEvent.__table__  # type: ignore[attr-defined]
idempotency_keys = IdempotencyKey.__table__  # type: ignore[attr-defined]
api_tokens = ApiToken.__table__  # type: ignore[attr-defined]
notification_targets = NotificationTarget.__table__  # type: ignore[attr-defined]
delivery_attempts = DeliveryAttempt.__table__  # type: ignore[attr-defined]
calendar_entries = CalendarEntry.__table__  # type: ignore[attr-defined]
login_throttles = LoginThrottle.__table__  # type: ignore[attr-defined]
delegations = Delegation.__table__  # type: ignore[attr-defined]
migration_runs = MigrationRun.__table__  # type: ignore[attr-defined]
migration_items = MigrationItem.__table__  # type: ignore[attr-defined]
notification_preferences = NotificationPreference.__table__  # type: ignore[attr-defined]


class Group(SQLModel, table=True):
    """A group of people that tasks, notifications and meetings address (`group:<code>`), defined by
    admins; a `region:<code>` group is a region's leads. A code never changes (rows name it); a group
    is never deleted, only deactivated (no new members, not offered in forms)."""

    __tablename__ = "groups"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60, unique=True)
    title_zh: str = Field(max_length=100)
    title_en: str = Field(max_length=100)
    description: str = Field(default="", max_length=500)
    active: bool = True
    created_at: datetime = _when()
    updated_at: datetime = _when()


groups = Group.__table__  # type: ignore[attr-defined]
action_links = ActionLink.__table__  # type: ignore[attr-defined]
