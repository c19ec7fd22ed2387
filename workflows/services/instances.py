"""Use cases on instances: start one, fire a trigger, read them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from workflows.domain.definition import WorkflowDefinition
from workflows.domain.errors import Conflict, InvalidInput, Problem
from workflows.domain.limits import InputLimits, data_problems
from workflows.domain.permissions import Action, Named, TaskRef, allows, require
from workflows.domain.principals import Actor
from workflows.domain.rows import Instance, JsonObject
from workflows.engine.compiled import CompiledWorkflow
from workflows.engine.registry import GuardContext
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import steps
from workflows.services.context import EffectContext, Services
from workflows.services.definitions import latest_definition_id
from workflows.services.records import audit, claim_key, remember
from workflows.services.views import InstanceSummary, StepResult

TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "object": (dict,), "array": (list,),
}


def checked_data(definition: WorkflowDefinition, data: Mapping[str, Any], *, limits: InputLimits) -> JsonObject:
    """Apply defaults and check the fields the definition declares; every problem is reported.

    Fields the definition does not declare are kept (effects and other systems carry context in
    them), but the whole is bounded in depth, string length and size (`limits`), checked first.
    """
    if problems := data_problems(data, limits):
        raise InvalidInput("the instance data exceeds its limits", problems)
    result = dict(data)
    for name, spec in definition.fields.items():
        if name not in result or result[name] is None:
            if spec.default is not None:
                result[name] = spec.default
            elif spec.required:
                problems.append(Problem(f"data.{name}", "is required"))
            continue
        value = result[name]
        bad_type = not isinstance(value, TYPES[spec.type]) or (spec.type != "boolean" and isinstance(value, bool))
        if bad_type:
            problems.append(Problem(f"data.{name}", f"must be of type {spec.type}"))
        elif spec.enum is not None and value not in spec.enum:
            problems.append(Problem(f"data.{name}", f"must be one of {', '.join(map(str, spec.enum))}"))
    if problems:
        raise InvalidInput("the instance data is not valid", problems)
    return result


_INSERT_INSTANCE = insert(t.instances).returning(t.instances.c.id)


def start_instance_in(
    svc: Services, uow: UnitOfWork, *, actor: Actor, workflow: str,
    subject: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None,
    requester_id: int | None = None,
) -> Instance:
    """Start an instance inside an open unit of work (for services and effects); returns it."""
    now = svc.clock.now()
    compiled = svc.compiled(uow.conn, latest_definition_id(svc, uow, workflow))
    require(actor, Action.START_INSTANCE, Named(compiled.definition.start, requester_id=actor.id, data=data or {}),
            message=f"you may not start a {workflow!r} instance")
    subject_type, subject_id = _text((subject or {}).get("type")), _text((subject or {}).get("id"))
    variant = choose_variant(svc, uow, compiled.definition, subject_type=subject_type, subject_id=subject_id,
                             data=data or {})
    compiled = compiled.for_variant(variant)
    definition = compiled.definition
    values = {
        "definition_id": compiled.definition_id, "workflow": workflow, "definition_version": compiled.version,
        "subject_type": subject_type, "subject_id": subject_id,
        "state": definition.initial_state.name, "status": "active",
        "data": checked_data(definition, data or {}, limits=svc.limits),
        "requester_id": requester_id if requester_id is not None else actor.id, "revision": 1,
        "created_at": now, "updated_at": now, "state_entered_at": now, "closed_at": None, "variant": variant,
    }
    new_id = uow.conn.execute(_INSERT_INSTANCE, values).scalar_one()
    inst = Instance.from_row({**values, "id": new_id})
    audit(uow, now=now, actor=actor, entity_type="instance", entity_id=new_id, instance_id=new_id,
          action="started", to_state=inst.state, data={"workflow": workflow, "version": compiled.version,
                                                       **({"variant": variant} if variant else {})})
    steps.enter_state(svc, uow, compiled=compiled, inst=inst, actor=actor, now=now, source=None)
    return inst


def subject_attributes(svc: Services, uow: UnitOfWork, definition: WorkflowDefinition, *,
                       subject_type: str | None, subject_id: str | None, data: Mapping[str, Any]
                       ) -> Mapping[str, Any]:
    """The attribute values of an instance's subject that variants select on, read by the reader the
    composition root registered for the definition's `subject` type (one read; empty without one).
    A subject of another type than the definition's is not looked up: only `data` is read."""
    found = svc.registry.subjects.get(definition.subject or "")
    if found is None:
        return {}
    same = subject_type in (None, definition.subject)
    return found.read(uow, subject_id if same else None, data)


