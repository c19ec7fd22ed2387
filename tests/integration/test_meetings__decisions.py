"""Decisions on agenda items fire their trigger once through the engine, audited with the meeting."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from channels.meetings.agendas import prepare_agenda
from channels.meetings.decisions import record_attendance, record_decision
from channels.meetings.views import AgendaView, ItemView
from tests.support.meetings import World, seed
from workflows.domain.errors import Conflict, InvalidInput, PermissionDenied
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.queries import history


@pytest.fixture
def world(svc: Services) -> World:
    return seed(svc)


@pytest.fixture
def agenda(svc: Services, world: World) -> AgendaView:
    return prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)


def _item(agenda: AgendaView, section: str) -> ItemView:
    return next(s for s in agenda.sections if s.name == section).items[0]


def test_a_decision_fires_its_trigger_through_the_engine_with_the_meeting_as_reason(
        svc: Services, world: World, agenda: AgendaView) -> None:
    item = _item(agenda, "terminations")
    decision = record_decision(svc, actor=world.committee, meeting_id=world.meeting.id, item_id=item.id,
                               summary="连续未改善，终止合作", trigger="terminate")

    assert (decision.from_state, decision.to_state) == ("termination_review", "terminated")
    step = [e for e in history(svc, instance_id=world.ids["review"])
            if e.trigger == "terminate" and e.action == "transition"]
    assert len(step) == 1 and step[0].actor_login == "chen"
    assert step[0].data["reason"] == {"meeting_id": world.meeting.id, "occurrence_id": agenda.occurrence.id,
                                      "agenda_item_id": item.id}


def test_posting_the_same_decision_twice_fires_the_trigger_once(svc: Services, world: World,
                                                               agenda: AgendaView) -> None:
    item = _item(agenda, "terminations")
    args = {"actor": world.committee, "meeting_id": world.meeting.id, "item_id": item.id, "summary": "终止",
            "trigger": "terminate"}
    first = record_decision(svc, **args, idempotency_key="k-1")  # type: ignore[arg-type]
    again = record_decision(svc, **args, idempotency_key="k-1")  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        record_decision(svc, **args)  # type: ignore[arg-type]

    assert again == first
    fired = [e for e in history(svc, instance_id=world.ids["review"])
             if e.trigger == "terminate" and e.action == "transition"]
    assert len(fired) == 1


def test_a_refused_trigger_records_no_decision(svc: Services, world: World, agenda: AgendaView) -> None:
    item = _item(agenda, "terminations")
    with pytest.raises(Conflict):
        record_decision(svc, actor=world.committee, meeting_id=world.meeting.id, item_id=item.id, summary="x",
                        trigger="recover")
    later = record_decision(svc, actor=world.committee, meeting_id=world.meeting.id, item_id=item.id,
                            summary="暂缓一个月", trigger="reprieve")
    assert later.to_state == "yellow_card"


def test_only_committee_members_decide(svc: Services, world: World, agenda: AgendaView) -> None:
    with pytest.raises(PermissionDenied):
        record_decision(svc, actor=world.member, meeting_id=world.meeting.id, item_id=_item(agenda, "cards").id,
                        summary="x")


def test_a_trigger_needs_an_item_with_an_instance_and_a_deferral_fires_nothing(
        svc: Services, world: World, agenda: AgendaView) -> None:
    with pytest.raises(InvalidInput):
        record_decision(svc, actor=world.committee, meeting_id=world.meeting.id,
                        item_id=_item(agenda, "five_star").id, summary="x", trigger="terminate")
    with pytest.raises(InvalidInput):
        record_decision(svc, actor=world.committee, meeting_id=world.meeting.id,
                        item_id=_item(agenda, "terminations").id, summary="x", outcome="deferred", trigger="terminate")


def test_a_lifecycle_decision_by_the_committee_moves_the_stage_and_closes_the_approval(
        svc: Services, world: World, agenda: AgendaView) -> None:
    item = next(i for i in next(s for s in agenda.sections if s.name == "lifecycle").items
                if i.key.startswith("approval:"))
    decision = record_decision(svc, actor=world.committee, meeting_id=world.meeting.id, item_id=item.id,
                               summary="同意进入成长期", trigger="advance")
    with svc.uow(write=False) as uow:
        status = uow.conn.execute(select(t.tasks.c.status).where(t.tasks.c.id == world.ids["approval"])).scalar_one()
    assert (decision.to_state, status) == ("growth", "cancelled")


def test_attendance_lists_only_attendees(svc: Services, world: World, agenda: AgendaView) -> None:
    assert record_attendance(svc, actor=world.committee, meeting_id=world.meeting.id,
                             present=[world.member.id or 0]) == [world.member.id]
    with pytest.raises(InvalidInput):
        record_attendance(svc, actor=world.committee, meeting_id=world.meeting.id, present=[world.manager.id or 0])


def test_two_concurrent_decisions_on_one_item_fire_the_trigger_once(svc: Services, world: World,
                                                                  agenda: AgendaView) -> None:
    item = _item(agenda, "terminations")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide() -> None:
        barrier.wait()
        try:
            record_decision(svc, actor=world.committee, meeting_id=world.meeting.id, item_id=item.id,
                            summary="终止", trigger="terminate")
            outcomes.append("recorded")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=decide) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["conflict", "recorded"]
    fired = [e for e in history(svc, instance_id=world.ids["review"])
             if e.trigger == "terminate" and e.action == "transition"]
    assert len(fired) == 1
