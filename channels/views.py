"""What the channel services hand back: plain, JSON-ready values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from workflows.services.views import InstanceSummary


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class ChannelView(View):
    id: int
    code: str
    name: str
    type: str
    region: str
    manager_id: int | None
    contacts: dict[str, Any]
    stage: str
    stars: int | None
    card: str
    stage_dates: dict[str, Any]
    monthly_target: float | None
    active: bool
    created_at: datetime
    updated_at: datetime


class KpiView(View):
    channel_id: int
    period: str
    sales_target: float
    sales_actual: float
    attainment: float
    satisfaction: float | None
    on_time_rate: float | None
    return_rate: float | None
    activity: float | None
    late: bool
    reported_at: datetime


class QuarterView(View):
    channel_id: int
    period: str
    sales_target: float
    sales_actual: float
    attainment: float
    met: bool
    card_action: str | None
    evaluated_at: datetime


class StarView(View):
    channel_id: int
    period: str
    stars: int
    score: float


class AlarmView(View):
    id: int
    scope: str
    channel_id: int | None
    region: str | None
    metric: str
    period: str
    previous: float
    current: float
    change_pct: float
    raised_at: datetime
    instance_id: int | None


class SuggestionView(View):
    id: int
    channel_id: int
    period: str
    from_stage: str
    to_stage: str
    trigger: str
    reason: str
    instance_id: int | None
    task_id: int | None
    status: str
    created_at: datetime


class ReportFlagView(View):
    channel_id: int
    period: str
    kind: str
    flagged_at: datetime


class ChannelDetail(View):
    channel: ChannelView
    kpis: list[KpiView]
    quarters: list[QuarterView]
    stars: list[StarView]
    alarms: list[AlarmView]
    suggestions: list[SuggestionView]
    report_flags: list[ReportFlagView]
    instances: list[InstanceSummary]


class ChannelPage(View):
    items: list[ChannelView]
    total: int
    limit: int
    offset: int


class ChannelSummary(View):
    """A short line about a channel, for agendas and lists."""

    id: int
    code: str
    name: str
    type: str
    region: str
    stage: str
    stars: int | None
    card: str
    manager_id: int | None


class ImportResult(View):
    rows: int
    created: int
    replaced: int
    late: int
    periods: list[str]


class EvaluationResult(View):
    period: str
    channels: int
    counts: dict[str, int]