def choose_variant(svc: Services, uow: UnitOfWork, definition: WorkflowDefinition, *, subject_type: str | None,
                   subject_id: str | None, data: Mapping[str, Any]) -> str | None:
    """The name of the variant an instance with this subject and data starts under, or None (no variant
    applies, or the definition has none: then nothing is read)."""
    if not definition.variants:
        return None
    attributes = subject_attributes(svc, uow, definition, subject_type=subject_type, subject_id=subject_id,
                                    data=data)
    found = definition.select_variant(attributes)
    return None if found is None else found.name


def preview_variant(svc: Services, *, workflow: str, subject: Mapping[str, Any] | None = None,
                    data: Mapping[str, Any] | None = None) -> str | None:
    """The variant an instance of `workflow` started now with this subject and data would run under
    (what the start form shows once the subject is chosen); reads only."""
    with svc.uow(write=False) as uow:
        definition = svc.compiled(uow.conn, latest_definition_id(svc, uow, workflow)).definition
        return choose_variant(svc, uow, definition, subject_type=_text((subject or {}).get("type")),
                              subject_id=_text((subject or {}).get("id")), data=data or {})


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def start_instance(
    svc: Services, *, actor: Actor, workflow: str, subject: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None, idempotency_key: str | None = None,
) -> InstanceSummary:
    """Start an instance of the latest published version of `workflow`, in one transaction."""
    with svc.uow() as uow:
        scope = f"start:{workflow}"
        if (stored := claim_key(uow, actor=actor, key=idempotency_key, scope=scope, now=svc.clock.now())) is not None:
            return InstanceSummary.model_validate(stored)
        result = steps.summary(start_instance_in(svc, uow, actor=actor, workflow=workflow, subject=subject,
                                                 data=data))
        remember(uow, actor=actor, key=idempotency_key, response=result)
        uow.commit()
        return result


def fire_in(
    svc: Services, uow: UnitOfWork, *, actor: Actor, inst: Instance, trigger: str,
    comment: str | None = None, data: Mapping[str, Any] | None = None, internal: bool = False,
    reason: Mapping[str, Any] | None = None,
) -> StepResult:
    """Fire `trigger` on a locked instance row. `internal` steps (timers, task outcomes) skip `allowed`."""
    now = svc.clock.now()
    compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
    source = inst.state
    if inst.status != "active":
        raise Conflict(f"instance {inst.id} is {inst.status}; nothing more can happen to it")
    transition = compiled.transition(trigger, source)
    if not internal:
        require(actor, Action.FIRE_TRIGGER, _named(transition.allowed, inst),
                message=f"you may not fire {trigger!r} on instance {inst.id}")
    if data:
        checked_data(compiled.definition, {**inst.data, **data}, limits=svc.limits)
    guard = GuardContext(actor=actor, data=inst.data, event_data=dict(data or {}),
                         state_entered_at=inst.state_entered_at, now=now,
                         facts=_facts(svc, uow, actor=actor, inst=inst, guards=[g.name for g in transition.guards],
                                      now=now))
    dest = compiled.step(trigger=trigger, state=source, guard_context=guard)
    approval = transition.approval
    if approval is not None and not internal and not _may_approve(actor, approval.group):
        from workflows.services.approvals import request_approval

        task_id = request_approval(svc, uow, compiled=compiled, inst=inst, trigger=trigger, actor=actor,
                                   comment=comment, data=data, now=now)
        return StepResult(instance=steps.summary(inst), trigger=trigger, from_state=source, to_state=source,
                          moved=False, approval_task_id=task_id)
    new = steps.apply_transition(svc, uow, inst=inst, compiled=compiled, trigger=trigger, dest=dest, actor=actor,
                                 now=now, comment=comment, data=data, reason=reason)
    return StepResult(instance=steps.summary(new), trigger=trigger, from_state=source, to_state=dest, moved=True)


