"""Guards and effects by name. Definitions name them; validation checks the names exist.

The engine defines what a guard sees (`GuardContext`: pure data). What an effect sees is the
service layer's business (a unit of work, the services): `Registry` is generic in it, so the
engine knows nothing of persistence (see `workflows.services.context.EffectContext`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from workflows.domain.principals import Actor
from workflows.domain.validation import Vocabulary

C = TypeVar("C")


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at. Guards are pure: no I/O, no clock of their own."""

    actor: Actor
    data: Mapping[str, Any]
    event_data: Mapping[str, Any]
    state_entered_at: datetime
    now: datetime
    args: Mapping[str, Any] = field(default_factory=dict)
    # What the guards' fact sources (`Registry.guard(..., facts=...)`) read for this step, e.g. from
    # stored data: the guard stays pure, the service layer reads the facts before it runs.
    facts: Mapping[str, Any] = field(default_factory=dict)


Guard = Callable[[GuardContext], bool]
# (the step's unit of work, the subject's id or None, the instance data) -> the subject's attribute values.
# The unit of work is the service layer's; the engine only passes it through.
AttributeReader = Callable[[Any, str | None, Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class SubjectAttributes:
    """What variants of definitions about one subject type may select on: each attribute with its
    values, and how to read a subject's values when an instance starts (one read, never per step)."""

    values: Mapping[str, tuple[str, ...]]
    read: AttributeReader


class Registry(Generic[C]):
    """Named guards, and named effects that take a `C`. Built once in the composition root, then only read."""

    def __init__(self) -> None:
        self.guards: dict[str, Guard] = {}
        self.effects: dict[str, Callable[[C], None]] = {}
        self.subjects: dict[str, SubjectAttributes] = {}
        self.facts: dict[str, Callable[[C], Mapping[str, Any]]] = {}

    def guard(self, name: str, fn: Guard, *, facts: Callable[[C], Mapping[str, Any]] | None = None) -> None:
        """Name a guard; `facts` (given what an effect sees) reads what it decides on, before it runs."""
        self.guards[name] = fn
        if facts is not None:
            self.facts[name] = facts

    def effect(self, name: str, fn: Callable[[C], None]) -> None:
        self.effects[name] = fn

    def subject(self, subject_type: str, attributes: SubjectAttributes) -> None:
        self.subjects[subject_type] = attributes

    def vocabulary(self, groups: frozenset[str] | None = None, *, any_group: bool = False) -> Vocabulary:
        """What definitions may name; `groups`: the groups that exist (see `Vocabulary`)."""
        return Vocabulary(guards=frozenset(self.guards), effects=frozenset(self.effects), groups=groups,
                          any_group=any_group,
                          subjects={name: found.values for name, found in self.subjects.items()})


def entered_state_within(ctx: GuardContext) -> bool:
    """True while the current state was entered less than `days` (calendar) days ago."""
    days = float(ctx.args.get("days", 0))
    return ctx.now - ctx.state_entered_at <= timedelta(days=days)


def data_has(ctx: GuardContext) -> bool:
    """True when every field in `fields` is present and non-empty in the instance or event data."""
    merged = {**ctx.data, **ctx.event_data}
    return all(merged.get(name) not in (None, "", [], {}) for name in ctx.args.get("fields", []))


def default_registry() -> Registry[Any]:
    """The engine's own guards; no effects (those act on data the engine does not know)."""
    registry: Registry[Any] = Registry()
    registry.guard("entered_state_within", entered_state_within)
    registry.guard("data_has", data_has)
    return registry
