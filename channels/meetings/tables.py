"""The meeting tables: series and single meetings, their occurrences, agenda items and decisions.

They join the engine's `metadata` (the schema changes only through Alembic: `0003_meetings`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workflows.persistence.types import UTCDateTime


def _when(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class MeetingRow(SQLModel, table=True):
    """A meeting series (with an RRULE) or a single meeting (without)."""

    __tablename__ = "meetings"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    title_zh: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    rrule: str | None = Field(default=None, max_length=500)
    starts_at: datetime = _when()
    duration_minutes: int = 90
    timezone: str = Field(default="Asia/Shanghai", max_length=60)
    location: str = Field(default="", max_length=300)
    video_url: str | None = Field(default=None, max_length=500)
    attendee_users: list[int] = Field(default_factory=list, sa_type=JSON)
    attendee_groups: list[str] = Field(default_factory=list, sa_type=JSON)
    prepare_days: int = 2
    active: bool = True
    created_by: str = Field(max_length=100)
    created_at: datetime = _when()


class OccurrenceRow(SQLModel, table=True):
    """One date of a meeting: where the rule put it, where it really is (holiday shift), its invite state."""

    __tablename__ = "meeting_occurrences"
    __table_args__ = (
        UniqueConstraint("meeting_id", "scheduled_at", name="uq_occurrence_meeting_scheduled"),
        Index("ix_occurrences_prepare", "status", "agenda_generated_at", "prepare_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id")
    scheduled_at: datetime = _when()
    starts_at: datetime = _when()
    ends_at: datetime = _when()
    prepare_at: datetime = _when()
    shift: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    uid: str = Field(max_length=200, unique=True)
    sequence: int = 0
    status: str = Field(default="scheduled", max_length=20)
    agenda_generated_at: datetime | None = _when(nullable=True)
    agenda_checksum: str | None = Field(default=None, max_length=64)
    window_start: datetime | None = _when(nullable=True)
    agenda_meta: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    distributed_sequence: int | None = None
    present_users: list[int] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _when()


class AgendaItemRow(SQLModel, table=True):
    """One point on an agenda: what it is about (instance, channel), the facts, and the decision asked."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("occurrence_id", "key", name="uq_agenda_item_key"),
        Index("ix_agenda_items_occurrence", "occurrence_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="meeting_occurrences.id")
    key: str = Field(max_length=200)
    section: str = Field(max_length=40)
    position: int = 0
    instance_id: int | None = None
    channel_id: str | None = Field(default=None, max_length=100)
    title_zh: str = Field(sa_type=Text)
    title_en: str = Field(sa_type=Text)
    ask_zh: str = Field(sa_type=Text)
    ask_en: str = Field(sa_type=Text)
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    triggers: list[str] = Field(default_factory=list, sa_type=JSON)
    carried_from: int | None = None
    status: str = Field(default="open", max_length=20)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class DecisionRow(SQLModel, table=True):
    """What the meeting decided on one agenda item (at most one per item), and the trigger it fired."""

    __tablename__ = "meeting_decisions"
    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="meeting_occurrences.id", index=True)
    item_id: int = Field(foreign_key="agenda_items.id", unique=True)
    outcome: str = Field(max_length=20)
    summary: str = Field(sa_type=Text)
    trigger: str | None = Field(default=None, max_length=100)
    instance_id: int | None = None
    from_state: str | None = Field(default=None, max_length=100)
    to_state: str | None = Field(default=None, max_length=100)
    approval_task_id: int | None = None
    decided_by: int | None = Field(default=None, foreign_key="users.id")
    decided_by_login: str = Field(max_length=100)
    decided_at: datetime = _when()


meetings = MeetingRow.__table__  # type: ignore[attr-defined]
occurrences = OccurrenceRow.__table__  # type: ignore[attr-defined]
agenda_items = AgendaItemRow.__table__  # type: ignore[attr-defined]
decisions = DecisionRow.__table__  # type: ignore[attr-defined]
