"""The demo data: every role can log in and finds work waiting."""

from __future__ import annotations

from channelops import demo
from workflows.services.context import Services
from workflows.services.queries import inbox, list_instances
from workflows.services.users import actor_for


def test_the_demo_seeds_every_workflow_in_several_states_and_fills_inboxes(svc: Services) -> None:
    logins = [login for login, _ in demo.seed(svc)]
    assert {"admin", "chen.committee", "li.market", "wang.sales", "zhao.finance", "audit"} <= set(logins)
    states: dict[str, set[str]] = {}
    for item in list_instances(svc, limit=500).items:
        states.setdefault(item.workflow, set()).add(item.state)
    assert states["channel_onboarding"] >= {"draft", "under_review", "changes_requested", "approved", "rejected"}
    assert states["complaint"] >= {"received", "investigating", "waiting_customer", "escalated", "closed"}
    assert states["card_escalation"] >= {"monitoring", "yellow_card", "red_card", "termination_review"}
    assert states["channel_lifecycle"] >= {"introduction", "growth", "maturity", "decline"}
    for login in ("li.market", "wang.sales", "zhao.finance", "chen.committee"):
        assert inbox(svc, actor=actor_for(svc, login=login)).total > 0, login
    channel_subjects = {i.subject_id for i in list_instances(svc, limit=500).items if i.subject_type == "channel"}
    assert len(channel_subjects) == 30
