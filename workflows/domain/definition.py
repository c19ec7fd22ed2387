"""A workflow definition as typed data: what the YAML says, checked for shape.

The shape is checked here (pydantic); the meaning (unknown states, unreachable states,
bad durations, unknown guards...) is checked in `validation.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Decision = Literal["approve", "reject", "request_changes", "done"]
DECISIONS: tuple[str, ...] = ("approve", "reject", "request_changes", "done")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Model):
    """A text in Chinese and English."""

    zh: str
    en: str

    def get(self, locale: str) -> str:
        return self.zh if locale.startswith("zh") else self.en


class GuardRef(_Model):
    """A guard named in the definition, resolved in the guard registry; `args` are its settings."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


def _guard_refs(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    refs: list[Any] = []
    for item in value:
        if isinstance(item, str):
            refs.append({"name": item})
        elif isinstance(item, dict) and len(item) == 1 and "name" not in item:
            (name, args), = item.items()
            refs.append({"name": name, "args": args or {}})
        else:
            refs.append(item)
    return refs


def _default_decisions() -> list[Decision]:
    return ["approve", "reject"]


class NotificationDef(_Model):
    """Who is told, with which template. Recipients are principals (see `principals.py`)."""

    to: list[str]
    template: str


class TaskDef(_Model):
    """User tasks opened on entering a state: one per candidate group (or one, for an assignee)."""

    name: str
    title: Localized | None = None
    groups: list[str] = Field(default_factory=list)
    assignee: str | None = None
    due: str | None = None
    remind_before: list[str] = Field(default_factory=list)
    escalate_to: str | None = None
    policy: Literal["all", "any"] | int = "all"
    requester_may_not_decide: bool = False
    decisions: list[Decision] = Field(default_factory=_default_decisions)
    outcomes: dict[Decision, str] = Field(default_factory=dict)
    notify: list[NotificationDef] = Field(default_factory=list)


class TimerDef(_Model):
    """Fires `fire` after `after` in the state it belongs to; cancelled when the state is left.
    `otherwise`: the trigger fired instead when a guard refuses `fire`."""

    name: str
    after: str
    fire: str
    otherwise: str | None = None
    title: Localized | None = None


class StateDef(_Model):
    name: str
    title: Localized | None = None
    description: Localized | None = None
    initial: bool = False
    final: bool = False
    tasks: list[TaskDef] = Field(default_factory=list)
    timers: list[TimerDef] = Field(default_factory=list)
    notify: list[NotificationDef] = Field(default_factory=list)
    effects: list[str] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)


class ApprovalDef(_Model):
    """A transition that needs an approval: firing it opens a task for `group` instead."""

    group: str
    title: Localized | None = None
    due: str | None = None
    remind_before: list[str] = Field(default_factory=list)


class TransitionDef(_Model):
    trigger: str
    source: list[str]
    dest: str
    title: Localized | None = None
    allowed: list[str] = Field(default_factory=list)
    guards: list[GuardRef] = Field(default_factory=list)
    approval: ApprovalDef | None = None
    notify: list[NotificationDef] = Field(default_factory=list)
    effects: list[str] = Field(default_factory=list)

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("guards", mode="before")
    @classmethod
    def _guards(cls, value: Any) -> Any:
        return _guard_refs(value)


class SlaDef(_Model):
    """A service-level goal measured in working (or calendar) time between states."""

    name: str
    title: Localized | None = None
    start: list[str]
    stop: list[str]
    pause: list[str] = Field(default_factory=list)
    goal_by: str | None = None
    goals: dict[str, str] = Field(default_factory=dict)
    goal: str | None = None
    warn_at: int = 80
    warn_notify: list[str] = Field(default_factory=list)
    breach: str | None = None
    breach_notify: list[str] = Field(default_factory=list)


class FieldDef(_Model):
    """A field of the instance data the definition relies on."""

    type: Literal["string", "integer", "number", "boolean", "object", "array"] = "string"
    required: bool = False
    enum: list[Any] | None = None
    default: Any = None
    title: Localized | None = None
    options: dict[str, Localized] = Field(default_factory=dict)  # titles of the `enum` values


class TaskOverride(_Model):
    """What a variant changes in one user task: extra candidate groups (one more task each, so an
    all-of review also needs them), another due duration, other reminders."""

    add_groups: list[str] = Field(default_factory=list)
    due: str | None = None
    remind_before: list[str] | None = None


