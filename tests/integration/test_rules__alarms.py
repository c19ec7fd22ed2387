"""Alarms: a fall of MORE than 20% alarms, exactly 20% does not; channel and region level;
the manager and the regional lead are told at once and an emergency response task opens."""

from __future__ import annotations

from channels import tables as ct
from channels.evaluation import evaluate_period
from channels.rules.alarms import change_pct, is_alarm
from channels.thresholds import update_thresholds
from tests.integration.helpers import open_tasks
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services


def alarms(svc: Services) -> list[dict[str, object]]:
    return sorted(f.rows(svc, ct.channel_alarms), key=lambda r: str(r["key"]))


def test_a_drop_of_exactly_the_threshold_is_not_an_alarm() -> None:
    assert change_pct(previous=300, current=240) == -20.0
    assert not is_alarm(previous=300, current=240, drop_pct=20)
    assert is_alarm(previous=300, current=239.99, drop_pct=20)
    assert not is_alarm(previous=0, current=0, drop_pct=20)


def test_a_channel_falling_by_exactly_20_percent_raises_no_alarm(svc: Services) -> None:
    a, b = f.channel(svc), f.channel(svc)
    f.report(svc, a.code, {"2026-09": 100, "2026-10": 80})
    f.report(svc, b.code, {"2026-09": 100, "2026-10": 100})
    assert evaluate_period(svc, actor=SYSTEM, period="2026-10").counts.get("channel_alarms") is None
    assert alarms(svc) == []


def test_a_channel_falling_by_more_than_20_percent_alarms_its_manager_and_region_and_opens_a_response(
        svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    a = f.channel(svc, manager=manager, region="north")
    others = [f.channel(svc, region="north") for _ in range(3)]
    f.report(svc, a.code, {"2026-09": 100, "2026-10": 79.9})
    for other in others:
        f.report(svc, other.code, {"2026-09": 100, "2026-10": 100})
    counts = evaluate_period(svc, actor=SYSTEM, period="2026-10").counts
    assert counts["channel_alarms"] == 1 and "region_alarms" not in counts
    [alarm] = alarms(svc)
    assert (alarm["scope"], alarm["channel_id"], alarm["change_pct"]) == ("channel", a.id, -20.1)
    assert f.outbox_to(svc, f"user:{manager.id}", "kpi_alarm")
    assert f.outbox_to(svc, "group:region:north", "kpi_alarm")
    [task] = open_tasks(svc, int(str(alarm["instance_id"])))
    assert (task["name"], task["assignee_id"]) == ("respond", manager.id)


def test_a_region_falling_by_more_than_20_percent_raises_a_region_alarm_for_its_lead(
        svc: Services, make_user: UserFactory) -> None:
    lead = make_user("region:west")
    channels = [f.channel(svc, region="west") for _ in range(2)]
    f.report(svc, channels[0].code, {"2026-09": 100, "2026-10": 85})
    f.report(svc, channels[1].code, {"2026-09": 100, "2026-10": 70})
    counts = evaluate_period(svc, actor=SYSTEM, period="2026-10").counts
    assert (counts["channel_alarms"], counts["region_alarms"]) == (1, 1)
    [region] = [a for a in alarms(svc) if a["scope"] == "region"]
    assert (region["region"], region["previous"], region["current"], region["change_pct"]) == ("west", 200, 155, -22.5)
    [task] = open_tasks(svc, int(str(region["instance_id"])))
    assert task["assignee_id"] == lead.id


def test_an_alarm_is_raised_once_however_often_the_month_is_evaluated(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, {"2026-09": 100, "2026-10": 50})
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    assert len([x for x in alarms(svc) if x["scope"] == "channel"]) == 1
    assert len(f.instances_of(svc, a.id, "emergency_response")) == 1


def test_the_alarm_threshold_is_an_admin_setting(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, {"2026-09": 100, "2026-10": 75})
    update_thresholds(svc, actor=f.admin(svc), values={"alarm_drop_pct": 30})
    assert "channel_alarms" not in evaluate_period(svc, actor=SYSTEM, period="2026-10").counts
