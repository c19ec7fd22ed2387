"""The engine's stored rows as typed values: instances, tasks, timers and SLA clocks.

Each is built once from a database row (`from_row`, which takes any mapping of column names)
and then only read; a change is a new value (`dataclasses.replace`) next to the UPDATE that
stores it. JSON columns stay JSON objects (`JsonObject`); the JSON that has a shape of its own
(an approval task's payload, a task timer's payload) is parsed into a value here, and a stored
payload of the wrong shape is a `BadRow` naming the row, not a KeyError later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

JsonObject = dict[str, Any]


class Row(Protocol):
    """A stored row read by column name (a SQLAlchemy `RowMapping`, a dict)."""

    def __getitem__(self, key: str, /) -> Any: ...


def _optional(row: Row, key: str) -> Any:
    """A column that rows read before it existed (or a partial row) may lack: None then."""
    try:
        return row[key]
    except KeyError:
        return None


class BadRow(ValueError):
    """A stored row whose JSON does not have the shape the engine wrote (a bug or a hand edit)."""


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One SLA goal's clock of one instance (`working`: measured in working time)."""

    id: int
    instance_id: int
    workflow: str
    goal: str
    working: bool
    target_seconds: int
    used_seconds: int
    status: str  # running, paused, met, breached
    started_at: datetime
    running_since: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> SlaClock:
        return cls(id=row["id"], instance_id=row["instance_id"], workflow=row["workflow"], goal=row["goal"],
                   working=row["working"], target_seconds=row["target_seconds"], used_seconds=row["used_seconds"],
                   status=row["status"], started_at=row["started_at"], running_since=row["running_since"],
                   due_at=row["due_at"], stopped_at=row["stopped_at"], breached_at=row["breached_at"])