def _facts(svc: Services, uow: UnitOfWork, *, actor: Actor, inst: Instance, guards: Sequence[str],
           now: datetime) -> dict[str, Any]:
    """What the fact sources of `guards` read in this step's transaction (nothing if none has one)."""
    sources = [svc.registry.facts[name] for name in guards if name in svc.registry.facts]
    if not sources:
        return {}
    ctx = EffectContext(uow=uow, services=svc, actor=actor, instance_id=inst.id, workflow=inst.workflow,
                        subject_type=inst.subject_type, subject_id=inst.subject_id, state=inst.state,
                        data=inst.data, now=now, requester_id=inst.requester_id)
    facts: dict[str, Any] = {}
    for source in sources:
        facts.update(source(ctx))
    return facts


def fire_trigger(
    svc: Services, *, actor: Actor, instance_id: int, trigger: str, comment: str | None = None,
    data: Mapping[str, Any] | None = None, expected_revision: int | None = None,
    idempotency_key: str | None = None,
) -> StepResult:
    """Fire `trigger` on an instance, as `actor`, in one transaction.

    Concurrency: the instance row is locked (PostgreSQL) or the write transaction is exclusive
    (SQLite); the state change is also checked against the revision read, so of two
    conflicting requests exactly one wins and the other gets a Conflict.
    Idempotency: a repeated `idempotency_key` returns the first result and changes nothing.
    """
    with svc.uow() as uow:
        scope = f"fire:{instance_id}:{trigger}"
        inst = steps.lock_instance(uow, instance_id)  # first: a concurrent retry waits, then finds the key
        if (stored := claim_key(uow, actor=actor, key=idempotency_key, scope=scope, now=svc.clock.now())) is not None:
            return StepResult.model_validate(stored)
        if expected_revision is not None and inst.revision != expected_revision:
            raise Conflict(f"instance {instance_id} is at revision {inst.revision}, not {expected_revision}")
        result = fire_in(svc, uow, actor=actor, inst=inst, trigger=trigger, comment=comment, data=data)
        remember(uow, actor=actor, key=idempotency_key, response=result)
        uow.commit()
        return result


def available_triggers(compiled: CompiledWorkflow, inst: Instance, actor: Actor) -> list[str]:
    """The triggers `actor` may fire on `inst` now (guards are checked when fired)."""
    if inst.status != "active":
        return []
    names = []
    for name in compiled.triggers_from(inst.state):
        transition = compiled.transition(name, inst.state)
        if allows(actor, Action.FIRE_TRIGGER, _named(transition.allowed, inst)):
            names.append(name)
    return names


def _may_approve(actor: Actor, group: str) -> bool:
    """One who could decide the approval task needs no approval: the step goes ahead at once."""
    return allows(actor, Action.DECIDE_TASK, TaskRef(assignee_id=None, candidate_group=group))


def _named(principals: Sequence[str], inst: Instance) -> Named:
    return Named(principals, requester_id=inst.requester_id, data=inst.data)


def count_instances(svc: Services, *, workflow: str | None = None) -> int:
    with svc.uow(write=False) as uow:
        query = select(func.count()).select_from(t.instances)
        if workflow:
            query = query.where(t.instances.c.workflow == workflow)
        return int(uow.conn.execute(query).scalar_one())


