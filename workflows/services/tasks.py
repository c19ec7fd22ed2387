"""Use cases on tasks: complete with a decision, claim, release."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update

from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem, TaskClosed
from workflows.domain.permissions import Action, TaskRef, allows, require
from workflows.domain.principals import Actor
from workflows.domain.rows import Instance, Task
from workflows.domain.tasks import policy_outcome
from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import absences, steps
from workflows.services.context import Services
from workflows.services.instances import fire_in
from workflows.services.records import audit, claim_key, notify, remember
from workflows.services.users import login_of
from workflows.services.views import StepResult

APPROVAL_DECISIONS = ("approve", "reject")


_TASK = select(t.tasks).where(t.tasks.c.id == bindparam("tid"))
_CLOSE = (update(t.tasks).where(t.tasks.c.id == bindparam("tid"), t.tasks.c.status == "open")
          .values(status="completed"))
_CANCEL_TASK_TIMERS = (update(t.timers).where(t.timers.c.task_id == bindparam("tid"),
                                              t.timers.c.status == "scheduled").values(status="cancelled"))
_REVIEW = select(t.tasks.c.id, t.tasks.c.status, t.tasks.c.decision, t.tasks.c.completed_by,
                 t.tasks.c.on_behalf_of).where(
    t.tasks.c.instance_id == bindparam("iid"), t.tasks.c.name == bindparam("task_name"),
    t.tasks.c.entry == bindparam("task_entry"), t.tasks.c.status != "cancelled")
# The task (every column) and the other tasks of its review that are not cancelled, in one statement.
_ME = t.tasks.alias("me")
_TASK_AND_REVIEW = (select(t.tasks).join(_ME, and_(_ME.c.instance_id == t.tasks.c.instance_id,
                                                   _ME.c.name == t.tasks.c.name, _ME.c.entry == t.tasks.c.entry))
                    .where(_ME.c.id == bindparam("tid"),
                           or_(t.tasks.c.status != "cancelled", t.tasks.c.id == _ME.c.id)))
_CANCEL_SIBLINGS = (update(t.tasks).where(
    t.tasks.c.instance_id == bindparam("iid"), t.tasks.c.name == bindparam("task_name"),
    t.tasks.c.entry == bindparam("task_entry"), t.tasks.c.status == "open").values(status="cancelled"))


def _task(uow: UnitOfWork, task_id: int) -> Task:
    row = uow.conn.execute(_TASK, {"tid": task_id}).mappings().first()
    if row is None:
        raise NotFound(f"task {task_id} not found")
    return Task.from_row(row)


def locked(uow: UnitOfWork, task_id: int) -> tuple[Task, Instance]:
    """The task and its instance, with the instance locked; the task read after the lock.

    On SQLite the write transaction is exclusive from its start, so both are read in one statement; on
    PostgreSQL the instance is found through the task and locked in one statement, then the task read.
    """
    if uow.dialect != "postgresql":
        row, inst = steps.read_task_and_instance(uow, task_id)
        return Task.from_row(row), inst
    inst = steps.lock_instance_of_task(uow, task_id)
    return _task(uow, task_id), inst


def _locked_for_decision(uow: UnitOfWork, task_id: int) -> tuple[Task, Instance, tuple[_Part, ...] | None]:
    """`locked`, and on PostgreSQL the task's review read with the task in one statement (on SQLite,
    None: `complete_in` reads it, the task and its instance having taken one statement already)."""
    if uow.dialect != "postgresql":
        task, inst = locked(uow, task_id)
        return task, inst, None
    inst = steps.lock_instance_of_task(uow, task_id)
    rows = uow.conn.execute(_TASK_AND_REVIEW, {"tid": task_id}).mappings().all()
    mine = next((row for row in rows if row["id"] == task_id), None)
    if mine is None:
        raise NotFound(f"task {task_id} not found")
    task = Task.from_row(mine)
    if task.approval is not None:  # an approval task is a review of its own
        return task, inst, ()
    return task, inst, tuple(_Part(row["id"], row["status"], row["decision"], row["completed_by"],
                                   row["on_behalf_of"]) for row in rows if row["status"] != "cancelled")


def task_ref(task: Task | Mapping[str, Any], *, not_by: int | None = None) -> TaskRef:
    """What the permission table needs to know of a task (`not_by`: who may not decide it)."""
    if isinstance(task, Task):
        return TaskRef(assignee_id=task.assignee_id, candidate_group=task.candidate_group, not_by=not_by)
    return TaskRef(assignee_id=task["assignee_id"], candidate_group=task["candidate_group"], not_by=not_by)


def may_act(actor: Actor, task: Mapping[str, Any]) -> bool:
    """Whether to offer `actor` the task's buttons (the requester rule is checked on deciding)."""
    return allows(actor, Action.DECIDE_TASK, task_ref(task))


