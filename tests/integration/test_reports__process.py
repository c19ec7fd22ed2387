"""Process analytics on a seeded world (see `tests.support.report_world` for the story)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.report_world import ReportWorld, seed_report_world
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import InvalidInput, NotFound
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.process import process_report
from workflows.services.process_views import ProcessReport


@pytest.fixture
def world(svc: Services, clock: FixedClock) -> ReportWorld:
    return seed_report_world(svc, clock)


def onboarding(svc: Services, **options: int) -> ProcessReport:
    return process_report(svc, actor=SYSTEM, workflow="channel_onboarding", **options)


def test_time_per_state_is_p50_and_p90_of_the_visits_in_working_hours(svc: Services, world: ReportWorld) -> None:
    states = {s.state: s for s in onboarding(svc).states}
    assert [(s.state, s.title_zh) for s in states.values()][:3] == [
        ("draft", "草稿"), ("under_review", "审核中"), ("changes_requested", "待修改")]
    assert (states["draft"].visits, states["draft"].p50_hours, states["draft"].p90_hours) == (3, 1.0, 1.8)
    review = states["under_review"]  # A: 33 h, B's first round: 3 h (Friday 17:00 to Monday 11:00)
    assert (review.visits, review.p50_hours, review.p90_hours, review.total_hours) == (2, 18.0, 30.0, 36.0)
    assert (states["changes_requested"].visits, states["changes_requested"].p50_hours) == (1, 6.0)
    assert states["approved"].visits == 0 and states["approved"].final


def test_the_states_where_instances_wait_longest_come_first(svc: Services, world: ReportWorld) -> None:
    report = onboarding(svc)
    assert report.slowest == ["under_review", "changes_requested", "draft"]
    review = next(s for s in report.states if s.state == "under_review")
    # C waits since Friday 10-09 17:00: 1 h + 8 h (make-up Saturday) + 7 weeks of 40 h + Monday 11-30 8 h
    assert (review.waiting_now, review.longest_wait_hours) == (2, 297.0)


def test_transitions_are_counted_with_the_rework_loop(svc: Services, world: ReportWorld) -> None:
    used = {(x.source, x.trigger, x.dest): (x.count, x.rework) for x in onboarding(svc).transitions}
    assert used[("draft", "submit", "under_review")] == (3, 0)
    assert used[("under_review", "request_changes", "changes_requested")] == (1, 0)
    assert used[("changes_requested", "resubmit", "under_review")] == (1, 1)
    assert used[("under_review", "approve", "approved")] == (1, 0)
    assert used[("under_review", "reject", "rejected")] == (0, 0)
    assert onboarding(svc).rework_instances == 1


def test_cycle_time_and_outcomes_of_the_completed_instances(svc: Services, world: ReportWorld) -> None:
    report = onboarding(svc)
    assert (report.instances, report.completed, report.outcomes) == (3, 1, {"approved": 1})
    assert (report.cycle_p50_hours, report.cycle_p90_hours) == (34.0, 34.0)  # Friday 17:00 to the next Friday 10:00


def test_weekly_throughput_and_backlog(svc: Services, world: ReportWorld) -> None:
    weekly = onboarding(svc).weekly
    assert [w.week for w in weekly] == [date(2026, 9, 14) + timedelta(weeks=n) for n in range(12)]
    assert [(w.started, w.completed, w.backlog) for w in weekly] == [
        (0, 0, 0), (0, 0, 0), (0, 0, 0), (1, 0, 1), (0, 0, 1), (0, 0, 1), (1, 0, 2), (1, 1, 2),
        (0, 0, 2), (0, 0, 2), (0, 0, 2), (0, 0, 2)]


def test_fewer_weeks_leave_older_instances_out_of_the_cohort_but_in_the_backlog(
    svc: Services, world: ReportWorld
) -> None:
    report = onboarding(svc, weeks=4)  # from Monday 11-09: no instance started since
    assert (report.instances, report.completed, [w.backlog for w in report.weekly]) == (0, 0, [2, 2, 2, 2])


def test_a_version_alone_and_an_unknown_version_or_workflow(svc: Services, world: ReportWorld) -> None:
    assert onboarding(svc, version=1).instances == 3
    with pytest.raises(NotFound):
        onboarding(svc, version=2)
    with pytest.raises(NotFound):
        process_report(svc, actor=SYSTEM, workflow="nothing")


@pytest.mark.parametrize("weeks", [0, 53])
def test_weeks_outside_1_to_52_are_refused(svc: Services, weeks: int) -> None:
    with pytest.raises(InvalidInput):
        onboarding(svc, weeks=weeks)
