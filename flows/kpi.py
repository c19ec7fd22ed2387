"""The KPI review flows: the monthly rules (stars, alarms, missing reports) and the quarterly ones
(attainment and cards, lifecycle suggestions), each a thin flow around `evaluate_period`.

Schedules are cron expressions in `CHANNELOPS_TIMEZONE`, configurable by environment:
`CHANNELOPS_KPI_MONTHLY_CRON` (default the 11th at 02:00, the day after the report deadline) and
`CHANNELOPS_KPI_QUARTERLY_CRON` (default the 15th of January, April, July, October at 03:00).
A run evaluates the last complete period unless given one; re-runs and overlapping runs are safe
(the evaluation is idempotent and serialised in the database), so Prefect's retries may repeat it.
"""

from __future__ import annotations

from collections.abc import Callable

from prefect import flow
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from channelops.bootstrap import build_services
from channelops.settings import get_settings
from channels.evaluation import evaluate_period, last_complete_month, last_complete_quarter
from flows.sync import synchronous
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services


@flow(name="evaluate-kpis-monthly", retries=2, retry_delay_seconds=60, log_prints=False)
def evaluate_kpis_monthly(period: str | None = None) -> dict[str, object]:
    """Stars, alarms and missing reports for `period` (default: last month)."""
    return _evaluate(period, default=last_complete_month)


@flow(name="evaluate-kpis-quarterly", retries=2, retry_delay_seconds=60, log_prints=False)
def evaluate_kpis_quarterly(period: str | None = None) -> dict[str, object]:
    """Attainment, cards and lifecycle suggestions for `period` (default: last quarter)."""
    return _evaluate(period, default=last_complete_quarter)


def _evaluate(period: str | None, *, default: Callable[[Services], str]) -> dict[str, object]:
    svc = build_services()
    try:
        return evaluate_period(svc, actor=SYSTEM, period=period or default(svc)).model_dump()
    finally:
        svc.engine.dispose()


def kpi_deployments() -> list[RunnerDeployment]:
    """The two reviews as cron deployments; one run of each at a time across all workers."""
    settings = get_settings()
    limit = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)
    return [
        synchronous(review.to_deployment(name, schedules=[Cron(cron, timezone=settings.timezone)],
                                         concurrency_limit=limit, tags=["channelops", "kpi"],
                                         entrypoint_type=EntrypointType.MODULE_PATH, description=text))
        for review, name, cron, text in (
            (evaluate_kpis_monthly, "kpi-monthly", settings.kpi_monthly_cron,
             "Monthly KPI review: star ratings, alarms, missing reports."),
            (evaluate_kpis_quarterly, "kpi-quarterly", settings.kpi_quarterly_cron,
             "Quarterly KPI review: attainment, yellow cards and recoveries, lifecycle suggestions."),
        )
    ]
