"""Quarterly attainment and cards at their boundaries: exactly 100% is met, two missed quarters
bring a yellow card, a recovery on the last day of the improvement period stops the red card."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from channels import tables as ct
from channels.evaluation import evaluate_period
from channels.thresholds import update_thresholds
from tests.integration.helpers import timers
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.timers import fire_due_timers


def card_instance(svc: Services, channel_id: int) -> dict[str, object] | None:
    found = f.instances_of(svc, channel_id, "card_escalation")
    return found[-1] if found else None


def results(svc: Services, channel_id: int) -> dict[str, tuple[float, bool]]:
    return {r["period"]: (r["attainment"], r["met"])
            for r in f.rows(svc, ct.quarter_results, ct.quarter_results.c.channel_id == channel_id)}


def snapshot(svc: Services) -> tuple[int, ...]:
    with svc.uow(write=False) as uow:
        return tuple(int(uow.conn.execute(select(func.count()).select_from(table)).scalar_one()) for table in (
            t.audit_events, t.outbox, t.instances, t.tasks, t.timers, ct.quarter_results))


def test_exactly_100_percent_attainment_is_a_met_quarter(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter({"2026-Q2": 100, "2026-Q3": 100}))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q2")
    result = evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    assert results(svc, a.id) == {"2026-Q2": (100.0, True), "2026-Q3": (100.0, True)}
    assert result.counts == {"met": 1}
    assert card_instance(svc, a.id) is None


def test_two_consecutive_missed_quarters_issue_a_yellow_card(svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    a = f.channel(svc, manager=manager)
    f.report(svc, a.code, f.by_quarter({"2026-Q2": 99.9, "2026-Q3": 99}))
    result = evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    assert result.counts == {"issue_yellow": 1, "missed": 1}
    inst = card_instance(svc, a.id)
    assert inst is not None and inst["state"] == "yellow_card"
    assert f.channel_row(svc, a.id)["card"] == "yellow"
    assert f.outbox_to(svc, "group:committee", "yellow_card_issued")
    assert len(f.outbox_to(svc, f"login:{manager.login}", "yellow_card_issued")) == 1  # told once
    assert f.outbox_to(svc, f"user:{manager.id}", "yellow_card_issued") == []


def test_one_missed_quarter_after_a_met_one_issues_nothing(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter({"2026-Q2": 100, "2026-Q3": 50}))
    assert evaluate_period(svc, actor=SYSTEM, period="2026-Q3").counts == {"missed": 1}
    assert f.channel_row(svc, a.id)["card"] == "none"


def test_running_a_quarter_twice_changes_nothing_the_second_time(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter({"2026-Q2": 80, "2026-Q3": 80}))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    before = snapshot(svc)
    assert evaluate_period(svc, actor=SYSTEM, period="2026-Q3").counts == {"missed": 1}
    assert snapshot(svc) == before


def yellow_card(svc: Services) -> tuple[int, dict[str, object]]:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter({"2026-Q2": 90, "2026-Q3": 90}))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    inst = card_instance(svc, a.id)
    assert inst is not None
    [deadline] = timers(svc, int(str(inst["id"])))
    return a.id, deadline


def test_a_recovery_on_the_last_day_of_the_improvement_period_cancels_the_red_card(
        svc: Services, clock: FixedClock) -> None:
    channel_id, deadline = yellow_card(svc)
    assert deadline["due_at"] - clock.now() >= timedelta(days=89)  # three calendar months
    clock.set(deadline["due_at"] - timedelta(minutes=1))
    code = f.channel_row(svc, channel_id)["code"]
    f.report(svc, code, f.by_quarter({"2026-Q4": 100}))
    assert evaluate_period(svc, actor=SYSTEM, period="2026-Q4").counts == {"met": 1, "recover": 1}
    clock.advance(timedelta(days=1))
    fire_due_timers(svc)
    inst = card_instance(svc, channel_id)
    assert inst is not None and inst["state"] == "monitoring"
    assert f.channel_row(svc, channel_id)["card"] == "none"
    assert timers(svc, int(str(inst["id"])), status="cancelled")


def test_without_a_recovery_the_deadline_timer_gives_a_red_card(svc: Services, clock: FixedClock) -> None:
    channel_id, deadline = yellow_card(svc)
    clock.set(deadline["due_at"])
    fire_due_timers(svc)
    inst = card_instance(svc, channel_id)
    assert inst is not None and inst["state"] == "red_card"
    assert f.channel_row(svc, channel_id)["card"] == "red"


def test_re_running_an_older_quarter_after_a_recovery_does_not_issue_the_card_again(
        svc: Services, clock: FixedClock) -> None:
    channel_id, deadline = yellow_card(svc)
    clock.set(deadline["due_at"] - timedelta(days=10))
    f.report(svc, f.channel_row(svc, channel_id)["code"], f.by_quarter({"2026-Q4": 120}))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q4")
    assert evaluate_period(svc, actor=SYSTEM, period="2026-Q3").counts == {"missed": 1}
    assert f.channel_row(svc, channel_id)["card"] == "none"


def test_the_pass_mark_is_an_admin_setting(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter({"2026-Q2": 95, "2026-Q3": 95}))
    update_thresholds(svc, actor=f.admin(svc), values={"attainment_pass_pct": 95})
    assert evaluate_period(svc, actor=SYSTEM, period="2026-Q3").counts == {"met": 1}