def _check_candidate(actor: Actor, task: Task, *, action: Action, not_by: int | None = None,
                     ref: TaskRef | None = None) -> None:
    if task.status != "open":
        raise TaskClosed(f"task {task.id} is already {task.status}")
    free = TaskRef(assignee_id=None, candidate_group=task.candidate_group)
    if task.assignee_id not in (None, actor.id) and allows(actor, Action.CLAIM_TASK, free):
        raise Conflict(f"task {task.id} is claimed by someone else")
    refused = (f"task {task.id} is assigned to someone else" if task.assignee_id is not None
               else f"task {task.id} is for the {task.candidate_group!r} group")
    require(actor, action, ref or task_ref(task, not_by=not_by), message=refused)


@dataclass(frozen=True, slots=True)
class _Part:
    """One task of a review, as a decision on another part of it sees it."""

    id: int
    status: str
    decision: str | None
    completed_by: int | None
    on_behalf_of: int | None


def _review(uow: UnitOfWork, task: Task) -> tuple[_Part, ...]:
    """The tasks of `task`'s review that are not cancelled (`task` among them), read once per decision:
    who decided already, and what the group's policy has reached (the instance is locked meanwhile).
    An approval task is a review of its own."""
    if task.approval is not None:
        return ()
    rows = uow.conn.execute(_REVIEW, {"iid": task.instance_id, "task_name": task.name, "task_entry": task.entry})
    return tuple(_Part(*row) for row in rows)


def _decided(review: Sequence[_Part], task: Task) -> frozenset[int]:
    """Who decided the other tasks of the same review: each decider, and whom they decided for."""
    return frozenset(p for row in review if row.status == "completed" and row.id != task.id
                     for p in (row.completed_by, row.on_behalf_of) if p is not None)


def _decision_ref(svc: Services, uow: UnitOfWork, *, actor: Actor, task: Task, inst: Instance,
                  compiled: CompiledWorkflow, review: Sequence[_Part]) -> TaskRef:
    """The task as `decide_task` sees it: who asked, who stands in for them, who decided already, and
    whom `actor` would decide for (the absent user they hold the task for)."""
    not_by = not_by_of(compiled, task, inst)
    deputies = (absences.deputies_of(uow.conn, user_id=not_by, workflow=inst.workflow,
                                     day=absences.today(svc)) if not_by is not None else frozenset())
    on_behalf = task.on_behalf_of if task.assignee_id == actor.id and actor.id is not None else None
    return TaskRef(assignee_id=task.assignee_id, candidate_group=task.candidate_group, not_by=not_by,
                   on_behalf_of=on_behalf, requester_deputies=deputies, decided=_decided(review, task))


def not_by_of(compiled: CompiledWorkflow, task: Task, inst: Instance) -> int | None:
    """Who may not decide the task: the requester of an approval, or of a separated-duties task."""
    if task.approval is not None:
        return task.approval.requested_by
    separated = compiled.tasks[task.name][1].requester_may_not_decide
    return inst.requester_id if separated else None


def decisions_for(compiled: CompiledWorkflow, task: Task) -> list[str]:
    if task.is_approval:
        return list(APPROVAL_DECISIONS)
    found = compiled.tasks.get(task.name)
    return list(found[1].decisions) if found else []


def complete_task(
    svc: Services, *, actor: Actor, task_id: int, decision: str, comment: str | None = None,
    idempotency_key: str | None = None,
) -> StepResult:
    """Record `actor`'s decision; when the approval policy is decided, move the instance.

    Exactly one of two concurrent completions of a task wins; the other gets TaskClosed.
    Sibling tasks still open are cancelled once the decision is made.
    """
    with svc.uow() as uow:
        scope = f"complete:{task_id}"
        task, inst, review = _locked_for_decision(uow, task_id)  # first: a concurrent retry waits, then finds the key
        if (stored := claim_key(uow, actor=actor, key=idempotency_key, scope=scope, now=svc.clock.now())) is not None:
            return StepResult.model_validate(stored)
        result = complete_in(svc, uow, actor=actor, task=task, inst=inst, decision=decision, comment=comment,
                             review=review)
        remember(uow, actor=actor, key=idempotency_key, response=result)
        uow.commit()
        return result


