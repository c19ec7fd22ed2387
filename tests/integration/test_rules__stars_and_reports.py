"""Monthly star ratings, the five-star list, and missing monthly reports."""

from __future__ import annotations

from datetime import timedelta

from channels import tables as ct
from channels.activation import activate_in
from channels.evaluation import evaluate_period
from channels.queries import five_star_channels
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services

EXCELLENT = {"satisfaction": 4.8, "on_time_rate": 99, "return_rate": 1}
POOR = {"satisfaction": 2.0, "on_time_rate": 60, "return_rate": 15}


def test_each_channel_gets_stars_for_the_month_and_the_five_star_list_names_the_best(svc: Services) -> None:
    best, weak = f.channel(svc), f.channel(svc)
    f.report(svc, best.code, {"2026-10": 115}, **EXCELLENT)
    f.report(svc, weak.code, {"2026-10": 40}, **POOR)
    counts = evaluate_period(svc, actor=SYSTEM, period="2026-10").counts
    assert (counts["5_stars"], counts["1_stars"]) == (1, 1)
    assert (f.channel_row(svc, best.id)["stars"], f.channel_row(svc, weak.id)["stars"]) == (5, 1)
    with svc.uow(write=False) as uow:
        assert [c.code for c in five_star_channels(uow, "2026-10")] == [best.code]


def test_a_channels_stars_show_its_latest_rated_month_even_when_an_older_one_is_rerun(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, {"2026-09": 40}, **POOR)
    f.report(svc, a.code, {"2026-10": 115}, **EXCELLENT)
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    evaluate_period(svc, actor=SYSTEM, period="2026-09")
    assert f.channel_row(svc, a.id)["stars"] == 5
    assert {r["period"]: r["stars"] for r in f.rows(svc, ct.star_ratings)} == {"2026-09": 1, "2026-10": 5}


def test_a_rating_follows_a_corrected_report_when_the_month_is_rerun(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, {"2026-10": 40}, **POOR)
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    f.report(svc, a.code, {"2026-10": 115}, **EXCELLENT)
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    [rating] = f.rows(svc, ct.star_ratings)
    assert rating["stars"] == 5


def test_a_missing_report_is_flagged_once_after_the_deadline_and_its_manager_told(
        svc: Services, make_user: UserFactory, clock: FixedClock) -> None:
    manager = make_user(roles=("channel_manager",))
    clock.set(clock.now() - timedelta(days=60))  # 2026-09-24
    silent, talkative = f.channel(svc, manager=manager), f.channel(svc)
    clock.set(clock.now() + timedelta(days=60))  # 2026-11-23: October was due on 2026-11-10
    f.channel(svc)  # registered after October: owes no October report
    f.report(svc, talkative.code, {"2026-10": 100})
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    assert [(r["channel_id"], r["kind"]) for r in f.rows(svc, ct.kpi_report_flags)] == [(silent.id, "missing")]
    assert len(f.outbox_to(svc, f"user:{manager.id}", "kpi_report_missing")) == 1


def test_no_report_is_missing_before_the_deadline(svc: Services, clock: FixedClock) -> None:
    clock.set(clock.now() - timedelta(days=60))
    f.channel(svc)
    clock.set(clock.now() + timedelta(days=60))  # 2026-11-23: November is due on 2026-12-10
    evaluate_period(svc, actor=SYSTEM, period="2026-11")
    assert f.rows(svc, ct.kpi_report_flags) == []


def test_a_channel_activated_after_the_month_owes_no_report_for_it(svc: Services, clock: FixedClock) -> None:
    clock.set(clock.now() - timedelta(days=60))
    waiting = f.channel(svc, active=False)  # registered in September, onboarded in November
    clock.set(clock.now() + timedelta(days=60))
    with svc.uow() as uow:
        activate_in(svc, uow, actor=SYSTEM, channel_id=waiting.id, now=clock.now())
        uow.commit()
    assert f.channel_row(svc, waiting.id)["active"]
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    assert f.rows(svc, ct.kpi_report_flags) == []
