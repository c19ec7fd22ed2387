"""Guards and effects by name. Definitions name them; validation checks the names exist."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from workflows.domain.principals import Actor
from workflows.domain.validation import Vocabulary

if TYPE_CHECKING:
    from workflows.persistence.uow import UnitOfWork

# What effects get as `services`: the services layer's `Services` (the engine does not know it).
S = TypeVar("S")


@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at. Guards are pure: no I/O, no clock of their own."""

    actor: Actor
    data: Mapping[str, Any]
    event_data: Mapping[str, Any]
    state_entered_at: datetime
    now: datetime
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EffectContext(Generic[S]):
    """An effect runs inside the step's transaction; it must not commit."""

    uow: UnitOfWork
    services: S
    actor: Actor
    instance_id: int
    workflow: str
    subject_type: str | None
    subject_id: str | None
    state: str
    data: Mapping[str, Any]
    now: datetime


Guard = Callable[[GuardContext], bool]
Effect = Callable[[EffectContext[S]], None]


class Registry(Generic[S]):
    """Named guards and effects. Built once in the composition root, then only read.

    `S` is what the effects get as `EffectContext.services` (the services layer's `Services`).
    """

    def __init__(self) -> None:
        self.guards: dict[str, Guard] = {}
        self.effects: dict[str, Effect[S]] = {}

    def guard(self, name: str, fn: Guard) -> None:
        self.guards[name] = fn

    def effect(self, name: str, fn: Effect[S]) -> None:
        self.effects[name] = fn

    def vocabulary(self, groups: frozenset[str] = frozenset()) -> Vocabulary:
        return Vocabulary(guards=frozenset(self.guards), effects=frozenset(self.effects), groups=groups)


def entered_state_within(ctx: GuardContext) -> bool:
    """True while the current state was entered less than `days` (calendar) days ago."""
    days = float(ctx.args.get("days", 0))
    return ctx.now - ctx.state_entered_at <= timedelta(days=days)


def data_has(ctx: GuardContext) -> bool:
    """True when every field in `fields` is present and non-empty in the instance or event data."""
    merged = {**ctx.data, **ctx.event_data}
    return all(merged.get(name) not in (None, "", [], {}) for name in ctx.args.get("fields", []))


def add_default_guards(registry: Registry[S]) -> Registry[S]:
    """Name the engine's own guards in `registry`; returns it."""
    registry.guard("entered_state_within", entered_state_within)
    registry.guard("data_has", data_has)
    return registry
