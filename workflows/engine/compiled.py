"""A definition version compiled once into a `transitions` machine and lookup tables.

Thread safety: the machine is built without models and without a queue, and every step
drives a fresh plain holder object. `Event.trigger` then touches no shared mutable state
(the machine's transition queue stays empty when `queued=False`), so one compiled machine
serves any number of concurrent requests. Stored rows are never handed to `transitions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import EventData, Machine, MachineError

from workflows.domain.definition import StateDef, TaskDef, TransitionDef, VariantDef, WorkflowDefinition
from workflows.domain.durations import Duration
from workflows.domain.errors import GuardRefused, TriggerNotAllowed
from workflows.domain.validation import expand_sources
from workflows.engine.registry import Guard, GuardContext, Registry


@dataclass
class _Holder:
    """The only object `transitions` ever sees: a state name and the guards that said no."""

    state: str
    refused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _BoundGuard:
    name: str
    fn: Guard
    args: dict[str, Any]

    def __call__(self, event: EventData) -> bool:
        base: GuardContext = event.kwargs["guard_context"]
        ok = self.fn(GuardContext(**{**base.__dict__, "args": self.args}))
        if not ok:
            holder = event.model
            assert isinstance(holder, _Holder)
            holder.refused.append(self.name)
        return ok


class CompiledWorkflow:
    """Everything the engine needs about one published definition version, computed once."""

    def __init__(self, *, definition_id: int, version: int, definition: WorkflowDefinition, registry: Registry[Any],
                 variant: VariantDef | None = None):
        self.definition_id = definition_id
        self.version = version
        self.definition = definition
        self.name = definition.name
        # The variant this object runs (its overrides are applied to `definition`), or None.
        self.variant = variant
        # Every variant compiled once with the definition, so a step only looks its instance's up.
        self.variants: dict[str, CompiledWorkflow] = {
            v.name: CompiledWorkflow(definition_id=definition_id, version=version, registry=registry,
                                     definition=definition.with_variant(v), variant=v)
            for v in definition.variants}
        self.states: dict[str, StateDef] = {s.name: s for s in definition.states}
        self.final_states = frozenset(s.name for s in definition.states if s.final)
        self.by_trigger_source: dict[tuple[str, str], TransitionDef] = {}
        self.tasks: dict[str, tuple[StateDef, TaskDef]] = {}
        self.durations: dict[str, Duration] = {}
        specs: list[dict[str, Any]] = []
        for t in definition.transitions:
            sources = expand_sources(definition, t.source)
            for src in sources:
                self.by_trigger_source[(t.trigger, src)] = t
            guards = [_BoundGuard(g.name, registry.guards[g.name], dict(g.args)) for g in t.guards]
            specs.append({"trigger": t.trigger, "source": sources, "dest": t.dest, "conditions": guards})
        for state in definition.states:
            for task in state.tasks:
                self.tasks[task.name] = (state, task)
        self.machine = Machine(
            model=None,
            states=[s.name for s in definition.states],
            transitions=specs,
            initial=definition.initial_state.name,
            auto_transitions=False,
            send_event=True,
            queued=False,
            ignore_invalid_triggers=False,
        )
        self.sla_states = {s for g in definition.sla for s in (*g.start, *g.stop, *g.pause)}
        approvals = any(t.approval is not None for t in definition.transitions)
        self._task_states = {s.name for s in definition.states if s.tasks or approvals}
        self._timer_states = {s.name for s in definition.states
                              if s.timers or any(task.due for task in s.tasks)}

    def for_variant(self, name: str | None) -> CompiledWorkflow:
        """The compiled variant `name` of this definition; itself for None (or a name it lacks)."""
        if name is None:
            return self
        return self.variants.get(name, self)

    def may_have_tasks(self, state: str) -> bool:
        """Whether open tasks can exist while an instance is in `state` (state tasks or approvals)."""
        return state in self._task_states

    def may_have_timers(self, state: str) -> bool:
        """Whether state-bound timers (state timers, task due dates and reminders) can exist in `state`."""
        return state in self._timer_states

    def task_title(self, name: str, trigger: str | None = None) -> tuple[str, str]:
        """A task's title in zh and en. An approval task (one with a `trigger`) is titled after its
        trigger's transition (the first of that trigger with a title); a state task after its own
        title; either falls back to its trigger or name."""
        if trigger is not None:
            spec = next((x for x in self.definition.transitions if x.trigger == trigger and x.title), None)
            zh, en = (spec.title.zh, spec.title.en) if spec and spec.title else (trigger, trigger)
            return f"审批：{zh}", f"Approve: {en}"
        found = self.tasks.get(name)
        title = found[1].title if found else None
        return (title.zh, title.en) if title else (name, name)

    def duration(self, text: str) -> Duration:
        found = self.durations.get(text)
        if found is None:
            found = self.durations[text] = Duration.parse(text)
        return found

    def transition(self, trigger: str, state: str) -> TransitionDef:
        """The transition `trigger` takes from `state`, or TriggerNotAllowed."""
        found = self.by_trigger_source.get((trigger, state))
        if found is None:
            if trigger not in self.machine.events:
                raise TriggerNotAllowed(f"workflow {self.name!r} has no trigger {trigger!r}")
            raise TriggerNotAllowed(f"trigger {trigger!r} is not allowed in state {state!r}")
        return found

    def step(self, *, trigger: str, state: str, guard_context: GuardContext) -> str:
        """Run the machine for one trigger from `state`; returns the destination state.

        Raises:
            TriggerNotAllowed: the trigger does not apply in `state`, or a guard refused it.
        """
        holder = _Holder(state)
        event = self.machine.events.get(trigger)
        if event is None:
            raise TriggerNotAllowed(f"workflow {self.name!r} has no trigger {trigger!r}")
        try:
            moved = event.trigger(holder, guard_context=guard_context)
        except MachineError as exc:
            raise TriggerNotAllowed(f"trigger {trigger!r} is not allowed in state {state!r}") from exc
        if not moved:
            refused = ", ".join(holder.refused) or "a guard"
            raise GuardRefused(f"trigger {trigger!r} refused in state {state!r} by {refused}")
        return holder.state

    def triggers_from(self, state: str) -> list[str]:
        return [name for name in self.machine.get_triggers(state) if (name, state) in self.by_trigger_source]


def compile_definition(*, definition_id: int, version: int, definition: WorkflowDefinition, registry: Registry[Any]
                       ) -> CompiledWorkflow:
    return CompiledWorkflow(definition_id=definition_id, version=version, definition=definition, registry=registry)


