"""The SLA report: attainment per goal over the clocks stopped in a window, and open breaches."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.principals import Actor
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.reports import GoalAttainment, sla_report
from workflows.services.timers import fire_due_timers

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026, Shanghai time (UTC+8)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def seeded(svc: Services, make_user: UserFactory, clock: FixedClock) -> dict[str, int]:
    """Four complaints opened Monday 23 November 09:00: three acknowledged in time, one breached.

    a (normal): acknowledged at 10:00 (1 working hour used)
    b (normal): acknowledged at 11:00 (2 working hours)
    d (normal): acknowledged at 10:00, then waiting for the customer from 11:00 (resolution paused)
    c (high, 4 working hours): never acknowledged; the 14:00 sweep breaches it (4 hours used)
    """
    manager: Actor = make_user(roles=("channel_manager",))
    ids = {name: start_instance(svc, actor=manager, workflow="complaint", data={"severity": severity}).id
           for name, severity in (("a", "normal"), ("b", "normal"), ("c", "high"), ("d", "normal"))}
    clock.set(shanghai(23, 10))
    fire_trigger(svc, actor=manager, instance_id=ids["a"], trigger="acknowledge")
    fire_trigger(svc, actor=manager, instance_id=ids["d"], trigger="acknowledge")
    clock.set(shanghai(23, 11))
    fire_trigger(svc, actor=manager, instance_id=ids["b"], trigger="acknowledge")
    fire_trigger(svc, actor=manager, instance_id=ids["d"], trigger="wait_customer")
    clock.set(shanghai(23, 14))
    assert fire_due_timers(svc).fired == 2  # c: first-response warning and breach (-> escalated)
    return ids


def goals(svc: Services, start: datetime, end: datetime) -> dict[str, GoalAttainment]:
    return {g.goal: g for g in sla_report(svc, workflow="complaint", start=start, end=end).goals}


def test_counts_met_and_breached_goals_with_attainment_and_average_time_used(
    svc: Services, seeded: dict[str, int]
) -> None:
    report = goals(svc, shanghai(23, 0), shanghai(24, 0))
    first = report["first_response"]
    assert (first.met, first.breached, first.attainment) == (3, 1, 75.0)
    assert first.average_used_seconds == (3600 + 7200 + 3600 + 4 * 3600) / 4
    assert first.open_breached == 0


def test_a_goal_without_stopped_clocks_has_no_attainment_and_a_paused_clock_is_not_counted(
    svc: Services, seeded: dict[str, int]
) -> None:
    resolution = goals(svc, shanghai(23, 0), shanghai(24, 0))["resolution"]
    assert resolution == GoalAttainment(goal="resolution", met=0, breached=0, attainment=None,
                                        average_used_seconds=None, open_breached=0)


def test_only_clocks_stopped_inside_the_window_are_counted(svc: Services, seeded: dict[str, int]) -> None:
    first = goals(svc, shanghai(23, 12), shanghai(23, 14, 1))["first_response"]
    assert (first.met, first.breached, first.attainment) == (0, 1, 0.0)
    assert goals(svc, shanghai(23, 10), shanghai(23, 11))["first_response"].met == 2  # the end is excluded


def test_a_running_clock_already_breached_is_reported_apart(
    svc: Services, seeded: dict[str, int], clock: FixedClock
) -> None:
    # c's resolution goal (24 working hours) runs out on Wednesday 18:00; escalating an escalated
    # complaint is not possible, so the breach is recorded and the clock keeps running.
    clock.set(shanghai(25, 18))
    assert fire_due_timers(svc).fired == 2
    report = sla_report(svc, workflow="complaint", start=shanghai(23, 0), end=shanghai(26, 0))
    resolution = next(g for g in report.goals if g.goal == "resolution")
    assert (resolution.met, resolution.breached, resolution.open_breached) == (0, 0, 1)
    assert [(b.instance_id, b.goal, b.status) for b in report.open_breaches] == [
        (seeded["c"], "resolution", "running")]
    assert report.open_breaches[0].breached_at == shanghai(25, 18)


def test_the_window_defaults_to_the_30_days_before_now(svc: Services, seeded: dict[str, int]) -> None:
    report = sla_report(svc, workflow="complaint")
    assert (report.start, report.end) == (datetime(2026, 10, 24, 6, tzinfo=UTC), shanghai(23, 14))
    assert next(g for g in report.goals if g.goal == "first_response").met == 3


def test_a_naive_or_empty_window_is_refused(svc: Services) -> None:
    with pytest.raises(InvalidInput) as naive:
        sla_report(svc, workflow="complaint", start=datetime(2026, 11, 1), end=shanghai(23, 0))
    assert [p.path for p in naive.value.problems] == ["start"]
    with pytest.raises(InvalidInput) as empty:
        sla_report(svc, workflow="complaint", start=shanghai(23, 0), end=shanghai(23, 0))
    assert [p.message for p in empty.value.problems] == ["must be before end"]


def test_an_unknown_workflow_is_not_found(svc: Services) -> None:
    with pytest.raises(NotFound):
        sla_report(svc, workflow="no_such_workflow", start=shanghai(23, 0), end=shanghai(24, 0))
