"""The channel registry: registration, changes and their audit, onboarding and termination links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from channels.queries import get_channel
from channels.registry import create_channel, list_channels, update_channel
from channels.rows import find_channel
from tests.integration.helpers import task_for
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import Conflict, InvalidInput, PermissionDenied
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import complete_task
from workflows.services.timers import fire_due_timers


def audit_rows(svc: Services, channel_id: int) -> list[dict[str, object]]:
    e = t.audit_events.c
    return f.rows(svc, t.audit_events, e.entity_type == "channel", e.entity_id == str(channel_id))


def test_a_channel_manager_registers_a_pending_channel_that_they_manage(svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    view = create_channel(svc, actor=manager, values={"code": "C-900", "name": "杭州直营店", "type": "direct_store",
                                                      "region": "east"})
    assert (view.stage, view.active, view.card, view.manager_id) == ("pending", False, "none", manager.id)
    assert [row["action"] for row in audit_rows(svc, view.id)] == ["created"]


def test_a_subject_of_more_digits_than_an_id_holds_is_looked_up_as_a_code(svc: Services) -> None:
    f.channel(svc, code="12345678901234567890")
    with svc.uow(write=False) as uow:
        found = find_channel(uow, "12345678901234567890")
        assert (found or {}).get("code") == "12345678901234567890"
        assert find_channel(uow, "9" * 30) is None


def test_a_channel_manager_may_not_register_a_channel_for_someone_else(svc: Services, make_user: UserFactory) -> None:
    manager, other = make_user(roles=("channel_manager",)), make_user(roles=("channel_manager",))
    with pytest.raises(PermissionDenied):
        create_channel(svc, actor=manager, values={"code": "C-901", "name": "x", "type": "agent", "region": "east",
                                                   "manager_id": other.id})


def test_a_viewer_may_not_register_a_channel(svc: Services, make_user: UserFactory) -> None:
    with pytest.raises(PermissionDenied):
        create_channel(svc, actor=make_user(roles=("viewer",)), values={"code": "C-1", "name": "x", "type": "agent",
                                                                        "region": "east"})


def test_every_bad_field_is_reported_and_a_duplicate_code_is_a_conflict(svc: Services) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_channel(svc, actor=f.admin(svc), values={"code": "bad code!", "name": " ", "type": "shop",
                                                        "region": "East Region", "manager_id": 999999})
    assert {p.path for p in caught.value.problems} == {"code", "name", "type", "region", "manager_id"}
    f.channel(svc, code="C-DUP")
    with pytest.raises(Conflict):
        f.channel(svc, code="C-DUP")


def test_an_admin_registers_an_operating_channel_active_in_introduction_with_its_lifecycle(svc: Services) -> None:
    view = f.channel(svc)
    assert (view.stage, view.active) == ("introduction", True)
    assert view.stage_dates == {"introduction": "2026-11-23"}
    [lifecycle] = f.instances_of(svc, view.id, "channel_lifecycle")
    assert lifecycle["state"] == "introduction"
    trail = [(row["action"], row["from_state"], row["to_state"]) for row in audit_rows(svc, view.id)]
    assert trail == [("created", None, "pending"), ("activated", "pending", None),
                     ("stage_changed", "pending", "introduction")]


def test_a_change_is_audited_with_from_and_to_and_the_reason(svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    view = f.channel(svc, manager=manager)
    update_channel(svc, actor=manager, channel_id=view.id, changes={"name": "新名字", "region": "south"},
                   comment="moved")
    [change] = [row for row in audit_rows(svc, view.id) if row["action"] == "changed"]
    assert change["data"] == {"name": {"from": "测试渠道", "to": "新名字"}, "region": {"from": "east", "to": "south"}}
    assert (change["comment"], change["actor_login"]) == ("moved", manager.login)


def test_a_channel_manager_may_change_only_their_own_channels_and_not_hand_them_over(
        svc: Services, make_user: UserFactory) -> None:
    manager, other = make_user(roles=("channel_manager",)), make_user(roles=("channel_manager",))
    mine, theirs = f.channel(svc, manager=manager), f.channel(svc, manager=other)
    with pytest.raises(PermissionDenied):
        update_channel(svc, actor=manager, channel_id=theirs.id, changes={"name": "x"})
    with pytest.raises(PermissionDenied):
        update_channel(svc, actor=manager, channel_id=mine.id, changes={"manager_id": other.id})


def test_stage_and_card_cannot_be_edited_by_hand(svc: Services) -> None:
    view = f.channel(svc)
    with pytest.raises(InvalidInput) as caught:
        update_channel(svc, actor=f.admin(svc), channel_id=view.id, changes={"stage": "maturity", "card": "none"})
    assert {p.path for p in caught.value.problems} == {"stage", "card"}


def test_channels_are_filtered_and_paginated(svc: Services) -> None:
    for region in ("east", "east", "west"):
        f.channel(svc, region=region, type="ecommerce")
    f.channel(svc, region="east", type="agent")
    page = list_channels(svc, region="east", type="ecommerce", limit=1)
    assert (page.total, len(page.items), page.items[0].region) == (2, 1, "east")
    assert list_channels(svc, stage="introduction").total == 4
    with pytest.raises(InvalidInput):
        list_channels(svc, card="green")


def onboard(svc: Services, make_user: UserFactory, subject: dict[str, str] | None = None) -> int:
    applicant = make_user(roles=("channel_manager",))
    inst = start_instance(svc, actor=applicant, workflow="channel_onboarding", subject=subject,
                          data={"channel_name": "成都代理商", "channel_type": "agent", "region": "southwest"})
    fire_trigger(svc, actor=applicant, instance_id=inst.id, trigger="submit")
    for group in ("market", "sales", "finance"):
        complete_task(svc, actor=make_user(group), task_id=task_for(svc, inst.id, group), decision="approve")
    return inst.id


def test_an_approved_onboarding_registers_and_activates_the_channel_and_starts_its_lifecycle(
        svc: Services, make_user: UserFactory) -> None:
    instance_id = onboard(svc, make_user)
    [view] = list_channels(svc, region="southwest").items
    assert (view.code, view.type, view.stage, view.active) == (f"CH-{instance_id:06d}", "agent", "introduction", True)
    assert [i["state"] for i in f.instances_of(svc, view.id, "channel_lifecycle")] == ["introduction"]
    trail = [(row["action"], row["to_state"], row["instance_id"] == instance_id) for row in audit_rows(svc, view.id)]
    assert trail == [("created", "pending", False), ("activated", None, True), ("stage_changed", "introduction", False)]


def test_an_approved_onboarding_activates_the_pending_channel_named_by_its_subject(
        svc: Services, make_user: UserFactory) -> None:
    pending = f.channel(svc, active=False, code="C-PEND")
    onboard(svc, make_user, subject={"type": "channel", "id": "C-PEND"})
    detail = get_channel(svc, channel_id=pending.id)
    assert (detail.channel.stage, detail.channel.active) == ("introduction", True)
    assert {i.workflow for i in detail.instances} == {"channel_onboarding", "channel_lifecycle"}
    assert [row["action"] for row in audit_rows(svc, pending.id)] == ["created", "activated", "stage_changed"]


def test_a_termination_moves_the_lifecycle_to_exit_and_deactivates_the_channel(
        svc: Services, make_user: UserFactory, clock: FixedClock) -> None:
    view = f.channel(svc)
    card = start_instance(svc, actor=SYSTEM, workflow="card_escalation",
                          subject={"type": "channel", "id": str(view.id)})
    committee = make_user("committee")
    fire_trigger(svc, actor=SYSTEM, instance_id=card.id, trigger="issue_yellow")
    assert f.channel_row(svc, view.id)["card"] == "yellow"
    clock.advance(timedelta(days=93))
    fire_due_timers(svc)
    assert f.channel_row(svc, view.id)["card"] == "red"
    complete_task(svc, actor=committee, task_id=task_for(svc, card.id, "committee"), decision="approve")
    complete_task(svc, actor=committee, task_id=task_for(svc, card.id, "committee"), decision="approve")
    row = f.channel_row(svc, view.id)
    assert (row["stage"], row["active"], row["card"]) == ("exit", False, "red")
    [lifecycle] = f.instances_of(svc, view.id, "channel_lifecycle")
    assert (lifecycle["state"], lifecycle["status"]) == ("exit", "completed")
    with svc.uow(write=False) as uow:
        checklist = uow.conn.execute(select(t.tasks.c.name).where(t.tasks.c.instance_id == lifecycle["id"])).scalars()
        assert set(checklist) == {"settle_accounts", "recover_stock", "revoke_authorisation"}
