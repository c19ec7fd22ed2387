"""Absence and delegation: routing to the substitute, handover, on-behalf records, separation of duties
through a substitute, and assignment by admins and group leads (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from channels.definitions import publish_channel_definitions
from tests.integration.helpers import open_tasks, task_for
from tests.support.fixtures import UserFactory
from workflows.domain.errors import Conflict, InvalidInput, PermissionDenied
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence import tables as t
from workflows.services.auth import deactivate_user
from workflows.services.context import Services
from workflows.services.delegations import add_delegation, end_delegation, hand_over, list_delegations
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.queries import history
from workflows.services.tasks import assign_task, claim_task, complete_task

# The tests' clock stands at Monday 2026-11-23 09:00 in Shanghai.
MONDAY, TUESDAY, FRIDAY = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 27)
ONBOARDING = {"channel_name": "华东旗舰店", "channel_type": "direct_store", "region": "east"}


@pytest.fixture(autouse=True)
def _channel_pack(svc: Services) -> None:
    publish_channel_definitions(svc)  # emergency_response: a task addressed to one person (data:responder)


def emergency(svc: Services, responder: Actor) -> int:
    inst = start_instance(svc, actor=SYSTEM, workflow="emergency_response", subject={"type": "channel", "id": "7"},
                          data={"responder": responder.login, "summary": "销量下滑"})
    return inst.id


def onboarding(svc: Services, requester: Actor) -> int:
    inst = start_instance(svc, actor=requester, workflow="channel_onboarding", data=ONBOARDING)
    fire_trigger(svc, actor=requester, instance_id=inst.id, trigger="submit")
    return inst.id


def the_task(svc: Services, task_id: int) -> dict[str, Any]:
    with svc.uow(write=False) as uow:
        return dict(uow.conn.execute(select(t.tasks).where(t.tasks.c.id == task_id)).mappings().one())


def outbox(svc: Services, template: str) -> list[tuple[str, dict[str, Any]]]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.outbox.c.recipient, t.outbox.c.payload)
                                .where(t.outbox.c.template == template).order_by(t.outbox.c.id)).all()
    return [(r.recipient, r.payload) for r in rows]


def away(svc: Services, user: Actor, substitute: Actor, *, starts_on: date = MONDAY, ends_on: date = FRIDAY,
         workflows: tuple[str, ...] = (), actor: Actor = SYSTEM) -> int:
    return add_delegation(svc, actor=actor, login=user.login, substitute=substitute.login, starts_on=starts_on,
                          ends_on=ends_on, workflows=workflows).id


# Routing of new tasks


def test_a_new_task_for_an_absent_user_goes_to_the_substitute_on_their_behalf(
        svc: Services, make_user: UserFactory) -> None:
    zhang, li = make_user("sales", login="zhang.san"), make_user("sales", login="li.si")
    away(svc, zhang, li)
    [task] = open_tasks(svc, emergency(svc, zhang))
    assert (task["assignee_id"], task["on_behalf_of"]) == (li.id, zhang.id)
    recipient, payload = outbox(svc, "task_opened")[-1]
    assert recipient == f"user:{li.id}" and payload["on_behalf_of"] == "zhang.san"
    routed = [e for e in history(svc, instance_id=task["instance_id"]) if e.action == "task_routed"]
    assert [(e.data["from"], e.data["to"]) for e in routed] == [("zhang.san", "li.si")]


def test_before_the_absence_starts_and_after_it_ends_tasks_stay_with_the_user(
        svc: Services, make_user: UserFactory) -> None:
    zhang, li = make_user("sales"), make_user("sales")
    planned = away(svc, zhang, li, starts_on=TUESDAY)
    assert open_tasks(svc, emergency(svc, zhang))[0]["assignee_id"] == zhang.id  # starts tomorrow
    svc.clock.set(svc.clock.now().replace(day=24))  # type: ignore[attr-defined]
    assert open_tasks(svc, emergency(svc, zhang))[0]["assignee_id"] == li.id
    end_delegation(svc, actor=zhang, delegation_id=planned)  # back early
    assert open_tasks(svc, emergency(svc, zhang))[0]["assignee_id"] == zhang.id
    svc.clock.set(svc.clock.now().replace(day=28))  # type: ignore[attr-defined]
    away(svc, zhang, li, starts_on=date(2026, 11, 28), ends_on=date(2026, 11, 28))
    svc.clock.set(svc.clock.now().replace(day=29))  # type: ignore[attr-defined]
    assert open_tasks(svc, emergency(svc, zhang))[0]["assignee_id"] == zhang.id  # over yesterday


def test_an_absence_for_some_workflows_only_routes_only_their_tasks(svc: Services, make_user: UserFactory) -> None:
    zhang, li = make_user("sales"), make_user("sales")
    away(svc, zhang, li, workflows=("complaint",))
    assert open_tasks(svc, emergency(svc, zhang))[0]["assignee_id"] == zhang.id


# Deciding on behalf, handover


def test_the_substitute_decides_on_behalf_of_the_absent_user_and_the_record_names_both(
        svc: Services, make_user: UserFactory) -> None:
    zhang, li = make_user("sales", login="zhang.san"), make_user("sales", login="li.si")
    away(svc, zhang, li)
    instance_id = emergency(svc, zhang)
    task_id = open_tasks(svc, instance_id)[0]["id"]
    result = complete_task(svc, actor=li, task_id=task_id, decision="done", comment="已处理")
    assert result.to_state == "resolved"
    decided = the_task(svc, task_id)
    assert (decided["completed_by"], decided["on_behalf_of"]) == (li.id, zhang.id)
    events = history(svc, instance_id=instance_id)
    completed = next(e for e in events if e.action == "task_completed")
    assert (completed.actor_login, completed.data["on_behalf_of"], completed.data["on_behalf_of_id"]) == (
        "li.si", "zhang.san", zhang.id)
    moved = next(e for e in events if e.action == "transition" and e.trigger == "resolve")
    assert moved.data["reason"]["on_behalf_of"] == "zhang.san"


def test_handover_gives_the_absent_users_open_claimed_tasks_to_the_substitute_in_one_action(
        svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    zhang, li = make_user("sales", login="zhang.san"), make_user("market", login="li.si")
    first, second = onboarding(svc, manager), onboarding(svc, manager)
    for instance_id in (first, second):
        claim_task(svc, actor=zhang, task_id=task_for(svc, instance_id, "sales"))
    unclaimed = task_for(svc, first, "finance")
    delegation = away(svc, zhang, li)
    done = hand_over(svc, actor=zhang, delegation_id=delegation)
    assert done.handed_over == [task_for(svc, first, "sales"), task_for(svc, second, "sales")] and done.kept == []
    assert the_task(svc, done.handed_over[0])["assignee_id"] == li.id
    assert the_task(svc, unclaimed)["assignee_id"] is None  # group tasks stay with the group
    [(recipient, payload)] = outbox(svc, "delegation_handover")
    assert recipient == f"user:{li.id}" and payload["count"] == 2
    complete_task(svc, actor=li, task_id=done.handed_over[0], decision="approve")
    completed = [e for e in history(svc, instance_id=first) if e.action in ("task_handed_over", "task_completed")]
    assert [(e.action, e.actor_login, e.data.get("on_behalf_of")) for e in completed] == [
        ("task_handed_over", "zhang.san", None), ("task_completed", "li.si", "zhang.san")]


def test_handing_over_someone_elses_absence_is_for_admins(svc: Services, make_user: UserFactory) -> None:
    zhang, li, other = make_user("sales"), make_user("sales"), make_user("sales")
    delegation = away(svc, zhang, li)
    with pytest.raises(PermissionDenied, match="another user's absence"):
        hand_over(svc, actor=other, delegation_id=delegation)
    assert hand_over(svc, actor=make_user(admin=True), delegation_id=delegation).handed_over == []


# Separation of duties through a substitute


def test_the_requesters_substitute_may_not_approve_the_request_while_standing_in(
        svc: Services, make_user: UserFactory) -> None:
    manager, li = make_user(roles=("channel_manager",)), make_user("market")
    instance_id = onboarding(svc, manager)
    delegation = away(svc, manager, li)
    with pytest.raises(PermissionDenied, match="may not decide on the request of the person they stand in for"):
        complete_task(svc, actor=li, task_id=task_for(svc, instance_id, "market"), decision="approve")
    end_delegation(svc, actor=manager, delegation_id=delegation)
    complete_task(svc, actor=li, task_id=task_for(svc, instance_id, "market"), decision="approve")


def test_the_requester_as_a_substitute_gets_no_task_of_their_own_request(
        svc: Services, make_user: UserFactory) -> None:
    manager = make_user("sales", roles=("channel_manager",))
    reviewer = make_user("market")
    instance_id = onboarding(svc, manager)
    market = task_for(svc, instance_id, "market")
    claim_task(svc, actor=reviewer, task_id=market)
    done = hand_over(svc, actor=reviewer, delegation_id=away(svc, reviewer, manager))
    assert (done.handed_over, done.kept) == ([], [market])
    assert the_task(svc, market)["assignee_id"] == reviewer.id
    with pytest.raises(PermissionDenied):
        complete_task(svc, actor=manager, task_id=market, decision="approve")


def test_nobody_decides_twice_in_one_all_of_review_in_person_or_as_a_substitute(
        svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    both = make_user("market", "sales")
    instance_id = onboarding(svc, manager)
    complete_task(svc, actor=both, task_id=task_for(svc, instance_id, "market"), decision="approve")
    with pytest.raises(PermissionDenied, match="nobody decides twice in one review"):
        complete_task(svc, actor=both, task_id=task_for(svc, instance_id, "sales"), decision="approve")
    # the same person again, now holding a finance reviewer's task as their substitute
    finance = make_user("finance")
    claim_task(svc, actor=finance, task_id=task_for(svc, instance_id, "finance"))
    hand_over(svc, actor=finance, delegation_id=away(svc, finance, both))
    with pytest.raises(PermissionDenied, match="nobody decides twice in one review"):
        complete_task(svc, actor=both, task_id=task_for(svc, instance_id, "finance"), decision="approve")
    assert len(open_tasks(svc, instance_id)) == 2


def test_a_substitute_may_not_decide_a_second_time_for_someone_who_already_decided(
        svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    zhang, li = make_user("market", "sales"), make_user("finance")
    instance_id = onboarding(svc, manager)
    complete_task(svc, actor=zhang, task_id=task_for(svc, instance_id, "market"), decision="approve")
    claim_task(svc, actor=zhang, task_id=task_for(svc, instance_id, "sales"))
    hand_over(svc, actor=zhang, delegation_id=away(svc, zhang, li))
    with pytest.raises(PermissionDenied, match="the person you stand in for, already decided"):
        complete_task(svc, actor=li, task_id=task_for(svc, instance_id, "sales"), decision="approve")


# Recording absences: validation, chains


def test_an_absence_needs_an_active_substitute_other_than_oneself_and_a_sane_range(
        svc: Services, make_user: UserFactory) -> None:
    zhang, li, gone = make_user(), make_user(), make_user()
    deactivate_user(svc, actor=SYSTEM, user_id=gone.id)  # type: ignore[arg-type]
    cases = [({"substitute": "nobody"}, "substitute", "no user 'nobody'"),
             ({"substitute": zhang.login}, "substitute", "nobody can stand in for themselves"),
             ({"substitute": gone.login}, "substitute", "deactivated"),
             ({"starts_on": FRIDAY, "ends_on": MONDAY}, "ends_on", "ends before it starts"),
             ({"starts_on": date(2026, 11, 1), "ends_on": date(2026, 11, 20)}, "ends_on", "over already"),
             ({"ends_on": date(2027, 12, 1)}, "ends_on", "at most 366 days"),
             ({"workflows": ["no_such_flow"]}, "workflows", "unknown workflow 'no_such_flow'")]
    for change, path, message in cases:
        values: dict[str, Any] = {"substitute": li.login, "starts_on": MONDAY, "ends_on": FRIDAY, **change}
        with pytest.raises(InvalidInput) as refused:
            add_delegation(svc, actor=zhang, login=None, **values)
        assert [(p.path, message in p.message) for p in refused.value.problems] == [(path, True)], change
    assert list_delegations(svc, actor=zhang) == []


def test_chains_of_substitutes_are_refused_with_the_other_absence_named(
        svc: Services, make_user: UserFactory) -> None:
    zhang, li, wang = make_user(login="zhang.san"), make_user(login="li.si"), make_user(login="wang.wu")
    away(svc, li, wang, starts_on=TUESDAY)
    with pytest.raises(Conflict, match=re.escape("li.si is away themselves from 2026-11-24 to 2026-11-27")):
        away(svc, zhang, li)
    with pytest.raises(Conflict, match=re.escape("wang.wu stands in for li.si")):
        away(svc, wang, zhang)
    with pytest.raises(Conflict, match=re.escape("li.si is already away")):
        away(svc, li, zhang, starts_on=FRIDAY, ends_on=date(2026, 11, 30))
    away(svc, zhang, li, ends_on=MONDAY)  # the day before li.si leaves: no chain
    away(svc, li, zhang, starts_on=date(2026, 11, 30), ends_on=date(2026, 12, 2))  # after: no overlap
    assert [d.user_login for d in list_delegations(svc, actor=li)] == ["li.si", "li.si", "zhang.san"]


def test_recording_someone_elses_absence_is_for_admins(svc: Services, make_user: UserFactory) -> None:
    zhang, li, other = make_user(), make_user(), make_user()
    with pytest.raises(PermissionDenied, match="another user's absence"):
        away(svc, zhang, li, actor=other)
    made = add_delegation(svc, actor=make_user(admin=True), login=zhang.login, substitute=li.login,
                          starts_on=MONDAY, ends_on=FRIDAY)
    assert (made.user_login, made.substitute_login, made.status) == (zhang.login, li.login, "running")
    [(recipient, payload)] = outbox(svc, "delegation_created")
    assert recipient == f"user:{li.id}" and (payload["starts_on"], payload["ends_on"]) == ("2026-11-23", "2026-11-27")
    assert list_delegations(svc, actor=other) == []


# Assignment


def test_an_admin_or_the_groups_lead_assigns_an_open_task_to_a_member(svc: Services, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",))
    instance_id = onboarding(svc, manager)
    market = task_for(svc, instance_id, "market")
    first, second = make_user("market", login="wu.yi"), make_user("market", login="zheng.er")
    assign_task(svc, actor=make_user(admin=True), task_id=market, login=first.login)
    assert the_task(svc, market)["assignee_id"] == first.id
    lead = make_user("market", roles=("lead",))
    assign_task(svc, actor=lead, task_id=market, login=second.login)
    assert the_task(svc, market)["assignee_id"] == second.id
    events = [e for e in history(svc, instance_id=instance_id) if e.action == "task_assigned"]
    assert [(e.data["assignee"], e.data["previous"]) for e in events] == [("wu.yi", None), ("zheng.er", "wu.yi")]
    assert [r for r, _ in outbox(svc, "task_assigned")] == [f"user:{first.id}", f"user:{second.id}"]


def test_leads_of_other_groups_and_members_may_not_assign_and_assignees_must_be_active_members(
        svc: Services, make_user: UserFactory) -> None:
    manager = make_user("market", roles=("channel_manager",))
    instance_id = onboarding(svc, manager)
    market = task_for(svc, instance_id, "market")
    for refused in (make_user("sales", roles=("lead",)), make_user("market")):
        with pytest.raises(PermissionDenied, match="only an admin or a lead of the task's group"):
            assign_task(svc, actor=refused, task_id=market, login=manager.login)
    admin, gone = make_user(admin=True), make_user("market")
    deactivate_user(svc, actor=SYSTEM, user_id=gone.id)  # type: ignore[arg-type]
    for login, message in ((make_user("sales").login, "is not a member of the task's group 'market'"),
                           (gone.login, "is deactivated"), ("nobody", "no user 'nobody'"),
                           (manager.login, "asked for this decision")):
        with pytest.raises(InvalidInput) as refused_input:
            assign_task(svc, actor=admin, task_id=market, login=login)
        assert message in refused_input.value.problems[0].message
    assert the_task(svc, market)["assignee_id"] is None