def complete_in(svc: Services, uow: UnitOfWork, *, actor: Actor, task: Task, inst: Instance, decision: str,
                comment: str | None, via: dict[str, Any] | None = None,
                review: Sequence[_Part] | None = None) -> StepResult:
    """Check and record `actor`'s decision inside the caller's unit of work (the instance locked);
    `via` goes into the audit row's data (a decision link says `{"via": "link", ...}`); `review`: the
    task's review if the caller read it after the lock (else it is read here)."""
    compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
    review = _review(uow, task) if review is None else review
    ref = _decision_ref(svc, uow, actor=actor, task=task, inst=inst, compiled=compiled, review=review)
    _check_candidate(actor, task, action=Action.DECIDE_TASK, ref=ref)
    allowed = decisions_for(compiled, task)
    if decision not in allowed:
        raise InvalidInput("bad decision", [Problem("decision", f"must be one of {', '.join(allowed)}")])
    return _decide(svc, uow, actor=actor, task=task, inst=inst, compiled=compiled, decision=decision,
                   comment=comment, review=review, on_behalf_of=ref.on_behalf_of, via=via)


def _decide(svc: Services, uow: UnitOfWork, *, actor: Actor, task: Task, inst: Instance,
            compiled: CompiledWorkflow, decision: str, comment: str | None, review: Sequence[_Part],
            on_behalf_of: int | None = None, via: dict[str, Any] | None = None) -> StepResult:
    now = svc.clock.now()
    approval = task.approval
    closed = uow.conn.execute(_CLOSE, {"tid": task.id, "decision": decision, "comment": comment,
                                       "completed_by": actor.id, "completed_at": now, "assignee_id": actor.id,
                                       "on_behalf_of": on_behalf_of}).rowcount
    if closed != 1:
        raise TaskClosed(f"task {task.id} is no longer open")
    uow.conn.execute(_CANCEL_TASK_TIMERS, {"tid": task.id})
    behalf = _on_behalf(uow, on_behalf_of)
    audit(uow, now=now, actor=actor, entity_type="task", entity_id=task.id, instance_id=inst.id,
          action="task_completed", from_state=inst.state, comment=comment,
          data={"task": task.name, "decision": decision, "group": task.candidate_group, **behalf, **(via or {})})
    trigger = _outcome(uow, compiled=compiled, task=task, decision=decision, review=review)
    if trigger is not None:
        return fire_in(svc, uow, actor=actor, inst=inst, trigger=trigger, comment=comment,
                       data=approval.data if approval is not None else None, internal=True,
                       reason={"task": task.id, "decision": decision, **behalf})
    if approval is not None and approval.requested_by is not None:
        notify(uow, now=now, instance_id=inst.id, recipients=[f"user:{approval.requested_by}"],
               template="approval_rejected", payload={"task_id": task.id, "trigger": task.trigger,
                                                      "instance_id": inst.id, "comment": comment})
    new = steps.touch(uow, inst, now)
    return StepResult(instance=steps.summary(new), trigger=None, from_state=inst.state, to_state=inst.state,
                      moved=False)


def _on_behalf(uow: UnitOfWork, user_id: int | None) -> dict[str, Any]:
    """What an audit row's data says of the person a substitute acted for (nothing when they acted for
    themselves): `on_behalf_of` (their login) and `on_behalf_of_id`."""
    if user_id is None:
        return {}
    login = login_of(uow.conn, user_id)
    return {"on_behalf_of": login or f"#{user_id}", "on_behalf_of_id": user_id}


def _outcome(uow: UnitOfWork, *, compiled: CompiledWorkflow, task: Task, decision: str,
             review: Sequence[_Part]) -> str | None:
    """The trigger the decision leads to, if the policy is now decided; cancels undecided siblings.
    `review` is the review as read before this decision (this task still open in it)."""
    if task.approval is not None:
        return task.trigger if decision == "approve" else None
    spec = compiled.tasks[task.name][1]
    others = [row for row in review if row.id != task.id]
    still_open = sum(1 for row in others if row.status == "open")
    outcome = policy_outcome(spec.policy, decision=decision, decisions=[decision, *(row.decision for row in others)],
                             open_count=still_open)
    if outcome is None:
        return None
    if still_open:
        uow.conn.execute(_CANCEL_SIBLINGS, {"iid": task.instance_id, "task_name": task.name,
                                            "task_entry": task.entry})
    trigger: str | None = spec.outcomes.get(outcome)  # type: ignore[call-overload]
    return trigger


