"""KPI reporting frequency per channel type (`report_frequency`): monthly reporters owe each month by the
10th of the next, quarterly reporters a quarter's three months by the 10th after the quarter; the
late mark and the missing check both follow it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels import tables as ct
from channels.evaluation import evaluate_period
from channels.thresholds import update_thresholds
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import InvalidInput
from workflows.domain.principals import SYSTEM, Actor
from workflows.services.context import Services


def shanghai(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def quarterly_agents(svc: Services) -> None:
    update_thresholds(svc, actor=f.admin(svc), values={"report_frequency": {"agent": "quarterly"}})


def flags(svc: Services, channel_id: int) -> list[str]:
    return sorted(r["period"] for r in f.rows(svc, ct.kpi_report_flags, ct.kpi_report_flags.c.channel_id == channel_id))


def late(svc: Services, channel_id: int, period: str) -> bool:
    [row] = f.rows(svc, ct.kpi_records, ct.kpi_records.c.channel_id == channel_id, ct.kpi_records.c.period == period)
    return bool(row["late"])


def test_a_quarterly_agent_owes_nothing_before_its_quarter_closes_while_a_store_is_flagged_monthly(
    svc: Services, clock: FixedClock, quarterly_agents: None
) -> None:
    clock.set(shanghai(6, 1))
    store, agent = f.channel(svc, type="direct_store"), f.channel(svc, type="agent")
    clock.set(shanghai(9, 15))  # August was due on 2026-09-10
    evaluate_period(svc, actor=SYSTEM, period="2026-08")

    assert (flags(svc, store.id), flags(svc, agent.id)) == (["2026-08"], [])


def test_a_quarterly_agent_is_flagged_for_every_unreported_month_once_the_quarter_deadline_passed(
    svc: Services, clock: FixedClock, make_user: UserFactory, quarterly_agents: None
) -> None:
    manager: Actor = make_user(roles=("channel_manager",))
    clock.set(shanghai(6, 1))
    store, agent = f.channel(svc, type="direct_store"), f.channel(svc, type="agent", manager=manager)
    clock.set(shanghai(10, 5))  # Q3 is due on 2026-10-10: not yet
    f.report(svc, agent.code, {"2026-07": 100})
    evaluate_period(svc, actor=SYSTEM, period="2026-09")
    assert flags(svc, agent.id) == []

    clock.set(shanghai(10, 11))
    evaluate_period(svc, actor=SYSTEM, period="2026-09")
    evaluate_period(svc, actor=SYSTEM, period="2026-09")  # idempotent

    assert flags(svc, agent.id) == ["2026-08", "2026-09"]
    assert flags(svc, store.id) == ["2026-09"]
    [notice] = f.outbox_to(svc, f"user:{manager.id}", "kpi_report_missing")
    assert notice["payload"]["period"] == "2026-Q3"
    assert notice["payload"]["comment"] == (f"{agent.code} 2026-08, 2026-09: 季度数据未上报 / "
                                            "quarterly KPI report missing")


def test_every_type_reports_monthly_unless_configured(svc: Services, clock: FixedClock) -> None:
    clock.set(shanghai(6, 1))
    agent = f.channel(svc, type="agent")
    clock.set(shanghai(9, 15))
    evaluate_period(svc, actor=SYSTEM, period="2026-08")

    assert flags(svc, agent.id) == ["2026-08"]


def test_a_report_is_late_after_its_own_frequencys_deadline(
    svc: Services, clock: FixedClock, quarterly_agents: None
) -> None:
    clock.set(shanghai(6, 1))
    store, agent, slow = (f.channel(svc, type="direct_store"), f.channel(svc, type="agent"),
                          f.channel(svc, type="agent"))
    clock.set(shanghai(9, 20))  # July: monthly deadline 2026-08-10 passed, quarterly 2026-10-10 not
    f.report(svc, store.code, {"2026-07": 100})
    f.report(svc, agent.code, {"2026-07": 100})
    clock.set(shanghai(10, 15))
    f.report(svc, slow.code, {"2026-07": 100})

    assert (late(svc, store.id, "2026-07"), late(svc, agent.id, "2026-07"), late(svc, slow.id, "2026-07")) == (
        True, False, True)


def test_a_bad_frequency_is_refused_with_every_problem(svc: Services) -> None:
    with pytest.raises(InvalidInput) as refused:
        update_thresholds(svc, actor=f.admin(svc), values={"report_frequency": {"agent": "weekly", "kiosk": "monthly"}})
    assert {(p.path, p.message) for p in refused.value.problems} == {
        ("thresholds.report_frequency.agent", "must be monthly or quarterly"),
        ("thresholds.report_frequency.kiosk", "unknown channel type; known: direct_store, agent, ecommerce, social")}