class SlaOverride(_Model):
    """What a variant changes in one SLA goal: its budget (`goal`), some budgets per value (`goals`),
    or where it warns."""

    goal: str | None = None
    goals: dict[str, str] = Field(default_factory=dict)
    warn_at: int | None = None


class FieldOverride(_Model):
    """What a variant changes in one declared field: whether it is required."""

    required: bool


def _values(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: [item] if isinstance(item, str) else item for key, item in value.items()}
    return value


class VariantDef(_Model):
    """A variant of the definition for subjects with some attribute values (e.g. channel types).

    `when` maps subject attributes to the values that select it (all must match). The rest are
    overrides applied to the definition for instances started under the variant: tasks by name,
    timers by state and timer name, SLA goals by name, fields by name.
    """

    name: str
    title: Localized
    description: Localized | None = None
    when: dict[str, list[str]]
    tasks: dict[str, TaskOverride] = Field(default_factory=dict)
    timers: dict[str, dict[str, str]] = Field(default_factory=dict)
    sla: dict[str, SlaOverride] = Field(default_factory=dict)
    fields: dict[str, FieldOverride] = Field(default_factory=dict)

    @field_validator("when", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _values(value)

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        """Whether a subject with these attribute values gets this variant."""
        return all(attributes.get(key) is not None and str(attributes[key]) in values
                   for key, values in self.when.items())


class WorkflowDefinition(_Model):
    """The whole definition. `source` holds the YAML it was read from."""

    name: str
    title: Localized
    description: Localized | None = None
    subject: str | None = None
    start: list[str] = Field(default_factory=list)
    fields: dict[str, FieldDef] = Field(default_factory=dict)
    states: list[StateDef]
    transitions: list[TransitionDef] = Field(default_factory=list)
    sla: list[SlaDef] = Field(default_factory=list)
    variants: list[VariantDef] = Field(default_factory=list)
    # The fields an inbox card shows (in this order), besides the subject, requester and due time.
    card_fields: list[str] = Field(default_factory=list)

    def state(self, name: str) -> StateDef:
        for state in self.states:
            if state.name == name:
                return state
        raise KeyError(name)

    @property
    def initial_state(self) -> StateDef:
        return next(s for s in self.states if s.initial)

    def variant(self, name: str | None) -> VariantDef | None:
        """The variant called `name` (None for none or an unknown name)."""
        return next((v for v in self.variants if v.name == name), None) if name else None

    def select_variant(self, attributes: Mapping[str, Any]) -> VariantDef | None:
        """The variant a subject with these attribute values gets (validation refuses overlapping
        variants, so at most one matches), or None: the definition as written."""
        return next((v for v in self.variants if v.matches(attributes)), None)

    def with_variant(self, variant: VariantDef) -> WorkflowDefinition:
        """The definition as an instance under `variant` runs it: its overrides applied, no variants.
        Pure; the definition is assumed valid (names in the overrides exist)."""
        states = []
        for state in self.states:
            tasks = [_task(task, variant.tasks.get(task.name)) for task in state.tasks]
            timers = [timer.model_copy(update={"after": variant.timers[state.name][timer.name]})
                      if timer.name in variant.timers.get(state.name, {}) else timer for timer in state.timers]
            states.append(state.model_copy(update={"tasks": tasks, "timers": timers}))
        sla = [_goal(goal, variant.sla.get(goal.name)) for goal in self.sla]
        fields = {name: spec.model_copy(update={"required": variant.fields[name].required})
                  if name in variant.fields else spec for name, spec in self.fields.items()}
        return self.model_copy(update={"states": states, "sla": sla, "fields": fields, "variants": []})


def _task(task: TaskDef, override: TaskOverride | None) -> TaskDef:
    if override is None:
        return task
    update: dict[str, Any] = {"groups": [*task.groups, *override.add_groups]}
    if override.due is not None:
        update["due"] = override.due
    if override.remind_before is not None:
        update["remind_before"] = list(override.remind_before)
    return task.model_copy(update=update)


def _goal(goal: SlaDef, override: SlaOverride | None) -> SlaDef:
    if override is None:
        return goal
    update: dict[str, Any] = {"goals": {**goal.goals, **override.goals}}
    if override.goal is not None:
        update["goal"] = override.goal
    if override.warn_at is not None:
        update["warn_at"] = override.warn_at
    return goal.model_copy(update=update)
