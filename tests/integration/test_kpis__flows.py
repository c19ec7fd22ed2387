"""The KPI review flows are thin shells over `evaluate_period` (their bodies run without a server)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import flows.kpi
from channelops.settings import get_settings
from channels import tables as ct
from tests.support import channel_factories as f
from workflows.services.context import Services


def test_the_monthly_flow_rates_last_month_by_default(svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, {"2026-10": 100})
    monkeypatch.setattr(flows.kpi, "build_services", lambda: svc)
    result = flows.kpi.evaluate_kpis_monthly.fn()
    assert result["period"] == "2026-10"  # the clock says 2026-11-23
    assert [r["period"] for r in f.rows(svc, ct.star_ratings)] == ["2026-10"]


def test_the_quarterly_flow_evaluates_the_quarter_it_is_given(svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter({"2026-Q2": 80, "2026-Q3": 80}))
    monkeypatch.setattr(flows.kpi, "build_services", lambda: svc)
    assert flows.kpi.evaluate_kpis_quarterly.fn(period="2026-Q3")["counts"] == {"issue_yellow": 1, "missed": 1}
    assert flows.kpi.evaluate_kpis_quarterly.fn()["period"] == "2026-Q3"


def test_the_review_schedules_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHANNELOPS_KPI_MONTHLY_CRON", "30 6 12 * *")
    get_settings.cache_clear()
    try:  # in a thread of its own, as a worker serves them: outside any event loop an earlier test left
        with ThreadPoolExecutor(max_workers=1) as pool:
            monthly, quarterly = pool.submit(flows.kpi.kpi_deployments).result()
    finally:
        get_settings.cache_clear()
    assert (monthly.name, monthly.schedules[0].schedule.cron) == ("kpi-monthly", "30 6 12 * *")
    assert quarterly.schedules[0].schedule.cron == "0 3 15 1,4,7,10 *"
    assert monthly.schedules[0].schedule.timezone == "Asia/Shanghai"
