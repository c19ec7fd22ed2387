"""The channel pack's tables. They share `workflows.persistence.tables.metadata`.

The schema changes only through Alembic (`migrations/versions/0002_channels.py`).
Periods are strings: months `YYYY-MM`, quarters `YYYY-Qn`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from workflows.persistence.tables import metadata
from workflows.persistence.types import UTCDateTime

CHANNEL_TYPES = ("direct_store", "agent", "ecommerce", "social")
STAGES = ("introduction", "growth", "maturity", "decline", "exit")
CARDS = ("none", "yellow", "red")


def _json(default: Any = dict) -> Any:
    return Field(default_factory=default, sa_type=JSON)


def _when(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Channel(SQLModel, table=True):
    """A sales channel. `stage` is `pending` until its onboarding is approved."""

    __tablename__ = "channels"
    __table_args__ = (Index("ix_channels_type_region", "type", "region"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name: str = Field(max_length=200)
    type: str = Field(max_length=20)
    region: str = Field(max_length=50, index=True)
    manager_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    contacts: dict[str, Any] = _json()
    stage: str = Field(default="pending", max_length=20, index=True)
    stars: int | None = None
    card: str = Field(default="none", max_length=10)
    stage_dates: dict[str, Any] = _json()
    monthly_target: float | None = Field(default=None, description="overrides the type's monthly sales target")
    active: bool = False
    created_at: datetime = _when()
    updated_at: datetime = _when()


class KpiRecord(SQLModel, table=True):
    """One channel's reported KPIs for one month."""

    __tablename__ = "kpi_records"
    __table_args__ = (
        UniqueConstraint("channel_id", "period", name="uq_kpi_channel_period"),
        Index("ix_kpi_period", "period"),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    period: str = Field(max_length=7)
    sales_target: float
    sales_actual: float
    satisfaction: float | None = None
    on_time_rate: float | None = None
    return_rate: float | None = None
    activity: float | None = None
    late: bool = False
    reported_at: datetime = _when()
    reported_by: str = Field(default="system", max_length=100)


class KpiReportFlag(SQLModel, table=True):
    """A monthly report that came in late or not at all (itself a KPI)."""

    __tablename__ = "kpi_report_flags"
    __table_args__ = (UniqueConstraint("channel_id", "period", name="uq_report_flag"),)
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    period: str = Field(max_length=7, index=True)
    kind: str = Field(max_length=10)
    flagged_at: datetime = _when()


class QuarterResult(SQLModel, table=True):
    """A channel's evaluated quarter: attainment and what the card rule did about it."""

    __tablename__ = "kpi_quarter_results"
    __table_args__ = (UniqueConstraint("channel_id", "period", name="uq_quarter_result"),)
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    period: str = Field(max_length=7, index=True)
    sales_target: float
    sales_actual: float
    attainment: float
    met: bool
    card_action: str | None = Field(default=None, max_length=30)
    evaluated_at: datetime = _when()


class ChannelAlarm(SQLModel, table=True):
    """A metric that dropped past its threshold; `key` makes raising it idempotent."""

    __tablename__ = "channel_alarms"
    __table_args__ = (Index("ix_alarms_raised", "raised_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    scope: str = Field(max_length=10)
    channel_id: int | None = Field(default=None, foreign_key="channels.id", index=True)
    region: str | None = Field(default=None, max_length=50)
    metric: str = Field(max_length=50)
    period: str = Field(max_length=7)
    previous: float
    current: float
    change_pct: float
    raised_at: datetime = _when()
    instance_id: int | None = Field(default=None, foreign_key="workflow_instances.id")


class StarRating(SQLModel, table=True):
    __tablename__ = "star_ratings"
    __table_args__ = (
        UniqueConstraint("channel_id", "period", name="uq_star_channel_period"),
        Index("ix_stars_period_stars", "period", "stars"),
    )
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    period: str = Field(max_length=7)
    stars: int
    score: float
    rated_at: datetime = _when()


class LifecycleSuggestion(SQLModel, table=True):
    """A suggested stage move; the committee decides through the lifecycle's approval task."""

    __tablename__ = "lifecycle_suggestions"
    __table_args__ = (UniqueConstraint("channel_id", "period", name="uq_suggestion_channel_period"),)
    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    period: str = Field(max_length=7)
    from_stage: str = Field(max_length=20)
    to_stage: str = Field(max_length=20)
    trigger: str = Field(max_length=30)
    reason: str = Field(sa_type=Text)
    instance_id: int | None = Field(default=None, foreign_key="workflow_instances.id")
    task_id: int | None = Field(default=None, foreign_key="tasks.id")
    status: str = Field(default="open", max_length=10, index=True)
    created_at: datetime = _when()


class RuleSetting(SQLModel, table=True):
    """An admin-configurable rule threshold (JSON value), read by the rules on every run."""

    __tablename__ = "rule_settings"
    key: str = Field(primary_key=True, max_length=100)
    value: Any = Field(sa_type=JSON)
    updated_by: str = Field(max_length=100)
    updated_at: datetime = _when()


channels = Channel.__table__  # type: ignore[attr-defined]
kpi_records = KpiRecord.__table__  # type: ignore[attr-defined]
kpi_report_flags = KpiReportFlag.__table__  # type: ignore[attr-defined]
quarter_results = QuarterResult.__table__  # type: ignore[attr-defined]
channel_alarms = ChannelAlarm.__table__  # type: ignore[attr-defined]
star_ratings = StarRating.__table__  # type: ignore[attr-defined]
lifecycle_suggestions = LifecycleSuggestion.__table__  # type: ignore[attr-defined]
rule_settings = RuleSetting.__table__  # type: ignore[attr-defined]

__all__ = ["metadata"]