@dataclass(frozen=True, slots=True)
class Instance:
    """A workflow instance. `clocks` are its SLA clocks when they were read with it in the current
    transaction (by `steps.lock_instance`), or None: then whoever needs them reads them."""

    id: int
    definition_id: int
    workflow: str
    definition_version: int
    subject_type: str | None
    subject_id: str | None
    state: str
    status: str  # active, completed
    data: JsonObject
    requester_id: int | None
    revision: int
    created_at: datetime
    updated_at: datetime
    state_entered_at: datetime
    closed_at: datetime | None
    variant: str | None = None  # the definition's variant it runs under (chosen at start), or None
    clocks: tuple[SlaClock, ...] | None = None

    def moved(self, *, state: str, data: JsonObject, now: datetime, final: bool) -> Instance:
        """The instance after a transition into `state` at `now` (a final state completes it).

        Without `clocks`: the step may have moved them. (Spelled out rather than
        `dataclasses.replace`, which costs several times as much on this hot path.)
        """
        return Instance(self.id, self.definition_id, self.workflow, self.definition_version, self.subject_type,
                        self.subject_id, state, "completed" if final else "active", data, self.requester_id,
                        self.revision + 1, self.created_at, now, now, now if final else None, self.variant, None)

    @classmethod
    def from_row(cls, row: Row, *, clocks: tuple[SlaClock, ...] | None = None) -> Instance:
        return cls(id=row["id"], definition_id=row["definition_id"], workflow=row["workflow"],
                   definition_version=row["definition_version"], subject_type=row["subject_type"],
                   subject_id=row["subject_id"], state=row["state"], status=row["status"], data=row["data"],
                   requester_id=row["requester_id"], revision=row["revision"], created_at=row["created_at"],
                   updated_at=row["updated_at"], state_entered_at=row["state_entered_at"],
                   closed_at=row["closed_at"], variant=row["variant"], clocks=clocks)


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """What an approval task remembers of the request it decides: who asked, why, with what data."""

    requested_by: int | None
    requested_by_login: str
    comment: str | None
    data: JsonObject

    def payload(self) -> JsonObject:
        """The task's stored payload."""
        return {"requested_by": self.requested_by, "requested_by_login": self.requested_by_login,
                "comment": self.comment, "data": dict(self.data)}

    @classmethod
    def from_payload(cls, payload: object, *, task_id: int) -> ApprovalRequest:
        """Parse a stored payload; raises BadRow naming the task and the field when it is malformed."""
        if not isinstance(payload, Mapping):
            raise BadRow(f"task {task_id}: approval payload is {payload!r}, not an object")
        requested_by = payload.get("requested_by")
        login = payload.get("requested_by_login")
        comment = payload.get("comment")
        data = payload.get("data", {})
        for name, value, ok in (("requested_by", requested_by, requested_by is None or _is_int(requested_by)),
                                ("requested_by_login", login, isinstance(login, str)),
                                ("comment", comment, comment is None or isinstance(comment, str)),
                                ("data", data, isinstance(data, dict))):
            if not ok:
                raise BadRow(f"task {task_id}: approval payload field {name!r} is {value!r}")
        assert isinstance(login, str)  # checked above
        return cls(requested_by=requested_by, requested_by_login=login, comment=comment, data=data)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Task:
    """A task of an instance: a state's task, or (with `approval` set) the approval of a trigger."""

    id: int
    instance_id: int
    name: str
    entry: int  # the instance revision at which the task was opened
    candidate_group: str | None
    original_group: str | None
    assignee_id: int | None
    status: str  # open, completed, cancelled
    trigger: str | None  # set for approval tasks only: the trigger an approval fires
    due_at: datetime | None
    decision: str | None
    comment: str | None
    completed_by: int | None
    completed_at: datetime | None
    claimed_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime
    approval: ApprovalRequest | None
    on_behalf_of: int | None = None  # the absent user its substitute holds (or decided) it for

    @property
    def is_approval(self) -> bool:
        return self.approval is not None

    @classmethod
    def from_row(cls, row: Row) -> Task:
        trigger = row["trigger"]
        approval = None if trigger is None else ApprovalRequest.from_payload(row["payload"], task_id=row["id"])
        return cls(id=row["id"], instance_id=row["instance_id"], name=row["name"], entry=row["entry"],
                   candidate_group=row["candidate_group"], original_group=row["original_group"],
                   assignee_id=row["assignee_id"], status=row["status"], trigger=trigger, due_at=row["due_at"],
                   decision=row["decision"], comment=row["comment"], completed_by=row["completed_by"],
                   completed_at=row["completed_at"], claimed_at=row["claimed_at"],
                   escalated_at=row["escalated_at"], created_at=row["created_at"], approval=approval,
                   on_behalf_of=_optional(row, "on_behalf_of"))


TASK_TIMER_KINDS = ("task_due", "task_reminder", "task_follow_up")
SLA_TIMER_KINDS = ("sla_warn", "sla_breach")


@dataclass(frozen=True, slots=True)
class Timer:
    """A scheduled moment: a state's timer (`state`), a task's due time, reminder or follow-up date
    (`task_due`, `task_reminder`, `task_follow_up`), or an SLA goal's warning or breach (`sla_warn`, `sla_breach`)."""

    id: int
    instance_id: int
    task_id: int | None
    kind: str
    name: str  # the state timer's, task's or SLA goal's name
    state: str
    entry: int
    due_at: datetime
    trigger: str | None
    status: str  # scheduled, fired, cancelled, failed
    attempts: int
    escalate_to: str | None  # task_due only: the group an overdue task moves to

    @classmethod
    def from_row(cls, row: Row) -> Timer:
        payload = row["payload"]
        if not isinstance(payload, dict):
            raise BadRow(f"timer {row['id']}: payload is {payload!r}, not an object")
        escalate_to = payload.get("escalate_to")
        if escalate_to is not None and not isinstance(escalate_to, str):
            raise BadRow(f"timer {row['id']}: payload field 'escalate_to' is {escalate_to!r}")
        return cls(id=row["id"], instance_id=row["instance_id"], task_id=row["task_id"], kind=row["kind"],
                   name=row["name"], state=row["state"], entry=row["entry"], due_at=row["due_at"],
                   trigger=row["trigger"], status=row["status"], attempts=row["attempts"], escalate_to=escalate_to)