def claim_task(svc: Services, *, actor: Actor, task_id: int) -> None:
    """Take a group task for oneself; claiming one's own task again changes nothing."""
    with svc.uow() as uow:
        task, inst = locked(uow, task_id)
        _check_candidate(actor, task, action=Action.CLAIM_TASK)
        if task.assignee_id == actor.id:
            return
        now = svc.clock.now()
        uow.conn.execute(update(t.tasks).where(t.tasks.c.id == task_id)
                         .values(assignee_id=actor.id, claimed_at=now, on_behalf_of=None))
        audit(uow, now=now, actor=actor, entity_type="task", entity_id=task_id, instance_id=inst.id,
              action="task_claimed", data={"task": task.name})
        steps.touch(uow, inst, now)
        uow.commit()


def release_task(svc: Services, *, actor: Actor, task_id: int) -> None:
    """Give a claimed task back to its group."""
    with svc.uow() as uow:
        task, inst = locked(uow, task_id)
        if task.status != "open":
            raise TaskClosed(f"task {task_id} is already {task.status}")
        require(actor, Action.RELEASE_TASK, task_ref(task), message=f"task {task_id} is not claimed by you")
        if task.candidate_group is None:
            raise Conflict(f"task {task_id} is assigned personally and has no group to go back to")
        now = svc.clock.now()
        uow.conn.execute(update(t.tasks).where(t.tasks.c.id == task_id).values(assignee_id=None, claimed_at=None,
                                                                                   on_behalf_of=None))
        audit(uow, now=now, actor=actor, entity_type="task", entity_id=task_id, instance_id=inst.id,
              action="task_released", data={"task": task.name})
        steps.touch(uow, inst, now)
        uow.commit()


def assign_task(svc: Services, *, actor: Actor, task_id: int, login: str) -> None:
    """Give an open task to the named user (an admin, or a lead of the task's group).

    The assignee must be active and a member of the task's group (any active user for a task without
    one), and may not be the person who asked for the decision. They are told through the outbox.
    """
    with svc.uow() as uow:
        task, inst = locked(uow, task_id)
        if task.status != "open":
            raise TaskClosed(f"task {task_id} is already {task.status}")
        require(actor, Action.ASSIGN_TASK, task_ref(task))
        user = uow.conn.execute(select(t.users.c.id, t.users.c.login, t.users.c.active, t.users.c.groups)
                                .where(t.users.c.login == login)).first()
        compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
        problem = _assignee_problem(user, login=login, task=task, not_by=not_by_of(compiled, task, inst))
        if problem is not None:
            raise InvalidInput("the task cannot be assigned to this user", [Problem("login", problem)])
        assert user is not None
        now = svc.clock.now()
        previous = login_of(uow.conn, task.assignee_id)
        uow.conn.execute(update(t.tasks).where(t.tasks.c.id == task_id)
                         .values(assignee_id=user.id, claimed_at=now, on_behalf_of=None))
        audit(uow, now=now, actor=actor, entity_type="task", entity_id=task_id, instance_id=inst.id,
              action="task_assigned", data={"task": task.name, "assignee": user.login, "previous": previous,
                                            "group": task.candidate_group})
        payload = steps.task_payload(inst, compiled, task_id=task_id, name=task.name, trigger=task.trigger,
                                     due_at=task.due_at)
        notify(uow, now=now, instance_id=inst.id, recipients=[f"user:{user.id}"], template="task_assigned",
               payload={**payload, "actor": actor.login})
        steps.touch(uow, inst, now)
        uow.commit()


def _assignee_problem(user: Any, *, login: str, task: Task, not_by: int | None) -> str | None:
    if user is None:
        return f"no user {login!r}"
    if not user.active:
        return f"{user.login} is deactivated"
    if task.candidate_group is not None and task.candidate_group not in (user.groups or []):
        return f"{user.login} is not a member of the task's group {task.candidate_group!r}"
    if not_by is not None and user.id == not_by:
        return f"{user.login} asked for this decision and may not decide it"
    return None
