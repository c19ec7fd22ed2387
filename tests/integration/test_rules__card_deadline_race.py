"""The card deadline and the quarterly review fall in the same minute (`0 3 15 1,4,7,10 *` and a
3-month improvement period): whichever runs first, a channel that met its target in the quarter
ending before its deadline is never carded red, and a channel that still misses goes red."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from channels.evaluation import evaluate_period
from tests.integration.helpers import timers
from tests.support import channel_factories as f
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.timers import fire_due_timers

YELLOW_AT = datetime(2026, 7, 14, 19, 0, tzinfo=UTC)  # 2026-07-15 03:00 in Shanghai: the Q2 review
DEADLINE = datetime(2026, 10, 14, 19, 0, tzinfo=UTC)  # 2026-10-15 03:00 in Shanghai: the Q3 review


def yellow_carded_channel(svc: Services, clock: FixedClock, *, q3: float) -> int:
    """A channel that missed Q1 and Q2 (yellow card at the Q2 review) and reports Q3 at `q3` percent."""
    clock.set(YELLOW_AT)
    channel = f.channel(svc)
    f.report(svc, channel.code, f.by_quarter({"2026-Q1": 80, "2026-Q2": 85}))
    assert evaluate_period(svc, actor=SYSTEM, period="2026-Q2").counts["issue_yellow"] == 1
    [inst] = f.instances_of(svc, channel.id, "card_escalation")
    [deadline] = timers(svc, int(str(inst["id"])))
    assert deadline["due_at"] == DEADLINE
    clock.set(DEADLINE - timedelta(days=5))
    f.report(svc, channel.code, f.by_quarter({"2026-Q3": q3}))
    clock.set(DEADLINE)
    return channel.id


def deadline_first(svc: Services) -> None:
    fire_due_timers(svc)
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")


def review_first(svc: Services) -> None:
    evaluate_period(svc, actor=SYSTEM, period="2026-Q3")
    fire_due_timers(svc)


ORDERS = pytest.mark.parametrize("run", [deadline_first, review_first], ids=["deadline_first", "review_first"])


def card_changes(svc: Services, channel_id: int) -> list[str | None]:
    e = t.audit_events.c
    return [r["to_state"] for r in f.rows(svc, t.audit_events, e.entity_type == "channel",
                                          e.entity_id == str(channel_id), e.action == "card_changed")]


@ORDERS
def test_a_channel_that_met_the_quarter_before_its_deadline_has_its_card_lifted_whichever_runs_first(
        svc: Services, clock: FixedClock, run: Callable[[Services], None]) -> None:
    channel_id = yellow_carded_channel(svc, clock, q3=110)
    run(svc)
    [inst] = f.instances_of(svc, channel_id, "card_escalation")
    assert inst["state"] == "monitoring"
    assert f.channel_row(svc, channel_id)["card"] == "none"
    assert card_changes(svc, channel_id) == ["yellow", "none"]  # never red, not even for a moment
    assert f.outbox_to(svc, "group:committee", "red_card_issued") == []
    assert timers(svc, int(str(inst["id"])), status="scheduled") == []


@ORDERS
def test_a_channel_that_still_misses_its_target_at_the_deadline_gets_a_red_card_whichever_runs_first(
        svc: Services, clock: FixedClock, run: Callable[[Services], None]) -> None:
    channel_id = yellow_carded_channel(svc, clock, q3=90)
    run(svc)
    [inst] = f.instances_of(svc, channel_id, "card_escalation")
    assert inst["state"] == "red_card"
    assert f.channel_row(svc, channel_id)["card"] == "red"
    assert card_changes(svc, channel_id) == ["yellow", "red"]
    assert len(f.outbox_to(svc, "group:committee", "red_card_issued")) == 1


def test_a_channel_that_reported_nothing_for_the_last_quarter_gets_a_red_card_at_its_deadline(
        svc: Services, clock: FixedClock) -> None:
    clock.set(YELLOW_AT)
    channel = f.channel(svc)
    f.report(svc, channel.code, f.by_quarter({"2026-Q1": 80, "2026-Q2": 85}))
    evaluate_period(svc, actor=SYSTEM, period="2026-Q2")
    clock.set(DEADLINE)
    fire_due_timers(svc)
    assert f.channel_row(svc, channel.id)["card"] == "red"


def test_when_the_deadline_runs_first_the_trail_says_the_card_was_lifted_by_the_deadline_and_why(
        svc: Services, clock: FixedClock) -> None:
    channel_id = yellow_carded_channel(svc, clock, q3=110)
    fire_due_timers(svc)
    [inst] = f.instances_of(svc, channel_id, "card_escalation")
    e = t.audit_events.c
    [lifted] = f.rows(svc, t.audit_events, e.instance_id == inst["id"], e.trigger == "recover")
    assert (lifted["actor_login"], lifted["from_state"], lifted["to_state"]) == ("system", "yellow_card", "monitoring")
    assert "improvement_missed" in lifted["comment"]
    assert evaluate_period(svc, actor=SYSTEM, period="2026-Q3").counts == {"met": 1}  # nothing left to do
