"""The engine's rows as typed values: built once from a row, frozen, JSON payloads parsed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from workflows.domain.rows import ApprovalRequest, BadRow, Instance, SlaClock, Task, Timer

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def instance_row(**changes: Any) -> dict[str, Any]:
    return {"id": 7, "definition_id": 3, "workflow": "complaint", "definition_version": 2, "subject_type": "channel",
            "subject_id": "12", "state": "received", "status": "active", "data": {"severity": "high"},
            "requester_id": 5, "revision": 4, "created_at": AT, "updated_at": AT, "state_entered_at": AT,
            "closed_at": None, "variant": None, **changes}


def task_row(**changes: Any) -> dict[str, Any]:
    return {"id": 21, "instance_id": 7, "name": "review", "entry": 4, "candidate_group": "market",
            "original_group": "market", "assignee_id": None, "status": "open", "trigger": None, "due_at": AT,
            "decision": None, "comment": None, "payload": {}, "completed_by": None, "completed_at": None,
            "claimed_at": None, "escalated_at": None, "created_at": AT, **changes}


def timer_row(**changes: Any) -> dict[str, Any]:
    return {"id": 31, "instance_id": 7, "task_id": 21, "kind": "task_due", "name": "review", "state": "received",
            "entry": 4, "due_at": AT, "trigger": None, "status": "scheduled", "payload": {"escalate_to": "sales"},
            "attempts": 0, "last_error": None, "created_at": AT, "fired_at": None, **changes}


def clock_row(**changes: Any) -> dict[str, Any]:
    return {"id": 41, "instance_id": 7, "workflow": "complaint", "goal": "resolution", "working": True,
            "target_seconds": 28800, "used_seconds": 600, "status": "running", "started_at": AT,
            "running_since": AT, "due_at": AT, "stopped_at": None, "breached_at": None, **changes}


APPROVAL = {"requested_by": 5, "requested_by_login": "li", "comment": "please", "data": {"owner": "wang"}}


def test_an_instance_is_built_from_its_row_with_every_column() -> None:
    inst = Instance.from_row(instance_row())

    assert (inst.id, inst.workflow, inst.state, inst.revision, inst.data) == (7, "complaint", "received", 4,
                                                                              {"severity": "high"})
    assert inst.clocks is None  # not read with it


def test_an_instance_carries_the_clocks_read_with_it() -> None:
    clock = SlaClock.from_row(clock_row())

    inst = Instance.from_row(instance_row(), clocks=(clock,))

    assert inst.clocks == (clock,)
    assert (clock.goal, clock.target_seconds, clock.used_seconds, clock.working) == ("resolution", 28800, 600, True)


def test_an_instance_is_frozen_and_changes_by_replacement() -> None:
    inst = Instance.from_row(instance_row())

    with pytest.raises(dataclasses.FrozenInstanceError):
        inst.state = "closed"  # type: ignore[misc]
    moved = dataclasses.replace(inst, state="closed", revision=5)

    assert (inst.state, inst.revision, moved.state, moved.revision) == ("received", 4, "closed", 5)


def test_a_move_into_a_final_state_completes_the_instance_and_forgets_its_clocks() -> None:
    inst = Instance.from_row(instance_row(), clocks=(SlaClock.from_row(clock_row()),))
    later = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)

    moved = inst.moved(state="closed", data={"severity": "low"}, now=later, final=True)

    assert moved == dataclasses.replace(inst, state="closed", status="completed", data={"severity": "low"},
                                        revision=5, updated_at=later, state_entered_at=later, closed_at=later,
                                        clocks=None)


def test_a_move_into_an_open_state_keeps_the_instance_active() -> None:
    moved = Instance.from_row(instance_row()).moved(state="resolving", data={}, now=AT, final=False)

    assert (moved.state, moved.status, moved.closed_at, moved.created_at) == ("resolving", "active", None, AT)


def test_a_row_without_a_column_the_value_needs_is_refused_by_name() -> None:
    row = instance_row()
    del row["revision"]

    with pytest.raises(KeyError, match="revision"):
        Instance.from_row(row)


def test_a_state_task_has_no_approval() -> None:
    task = Task.from_row(task_row(payload={"anything": 1}))

    assert (task.is_approval, task.approval, task.name, task.candidate_group) == (False, None, "review", "market")


def test_an_approval_task_parses_its_payload() -> None:
    task = Task.from_row(task_row(name="approve_escalate", trigger="escalate", payload=APPROVAL))

    assert task.is_approval
    assert task.approval == ApprovalRequest(requested_by=5, requested_by_login="li", comment="please",
                                            data={"owner": "wang"})


def test_an_approval_request_round_trips_through_its_stored_payload() -> None:
    request = ApprovalRequest(requested_by=None, requested_by_login="system", comment=None, data={})

    assert ApprovalRequest.from_payload(request.payload(), task_id=1) == request


@pytest.mark.parametrize(("payload", "field"), [
    ({**APPROVAL, "data": ["owner"]}, "'data'"),
    ({**APPROVAL, "requested_by": "5"}, "'requested_by'"),
    ({**APPROVAL, "requested_by": True}, "'requested_by'"),
    ({k: v for k, v in APPROVAL.items() if k != "requested_by_login"}, "'requested_by_login'"),
    ({**APPROVAL, "comment": 3}, "'comment'"),
])
def test_a_malformed_approval_payload_is_a_clear_error_naming_task_and_field(payload: dict[str, Any],
                                                                              field: str) -> None:
    with pytest.raises(BadRow, match=f"task 21: approval payload field {field}"):
        Task.from_row(task_row(trigger="escalate", payload=payload))


def test_an_approval_payload_that_is_not_an_object_is_a_clear_error() -> None:
    with pytest.raises(BadRow, match="task 21: approval payload is 'oops', not an object"):
        Task.from_row(task_row(trigger="escalate", payload="oops"))


def test_a_task_timer_reads_the_group_it_escalates_to() -> None:
    timer = Timer.from_row(timer_row())

    assert (timer.kind, timer.task_id, timer.escalate_to, timer.due_at) == ("task_due", 21, "sales", AT)


def test_a_timer_without_escalation_has_none() -> None:
    assert Timer.from_row(timer_row(kind="sla_warn", task_id=None, payload={})).escalate_to is None


def test_a_timer_with_a_malformed_escalation_is_a_clear_error() -> None:
    with pytest.raises(BadRow, match="timer 31: payload field 'escalate_to' is 42"):
        Timer.from_row(timer_row(payload={"escalate_to": 42}))
