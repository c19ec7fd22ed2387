"""Lifecycle suggestions: a trend opens the committee's approval task and never moves the stage itself."""

from __future__ import annotations

from channels import tables as ct
from channels.evaluation import evaluate_period
from channels.queries import open_lifecycle_suggestions
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger
from workflows.services.tasks import complete_task

GROWING = {"2026-Q1": 100, "2026-Q2": 115, "2026-Q3": 130}
FALLING = {"2026-Q1": 100, "2026-Q2": 90, "2026-Q3": 80}


def suggestions(svc: Services) -> list[dict[str, object]]:
    return f.rows(svc, ct.lifecycle_suggestions)


def move_to(svc: Services, channel_id: int, committee: Actor, *triggers: str) -> None:
    [lifecycle] = f.instances_of(svc, channel_id, "channel_lifecycle")
    for trigger in triggers:
        fire_trigger(svc, actor=committee, instance_id=int(str(lifecycle["id"])), trigger=trigger)


def test_growing_quarters_suggest_growth_and_open_a_committee_approval_without_moving(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter(GROWING))
    assert evaluate_period(svc, actor=SYSTEM, period="2026-Q3").counts["suggestions"] == 1
    [suggestion] = suggestions(svc)
    assert (suggestion["from_stage"], suggestion["to_stage"], suggestion["status"]) == ("introduction", "growth",
                                                                                       "open")
    [task] = f.rows(svc, t.tasks, t.tasks.c.id == suggestion["task_id"])
    assert (task["name"], task["candidate_group"], task["status"]) == ("approve_advance", "committee", "open")
    assert f.channel_row(svc, a.id)["stage"] == "introduction"


def test_the_committees_approval_moves_the_stage_and_accepts_the_suggestion(
        svc: Services, make_user: UserFactory) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter(GROWING))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    [suggestion] = suggestions(svc)
    complete_task(svc, actor=make_user("committee"), task_id=int(str(suggestion["task_id"])), decision="approve")
    row = f.channel_row(svc, a.id)
    assert (row["stage"], row["stage_dates"]["growth"]) == ("growth", "2026-11-23")
    assert suggestions(svc)[0]["status"] == "accepted"


def test_a_rejected_suggestion_is_declined_and_no_longer_open(svc: Services, make_user: UserFactory) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter(GROWING))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    [suggestion] = suggestions(svc)
    complete_task(svc, actor=make_user("committee"), task_id=int(str(suggestion["task_id"])), decision="reject")
    with svc.uow(write=False) as uow:
        assert open_lifecycle_suggestions(uow) == []
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    assert [s["status"] for s in suggestions(svc)] == ["declined"]
    assert f.channel_row(svc, a.id)["stage"] == "introduction"


def test_a_quarter_suggests_once_however_often_it_is_evaluated(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter(GROWING))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    assert "suggestions" not in evaluate_period(svc, actor=SYSTEM, period="2026-Q3").counts
    assert len(suggestions(svc)) == 1


def test_falling_quarters_in_maturity_suggest_decline(svc: Services, make_user: UserFactory) -> None:
    a = f.channel(svc)
    move_to(svc, a.id, make_user("committee"), "advance", "advance")
    f.report(svc, a.code, f.by_quarter(FALLING))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    [suggestion] = suggestions(svc)
    assert (suggestion["from_stage"], suggestion["to_stage"], suggestion["trigger"]) == ("maturity", "decline",
                                                                                        "advance")


def test_a_flat_trend_in_introduction_suggests_nothing(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter({"2026-Q1": 100, "2026-Q2": 102, "2026-Q3": 101}))
    assert "suggestions" not in evaluate_period(svc, actor=SYSTEM, period="2026-Q3").counts
