"""Moving running instances to a newer version: the dry run tells, the real run does, once per instance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.integration.helpers import count, open_tasks, timers
from tests.support.fixtures import UserFactory
from tests.support.migration import V1, V2
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import Conflict, InvalidInput, PermissionDenied
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.definitions import publish_definition
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.migration import instances_behind, migrate_instances
from workflows.services.tasks import claim_task, complete_task


@dataclass
class World:
    admin: Actor
    market: Actor
    finance: Actor
    it: Actor
    reviewing: int  # in review, market's part claimed
    parked: int  # in a state version 2 no longer has
    no_region: int  # lacks the field version 2 requires
    drafting: int  # in draft: nothing to do but move


@pytest.fixture
def world(svc: Services, make_user: UserFactory, clock: FixedClock) -> World:
    admin = make_user(admin=True)
    market, finance, it = make_user("market"), make_user("finance"), make_user("it")
    publish_definition(svc, actor=admin, source=V1)

    def started(data: dict[str, object], *triggers: str) -> int:
        iid = start_instance(svc, actor=admin, workflow="sop_review", data=data).id
        for trigger in triggers:
            fire_trigger(svc, actor=admin, instance_id=iid, trigger=trigger)
        return iid

    reviewing = started({"amount": 5, "region": "east"}, "submit")
    market_task = next(x["id"] for x in open_tasks(svc, reviewing) if x["candidate_group"] == "market")
    claim_task(svc, actor=market, task_id=market_task)
    parked = started({"amount": 6, "region": "east"}, "submit", "park")
    no_region = started({"amount": 7}, "submit")
    drafting = started({"amount": 8, "region": "west"})
    clock.advance(timedelta(hours=2))  # two working hours of the decision goal are used
    publish_definition(svc, actor=admin, source=V2)
    return World(admin=admin, market=market, finance=finance, it=it, reviewing=reviewing, parked=parked,
                 no_region=no_region, drafting=drafting)


def versions(svc: Services) -> dict[int, int]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.instances.c.id, t.instances.c.definition_version)
                                .where(t.instances.c.workflow == "sop_review"))
        return {int(r.id): int(r.definition_version) for r in rows}


def test_a_dry_run_reports_states_tasks_timers_clocks_and_blockers_and_changes_nothing(
        svc: Services, world: World) -> None:
    before = (count(svc, t.tasks), count(svc, t.timers), count(svc, t.audit_events), count(svc, t.sla_clocks))
    report = migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2, dry_run=True)

    assert report.dry_run and report.run_id is None
    assert report.counts == {"total": 4, "ready": 2, "migrated": 0, "blocked": 2, "unchanged": 0}
    rows = {row.instance_id: row for row in report.instances}
    review = rows[world.reviewing]
    assert (review.from_version, review.to_version, review.from_state, review.to_state) == (1, 2, "review", "review")
    assert sorted(x.group or "" for x in review.tasks_kept) == ["finance", "market"]
    assert [(x.name, x.group, x.title_zh) for x in review.tasks_created] == [("dept_review", "it", "部门审核")]
    assert review.tasks_cancelled == []
    day = svc.calendar.working_day_length()
    created = min(x["created_at"] for x in open_tasks(svc, world.reviewing))
    two_days = svc.calendar.add_working_time(created, 2 * day)
    assert {x.due_at for x in review.tasks_kept} == {two_days}
    assert [(c.goal, c.target_seconds_before, c.target_seconds, c.used_seconds, c.status) for c in review.clocks] == [
        ("decision", int(3 * day.total_seconds()), int(2 * day.total_seconds()), 7200, "running")]
    assert [b.code for b in rows[world.parked].blockers] == ["state_unmapped"]
    assert "--map parked=NEW" in rows[world.parked].blockers[0].message
    assert [(b.code, b.field) for b in rows[world.no_region].blockers] == [("field_required", "region")]
    assert rows[world.drafting].to_state == "draft" and rows[world.drafting].status == "ready"

    assert versions(svc) == dict.fromkeys((world.reviewing, world.parked, world.no_region, world.drafting), 1)
    assert (count(svc, t.tasks), count(svc, t.timers), count(svc, t.audit_events), count(svc, t.sla_clocks)) == before
    assert count(svc, t.migration_runs) == 0


def test_a_real_run_moves_each_instance_once_keeps_claims_and_opens_the_new_parts(
        svc: Services, world: World) -> None:
    kept_before = {x["candidate_group"]: x for x in open_tasks(svc, world.reviewing)}
    report = migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2,
                               state_map={"parked": "on_hold"})

    assert report.counts == {"total": 4, "ready": 0, "migrated": 3, "blocked": 1, "unchanged": 0}
    assert versions(svc) == {world.reviewing: 2, world.parked: 2, world.drafting: 2, world.no_region: 1}
    tasks = {x["candidate_group"]: x for x in open_tasks(svc, world.reviewing)}
    assert sorted(tasks) == ["finance", "it", "market"]
    assert tasks["market"]["id"] == kept_before["market"]["id"]
    assert tasks["market"]["assignee_id"] == world.market.id
    assert tasks["it"]["entry"] == tasks["market"]["entry"]  # one all-of decision, now with three parts
    two_days = svc.calendar.add_working_time(kept_before["market"]["created_at"],
                                             2 * svc.calendar.working_day_length())
    assert {x["due_at"] for x in tasks.values()} == {two_days}
    due_timers = [x for x in timers(svc, world.reviewing) if x["kind"] == "task_due"]
    assert sorted(x["due_at"] for x in due_timers) == [two_days] * 3
    with svc.uow(write=False) as uow:
        clock_row = uow.conn.execute(select(t.sla_clocks).where(t.sla_clocks.c.instance_id == world.reviewing)
                                     ).mappings().one()
        parked_clock = uow.conn.execute(select(t.sla_clocks).where(t.sla_clocks.c.instance_id == world.parked)
                                        ).mappings().one()
        audits = uow.conn.execute(select(t.audit_events).where(t.audit_events.c.action == "migrated")
                                  .order_by(t.audit_events.c.instance_id)).mappings().all()
        state = uow.conn.execute(select(t.instances.c.state).where(t.instances.c.id == world.parked)).scalar_one()
    assert clock_row["used_seconds"] == 7200
    assert clock_row["target_seconds"] == int(2 * svc.calendar.working_day_length().total_seconds())
    assert (state, parked_clock["status"]) == ("on_hold", "paused")
    assert [(a["instance_id"], a["comment"]) for a in audits] == [
        (world.reviewing, "version 1 → 2"), (world.parked, "version 1 → 2"), (world.drafting, "version 1 → 2")]

    again = migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2,
                              state_map={"parked": "on_hold"})
    assert again.counts == {"total": 1, "ready": 0, "migrated": 0, "blocked": 1, "unchanged": 0}
    assert count(svc, t.audit_events, t.audit_events.c.action == "migrated") == 3

    for actor, group in ((world.market, "market"), (world.finance, "finance")):
        complete_task(svc, actor=actor, task_id=tasks[group]["id"], decision="approve")
    assert versions(svc)[world.reviewing] == 2
    result = complete_task(svc, actor=world.it, task_id=tasks["it"]["id"], decision="approve")
    assert result.to_state == "done"  # the IT part counts in the all-of policy of version 2


def test_the_instances_behind_the_latest_version_are_counted_for_the_editor(svc: Services, world: World) -> None:
    assert instances_behind(svc, workflow="sop_review") == {1: 4}
    migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2, instance_ids=[world.drafting])
    assert instances_behind(svc, workflow="sop_review") == {1: 3}


def test_naming_instances_migrates_only_those_and_reports_ones_already_there(svc: Services, world: World) -> None:
    first = migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2,
                              instance_ids=[world.drafting])
    assert [(x.instance_id, x.status) for x in first.instances] == [(world.drafting, "migrated")]
    second = migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2,
                               instance_ids=[world.drafting, world.reviewing])
    assert sorted((x.instance_id, x.status) for x in second.instances) == sorted(
        [(world.drafting, "unchanged"), (world.reviewing, "migrated")])


def test_a_bad_map_or_instance_is_refused_with_every_problem_and_nothing_changes(svc: Services, world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2,
                          state_map={"nowhere": "review", "parked": "limbo"})
    assert sorted((p.path, p.message) for p in refused.value.problems) == [
        ("map.nowhere", "no source version has a state 'nowhere'"), ("map.parked", "version 2 has no state 'limbo'")]
    with pytest.raises(InvalidInput) as unknown:
        migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2, instance_ids=[999_999])
    assert [p.path for p in unknown.value.problems] == ["instances.0"]
    assert count(svc, t.migration_runs) == 0
    assert set(versions(svc).values()) == {1}


def test_only_an_admin_may_migrate(svc: Services, world: World) -> None:
    with pytest.raises(PermissionDenied, match="only an admin may migrate"):
        migrate_instances(svc, actor=world.market, workflow="sop_review", to_version=2, dry_run=True)


def test_a_step_holding_the_old_revision_is_refused_after_the_migration(svc: Services, world: World) -> None:
    revision = _summary(svc, world.drafting).revision
    migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=2, instance_ids=[world.drafting])
    with pytest.raises(Conflict, match="is at revision"):  # the ETag changed
        fire_trigger(svc, actor=world.admin, instance_id=world.drafting, trigger="submit",
                     expected_revision=revision)
    moved = fire_trigger(svc, actor=world.admin, instance_id=world.drafting, trigger="submit")
    assert moved.instance.definition_version == 2
    assert sorted(x["candidate_group"] for x in open_tasks(svc, world.drafting)) == ["finance", "it", "market"]


def _summary(svc: Services, iid: int) -> t.InstanceRow:
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(select(t.instances).where(t.instances.c.id == iid)).mappings().one()
    return t.InstanceRow.model_validate(dict(row))


V3 = (V1.replace("name: dept_review", "name: final_check").replace("groups: [market, finance]", "groups: [committee]")
      .replace("title: {zh: 部门审核, en: Department review}", "title: {zh: 终审, en: Final check}")
      .split("sla:")[0]
      .replace("  - {name: parked, title: {zh: 搁置, en: Parked}}",
               "  - name: parked\n    title: {zh: 搁置, en: Parked}\n    timers:\n"
               "      - {name: wake_up, after: 5 working days, fire: finish}"))


def test_tasks_that_no_longer_fit_are_cancelled_with_their_timers_and_a_goal_gone_is_dropped(
        svc: Services, world: World) -> None:
    publish_definition(svc, actor=world.admin, source=V3)
    old_tasks = open_tasks(svc, world.reviewing)
    report = migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=3, from_version=1,
                               instance_ids=[world.reviewing, world.parked])
    rows = {row.instance_id: row for row in report.instances}
    assert sorted(x.group or "" for x in rows[world.reviewing].tasks_cancelled) == ["finance", "market"]
    assert [(x.name, x.group) for x in rows[world.reviewing].tasks_created] == [("final_check", "committee")]
    assert [(c.goal, c.status) for c in rows[world.reviewing].clocks] == [("decision", "dropped")]
    new = open_tasks(svc, world.reviewing)
    assert [x["candidate_group"] for x in new] == ["committee"]
    assert new[0]["due_at"] == svc.calendar.add_working_time(svc.clock.now(), 3 * svc.calendar.working_day_length())
    assert {x["task_id"] for x in timers(svc, world.reviewing)} == {new[0]["id"]}  # the old ones' are cancelled
    assert all(x["status"] == "cancelled" for x in _tasks_by_id(svc, [x["id"] for x in old_tasks]))
    with svc.uow(write=False) as uow:
        clock = uow.conn.execute(select(t.sla_clocks).where(t.sla_clocks.c.instance_id == world.reviewing)
                                 ).mappings().one()
    assert (clock["status"], clock["used_seconds"]) == ("dropped", 7200)
    parked = rows[world.parked]
    assert [(x.kind, x.name) for x in parked.timers] == [("state", "wake_up")]
    wake = [x for x in timers(svc, world.parked) if x["kind"] == "state"]
    entered = _summary(svc, world.parked).state_entered_at
    five_days = svc.calendar.add_working_time(entered, 5 * svc.calendar.working_day_length())
    assert [x["due_at"] for x in wake] == [five_days]


def _tasks_by_id(svc: Services, ids: list[int]) -> list[dict[str, object]]:
    with svc.uow(write=False) as uow:
        return [dict(r) for r in uow.conn.execute(select(t.tasks).where(t.tasks.c.id.in_(ids))).mappings()]


def test_a_task_set_left_without_open_parts_or_a_final_target_state_blocks_the_instance(
        svc: Services, world: World) -> None:
    finance_only_gone = V2.replace("groups: [market, finance, it]", "groups: [market]")
    publish_definition(svc, actor=world.admin, source=finance_only_gone)
    market_task = next(x["id"] for x in open_tasks(svc, world.reviewing) if x["candidate_group"] == "market")
    complete_task(svc, actor=world.market, task_id=market_task, decision="approve")  # finance still open
    report = migrate_instances(svc, actor=world.admin, workflow="sop_review", to_version=3, from_version=1,
                               state_map={"parked": "done"}, instance_ids=[world.reviewing, world.parked])
    rows = {row.instance_id: row for row in report.instances}
    assert [b.code for b in rows[world.reviewing].blockers] == ["task_decided"]
    assert [b.code for b in rows[world.parked].blockers] == ["state_final"]
    assert report.counts["blocked"] == 2 and set(versions(svc).values()) == {1}
