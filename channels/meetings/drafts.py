"""An agenda item before it is stored, and what the builders share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services

SECTION_LIMIT = 50  # items listed per section; the section says how many more qualified


@dataclass(frozen=True)
class Draft:
    """One agenda item: `key` names its subject stably, so a regenerated agenda recognises it."""

    key: str
    section: str
    title_zh: str
    title_en: str
    ask_zh: str
    ask_en: str
    instance_id: int | None = None
    channel_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    triggers: tuple[str, ...] = ()


@dataclass
class Section:
    """What one builder found: the items (at most `SECTION_LIMIT`), how many qualified, section facts."""

    name: str
    drafts: list[Draft] = field(default_factory=list)
    total: int = 0
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """What an agenda covers: changes since `start` (the last meeting), deadlines until `horizon`."""

    start: datetime
    now: datetime
    meeting_at: datetime
    horizon: datetime
    zone: str = "Asia/Shanghai"  # the meeting's: dates and months are read in it


class Titles:
    """Workflow, state and task titles from the compiled definitions (`Services.compiled` caches them)."""

    def __init__(self, svc: Services, uow: UnitOfWork) -> None:
        self._svc, self._uow = svc, uow

    def compiled(self, definition_id: int) -> CompiledWorkflow:
        return self._svc.compiled(self._uow.conn, definition_id)

    def workflow(self, definition_id: int) -> tuple[str, str]:
        title = self.compiled(definition_id).definition.title
        return title.zh, title.en

    def state(self, definition_id: int, state: str) -> tuple[str, str]:
        found = self.compiled(definition_id).states.get(state)
        return (found.title.zh, found.title.en) if found is not None and found.title else (state, state)

    def trigger(self, definition_id: int, trigger: str) -> tuple[str, str]:
        """A trigger's title: its first transition with one, else the trigger's name."""
        spec = next((x for x in self.compiled(definition_id).definition.transitions
                     if x.trigger == trigger and x.title), None)
        return (spec.title.zh, spec.title.en) if spec is not None and spec.title else (trigger, trigger)

    def task(self, definition_id: int, name: str, trigger: str | None) -> tuple[str, str]:
        return self.compiled(definition_id).task_title(name, trigger)


def channel_of(subject_type: str | None, subject_id: str | None) -> str | None:
    return subject_id if subject_type == "channel" and subject_id else None


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
