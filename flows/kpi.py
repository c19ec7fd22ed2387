"""The KPI review flows: the monthly rules (stars, alarms, missing reports) and the quarterly ones
(attainment and cards, lifecycle suggestions), each a thin flow around `evaluate_period`.

Schedules are cron expressions in `CHANNELOPS_TIMEZONE`, configurable by environment:
`CHANNELOPS_KPI_MONTHLY_CRON` (default the 11th at 02:00, the day after the report deadline) and
`CHANNELOPS_KPI_QUARTERLY_CRON` (default the 15th of January, April, July, October at 03:00).
A run evaluates the last complete period unless given one; re-runs and overlapping runs are safe
(the evaluation is idempotent and serialised in the database), so Prefect's retries may repeat it.
"""

from __future__ import annotations

from functools import lru_cache

from prefect import flow
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType
from pydantic_settings import BaseSettings, SettingsConfigDict

from channelops.bootstrap import build_services
from channelops.settings import get_settings
from channels.evaluation import evaluate_period, last_complete_month, last_complete_quarter
from workflows.domain.principals import SYSTEM


class KpiSchedules(BaseSettings):
    """When the KPI reviews run (read once, through `kpi_schedules()`)."""

    model_config = SettingsConfigDict(env_prefix="CHANNELOPS_KPI_", env_file=".env", extra="ignore")
    monthly_cron: str = "0 2 11 * *"
    quarterly_cron: str = "0 3 15 1,4,7,10 *"


@lru_cache
def kpi_schedules() -> KpiSchedules:
    return KpiSchedules()


@flow(name="evaluate-kpis-monthly", retries=2, retry_delay_seconds=60, log_prints=False)
def evaluate_kpis_monthly(period: str | None = None) -> dict[str, object]:
    """Stars, alarms and missing reports for `period` (default: last month)."""
    svc = build_services()
    try:
        result = evaluate_period(svc, actor=SYSTEM, period=period or last_complete_month(svc))
    finally:
        svc.engine.dispose()
    return result.model_dump()


@flow(name="evaluate-kpis-quarterly", retries=2, retry_delay_seconds=60, log_prints=False)
def evaluate_kpis_quarterly(period: str | None = None) -> dict[str, object]:
    """Attainment, cards and lifecycle suggestions for `period` (default: last quarter)."""
    svc = build_services()
    try:
        result = evaluate_period(svc, actor=SYSTEM, period=period or last_complete_quarter(svc))
    finally:
        svc.engine.dispose()
    return result.model_dump()


def kpi_deployments() -> list[RunnerDeployment]:
    """The two reviews as cron deployments; one run of each at a time across all workers."""
    from flows.serve import _sync

    schedules, zone = kpi_schedules(), get_settings().timezone
    limit = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    return [
        _sync(review.to_deployment(name, schedules=[Cron(cron, timezone=zone)], concurrency_limit=limit,
                                   tags=["channelops", "kpi"], entrypoint_type=EntrypointType.MODULE_PATH,
                                   description=text))
        for review, name, cron, text in (
            (evaluate_kpis_monthly, "kpi-monthly", schedules.monthly_cron,
             "Monthly KPI review: star ratings, alarms, missing reports."),
            (evaluate_kpis_quarterly, "kpi-quarterly", schedules.quarterly_cron,
             "Quarterly KPI review: attainment, yellow cards and recoveries, lifecycle suggestions."),
        )
    ]
