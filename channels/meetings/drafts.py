"""An agenda item before it is stored, and what the builders share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from workflows.engine.compiled import CompiledWorkflow
from workflows.persistence import tables as t
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
    """Workflow, state and task titles from the compiled definitions, read once per agenda."""

    def __init__(self, svc: Services, uow: UnitOfWork) -> None:
        self._svc, self._uow = svc, uow
        self._cache: dict[int, CompiledWorkflow] = {}

    def compiled(self, definition_id: int) -> CompiledWorkflow:
        found = self._cache.get(definition_id)
        if found is None:
            found = self._cache[definition_id] = self._svc.compiled(self._uow.conn, definition_id)
        return found

    def workflow(self, definition_id: int) -> tuple[str, str]:
        title = self.compiled(definition_id).definition.title
        return title.zh, title.en

    def state(self, definition_id: int, state: str) -> tuple[str, str]:
        found = self.compiled(definition_id).states.get(state)
        return (found.title.zh, found.title.en) if found is not None and found.title else (state, state)

    def task(self, definition_id: int, name: str, trigger: str | None) -> tuple[str, str]:
        compiled = self.compiled(definition_id)
        if trigger is not None:
            spec = next((x for x in compiled.definition.transitions if x.trigger == trigger and x.title), None)
            zh, en = (spec.title.zh, spec.title.en) if spec and spec.title else (trigger, trigger)
            return f"审批：{zh}", f"Approve: {en}"
        found = compiled.tasks.get(name)
        title = found[1].title if found else None
        return (title.zh, title.en) if title else (name, name)


def channel_of(subject_type: str | None, subject_id: str | None) -> str | None:
    return subject_id if subject_type == "channel" and subject_id else None


def latest_definition(uow: UnitOfWork, workflow: str) -> int | None:
    found = uow.conn.execute(select(t.definitions.c.id).where(t.definitions.c.name == workflow)
                             .order_by(t.definitions.c.version.desc()).limit(1)).scalar()
    return None if found is None else int(found)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
