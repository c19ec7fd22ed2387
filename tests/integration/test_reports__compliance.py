"""Department execution compliance on a seeded world (see `tests.support.report_world` for the story)."""

from __future__ import annotations

import pytest

from tests.support.fixtures import UserFactory
from tests.support.report_world import ReportWorld, seed_report_world
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import InvalidInput, NotFound, PermissionDenied
from workflows.domain.principals import SYSTEM
from workflows.services.compliance import compliance_report
from workflows.services.compliance_views import GroupCompliance
from workflows.services.context import Services


@pytest.fixture
def world(svc: Services, clock: FixedClock) -> ReportWorld:
    return seed_report_world(svc, clock)


def groups(svc: Services, period: str = "2026-11") -> dict[str, GroupCompliance]:
    return {g.group: g for g in compliance_report(svc, actor=SYSTEM, period=period).groups}


def counts(group: GroupCompliance) -> tuple[int, ...]:
    return (group.received, group.on_time, group.late, group.overdue, group.open, group.cancelled, group.escalated)


def test_lists_the_four_departments_with_their_titles_in_order(svc: Services, world: ReportWorld) -> None:
    report = compliance_report(svc, actor=SYSTEM, period="2026-11")
    assert [(g.group, g.title_zh, g.title_en) for g in report.groups] == [
        ("market", "市场部", "Market"), ("sales", "销售部", "Sales"), ("finance", "财务部", "Finance"),
        ("it", "信息技术部", "IT")]
    assert (report.start.isoformat(), report.end.isoformat()) == ("2026-10-31T16:00:00+00:00",
                                                                  "2026-11-30T16:00:00+00:00")


def test_counts_tasks_received_decided_on_time_late_overdue_cancelled_and_escalated(
    svc: Services, world: ReportWorld
) -> None:
    found = groups(svc)
    assert counts(found["finance"]) == (5, 3, 2, 0, 0, 0, 1)
    assert counts(found["market"]) == (3, 2, 0, 1, 0, 0, 1)
    assert counts(found["sales"]) == (3, 0, 1, 1, 0, 1, 1)
    assert counts(found["it"]) == (0, 0, 0, 0, 0, 0, 0)
    assert [found[g].on_time_rate for g in ("finance", "market", "sales", "it")] == [60.0, 66.67, 0.0, None]


def test_decision_times_are_median_and_p90_in_working_hours_across_the_weekend(
    svc: Services, world: ReportWorld
) -> None:
    found = groups(svc)
    # finance: 2 h, 2 h (Friday 17:00 to Monday 10:00), 2 h, 9 h, 33 h
    assert (found["finance"].median_hours, found["finance"].p90_hours) == (2.0, 23.4)
    assert (found["market"].median_hours, found["market"].p90_hours) == (6.0, 8.4)  # 3 h and 9 h
    assert (found["sales"].median_hours, found["sales"].p90_hours) == (33.0, 33.0)
    assert (found["it"].median_hours, found["it"].p90_hours) == (None, None)


def test_a_make_up_saturday_counts_as_working_time(svc: Services, world: ReportWorld) -> None:
    finance = groups(svc, "2026-10")["finance"]
    assert (finance.received, finance.on_time, finance.median_hours) == (1, 1, 10.0)


def test_the_drill_down_shows_who_decided_how_many_and_how_fast(svc: Services, world: ReportWorld) -> None:
    people = {p.login: p for p in groups(svc)["finance"].people}
    assert sorted(people) == ["com.one", "fin.one", "fin.two"]
    one = people["fin.one"]
    assert (one.display_name, one.on_time, one.late, one.median_hours, one.p90_hours) == ("Fin One", 2, 1, 2.0, 7.6)
    assert (people["fin.two"].on_time, people["fin.two"].median_hours) == (1, 2.0)
    committee = people["com.one"]  # decided finance's escalated task, late
    assert (committee.on_time, committee.late, committee.escalated, committee.median_hours) == (0, 1, 1, 33.0)


def test_sla_attainment_covers_the_workflows_the_group_worked_on(svc: Services, world: ReportWorld) -> None:
    finance, market = groups(svc)["finance"], groups(svc)["market"]
    assert [(s.workflow, s.title_zh, s.met, s.breached, s.attainment) for s in finance.sla] == [
        ("channel_onboarding", "渠道入驻审核", 0, 0, None), ("refund", "退款审批", 1, 1, 50.0)]
    assert finance.sla_attainment == 50.0
    assert ([s.workflow for s in market.sla], market.sla_attainment) == (["channel_onboarding"], None)


def test_the_trend_has_twelve_months_ending_with_the_period(svc: Services, world: ReportWorld) -> None:
    trend = groups(svc)["finance"].trend
    assert [m.period for m in trend] == ["2025-12", *(f"2026-{n:02d}" for n in range(1, 12))]
    assert [(m.period, m.received, m.on_time, m.late, m.escalated, m.on_time_rate) for m in trend if m.received] == [
        ("2026-10", 1, 1, 0, 0, 100.0), ("2026-11", 5, 3, 2, 1, 60.0)]
    market = {m.period: m for m in groups(svc)["market"].trend}
    assert (market["2026-10"].overdue, market["2026-10"].escalated, market["2026-09"].received) == (1, 1, 0)


def test_one_group_alone(svc: Services, world: ReportWorld) -> None:
    report = compliance_report(svc, actor=world.people["mkt"], period="2026-11", group="market")
    assert [(g.group, g.received) for g in report.groups] == [("market", 3)]


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "November", "1999-12", " 2026-11"])
def test_a_period_that_is_not_a_month_is_refused(svc: Services, period: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        compliance_report(svc, actor=SYSTEM, period=period)
    assert [p.path for p in raised.value.problems] == ["period"]


def test_an_unknown_group_is_not_found(svc: Services) -> None:
    with pytest.raises(NotFound):
        compliance_report(svc, actor=SYSTEM, period="2026-11", group="marketing")


def test_a_member_reads_only_their_own_group_and_the_committee_reads_all(
    svc: Services, world: ReportWorld, make_user: UserFactory
) -> None:
    with pytest.raises(PermissionDenied):
        compliance_report(svc, actor=world.people["mkt"], period="2026-11", group="finance")
    with pytest.raises(PermissionDenied):
        compliance_report(svc, actor=world.people["mkt"], period="2026-11")
    assert len(compliance_report(svc, actor=world.people["com"], period="2026-11").groups) == 4
    auditor = make_user(roles=("viewer",))
    assert len(compliance_report(svc, actor=auditor, period="2026-11", group="sales").groups) == 1
