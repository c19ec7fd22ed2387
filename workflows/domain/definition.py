"""A workflow definition as typed data: what the YAML says, checked for shape.

The shape is checked here (pydantic); the meaning (unknown states, unreachable states,
bad durations, unknown guards...) is checked in `validation.py`.
"""

from __future__ import annotations

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
    """Fires `fire` after `after` in the state it belongs to; cancelled when the state is left."""

    name: str
    after: str
    fire: str
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

    def state(self, name: str) -> StateDef:
        for state in self.states:
            if state.name == name:
                return state
        raise KeyError(name)

    @property
    def initial_state(self) -> StateDef:
        return next(s for s in self.states if s.initial)
